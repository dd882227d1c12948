"""`beancan triage` as a user runs it: the real sample, hand-made files, bad input, exit codes."""

from __future__ import annotations

import csv
import gzip
import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

from beancan.audit.readers import TWCS_COLUMNS
from beancan.triage.files import TRIAGE_COLUMNS
from beancan.triage.types import INTENTS, SENTIMENTS

BEANCAN = [sys.executable, "-m", "beancan"]
TWCS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "twcs_sample.csv"
CODE = re.compile(r"^(und|[a-z]{2,3})$")


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*BEANCAN, *args], capture_output=True, text=True, timeout=timeout)


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def points_in(reasons: list[str]) -> int:
    return sum(int(r.rsplit("(+", 1)[1].rstrip(")")) for r in reasons if "(+" in r)


def assert_triaged(row: dict) -> None:
    assert row["sentiment"] in SENTIMENTS
    assert 0.0 <= float(row["sentiment_confidence"]) <= 1.0
    assert row["intent"] in INTENTS
    assert CODE.match(row["language"]), row["language"]
    reasons = row["urgency_reasons"]
    if isinstance(reasons, str):
        reasons = reasons.split("; ") if reasons else []
    assert int(row["urgency"]) == min(100, points_in(reasons))
    assert str(row["spam"]).lower() in ("true", "false")


# ---------------------------------------------------------------- the real sample


