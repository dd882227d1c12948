"""Learning from a workspace's corrections, keeping the shipped model as the prior.

An adapted model answers with the shipped (base) model's logits plus a learned offset: a sparse
delta on the word, word-pair, lexicon and intercept rows of the weight table, for the sentiment and
intent columns, fitted by L-BFGS on the cross-entropy of the corrected labels with an L2 penalty
pulling the delta toward zero (toward the base model). With few corrections it stays close to the
base model; with many it moves toward the team's own labels.

Pure: no Django, no I/O. `AdaptedModel.to_bytes()` gives a compact npz (no pickle) the service
stores in its database; `AdaptedModel.from_bytes(base, data)` reads it back and rejects anything
corrupt with a ValueError. `split_corrections` and `evaluate` measure accuracy on held-out
corrections before and after; `refit` does all of it in one call.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from beancan.triage.features import Features, as_text, normalize_many
from beancan.triage.model import (
    INTENT_COLUMNS,
    SENTIMENT_COLUMNS,
    TriageModel,
    softmax,
)
from beancan.triage.optimize import dot, lbfgs
from beancan.triage.types import INTENTS, SENTIMENTS

FIELDS = {"sentiment": SENTIMENTS, "intent": INTENTS}
"""The fields a team can correct and their labels."""

ADAPTED_FAMILIES = ("words", "lexicon", "bias")
"""Feature families the delta may change (character n-grams stay the base model's)."""

FORMAT = "beancan-adapted-1"
DEFAULT_L2 = 1.0
"""Penalty on the delta's squared norm, against the corrections' summed cross-entropy."""

MIN_DF = 2
"""A feature gets a delta when it occurs in at least this many corrections."""

HELD_OUT_SHARE = 0.2
MAX_CORRECTIONS = 50_000
_N_DELTA = len(SENTIMENTS) + len(INTENTS)
_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Correction:
    """An agent's correction: the right `label` of `field` ("sentiment" or "intent") for `text`."""

    text: str
    field: str
    label: str

    def __post_init__(self) -> None:
        labels = FIELDS.get(self.field)
        if labels is None:
            raise ValueError(f"unknown field {self.field!r}; valid: intent, sentiment")
        if self.label not in labels:
            raise ValueError(
                f"unknown {self.field} label {self.label!r}; valid: {', '.join(labels)}"
            )


def split_corrections(
    corrections: Sequence[Correction], held_out_share: float = HELD_OUT_SHARE
) -> tuple[list[Correction], list[Correction]]:
    """Deterministic (fit, held-out) split by the text as the model sees it (case, links and
    numbers folded), so one text never sits on both sides."""
    buckets = 1000
    cut = round(held_out_share * buckets)
    fit: list[Correction] = []
    held: list[Correction] = []
    keys = normalize_many([c.text for c in corrections])
    for c, key in zip(corrections, keys, strict=True):
        code = zlib.crc32(key.strip().encode("utf-8", "surrogatepass"))
        (held if code % buckets < cut else fit).append(c)
    return fit, held


def evaluate(model: TriageModel, corrections: Sequence[Correction]) -> dict[str, dict]:
    """Per field: how many corrections, how many the model already gets right, the accuracy."""
    out: dict[str, dict] = {}
    predictions = model.predict_many([c.text for c in corrections])
    for name in FIELDS:
        pairs = [(p, c) for p, c in zip(predictions, corrections, strict=True) if c.field == name]
        correct = sum(getattr(p, name) == c.label for p, c in pairs)
        out[name] = {
            "n": len(pairs),
            "correct": correct,
            "accuracy": correct / len(pairs) if pairs else None,
        }
    return out


class AdaptedModel(TriageModel):
    """The base model plus a workspace's learned delta; a `TriageModel` itself."""

    def __init__(self, base: TriageModel, rows: np.ndarray, delta: np.ndarray, meta: dict) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        delta = np.asarray(delta, dtype=np.float32)
        n = base.config.n_features
        if rows.ndim != 1 or delta.shape != (len(rows), _N_DELTA):
            raise ValueError(f"adapted model: delta of shape {delta.shape} for {len(rows)} rows")
        if len(rows) and (rows.min() < 0 or rows.max() >= n or (np.diff(rows) <= 0).any()):
            raise ValueError("adapted model: rows out of range or not strictly ascending")
        if not np.isfinite(delta).all():
            raise ValueError("adapted model: delta is not all finite")
        self.base = base
        self.name = meta.get("name") or f"{base.name}+adapted"
        self.config = base.config
        self.meta = meta
        self._weights = base._weights
        self._general = None  # corrections are care messages: see general()
        self._table, self._sentiment_table = base._table, base._sentiment_table
        self.rows, self.delta = rows, delta
        self._index = np.full(n, -1, dtype=np.int32)
        self._index[rows] = np.arange(len(rows), dtype=np.int32)
        self._delta_sentiment = np.ascontiguousarray(delta[:, : len(SENTIMENTS)])

    def general(self) -> TriageModel:
        """The base model's general table: corrections are of care messages."""
        return self.base.general()

    def _delta_logits(self, features: Features, table: np.ndarray, width: int) -> np.ndarray:
        out = np.zeros((features.n_docs, width), dtype=np.float32)
        for family, docs, rows, values in features.blocks:
            if family not in ADAPTED_FAMILIES or not len(docs):
                continue
            index = self._index[rows]
            hit = index >= 0
            if not hit.any():
                continue
            _segment_add(out, docs[hit], table[index[hit]] * values[hit][:, None])
        return out

    def logits(self, features: Features) -> np.ndarray:
        """Base logits plus the delta on the sentiment and intent columns."""
        z = self.base.logits(features)
        z[:, :_N_DELTA] += self._delta_logits(features, self.delta, _N_DELTA)
        return z

    def sentiment_logits(self, features: Features) -> np.ndarray:
        """Base sentiment logits plus the delta's sentiment columns."""
        z = self.base.sentiment_logits(features)
        z += self._delta_logits(features, self._delta_sentiment, len(SENTIMENTS))
        return z

    def to_bytes(self) -> bytes:
        """The delta as a compressed npz (rows, delta, meta as JSON): no pickle."""
        meta = dict(self.meta, format=FORMAT, base=self.base.name, digest=self._digest())
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            rows=self.rows.astype(np.int32),
            delta=self.delta.astype(np.float32),
            meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8),
        )
        return buffer.getvalue()

    def _digest(self) -> str:
        h = hashlib.sha256()
        h.update(self.rows.astype("<i4").tobytes())
        h.update(self.delta.astype("<f4").tobytes())
        return h.hexdigest()

    @classmethod
    def from_bytes(cls, base: TriageModel, data: bytes) -> AdaptedModel:
        """Read `to_bytes` output for `base`; ValueError when it is corrupt or for another model."""
        if not isinstance(data, bytes | bytearray | memoryview) or not len(data):
            raise ValueError("adapted model: no data")
        if len(data) > _MAX_BYTES:
            raise ValueError(f"adapted model: {len(data):,} bytes is more than any model needs")
        try:
            with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as npz:
                rows, delta, raw = npz["rows"], npz["delta"], npz["meta"]
            meta = json.loads(raw.astype(np.uint8).tobytes().decode("utf-8"))
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeError) as e:
            raise ValueError(f"adapted model: corrupt data ({type(e).__name__}: {e})") from None
        except Exception as e:  # zip and npy readers raise a zoo of errors on garbage
            raise ValueError(f"adapted model: corrupt data ({type(e).__name__})") from None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ValueError(f"adapted model: not a {FORMAT} file")
        if meta.get("base") != base.name:
            raise ValueError(
                f"adapted model: made for base model {meta.get('base')!r}, not {base.name!r}"
            )
        if rows.dtype.kind not in "iu" or delta.dtype.kind != "f":
            raise ValueError("adapted model: arrays of the wrong type")
        model = cls(base, rows, delta, meta)
        if model._digest() != meta.get("digest"):
            raise ValueError("adapted model: digest mismatch (corrupt data)")
        return model


