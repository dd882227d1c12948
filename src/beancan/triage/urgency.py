"""Urgency: a score from 0 to 100 that orders the inbox, and the reasons behind it for the agent.

Urgency is a sum of points, capped at 100. Each part that adds points is one reason, worded for the
agent with its points ("safety words: 'smoke' (+35)"), so a care lead can read why a message
scored 85. The reasons are listed largest first.

From the text, computed once when the message arrives (`text_urgency` -> `UrgencyBase`):

    complaint intent                          +15
    request intent (refund, cancel, change)    +5
    negative sentiment                      +5 to +15  (5 + 10 × the strength of the negative score)
    safety words   (fire, smoke, injury…)     +35
    legal words    (lawyer, sue, court…)      +25
    churn words    (cancel my account…)       +20
    spam                                     the score is 0, whatever else

From the conversation, recomputed on the clock (`urgency_from(base, …)`):

    waiting        20 × w / (w + 1 hour)      +10 after an hour, +16 after four, +20 at most
    wrote again    +5 per message before a reply, from the second, at most +15
    VIP author                                +15

Each word list counts once, however many of its words appear. Words match whole and
case-insensitively, in English, Spanish, French and German, and phrases known to be harmless are
masked first: "Fire TV" and "Kindle Fire" are products, not fires; "food court" is not a court;
an app that crashes is not a car crash ("crash" alone does not count, "car crash" does). Negation
is not understood ("no smoke" still counts): the list errs on the side of an agent looking.
At most `MAX_CHARS` characters of a text are read, so the time is bounded on any input.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from beancan.triage.language import INVISIBLE
from beancan.triage.types import Prediction, Urgency, UrgencySignals

MAX_CHARS = 5_000
"""Characters of a text that are read for words."""

COMPLAINT_POINTS = 15
REQUEST_POINTS = 5
NEGATIVE_MIN_POINTS, NEGATIVE_MAX_POINTS = 5, 15
SAFETY_POINTS = 35
LEGAL_POINTS = 25
CHURN_POINTS = 20
WAIT_MAX_POINTS = 20
WAIT_HALF_SECONDS = (
    3_600.0  # half the waiting points after an hour (customers expect a reply in one)
)
REPEAT_POINTS, REPEAT_MAX_POINTS = 5, 15
VIP_POINTS = 15
MAX_SCORE = 100
WORDS_SHOWN = 3  # words quoted in a reason


def _phrases(*groups: str) -> list[str]:
    """Phrases from '|'-separated groups; "a (b|c)" expands to "a b" and "a c"."""
    out: list[str] = []
    for group in groups:
        for item in group.split("|"):
            item = " ".join(item.split())
            if not item:
                continue
            match = re.fullmatch(r"(.*?)\(([^()]+)\)(.*)", item)
            if match:
                head, options, tail = match.groups()
                out += _phrases("|".join(f"{head}{o}{tail}" for o in options.split("/")))
            else:
                out.append(item)
    return out


SAFETY_WORDS = _phrases(
    # English
    "fire|fires|on fire|caught fire|smoke|smoking|smoked|burn|burns|burned|burnt|burning|"
    "explode|exploded|exploding|explosion|sparks|sparking|electric shock|electrocuted|"
    "shocked me|injury|injuries|injured|hospital|hospitalized|hospitalised|ambulance|"
    "emergency|emergency room|unsafe|dangerous|danger|hazard|gas leak|leaking gas|smell of gas|"
    "smells of gas|smells like gas|carbon monoxide|allergic reaction|allergic|anaphylaxis|"
    "anaphylactic|epipen|food poisoning|poisoned|choking|choked|bleeding|broken glass|"
    "car crash|crashed into|crashed my car|collision|accident|overheating|overheated|melted|"
    "melting|mould|mold",
    # Spanish
    "incendio|fuego|humo|quemadura|quemado|quemada|explotó|exploto|explosión|herido|herida|"
    "heridos|lesión|lesiones|hospital|urgencias|ambulancia|peligro|peligroso|peligrosa|"
    "inseguro|insegura|fuga de gas|olor a gas|reacción alérgica|alérgico|alérgica|"
    "intoxicación|accidente",
    # French
    "incendie|au feu|pris feu|prend feu|fumée|brûlure|brûlé|brûlée|explosé|blessé|blessée|"
    "blessure|hôpital|urgences|dangereux|dangereuse|fuite de gaz|odeur de gaz|"
    "réaction allergique|allergique|intoxication alimentaire",
    # German
    "feuer|rauch|raucht|qualm|verbrannt|verbrennung|explodiert|verletzt|verletzung|"
    "krankenhaus|notaufnahme|krankenwagen|notfall|gefährlich|gasleck|gasgeruch|riecht nach gas|"
    "allergische reaktion|lebensmittelvergiftung|unfall",
)
LEGAL_WORDS = _phrases(
    # English
    "lawyer|lawyers|attorney|attorneys|solicitor|solicitors|legal action|legal advice|"
    "(sue/suing/sued) (you/u/them/your/the/this/for)|to sue|will sue|gonna sue|going to sue|"
    "suing|lawsuit|lawsuits|class action|court|small claims|chargeback|charge back|"
    "dispute the charge|trading standards|ombudsman|fcc|fcc complaint|bbb|"
    "better business bureau|ftc|cfpb|attorney general|consumer protection|ofcom|ofgem|"
    "report you to",
    # Spanish
    "abogado|abogada|abogados|demanda|demandar|demandaré|denunciar|denuncia|denunciaré|"
    "tribunal|tribunales|juzgado|acción legal|acciones legales|profeco|hoja de reclamaciones|"
    "defensor del consumidor|oficina del consumidor",
    # French
    "(mon/un/mes/notre) avocat|avocats|poursuivre en justice|procès|tribunal|porter plainte|"
    "action en justice|mise en demeure|médiateur|dgccrf|que choisir",
    # German
    "anwalt|anwältin|rechtsanwalt|verklagen|klage|vor gericht|gerichtlich|rechtliche schritte|"
    "verbraucherzentrale|schlichtungsstelle|bundesnetzagentur",
)
CHURN_WORDS = _phrases(
    # English
    "(cancel/cancelling/canceling) (my/the) "
    "(account/subscription/membership/service/contract/plan/policy/card)|"
    "(close/closing/delete/deleting) (my/the) account|unsubscribe|unsubscribed|"
    "switching to|switch to another|moving to another|(i'm/im/i am) leaving|leaving you|"
    "never again|never using you again|never buying|never flying|never shopping|"
    "never ordering|(take/taking) my business elsewhere|done with you|port my number|"
    "porting my number|going elsewhere|find another provider|last time i use",
    # Spanish
    "darme de baja|dar de baja|me doy de baja|(cancelar/cerrar) mi (cuenta/suscripción/contrato)|"
    "me cambio a|cambiarme a|nunca más|portabilidad",
    # French
    "résilier|résiliation|je résilie|(fermer/clôturer) mon compte|me désabonner|désabonner|"
    "je pars chez|je passe chez|plus jamais",
    # German
    "kündigen|kündige|kündigung|gekündigt|konto (schließen/löschen)|abbestellen|wechsle zu|"
    "nie wieder",
)
HARMLESS = _phrases(
    "fire (tv/stick/tablet/hd/phone/os/edition/emblem/red)|firetv|firestick|kindle fire|"
    "amazon fire|ceasefire|fire sale|smoke test|smoke detector|smoked salmon|smoked meat|"
    "food court|tennis court|basketball court|by accident|emergency contact|"
    "(burned/burnt/burn/burning) out",
)

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_NOISE = re.compile(r"(?<!\S)\S*?(?:@|://|www\.)\S*")  # handles, emails and links


def _index(categories: dict[str | None, list[str]]) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First word -> (phrase words, category), longest phrases first."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for category, phrases in categories.items():
        for phrase in phrases:
            words = tuple(_WORD.findall(phrase.casefold()))
            index.setdefault(words[0], []).append((words, category or ""))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return index


_INDEX = _index(
    {None: HARMLESS, "safety": SAFETY_WORDS, "legal": LEGAL_WORDS, "churn": CHURN_WORDS}
)


def find_words(text: str) -> dict[str, list[str]]:
    """The safety, legal and churn words and phrases in a text, in order, each once."""
    found: dict[str, list[str]] = {"safety": [], "legal": [], "churn": []}
    if not isinstance(text, str) or not text:
        return found
    cleaned = text[:MAX_CHARS].replace("’", "'").casefold()
    if not cleaned.isprintable():
        cleaned = INVISIBLE.sub(" ", cleaned)
    cleaned = _NOISE.sub(" ", cleaned)
    words = _WORD.findall(cleaned)
    i, n = 0, len(words)
    while i < n:
        for phrase, category in _INDEX.get(words[i], ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                shown = " ".join(phrase)
                if category and shown not in found[category]:
                    found[category].append(shown)
                i += len(phrase)
                break
        else:
            i += 1
    return found


@dataclass(frozen=True, slots=True)
class UrgencyBase:
    """The part of urgency that depends only on the text and the model: computed once."""

    parts: tuple[tuple[str, int], ...] = field(default_factory=tuple)  # (reason, points)
    spam: bool = False

    @property
    def points(self) -> int:
        """Points from the text, before the cap."""
        return sum(points for _reason, points in self.parts)


def _quoted(words: list[str]) -> str:
    shown = ", ".join(f"'{w}'" for w in words[:WORDS_SHOWN])
    return shown + (f" and {len(words) - WORDS_SHOWN} more" if len(words) > WORDS_SHOWN else "")


def _finite(value: float, default: float = 0.0) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(value) else value


def base_urgency(
    text: str, intent: str, sentiment: str, sentiment_score: float, spam: bool = False
) -> UrgencyBase:
    """The text-based part of urgency from the text and what the model said about it."""
    if spam:
        return UrgencyBase((("flagged as spam (0)", 0),), spam=True)
    parts: list[tuple[str, int]] = []
    if intent == "complaint":
        parts.append((f"complaint (+{COMPLAINT_POINTS})", COMPLAINT_POINTS))
    elif intent == "request":
        parts.append((f"asks for an action (+{REQUEST_POINTS})", REQUEST_POINTS))
    if sentiment == "negative":
        strength = min(1.0, max(0.0, -_finite(sentiment_score)))
        points = round(NEGATIVE_MIN_POINTS + (NEGATIVE_MAX_POINTS - NEGATIVE_MIN_POINTS) * strength)
        score = min(0.0, max(-1.0, _finite(sentiment_score)))
        parts.append((f"negative sentiment ({score:.2f}) (+{points})", points))
    found = find_words(text)
    for category, label, points in (
        ("safety", "safety words", SAFETY_POINTS),
        ("legal", "legal words", LEGAL_POINTS),
        ("churn", "cancellation or churn words", CHURN_POINTS),
    ):
        if found[category]:
            parts.append((f"{label}: {_quoted(found[category])} (+{points})", points))
    return UrgencyBase(tuple(parts))


def text_urgency(text: str, prediction: Prediction) -> UrgencyBase:
    """The text-based part of urgency for a message and its model prediction (store it)."""
    return base_urgency(
        text,
        prediction.intent,
        prediction.sentiment,
        prediction.sentiment_score,
        prediction.spam,
    )


def waiting_points(waited_seconds: float) -> int:
    """Points for the customer's wait: 20 × w / (w + 1 hour), rounded."""
    waited = max(0.0, _finite(waited_seconds))
    if math.isinf(waited):
        return WAIT_MAX_POINTS
    return round(WAIT_MAX_POINTS * waited / (waited + WAIT_HALF_SECONDS))


