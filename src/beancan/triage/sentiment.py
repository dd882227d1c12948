"""Sentiment scoring for triage.

This module owns three things:

* the small, stable analyzer interface (`SentimentAnalyzer`: a `name`, `score`, `score_many`)
  that the rest of beancan codes against, so a trained model can replace the rule-based one later;
* `LexiconAnalyzer`, our own fast implementation of the published VADER rules (Hutto & Gilbert,
  ICWSM 2014) on top of the lexicon data files that ship inside the vaderSentiment package, and
  `VaderAnalyzer`, a thin wrapper around the reference implementation for comparison;
* `score_texts`, which scores large lists in chunks, over a process pool when that pays off.

The default analyzer is the trained triage model (`triage.model`, "beancan-triage-3"); the
lexicon and VADER stay selectable by name.

Every analyzer scores at most `MAX_CHARS` characters of a text, answers a compound score in
[-1, 1] for any input and never raises. Nothing is downloaded at run time.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import re
import string
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from importlib import metadata, resources
from itertools import compress, repeat
from typing import Protocol, runtime_checkable

MAX_CHARS = 512
"""Texts are cut to this many characters before scoring."""

CHUNK_SIZE = 10_000
"""Texts per chunk in `score_texts`."""

POOL_MIN_TEXTS = 20_000
"""`score_texts` uses a process pool from this many texts on (and with more than one CPU)."""

LEXICON_NAME = "beancan-lexicon-1"

# --- Published constants of the rule-based model (Hutto & Gilbert 2014) --------------------------

_BOOST = 0.293  # mean intensity change of a booster ("very") or, negated, a dampener ("slightly")
_CAPS = 0.733  # mean intensity change of an ALL-CAPS word in mixed-case text
_NEGATION = -0.74  # a negated valence flips sign and is damped
_EXCLAIM = 0.292  # per "!", counted up to four times
_EXCLAIM_MAX = 4
_QUESTION = 0.18  # per "?" when there are two or three of them
_QUESTION_MAX = 0.96  # four or more "?"
_ALPHA = 15.0  # normalisation x / sqrt(x² + alpha)
_DISTANCE_DAMPING = (1.0, 0.95, 0.9)  # modifier 1, 2 and 3 tokens before the word
_BUT_BEFORE, _BUT_AFTER = 0.5, 1.5  # weights of the clauses before and after "but"
_NEVER_SO = 1.25  # "never so good": emphasis, not negation

# --- Word lists: the published rules' negations and degree adverbs, plus contractions written
# with a typographic apostrophe ("don’t"), which are common in tweets -----------------------------


def _words(text: str) -> list[str]:
    """The space-separated words of a word-list literal."""
    return text.split()


_NT_STEMS = _words(
    "ain aren can couldn daren didn doesn don hadn hasn haven isn mightn mustn needn oughtn shan "
    "shouldn wasn weren won wouldn"
)
_NEGATORS = frozenset(
    _words(
        "not never none nope nor neither nothing nowhere cannot without rarely seldom despite "
        "uhuh uh-uh"
    )
    + [stem + joint + "t" for stem in _NT_STEMS for joint in ("", "'", "’")]
)

_INTENSIFIERS = _words(
    "absolutely amazingly awfully completely considerable considerably decidedly deeply effing "
    "enormous enormously entirely especially exceptional exceptionally extreme extremely "
    "fabulously flipping flippin frackin fracking fricking frickin frigging friggin fully fuckin "
    "fucking fuggin fugging greatly hella highly hugely incredible incredibly intensely major "
    "majorly more most particularly purely quite really remarkably so substantially thoroughly "
    "total totally tremendous tremendously uber unbelievably unusually utter utterly very"
)
_DAMPENERS = _words(
    "almost barely hardly kinda kindof kind-of less little marginal marginally occasional "
    "occasionally partly scarce scarcely slight slightly somewhat sorta sortof sort-of"
)
_BOOSTERS: dict[str, float] = {w: _BOOST for w in _INTENSIFIERS} | {w: -_BOOST for w in _DAMPENERS}
_DAMPENER_PAIRS = frozenset({("kind", "of"), ("sort", "of"), ("just", "enough")})

# Phrases whose valence replaces that of the lexicon word inside them.
_IDIOMS: dict[tuple[str, ...], float] = {
    ("the", "shit"): 3.0,
    ("the", "bomb"): 3.0,
    ("bad", "ass"): 1.5,
    ("yeah", "right"): -2.0,
    ("kiss", "of", "death"): -1.5,
    ("to", "die", "for"): 3.0,
    ("beating", "heart"): 3.5,
    ("bus", "stop"): 0.0,
}
_IDIOM_WORDS = frozenset(w for phrase in _IDIOMS for w in phrase)
_EMPHASIS_AFTER_NEVER = frozenset({"so", "this"})

# Every word that can change the valence of a lexicon word after it; the fast path skips the
# modifier rules when none of the three preceding tokens is one of these.
_MODIFIERS = frozenset(
    _NEGATORS | _BOOSTERS.keys() | {first for first, _ in _DAMPENER_PAIRS} | {"no", "least"}
)

# Tokens are whitespace-separated chunks, lower-cased; a chunk is looked up as it is (emoticons
# such as ":)" or "<3") and with this punctuation stripped from both ends ("good!!" -> "good").
_PUNCT = string.punctuation + "“”‘’«»¿¡…–—·"
_PUNCT_FOREVER = repeat(_PUNCT)
_EMOJI_RANGE_GAP = 256
_PAD = ""  # sentinel token before and after the text: never in any word list


@cache
def _lexicons() -> tuple[dict[str, float], dict[str, str], re.Pattern[str]]:
    """Load the vaderSentiment data files once per process: word valences and emoji phrases."""
    package = resources.files("vaderSentiment")
    valences: dict[str, float] = {}
    for line in package.joinpath("vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0]:
            continue
        word, key = fields[0], fields[0].lower()
        if key not in valences or word == key:  # ":D" and ":d" both listed: the lower one wins
            valences[key] = float(fields[1])
    emoji: dict[str, str] = {}
    for line in package.joinpath("emoji_utf8_lexicon.txt").read_text(encoding="utf-8").splitlines():
        symbol, _, phrase = line.partition("\t")
        if symbol and phrase and not symbol.isascii():
            emoji[symbol] = f" {phrase.strip()} "
    # An emoji is one code point, optionally with a skin tone or presentation selector after it.
    # The pattern's character class is a few ranges that cover every emoji (a class of a thousand
    # astral code points is slow to match); the replacement keeps anything not in the lexicon.
    ranges: list[list[int]] = []
    for code in sorted({ord(symbol[0]) for symbol in emoji if not symbol[0].isascii()}):
        if ranges and code - ranges[-1][1] <= _EMOJI_RANGE_GAP:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    char_class = "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges)
    return valences, emoji, re.compile(f"[{char_class}][\U0001f3fb-\U0001f3ff\ufe0f]?")


def _as_text(text: object) -> str:
    """Return `text` as a string: None and other empty values become ""."""
    if isinstance(text, str):
        return text
    return str(text) if text else ""


def label(compound: float) -> str:
    """Name the sentiment of a compound score: negative, neutral or positive."""
    if compound <= -0.05:
        return "negative"
    if compound >= 0.05:
        return "positive"
    return "neutral"


@runtime_checkable
class SentimentAnalyzer(Protocol):
    """What beancan needs from a sentiment model: a name and compound scores in [-1, 1]."""

    name: str

    def score(self, text: str) -> float:
        """Compound sentiment of one text, in [-1, 1]."""
        ...

    def score_many(self, texts: Iterable[str]) -> list[float]:
        """Compound sentiment of each text, in order."""
        ...


class LexiconAnalyzer:
    """Our fast implementation of the VADER rules over the VADER lexicon."""

    name = LEXICON_NAME

    def __init__(self) -> None:
        valences, emoji, emoji_re = _lexicons()
        self._valences = valences
        # Lexicon words that are boosters carry no valence of their own.
        self._scoring = {w: v for w, v in valences.items() if w not in _BOOSTERS and v}
        self._emoji = emoji
        self._emoji_re = emoji_re

    def _emoji_phrase(self, match: re.Match[str]) -> str:
        """Replacement for one emoji: its phrase from the emoji lexicon, padded with spaces."""
        symbol = match.group()
        emoji = self._emoji
        return emoji.get(symbol) or emoji.get(symbol[0]) or symbol

    def score(self, text: str) -> float:
        """Compound sentiment of one text, in [-1, 1]."""
        if text.__class__ is not str:
            text = _as_text(text)
        if not text:
            return 0.0
        if len(text) > MAX_CHARS:
            text = text[:MAX_CHARS]
        if not text.isascii():
            text = self._emoji_re.sub(self._emoji_phrase, text)
        tokens = text.split()
        # Lower-cased chunks with three sentinels before and two after, so that the rules can look
        # three tokens back and two ahead without bounds checks: chunk i is tokens[i - 3].
        raw = [_PAD, _PAD, _PAD, *map(str.lower, tokens), _PAD, _PAD]
        low = list(map(str.strip, raw, _PUNCT_FOREVER))
        scoring = self._scoring.get
        found = list(map(scoring, raw, map(scoring, low)))  # the chunk itself, else its word
        hits = list(compress(range(len(found)), found))
        if not hits:
            return 0.0

        valences = self._valences
        modifiers = _MODIFIERS
        cap_diff: bool | None = None  # some but not all tokens in ALL CAPS; computed when needed
        but = low.index("but") if "but" in low else -1
        total = 0.0
        for i in hits:
            word = low[i]
            after = low[i + 1]
            if word == "kind" and after == "of":
                continue  # "kind of" is a dampener, not kindness
            if word == "no" and after in valences:
                continue  # "no" negates the next word instead of counting itself
            valence = found[i]
            p1, p2, p3 = low[i - 1], low[i - 2], low[i - 3]
            if p1 == "no" or p2 == "no" or (p3 == "no" and p1 in ("or", "nor")):
                valence *= _NEGATION

            if tokens[i - 3].isupper():
                if cap_diff is None:
                    n_upper = sum(map(str.isupper, tokens))
                    cap_diff = 0 < n_upper < len(tokens)
                if cap_diff:
                    valence += _CAPS if valence > 0 else -_CAPS

            if p1 in modifiers or p2 in modifiers or p3 in modifiers:
                valence = self._modify(valence, tokens, low, i, cap_diff)
            if word in _IDIOM_WORDS:
                valence = _idiom(valence, low, i)

            if but < 0:
                total += valence
            elif i < but:
                total += valence * _BUT_BEFORE
            else:
                total += valence * _BUT_AFTER

        if total == 0.0:
            return 0.0
        emphasis = min(text.count("!"), _EXCLAIM_MAX) * _EXCLAIM
        questions = text.count("?")
        if questions > 1:
            emphasis += questions * _QUESTION if questions <= 3 else _QUESTION_MAX
        total = total + emphasis if total > 0 else total - emphasis
        compound = total / math.sqrt(total * total + _ALPHA)
        return max(-1.0, min(1.0, compound))

    def _modify(
        self, valence: float, tokens: list[str], low: list[str], i: int, cap_diff: bool | None
    ) -> float:
        """Apply boosters, dampeners, negation and "least" in the three tokens before word i."""
        valences = self._valences
        for distance in (1, 2, 3):
            prev = low[i - distance]
            if prev in valences:
                continue  # a sentiment word is not a modifier of the next one
            boost = _BOOSTERS.get(prev)
            if boost is not None:
                if valence < 0:
                    boost = -boost
                if tokens[i - distance - 3].isupper():
                    if cap_diff is None:
                        n_upper = sum(map(str.isupper, tokens))
                        cap_diff = 0 < n_upper < len(tokens)
                    if cap_diff:
                        boost += _CAPS if valence > 0 else -_CAPS
                valence += boost * _DISTANCE_DAMPING[distance - 1]
            if (
                prev == "never"
                and distance > 1
                and not _EMPHASIS_AFTER_NEVER.isdisjoint(low[i - distance + 1 : i])
            ):
                valence *= _NEVER_SO  # "never so good", "never been this good": emphasis
            elif _negates(prev):
                valence *= _NEGATION
        for pair in ((low[i - 2], low[i - 1]), (low[i - 3], low[i - 2])):
            if pair in _DAMPENER_PAIRS:
                valence += _BOOST if valence < 0 else -_BOOST
        if low[i - 1] == "least" and low[i - 2] not in ("at", "very"):
            valence *= _NEGATION  # "the least helpful", but not "at least helpful"
        return valence

    def score_many(self, texts: Iterable[str]) -> list[float]:
        """Compound sentiment of each text, in order."""
        score = self.score
        return [score(text) for text in texts]


def _negates(word: str) -> bool:
    """Whether a token is a negation ("not", "never", "isn't", "doesn’t", ...)."""
    return word in _NEGATORS or word.endswith(("n't", "n’t"))


def _idiom(valence: float, low: list[str], i: int) -> float:
    """Valence of word i when it sits inside a known idiom ("the bomb", "yeah right")."""
    for phrase in (
        (low[i - 1], low[i]),
        (low[i], low[i + 1]),
        (low[i - 2], low[i - 1], low[i]),
        (low[i - 1], low[i], low[i + 1]),
        (low[i], low[i + 1], low[i + 2]),
    ):
        idiom = _IDIOMS.get(phrase)
        if idiom is not None:
            return idiom
    return valence


@cache
def _vader_model():
    """The reference SentimentIntensityAnalyzer, built once per process."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _vader_version() -> str:
    """Installed vaderSentiment version, e.g. "3.3.2"."""
    try:
        return metadata.version("vaderSentiment")
    except metadata.PackageNotFoundError:
        return "unknown"


