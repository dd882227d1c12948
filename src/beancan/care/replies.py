"""What a reply says about care: personal or canned, signed, named, moved to private; customer thanks.

Every pattern here is written once and used twice: by DuckDB (RE2 syntax) over whole exports in the
audit, and by Python's `re` for one message at a time in the live service. The patterns therefore
avoid look-around and back-references, which RE2 does not have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

# A handle as networks write it: @name, @name.bsky.social, @name@mastodon.social.
HANDLE = r"@[A-Za-z0-9_]+(?:[.@][A-Za-z0-9_-]+)*"
URL = r"(?:https?://|www\.)[^\s]+"

# Words that open a reply and are followed by the person addressed: "Hi Sarah", "Thanks, Sam!".
GREETING = (
    r"(?:hi|hello|hey|hiya|dear|greetings|good (?:morning|afternoon|evening)|morning|evening"
    r"|thanks|thank you|sorry|welcome)"
)
# Greeting objects that are not a person.
NOT_A_NAME = frozenset(
    """there all everyone everybody team folks friend friends again guys you for so very
    much y'all and to we i it that this our the a an please""".split()
)

# An agent's signature at the end of a reply: ^JK, *HFG, -Becky, - Becky, –JK, ~Sam, /AB.
SIGNATURE = r"(?:[\^*~/]\s?[A-Z][A-Za-z]{0,11}|(?:^|\s)[-–—]\s?[A-Z][A-Za-z]{0,11})[.!]?\s*$"

# The first person-like word in address position, after the leading handles:
#   "@123 Sarah, ..."  "@123 Hi Sarah! ..."  "@123 Hello, Holly. ..."
ADDRESS_NAME = (
    r"^(?:\s*" + HANDLE + r")*[\s,.:!]*"
    r"(?:(?i:" + GREETING + r")[\s,.!]+)?"
    r"([A-Z][a-z]+(?:-[A-Z][a-z]+)?)[,!.:]"
)
# A name closing a sentence of thanks or apology: "Thanks for waiting, Mary." "Sorry, Tom!"
CLOSING_NAME = r"(?i:thanks|thank you|sorry|cheers|welcome)[^.!?]{0,40}, ([A-Z][a-z]+)[.!]"
# A name right after a greeting anywhere: "Hi Priya" — a greeting shows it is a person.
GREETING_NAME = r"(?:^|[\s,.!])(?i:hi|hello|hey|hiya|dear)[\s,]+([A-Z][a-z]+)"

# Moving the customer to a private channel: DM, email, phone, chat.
HANDOFF = (
    r"(?i)(?:\bdm\b|\bd\.m\.|direct message|private message|private msg|\bpm us\b|\bpm me\b"
    r"|send us a (?:message|note)|message us|inbox us|follow and dm|follow & dm"
    r"|\bemail us|\be-mail us|email (?:us |me )?at|\bemail\b[^.!?]{0,30}@|contact us at|reach us at"
    r"|call us|give us a (?:call|ring)|phone us|call (?:our|the) [a-z ]{0,30}(?:team|line|number)"
    r"|live chat|chat with us|via chat)"
)

# A customer thanking the brand, and the sarcasm that is not thanks.
THANKS = (
    r"(?i)(?:\bthanks\b|\bthank (?:you|u)\b|\bthx\b|\bty\b|\bcheers\b|\bappreciate\b"
    r"|much appreciated|that worked|\bsorted\b|\bbrilliant\b|you'?re the best|you guys rock)"
)
NOT_THANKS = r"(?i)(?:thanks for nothing|no thanks|thanks but no|thanks a lot for nothing)"

# Replies shorter than this (after normalisation) are formulas, not templates: "you're welcome".
CANNED_MIN_WORDS = 3
# Pleasantries that agents vary on top of a template; dropping them is what "nearly" means.
PLEASANTRIES = (
    "hi hello hey hiya dear there thanks thank you so much very please sorry again "
    "happy glad great ok okay oh hmm awesome"
)


