"""Text features of the triage model: hashed words, word pairs and character n-grams.

One featurizer serves training and inference, so both see identical features. A batch of texts
becomes three flat arrays (the document of each feature occurrence, its bucket in the weight
table and its value); the model's logits are the per-document sums of `value * weights[bucket]`,
which training builds as a sparse matrix and inference computes with one gather and one
`np.add.reduceat`, without scikit-learn or scipy.

Words are hashed with CRC-32 (stable across processes and platforms, unlike `hash()`); word pairs
and character n-grams are hashed with integer arithmetic in numpy over the whole batch. Every text
is cut to `MAX_CHARS` characters first, so any input costs bounded time.
"""

from __future__ import annotations

import re
import threading
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

MAX_CHARS = 512
"""Texts are cut to this many characters before featurizing."""

FEATURE_VERSION = 1
"""Bump when the features change: a model file records the version it was trained with."""

_URL = re.compile(r"https?://[^\s\x00]+|www\.[^\s\x00]+")
_URL_SUB = _URL.sub
_MENTION = re.compile(r"@\w+")
_DIGITS = re.compile(r"[0-9]+")
_REPEAT = re.compile(r"([a-z!?.])\1{3,}")  # "sooooo" -> "sooo", "!!!!!" -> "!!!"
# Every whitespace character but the space itself (what str.isspace() accepts), spelled out: a
# class such as [^\S\x00] is several times slower.
_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SPACE = re.compile(f"[{_WHITESPACE} ]{{2,}}|[{_WHITESPACE}]")
# Words (with inner apostrophes), hashtags, runs of ! or ?, and any other single non-space
# character (emoji, emoticon parts, punctuation).
_TOKEN = re.compile(r"#?[\w'’]+|[!?]+|[^\s\w]")

_NEGATORS = frozenset(
    "not no never none nobody nothing nowhere neither nor cannot cant can't can’t without"
    " dont don't don’t doesnt doesn't doesn’t didnt didn't didn’t isnt isn't isn’t wasnt wasn't"
    " wasn’t arent aren't aren’t werent weren't weren’t wont won't won’t wouldnt wouldn't"
    " wouldn’t couldnt couldn't couldn’t shouldnt shouldn't shouldn’t havent haven't haven’t"
    " hasnt hasn't hasn’t hadnt hadn't hadn’t aint ain't ain’t".split()
)
_NEGATION_SCOPE = 3  # words after a negator that are marked as negated
_CLAUSE_END = frozenset(".,;:!?") | frozenset(["!!", "!!!", "??", "???"])

_M32 = np.uint32(0xFFFFFFFF)
_PRIME = np.uint32(0x01000193)
_CHAR_NGRAMS = (2, 3, 4, 5)
_SEPARATOR = "\x00"


def _fmix(h: np.ndarray) -> np.ndarray:
    """Murmur3's 32-bit finaliser, vectorised: spreads the bits of every hash."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


class _Vocabulary(dict):
    """Token -> id, with per-id arrays: CRC-32 hash, negator/clause-end flags and valence.

    Tokens repeat a lot across messages, so each token's properties are computed once; the
    vocabulary is emptied when it passes `LIMIT` tokens so memory stays bounded on endless streams.
    """

    LIMIT = 1_000_000

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.RLock()
        self._reset()

    def _reset(self) -> None:
        self.clear()
        self._hashes = np.zeros(4096, np.uint32)
        self._flags = np.zeros(4096, np.uint8)
        self._valence = np.zeros(4096, np.float32)

    def __missing__(self, token: str) -> int:
        index = len(self)
        if index == len(self._hashes):
            size = 2 * index
            self._hashes = np.resize(self._hashes, size)
            self._flags = np.resize(self._flags, size)
            self._valence = np.resize(self._valence, size)
        self._hashes[index] = zlib.crc32(token.encode("utf-8", "surrogatepass"))
        self._flags[index] = (
            (_FLAG_NEGATOR if token in _NEGATORS else 0)
            | (_FLAG_CLAUSE_END if token in _CLAUSE_END else 0)
            | (_FLAG_SEPARATOR if token == _SEPARATOR else 0)
        )
        self._valence[index] = _valences().get(token, 0.0)
        self[token] = index
        return index

    def lookup(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Hash, flags and valence of each token, as numpy arrays (adding new tokens)."""
        with self._lock:
            if len(self) > self.LIMIT:
                self._reset()
            ids = np.fromiter(map(self.__getitem__, tokens), dtype=np.int64, count=len(tokens))
            return self._hashes[ids], self._flags[ids], self._valence[ids]


