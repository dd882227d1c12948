"""What a reply says about care: personal or canned, signed, named, moved to private; thanks.

Every pattern here is written once and used twice: by Polars (Rust's regex engine) over whole
exports in the audit, and by Python's `re` for one message at a time in the live service. The
patterns therefore avoid look-around and back-references, which Rust's engine does not have; a
test checks both engines agree on real replies. Two patterns, the costliest in Polars because
their cost grows with the number of matches, run over whole exports in a compiled single pass
instead (`_textkernel.c`): the last step of the canned template with the fold and hash after it,
and the mentions; the same test holds them to Python's `re`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import polars as pl
import pyarrow as pa

from beancan.care import _textkernel

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
    much y'all and to we i it that this our the a an please
    ok okay yes no sure great well oh wow hmm sorry thanks thank awesome absolutely definitely
    certainly happy glad perfect understood noted gotcha cool apologies unfortunately welcome
    morning evening afternoon night dear hi hey hello will may can just hope love care sunny
    merry honey joy""".split()
)

# An agent's signature at the end of a reply (a link may follow it): ^JK, *HFG, -Becky, –JK, ~Sam.
# Groups: the mark, the agent's name, what follows (a reply template swaps the name).
SIGNATURE = (
    r"([\^*~/]\s?|(?:^|\s)[-–—]\s?)([A-Z][A-Za-z]{0,11})"
    r"([.!]?(?:\s+(?:https?://|www\.)[^\s]*)*\s*)$"
)

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

# Moving the customer to a private channel: DM, email, phone, chat. (On lowercased text.)
HANDOFF = (
    r"(?:\bdm\b|\bd\.m\.|direct message|private message|private msg|\bpm us\b|\bpm me\b"
    r"|send us a (?:message|note)|message us|inbox us|follow and dm|follow & dm"
    r"|\bemail us|\be-mail us|email (?:us |me )?at|\bemail\b[^.!?]{0,30}@|contact us at|reach us at"
    r"|call us|give us a (?:call|ring)|phone us|call (?:our|the) [a-z ]{0,30}(?:team|line|number)"
    r"|live chat|chat with us|via chat)"
)

# A customer thanking the brand, and the sarcasm that is not thanks. (On lowercased text.)
THANKS = (
    r"(?:\bthanks\b|\bthank (?:you|u)\b|\bthx\b|\bty\b|\bcheers\b|\bappreciate\b"
    r"|much appreciated|that worked|\bsorted\b|\bbrilliant\b|you'?re the best|you guys rock)"
)
NOT_THANKS = r"(?:thanks for nothing|no thanks|thanks but no|thanks a lot for nothing)"

# A handle mentioned in lowercased text; group 1 is the handle without "@". The audit keeps a
# message's mentions as one string, joined by MENTION_SEPARATOR (handles have no spaces).
MENTION = r"@([a-z0-9_]+)"
MENTION_SEPARATOR = " "