@cache
def first_names() -> frozenset[str]:
    """Lowercased common first names shipped with the package (US Census 1990 lists)."""
    text = resources.files("beancan.data").joinpath("first_names.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


# re.ASCII makes \s, \w and \b mean what they mean in RE2, so both engines agree.
_address = re.compile(ADDRESS_NAME, re.ASCII)
_closing = re.compile(CLOSING_NAME, re.ASCII)
_greeting = re.compile(GREETING_NAME, re.ASCII)
_signature = re.compile(SIGNATURE, re.ASCII)
_handoff = re.compile(HANDOFF, re.ASCII)
_thanks = re.compile(THANKS, re.ASCII)
_not_thanks = re.compile(NOT_THANKS, re.ASCII)
_handle = re.compile(HANDLE, re.ASCII)
_url = re.compile(URL, re.ASCII)
DIGIT_TOKEN = r"[^\s]*[0-9][^\s]*"
NON_WORD = r"[^a-z' ]+"
_digits = re.compile(DIGIT_TOKEN, re.ASCII)
_nonword = re.compile(NON_WORD, re.ASCII)
_pleasantries = frozenset(PLEASANTRIES.split())


def is_name(word: str | None, *, after_greeting: bool) -> bool:
    """Whether a capitalised word addresses a person (known name, or any non-stopword greeted)."""
    if not word:
        return False
    lowered = word.lower()
    if lowered in NOT_A_NAME:
        return False
    return after_greeting or lowered in first_names()


def name_candidates(text: str) -> tuple[str | None, str | None, str | None]:
    """The capitalised words in the three places a name is used: after a greeting, in address
    position, closing a sentence of thanks or apology."""
    found = (_greeting.search(text), _address.search(text), _closing.search(text))
    return tuple(m.group(1) if m else None for m in found)  # type: ignore[return-value]


def addressed_name(text: str) -> str | None:
    """The first name a reply addresses its reader by, if any."""
    greeted, addressed, closing = name_candidates(text)
    if is_name(greeted, after_greeting=True):
        return greeted
    for word in (addressed, closing):
        if is_name(word, after_greeting=False):
            return word
    return None


def strip_signature(text: str) -> str:
    """The reply without a trailing URL and agent signature."""
    body = _url.sub(" ", text).rstrip()
    return _signature.sub("", body).rstrip()


def has_signature(text: str) -> bool:
    """Whether a reply ends with an agent's signature (^JK, *HFG, -Becky…)."""
    return bool(_signature.search(_url.sub(" ", text).rstrip()))


def is_handoff(text: str) -> bool:
    """Whether a reply moves the customer to DM, email, phone or chat."""
    return bool(_handoff.search(text))


def is_thanks(text: str) -> bool:
    """Whether a customer's message thanks the brand (sarcasm excluded)."""
    return bool(_thanks.search(text)) and not _not_thanks.search(text)


def canned_key(text: str) -> str:
    """The template a reply is made of: slots (handles, names, URLs, numbers), signature and
    pleasantries removed, case, punctuation and spacing folded. Empty when too short to judge."""
    body = strip_signature(_handle.sub(" ", text))
    # Every word in a name position goes, name or not, so the key needs no name list.
    for word in name_candidates(text):
        if word:
            body = body.replace(word, " ")
    words = _nonword.sub(" ", _digits.sub(" ", body.lower())).split()
    words = [w.strip("'") for w in words]
    words = [w for w in words if w and w not in _pleasantries]
    return " ".join(words) if len(words) >= CANNED_MIN_WORDS else ""


@dataclass(frozen=True, slots=True)
class ReplyTraits:
    """What one brand reply shows: a name used, a signature, a move to private, its template."""

    name: str | None
    signed: bool
    handoff: bool
    canned_key: str


def reply_traits(text: str) -> ReplyTraits:
    """The traits of one brand reply."""
    return ReplyTraits(addressed_name(text), has_signature(text), is_handoff(text), canned_key(text))


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_traits(text: str, is_customer: str) -> dict[str, str]:
    """DuckDB expressions computing every trait from the text column, the same as the functions
    above: customer messages get mentions and thanks, brand messages the reply traits."""
    t, q = text, _sql_str
    body = f"regexp_replace({t}, {q(HANDLE)}, ' ', 'g')"
    body = f"rtrim(regexp_replace({body}, {q(URL)}, ' ', 'g'))"
    body = f"rtrim(regexp_replace({body}, {q(SIGNATURE)}, ''))"
    greet = f"nullif(regexp_extract({t}, {q(GREETING_NAME)}, 1), '')"
    address = f"nullif(regexp_extract({t}, {q(ADDRESS_NAME)}, 1), '')"
    closing = f"nullif(regexp_extract({t}, {q(CLOSING_NAME)}, 1), '')"
    for cand in (greet, address, closing):
        body = f"replace({body}, coalesce({cand}, chr(1)), ' ')"
    words = f"regexp_replace(regexp_replace(lower({body}), {q(DIGIT_TOKEN)}, ' ', 'g'), {q(NON_WORD)}, ' ', 'g')"
    pleasant = "[" + ", ".join(q(w) for w in sorted(_pleasantries)) + "]"
    kept = (
        f"list_filter(list_transform(string_split_regex(trim({words}), ' +'), lambda w: trim(w, '''')), "
        f"lambda w: w <> '' AND NOT list_contains({pleasant}, w))"
    )
    key = f"CASE WHEN len({kept}) >= {CANNED_MIN_WORDS} THEN hash(array_to_string({kept}, ' ')) END"
    brand = f"NOT {is_customer}"
    return {
        "mention": f"CASE WHEN {is_customer} THEN regexp_extract_all(lower({t}), '@([a-z0-9_]+)', 1) END",
        "thanks": f"{is_customer} AND regexp_matches({t}, {q(THANKS)}) AND NOT regexp_matches({t}, {q(NOT_THANKS)})",
        "greet_cand": f"CASE WHEN {brand} THEN {greet} END",
        "addr_cand": f"CASE WHEN {brand} THEN {address} END",
        "close_cand": f"CASE WHEN {brand} THEN {closing} END",
        "signed": f"{brand} AND regexp_matches(rtrim(regexp_replace({t}, {q(URL)}, ' ', 'g')), {q(SIGNATURE)})",
        "handoff": f"{brand} AND regexp_matches({t}, {q(HANDOFF)})",
        "canned_hash": f"CASE WHEN {brand} THEN {key} END",
    }