_FLAG_NEGATOR, _FLAG_CLAUSE_END, _FLAG_SEPARATOR = 1, 2, 4
_VOCABULARY = _Vocabulary()


@cache
def _valences() -> dict[str, float]:
    """Word valences of the VADER lexicon that ships inside vaderSentiment, keyed lower-case."""
    text = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text("utf-8")
    valences: dict[str, float] = {}
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) >= 2 and fields[0]:
            try:
                valences.setdefault(fields[0].lower(), float(fields[1]))
            except ValueError:
                continue
    return valences


def as_text(text: object) -> str:
    """Return `text` as a string: None and other empty values become ""."""
    if isinstance(text, str):
        return text
    if isinstance(text, bytes):
        return text.decode("utf-8", "replace")
    try:
        return str(text) if text else ""
    except Exception:  # an object whose __str__ (or __bool__) fails is no text
        return ""


def normalize_many(texts: Sequence[object]) -> list[str]:
    """The texts the features are taken from: cut, lower-cased, links, handles and digits folded."""
    cut = [as_text(t)[:MAX_CHARS] for t in texts]
    joined = _SEPARATOR.join(cut)
    if joined.count(_SEPARATOR) != len(cut) - 1:  # a text has NUL characters of its own
        joined = _SEPARATOR.join(t.replace(_SEPARATOR, " ") for t in cut)
    joined = joined.lower()
    if "http" in joined or "www." in joined:
        joined = _URL_SUB(" http ", joined)
    if "@" in joined:
        joined = _MENTION.sub("@user", joined)
    joined = _REPEAT.sub(r"\1\1\1", _DIGITS.sub("0", joined))
    joined = _SPACE.sub(" ", joined)
    return joined.split(_SEPARATOR) if cut else []