@pytest.fixture(scope="module")
def sample_out(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("triage") / "sample.csv"
    return out, run("triage", str(TWCS), "--out", str(out))


def test_the_real_sample_keeps_every_valid_row_and_reports_the_broken_one(sample_out) -> None:
    out, result = sample_out
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "triaged 4,999 rows" in result.stderr
    assert "(twcs)" in result.stderr
    assert "1 record rejected" in result.stderr
    assert "line 2589: record split over lines 2589-2591" in result.stderr
    header, rows = read_csv(out)
    assert header == [*TWCS_COLUMNS, *TRIAGE_COLUMNS]
    assert len(rows) == 4_999
    with TWCS.open(encoding="utf-8", newline="") as fh:
        expected = [r for r in csv.reader(fh) if len(r) == len(TWCS_COLUMNS)][1:]
    assert [[r[c] for c in TWCS_COLUMNS] for r in rows] == expected  # unchanged, in order
    for row in rows:
        assert_triaged(row)


def test_the_real_sample_finds_complaints_languages_and_urgent_words(sample_out) -> None:
    _out, _result = sample_out
    _header, rows = read_csv(_out)
    customers = [r for r in rows if r["inbound"] == "True"]
    intents = {r["intent"] for r in customers}
    assert {"complaint", "question", "praise"} <= intents
    languages = [r["language"] for r in rows]
    assert languages.count("ja") >= 30 and languages.count("es") >= 30
    poisoned = next(r for r in rows if "gave me food poisoning" in r["text"])
    assert "safety words: 'food poisoning' (+35)" in poisoned["urgency_reasons"]
    assert int(poisoned["urgency"]) >= 35


# ---------------------------------------------------------------- hand-made files


NASTY = {
    "empty": "",
    "only_emoji": "😡😡😡",
    "many_emoji": "😀" * 10_000,
    "huge": "my order is late and nobody answers. " * 2_800,  # about 100 kB
    "mixed": "hola, mi pedido 注文 no ha llegado, Привет, where is it?",
    "controls": "the charger is \x1b[31msmoking\x07 \u200b\ufeff please help",
    "handles_links": "@AcmeHelp https://t.co/xyz",
}


def test_csv_with_bad_texts_writes_every_row_in_bounded_time(tmp_path: Path) -> None:
    path, out = tmp_path / "in.csv", tmp_path / "out.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["case", "message", "extra"])
        for name, text in NASTY.items():
            writer.writerow([name, text, "kept"])
    result = run("triage", str(path), "--text-column", "message", "--out", str(out), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "rejected" not in result.stderr
    header, rows = read_csv(out)
    assert header == ["case", "message", "extra", *TRIAGE_COLUMNS]
    assert [r["case"] for r in rows] == list(NASTY)
    by_case = {r["case"]: r for r in rows}
    for name, text in NASTY.items():
        assert by_case[name]["message"] == text
        assert by_case[name]["extra"] == "kept"
        assert_triaged(by_case[name])
    for name in ("empty", "only_emoji", "many_emoji", "handles_links"):
        assert by_case[name]["language"] == "und"
    assert by_case["empty"]["sentiment"] == "neutral"
    assert by_case["huge"]["language"] == "en"
    assert by_case["mixed"]["language"] == "es"
    assert "safety words: 'smoking'" in by_case["controls"]["urgency_reasons"]


def test_jsonl_in_jsonl_out_with_nested_text_context_and_bad_lines(tmp_path: Path) -> None:
    path, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    lines = [
        json.dumps({"id": 1, "msg": {"body": "the heater sparks, it is unsafe"}, "wait": 7200,
                    "n": 3, "vip": "yes"}),
        "",  # a blank line is no record
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": 4, "msg": {"body": "thanks, all good now"}, "wait": "", "n": 1}),
        json.dumps({"id": 5, "msg": {}, "wait": 60}),  # no text: triaged as empty
        json.dumps({"id": 6, "msg": {"body": "hi"}, "wait": "soon"}),
        json.dumps({"id": 7, "msg": {"body": "😀" * 10_000}}),
    ]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(
        "triage", str(path), "--text-column", "msg.body", "--map", "waited_seconds=wait",
        "--map", "customer_messages=n", "--map", "vip=vip", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "3 records rejected" in result.stderr
    assert "line 3: not valid JSON" in result.stderr
    assert "line 4: not a JSON object" in result.stderr
    assert "line 7: waited_seconds 'soon' is not a number" in result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [1, 4, 5, 7]
    first = rows[0]
    assert list(first)[:5] == ["id", "msg", "wait", "n", "vip"]  # the object's own keys first
    assert first["msg"] == {"body": "the heater sparks, it is unsafe"}
    assert isinstance(first["urgency_reasons"], list) and isinstance(first["spam"], bool)
    assert "safety words: 'sparks', 'unsafe' (+35)" in first["urgency_reasons"]
    assert "waiting 2 h (+13)" in first["urgency_reasons"]
    assert "wrote 3 times before a reply (+10)" in first["urgency_reasons"]
    assert "VIP customer (+15)" in first["urgency_reasons"]
    for row in rows:
        assert_triaged(row)
    assert rows[2]["language"] == "und" and rows[2]["sentiment"] == "neutral"


def test_gzip_input_is_detected_and_gz_output_compressed(tmp_path: Path) -> None:
    path, out = tmp_path / "export.csv", tmp_path / "out.csv.gz"
    path.write_bytes(gzip.compress(b"id,text\n1,where is my parcel\n2,my lawyer will call you\n"))
    result = run("triage", str(path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    with gzip.open(out, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == ["1", "2"]
    assert "legal words: 'lawyer'" in rows[1]["urgency_reasons"]


def test_triaging_its_own_output_replaces_the_columns_in_place(tmp_path: Path) -> None:
    path, once, twice = tmp_path / "in.csv", tmp_path / "once.csv", tmp_path / "twice.csv"
    path.write_text("id,text\n1,the app crashed again\n2,love it\n", encoding="utf-8")
    assert run("triage", str(path), "--out", str(once)).returncode == 0
    assert run("triage", str(once), "--out", str(twice)).returncode == 0
    assert read_csv(twice) == read_csv(once)


def test_bad_records_are_located_and_the_rest_written(tmp_path: Path) -> None:
    path, out = tmp_path / "in.csv", tmp_path / "out.csv"
    path.write_bytes(
        b"id,text,channel\n"
        b"1,fine,x\n"
        b"2,too,many,fields\n"
        b"3,short\n"
        b'4,"bad \xff bytes",x\n'
        b'5,"multi\nline text",x\n'
        b"6,vip,x\n"
    )
    result = run("triage", str(path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "3 records rejected" in result.stderr
    assert "line 3: has 4 fields, more than 3" in result.stderr
    assert "line 4: has 2 of 3 fields" in result.stderr
    assert "line 5: is not valid UTF-8" in result.stderr
    _header, rows = read_csv(out)
    assert [r["id"] for r in rows] == ["1", "5", "6"]
    assert rows[1]["text"] == "multi\nline text"


def test_broken_quotes_are_located(tmp_path: Path) -> None:
    path, out = tmp_path / "in.csv", tmp_path / "out.csv"
    path.write_text(
        'id;text\n1;fine\n2;"quoted"then more\n3;also fine\n4;"never closed\n5;eaten\n',
        encoding="utf-8",
    )
    result = run("triage", str(path), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "line 3: has a quote inside a quoted field" in result.stderr
    assert "line 5: has a quote that is never closed" in result.stderr
    _header, rows = read_csv_with(out, ";")
    assert [r["id"] for r in rows] == ["1", "3"]


def read_csv_with(path: Path, delimiter: str) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        return list(reader.fieldnames or []), list(reader)


def test_quiet_prints_only_rejections(tmp_path: Path) -> None:
    path, out = tmp_path / "in.csv", tmp_path / "out.csv"
    path.write_text("id,text\n1,hello\n", encoding="utf-8")
    result = run("triage", str(path), "--out", str(out), "--quiet")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    path.write_text("id,text\n1,hello\n2,a,b\n", encoding="utf-8")
    result = run("triage", str(path), "--out", str(out), "--quiet")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        "1 record rejected:",
        "  line 3: has 3 fields, more than 2",
    ]


# ---------------------------------------------------------------- refused input: one line, exit 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{missing}", "--out", "{out}"], "no such file"),
        (["{dir}", "--out", "{out}"], "is a directory"),
        (["{csv}", "--text-column", "body", "--out", "{out}"], "unknown column 'body'"),
        (["{csv}", "--map", "colour=x", "--out", "{out}"], "unknown field 'colour'"),
        (["{csv}", "--map", "text", "--out", "{out}"], "FIELD=COLUMN"),
        (["{csv}", "--out", "/no/such/dir/out.csv"], "does not exist"),
        (["{csv}", "--out", "{csv}"], "is the input file"),
        (["{csv}", "--out", "{dir}"], "is a directory"),
        (["{csv}", "--model", "magic", "--out", "{out}"], "unknown triage model 'magic'"),
        (["{csv}", "--format", "xml", "--out", "{out}"], "invalid choice"),
        (["{csv}"], "required: --out"),
        (["{broken}", "--strict", "--out", "{out}"], "line 3: has 3 fields, more than 2"),
        (["{empty}", "--out", "{out}"], "empty file"),
        (["{header_only}", "--out", "{out}"], "no valid record"),
        (["{jsonl}", "--out", "{out}"], "unknown column 'text' for field 'text': no record has it"),
        (["{jsonl}", "--text-column", "body", "--map", "vip=v", "--out", "{out}"],
         "unknown column 'v' for field 'vip'"),
    ],
)  # fmt: skip
def test_refused_input_is_one_line_and_exit_2(tmp_path: Path, args, message) -> None:
    files = {
        "csv": ("in.csv", "id,text\n1,hello\n"),
        "broken": ("broken.csv", "id,text\n1,hello\n2,a,b\n3,ok\n"),
        "empty": ("empty.csv", ""),
        "header_only": ("header.csv", "id,text\n"),
        "jsonl": ("in.jsonl", '{"body": "hello"}\n'),
    }
    names = {"missing": tmp_path / "nope.csv", "dir": tmp_path, "out": tmp_path / "out.csv"}
    for key, (name, content) in files.items():
        names[key] = tmp_path / name
        names[key].write_text(content, encoding="utf-8")
    result = run("triage", *(a.format(**names) for a in args))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "out.csv").exists()
    assert not list(tmp_path.glob(".out.csv.*"))  # no temporary file left behind


def test_unwritable_output_folder(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,text\n1,hello\n", encoding="utf-8")
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir(mode=0o500)
        expected = "permission denied"
    else:  # root writes anywhere, but not into sysfs
        folder = Path("/sys")
        expected = "cannot write there"
    result = run("triage", str(path), "--out", str(folder / "out.csv"))
    assert result.returncode == 2
    assert expected in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    master, slave = pty.openpty()
    env = dict(os.environ, COLUMNS="120", TERM="xterm")
    proc = subprocess.Popen(
        [*BEANCAN, "triage", str(TWCS), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=60) == 0
    os.close(master)
    text = seen.decode("utf-8", "replace")
    assert "rows" in text and "\x1b[" in text, text[:500]  # the bar draws with escape codes
    piped = run("triage", str(TWCS), "--out", str(out))
    assert "\x1b[" not in piped.stderr