# Replies shorter than this (after normalisation) are formulas, not templates: "you're welcome".
CANNED_MIN_WORDS = 3
# Pleasantries that agents vary on top of a template; dropping them is what "nearly" means.
PLEASANTRIES = (
    "hi hello hey hiya dear there thanks thank you so much very please sorry again "
    "happy glad great ok okay oh hmm awesome"
)
_PLEASANT = "|".join(PLEASANTRIES.split())
# Greetings dropped from a template together with the word they greet: "hi sarah".
TEMPLATE_GREETINGS = ("hi", "hello", "hey", "hiya", "dear")
# How a reply becomes its template, on lowercased text: a fixed sequence of (pattern, all?) passes,
# each match replaced by a space. Boundaries are written as "not a letter" rather than \b, which
# keeps Rust's regex engine on its fast path and means the same in both engines.
CANNED_STEPS: tuple[tuple[str, bool], ...] = (
    (r"(?:https?://|www\.)[^\s]*", True),  # links, first: a signature may precede one
    # the leading handles and the word they address: "@123 sarah," / "@123 hi sarah!"
    (r"^(?:\s*@[a-z0-9_]+(?:[.@][a-z0-9_-]+)*)*[\s,.:!]*(?:[a-z]+[\s,]+)?[a-z]+[,!.:]", False),
    (r"[^a-z]*(?:[\^*~/]|[-–—])\s?[a-z]{1,12}[^a-z]*$", False),  # a signature: "! -becky"
    (
        "|".join(
            (
                r"@[a-z0-9_]+(?:[.@][a-z0-9_-]+)*",  # other handles
                r"[^\s]*[0-9][^\s]*",  # anything with a digit: order, flight, phone numbers
                r"(?:^|[^a-z])(?:" + "|".join(TEMPLATE_GREETINGS) + r")[\s,]+[a-z]+",  # and whom
                r",\s*[a-z]+[.!]",  # a lone word closing a sentence: "thanks for waiting, mary."
                r"(?:^|[^a-z])(?:(?:" + _PLEASANT + r")(?:[^a-z]+|$))+",  # pleasantries
            )
        ),
        True,
    ),
    (r"[^a-z ]+", True),  # punctuation, emoji, apostrophes
)


