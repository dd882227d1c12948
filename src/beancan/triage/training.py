"""How the shipped triage model is trained: data loading, the recipe and the measures.

Used by `train/train_triage.py` (which writes the shipped model), `bench/bench_triage.py` and the
tests. Training needs scipy (sparse matrices) and our own L-BFGS (`triage.optimize`); inference
(`triage.model`) never imports this module.
"""

from __future__ import annotations

import csv
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from beancan.triage.features import LEXICON_FEATURES, FeatureConfig, Features, featurize
from beancan.triage.model import (
    INTENT_COLUMNS,
    N_COLUMNS,
    SENTIMENT_COLUMNS,
    SPAM_COLUMN,
    TriageModel,
)
from beancan.triage.optimize import dot, lbfgs
from beancan.triage.types import INTENTS, SENTIMENTS

TWEETEVAL_CLASSES = ("negative", "neutral", "positive")  # labels 0, 1, 2 of mapping.txt
CARE_FIELDS = ("intent", "sentiment", "spam")
OFFSET_GRID = np.round(np.arange(-1.0, 1.0 + 1e-9, 0.05), 2)
"""Candidate intercept offsets of the general table's negative and positive columns."""


@dataclass(frozen=True)
class Recipe:
    """Hyper-parameters of the shipped model (chosen by cross-validation, see train/README.md)."""

    features: FeatureConfig = field(default_factory=FeatureConfig)
    sentiment_c: float = 0.7
    care_sentiment_weight: float = 0.5  # weight of a care message against a TweetEval tweet
    # Feature augmentation for the sentiment head (after Daumé III, "Frustratingly easy domain
    # adaptation", ACL 2007): every feature has a shared weight and a care-only weight (with 3,
    # a tweet-only weight too). The model keeps two tables: shared + care (the default, for
    # customer messages) and shared (`general`, for other posts; + tweet with 3). 0: one table.
    domain_copies: int = 2
    # The care copy's features are multiplied by this: its weights are penalised by 1/scale^2 of
    # the shared ones' penalty, so the care table can move further from the shared weights.
    care_copy_scale: float = 2.0
    # Per-class intercept offsets added to the general table (neutral's is 0): argmax of a
    # class-balanced softmax is not the decision rule that maximises macro-recall. The tweets are
    # cut into this many stratified folds, each fold scored by a model fitted without it (care
    # messages always in), and the offsets that maximise those predictions' macro-recall on
    # OFFSET_GRID are added to the general table's intercept row. The care table keeps argmax
    # (the same offsets lower its held-out accuracy). 0: no offsets; needs domain_copies.
    general_offset_folds: int = 5
    intent_c: float = 3.0
    spam_c: float = 3.0
    max_iter: int = 300


# --- data ----------------------------------------------------------------------------------------


def load_tweeteval(folder: Path) -> tuple[list[str], np.ndarray]:
    """TweetEval sentiment val+test: texts and class indices (0 negative, 1 neutral, 2 positive)."""
    texts: list[str] = []
    labels: list[int] = []
    for split in ("val", "test"):
        lines = (folder / f"{split}_text.txt").read_text(encoding="utf-8").split("\n")
        gold = (folder / f"{split}_labels.txt").read_text(encoding="utf-8").split()
        if len(lines) < len(gold):
            raise ValueError(f"{split}: {len(lines)} texts but {len(gold)} labels")
        texts += [t.rstrip("\r") for t in lines[: len(gold)]]
        labels += [int(x) for x in gold]
    return texts, np.array(labels, dtype=np.int64)


@dataclass(frozen=True)
class CareLabel:
    """One labelled customer message of twcs_sample.csv."""

    tweet_id: str
    author_id: str
    text: str
    intent: str
    sentiment: str
    spam: bool

    @property
    def held_out(self) -> bool:
        """The evaluation part, decided by customer: crc32(author_id) % 4 == 0."""
        return zlib.crc32(self.author_id.encode("utf-8")) % 4 == 0


