"""Follow-up surveys, pure: reading a customer's answer to "reply 1-5" (CSAT) or "reply 0-10" (NPS),
telling a bare answer from a new problem, filling the question, and the survey metrics (each
defined once, here, for the live service and anything else that reports them).

Reading a score is deliberately strict. A number counts only where a score stands: the whole
answer ("5"), the start of it ("10 - great service"), after a cue ("I'd say 8", "give you a 9"),
a clause of its own ("Thanks! 5"), a fraction on the survey's scale ("4/5", "9 out of 10"),
stars ("4 stars", "⭐⭐⭐⭐") on the 1-5 scale. Two different scores ("3 or 4", "4, maybe 5"),
a range ("3-4"), a decimal ("4.5"), a number out of range ("12") or one that counts or names
something ("2 days", "order 12345", a phone number, "at 5") give no score: a wrong score is
worse than none, because an answer that is not read simply reaches an agent as a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

CSAT = "csat"
NPS = "nps"
SCALES = {CSAT: (1, 5), NPS: (0, 10)}
# CSAT: the share of responses scoring 4 or 5. NPS: promoters score 9-10, detractors 0-6.
CSAT_SATISFIED = 4
NPS_PROMOTER = 9
NPS_DETRACTOR = 6

WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
STARS = "⭐★🌟"
_TOKEN = re.compile(
    r"(?P<num>[+#$€£]?\d+(?:[.,:/-]\d+)*%?)"
    r"|(?P<word>[^\W\d_]+(?:'[^\W\d_]+)?)"
    r"|(?P<star>[" + STARS + r"])"
    r"|(?P<punct>[^\s\w])"
)
# Words after which a number is what the customer says the score is.
_CUES = {
    "say",
    "give",
    "gave",
    "giving",
    "rate",
    "rated",
    "rating",
    "score",
    "scored",
    "a",
    "an",
    "solid",
    "definitely",
    "maybe",
    "probably",
    "perhaps",
    "easily",
    "totally",
    "honestly",
    "def",
    "prob",
    "it's",
    "its",
    "that's",
    "thats",
    "deserves",
    "deserve",
    "worth",
    "with",  # "go with 8"
    "vote",
    "is",  # "my score is 8", "rating is 4"
    "it",  # "I give it 4", "give you 5"
    "you",
    "u",
    "us",
    "them",
    "this",
}
# Words before which a number names or places something rather than rating it.
_NAMES = {
    "order",
    "ticket",
    "case",
    "number",
    "no",
    "num",
    "nr",
    "room",
    "flight",
    "version",
    "v",
    "item",
    "page",
    "step",
    "account",
    "invoice",
    "ref",
    "reference",
    "id",
    "line",
    "gate",
    "platform",
    "seat",
    "model",
    "iphone",
    "galaxy",
    "pixel",
    "windows",
    "ios",
    "android",
    "size",
    "level",
    "floor",
    "bus",
    "route",
    "channel",
    "apt",
    "unit",
    "suite",
    "ext",
    "extension",
    "code",
    "pin",
    "at",
    "by",
    "on",
    "in",
    "from",
    "until",
    "till",
    "before",
    "after",
    "around",
    "about",
    "under",
    "over",
    "within",
    "for",
    "than",
    "to",
    "only",
    "just",
    "last",
    "next",
    "every",
    "those",
    "these",
    "my",
    "your",
    "our",
    "the",
}
# Words that may follow a score directly ("5 thanks", "10 great service", "4 because ...").
_FOLLOWERS = {
    "stars",
    "star",
    "points",
    "point",
    "pts",
    "from",
    "for",
    "because",
    "cause",
    "cos",
    "coz",
    "as",
    "since",
    "but",
    "and",
    "though",
    "thanks",
    "thank",
    "thx",
    "ty",
    "tysm",
    "great",
    "good",
    "excellent",
    "awesome",
    "amazing",
    "perfect",
    "fantastic",
    "brilliant",
    "super",
    "fine",
    "ok",
    "okay",
    "cheers",
    "overall",
    "definitely",
    "really",
    "very",
    "so",
    "totally",
    "absolutely",
    "honestly",
    "lol",
    "haha",
    "you",
    "guys",
    "team",
    "service",
    "support",
    "me",
    "would",
    "i",
    "i'm",
    "im",
    "it",
    "it's",
    "well",
    "pretty",
    "not",
    "all",
    "the",
    "your",
    "you're",
    "youre",
}
# After a number word ("five", "ten") only these, punctuation or the end: "one more thing" is not
# a score.
_WORD_FOLLOWERS = {"stars", "star", "points", "thanks", "thank", "thx", "ty", "cheers"}
_NOT_BEFORE_WORD = {"no", "any", "some", "every", "each", "this", "that", "which", "the", "one"}
_JOINERS = {"or", "to", "and", "maybe", "perhaps", "probably"}
_FILLERS = {"hi", "hey", "hello", "um", "umm", "hmm", "well", "ok", "okay", "oh", "so", "yes"}

# A comment that asks something or reports a problem needs a person; erring towards reopening
# costs an agent a glance, erring the other way loses a problem.
_NEEDS_REPLY = re.compile(
    r"\?|\b(?:still|again|but|however|though|yet|broken|broke|problem|problems|issue|issues|"
    r"error|wrong|missing|fail|failed|fails|failing|never|refund|cancel|charged|waiting|"
    r"help me|(?:need|please|can you|could you) help|nothing (?:works|worked|changed|happened)|"
    r"didn't|doesn't|don't|isn't|wasn't|won't|can't|cannot|not (?:working|fixed|"
    r"solved|resolved|received|arrived|sorted|happy)|no longer|stopped|worse|disappointed)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Answer:
    """A customer's reply read as a survey answer."""

    score: int
    comment: str  # what they wrote beside the score, tidied ("" for a bare score)
    needs_reply: bool  # the comment asks something or reports a problem


