"""The compiled kernels behind the canned template and the mentions: what the engines-agree test
does not reach (the word split itself, long words, empty batches, and bad buffers)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from beancan.care import _textkernel
from beancan.care.replies import CANNED_STEPS, MENTION, _canned_hashes, _mentions, canned_key

# The patterns the kernel was written for; its word lists come from replies.py, its structure
# does not. Changing one of these patterns means changing _textkernel.c with it.
KERNEL_STEP = (
    r"@[a-z0-9_]+(?:[.@][a-z0-9_-]+)*|[^\s]*[0-9][^\s]*"
    r"|(?:^|[^a-z])(?:hi|hello|hey|hiya|dear)[\s,]+[a-z]+|,\s*[a-z]+[.!]"
    r"|(?:^|[^a-z])(?:(?:hi|hello|hey|hiya|dear|there|thanks|thank|you|so|much|very|please|sorry"
    r"|again|happy|glad|great|ok|okay|oh|hmm|awesome)(?:[^a-z]+|$))+"
)


def test_the_kernel_implements_the_patterns_of_replies():
    assert CANNED_STEPS[3] == (KERNEL_STEP, True)
    assert CANNED_STEPS[4] == (r"[^a-z ]+", True)  # the fold
    assert MENTION == r"@([a-z0-9_]+)"


def hashes(texts: list[str]) -> list[int | None]:
    return _canned_hashes(pl.Series(texts, dtype=pl.String)).to_list()


def test_the_words_decide_the_hash_not_only_their_letters():
    a, b, c, d = hashes(
        ["your refund is on its way", "your re fund is on its way", "yourrefund is on its way",
         "your refund, is on its way!!"]
    )  # fmt: skip
    assert len({a, b, c}) == 3
    assert a == d


def test_long_words_are_hashed_whole():
    # Words longer than the 8 bytes the kernel packs at a time: only the 17th letter differs.
    a, b, c = hashes(
        ["unfortunatelyxxxa delivery takes longer", "unfortunatelyxxxb delivery takes longer",
         "unfortunatelyxxxa delivery takes longer"]
    )  # fmt: skip
    assert a != b and a == c


def test_too_few_words_have_no_hash_as_in_python():
    texts = ["", "thanks!", "you're welcome", "hi sam, we can help", "1234 5678"]
    got = hashes(texts)
    assert [h is None for h in got] == [canned_key(t) == "" for t in texts]


def test_empty_batches_and_sliced_columns():
    assert hashes([]) == []
    assert _mentions(pl.Series([], dtype=pl.String)).to_list() == []
    column = pl.Series(["@a hi", "@b @c ok", "no one", "@d"], dtype=pl.String)
    assert _mentions(column.slice(1, 3)).to_list() == ["b c", "", "d"]


def test_bad_buffers_are_refused_not_read():
    offsets = np.array([0, 5, 99], dtype=np.int64)  # past the end of the data
    out = np.empty(2, dtype=np.uint64)
    valid = np.empty(2, dtype=np.uint8)
    with pytest.raises(ValueError, match="offsets outside the data"):
        _textkernel.canned_hashes(offsets, b"hello", out, valid, b"hi", b"ok", 3)
    with pytest.raises(ValueError, match="different lengths"):
        _textkernel.canned_hashes(offsets, b"hello", out[:1], valid, b"hi", b"ok", 3)
    with pytest.raises(ValueError, match="words must be"):
        _textkernel.canned_hashes(offsets[:2], b"hello", out, valid, b"Hi", b"ok", 3)
    with pytest.raises(ValueError, match="offsets outside the data"):
        _textkernel.mentions(offsets, b"hello", np.empty(3, np.int64))
    with pytest.raises(ValueError, match="different lengths"):
        _textkernel.mentions(offsets, b"hello", np.empty(2, np.int64))