@dataclass
class CareData:
    """The merged care labels and the agreement of the annotators on their overlap."""

    labels: list[CareLabel]
    files: dict[str, int]  # annotator file -> rows read
    overlap: int
    kappa: dict[str, float]  # field -> Cohen's kappa on the overlap
    rejected: list[str]  # "file:line: reason"

    def split(self) -> tuple[list[CareLabel], list[CareLabel]]:
        """(training part, held-out part)."""
        return [x for x in self.labels if not x.held_out], [x for x in self.labels if x.held_out]


def read_twcs_customers(path: Path) -> dict[str, tuple[str, str]]:
    """tweet_id -> (author_id, text) of the customer (inbound) tweets of a twcs export."""
    out: dict[str, tuple[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("inbound") == "True" and row.get("tweet_id") and row.get("author_id"):
                out[row["tweet_id"]] = (row["author_id"], row.get("text") or "")
    return out


def load_care_labels(label_dir: Path, twcs: Path) -> CareData:
    """Read `label_dir/labels_*.csv`; on the overlap the first annotator (A) wins."""
    customers = read_twcs_customers(twcs)
    per_file: dict[str, dict[str, tuple[str, str, bool]]] = {}
    rejected: list[str] = []
    for path in sorted(label_dir.glob("labels_*.csv")):
        rows: dict[str, tuple[str, str, bool]] = {}
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                tid = (row.get("tweet_id") or "").strip()
                intent, sentiment = row.get("intent"), row.get("sentiment")
                spam = (row.get("spam") or "").strip()
                if tid not in customers:
                    rejected.append(f"{path.name}:{line}: tweet_id {tid!r} is no customer tweet")
                elif intent not in INTENTS or sentiment not in SENTIMENTS or spam not in ("0", "1"):
                    rejected.append(
                        f"{path.name}:{line}: bad labels {intent!r}, {sentiment!r}, spam {spam!r}"
                    )
                else:
                    rows[tid] = (intent, sentiment, spam == "1")
        per_file[path.name] = rows
    names = list(per_file)
    merged: dict[str, tuple[str, str, bool]] = {}
    for name in reversed(names):  # the first file's labels overwrite the later ones'
        merged.update(per_file[name])
    kappa: dict[str, float] = {}
    overlap = 0
    if len(names) >= 2:
        a, b = per_file[names[0]], per_file[names[1]]
        common = sorted(set(a) & set(b))
        overlap = len(common)
        for index, name in enumerate(CARE_FIELDS):
            kappa[name] = cohen_kappa([a[t][index] for t in common], [b[t][index] for t in common])
    labels = [
        CareLabel(tid, customers[tid][0], customers[tid][1], *merged[tid])
        for tid in sorted(merged, key=int)
    ]
    return CareData(labels, {n: len(r) for n, r in per_file.items()}, overlap, kappa, rejected)


def cohen_kappa(a: Sequence[object], b: Sequence[object]) -> float:
    """Cohen's kappa of two annotators' labels for the same items (nan when undefined)."""
    n = len(a)
    if n == 0:
        return float("nan")
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    return float("nan") if expected == 1 else (observed - expected) / (1 - expected)


# --- the recipe ----------------------------------------------------------------------------------


def design_matrix(features: Features, n_features: int):
    """The features as a scipy CSR matrix (duplicates summed): what inference computes."""
    from scipy import sparse

    docs, rows, values = features.coo()
    matrix = sparse.csr_matrix(
        (values.astype(np.float64), (docs, rows)), shape=(features.n_docs, n_features)
    )
    matrix.sum_duplicates()
    return matrix


def fit_softmax(
    x, y: np.ndarray, n_classes: int, c: float, max_iter: int, weight=None, balanced: bool = True
) -> np.ndarray:
    """Weights (n_features, n_classes) of an L2-regularised softmax regression.

    Minimises sum_i w_i * cross-entropy_i + ||W||^2 / (2c), scikit-learn's LogisticRegression
    objective for the same C, with balanced class weights (n / (k * n_class)) times `weight`.
    Only the feature rows that occur get unknowns (the others stay 0 under the penalty).
    """
    y = np.asarray(y, dtype=np.int64)
    weight = np.ones(len(y)) if weight is None else np.asarray(weight, dtype=np.float64)
    if balanced:
        counts = np.bincount(y, weights=weight, minlength=n_classes)
        present = counts > 0
        class_weight = np.zeros(n_classes)
        class_weight[present] = counts[present].sum() / (present.sum() * counts[present])
        weight = weight * class_weight[y]
    x = x.tocsr()
    used = np.unique(x.indices)
    xc = x[:, used].tocsr()
    xt = xc.T.tocsr()
    k = len(used)
    rows = np.arange(len(y))
    penalty = 1.0 / c

    def loss_and_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = theta.reshape(k, n_classes)
        z = xc @ w
        z -= z.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(z).sum(axis=1))
        loss = float(np.einsum("i,i->", weight, log_norm - z[rows, y]))
        p = np.exp(z - log_norm[:, None])
        p[rows, y] -= 1.0
        p *= weight[:, None]
        grad = xt @ p + penalty * w
        return loss + 0.5 * penalty * dot(theta, theta), grad.ravel()

    theta, _ = lbfgs(loss_and_grad, np.zeros(k * n_classes), max_iter, memory=10, tol=1e-7)
    coef = np.zeros((x.shape[1], n_classes))
    coef[used] = theta.reshape(k, n_classes)
    return coef


def fit_spam(x, spam: np.ndarray, c: float, max_iter: int) -> np.ndarray:
    """Weights (n_features,) of an L2 logistic regression for spam (not class-balanced)."""
    spam = np.asarray(spam, dtype=np.int64)
    if spam.min() == spam.max():
        return np.zeros(x.shape[1])
    # A two-class softmax with penalty 1/(2c) on both columns is a logistic regression on their
    # difference with penalty 1/(4c): C doubles.
    coef = fit_softmax(x, spam, 2, c / 2, max_iter, balanced=False)
    return coef[:, 1] - coef[:, 0]


def fit_model(
    recipe: Recipe,
    sentiment_texts: Sequence[str],
    sentiment_labels: np.ndarray,
    care: Sequence[CareLabel],
    name: str = "beancan-triage-dev",
) -> TriageModel:
    """Fit all heads: sentiment on tweets + care messages, intent and spam on care messages."""
    config = recipe.features
    care_texts = [x.text for x in care]
    care_sentiment = np.array([SENTIMENTS.index(x.sentiment) for x in care], dtype=np.int64)
    texts = list(sentiment_texts) + care_texts
    y = np.concatenate([np.asarray(sentiment_labels, dtype=np.int64), care_sentiment])
    weight = np.concatenate(
        [np.ones(len(sentiment_texts)), np.full(len(care), recipe.care_sentiment_weight)]
    )
    x = design_matrix(featurize(texts, config), config.n_features)
    weights = np.zeros((config.n_features, N_COLUMNS))
    general = None
    meta: dict = {}
    if recipe.domain_copies and len(care):
        is_care = np.r_[np.zeros(len(sentiment_texts)), np.ones(len(care))]
        care_table, general = _fit_sentiment_by_domain(x, y, weight, is_care, recipe)
        weights[:, SENTIMENT_COLUMNS] = care_table
        offsets = _general_offsets(x, y, weight, is_care, recipe)
        if offsets is not None:
            # The intercept is a constant feature (value 1) on every document: inference needs
            # no change.
            general[config.n_buckets + LEXICON_FEATURES.index("lex_bias")] += offsets
            meta["general_offsets"] = dict(zip(SENTIMENTS, offsets.tolist(), strict=True))
    else:
        weights[:, SENTIMENT_COLUMNS] = fit_softmax(
            x, y, len(SENTIMENTS), recipe.sentiment_c, recipe.max_iter, weight
        )
    if care:
        xc = x[len(sentiment_texts) :]
        intents = np.array([INTENTS.index(c.intent) for c in care], dtype=np.int64)
        weights[:, INTENT_COLUMNS] = fit_softmax(
            xc, intents, len(INTENTS), recipe.intent_c, recipe.max_iter
        )
        spam = np.array([c.spam for c in care], dtype=bool)
        weights[:, SPAM_COLUMN] = fit_spam(xc, spam, recipe.spam_c, recipe.max_iter)
    general32 = None if general is None else general.astype(np.float32)
    return TriageModel(name, config, weights.astype(np.float32), meta, general32)


def _fit_sentiment_by_domain(x, y, weight, is_care: np.ndarray, recipe: Recipe):
    """The sentiment head fitted on features copied per domain: (care table, general table),
    each (n_features, 3). With 2 copies the general table is the shared weights alone."""
    from scipy import sparse

    n = x.shape[1]
    scale = recipe.care_copy_scale
    copies = [x, sparse.diags(is_care * scale) @ x]
    if recipe.domain_copies >= 3:
        copies.append(sparse.diags(1.0 - is_care) @ x)
    w = fit_softmax(
        sparse.hstack(copies).tocsr(),
        y,
        len(SENTIMENTS),
        recipe.sentiment_c,
        recipe.max_iter,
        weight,
    )
    shared, care_only = w[:n], w[n : 2 * n]
    general = shared + w[2 * n : 3 * n] if recipe.domain_copies >= 3 else shared
    return shared + scale * care_only, general


def stratified_folds(y: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """A fold number in [0, k) for each item, every class spread evenly over the folds."""
    rng = np.random.default_rng(seed)
    fold = np.zeros(len(y), dtype=np.int64)
    start = 0
    for cls in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == cls))
        fold[members] = (np.arange(len(members)) + start) % k
        start += len(members)
    return fold


