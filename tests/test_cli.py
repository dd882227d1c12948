"""The `beancan` command as a user runs it: exit codes, one-line errors, outputs, progress."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from beancan.audit.demo import write_demo_export
from beancan.cli import main, parse_duration

BEANCAN = [sys.executable, "-m", "beancan"]
TWCS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "twcs_sample.csv"
METRIC_KEYS = {
    "conversations", "customer_initiated", "answered", "response_rate", "first_response_seconds",
    "within_target_share", "repeat_contact_share", "canned_share", "name_use_share",
    "signed_share", "private_handoff_share", "sentiment", "thanks_share", "hour_of_week",
}  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.csv"
    write_demo_export(path, conversations=300)
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*BEANCAN, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit", "/no/such/export.csv"], "no such file"),
        (["audit", "{demo}", "--format", "csv", "--map", "id=msg_id"], "unknown column 'msg_id'"),
        (["audit", "{demo}", "--map", "colour=x"], "unknown field 'colour'"),
        (["audit", "{demo}", "--map", "id"], "FIELD=COLUMN"),
        (["audit", "{demo}", "--target", "soon"], "--target 'soon'"),
        (["audit", "{demo}", "--format", "xml"], "invalid choice"),
        (["audit", "{demo}", "--sentiment-model", "magic"], "unknown sentiment analyzer"),
        (["audit", "{demo}", "--json", "/no/such/dir/out.json"], "does not exist"),
        (["audit", "{demo}", "--strict"], "--strict"),
        (["audit", "{empty}"], "empty file"),
        (["audit", "{header_only}"], "no valid record"),
        (["audit"], "required: file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(demo: Path, tmp_path: Path, args, message) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header_only = tmp_path / "header.csv"
    header_only.write_text(
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"
        "1,2,maybe,yesterday,hello,,\n"
    )
    names = {"demo": demo, "empty": empty, "header_only": header_only}
    result = run(*(a.format(**names) for a in args))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr  # one line, no traceback
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_strict_names_the_first_bad_line(demo: Path) -> None:
    result = run("audit", str(demo), "--strict", "--no-sentiment")
    assert result.returncode == 2
    broken_line = write_demo_export(demo.with_name("again.csv"), conversations=300).broken_line
    assert f"line {broken_line}:" in result.stderr


def test_audit_writes_json_and_html_and_prints_the_summary(demo: Path, tmp_path: Path) -> None:
    out_json, out_html = tmp_path / "audit.json", tmp_path / "audit.html"
    result = run("audit", str(demo), "--json", str(out_json), "--html", str(out_html))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    report = json.loads(out_json.read_text())
    assert set(report) == {"source", "rows", "target_seconds", "overall", "brands"}
    assert set(report["overall"]) == METRIC_KEYS
    assert all(set(m) == METRIC_KEYS for m in report["brands"].values())
    assert report["rows"]["rejected"] == 1
    assert report["target_seconds"] == 3600
    assert report["overall"]["sentiment"]["first_mean"] is not None
    assert out_html.read_text().startswith("<!DOCTYPE html>")
    assert "all brands" in result.stdout
    for brand in report["brands"]:
        if brand != "unattributed":
            assert brand in result.stdout
    assert str(out_html.resolve()) in result.stdout.replace("\n", "")


def test_target_and_no_sentiment(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    assert main(["audit", str(demo), "--target", "15m", "--no-sentiment", "--quiet",
                 "--json", str(out)]) == 0  # fmt: skip
    report = json.loads(out.read_text())
    assert report["target_seconds"] == 900
    assert report["overall"]["sentiment"] == {
        "first_mean": None,
        "after_reply_mean": None,
        "improved_share": None,
    }


def test_progress_bar_on_a_terminal(demo: Path) -> None:
    """With stderr on a terminal, the stages show as a progress bar there."""
    master, slave = pty.openpty()
    env = dict(os.environ, COLUMNS="120", TERM="xterm")
    proc = subprocess.Popen(
        [*BEANCAN, "audit", str(demo), "--no-sentiment"],
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
    assert "reading" in text or "threading" in text or "%" in text, text[:500]


def test_demo_command(tmp_path: Path) -> None:
    out = tmp_path / "d.csv"
    result = run("demo", "--out", str(out), "--conversations", "50", "--seed", "3")
    assert result.returncode == 0, result.stderr
    assert out.exists() and "50 conversations" in result.stdout


@pytest.mark.skipif(not TWCS.exists(), reason="sample export missing")
def test_real_sample_through_the_command(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    result = run("audit", str(TWCS), "--no-sentiment", "--json", str(out))
    assert result.returncode == 0, result.stderr
    rows = json.loads(out.read_text())["rows"]
    assert (rows["valid"], rows["rejected"]) == (4999, 1)
    assert rows["rejections"][0]["line"] == 2589
    assert "line 2589" in result.stdout


@pytest.mark.parametrize(
    ("text", "seconds"), [("60m", 3600), ("1h", 3600), ("90s", 90), ("1.5h", 5400), ("3600", 3600)]
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds
