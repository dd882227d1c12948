"""The two engines of the reply traits agree: Polars over whole batches (the audit and the live
metrics) and Python's `re` one message at a time, on every record of the real sample and the demo
export, and on replies built to hit the edges of the canned-template steps."""

from __future__ import annotations

import csv
import itertools
import random
from pathlib import Path

import polars as pl
import pytest

from beancan.audit.demo import write_demo_export
from beancan.care.replies import (
    ADDRESS_NAME,
    CLOSING_NAME,
    GREETING_NAME,
    MENTION_SEPARATOR,
    addressed_name,
    canned_key,
    has_signature,
    is_handoff,
    is_thanks,
    mentions,
    name_candidates,
    text_traits,
)

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "twcs_sample.csv"


def python_traits(texts: list[str], customer: list[bool]) -> list[tuple]:
    """(mention, thanks, named, signed, handoff, canned key) the way the live service sees one."""
    return [
        (MENTION_SEPARATOR.join(mentions(t)), is_thanks(t), False, False, False, "")
        if c
        else (
            None,
            False,
            addressed_name(t) is not None,
            has_signature(t),
            is_handoff(t),
            canned_key(t),
        )
        for t, c in zip(texts, customer, strict=True)
    ]


def assert_engines_agree(texts: list[str], customer: list[bool]) -> None:
    frame = pl.DataFrame(
        {"n": range(len(texts)), "text": texts, "is_customer": customer},
        schema={"n": pl.Int64, "text": pl.String, "is_customer": pl.Boolean},
    )
    # Odd batch sizes: a batch of one side only, and the last short batch.
    got = pl.concat(
        [text_traits(frame.slice(i, 997), "text", "is_customer") for i in range(0, len(texts), 997)]
    )
    assert got.columns == ["n", "is_customer", "mention", "thanks", "named", "signed", "handoff",
                           "canned_hash"]  # fmt: skip
    assert got["n"].to_list() == list(range(len(texts)))
    expected = python_traits(texts, customer)
    by_key: dict[str, int] = {}
    by_hash: dict[int, str] = {}
    for text, row, want in zip(texts, got.iter_rows(named=True), expected, strict=True):
        have = (row["mention"], row["thanks"], row["named"], row["signed"], row["handoff"])
        assert have == want[:5], text
        key, h = want[5], row["canned_hash"]
        assert (h is None) == (key == ""), text
        if h is not None:  # the same template exactly when the same hash
            assert by_key.setdefault(key, h) == h, text
            assert by_hash.setdefault(h, key) == key, text


def assert_names_agree(texts: list[str]) -> None:
    """Both engines find the same names, not only the same verdict on whether a reply is named."""
    found = pl.DataFrame({"t": texts}, schema={"t": pl.String}).select(
        pl.col("t").str.extract(pattern, 1).alias(name)
        for name, pattern in (("g", GREETING_NAME), ("a", ADDRESS_NAME), ("c", CLOSING_NAME))
    )
    for text, row in zip(texts, found.iter_rows(), strict=True):
        assert row == name_candidates(text), text


def _csv_texts(path: Path) -> tuple[list[str], list[bool]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r.get("inbound") in ("True", "False")]
    return [r["text"] or "" for r in rows], [r["inbound"] == "True" for r in rows]


@pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/data/twcs_sample.csv not present")
def test_engines_agree_on_the_real_sample():
    texts, customer = _csv_texts(SAMPLE)
    assert len(texts) > 4900
    assert_engines_agree(texts, customer)
    assert_names_agree(texts)


def test_engines_agree_on_the_demo_export(tmp_path):
    path = tmp_path / "demo.csv"
    write_demo_export(path, conversations=3000, seed=11)
    texts, customer = _csv_texts(path)
    assert_engines_agree(texts, customer)
    assert_names_agree(texts)


PIECES = [
    "@AcmeCare", "@123", "@a.b@c.d", "Hi", "hi,", "Hello Sarah,", "Dear Tom!", "sorry", "Thanks,",
    "thank you so much", "please", "order", "#A12", "4.5", "3pm", "don't", "we're", "DM", "us",
    "email us at help@acme.example", "call us", "https://t.co/x1", "www.acme.example/r", "—",
    " - ", "^JK", "-Becky", "*HFG", "~Sam", "/ab", ",", ".", "!", "?", "...", "  ", "\t", "é",
    "naïve", "İstanbul", "😀", "your", "refund", "is", "on", "its", "way", "Mary.", ", mary!",
    "THANKS", "thank you for waiting", "than\u212as", "\u017forry", "Cheers,", ", Tom.", ", Ann!",
    "Hiya", "HEY", "hi\u00a0Jo", "a fairly long stretch of words without a stop",
]  # fmt: skip


def test_engines_agree_on_built_edge_cases():
    rng = random.Random(5)
    texts = [" ".join(p) for p in itertools.product(["@1", "Hi", "-Becky", ","], repeat=3)]
    for _ in range(4000):
        glue = rng.choice(["", " ", "  ", ", "])
        texts.append(glue.join(rng.choices(PIECES, k=rng.randint(0, 12))))
    assert_engines_agree(texts, [False] * len(texts))
    assert_engines_agree(texts, [True] * len(texts))
    assert_names_agree(texts)