def _general_offsets(x, y, weight, is_care: np.ndarray, recipe: Recipe) -> np.ndarray | None:
    """The general table's intercept offsets (n_classes,), chosen on out-of-fold predictions of
    the non-care rows (see `Recipe.general_offset_folds`); None when off or too few rows."""
    k = recipe.general_offset_folds
    tweets = np.flatnonzero(is_care == 0)
    care_rows = np.flatnonzero(is_care != 0)
    counts = np.bincount(y[tweets], minlength=len(SENTIMENTS))
    if k < 2 or counts.min() < k:
        return None
    fold = stratified_folds(y[tweets], k)
    z = np.zeros((len(tweets), len(SENTIMENTS)))
    for f in range(k):
        rows = np.r_[tweets[fold != f], care_rows]
        _, general = _fit_sentiment_by_domain(x[rows], y[rows], weight[rows], is_care[rows], recipe)
        z[fold == f] = x[tweets[fold == f]] @ general
    return best_offsets(z, y[tweets])


def best_offsets(z: np.ndarray, gold: np.ndarray, grid: np.ndarray = OFFSET_GRID) -> np.ndarray:
    """Offsets (b_negative, 0, b_positive) on `grid` for which argmax(z + b) has the highest
    macro-recall against `gold`; on a tie the smallest offsets."""
    neg, pos = SENTIMENTS.index("negative"), SENTIMENTS.index("positive")
    members = [gold == c for c in range(len(SENTIMENTS))]
    sizes = np.array([m.sum() for m in members], dtype=np.float64)
    best, best_norm, answer = -1.0, 0.0, np.zeros(len(SENTIMENTS))
    for bn in grid:
        for bp in grid:
            b = np.zeros(len(SENTIMENTS))
            b[neg], b[pos] = bn, bp
            predicted = (z + b).argmax(axis=1)
            hits = np.array([(predicted[m] == c).sum() for c, m in enumerate(members)])
            score = float(np.mean(hits / sizes))
            norm = bn * bn + bp * bp
            if score > best + 1e-12 or (abs(score - best) <= 1e-12 and norm < best_norm):
                best, best_norm, answer = score, norm, b
    return answer


# --- measures ------------------------------------------------------------------------------------


def classification_metrics(gold: Sequence[int], predicted: Sequence[int], n_classes: int) -> dict:
    """Macro-recall, macro-F1 (over classes present in gold or predictions) and accuracy."""
    gold, predicted = np.asarray(gold), np.asarray(predicted)
    recalls, f1s = [], []
    for cls in range(n_classes):
        tp = int(((gold == cls) & (predicted == cls)).sum())
        n_gold, n_pred = int((gold == cls).sum()), int((predicted == cls).sum())
        if n_gold == 0 and n_pred == 0:
            continue
        recall = tp / n_gold if n_gold else 0.0
        precision = tp / n_pred if n_pred else 0.0
        if n_gold:
            recalls.append(recall)
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return {
        "macro_recall": float(np.mean(recalls)) if recalls else 0.0,
        "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
        "accuracy": float((gold == predicted).mean()) if len(gold) else 0.0,
        "n": len(gold),
    }
