"""The sentence embeddings of the `ml` extra: the real model, loaded offline from its package."""

from __future__ import annotations

import time

import numpy as np
import pytest

from beancan.triage import embeddings
from ml import require_ml


@pytest.fixture(scope="module")
def ml():
    require_ml()
    return embeddings


def test_openings_that_ask_the_same_thing_are_closer_than_unrelated_ones(ml):
    late, also_late, praise, wifi = ml.encode(
        [
            "@AmazonHelp my package was supposed to arrive yesterday and it still isn't here",
            "@AmazonHelp where is my order? tracking hasn't moved in 3 days",
            "@AmazonHelp you guys are amazing, thank you so much for the quick refund!",
            "@sprintcare my wifi hotspot keeps dropping every ten minutes",
        ]
    )
    assert late.shape == (ml.DIMENSIONS,) and late.dtype == np.float32
    assert abs(float(np.linalg.norm(late)) - 1) < 1e-4
    assert late @ also_late > 0.5
    assert late @ also_late > late @ praise + 0.15
    assert late @ also_late > late @ wifi + 0.15


def test_handles_and_links_are_not_read():
    assert embeddings.embed_text("@brand @x.bsky.social  hi https://t.co/abc there") == "hi there"
    assert len(embeddings.embed_text("word " * 1000)) == embeddings.MAX_CHARS


def test_stored_vectors_round_trip_within_float16(ml):
    vectors = ml.encode(["my flight 1704 is still at the gate", "refund please", ""])
    back = embeddings.unpack_many([embeddings.pack(v) for v in vectors])
    assert back.shape == (3, ml.DIMENSIONS)
    assert np.abs(back @ vectors[0] - vectors @ vectors[0]).max() < 1e-3


def test_the_worst_inputs_get_an_answer_in_bounded_time(ml):
    ml.encode(["warm up"])
    for text in ("", "😀" * 10_000, "x" * 100_000, "a\x00b\x07 ñ 中文 العربية " * 2_000):
        started = time.process_time()
        [v] = ml.encode([text])
        assert np.isfinite(v).all()
        assert time.process_time() - started < 5  # bounded: the model reads 128 pieces at most


def test_nearest_ranks_by_cosine_and_drops_the_weak():
    pool = np.eye(4, dtype=np.float32)
    query = np.array([0.6, 0.8, 0, 0], dtype=np.float32)
    assert embeddings.nearest(query, pool, 3, 0.5) == [
        (1, pytest.approx(0.8)),
        (0, pytest.approx(0.6)),
    ]
    assert embeddings.nearest(query, pool, 1, 0.0) == [(1, pytest.approx(0.8))]
    assert embeddings.nearest(query, pool[:0], 3, 0.0) == []
