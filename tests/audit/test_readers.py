"""Readers: the twcs export, generic CSV and JSON Lines with a column mapping, gzip, bad input."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from helpers import (
    METRIC_KEYS,
    assert_close,
    at,
    audit_rows,
    reference_metrics,
    reference_twcs_facts,
    same_metrics,
    twcs_text,
    write_csv,
    write_jsonl,
    write_twcs,
)

from beancan.audit import readers
from beancan.audit.demo import write_demo_export
from beancan.audit.engine import audit_file
from beancan.audit.readers import AuditInputError
from beancan.triage.sentiment import get_analyzer

SAMPLE = Path(__file__).resolve().parents[3] / "shared/data/twcs_sample.csv"
T0 = "2017-10-31 22:10:47"


def audit(path, **options) -> dict:
    options.setdefault("sentiment", False)
    return audit_file(path, **options).report


def lines_and_reasons(report: dict) -> list[tuple[int, str]]:
    return [(r["line"], r["reason"]) for r in report["rows"]["rejections"]]


def good_rows() -> list[tuple]:
    """Two answered conversations (60 s and 120 s) on lines 2-5."""
    return [
        (1, "101", True, T0, "@AcmeCare my order is late", None),
        (2, "AcmeCare", False, at(T0, 60), "@101 Sorry, we are checking.", 1),
        (3, "102", True, T0, "@AcmeCare wrong size", None),
        (4, "AcmeCare", False, at(T0, 120), "@102 We will swap it.", 3),
    ]


def single_line_error(excinfo) -> str:
    message = str(excinfo.value)
    assert message
    assert "\n" not in message
    return message


# ------------------------------------------------------------------ the real sample


@pytest.fixture(scope="module")
def sample_report() -> dict:
    if not SAMPLE.exists():
        pytest.skip(f"sample export missing: {SAMPLE}")
    return audit(SAMPLE)


def test_sample_rows_and_the_split_record(sample_report):
    rows = sample_report["rows"]
    assert rows["valid"] == 4999
    assert rows["rejected"] == 1
    [rejection] = rows["rejections"]
    assert rejection["line"] == 2589
    assert "split" in rejection["reason"]


def test_sample_keeps_every_other_record(sample_report):
    overall = sample_report["overall"]
    assert set(overall) == METRIC_KEYS
    assert overall["conversations"] > 1000
    assert {"AmazonHelp", "AppleSupport", "Delta", "sprintcare"} <= set(sample_report["brands"])
    assert (
        sum(b["conversations"] for b in sample_report["brands"].values())
        == (overall["conversations"])
    )


def test_sample_matches_a_plain_python_reference(sample_report):
    facts = reference_twcs_facts(SAMPLE)
    assert_close(sample_report["overall"], reference_metrics(facts, 3600), "overall")
    assert set(sample_report["brands"]) == {f["brand"] for f in facts}
    for brand, metrics in sample_report["brands"].items():
        expected = reference_metrics([f for f in facts if f["brand"] == brand], 3600)
        assert_close(metrics, expected, brand)


def test_gzipped_sample_gives_identical_metrics(sample_report, tmp_path):
    for name in ("twcs_sample.csv.gz", "twcs_sample.csv"):  # detected by content, not name
        path = tmp_path / name
        path.write_bytes(gzip.compress(SAMPLE.read_bytes()))
        assert same_metrics(audit(path), sample_report), name


# ------------------------------------------------------------------ twcs


def test_twcs_inbound_in_any_case_and_float_ids(tmp_path):
    rows = [
        ("1.0", "101", "TRUE", T0, "@AcmeCare hello", None),
        ("2.0", "AcmeCare", "false", at(T0, 60), "@101 Hi!", "1.0"),
        (3, "102", "true", T0, "@AcmeCare hi", None),
        (4, "AcmeCare", "FALSE", at(T0, 90), "@102 Hello!", "3.0"),
        (5, "102", "True", at(T0, 100), "@AcmeCare thanks", "4"),
    ]
    report = audit(write_twcs(tmp_path, rows))
    assert report["rows"] == {"valid": 5, "rejected": 0, "rejections": []}
    overall = report["overall"]
    assert overall["conversations"] == 2
    assert overall["answered"] == 2
    assert overall["first_response_seconds"]["mean"] == 75.0
    assert overall["thanks_share"] == 0.5


def test_twcs_bad_date_is_rejected_with_its_line(tmp_path):
    rows = [*good_rows(), (5, "103", True, "yesterday at noon", "@AcmeCare hi", None)]
    report = audit(write_twcs(tmp_path, rows))
    assert report["rows"]["valid"] == 4
    [(line, reason)] = lines_and_reasons(report)
    assert line == 6
    assert "created_at" in reason
    assert report["overall"]["conversations"] == 2


def test_twcs_bad_inbound_is_rejected_with_its_line(tmp_path):
    rows = [*good_rows()[:2], (5, "103", "maybe", T0, "@AcmeCare hi", None), *good_rows()[2:]]
    report = audit(write_twcs(tmp_path, rows))
    assert report["rows"]["valid"] == 4
    assert report["rows"]["rejected"] == 1
    [(line, reason)] = lines_and_reasons(report)
    assert line == 4
    assert "inbound" in reason


def test_twcs_wrong_field_counts_are_rejected_with_their_lines(tmp_path):
    rows = [
        *good_rows()[:2],
        "9,103,True,Tue Oct 31 22:10:47 +0000 2017,hello,,,extra",  # line 4: too many
        *good_rows()[2:],
        "10,104,True,Tue Oct 31 22:10:47 +0000 2017",  # line 7: too few
    ]
    report = audit(write_twcs(tmp_path, rows))
    assert report["rows"]["valid"] == 4
    assert report["rows"]["rejected"] == 2
    assert [line for line, _ in lines_and_reasons(report)] == [4, 7]
    assert report["overall"]["answered"] == 2


def test_twcs_physical_lines_count_line_breaks_inside_quoted_text(tmp_path):
    rows = [
        (1, "101", True, T0, "@AcmeCare my order\nis late\nagain", None),  # lines 2-4
        (2, "AcmeCare", False, at(T0, 60), "@101 Sorry!", 1),  # line 5
        (3, "102", True, "not a date", "@AcmeCare hi", None),  # line 6
        (4, "", True, T0, "@AcmeCare no author", None),  # line 7
        ("", "103", True, T0, "@AcmeCare no id", None),  # line 8
    ]
    report = audit(write_twcs(tmp_path, rows))
    assert report["rows"]["valid"] == 2
    assert [line for line, _ in lines_and_reasons(report)] == [6, 7, 8]
    assert report["overall"]["answered"] == 1


def test_twcs_values_with_commas_and_quotes(tmp_path):
    rows = [
        (1, "101", True, T0, '@AcmeCare I said "help", twice, please', None),
        (2, "AcmeCare", False, at(T0, 60), '@101 "Help" is here, Sam.', 1),
    ]
    report = audit(write_twcs(tmp_path, rows))
    assert report["rows"] == {"valid": 2, "rejected": 0, "rejections": []}
    assert report["overall"]["answered"] == 1


# ------------------------------------------------------------------ strict


def test_strict_raises_at_the_first_bad_record(tmp_path):
    rows = [
        *good_rows()[:2],
        (5, "103", True, "bad date", "@AcmeCare hi", None),  # line 4
        *good_rows()[2:],
        (6, "104", "perhaps", T0, "@AcmeCare hi", None),  # line 7
    ]
    path = write_twcs(tmp_path, rows)
    assert audit(path)["rows"]["rejected"] == 2
    with pytest.raises(AuditInputError) as excinfo:
        audit(path, strict=True)
    message = single_line_error(excinfo)
    assert "line 4" in message
    assert "line 7" not in message


def test_strict_raises_at_a_broken_record(tmp_path):
    rows = [
        *good_rows()[:2],
        "9,103,True,Tue Oct 31 22:10:47 +0000 2017,hello,,,extra",  # line 4: too many fields
        (5, "103", True, "bad date", "@AcmeCare hi", None),  # line 5
    ]
    with pytest.raises(AuditInputError) as excinfo:
        audit(write_twcs(tmp_path, rows), strict=True)
    assert "line 4" in single_line_error(excinfo)


def test_crlf_line_endings(tmp_path):
    text = twcs_text([*good_rows(), (5, "103", True, "bad date", "@AcmeCare hi", None)])
    path = tmp_path / "crlf.csv"
    path.write_bytes(text.replace("\n", "\r\n").encode())
    report = audit(path)
    assert report["rows"]["valid"] == 4
    assert [line for line, _ in lines_and_reasons(report)] == [6]
    assert report["overall"]["answered"] == 2


def test_strict_raises_at_a_duplicate(tmp_path):
    rows = [*good_rows(), (1, "101", True, at(T0, 5), "@AcmeCare again", None)]
    path = write_twcs(tmp_path, rows)
    with pytest.raises(AuditInputError) as excinfo:
        audit(path, strict=True)
    assert "line 6" in single_line_error(excinfo)


def test_strict_raises_at_a_bad_json_line(tmp_path):
    path = write_jsonl(
        tmp_path,
        [
            {"id": 1, "author": "101", "inbound": True, "created_at": T0, "text": "hi"},
            "{not json",
        ],
    )
    with pytest.raises(AuditInputError) as excinfo:
        audit(path, strict=True)
    assert "line 2" in single_line_error(excinfo)


# ------------------------------------------------------------------ generic CSV with --map

MAPPED = [
    "id=msg_id",
    "author=user",
    "inbound=from_customer",
    "created_at=time",
    "text=body",
    "in_reply_to=reply_to",
]


def test_csv_with_a_mapping_and_iso_times(tmp_path):
    header = ["msg_id", "user", "from_customer", "time", "body", "reply_to", "extra"]
    rows = [
        # Sunday 23:30 UTC, written with a +02:00 offset: hour of week 167.
        ("a1", "101", "true", "2017-10-30T01:30:00+02:00", "@AcmeCare hi", None, "x"),
        ("a2", "AcmeCare", "false", "2017-10-29T23:31:00Z", "@101 Hello!", "a1", "x"),
        # Monday 10:00 UTC; answered 600 s later, written in another offset.
        ("b1", "102", "TRUE", "2017-10-30T10:00:00Z", "@AcmeCare help", None, "y"),
        ("b2", "AcmeCare", "False", "2017-10-30T05:10:00-05:00", "@102 Sure.", "b1", "y"),
        ("c1", "103", "true", "2017-10-30 10:00:00", "@AcmeCare hey", None, "z"),
        ("c2", "AcmeCare", "false", "2017-10-30T10:00:30.500Z", "@103 Hey!", "c1", "z"),
    ]
    report = audit(write_csv(tmp_path, header, rows), map_pairs=MAPPED)
    assert report["rows"] == {"valid": 6, "rejected": 0, "rejections": []}
    overall = report["overall"]
    assert overall["conversations"] == 3
    assert overall["answered"] == 3
    assert overall["first_response_seconds"]["median"] == 60.0
    assert overall["first_response_seconds"]["mean"] == pytest.approx((60 + 600 + 30.5) / 3)
    volume = overall["hour_of_week"]["volume"]
    assert {i: v for i, v in enumerate(volume) if v} == {167: 1, 10: 2}
    assert set(report["brands"]) == {"AcmeCare"}
    sentiment = audit(write_csv(tmp_path, header, rows), map_pairs=MAPPED, sentiment=True)
    score = get_analyzer().score
    expected = sum(score(t) for t in ("@AcmeCare hi", "@AcmeCare help", "@AcmeCare hey")) / 3
    assert sentiment["overall"]["sentiment"]["first_mean"] == pytest.approx(expected)


def test_csv_with_a_time_format(tmp_path):
    header = ["msg_id", "user", "from_customer", "time", "body", "reply_to"]
    rows = [
        (1, "101", "true", "30/10/2017 10:00", "@AcmeCare hi", None),
        (2, "AcmeCare", "false", "30/10/2017 10:05", "@101 Hello!", 1),
        (3, "102", "true", "2017-10-30 10:00", "@AcmeCare wrong format", None),
    ]
    report = audit(
        write_csv(tmp_path, header, rows), map_pairs=MAPPED, time_format="%d/%m/%Y %H:%M"
    )
    assert report["rows"]["valid"] == 2
    [(line, reason)] = lines_and_reasons(report)
    assert line == 4
    assert "created_at" in reason
    assert report["overall"]["first_response_seconds"]["median"] == 300.0
    assert report["overall"]["hour_of_week"]["volume"][10] == 1


def test_csv_direction_from_brand_handles(tmp_path):
    header = ["id", "author", "created_at", "text", "in_reply_to"]
    rows = [
        (1, "101", "2017-10-30T10:00:00Z", "@AcmeCare hi", None),
        (2, "AcmeCare", "2017-10-30T10:02:00Z", "@101 Hello!", 1),
        (3, "102", "2017-10-30T11:00:00Z", "@acmecare hey", None),
        (4, "AcmeCare", "2017-10-30T11:01:00Z", "@102 Hey!", 3),
        (5, "103", "2017-10-30T12:00:00Z", "@AcmeCare anyone?", None),
    ]
    path = write_csv(tmp_path, header, rows)
    report = audit(path, brand_handles=("@AcmeCare",))
    overall = report["overall"]
    assert overall["conversations"] == 3
    assert overall["customer_initiated"] == 3
    assert overall["answered"] == 2
    assert overall["first_response_seconds"]["mean"] == 90.0
    with pytest.raises(AuditInputError) as excinfo:  # no direction at all
        audit(path)
    single_line_error(excinfo)


def test_csv_conversation_column_groups_messages_without_reply_links(tmp_path):
    header = ["id", "author", "inbound", "created_at", "text", "thread", "source"]
    rows = [
        (1, "101", "true", "2017-10-30T10:00:00Z", "@AcmeCare hi", "c1", "twitter"),
        (2, "AcmeCare", "false", "2017-10-30T10:01:00Z", "@101 Hello!", "c1", "twitter"),
        (3, "101", "true", "2017-10-30T10:02:00Z", "@AcmeCare thanks", "c1", "twitter"),
        (4, "102", "true", "2017-10-30T10:00:00Z", "@AcmeCare help", "c2", "facebook"),
        (5, "102", "true", "2017-10-30T10:05:00Z", "@AcmeCare hello?", "c2", "facebook"),
    ]
    path = write_csv(tmp_path, header, rows, delimiter=";")
    report = audit(path, map_pairs=["conversation=thread", "channel=source"])
    assert report["rows"] == {"valid": 5, "rejected": 0, "rejections": []}
    overall = report["overall"]
    assert overall["conversations"] == 2
    assert overall["answered"] == 1
    assert overall["first_response_seconds"]["median"] == 60.0
    assert overall["repeat_contact_share"] == 0.5
    assert overall["thanks_share"] == 1.0
    # Without the conversation column every message is its own conversation.
    assert audit(path, map_pairs=["channel=source"])["overall"]["conversations"] == 5


# ------------------------------------------------------------------ JSON Lines


def test_jsonl_nested_keys_numeric_ids_bad_and_blank_lines(tmp_path):
    big = 1234567890123456789  # beyond a double's precision: must stay exact
    records = [
        {"id": big, "user": {"handle": "101"}, "dir": True, "ts": "2017-10-30T10:00:00Z",
         "body": "@AcmeCare hi", "reply_to": None},  # line 1
        "",  # line 2: blank, ignored
        '{"id": 7, "user": ',  # line 3: not JSON
        {"id": big + 1, "user": {"handle": "AcmeCare"}, "dir": False,
         "ts": "2017-10-30T10:03:00+00:00", "body": "@101 Hello!", "reply_to": big},  # line 4
        "   ",  # line 5: blank
        {"id": 5, "user": {"handle": "102"}, "dir": True, "ts": "2017-10-30T11:00:00Z",
         "body": "@AcmeCare hey"},  # line 6
        {"id": 6, "user": {"handle": "AcmeCare"}, "dir": False, "ts": "2017-10-30T11:01:00Z",
         "body": "@102 Hey!", "reply_to": 5},  # line 7
        "[1, 2]",  # line 8: JSON, not an object
        {"id": 8, "user": {"handle": "103"}, "dir": True, "ts": "someday",
         "body": "@AcmeCare ?"},  # line 9
    ]  # fmt: skip
    path = write_jsonl(tmp_path, records)
    mapping = ["author=user.handle", "inbound=dir", "created_at=ts", "text=body",
               "in_reply_to=reply_to"]  # fmt: skip
    report = audit(path, map_pairs=mapping)
    assert report["rows"]["valid"] == 4
    assert [line for line, _ in lines_and_reasons(report)] == [3, 8, 9]
    assert "created_at" in lines_and_reasons(report)[2][1]
    overall = report["overall"]
    assert overall["conversations"] == 2
    assert overall["answered"] == 2
    assert overall["first_response_seconds"]["mean"] == 120.0
    # Gzipped JSON Lines read the same (detected by content).
    gz = write_jsonl(tmp_path, records, name="other.jsonl", gz=True)
    assert same_metrics(audit(gz, map_pairs=mapping), report)
    # The texts are found again by their (numeric, nested-mapped) ids for sentiment.
    sentiment = audit(path, map_pairs=mapping, sentiment=True)["overall"]["sentiment"]
    score = get_analyzer().score
    expected = (score("@AcmeCare hi") + score("@AcmeCare hey")) / 2
    assert sentiment["first_mean"] == pytest.approx(expected)


def test_jsonl_duplicate_ids_report_their_lines(tmp_path):
    records = [
        {"id": 1, "author": "101", "inbound": True, "created_at": "2017-10-30T10:00:00Z",
         "text": "@AcmeCare hi"},
        {"id": 2, "author": "AcmeCare", "inbound": False, "created_at": "2017-10-30T10:01:00Z",
         "text": "@101 Hello!", "in_reply_to": 1},
        {"id": 1, "author": "101", "inbound": True, "created_at": "2017-10-30T09:00:00Z",
         "text": "@AcmeCare earlier copy"},
    ]  # fmt: skip
    report = audit(write_jsonl(tmp_path, records))
    assert report["rows"]["valid"] == 2
    [(line, reason)] = lines_and_reasons(report)
    assert line == 3
    assert "duplicate" in reason.lower()
    assert report["overall"]["first_response_seconds"]["median"] == 60.0


# ------------------------------------------------------------------ errors


def test_missing_file(tmp_path):
    with pytest.raises(AuditInputError) as excinfo:
        audit(tmp_path / "nope.csv")
    assert "nope.csv" in single_line_error(excinfo)


def test_directory(tmp_path):
    with pytest.raises(AuditInputError) as excinfo:
        audit(tmp_path)
    single_line_error(excinfo)


def test_unknown_column_names_it_and_lists_the_files_columns(tmp_path):
    header = ["msg_id", "who", "from_customer", "time", "body"]
    path = write_csv(tmp_path, header, [(1, "101", "true", "2017-10-30T10:00:00Z", "hi")])
    pairs = ["id=msg_id", "author=user", "inbound=from_customer", "created_at=time", "text=body"]
    with pytest.raises(AuditInputError) as excinfo:
        audit(path, map_pairs=pairs)
    message = single_line_error(excinfo)
    assert "user" in message
    for column in header:
        assert column in message


def test_unknown_map_field(tmp_path):
    path = write_twcs(tmp_path, good_rows())
    with pytest.raises(AuditInputError) as excinfo:
        audit(path, map_pairs=["colour=text"])
    assert "colour" in single_line_error(excinfo)


def test_no_valid_record(tmp_path):
    rows = [(1, "101", True, "never", "@AcmeCare hi", None), (2, "102", "x", T0, "hi", None)]
    with pytest.raises(AuditInputError) as excinfo:
        audit(write_twcs(tmp_path, rows))
    single_line_error(excinfo)
    header_only = tmp_path / "empty.csv"
    header_only.write_text(twcs_text([]))
    with pytest.raises(AuditInputError) as excinfo:
        audit(header_only)
    single_line_error(excinfo)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(AuditInputError) as excinfo:
        audit(path)
    single_line_error(excinfo)


def test_twcs_rows_helper_round_trips(tmp_path):
    """The builder writes what the audit reads: two answered conversations."""
    report = audit_rows(tmp_path, good_rows()).report
    assert report["overall"]["answered"] == 2
    assert report["overall"]["first_response_seconds"]["mean"] == 90.0


def test_batches_are_cut_by_bytes_of_text():
    import pyarrow as pa

    from beancan.audit.readers import text_pieces

    texts = ["x" * n for n in (5, 30, 1, 0, 50, 7, 7, 7)] + [None]
    batch = pa.record_batch({"r_text": texts, "n": list(range(len(texts)))})
    pieces = text_pieces(batch, limit=20)
    assert [row for piece in pieces for row in piece.column("n").to_pylist()] == list(
        range(len(texts))
    )
    for piece in pieces:
        size = sum(len(t or "") for t in piece.column("r_text").to_pylist())
        assert size <= 20 or piece.num_rows == 1
    assert [p.num_rows for p in pieces] == [1, 1, 2, 1, 2, 2]
    assert text_pieces(batch, limit=10_000) == [batch]
    # Sizes are read off the string offsets: a slice of a batch, and 64-bit offsets, too.
    tail = batch.slice(4)  # 50, 7, 7, 7, None
    assert [p.num_rows for p in text_pieces(tail, limit=20)] == [1, 2, 2]
    wide = pa.record_batch({"r_text": pa.array(texts, type=pa.large_string())})
    assert [p.num_rows for p in text_pieces(wide.slice(1), limit=20)] == [1, 2, 1, 2, 2]


# ------------------------------------------------------------------ batches


def _small_batches(monkeypatch) -> None:
    """Batches of a few hundred rows, stored a thousand rows at a time, JSON Lines chunks of
    700: every boundary the streaming reader has, on a file of a few thousand records."""
    monkeypatch.setattr(readers, "BATCH_ROWS", 300)
    monkeypatch.setattr(readers, "MIN_BATCH_ROWS", 100)
    monkeypatch.setattr(readers, "STORE_ROWS", 1000)
    monkeypatch.setattr(readers, "JSONL_CHUNK", 700)


def test_batch_boundaries_change_nothing(tmp_path, monkeypatch):
    csv_path = tmp_path / "demo.csv"
    write_demo_export(csv_path, conversations=1000, seed=5)
    with csv_path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    records = [
        {
            "id": r["tweet_id"],
            "author": r["author_id"],
            "inbound": r["inbound"],
            "created_at": r["created_at"],
            "text": r["text"],
            "in_reply_to": r["in_response_to_tweet_id"] or None,
        }
        for r in rows
        if r["tweet_id"] and r["created_at"]
    ] + [{**dict.fromkeys(("id", "author", "text"), "x"), "created_at": "never"}]  # one bad
    jsonl_path = write_jsonl(tmp_path, records)
    fmt = {"time_format": "%a %b %d %H:%M:%S %z %Y"}
    whole_csv, whole_jsonl = audit(csv_path), audit(jsonl_path, **fmt)
    assert whole_csv["rows"]["valid"] > 2000 and whole_csv["rows"]["rejected"] >= 1
    assert whole_jsonl["rows"]["rejected"] == 1

    _small_batches(monkeypatch)
    assert same_metrics(audit(csv_path), whole_csv)
    assert same_metrics(audit(jsonl_path, **fmt), whole_jsonl)