@dataclass
class _Tok:
    kind: str
    text: str
    start: int
    end: int


def _tokens(text: str) -> list[_Tok]:
    text = text.replace("\u2019", "'").lower()
    return [
        _Tok(m.lastgroup or "punct", m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)
    ]


def _small(tok: _Tok | None) -> int | None:
    """The value of a plain whole number of one or two digits, or of an English number word."""
    if tok is None:
        return None
    if tok.kind == "num" and re.fullmatch(r"0|[1-9]\d?", tok.text):
        return int(tok.text)
    if tok.kind == "word" and tok.text in WORDS:
        return WORDS[tok.text]
    return None


def _at(toks: list[_Tok], i: int) -> _Tok | None:
    return toks[i] if 0 <= i < len(toks) else None


def _read(text: str, kind: str) -> tuple[int, list[tuple[int, int]]] | None:
    """The score and the spans of text that state it, or None."""
    if kind not in SCALES:
        raise ValueError(f"kind: {kind!r} is not csat or nps")
    low, high = SCALES[kind]
    toks = _tokens(text)
    values: set[int] = set()
    spans: list[tuple[int, int]] = []
    used: set[int] = set()

    stars = [t for t in toks if t.kind == "star"]
    if stars:
        if kind != CSAT:
            return None  # stars are a five-point scale; on 0-10 they would read as a detractor
        values.add(len(stars))
        spans += [(t.start, t.end) for t in stars]

    for i, tok in enumerate(toks):
        if tok.kind == "num":
            if re.fullmatch(r"\d{1,2}[-.,]\d{1,2}", tok.text):
                a, b = (int(x) for x in re.split(r"[-.,]", tok.text))
                if a <= high and b <= high:
                    return None  # "3-4", "4.5": a range or a fraction of a point
            frac = re.fullmatch(r"(\d{1,2})/(\d{1,2})", tok.text)
            if frac:
                n, d = int(frac.group(1)), int(frac.group(2))
                before = _at(toks, i - 1)
                if d not in (5, 10) or n > d or (before is not None and before.text in _NAMES):
                    continue  # "24/7", "on 4/5": not a rating
                if d != high:
                    return None  # "8/10" asked 1-5, "5/5" asked 0-10: a different scale
                values.add(n)
                spans.append((tok.start, tok.end))
                used.add(i)

    for i, tok in enumerate(toks):
        value = _small(tok)
        if value is None or i in used:
            continue
        nxt = _at(toks, i + 1)
        # "N out of M", "N of M", "N / M"
        of = None
        if nxt is not None and nxt.text == "out" and _at(toks, i + 2) and toks[i + 2].text == "of":
            of = i + 3
        elif nxt is not None and nxt.text in ("of", "/"):
            of = i + 2
        if of is not None and _small(_at(toks, of)) is not None:
            if _small(toks[of]) != high:
                return None
            values.add(value)
            spans.append((tok.start, toks[of].end))
            used.update({i, of})
            continue
        # "3 or 4", "4, maybe 5", "between 3 and 4": two scores offered
        j = i + 1
        while _at(toks, j) is not None and toks[j].text in (",", "-", "~", "–"):
            j += 1
        joined = _at(toks, j) is not None and toks[j].text in _JOINERS
        if joined and _small(_at(toks, j + 1)) is not None:
            return None
        if not _is_score_position(toks, i, tok, value):
            continue
        if nxt is not None and nxt.text in ("stars", "star"):
            if kind != CSAT:
                return None
            spans.append((tok.start, nxt.end))
        else:
            spans.append((tok.start, tok.end))
        values.add(value)

    if len(values) != 1:
        return None
    (score,) = values
    if not low <= score <= high:
        return None
    return score, spans


