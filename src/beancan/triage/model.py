"""The shipped triage text model: sentiment, intent and a spam flag from one weight table.

The model is a set of linear classifiers over the hashed features of `triage.features`: three
sentiment columns (softmax), six intent columns (softmax) and one spam column (logistic), stored
as a float16 table in `models/<name>.npz` beside a JSON file with the feature config, the labels
and what the training script measured. Inference is numpy only (one gather and one segment sum per
batch); nothing is pickled, downloaded or trained at run time.

`TriageModel` also satisfies `triage.sentiment.SentimentAnalyzer` (its compound score is
P(positive) - P(negative)), so `get_analyzer("default")` is the shipped model.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from beancan.triage.features import FeatureConfig, Features, as_text, featurize, logits
from beancan.triage.types import INTENTS, SENTIMENTS, Prediction

DEFAULT_MODEL = "beancan-triage-3"
"""The model `load_model("default")` answers with."""

BATCH = 2_000
"""Texts featurized at a time (bounds the memory of one gather)."""

SENTIMENT_COLUMNS = slice(0, len(SENTIMENTS))
INTENT_COLUMNS = slice(len(SENTIMENTS), len(SENTIMENTS) + len(INTENTS))
SPAM_COLUMN = len(SENTIMENTS) + len(INTENTS)
N_COLUMNS = SPAM_COLUMN + 1
SPAM_THRESHOLD = 0.5

_POSITIVE, _NEGATIVE = SENTIMENTS.index("positive"), SENTIMENTS.index("negative")


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of a 2-D array of logits."""
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class TriageModel:
    """Sentiment, intent and spam for customer messages; also a `SentimentAnalyzer`."""

    def __init__(
        self,
        name: str,
        config: FeatureConfig,
        weights: np.ndarray,
        meta: dict,
        general_sentiment: np.ndarray | None = None,
    ) -> None:
        if weights.ndim != 2 or weights.shape != (config.n_features, N_COLUMNS):
            raise ValueError(
                f"model {name}: weights of shape {weights.shape}, expected "
                f"({config.n_features}, {N_COLUMNS})"
            )
        if not np.isfinite(weights).all():
            raise ValueError(f"model {name}: weights are not all finite")
        if general_sentiment is not None and (
            general_sentiment.shape != (config.n_features, len(SENTIMENTS))
            or not np.isfinite(general_sentiment).all()
        ):
            raise ValueError(f"model {name}: bad general sentiment table")
        self.name = name
        self.config = config
        self.meta = meta
        self._general = general_sentiment
        self._weights = np.ascontiguousarray(weights, dtype=np.float32)
        # Inference tables padded to 16- and 48-byte rows: gathers of aligned rows are faster.
        self._table = _padded(self._weights, 12)
        self._sentiment_table = _padded(self._weights[:, SENTIMENT_COLUMNS], 4)

    def general(self) -> TriageModel:
        """The same model with the sentiment table for posts that are not care messages (brand
        mentions found by listening, tweets in general); itself if it has none. Intent and spam
        are the same."""
        if self._general is None:
            return self
        weights = self._weights.copy()
        weights[:, SENTIMENT_COLUMNS] = self._general
        return TriageModel(f"{self.name}-general", self.config, weights, self.meta)

    # --- building blocks, overridden by the adapted model ---------------------------------------

    def featurize(self, texts: Sequence[object]) -> Features:
        """The model's features of `texts`."""
        return featurize(texts, self.config)

    def logits(self, features: Features) -> np.ndarray:
        """All columns' logits: (n, N_COLUMNS)."""
        return logits(features, self._table)[:, :N_COLUMNS]

    def sentiment_logits(self, features: Features) -> np.ndarray:
        """Sentiment logits only: (n, 3); cheaper than `logits`."""
        return logits(features, self._sentiment_table)[:, : len(SENTIMENTS)]

    # --- the public interface -------------------------------------------------------------------

    def probabilities(self, texts: Sequence[object]) -> dict[str, np.ndarray]:
        """Class probabilities: "sentiment" (n, 3), "intent" (n, 6) and "spam" (n,)."""
        parts = [self.logits(self.featurize(chunk)) for chunk in _chunks(texts)]
        z = np.concatenate(parts) if parts else np.zeros((0, N_COLUMNS), np.float32)
        z = z.astype(np.float64)
        return {
            "sentiment": softmax(z[:, SENTIMENT_COLUMNS]),
            "intent": softmax(z[:, INTENT_COLUMNS]),
            "spam": 1.0 / (1.0 + np.exp(-np.clip(z[:, SPAM_COLUMN], -50, 50))),
        }

    def predict_many(self, texts: Iterable[object]) -> list[Prediction]:
        """A prediction for each text, in order."""
        items = _as_list(texts)
        p = self.probabilities(items)
        sentiment, intent, spam = p["sentiment"], p["intent"], p["spam"]
        s_best, i_best = sentiment.argmax(axis=1), intent.argmax(axis=1)
        rows = np.arange(len(items))
        s_conf, i_conf = sentiment[rows, s_best], intent[rows, i_best]
        compound = sentiment[:, _POSITIVE] - sentiment[:, _NEGATIVE]
        name = self.name
        return [
            Prediction(
                sentiment=SENTIMENTS[s],
                sentiment_score=c,
                sentiment_confidence=sc,
                intent=INTENTS[i],
                intent_confidence=ic,
                spam=sp >= SPAM_THRESHOLD,
                model=name,
            )
            for s, c, sc, i, ic, sp in zip(
                s_best.tolist(),
                compound.tolist(),
                s_conf.tolist(),
                i_best.tolist(),
                i_conf.tolist(),
                spam.tolist(),
                strict=True,
            )
        ]

    def predict(self, text: object) -> Prediction:
        """The prediction for one text."""
        return self.predict_many([text])[0]

    def score_many(self, texts: Iterable[object]) -> list[float]:
        """Compound sentiment P(positive) - P(negative) of each text, in [-1, 1]."""
        out: list[float] = []
        for chunk in _chunks(_as_list(texts)):
            z = self.sentiment_logits(self.featurize(chunk)).astype(np.float64)
            p = softmax(z)
            out += np.clip(p[:, _POSITIVE] - p[:, _NEGATIVE], -1.0, 1.0).tolist()
        return out

    def score(self, text: object) -> float:
        """Compound sentiment of one text, in [-1, 1]."""
        return self.score_many([text])[0]

    def __repr__(self) -> str:
        return f"<TriageModel {self.name}>"