class VaderAnalyzer:
    """The reference vaderSentiment implementation (compound score), with the length cap."""

    def __init__(self) -> None:
        self.name = f"vader-{_vader_version()}"
        self._model = _vader_model()

    def score(self, text: str) -> float:
        """Compound sentiment of one text, in [-1, 1]."""
        text = _as_text(text)[:MAX_CHARS]
        if not text:
            return 0.0
        return float(self._model.polarity_scores(text)["compound"])

    def score_many(self, texts: Iterable[str]) -> list[float]:
        """Compound sentiment of each text, in order."""
        score = self.score
        return [score(text) for text in texts]


def _shipped_model() -> SentimentAnalyzer:
    """The shipped triage model (`triage.model`), whose sentiment head is the default analyzer."""
    from beancan.triage.model import load_model

    return load_model("default")


def _general_model() -> SentimentAnalyzer:
    """The shipped model's sentiment table for posts that are not care messages."""
    from beancan.triage.model import load_model

    return load_model("general")


_ANALYZERS: dict[str, Callable[[], SentimentAnalyzer]] = {
    "default": _shipped_model,
    "general": _general_model,
    "lexicon": LexiconAnalyzer,
    "vader": VaderAnalyzer,
}
_INSTANCES: dict[str, SentimentAnalyzer] = {}