def normalize(text: object) -> str:
    """The text the features of one text are taken from."""
    return normalize_many([text])[0].strip()


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """The shape of the features: the weight table's size and which families are on."""

    n_buckets: int = 1 << 18
    words: bool = True
    pairs: bool = True
    chars: bool = True
    negation: bool = True
    lexicon: bool = True
    version: int = FEATURE_VERSION

    @property
    def n_features(self) -> int:
        """Rows of the weight table: the hashed buckets plus the dense lexicon features."""
        return self.n_buckets + len(LEXICON_FEATURES)

    def to_json(self) -> dict:
        """The config as a JSON-able dict."""
        return {
            "n_buckets": self.n_buckets,
            "words": self.words,
            "pairs": self.pairs,
            "chars": self.chars,
            "negation": self.negation,
            "lexicon": self.lexicon,
            "version": self.version,
        }

    @classmethod
    def from_json(cls, data: dict) -> FeatureConfig:
        """Rebuild a config written by `to_json`; ValueError on anything else."""
        try:
            config = cls(
                n_buckets=int(data["n_buckets"]),
                words=bool(data["words"]),
                pairs=bool(data["pairs"]),
                chars=bool(data["chars"]),
                negation=bool(data["negation"]),
                lexicon=bool(data["lexicon"]),
                version=int(data["version"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"bad feature config: {error}") from None
        if config.version != FEATURE_VERSION:
            raise ValueError(
                f"model features are version {config.version}, this beancan reads {FEATURE_VERSION}"
            )
        if not 1 <= config.n_buckets <= 1 << 24:
            raise ValueError(f"bad feature config: n_buckets {config.n_buckets}")
        return config


LEXICON_FEATURES = ("lex_pos", "lex_neg", "lex_pos_negated", "lex_neg_negated", "lex_bias")
"""Dense features after the hashed buckets: valence sums of lexicon words (plain and negated)
scaled by 1/4 per word, and a constant 1 (the intercept lives in the weight table too)."""

FAMILIES = ("words", "chars", "lexicon", "bias")
"""Feature families: words and word pairs, character n-grams, lexicon valences, the intercept."""

_SALT_WORD, _SALT_NEGATED, _SALT_PAIR = 0x9E3779B1, 0x7F4A7C15, 0x2545F491
_SALT_CHAR = 0x5BD1E995


@dataclass(slots=True)
class Features:
    """Feature occurrences of a batch, in blocks; in each block the documents ascend."""

    # (family, docs int64, rows int64, values float32); family is one of FAMILIES
    blocks: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]
    n_docs: int

    def coo(self, families: Iterable[str] = FAMILIES) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The occurrences of some families as (docs, rows, values), for a sparse matrix."""
        wanted = [b for b in self.blocks if b[0] in set(families)]
        if not wanted:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
        docs, rows, values = (np.concatenate([b[i] for b in wanted]) for i in (1, 2, 3))
        return docs, rows, values


def featurize(texts: Sequence[object], config: FeatureConfig) -> Features:
    """Features of every text, in order; any input (None, emoji, control characters) works."""
    normalized = normalize_many(texts)
    n_docs = len(normalized)
    n_buckets = np.uint32(config.n_buckets)
    blocks = []
    if config.words or config.pairs or config.lexicon:
        blocks += _word_features(normalized, config, n_buckets)
    if config.chars:
        blocks += _char_features(normalized, n_buckets)
    # The intercept: a constant feature on every document.
    bias_row = config.n_buckets + LEXICON_FEATURES.index("lex_bias")
    blocks.append(
        (
            "bias",
            np.arange(n_docs, dtype=np.int64),
            np.full(n_docs, bias_row, dtype=np.int64),
            np.ones(n_docs, dtype=np.float32),
        )
    )
    return Features(blocks=blocks, n_docs=n_docs)


def _word_features(normalized: list[str], config: FeatureConfig, n_buckets: np.uint32):
    """Hashed words (negated ones apart) and word pairs, L2-normalised per document."""
    n_docs = len(normalized)
    tokens = _TOKEN.findall(_SEPARATOR.join(normalized))
    hashes, flags, valence = _VOCABULARY.lookup(tokens)
    is_sep = (flags & _FLAG_SEPARATOR).astype(bool)
    docs_all = np.cumsum(is_sep)
    keep = ~is_sep
    docs = docs_all[keep]
    hashes, flags, valence = hashes[keep], flags[keep], valence[keep]
    n_tok = len(docs)

    negated = np.zeros(n_tok, dtype=bool)
    if config.negation and n_tok:
        is_neg = (flags & _FLAG_NEGATOR).astype(bool)
        if is_neg.any():
            ends = (flags & _FLAG_CLAUSE_END).astype(bool)
            negated = _negation_scope(is_neg, ends, docs)

    blocks = []
    rows_parts, docs_parts = [], []
    if config.words and n_tok:
        salted = hashes ^ np.where(negated, np.uint32(_SALT_NEGATED), np.uint32(_SALT_WORD))
        rows_parts.append(_fmix(salted) % n_buckets)
        docs_parts.append(docs)
    if config.pairs and n_tok > 1:
        same = docs[1:] == docs[:-1]
        left, right = hashes[:-1][same], hashes[1:][same]
        pair = (left * _PRIME) ^ _fmix(right ^ np.uint32(_SALT_PAIR))
        rows_parts.append(_fmix(pair) % n_buckets)
        docs_parts.append(docs[:-1][same])
    if rows_parts:
        # Words and pairs are one L2-normalised group per document.
        counts = sum(np.bincount(d, minlength=n_docs) for d in docs_parts)
        scale = _inverse_sqrt(counts)
        blocks += [
            ("words", d, r.astype(np.int64), scale[d])
            for d, r in zip(docs_parts, rows_parts, strict=True)
        ]
    if config.lexicon and n_tok:
        blocks.append(
            ("lexicon", *_lexicon_features(valence, negated, docs, n_docs, config.n_buckets))
        )
    return blocks


def _negation_scope(is_neg: np.ndarray, ends: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Tokens within `_NEGATION_SCOPE` words after a negator, in its document and clause."""
    n = len(is_neg)
    negated = np.zeros(n, dtype=bool)
    blocked = np.zeros(n, dtype=bool)  # the scope has ended before this token
    starts = np.flatnonzero(is_neg)
    for step in range(1, _NEGATION_SCOPE + 1):
        pos = starts + step
        keep = pos < n
        pos, origin = pos[keep], starts[keep]
        ok = (docs[pos] == docs[origin]) & ~ends[pos] & ~blocked[origin]
        negated[pos[ok]] = True
        # A clause end at this step closes the scope of this negator for the later steps.
        blocked[origin[~ok]] = True
    return negated


def _lexicon_features(valence, negated, docs, n_docs: int, n_buckets: int):
    """Per document: log(1 + sum/4) of positive and negative valences, plain and negated."""
    pos = np.maximum(valence, 0.0)
    neg = np.maximum(-valence, 0.0)
    plain = (~negated).astype(np.float32)
    neg_f = negated.astype(np.float32)
    columns = [
        np.bincount(docs, weights=pos * plain, minlength=n_docs),
        np.bincount(docs, weights=neg * plain, minlength=n_docs),
        np.bincount(docs, weights=pos * neg_f, minlength=n_docs),
        np.bincount(docs, weights=neg * neg_f, minlength=n_docs),
    ]
    sums = np.log1p(np.stack(columns, axis=1) / 4.0)
    doc_idx, col = np.nonzero(sums)  # row-major: documents ascend
    return (
        doc_idx.astype(np.int64),
        (n_buckets + col).astype(np.int64),
        sums[doc_idx, col].astype(np.float32),
    )


def _char_features(normalized: list[str], n_buckets: np.uint32):
    """Hashed character n-grams of each text padded with spaces, L2-normalised per document."""
    n_docs = len(normalized)
    joined = _SEPARATOR.join(f" {t.strip()} " for t in normalized)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    is_sep = codes == 0
    doc_of = np.cumsum(is_sep)
    doc_of[is_sep] = -1  # separators belong to no document

    docs_parts, rows_parts = [], []
    mixed = _fmix(codes ^ np.uint32(_SALT_CHAR))
    h = mixed
    for n in range(2, max(_CHAR_NGRAMS) + 1):
        count = len(codes) - n + 1
        if count <= 0:
            break
        h = h[:count] * _PRIME ^ mixed[n - 1 : n - 1 + count]
        if n not in _CHAR_NGRAMS:
            continue
        first, last = doc_of[:count], doc_of[n - 1 : n - 1 + count]
        ok = (first >= 0) & (first == last)
        rows_parts.append((_fmix(h[ok] ^ np.uint32(n)) % n_buckets).astype(np.int64))
        docs_parts.append(first[ok])
    if not rows_parts:
        return []
    scale = _inverse_sqrt(sum(np.bincount(d, minlength=n_docs) for d in docs_parts))
    return [("chars", d, r, scale[d]) for d, r in zip(docs_parts, rows_parts, strict=True)]


def _inverse_sqrt(counts: np.ndarray) -> np.ndarray:
    """1/sqrt(k) per document with k occurrences (0 where k is 0): unit L2 norm per group."""
    scale = np.zeros(len(counts), dtype=np.float32)
    nonzero = counts > 0
    scale[nonzero] = 1.0 / np.sqrt(counts[nonzero])
    return scale


_UNIFORM = frozenset({"words", "chars"})  # families whose value is the same within a document


def logits(features: Features, weights: np.ndarray) -> np.ndarray:
    """Per-document sums of `value * weights[row]`: an (n_docs, n_columns) float32 array."""
    out = np.zeros((features.n_docs, weights.shape[1]), dtype=np.float32)
    for family, docs, rows, values in features.blocks:
        if not len(docs):
            continue
        gathered = np.take(weights, rows, axis=0)  # several times faster than weights[rows]
        starts = np.flatnonzero(np.r_[True, docs[1:] != docs[:-1]])
        if family in _UNIFORM:
            # One value per document in these families: scale the sums, not every row.
            sums = np.add.reduceat(gathered, starts, axis=0)
            sums *= values[starts][:, None]
        else:
            gathered *= values[:, None]
            sums = np.add.reduceat(gathered, starts, axis=0)
        out[docs[starts]] += sums
    return out