@cache
def first_names() -> frozenset[str]:
    """Lowercased common first names shipped with the package (US Census 1990 lists)."""
    text = resources.files("beancan.data").joinpath("first_names.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


_address = re.compile(ADDRESS_NAME)
_closing = re.compile(CLOSING_NAME)
_greeting = re.compile(GREETING_NAME)
_signature = re.compile(SIGNATURE)
_handoff = re.compile(HANDOFF)
_thanks = re.compile(THANKS)
_not_thanks = re.compile(NOT_THANKS)
_canned_steps = tuple((re.compile(pattern), every) for pattern, every in CANNED_STEPS)
_mention = re.compile(MENTION)


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


def mentions(text: str) -> list[str]:
    """The handles a message mentions, lowercased, in order."""
    return _mention.findall(text.lower())


def has_signature(text: str) -> bool:
    """Whether a reply ends with an agent's signature (^JK, *HFG, -Becky…)."""
    return bool(_signature.search(text))


def is_handoff(text: str) -> bool:
    """Whether a reply moves the customer to DM, email, phone or chat."""
    return bool(_handoff.search(text.lower()))


def is_thanks(text: str) -> bool:
    """Whether a customer's message thanks the brand (sarcasm excluded)."""
    lowered = text.lower()
    return bool(_thanks.search(lowered)) and not _not_thanks.search(lowered)


def canned_key(text: str) -> str:
    """The template a reply is made of: handles, names, links, numbers, signature and
    pleasantries removed, case, punctuation and spacing folded. Empty when too short to judge."""
    body = text.lower()
    for pattern, every in _canned_steps:
        body = pattern.sub(" ", body, count=0 if every else 1)
    words = body.split()
    return " ".join(words) if len(words) >= CANNED_MIN_WORDS else ""


_leading_handles = re.compile(r"^(?:\s*" + HANDLE + r")+[\s,.:]*")


def reply_template(text: str) -> str:
    """A past reply made reusable for another customer, as a canned response is written: the
    handles it opened with dropped, the name it addressed replaced by {first_name} and the agent
    who signed it by {agent_name} (keeping the brand's way of signing)."""
    body = _leading_handles.sub("", text, count=1)
    signed = _signature.search(body)
    if signed:
        body = body[: signed.start(2)] + "{agent_name}" + body[signed.end(2) :]
    name = addressed_name(body)
    if name:
        body = re.sub(r"\b" + re.escape(name) + r"\b", "{first_name}", body, count=1)
    return body.strip()


@dataclass(frozen=True, slots=True)
class ReplyTraits:
    """What one brand reply shows: a name used, a signature, a move to private, its template."""

    name: str | None
    signed: bool
    handoff: bool
    canned_key: str


def reply_traits(text: str) -> ReplyTraits:
    """The traits of one brand reply."""
    return ReplyTraits(
        addressed_name(text), has_signature(text), is_handoff(text), canned_key(text)
    )


@cache
def _name_lookups() -> tuple[pl.Series, pl.Series]:
    """The first names and the non-names as Polars lookups, built once per process."""
    return (
        pl.Series(sorted(first_names()), dtype=pl.String).implode(),
        pl.Series(sorted(NOT_A_NAME), dtype=pl.String).implode(),
    )


def _template_start(lowered: pl.Expr) -> pl.Expr:
    """The canned steps before the last two: links, the opening address, the signature."""
    for pattern, every in CANNED_STEPS[:3]:
        lowered = (
            lowered.str.replace_all(pattern, " ") if every else lowered.str.replace(pattern, " ")
        )
    return lowered


def string_buffers(
    arr: pa.Array | pa.ChunkedArray, *, large: bool = False
) -> tuple[np.ndarray, object]:
    """The offsets (int32 or int64, as the array holds them; its own slice of them) and the data
    buffer of an Arrow string array, for the compiled kernels. Other string types, and with
    `large` 32-bit strings too, are cast to large strings first."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_large_string(arr.type) and (large or not pa.types.is_string(arr.type)):
        arr = arr.cast(pa.large_string())
    _, offsets, data = arr.buffers()
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(offsets, dtype=width)[arr.offset : arr.offset + len(arr) + 1]
    return offsets, data if data is not None else b""


def _arrow_strings(texts: pl.Series) -> tuple[np.ndarray, object]:
    """The int64 offsets and the data buffer of a string column without nulls (Polars copies its
    string views into that one buffer)."""
    arr = texts.rechunk().to_arrow(compat_level=pl.CompatLevel.oldest())
    return string_buffers(arr, large=True)


_GREETING_WORDS = " ".join(TEMPLATE_GREETINGS).encode()
_PLEASANT_WORDS = " ".join(PLEASANTRIES.split()).encode()


def _canned_hashes(started: pl.Series) -> pl.Series:
    """The canned_hash of replies already through `_template_start` (lowercased, no nulls): the
    last canned step, the fold to single-spaced words, and a 64-bit hash of those words, null
    when fewer than CANNED_MIN_WORDS are left. In one compiled pass (`_textkernel.c`): as two
    Polars passes and a hash, it was the costliest trait (1.2 CPU s of 3.7 for 1.25 M replies)."""
    n = len(started)
    if n == 0:
        return pl.Series("canned_hash", [], dtype=pl.UInt64)
    offsets, data = _arrow_strings(started)
    hashes = np.empty(n, dtype=np.uint64)
    valid = np.empty(n, dtype=np.bool_)
    _textkernel.canned_hashes(
        offsets, data, hashes, valid.view(np.uint8), _GREETING_WORDS, _PLEASANT_WORDS,
        CANNED_MIN_WORDS,
    )  # fmt: skip
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    arr = pa.Array.from_buffers(pa.uint64(), n, [bitmap, pa.py_buffer(hashes)])
    return pl.Series("canned_hash", arr)


def _mentions(lowered: pl.Series) -> pl.Series:
    """The handles each lowercased message mentions (MENTION's groups), joined by
    MENTION_SEPARATOR; '' for none. One compiled pass (`_textkernel.c`)."""
    n = len(lowered)
    if n == 0:
        return pl.Series("mention", [], dtype=pl.String)
    offsets, data = _arrow_strings(lowered)
    out_offsets = np.empty(n + 1, dtype=np.int64)
    joined = _textkernel.mentions(offsets, data, out_offsets)
    buffers = [None, pa.py_buffer(out_offsets), pa.py_buffer(joined)]
    return pl.Series("mention", pa.Array.from_buffers(pa.large_string(), n, buffers))


def _brand_traits(texts: pl.Series) -> pl.DataFrame:
    """named, signed, handoff and canned_hash of brand messages."""
    names, not_names = _name_lookups()
    raw, lowered = pl.col("t"), pl.col("lowered")
    greeted, addressed, closing = pl.col("greeted"), pl.col("addressed"), pl.col("closing")
    named = (
        (greeted.is_not_null() & ~greeted.is_in(not_names))
        | (addressed.is_not_null() & ~addressed.is_in(not_names) & addressed.is_in(names))
        | (closing.is_not_null() & ~closing.is_in(not_names) & closing.is_in(names))
    )
    traits = (
        pl.DataFrame({"t": texts})
        .with_columns(
            raw.str.to_lowercase().alias("lowered"),
            raw.str.extract(GREETING_NAME, 1).str.to_lowercase().alias("greeted"),
            raw.str.extract(ADDRESS_NAME, 1).str.to_lowercase().alias("addressed"),
            raw.str.extract(CLOSING_NAME, 1).str.to_lowercase().alias("closing"),
        )
        .select(
            named.fill_null(False).alias("named"),
            raw.str.contains(SIGNATURE).alias("signed"),
            lowered.str.contains(HANDOFF).alias("handoff"),
            _template_start(lowered).alias("started"),
        )
    )
    return traits.with_columns(_canned_hashes(traits.get_column("started"))).drop("started")


def _customer_traits(texts: pl.Series) -> pl.DataFrame:
    """mention and thanks of customer messages."""
    # Lowercased once: Polars would lowercase the text for each expression that reads it.
    lowered = texts.str.to_lowercase()
    said = pl.col("said")
    return pl.DataFrame(
        [
            # One string, not a list: a list column costs DuckDB about 1 s more to store for
            # 2.8 M messages, and only the first customer message of a few conversations is
            # ever read back (see `beancan.care.facts`).
            _mentions(lowered),
            pl.DataFrame({"said": lowered})
            .select(said.str.contains(THANKS) & ~said.str.contains(NOT_THANKS))
            .to_series()
            .alias("thanks"),
        ]
    )


def _spread(part: pl.DataFrame, at: np.ndarray) -> pl.DataFrame:
    """The rows of one side's result at the batch's positions; `len(part)` means null."""
    nulls = pl.DataFrame([pl.Series(c.name, [None], c.dtype) for c in part])
    return part.vstack(nulls).rechunk()[pl.Series(at, dtype=pl.Int64)]


TRAIT_COLUMNS = ("mention", "thanks", "named", "signed", "handoff", "canned_hash")


def trait_columns(texts: pl.Series, customer: pl.Series) -> pl.DataFrame:
    """The trait columns (TRAIT_COLUMNS) of messages, row for row, the same as the functions
    above: customer messages get mentions and thanks, brand messages the reply traits. Each
    pattern runs only on the messages of the side it applies to."""
    customer = customer.fill_null(False)
    texts = texts.fill_null("")
    mask = customer.to_numpy()
    # Each row's place in its side's result (the other side's rows: one past the end, a null).
    in_customer = np.cumsum(mask) - 1
    in_brand = np.arange(len(mask)) - in_customer - 1
    n_customer = int(mask.sum())
    cust = _spread(
        _customer_traits(texts.filter(customer)), np.where(mask, in_customer, n_customer)
    )
    brand = _spread(
        _brand_traits(texts.filter(~customer)), np.where(mask, len(mask) - n_customer, in_brand)
    )
    return pl.DataFrame(
        [
            cust.get_column("mention"),
            cust.get_column("thanks").fill_null(False),
            *(brand.get_column(c).fill_null(False) for c in ("named", "signed", "handoff")),
            brand.get_column("canned_hash"),
        ]
    )


def text_traits(frame: pl.DataFrame, text: str, is_customer: str) -> pl.DataFrame:
    """`frame` without its `text` column, plus every trait column (see `trait_columns`)."""
    traits = trait_columns(frame.get_column(text), frame.get_column(is_customer))
    return frame.drop(text).with_columns(traits.get_columns())