def _padded(weights: np.ndarray, width: int) -> np.ndarray:
    """`weights` with zero columns added up to `width` columns, C-contiguous float32."""
    table = np.zeros((weights.shape[0], width), dtype=np.float32)
    table[:, : weights.shape[1]] = weights
    return table


def _as_list(texts: Iterable[object]) -> list[object]:
    """`texts` as a list; a single string or None counts as one text, not as characters."""
    if texts is None or isinstance(texts, str | bytes):
        return [texts]
    return list(texts)


def _chunks(items: Sequence[object]) -> Iterable[Sequence[object]]:
    """Consecutive slices of at most BATCH items."""
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


# --- files ---------------------------------------------------------------------------------------


def model_dir() -> Path:
    """The folder of the models that ship inside the package."""
    return Path(str(resources.files("beancan.triage").joinpath("models")))


def read_model(npz: Path | str, meta_path: Path | str | None = None) -> TriageModel:
    """Load a model from its .npz weights and .json description (beside it by default)."""
    npz = Path(npz)
    meta_path = Path(meta_path) if meta_path is not None else npz.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        with np.load(npz, allow_pickle=False) as data:
            weights = data["weights"]
            general = data.get("general_sentiment")
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(f"cannot read triage model {npz}: {error}") from None
    if meta.get("sentiments") != list(SENTIMENTS) or meta.get("intents") != list(INTENTS):
        raise ValueError(f"triage model {npz}: its labels differ from this beancan's")
    config = FeatureConfig.from_json(meta.get("features", {}))
    return TriageModel(
        str(meta.get("name", npz.stem)),
        config,
        weights,
        meta,
        None if general is None else general.astype(np.float32),
    )


def write_model(
    model_name: str,
    config: FeatureConfig,
    weights: np.ndarray,
    meta: dict,
    folder: Path,
    general_sentiment: np.ndarray | None = None,
) -> Path:
    """Write `<folder>/<model_name>.npz` (float16 weights, and the general sentiment table if
    any) and its .json; returns the .npz path."""
    folder.mkdir(parents=True, exist_ok=True)
    npz = folder / f"{model_name}.npz"
    arrays = {"weights": weights.astype(np.float16)}
    if general_sentiment is not None:
        arrays["general_sentiment"] = general_sentiment.astype(np.float16)
    np.savez_compressed(npz, **arrays)
    full = {
        "name": model_name,
        "sentiments": list(SENTIMENTS),
        "intents": list(INTENTS),
        "features": config.to_json(),
        **meta,
    }
    npz.with_suffix(".json").write_text(json.dumps(full, indent=2, sort_keys=True) + "\n")
    return npz


_LOADED: dict[str, TriageModel] = {}
_LOCK = threading.Lock()


def load_model(name: str = "default") -> TriageModel:
    """The shipped model called `name` ("default" is DEFAULT_MODEL), loaded once per process.
    "general" (or "<name>-general") is that model with its sentiment table for posts that are
    not care messages (`TriageModel.general`)."""
    general = name == "general" or (name.endswith("-general") and name != "-general")
    base = "default" if name == "general" else name.removesuffix("-general")
    base = DEFAULT_MODEL if base == "default" else base
    key = f"{base}-general" if general else base
    model = _LOADED.get(key)
    if model is not None:
        return model
    with _LOCK:
        model = _LOADED.get(base)
        if model is None:
            npz = model_dir() / f"{base}.npz"
            if not base.replace("-", "").replace("_", "").isalnum() or not npz.is_file():
                raise ValueError(f"unknown triage model {name!r}")
            model = _LOADED[base] = read_model(npz)
        if general:
            model = _LOADED.setdefault(key, model.general())
    return model


__all__ = ["DEFAULT_MODEL", "TriageModel", "as_text", "load_model", "read_model", "write_model"]