def get_analyzer(name: str = "default") -> SentimentAnalyzer:
    """The analyzer called `name` ("default", "general", "lexicon" or "vader"), one per process.
    "general" is the shipped model's sentiment table for posts that are not care messages."""
    analyzer = _INSTANCES.get(name)
    if analyzer is None:
        factory = _ANALYZERS.get(name)
        if factory is None:
            valid = ", ".join(sorted(_ANALYZERS))
            raise ValueError(f"unknown sentiment analyzer {name!r}; valid names: {valid}")
        analyzer = _INSTANCES[name] = factory()
    return analyzer


def _score_chunk(analyzer_name: str, chunk: list[str]) -> list[float]:
    """Process-pool worker: score one chunk with the named analyzer."""
    return get_analyzer(analyzer_name).score_many(chunk)


def _available_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def score_texts(
    texts: Sequence[str],
    analyzer_name: str = "default",
    *,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[float]:
    """Score many texts in chunks, over a process pool for large inputs; results in input order."""
    analyzer = get_analyzer(analyzer_name)  # unknown names fail here, before any process starts
    items = texts if isinstance(texts, list) else list(texts)
    chunks = [items[start : start + CHUNK_SIZE] for start in range(0, len(items), CHUNK_SIZE)]
    results: list[list[float] | None] = [None] * len(chunks)
    n_workers = min(_available_cpus() if workers is None else workers, len(chunks))
    if len(items) >= POOL_MIN_TEXTS and n_workers > 1:
        try:
            _score_in_pool(analyzer_name, chunks, n_workers, results, progress)
        except (OSError, BrokenProcessPool) as error:
            warnings.warn(
                f"sentiment process pool failed ({error}); scoring the rest in this process",
                RuntimeWarning,
                stacklevel=2,
            )
    for index, chunk in enumerate(chunks):
        if results[index] is None:
            results[index] = analyzer.score_many(chunk)
            if progress is not None:
                progress(len(chunk))
    return [score for chunk_scores in results for score in chunk_scores or ()]


def _score_in_pool(
    analyzer_name: str,
    chunks: list[list[str]],
    n_workers: int,
    results: list[list[float] | None],
    progress: Callable[[int], None] | None,
) -> None:
    """Fill `results` chunk by chunk from a spawn-started process pool."""
    context = multiprocessing.get_context("spawn")  # safe with threads and console scripts
    with ProcessPoolExecutor(max_workers=n_workers, mp_context=context) as pool:
        pending: dict[Future[list[float]], int] = {
            pool.submit(_score_chunk, analyzer_name, chunk): index
            for index, chunk in enumerate(chunks)
        }
        for future in as_completed(pending):
            index = pending[future]
            results[index] = future.result()
            if progress is not None:
                progress(len(chunks[index]))