def _segment_add(out: np.ndarray, docs: np.ndarray, contrib: np.ndarray) -> None:
    """out[docs[i]] += contrib[i] for docs ascending, via one reduceat."""
    starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
    out[docs[starts]] += np.add.reduceat(contrib, starts, axis=0)


def fit_adapted(
    base: TriageModel,
    corrections: Sequence[Correction],
    *,
    l2: float = DEFAULT_L2,
    max_iter: int = 200,
) -> AdaptedModel:
    """Fit a delta on `base` from `corrections` (an adapted base is refitted from its base)."""
    from scipy import sparse

    if isinstance(base, AdaptedModel):
        base = base.base
    corrections = list(corrections)[:MAX_CORRECTIONS]
    texts = [as_text(c.text) for c in corrections]
    features = base.featurize(texts)
    z0 = base.logits(features).astype(np.float64)
    docs, rows, values = features.coo(ADAPTED_FAMILIES)
    # Only rows seen in at least MIN_DF corrections get a delta: one text's rare words would
    # only memorise that text, and they double the unknowns.
    pairs = np.unique(docs * base.config.n_features + rows)
    seen_rows, df = np.unique(pairs % base.config.n_features, return_counts=True)
    keep_rows = seen_rows[df >= MIN_DF]
    kept = np.isin(rows, keep_rows)
    docs, rows, values = docs[kept], rows[kept], values[kept]
    used, column = np.unique(rows, return_inverse=True)
    x = sparse.csr_matrix(
        (values.astype(np.float64), (docs, column)), shape=(len(texts), len(used))
    )
    x.sum_duplicates()
    heads = []
    for name, columns in (("sentiment", SENTIMENT_COLUMNS), ("intent", INTENT_COLUMNS)):
        labels = FIELDS[name]
        which = np.array([i for i, c in enumerate(corrections) if c.field == name], dtype=int)
        if not len(which):
            continue
        y = np.array([labels.index(corrections[i].label) for i in which], dtype=int)
        xs = x[which]
        heads.append((columns, xs, xs.T.tocsr(), z0[which, columns], y))

    k = len(used)

    def loss_and_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        delta = theta.reshape(k, _N_DELTA)
        grad = l2 * delta
        loss = 0.5 * l2 * dot(theta, theta)
        for columns, xs, xs_t, z_base, y in heads:
            p = softmax(z_base + xs @ delta[:, columns])
            rows = np.arange(len(y))
            loss -= float(np.log(np.maximum(p[rows, y], 1e-300)).sum())
            p[rows, y] -= 1.0
            grad[:, columns] += xs_t @ p
        return loss, grad.ravel()

    theta, iterations = lbfgs(loss_and_grad, np.zeros(k * _N_DELTA), max_iter)
    delta = theta.reshape(k, _N_DELTA).astype(np.float32)
    keep = np.abs(delta).max(axis=1) > 1e-6 if k else np.zeros(0, bool)
    counts = {name: sum(c.field == name for c in corrections) for name in FIELDS}
    digest = hashlib.sha256(json.dumps(sorted(counts.items())).encode() + delta.tobytes())
    meta = {
        "name": f"{base.name}+adapted.{digest.hexdigest()[:8]}",
        "corrections": counts,
        "l2": l2,
        "iterations": iterations,
    }
    return AdaptedModel(base, used[keep], delta[keep], meta)


@dataclass(frozen=True)
class RefitResult:
    """A refitted model and its accuracy on held-out corrections before and after."""

    model: AdaptedModel
    before: dict[str, dict]  # evaluate(base, held_out)
    after: dict[str, dict]  # evaluate(model, held_out)
    n_fit: int
    n_held_out: int


def refit(
    base: TriageModel, corrections: Sequence[Correction], *, l2: float = DEFAULT_L2
) -> RefitResult:
    """Split the corrections, fit on one part and measure base and adapted on the other."""
    if isinstance(base, AdaptedModel):
        base = base.base
    fit, held = split_corrections(corrections)
    model = fit_adapted(base, fit, l2=l2)
    return RefitResult(model, evaluate(base, held), evaluate(model, held), len(fit), len(held))