def _is_score_position(toks: list[_Tok], i: int, tok: _Tok, value: int) -> bool:
    nxt, prev = _at(toks, i + 1), _at(toks, i - 1)
    if prev is not None and (prev.kind == "num" or prev.text in _NAMES):
        return False
    if nxt is not None and nxt.kind == "num":
        return False  # a phone number's group
    if tok.kind == "word":
        if prev is not None and prev.text in _NOT_BEFORE_WORD:
            return False
        if nxt is not None and nxt.kind == "word" and nxt.text not in _WORD_FOLLOWERS:
            return False
    elif nxt is not None and nxt.kind == "word" and nxt.text not in _FOLLOWERS:
        return False  # "2 days", "3 routers": counting something
    if nxt is not None and nxt.kind == "punct" and nxt.text in "%/:":
        return False
    first = 0
    while first < len(toks) and (toks[first].kind == "punct" or toks[first].text in _FILLERS):
        first += 1
    if i == first or prev is None or prev.kind in ("punct", "star") or prev.text in _CUES:
        return True
    rest = toks[i + 1 :]
    return all(t.kind in ("punct", "star") for t in rest)  # the last word: "Thanks! 5"


def parse_score(text: str, kind: str) -> int | None:
    """The score a customer's reply gives on the survey's scale (CSAT 1-5, NPS 0-10), or None
    when it gives none, or more than one, or the number is not a score."""
    read = _read(text or "", kind)
    return read[0] if read else None


def read_answer(text: str, kind: str) -> Answer | None:
    """A reply as a survey answer (its score, its comment and whether the comment needs a
    person), or None when it carries no score."""
    text = text or ""
    read = _read(text, kind)
    if read is None:
        return None
    score, spans = read
    kept, last = [], 0
    for start, end in sorted(spans):
        kept.append(text[last:start])
        last = end
    kept.append(text[last:])
    comment = re.sub(r"\s+", " ", " ".join(kept)).strip(" \t,.;:-–—!/")
    comment = re.sub(
        r"^(?:i'?d say|i would say|i'?d give (?:you|it|u)?|i give (?:you|it|u)?|"
        r"(?:a )?solid|definitely|easily)\b\s*(?:an? )?",
        "",
        comment,
        flags=re.IGNORECASE,
    ).strip(" ,.;:-–—")
    return Answer(score, comment, bool(_NEEDS_REPLY.search(comment)))


def is_survey_answer(text: str, kind: str = CSAT) -> bool:
    """Whether a reply is only a survey answer (a score, perhaps with thanks or praise) and so
    leaves a resolved conversation resolved. A score with a question or a problem ("5, but my
    router is still broken") is recorded too, but is not only an answer: it reopens."""
    answer = read_answer(text, kind)
    return answer is not None and not answer.needs_reply


_NAME_SLOT = re.compile(r"[ \t]*\{first_name\}")


def fill_question(template: str, first_name: str) -> str:
    """The question with the customer's first name filled in; without a known first name the
    slot goes with the space before it ("Hi {first_name}, ..." becomes "Hi, ...")."""
    if first_name.strip():
        return template.replace("{first_name}", first_name.strip())
    return _NAME_SLOT.sub("", template)


def question_error(template: str) -> str:
    """Why a survey question cannot be sent automatically ("" if it can)."""
    if not template.strip():
        return "the question cannot be empty"
    other = sorted(set(re.findall(r"\{[a-z_]+\}", template)) - {"{first_name}"})
    if other:
        return f"only {{first_name}} can be filled automatically, not {', '.join(other)}"
    return ""


# -- metrics: one definition each ----------------------------------------------------------------


def csat(scores: Iterable[int]) -> float | None:
    """CSAT: the share (0-1) of CSAT responses scoring 4 or 5; None without responses."""
    scores = list(scores)
    if not scores:
        return None
    return sum(1 for s in scores if s >= CSAT_SATISFIED) / len(scores)


def nps(scores: Iterable[int]) -> float | None:
    """NPS: % promoters (9-10) minus % detractors (0-6), from -100 to 100; None without
    responses."""
    scores = list(scores)
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= NPS_PROMOTER)
    detractors = sum(1 for s in scores if s <= NPS_DETRACTOR)
    return 100 * (promoters - detractors) / len(scores)


def response_rate(responses: int, sent: int) -> float | None:
    """Responses ÷ surveys sent (0-1); None when none was sent."""
    return responses / sent if sent else None


def distribution(scores: Iterable[int], kind: str) -> list[tuple[int, int]]:
    """How many responses gave each score of the scale, lowest first."""
    low, high = SCALES[kind]
    counts = dict.fromkeys(range(low, high + 1), 0)
    for s in scores:
        if s in counts:
            counts[s] += 1
    return list(counts.items())