def repeat_points(customer_messages: int) -> int:
    """Points for writing again before a reply: 5 per message from the second, at most 15."""
    extra = max(0, int(min(_finite(customer_messages, 1.0), 1e6)) - 1)
    return min(REPEAT_MAX_POINTS, REPEAT_POINTS * extra)


def _duration(seconds: float) -> str:
    if math.isinf(seconds):
        return "a very long time"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def urgency_from(
    base: UrgencyBase,
    waited_seconds: float = 0.0,
    customer_messages: int = 1,
    vip: bool = False,
) -> Urgency:
    """Urgency from the stored text part and the conversation's state now (cheap; on every tick)."""
    if base.spam:
        return Urgency(0, tuple(reason for reason, _points in base.parts))
    parts = list(base.parts)
    waited = max(0.0, _finite(waited_seconds))
    if points := waiting_points(waited):
        parts.append((f"waiting {_duration(waited)} (+{points})", points))
    if points := repeat_points(customer_messages):
        wrote = int(min(_finite(customer_messages, 1.0), 1e6))
        parts.append((f"wrote {wrote} times before a reply (+{points})", points))
    if vip:
        parts.append((f"VIP customer (+{VIP_POINTS})", VIP_POINTS))
    parts.sort(key=lambda part: -part[1])  # stable: equal points keep their order
    score = min(MAX_SCORE, sum(points for _reason, points in parts))
    return Urgency(score, tuple(reason for reason, _points in parts))


def score_urgency(signals: UrgencySignals) -> Urgency:
    """Urgency 0-100 of one message with its reasons."""
    base = base_urgency(signals.text, signals.intent, signals.sentiment, signals.sentiment_score)
    return urgency_from(base, signals.waited_seconds, signals.customer_messages, signals.vip)
