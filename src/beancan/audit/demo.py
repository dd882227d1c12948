"""A realistic demo export, generated on the spot.

``make run`` writes this file on a fresh machine and runs ``beancan audit`` on it, so a new user
sees a meaningful report before they have any data of their own.

The file has exactly the format of the public "Customer Support on Twitter" dataset (Thought
Vector, Kaggle ``thoughtvector/customer-support-on-twitter``)::

    tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id

Everything in it is invented: six fictional brands with deliberately different service levels,
their agents and signatures, anonymised customers (``@100042``) and every text. Nothing is copied
from the real dataset, and the real dataset is not needed.

What the export contains, as real partial exports do:

- customer-initiated threads: complaints, questions, requests and praise; about 70% tag the brand
  with its ``@handle``, the rest only name it (and are rarely answered); some customers chase
  ("hello?? anyone there") before they get an answer; some thank the brand, some stay angry;
- brand replies: personal ones that use the customer's first name, canned ones (the same template
  with only the handle changing), replies that move the customer to DM, e-mail or phone, and
  follow-ups in multi-turn threads; agents sign with ``^JK``, ``-Becky``, ``*KDW``...;
- the brands designed to be personal write most replies fresh: an opening that names the
  customer's problem in their words (the drink, the store, the city, the item), the next step and
  a closing of their own, so their wording rarely repeats; the canned brands paste a few templates
  and the others sit in between (``DemoBrand.fresh``);
- a few brand-initiated threads (an outage notice that customers answer), a few customer tweets
  replying to a parent that is not in the file, and a few threads where two customers talk;
- rows grouped by thread, newest tweet first, threads in no particular time order;
- optionally one broken record near the middle: an unquoted newline splits it over three physical
  lines, the way real exports break.

The output is a pure function of the arguments: the same seed gives the same bytes.
"""

from __future__ import annotations

import csv
import math
import os
import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from beancan.audit.readers import TWCS_COLUMNS

__all__ = [
    "DEFAULT_START",
    "DEMO_BRANDS",
    "HEADER",
    "DemoBrand",
    "DemoSummary",
    "write_demo_export",
]

HEADER = TWCS_COLUMNS

#: Default first instant of the export (UTC), fixed so the default output is reproducible.
DEFAULT_START = datetime(2026, 9, 1, tzinfo=UTC)

_FIRST_CUSTOMER = 100001
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Relative traffic by hour of day (UTC) and by weekday (Monday first): busy day and evening,
# quiet night, quieter weekends.
_HOUR_WEIGHTS = (
    0.35, 0.25, 0.18, 0.13, 0.12, 0.15, 0.30, 0.55, 0.80, 0.95, 1.00, 1.05,
    1.15, 1.10, 1.00, 1.00, 1.05, 1.15, 1.25, 1.35, 1.40, 1.30, 1.00, 0.60,
)  # fmt: skip
_WEEKDAY_WEIGHTS = (1.10, 1.05, 1.00, 1.00, 0.95, 0.70, 0.65)


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`write_demo_export` wrote."""

    path: Path
    records: int  # well-formed records (the broken one is not counted)
    conversations: int
    brands: tuple[str, ...]
    broken_line: int | None  # physical line (header = 1) where the broken record starts


@dataclass(frozen=True)
class DemoBrand:
    """A fictional brand of the demo and the service level it was designed to have."""

    handle: str
    name: str
    industry: str
    service_level: str
    aliases: tuple[str, ...]
    weight: float  # share of the conversations
    answer_rate: float  # share of @-mentions answered
    name_only_rate: float  # share of name-only mentions answered
    median_minutes: float  # median first-reply time while the team is on duty
    sigma: float  # spread of the log-normal reply time
    hours: str  # "always", "day" (07-22 UTC) or "business" (Mon-Fri 08-18, Sat 09-13 UTC)
    personal: float  # share of replies that use the customer's first name
    canned_rate: float  # share of replies taken verbatim from the canned templates
    sign_format: str  # e.g. "^{}" or "-{}"
    agents: tuple[str, ...]
    sign_rate: float
    private: tuple[str, ...] = ()  # how the brand moves a customer to a private channel
    canned: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)
    # Share of the other replies its agents write fresh for the customer (the rest come from a
    # small stock of sentences, so they repeat too).
    fresh: float = 0.0


# --------------------------------------------------------------------------------------------
# The brands.

DEMO_BRANDS: tuple[DemoBrand, ...] = (
    DemoBrand(
        handle="SkylarkAir",
        name="Skylark Airways",
        industry="airline",
        service_level="fast and personal: ~90% answered, median ~12 min, first names, *KDW",
        aliases=("Skylark Airways", "Skylark Airways", "Skylark"),
        weight=0.20,
        answer_rate=0.92,
        name_only_rate=0.18,
        median_minutes=11,
        sigma=0.75,
        hours="always",
        personal=0.8,
        canned_rate=0.05,
        sign_format="*{}",
        agents=("KDW", "RMB", "LTS", "AJN", "CEP", "DMH"),
        sign_rate=0.97,
        fresh=0.85,
        private=(
            "Please DM us your confirmation code and I'll take a look.",
            "Can you send us a DM with your confirmation code? I'll check what I can do.",
            "Please follow us and DM your booking reference so we can look into it.",
        ),
        canned={
            "complaint": (
                "We're sorry for the trouble. Please DM us your confirmation code "
                "and we'll be happy to help.",
            ),
        },
    ),
    DemoBrand(
        handle="VoltaMobileCare",
        name="Volta Mobile",
        industry="carrier",
        service_level="slow, moves everything to DM: ~85% answered, median ~2.5 h, -KC",
        aliases=("Volta Mobile", "Volta Mobile", "Volta"),
        weight=0.20,
        answer_rate=0.85,
        name_only_rate=0.08,
        median_minutes=150,
        sigma=0.9,
        hours="always",
        personal=0.15,
        canned_rate=0.45,
        sign_format="-{}",
        agents=("KC", "MT", "RB", "SJ", "AL", "DP"),
        sign_rate=0.92,
        private=(
            "Please send us a DM with your account number and the zip code where this is "
            "happening.",
            "Can you DM us your account number so we can take a closer look?",
            "Please send us a Direct Message with the number affected and we'll dig into it.",
        ),
        canned={
            "complaint": (
                "We understand your concern and we'd like to help. Please send us a Direct "
                "Message with your account number so we can look into this further.",
            ),
            "request": (
                "We'd be glad to help with that. Please send us a Direct Message with your "
                "account number so we can look into this further.",
            ),
            "angry": (
                "We're sorry for the frustration. Please send us a Direct Message so we can "
                "look into this further.",
            ),
        },
    ),
    DemoBrand(
        handle="BrewhausCoffee",
        name="Brewhaus Coffee",
        industry="coffee",
        service_level="leaves many unanswered: ~45% answered, median ~2 h, days only, "
        "rarely signed",
        aliases=("Brewhaus", "Brewhaus", "Brewhaus Coffee"),
        weight=0.13,
        answer_rate=0.45,
        name_only_rate=0.05,
        median_minutes=90,
        sigma=1.0,
        hours="day",
        personal=0.2,
        canned_rate=0.15,
        sign_format="-{}",
        agents=("Jo", "Sam"),
        sign_rate=0.12,
        fresh=0.3,
        private=(
            "Please email us at hello@brewhaus.example with the store and time of your visit "
            "so we can make it right.",
            "Could you DM us the store location and the time of your visit?",
        ),
        canned={
            "complaint": (
                "Sorry to hear that! Please email us at hello@brewhaus.example so we can make "
                "it right.",
            ),
        },
    ),
    DemoBrand(
        handle="NimbusHelp",
        name="Nimbus TV",
        industry="streaming",
        service_level="canned: ~90% answered, median ~30 min, most replies from a few "
        "templates, ^JK",
        aliases=("Nimbus TV", "Nimbus", "Nimbus TV"),
        weight=0.17,
        answer_rate=0.9,
        name_only_rate=0.12,
        median_minutes=30,
        sigma=0.8,
        hours="always",
        personal=0.03,
        canned_rate=0.85,
        sign_format="^{}",
        agents=("JK", "RT", "MS", "EL", "BW"),
        sign_rate=0.9,
        private=("Please DM us the email address on your account and the device you're using.",),
        canned={
            "complaint": (
                "Sorry to hear you're having trouble! Please try signing out, restarting your "
                "device and signing back in. If that doesn't help, DM us your device model and "
                "the error code you see.",
                "We're sorry about this! Please DM us the email address on your account and "
                "we'll take a look.",
            ),
            "request": (
                "We can help with that! Please DM us the email address on your account and "
                "we'll take a look.",
            ),
            "question": (
                "Thanks for reaching out! You'll find the latest on this at "
                "help.nimbus.example. Let us know if you have any other questions.",
            ),
            "praise": ("Thanks so much for the love! We're so glad you're enjoying Nimbus. 💙",),
            "angry": (
                "We're sorry you feel that way. Please DM us so we can look into this for you.",
            ),
            "dm": ("Thanks! We've received your DM and will continue working with you there.",),
            "thanks": ("Happy to help! Enjoy your shows. 💙",),
        },
    ),
    DemoBrand(
        handle="HarborBankHelp",
        name="Harbor Bank",
        industry="bank",
        service_level="business hours only, sends to phone/e-mail: ~80% answered, hours to "
        "reply, ^Grace",
        aliases=("Harbor Bank", "Harbor Bank", "Harbor"),
        weight=0.12,
        answer_rate=0.8,
        name_only_rate=0.0,
        median_minutes=50,
        sigma=0.9,
        hours="business",
        personal=0.35,
        canned_rate=0.4,
        sign_format="^{}",
        agents=("Grace", "Ollie", "Nadia", "Tom"),
        sign_rate=0.6,
        fresh=0.45,
        private=(
            "For your security please don't share account details here. Call us at "
            "1-800-555-0187 (24/7) and choose option 2.",
            "Please send us a DM (no card numbers, please) and we'll arrange a callback.",
            "You can email us at help@harborbank.example and we'll get back to you within one "
            "working day.",
        ),
        canned={
            "complaint": (
                "We're sorry to hear this. For your security please don't share account "
                "details here. Please call us at 1-800-555-0187 so we can help.",
            ),
            "request": (
                "We can help with that. For your security please don't share account details "
                "here. Please call us at 1-800-555-0187 so we can help.",
            ),
        },
    ),
    DemoBrand(
        handle="ParcellyHelp",
        name="Parcelly",
        industry="shop",
        service_level="personal: ~88% answered, median ~25 min, first names, -Becky",
        aliases=("Parcelly", "Parcelly", "Parcelly.com"),
        weight=0.18,
        answer_rate=0.88,
        name_only_rate=0.15,
        median_minutes=24,
        sigma=0.8,
        hours="always",
        personal=0.7,
        canned_rate=0.05,
        sign_format="-{}",
        agents=("Becky", "Marcus", "Tasha", "Dan", "Kayla"),
        sign_rate=0.95,
        fresh=0.78,
        private=(
            "Could you DM us your order number? I'll chase the courier for you.",
            "Please DM your order number and the email address on your account.",
            "Please send us a DM with your order number and I'll sort this out.",
        ),
    ),
)

_BRAND_BY_HANDLE = {b.handle: b for b in DEMO_BRANDS}


# --------------------------------------------------------------------------------------------
# What customers say, and what brands answer, by industry.


@dataclass(frozen=True)
class _Issue:
    intent: str  # complaint, question, request, praise
    weight: float
    direct: tuple[str, ...]  # addressed to the brand; the @handle goes in front
    about: tuple[str, ...]  # mention the brand as {b}: its @handle or its name
    replies: tuple[tuple[str, str], ...]  # (kind, text): kind is private, info, sorry, thanks
    followups: tuple[tuple[str, str], ...] = ()  # (customer's next question, brand's answer)
    # How an agent writing fresh names the problem: noun phrases, used only when the customer
    # mentioned every field they contain ("the delay out of {city}").
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Notice:
    text: str
    update: str
    replies: tuple[str, ...]
    answers: tuple[str, ...]


@dataclass(frozen=True)
class _Industry:
    issues: tuple[_Issue, ...]
    notices: tuple[_Notice, ...]
    missing: tuple[str, ...]  # a customer answering a tweet that is not in the export
    tips: tuple[str, ...]  # one customer helping another
    broken: tuple[str, ...]  # texts for the broken record: no commas, no quotes
    slots: Callable[[random.Random], dict[str, str]]
    wishes: tuple[str, ...] = ()  # how a fresh reply may close; fields as in topics
    pass_on: tuple[str, ...] = ()  # how a fresh reply to praise promises to share it


_CITIES = (
    ("Denver", "DEN"), ("Chicago", "ORD"), ("Boston", "BOS"), ("Lisbon", "LIS"),
    ("Dublin", "DUB"), ("Seattle", "SEA"), ("Atlanta", "ATL"), ("Toronto", "YYZ"),
    ("Phoenix", "PHX"), ("Madrid", "MAD"), ("Newark", "EWR"), ("Austin", "AUS"),
    ("Orlando", "MCO"), ("Amsterdam", "AMS"), ("Miami", "MIA"), ("Portland", "PDX"),
)  # fmt: skip
_TOWNS = (
    "Fresno", "Tulsa", "Dayton", "Reno", "Albany", "Boise", "Spokane", "Akron", "Tacoma",
    "Savannah", "Madison", "Omaha", "Wichita", "Eugene", "Lansing", "Toledo", "Raleigh",
)  # fmt: skip
_STREETS = ("Main St", "5th Ave", "Elm St", "Union Square", "Market St", "Oak Ave", "Station Rd")
_SHOWS = (
    "The Quiet Harbour", "Night Shift Diaries", "Glass Kingdom", "Copper Coast", "Lowlands",
    "The Last Orchard", "Paper Moons", "Salt & Ember",
)  # fmt: skip
_PRODUCTS = (
    "desk lamp", "air fryer", "phone case", "duvet cover", "coffee grinder", "yoga mat",
    "backpack", "bluetooth speaker", "kettle", "office chair", "suitcase", "blender",
)  # fmt: skip
_APPAREL = (
    "rain jacket", "hoodie", "winter coat", "sweater", "denim jacket", "dress", "fleece",
)  # fmt: skip
_DRINKS = (
    "oat latte", "cold brew", "caramel macchiato", "flat white", "chai latte", "maple pecan latte",
    "iced mocha", "hazelnut cappuccino",
)  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _code(rng: random.Random, n: int, alphabet: str = string.ascii_uppercase + "23456789") -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _airline_slots(rng: random.Random) -> dict[str, str]:
    (city, airport), (dest, dest_code) = rng.sample(_CITIES, 2)
    number = rng.randint(102, 2980)
    style = rng.random()
    flight_said = f"SK{number}" if style < 0.5 else f"SK {number}" if style < 0.8 else f"{number}"
    hour = rng.randint(6, 22)
    return {
        "flight": f"SK{number}",
        "flight_said": flight_said,
        "city": city,
        "airport": airport,
        "dest": dest,
        "dest_code": dest_code,
        "hours": str(rng.choice((2, 2, 3, 3, 4, 5, 6))),
        "minutes": str(rng.choice((40, 50, 60, 75, 90, 120))),
        "ref": _code(rng, 6),
        "bag_ref": f"{airport}SK{rng.randint(10000, 99999)}",
        "new_time": f"{hour}:{rng.choice(('05', '15', '20', '35', '40', '50'))}",
        "reason": rng.choice(
            (
                "a late inbound aircraft",
                f"weather in {dest}",
                "a crew scheduling issue",
                "an unscheduled maintenance check",
                "air traffic control restrictions",
            )
        ),
        "fee": str(rng.choice((75, 99, 125, 150))),
        "day": rng.choice(_WEEKDAYS),
        "weeks": str(rng.randint(3, 9)),
        "days": str(rng.randint(2, 5)),
    }


def _carrier_slots(rng: random.Random) -> dict[str, str]:
    plan, price = rng.choice(
        (("Unlimited Plus", 65), ("Unlimited Max", 80), ("15GB", 40), ("5GB", 25), ("Family", 120))
    )
    return {
        "town": rng.choice(_TOWNS),
        "plan": plan,
        "price": str(price),
        "amount": f"{price + rng.randint(18, 140)}.{rng.randint(0, 99):02d}",
        "speed": rng.choice(("0.3", "0.5", "1.2", "0.8")),
        "order": f"VM-{rng.randint(1000000, 9999999)}",
        "days": str(rng.randint(5, 14)),
        "country": rng.choice(("Mexico", "Canada", "Spain", "Italy", "Portugal", "Japan")),
        "hours": str(rng.randint(2, 9)),
        "zip": f"{rng.randint(10000, 99999)}",
    }


def _coffee_slots(rng: random.Random) -> dict[str, str]:
    return {
        "drink": rng.choice(_DRINKS),
        "store": f"{rng.choice(_STREETS)} store",
        "town": rng.choice(_TOWNS),
        "beans": str(rng.randint(12, 90) * 10),
        "minutes": str(rng.choice((15, 20, 25, 30, 40))),
        "amount": f"{rng.randint(4, 9)}.{rng.choice(('25', '45', '65', '95'))}",
    }


def _streaming_slots(rng: random.Random) -> dict[str, str]:
    plan, price = rng.choice((("Premium", "19.99"), ("Standard", "13.99"), ("Basic", "7.99")))
    return {
        "device": rng.choice(
            ("smart TV", "phone", "laptop", "games console", "tablet", "streaming stick")
        ),
        "show": rng.choice(_SHOWS),
        "code": f"NB-{rng.randint(100, 9999)}",
        "plan": plan,
        "price": price,
        "season": str(rng.randint(2, 5)),
        "episode": str(rng.randint(2, 10)),
    }


def _bank_slots(rng: random.Random) -> dict[str, str]:
    return {
        "amount": f"{rng.randint(2, 95) * 10 + rng.choice((0, 5))}",
        "big_amount": f"{rng.randint(3, 40) * 100:,}",
        "town": rng.choice(_TOWNS),
        "day": rng.choice(_WEEKDAYS[:5]),
        "merchant": rng.choice(
            ("the supermarket", "the gas station", "a restaurant", "the pharmacy", "a hotel")
        ),
        "last4": f"{rng.randint(0, 9999):04d}",
        "times": rng.choice(("twice", "3 times", "again")),
    }


def _shop_slots(rng: random.Random) -> dict[str, str]:
    product = rng.choice(_PRODUCTS)
    return {
        "order": f"#P{rng.randint(10000000, 99999999)}",
        "product": product,
        "apparel": rng.choice(_APPAREL),
        "size": rng.choice(("S", "M", "L", "XL")),
        "day": rng.choice(_WEEKDAYS),
        "days": str(rng.randint(4, 12)),
        "weeks": str(rng.randint(2, 6)),
        "amount": f"{rng.randint(18, 240)}.{rng.choice(('00', '49', '95', '99'))}",
        "country": rng.choice(("Canada", "Ireland", "Mexico", "Germany", "Australia")),
        "town": rng.choice(_TOWNS),
    }


_INDUSTRIES: dict[str, _Industry] = {
    "airline": _Industry(
        slots=_airline_slots,
        wishes=(
            "Safe travels.",
            "Safe travels to {dest}.",
            "Hope the rest of your trip goes smoothly.",
            "Enjoy your time in {dest}.",
            "Hope the journey home is a calmer one.",
            "Wishing you a smoother journey from here.",
            "Hope you're in {dest} before long.",
            "Fingers crossed for an easy flight.",
        ),
        pass_on=(
            "I'll pass this on to the crew.",
            "I'll make sure the crew hears about it.",
            "The team will be thrilled to hear this.",
            "I've shared this with the crew.",
            "I'll forward this to the team at {airport}.",
            "This is going straight to the crew's manager.",
            "I'll make sure this reaches the people who earned it.",
        ),
        issues=(
            _Issue(
                "complaint",
                5,
                direct=(
                    "{flight_said} from {city} has been delayed {hours} hours and the gate staff "
                    "have no idea why",
                    "sitting on the tarmac at {airport} for {minutes} minutes on {flight_said}. "
                    "no updates, no water",
                    "third delay this month, now on {flight_said}. starting to think it's a "
                    "pattern",
                    "{flight_said} delayed AGAIN. I'm going to miss my sister's rehearsal dinner",
                    "why does the app say {flight_said} is on time when the board at {airport} "
                    "says delayed {hours} hours?",
                ),
                about=(
                    "{hours} hours at {airport} waiting for {flight_said}. thanks {b}",
                    "never flying {b} again. {flight_said} delayed {hours} hours with zero "
                    "communication",
                    "{b} has managed to turn a 2 hour flight into a whole day. {flight_said} "
                    "still not boarding",
                ),
                topics=(
                    "the delay",
                    "this delay",
                    "another delay",
                    "the delay on {flight}",
                    "the delay out of {city}",
                    "the wait at {airport}",
                    "being stuck at {airport}",
                    "the lack of updates",
                    "the hold-up on {flight}",
                    "the lack of information about {flight}",
                ),
                replies=(
                    (
                        "info",
                        "I'm sorry about the delay on {flight}. It's due to {reason}; the new "
                        "departure time is {new_time}.",
                    ),
                    ("private", "I'm so sorry for the delay. {private}"),
                    (
                        "sorry",
                        "I apologize for the delay. The team on the ground is working to get you "
                        "on your way as soon as possible.",
                    ),
                    (
                        "info",
                        "I'm sorry, delays are never fun. {flight} is now estimated to depart at "
                        "{new_time}. We'll keep you posted in the app.",
                    ),
                ),
                followups=(
                    (
                        "will we get meal vouchers at least?",
                        "The gate agents can give you a meal voucher for delays over 3 hours. "
                        "Just ask at the desk.",
                    ),
                    (
                        "am I going to make my connection?",
                        "It'll be tight. If you miss it, you'll be rebooked automatically on the "
                        "next flight and notified in the app.",
                    ),
                    (
                        "can I get compensation for this?",
                        "You can request compensation at skylark.example/claims once you've "
                        "travelled. It takes about 2 weeks.",
                    ),
                ),
            ),
            _Issue(
                "request",
                1.5,
                direct=(
                    "my connection to {dest} left without us because {flight_said} was late. "
                    "what now?",
                    "missed my connection in {city} because of your delay. the desk line is 200 "
                    "people long",
                ),
                about=("stuck in {city} overnight because {b} can't run a flight on time",),
                topics=(
                    "your missed connection",
                    "the missed connection",
                    "your connection to {dest}",
                    "the missed connection in {city}",
                    "your onward trip to {dest}",
                    "the connection in {city}",
                ),
                replies=(
                    ("private", "I'm sorry you missed your connection. {private}"),
                    (
                        "info",
                        "I'm sorry you missed your connection. You've been rebooked on the next "
                        "flight to {dest} at {new_time}, and the new boarding pass is in the app.",
                    ),
                ),
                followups=(
                    (
                        "and the hotel?",
                        "If you're stuck overnight, the transfer desk will give you a hotel and "
                        "meal voucher.",
                    ),
                ),
            ),
            _Issue(
                "complaint",
                3,
                direct=(
                    "landed in {city} {hours} hours ago and my bag is still missing. nobody "
                    "answers the baggage line",
                    "day {days} without my suitcase. all my work clothes are in it",
                    "where is my bag? file {bag_ref}, the website still says 'tracing'",
                ),
                about=(
                    "{b} lost my bag on the way to {city}. day {days} of wearing the same jeans",
                    "shoutout to {b} for sending my suitcase on its own holiday",
                ),
                topics=(
                    "your missing bag",
                    "the delayed bag",
                    "your suitcase going missing",
                    "the wait for your bag",
                    "the bag you're missing in {city}",
                    "arriving in {city} without your bag",
                    "the slow trace on your bag",
                ),
                replies=(
                    (
                        "private",
                        "I'm really sorry your bag hasn't arrived. Please DM us your file "
                        "reference and bag tag number and I'll check the tracing system.",
                    ),
                    (
                        "sorry",
                        "I'm so sorry your bag didn't make it. Most delayed bags are back with "
                        "their owners within 48 hours, and you can follow yours at "
                        "skylark.example/bags.",
                    ),
                ),
                followups=(
                    (
                        "can I buy a few things in the meantime and get the money back?",
                        "Yes, keep your receipts for essentials and submit them with your file "
                        "reference at skylark.example/bags.",
                    ),
                ),
            ),
            _Issue(
                "complaint",
                1,
                direct=(
                    "my bag came off the carousel at {airport} with a broken handle and a soaked "
                    "lining",
                ),
                about=("thanks {b} for destroying my suitcase",),
                topics=(
                    "the damage to your bag",
                    "your damaged suitcase",
                    "the broken handle",
                    "the state of your bag at {airport}",
                    "what happened to your suitcase at {airport}",
                ),
                replies=(
                    (
                        "private",
                        "I'm sorry your bag was damaged. Please DM us a photo and your bag tag "
                        "number and we'll sort out a repair or replacement.",
                    ),
                ),
            ),
            _Issue(
                "request",
                3,
                direct=(
                    "can I change my seat on {flight_said} tomorrow? the app keeps throwing an "
                    "error",
                    "I need to move my flight on {day} to the week after. how do I do that?",
                    "how do I add a bag to my booking {ref}? the website won't let me",
                    "my name is misspelled on my ticket, can you fix it before {day}?",
                ),
                about=(
                    "trying to change a flight on the {b} website is a full time job",
                    "is there anyone at {b} who can help me change a booking? app says error 500",
                ),
                topics=(
                    "your booking change",
                    "the change to your booking",
                    "your booking",
                    "the change you need",
                    "the update to your trip",
                    "the booking for {day}",
                    "booking {ref}",
                ),
                replies=(
                    ("private", "I can help with that. {private}"),
                    (
                        "info",
                        "Happy to help! You can do this under Manage Booking in the app, or DM "
                        "us your confirmation code and we'll do it for you.",
                    ),
                ),
                followups=(
                    (
                        "is there a fee?",
                        "Seat changes and name corrections are free. Date changes are ${fee} plus "
                        "any fare difference.",
                    ),
                ),
            ),
            _Issue(
                "request",
                2,
                direct=(
                    "I cancelled my trip {weeks} weeks ago and still no refund. booking {ref}",
                    "my flight was cancelled by YOU and I still haven't seen my money. {ref}",
                    "where is my refund for booking {ref}? it's been {weeks} weeks",
                ),
                about=(
                    "{weeks} weeks waiting for a refund from {b}. starting to think it's not "
                    "coming",
                ),
                topics=(
                    "your refund",
                    "the refund",
                    "the wait for your refund",
                    "the refund for booking {ref}",
                    "the refund for your cancelled trip",
                    "the money you're owed",
                ),
                replies=(
                    ("private", "I'm sorry your refund is taking this long. {private}"),
                    (
                        "private",
                        "Refunds can take up to 7 weeks to reach your card, but that's too long "
                        "to wait. {private}",
                    ),
                ),
            ),
            _Issue(
                "question",
                0.8,
                direct=(
                    "what's the carry-on allowance on basic economy?",
                    "how heavy can my cabin bag be?",
                ),
                about=("does anyone know how strict {b} is about cabin bags?",),
                topics=(
                    "cabin bags",
                    "the carry-on allowance",
                    "cabin bag rules",
                    "what you can bring on board",
                ),
                replies=(
                    (
                        "info",
                        "One cabin bag up to 10kg plus one personal item on all fares, basic "
                        "economy included.",
                    ),
                ),
                followups=(
                    (
                        "and if it's a bit over?",
                        "The gate team may ask you to check it. It's free if the flight is full.",
                    ),
                ),
            ),
            _Issue(
                "question",
                0.6,
                direct=("do I need to print my boarding pass for {city} or is the app fine?",),
                about=("do you need a printed boarding pass with {b} or is the app ok?",),
                topics=(
                    "boarding passes",
                    "your boarding pass",
                    "checking in for {city}",
                    "the boarding pass for {city}",
                ),
                replies=(("info", "The mobile boarding pass in the app is all you need."),),
            ),
            _Issue(
                "question",
                0.6,
                direct=("is there wifi on the {city} to {dest} flight?",),
                about=("flying {b} to {dest} next week. is there wifi on board?",),
                topics=(
                    "wifi on board",
                    "wifi",
                    "wifi on the {city} route",
                    "wifi on the way to {dest}",
                ),
                replies=(("info", "Yes! All our flights have wifi, and messaging is free."),),
            ),
            _Issue(
                "question",
                0.5,
                direct=(
                    "how early should I get to {airport} on a Friday evening?",
                    "can I bring my guitar in the cabin?",
                ),
                about=("first time flying {b} next week. anything I should know?",),
                topics=(
                    "your trip",
                    "your upcoming flight",
                    "your travel plans",
                    "your trip from {airport}",
                ),
                replies=(
                    (
                        "private",
                        "Happy to help! Send us a DM with your flight details and we'll go "
                        "through it with you.",
                    ),
                ),
            ),
            _Issue(
                "praise",
                2,
                direct=(
                    "huge thanks to the crew on {flight_said} today, they looked after my nan "
                    "the whole way",
                    "smoothest check in ever at {airport}. well done",
                    "landed 20 minutes early and the bags were out in 10. who are you and what "
                    "have you done with my usual airline",
                ),
                about=(
                    "the {b} crew on {flight_said} sang happy birthday to my daughter. she's "
                    "still talking about it",
                    "ok {b} you were great today",
                ),
                topics=(
                    "the crew on {flight}",
                    "your flight today",
                    "the team at {airport}",
                    "your trip",
                    "the trip",
                    "check-in at {airport}",
                ),
                replies=(
                    ("thanks", "Thank you for flying with us! We'll pass this on to the team."),
                    ("thanks", "This made our day. Thanks for taking the time to tell us."),
                ),
            ),
        ),
        notices=(
            _Notice(
                text="Our website and app are running slowly right now, so check-in may take "
                "longer than usual. You can still check in at the airport kiosks.",
                update="The website and app are back up to speed. Thanks for bearing with us.",
                replies=(
                    "can't check in at all, it just spins",
                    "will I lose my seat if I can't check in online?",
                    "the kiosks at {airport} aren't working either",
                    "thanks for letting us know",
                ),
                answers=(
                    "Your seat is safe. Check-in at the airport is free of charge today.",
                    "I'm sorry about that. Please see an agent at the desk and they'll help.",
                ),
            ),
            _Notice(
                text="Storms around {airport} are causing delays and some cancellations "
                "today. Please check your flight status in the app before heading to the "
                "airport.",
                update="Update: operations at {airport} are back to normal. Thanks for your "
                "patience today.",
                replies=(
                    "still no update on {flight_said}, we're sitting at the gate",
                    "will we get hotel vouchers if it's cancelled?",
                    "thanks for the heads up",
                    "every single time I fly with you",
                    "my flight shows on time, is that right?",
                    "the rebooking link in the app doesn't work",
                ),
                answers=(
                    "I'm sorry for the disruption. {private}",
                    "If your flight is cancelled, the gate team will arrange a hotel for you.",
                    "The app is the most accurate source right now. Thanks for your patience.",
                ),
            ),
        ),
        missing=(
            "how about fixing the delays on {flight_said} before posting ads",
            "I did DM you yesterday and still nothing",
            "that's what you said last week. still no refund",
            "you said someone would call me back. nobody called",
        ),
        tips=(
            "if you file the claim online it goes much faster than the phone",
            "ask at the gate for a meal voucher, they gave me one",
            "rebook in the app, it's way faster than the line at the desk",
        ),
        broken=(
            "Just landed and my bag is on a different continent. Anyone awake over there? 😩",
            "Three hours on the tarmac and not a single announcement",
        ),
    ),
    "carrier": _Industry(
        slots=_carrier_slots,
        wishes=(
            "Hope you're back to full bars soon.",
            "Hope the signal in {town} holds up from here.",
            "Enjoy the trip to {country}.",
            "Thanks for sticking with us.",
            "Hope the rest of your week is smoother.",
        ),
        pass_on=(
            "I'll pass this on to the team.",
            "I'll make sure the {town} store hears about it.",
            "The team will love this.",
        ),
        issues=(
            _Issue(
                "complaint",
                5,
                direct=(
                    "no signal in {town} since this morning. paying for 5G and getting nothing",
                    "data has been crawling all day in {town}, {speed} Mbps on the {plan} plan",
                    "calls keep dropping after 30 seconds in {town}. been like this for {days} "
                    "days",
                    "is there an outage in {town}? SOS only on my phone",
                ),
                about=(
                    "{b} has the worst coverage in {town}. one bar in the middle of downtown",
                    "paying {b} ${price} a month for {speed} Mbps in {town}. amazing",
                    "{hours} hours without signal in {town}. thanks {b}",
                ),
                topics=(
                    "the signal trouble",
                    "the outage",
                    "the signal in {town}",
                    "the coverage in {town}",
                    "the slow data",
                    "the dropped calls in {town}",
                    "the service on your {plan} plan",
                ),
                replies=(
                    ("private", "Sorry about that! {private}"),
                    (
                        "sorry",
                        "Sorry for the trouble. There's work on a mast near {town}, it should "
                        "be finished by tonight.",
                    ),
                    (
                        "fix",
                        "Sorry about that! Please restart your phone and toggle airplane mode on "
                        "and off. If it's still not working, DM us your zip code.",
                    ),
                ),
                followups=(
                    (
                        "will I get a credit for the days without service?",
                        "Yes, once the fix is confirmed we'll add a credit to your next bill.",
                    ),
                ),
            ),
            _Issue(
                "complaint",
                1.5,
                direct=(
                    "my eSIM stopped working after the update and the store can't help",
                    "phone says No SIM since this morning",
                ),
                about=("3 {b} stores, 3 different answers about my eSIM",),
                topics=(
                    "the eSIM trouble",
                    "the trouble with your eSIM",
                    "the No SIM error",
                    "the SIM problem",
                ),
                replies=(
                    ("private", "Sorry about that! {private}"),
                    (
                        "fix",
                        "Sorry about that! Go to Settings > Mobile Data, reset the eSIM and "
                        "restart. If it still says No SIM, DM us and we'll send you a new one.",
                    ),
                ),
            ),
            _Issue(
                "complaint",
                3,
                direct=(
                    "why is my bill ${amount} this month when my plan is ${price}?",
                    "charged twice for roaming in {country}. I had the travel pass!",
                    "you charged me a late fee even though autopay is on",
                ),
                about=(
                    "another month, another surprise on my {b} bill",
                    "{b} just billed me ${amount} for a ${price} plan. cool cool cool",
                ),
                topics=(
                    "your bill",
                    "the charge on your bill",
                    "the unexpected charge",
                    "the roaming charges in {country}",
                    "the bill for your plan",
                ),
                replies=(
                    ("private", "We'd like to go through your bill with you. {private}"),
                    (
                        "private",
                        "That doesn't look right, sorry. A one-off charge usually means a "
                        "partial month after a plan change. {private}",
                    ),
                ),
            ),
            _Issue(
                "request",
                2,
                direct=(
                    "how do I cancel? been trying to get through on the phone for {hours} hours",
                    "want to switch to the {plan} plan but the app won't let me",
                    "need to unlock my phone before I travel to {country}",
                ),
                about=("good luck trying to cancel anything with {b}",),
                topics=(
                    "your request",
                    "the change you need",
                    "the {plan} switch",
                    "unlocking your phone for {country}",
                    "your account",
                ),
                replies=(
                    ("private", "We can help with that. {private}"),
                    (
                        "private",
                        "You can call us at 1-800-555-0134 (8am-10pm ET), or we can help here. "
                        "{private}",
                    ),
                ),
            ),
            _Issue(
                "complaint",
                1.5,
                direct=(
                    "ordered a new phone {days} days ago, order {order} still says processing",
                ),
                about=("{days} days waiting for a phone from {b}. still 'processing'",),
                topics=(
                    "your phone order",
                    "the wait for your new phone",
                    "the wait on order {order}",
                    "the wait for your order",
                ),
                replies=(
                    ("private", "Sorry for the wait! {private}"),
                    (
                        "sorry",
                        "Sorry for the wait! Demand for the new phones is high and most orders "
                        "ship within 2 weeks. You'll get a tracking email as soon as it leaves.",
                    ),
                ),
            ),
            _Issue(
                "question",
                0.7,
                direct=("does the {plan} plan include hotspot?",),
                about=("anyone know if {b} plans include hotspot?",),
                topics=(
                    "hotspot",
                    "hotspot on {plan}",
                    "hotspot on your plan",
                ),
                replies=(
                    (
                        "info",
                        "Hotspot is included on all our plans: 15GB a month on Unlimited, and it "
                        "shares your data allowance on the others.",
                    ),
                ),
            ),
            _Issue(
                "question",
                0.7,
                direct=("will my phone work in {country} next week?",),
                about=("anyone know if {b} charges for roaming in {country}?",),
                topics=(
                    "roaming",
                    "using your phone in {country}",
                    "roaming in {country}",
                    "travel abroad",
                ),
                replies=(
                    (
                        "info",
                        "It will! Add the Travel Pass in the app for $10 a day and use your plan "
                        "as at home.",
                    ),
                ),
                followups=(
                    (
                        "is it per day even if I don't use it?",
                        "You're only charged on the days you use your phone abroad.",
                    ),
                ),
            ),
            _Issue(
                "question",
                0.6,
                direct=("when does 5G come to {town}?",),
                about=("does {b} even have 5G in {town}?",),
                topics=(
                    "5G",
                    "5G in {town}",
                    "coverage in {town}",
                ),
                replies=(
                    (
                        "info",
                        "We're adding 5G sites every month. You can check coverage for your "
                        "address at volta.example/coverage.",
                    ),
                ),
            ),
            _Issue(
                "praise",
                1,
                direct=(
                    "shoutout to the guy in the {town} store who fixed my eSIM in 5 minutes",
                    "finally full bars at home. whatever you did, thank you",
                ),
                about=("switched to {b} last month and honestly no complaints",),
                topics=(
                    "the {town} store team",
                    "your service",
                    "the signal at home",
                    "the team",
                ),
                replies=(("thanks", "So good to hear! Thanks for being with us."),),
            ),
        ),
        notices=(
            _Notice(
                text="Some customers are having trouble logging in to the Volta app. We're "
                "looking into it; you can still pay your bill at volta.example/pay.",
                update="The app is working again. Thanks for your patience!",
                replies=(
                    "and my autopay just failed because of it",
                    "been like this since yesterday",
                    "the website doesn't work either",
                ),
                answers=(
                    "Sorry about that! We won't charge a late fee for failed payments today.",
                    "Sorry for the trouble. {private}",
                ),
            ),
            _Notice(
                text="We're aware some customers in the {town} area can't make calls or use "
                "data right now. Our engineers are on it and we'll post updates here.",
                update="Update: service in the {town} area has been restored. If you still "
                "have issues, please restart your phone.",
                replies=(
                    "still nothing here in {town}",
                    "any ETA? {hours} hours now",
                    "3rd time this month. when do we get a credit?",
                    "thanks for letting us know",
                    "it's not just {town}, I'm 40 miles away and no signal either",
                ),
                answers=(
                    "We're sorry for the disruption. Engineers are still on site and we'll "
                    "update here as soon as we know more.",
                    "Thanks for your patience. {private}",
                ),
            ),
        ),
        missing=(
            "that's what you said last week. still broken",
            "I DMed you my account number {days} days ago",
            "nice promo, now fix the signal in {town}",
        ),
        tips=(
            "turning off wifi calling fixed it for me",
            "switch the network mode to LTE only, worked for me",
            "the chat in the app is way faster than calling",
        ),
        broken=(
            "No signal at home for two days now and nobody can tell me why",
            "Why does my bill go up every single month",
        ),
    ),
    "coffee": _Industry(
        slots=_coffee_slots,
        wishes=(
            "Hope your next {drink} is spot on.",
            "Enjoy your next {drink}.",
            "See you at the {store} soon.",
            "Hope the rest of your day is brighter.",
            "We'd love another chance to get your coffee right.",
            "Hope to see you again soon.",
            "Enjoy the rest of your morning.",
        ),
        pass_on=(
            "I'll pass this on to the baristas.",
            "I'll make sure the {store} team sees this.",
            "The crew will be so pleased.",
            "I'm sharing this with the store right now.",
            "This is going on the team's noticeboard.",
        ),
        issues=(
            _Issue(
                "complaint",
                4,
                direct=(
                    "ordered an {drink} with oat milk and got whole milk. third time at the "
                    "{store}",
                    "my {drink} was basically cold",
                    "the {store} in {town} got my order wrong again",
                ),
                about=(
                    "{b} really said oat milk and then used whole milk. again",
                    "{minutes} minutes in line at {b} and they forgot my order",
                ),
                topics=(
                    "your order",
                    "the mix-up with your order",
                    "your {drink} not being right",
                    "the mix-up with your {drink}",
                    "your order at the {store}",
                    "the order at our {town} store",
                ),
                replies=(
                    ("private", "Sorry about that! {private}"),
                    (
                        "sorry",
                        "That's not the experience we want you to have. We'll share this with "
                        "the store team.",
                    ),
                ),
            ),
            _Issue(
                "complaint",
                3,
                direct=(
                    "the app took my money but the order never came through. ${amount} gone",
                    "all my beans disappeared from the app. I had {beans}",
                    "the app keeps crashing when I try to pay",
                ),
                about=("lost {beans} beans in the {b} app update. thanks for nothing",),
                topics=(
                    "the app trouble",
                    "the app issue",
                    "the glitch in the app",
                    "your {beans} beans",
                    "the ${amount} that went missing",
                ),
                replies=(
                    ("private", "Oh no, sorry about that! {private}"),
                    (
                        "fix",
                        "Sorry about that! Updating the app and signing out and back in fixes "
                        "most issues. If it doesn't, please DM us.",
                    ),
                ),
            ),
            _Issue(
                "complaint",
                2,
                direct=(
                    "the {store} in {town} closed 30 minutes early again",
                    "waited {minutes} minutes for a coffee at the {store} in {town}",
                ),
                about=("why is {b} in {town} always out of oat milk",),
                topics=(
                    "your visit",
                    "the wait",
                    "your visit to the {store}",
                    "what happened at the {store} in {town}",
                    "the wait at the {store}",
                    "the hours at our {town} store",
                ),
                replies=(
                    (
                        "sorry",
                        "Sorry about that. We'll share your feedback with the store's manager.",
                    ),
                    ("private", "Sorry about that! {private}"),
                ),
            ),
            _Issue(
                "question",
                1.2,
                direct=("is the {drink} back this fall?",),
                about=("does {b} still do the {drink} or did they get rid of it",),
                topics=(
                    "the {drink}",
                    "our seasonal menu",
                    "the fall menu",
                    "the {drink} coming back",
                ),
                replies=(("info", "It is! Available at all stores while supplies last."),),
            ),
            _Issue(
                "question",
                0.8,
                direct=("are you open on Labor Day?",),
                about=("is {b} open on Labor Day?",),
                topics=(
                    "holiday hours",
                    "Labor Day hours",
                    "opening hours",
                ),
                replies=(
                    (
                        "info",
                        "Most of our stores keep normal hours on holidays. Check the app for "
                        "yours.",
                    ),
                ),
            ),
            _Issue(
                "question",
                0.7,
                direct=("do you have a dairy free pumpkin drink?",),
                about=("does {b} do anything pumpkin that's dairy free?",),
                topics=(
                    "dairy-free options",
                    "pumpkin drinks",
                    "dairy-free pumpkin drinks",
                ),
                replies=(
                    ("info", "Yes! Ask for the pumpkin latte with oat milk and no whipped cream."),
                ),
            ),
            _Issue(
                "praise",
                3,
                direct=(
                    "the barista at the {store} drew a cat on my latte, made my day",
                    "best {drink} I've had all year",
                    "thank you to the morning crew at the {store}, you're the real heroes",
                ),
                about=(
                    "{b} {drink} season is here and I'm so happy",
                    "can't start the day without {b}",
                ),
                topics=(
                    "your visit",
                    "your coffee",
                    "the {store} crew",
                    "your {drink}",
                    "the team at the {store}",
                ),
                replies=(
                    ("thanks", "This is the best! We'll pass it on to the team. ☕"),
                    ("thanks", "We love this! Thanks for stopping by."),
                ),
            ),
        ),
        notices=(
            _Notice(
                text="Our rewards program is getting an update tonight, so beans may not show "
                "in the app for a few hours. Don't worry, nothing is lost!",
                update="The update is done and all beans are back in your accounts.",
                replies=(
                    "my beans are still gone",
                    "so can I still use my free drink today?",
                    "thanks for the warning",
                ),
                answers=(
                    "They should be back within a few hours. If not, please DM us.",
                    "Yes! Rewards can still be redeemed at the register today.",
                ),
            ),
            _Notice(
                text="Heads up: mobile ordering is down in some stores right now. You can "
                "still order at the counter and we're working to fix it.",
                update="Mobile ordering is back! Thanks for bearing with us.",
                replies=(
                    "this is why I was standing there for 20 minutes",
                    "will my order that didn't come through get refunded?",
                    "still down at the {store}",
                ),
                answers=(
                    "Orders that didn't go through will be refunded automatically within a "
                    "few days.",
                    "Sorry about that! {private}",
                ),
            ),
        ),
        missing=(
            "still waiting for someone to email me back about this",
            "can you bring back the {drink} instead?",
        ),
        tips=(
            "ask for a refund at the counter, they did it for me on the spot",
            "the refund form in the app worked for me, took 2 days",
        ),
        broken=("My order never came through and the app still took my money",),
    ),
    "streaming": _Industry(
        slots=_streaming_slots,
        wishes=(
            "Enjoy {show}.",
            "Enjoy the rest of the season.",
            "Enjoy your watching tonight.",
            "Hope the rest of the evening is relaxing.",
        ),
        pass_on=(
            "I'll pass this on to the team.",
            "The team will love hearing this.",
        ),
        issues=(
            _Issue(
                "complaint",
                5,
                direct=(
                    "keeps buffering on my {device} even though every other app is fine",
                    "error {code} every time I try to play {show}",
                    "the app crashes at the start of every episode of {show}",
                    "no sound on {show} episode {episode}, only subtitles",
                ),
                about=(
                    "{b} buffering during the {show} finale. of course",
                    "me: settles in to watch {show}. {b}: error {code}",
                    "paying {b} ${price} a month to watch a loading wheel",
                ),
                topics=(
                    "the buffering",
                    "the playback trouble",
                    "the trouble on your {device}",
                    "the error on {show}",
                    "{show} not playing",
                    "the streaming issue",
                ),
                replies=(
                    ("private", "Sorry about that! {private}"),
                    (
                        "fix",
                        "Sorry about that! Please try clearing the app's cache and restarting "
                        "your device.",
                    ),
                ),
                followups=(
                    (
                        "tried that already. still the same",
                        "Thanks for trying that. Please DM us your device model and app version "
                        "so we can pass it to our engineers.",
                    ),
                ),
            ),
            _Issue(
                "complaint",
                3,
                direct=(
                    "charged for {plan} but my account says Basic",
                    "I cancelled last month and you charged me again",
                    "why did my price go up without any email?",
                ),
                about=("{b} charged me after I cancelled. is that even legal?",),
                topics=(
                    "your billing",
                    "the charge",
                    "the billing mix-up",
                    "the charge for your {plan} plan",
                ),
                replies=(("private", "Sorry for the confusion. {private}"),),
            ),
            _Issue(
                "request",
                2,
                direct=(
                    "got logged out on all devices and the reset email never arrives",
                    "how do I remove someone from my account? my ex is still watching",
                    "please cancel my subscription, I can't find the button",
                    "why do I have to log in again every single day on my {device}",
                ),
                about=("trying to cancel {b} is impossible",),
                topics=(
                    "your account",
                    "your request",
                    "the login trouble",
                    "the logins on your {device}",
                ),
                replies=(("private", "We can help. {private}"),),
            ),
            _Issue(
                "question",
                1.5,
                direct=("when is season {season} of {show} coming?",),
                about=("if {b} cancels {show} I'm cancelling my subscription",),
                topics=(
                    "{show}",
                    "season {season} of {show}",
                    "news on {show}",
                ),
                replies=(("info", "We don't have any news to share yet, but stay tuned!"),),
            ),
            _Issue(
                "question",
                0.8,
                direct=("why did you remove {show}??",),
                about=("{b} removing {show} with no warning is criminal",),
                topics=(
                    "{show}",
                    "{show} leaving",
                    "our catalogue",
                ),
                replies=(
                    (
                        "info",
                        "Titles come and go as licences change. We're sorry to see it go too!",
                    ),
                ),
            ),
            _Issue(
                "question",
                0.7,
                direct=("can I download episodes on my {device}?",),
                about=("does {b} let you download episodes?",),
                topics=(
                    "downloads",
                    "downloads on your {device}",
                    "offline viewing",
                ),
                replies=(("info", "Yes! Look for the download icon next to each episode."),),
            ),
            _Issue(
                "praise",
                2,
                direct=(
                    "{show} is the best thing I've watched all year",
                    "binged all of {show} in one weekend, no regrets",
                ),
                about=("{b} really did that with the {show} finale",),
                topics=(
                    "{show}",
                    "the show",
                    "your binge",
                ),
                replies=(("thanks", "We're so glad you're enjoying it!"),),
            ),
        ),
        notices=(
            _Notice(
                text="Some members can't sign in on the mobile app right now. We're on it and "
                "will update here as soon as it's fixed.",
                update="Sign-in is working again. Thanks for your patience!",
                replies=(
                    "same on my {device}",
                    "it's been an hour already",
                    "of course it happens on finale night",
                ),
                answers=(
                    "Sorry about that! The team is working on it right now.",
                    "Thanks for your patience. {private}",
                ),
            ),
            _Notice(
                text="We're aware some members can't stream on smart TVs right now. Our "
                "engineers are working on a fix and we'll update here.",
                update="This is now fixed. Sorry for the interruption and thanks for your "
                "patience!",
                replies=(
                    "still not working on my TV",
                    "any ETA? I was right in the middle of {show}",
                    "it's not just smart TVs, the app on my phone is down too",
                    "do we get a discount for this?",
                ),
                answers=(
                    "Thanks for letting us know. We'll post here as soon as it's fixed.",
                    "Sorry about that! Please try restarting the app once the fix is live.",
                ),
            ),
        ),
        missing=(
            "I DMed you 2 days ago and still nothing",
            "that didn't work either. still error {code}",
        ),
        tips=(
            "logging out of all devices in settings fixed it for me",
            "uninstall and reinstall, worked for me",
        ),
        broken=("Why is it asking me to log in again every single night 🙄",),
    ),
    "bank": _Industry(
        slots=_bank_slots,
        wishes=(
            "Take care.",
            "Hope the rest of your week is calmer.",
            "Thanks for banking with us.",
            "Have a good weekend when it comes.",
            "Hope the rest of your {day} goes well.",
        ),
        pass_on=(
            "I'll pass this on to the {town} branch.",
            "I'll make sure the branch team hears this.",
            "I've shared this with the team.",
            "The branch manager will be glad to hear it.",
        ),
        issues=(
            _Issue(
                "complaint",
                3,
                direct=(
                    "card declined at {merchant} even though there's money in my account. "
                    "embarrassing",
                    "my card ending {last4} got blocked while I'm travelling. help",
                ),
                about=("{b} blocked my card at {merchant} and now I'm stuck",),
                topics=(
                    "the trouble with your card",
                    "the declined payment",
                    "the card trouble",
                    "the hold on your card",
                    "the decline at {merchant}",
                    "the block on your card ending {last4}",
                    "the block on your card",
                ),
                replies=(
                    ("private", "We're sorry about this. {private}"),
                    (
                        "fix",
                        "We're sorry about this. Cards are sometimes paused when a payment looks "
                        "unusual: you can confirm it was you in the app under Cards.",
                    ),
                ),
                followups=(
                    (
                        "the phone line has a 45 minute wait",
                        "I'm sorry about the wait. You can also use the secure chat in the app "
                        "under Help, it's usually faster.",
                    ),
                ),
            ),
            _Issue(
                "complaint",
                2,
                direct=(
                    "the app says 'service unavailable' {times} this week",
                    "can't log in to the app since {day}",
                ),
                about=("{b} app down {times} this week. on payday. of course",),
                topics=(
                    "the app trouble",
                    "the login trouble",
                    "the app outage",
                    "the app being down",
                    "the login trouble since {day}",
                ),
                replies=(
                    (
                        "sorry",
                        "We're sorry, some customers are having trouble logging in and our "
                        "team is working on it.",
                    ),
                    ("private", "We're sorry about this. {private}"),
                ),
            ),
            _Issue(
                "complaint",
                2,
                direct=(
                    "there's a payment I don't recognise on my account. who do I talk to?",
                    "transfer of ${amount} I sent on {day} still hasn't arrived",
                ),
                about=("45 minutes on hold with {b}. still no human",),
                topics=(
                    "the payment problem",
                    "the confusion over this payment",
                    "the transaction",
                    "your transfer from {day}",
                    "the ${amount} transfer",
                ),
                replies=(("private", "We're sorry about this. {private}"),),
                followups=(
                    (
                        "the phone line has a 45 minute wait",
                        "I'm sorry about the wait. You can also use the secure chat in the app "
                        "under Help, it's usually faster.",
                    ),
                ),
            ),
            _Issue(
                "request",
                3,
                direct=(
                    "I need to raise my daily transfer limit for a ${big_amount} deposit",
                    "how do I dispute a charge from {merchant}?",
                    "please close my savings account, the form online doesn't work",
                ),
                about=("trying to close an account at {b} is a nightmare",),
                topics=(
                    "your request",
                    "your account",
                    "the change you need",
                    "your transfer limit",
                    "the ${big_amount} deposit",
                    "the charge from {merchant}",
                ),
                replies=(("private", "We can help with that. {private}"),),
            ),
            _Issue(
                "question",
                0.7,
                direct=("what time does the {town} branch open on Saturday?",),
                about=("is the {b} branch in {town} open on Saturdays?",),
                topics=(
                    "the {town} branch",
                    "branch hours",
                    "Saturday hours in {town}",
                ),
                replies=(("info", "Our {town} branch is open 9am to 1pm on Saturdays."),),
            ),
            _Issue(
                "question",
                0.7,
                direct=("do you charge fees for using my card abroad?",),
                about=("does {b} charge fees for using your card abroad?",),
                topics=(
                    "card fees abroad",
                    "using your card abroad",
                    "foreign fees",
                ),
                replies=(
                    (
                        "info",
                        "There are no foreign transaction fees on Everyday and Premier cards. "
                        "Other cards have a 3% fee.",
                    ),
                ),
            ),
            _Issue(
                "question",
                0.6,
                direct=("is there a way to freeze my card in the app?",),
                about=("can you freeze a {b} card in the app?",),
                topics=(
                    "freezing your card",
                    "card controls",
                    "the card freeze",
                ),
                replies=(
                    ("info", "Yes, you can freeze and unfreeze your card in the app under Cards."),
                ),
            ),
            _Issue(
                "praise",
                1,
                direct=(
                    "the lady at the {town} branch sorted my mortgage paperwork in 20 minutes. "
                    "thank you",
                ),
                about=("ok {b} actually caught a fraud charge before I did. impressed",),
                topics=(
                    "the {town} branch team",
                    "your visit",
                    "the team",
                    "the help you got",
                ),
                replies=(("thanks", "Thank you for the kind words! We'll pass this on."),),
            ),
        ),
        notices=(
            _Notice(
                text="Some customers can't see their latest transactions in the app right now. "
                "Your money is safe and payments are working normally.",
                update="Transactions are showing correctly again. Sorry for any worry this caused.",
                replies=(
                    "my balance is showing $0, that's terrifying",
                    "is my paycheck going to be late?",
                    "thanks, I was about to panic",
                ),
                answers=(
                    "Your balance is safe. It's only a display issue in the app.",
                    "Direct deposits are not affected and will arrive as normal.",
                ),
            ),
            _Notice(
                text="Scheduled maintenance: online banking and the app will be unavailable "
                "on Saturday from 1am to 5am ET. Cards keep working as usual.",
                update="Maintenance is complete and all services are back. Thank you.",
                replies=(
                    "why always on a weekend?",
                    "will direct deposits still arrive?",
                    "thanks for the heads up",
                ),
                answers=(
                    "Yes, direct deposits will arrive as normal.",
                    "We plan it for the quietest time of the week. Sorry for any inconvenience.",
                ),
            ),
        ),
        missing=(
            "I called like you said. 50 minutes on hold",
            "still waiting for that callback",
        ),
        tips=(
            "use the chat in the app, the phone wait is ridiculous",
            "calling the number on the back of the card got mine unblocked in 5 minutes",
        ),
        broken=("Card declined at the supermarket again with money in the account",),
    ),
    "shop": _Industry(
        slots=_shop_slots,
        wishes=(
            "Hope you love the {product}.",
            "Enjoy the {apparel}!",
            "Hope it's worth the wait.",
            "Enjoy your order.",
            "Hope it arrives in perfect shape this time.",
            "Enjoy the {product} when it lands.",
            "Happy shopping!",
        ),
        pass_on=(
            "I'll pass this on to the warehouse team.",
            "I'll make sure the team sees this.",
            "The packing team will be so pleased.",
            "I'm sharing this with the delivery team.",
            "This is going straight to the team chat.",
        ),
        issues=(
            _Issue(
                "complaint",
                3,
                direct=(
                    "order {order} was due {day}, tracking hasn't moved in {days} days",
                    "where is order {order}? it was supposed to be next day delivery",
                ),
                about=("{days} days and my {b} order {order} still hasn't left the warehouse",),
                topics=(
                    "your order running late",
                    "the delay with your order",
                    "your late order",
                    "the delay on order {order}",
                    "the tracking not moving",
                    "the wait for your parcel",
                    "the delivery that was due {day}",
                ),
                replies=(
                    ("private", "I'm sorry your order isn't with you yet. {private}"),
                    (
                        "info",
                        "I'm sorry for the wait. I've checked and {order} is with the courier "
                        "and due tomorrow.",
                    ),
                ),
                followups=(
                    (
                        "will I get the shipping fee back?",
                        "Yes, I've refunded the shipping fee. It'll show on your card in 3-5 days.",
                    ),
                    (
                        "and if it doesn't turn up tomorrow?",
                        "Then message us here and we'll send a replacement straight away.",
                    ),
                ),
            ),
            _Issue(
                "complaint",
                2,
                direct=(
                    "tracking says delivered. it was not delivered",
                    "the courier left my parcel on the porch in the rain",
                ),
                about=("{b} delivered my {product} to the neighbour's garden. in the rain",),
                topics=(
                    "the mix-up with your delivery",
                    "the missing parcel",
                    "the delivery",
                    "what the courier did",
                    "your {product} delivery",
                ),
                replies=(("private", "I'm so sorry about this. {private}"),),
            ),
            _Issue(
                "complaint",
                3,
                direct=(
                    "received the wrong size {apparel} and the box was soaking wet",
                    "my {product} arrived broken. order {order}",
                ),
                about=("ordered a {apparel} from {b} in {size}, got a completely different size",),
                topics=(
                    "what happened to your order",
                    "the damaged parcel",
                    "the wrong size {apparel}",
                    "the {apparel} mix-up",
                    "your {product} arriving broken",
                    "the state of your {product}",
                    "the problem with order {order}",
                ),
                replies=(
                    (
                        "private",
                        "I'm so sorry it arrived like that. Please DM us your order number and "
                        "I'll send a replacement with a prepaid return label.",
                    ),
                    ("private", "Oh no, I'm sorry! {private}"),
                ),
            ),
            _Issue(
                "request",
                2,
                direct=(
                    "returned the {product} {weeks} weeks ago, still no refund. order {order}",
                ),
                about=("{weeks} weeks waiting for a refund from {b} for a {product}",),
                topics=(
                    "your refund",
                    "the refund",
                    "the refund for the {product}",
                    "the wait for your refund",
                    "your returned {product}",
                    "the refund on order {order}",
                ),
                replies=(("private", "I'm sorry it's taking this long. {private}"),),
            ),
            _Issue(
                "request",
                2,
                direct=(
                    "can I change the delivery address on order {order}? moving this week",
                    "please cancel order {order}, ordered the wrong one",
                ),
                about=("need to change the address on my {b} order {order} asap",),
                topics=(
                    "your order",
                    "order {order}",
                    "the change to your order",
                    "that change",
                ),
                replies=(
                    ("private", "I can help with that. {private}"),
                    (
                        "info",
                        "Done! I've updated your order. You'll get a confirmation email shortly.",
                    ),
                ),
            ),
            _Issue(
                "question",
                0.8,
                direct=("do you deliver to {country}?",),
                about=("does {b} ship to {country} or nah",),
                topics=(
                    "shipping to {country}",
                    "delivery to {country}",
                    "international shipping",
                ),
                replies=(("info", "We do! Shipping to {country} takes 5-8 days."),),
            ),
            _Issue(
                "question",
                0.7,
                direct=("is the {apparel} back in stock in {size}?",),
                about=("when is the {b} {apparel} coming back in {size}?",),
                topics=(
                    "the {apparel}",
                    "the {apparel} in {size}",
                    "restocks",
                    "that item",
                ),
                replies=(
                    (
                        "info",
                        "It's due back next week. Tap 'notify me' on the product page and we'll "
                        "email you.",
                    ),
                ),
            ),
            _Issue(
                "question",
                0.5,
                direct=("do you price match?",),
                about=("does {b} price match?",),
                topics=(
                    "price matching",
                    "our pricing",
                ),
                replies=(
                    (
                        "info",
                        "We don't price match, but we run new deals every week. Keep an eye on "
                        "the app!",
                    ),
                ),
            ),
            _Issue(
                "praise",
                2,
                direct=(
                    "ordered at 10pm, arrived at 9am. impressive",
                    "the {product} is even better than the photos",
                ),
                about=("{b} came through, {product} arrived a day early",),
                topics=(
                    "your order",
                    "your {product}",
                    "the speedy delivery",
                    "your delivery",
                ),
                replies=(("thanks", "That's great to hear! Thanks for shopping with us."),),
            ),
        ),
        notices=(
            _Notice(
                text="Our checkout is having a hiccup and some payments are failing. If you "
                "were charged but got no confirmation, don't worry: it will be refunded.",
                update="Checkout is working again. Happy shopping!",
                replies=(
                    "I got charged twice for the same order",
                    "still can't pay",
                    "how long will the refund take?",
                ),
                answers=(
                    "Duplicate charges will be refunded automatically within 3-5 days.",
                    "Sorry for the trouble. {private}",
                ),
            ),
            _Notice(
                text="Due to high demand some orders are running a day or two behind. We're "
                "sorry, and we're working hard to get everything out.",
                update="We've caught up! All delayed orders have now shipped.",
                replies=(
                    "is that why my order {order} hasn't moved?",
                    "thanks for being upfront",
                    "will you refund express shipping?",
                ),
                answers=(
                    "Yes, express shipping will be refunded automatically for delayed orders.",
                    "I'm sorry about the delay. {private}",
                ),
            ),
        ),
        missing=(
            "nice ad, now where's my order {order}?",
            "I sent the DM. still no reply",
        ),
        tips=(
            "call the courier directly, they found mine in a day",
            "file a missing parcel claim in the app, they refunded me in 2 days",
        ),
        broken=("Tracking says delivered but there is no parcel anywhere 😤",),
    ),
}


# --------------------------------------------------------------------------------------------
# Generic customer and brand lines.

_CHASES = (
    "hello?? anyone there",
    "still waiting...",
    "any update?",
    "{n} hours and nothing. great customer service",
    "is anyone actually reading these?",
    "hello?",
    "??",
    "still no reply. this is ridiculous",
    "can someone please get back to me",
    "I'll take that as a no then",
    "tried calling too. 45 minutes on hold",
    "helloooo",
    "anyone?",
    "still waiting for an answer",
)
_THANKS = (
    "brilliant, thanks a lot!",
    "thank you for the quick reply",
    "cheers, appreciate it",
    "perfect, thanks!",
    "ok thanks",
    "thank you so much!!",
    "that's really helpful, thanks",
    "ok, good to know. thanks",
)
_FIXED = (
    "thanks, that worked!",
    "great, all fixed now",
    "sorted, thanks",
    "that did it, thank you!",
)
_TRIED = (
    "tried that already, still the same",
    "did all that. still not working",
    "nope, still broken",
    "already did that twice",
)
_DM_SENT = (
    "just sent you a DM",
    "DM sent",
    "done, check your DMs",
    "sent you a message",
    "I've DMed you",
    "ok, messaged you",
    "followed and DMed",
)
_WENT_PRIVATE = {
    "dm": _DM_SENT,
    "email": ("just emailed you", "ok, email sent", "done, sent you an email with photos"),
    "phone": ("ok, will call", "calling now", "ok I'll try the phone again"),
}
_ANGRY_PRIVATE = {
    "dm": (
        "I already DMed you yesterday and nobody replied",
        "why can't you just answer here?",
        "that's the same copy and paste answer I got last week",
        "I've sent 3 DMs already. nothing.",
        "so I have to explain everything again? great",
    ),
    "email": (
        "I emailed twice last week. no reply",
        "why can't you just answer here?",
        "emails go into a black hole with you",
    ),
    "phone": (
        "I've been on hold for an hour already, that's why I'm tweeting",
        "so I have to call and wait another hour? no thanks",
        "your phone line hangs up after 40 minutes",
    ),
}
_ANGRY = (
    "that doesn't help at all",
    "that's not good enough",
    "so basically nothing then",
    "useless",
    "not what I asked but ok",
    "I'll be taking my business elsewhere",
    "seriously? that's your answer?",
    "this is a joke",
)
_STILL_ANGRY = (
    "whatever. I'm done",
    "still waiting. again.",
    "don't bother",
    "you've said that 3 times now",
)
_BRAND_TO_PRIVATE = {
    "dm": (
        "Thanks, we've got your DM and replied there.",
        "Got it, thanks! Let's continue in DM.",
        "Thanks! We'll reply in DM shortly.",
        "Received, thank you. Check your DMs.",
    ),
    "email": ("Thanks, we've got your email and will reply today.",),
    "phone": ("Thanks! Let us know here if you have any trouble getting through.",),
}
_BRAND_TO_THANKS = (
    "You're welcome! 😊",
    "Glad we could help!",
    "Anytime! Have a great day.",
    "Happy to help. Let us know if you need anything else.",
)
_BRAND_TO_ANGRY = (
    "I understand your frustration and I'm sorry this has taken so long. I've escalated your "
    "case so someone looks at it today.",
    "I'm sorry, that's not the experience we want you to have. {private}",
    "I hear you, and I'm sorry. I've flagged this to the team and we'll follow up by DM.",
    "Sorry for the back and forth. Please check your DMs, I've just messaged you.",
)
_PRAISE_BACK = ("❤️", "thank you!", "you're welcome 😊", "keep it up!")
_SECOND_CUSTOMER = (
    "same here",
    "same thing happened to me last week",
    "I had this too, took them 5 days to sort it",
    "you're not alone, been waiting since Monday",
    "same. glad it's not just me",
)
_ANSWER_TO_TIP = ("thanks, will try that", "tried that already, no luck", "thanks!", "oh nice, ty")
_ANSWER_TO_SAME = (
    "glad it's not just me",
    "ugh. how long did it take them to sort it?",
    "this is getting ridiculous",
)
_EMOJI = {
    "angry": ("😡", "😤", "🙄", "🤬", "👎", "😩", "🤦‍♀️", "😒"),
    "happy": ("❤️", "🙏", "👏", "😊", "🎉", "😍", "💯"),
    "neutral": ("🤔", "🙂", "👀", "🤞"),
}
_INTENT_MOOD = {"complaint": "angry", "request": "angry", "question": "neutral", "praise": "happy"}

# Customers' first names: used only in brand replies, as customers are anonymised numbers.
_FIRST_NAMES = (
    "Sarah", "Michael", "Jessica", "David", "Emily", "James", "Ashley", "Chris", "Amanda",
    "Daniel", "Megan", "Matthew", "Rachel", "Ryan", "Lauren", "Kevin", "Nicole", "Brian",
    "Stephanie", "Jason", "Heather", "Justin", "Melissa", "Andrew", "Amber", "Tyler", "Rebecca",
    "Brandon", "Laura", "Eric", "Danielle", "Adam", "Kelly", "Josh", "Katie", "Nathan", "Hannah",
    "Jacob", "Samantha", "Aaron", "Erin", "Kyle", "Holly", "Sean", "Natalie", "Patrick", "Olivia",
    "Marcus", "Maria", "Carlos", "Ana", "Luis", "Rosa", "Jose", "Sofia", "Omar", "Aisha", "Jamal",
    "Keisha", "Andre", "Tanya", "Derek", "Chloe", "Ethan", "Emma", "Noah", "Zoe", "Grace", "Lucy",
    "Mary", "Tom", "Kate", "Helen", "Peter", "Paul", "Anne", "Frank", "Diane", "Gary", "Carol",
    "Scott", "Julie", "Greg", "Tina", "Mark", "Susan", "Steve", "Linda", "Tony", "Angela", "Vince",
    "Nina", "Mei", "Kim", "Leo", "Ivy", "Max", "Ruby", "Jack", "Ellie", "Owen", "Molly",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Replies written fresh. A team that writes for the customer acknowledges what they said in
# their words (the drink, the store, the city, the item), says what happens next and closes its
# own way, so no two replies read alike; a team that pastes repeats the same few sentences.

# How a fresh reply opens, by what the customer wrote; {t} names the problem, {T} capitalised.
_OPENERS = {
    "complaint": (
        "I'm sorry about {t}.",
        "Apologies for {t}.",
        "I'm really sorry for {t}.",
        "That's frustrating, and I apologise for {t}.",
        "I can see how frustrating {t} must be.",
        "{T} is not the experience we want for you.",
        "Thanks for letting us know about {t}.",
        "I understand {t} has been a real headache.",
        "Ugh, {t} is the last thing you needed.",
        "I'm sorry to hear about {t}.",
        "Let me look into {t} for you.",
        "{T} isn't good enough, and I'm sorry.",
    ),
    "request": (
        "I can help with {t}.",
        "Let me help with {t}.",
        "Happy to look at {t} for you.",
        "Thanks for your patience with {t}.",
        "I'm sorry about the hassle with {t}.",
        "Let's get {t} sorted.",
        "I'll help you with {t}.",
        "Sorry {t} has been such a hassle.",
        "Leave {t} with me.",
        "I'll take care of {t}.",
    ),
    "question": (
        "Good question about {t}!",
        "Happy to help with {t}.",
        "Thanks for asking about {t}.",
        "Here's the scoop on {t}.",
        "Sure, let me clear up {t}.",
        "Quick answer on {t}.",
        "Let me help with {t}.",
        "Glad you asked about {t}.",
    ),
    "praise": (
        "This made our day!",
        "We love hearing about {t}!",
        "Thanks so much for the shout-out about {t}.",
        "What a lovely note about {t}.",
        "Thank you for the kind words about {t}.",
        "Stories like this make our week.",
        "You've made the team's day with this.",
        "Love this!",
    ),
    "angry": (
        "I'm sorry about {t}, and I understand why you're upset.",
        "You have every right to be annoyed about {t}.",
        "That's fair. {T} should have been sorted by now.",
        "I understand, and I'm sorry we've let you down with {t}.",
        "No excuses from me on {t}.",
        "I hear you, and I'm taking {t} on personally from here.",
        "You're right, {t} has dragged on far too long.",
        "I get why you're fed up with {t}.",
    ),
}
# Said after a complaint's opening, now and then.
_EMPATHY = (
    "I know that's not what you needed today.",
    "That's a lot of hassle, and it shouldn't land on you.",
    "I'd be frustrated too.",
    "I completely get why you're annoyed.",
    "I know your time matters.",
    "Nobody should have to chase us for this.",
    "That's not the standard we aim for.",
)
# How a fresh reply may end while the problem is still open, in any industry.
_CLOSINGS = (
    "Hang in there.",
    "We'll get this sorted.",
    "I'll keep an eye on it from here.",
    "Let me know if anything else comes up.",
    "Talk soon.",
    "We're on it.",
    "Appreciate your patience.",
    "Keep us posted.",
    "I'm here if you need me.",
    "Speak soon.",
    "We've got you.",
)
# How it may end when there is nothing left to fix: an answer, thanks, praise.
_SIGN_OFFS = (
    "Have a good rest of your day.",
    "Take care.",
    "Speak soon.",
    "Any questions, just ask.",
    "Shout if you need anything else.",
    "Let me know if anything else comes up.",
    "Enjoy your day.",
    "Have a lovely week.",
    "Thanks again for getting in touch.",
    "See you next time.",
)
# When nothing else is left to say about the next step.
_NEXT_STEPS = (
    "I'm looking into it now.",
    "I've passed this to the team.",
    "Let me see what I can do.",
    "I'll follow up as soon as I know more.",
)
# The problem in general words, when the customer's message named nothing specific.
_GENERIC_TOPICS = (
    "this",
    "the wait",
    "how long this is taking",
    "the lack of a reply",
    "all of this",
    "the back and forth",
)
_NOTICE_TOPICS = ("the disruption", "the outage", "the trouble today", "this outage", "the wait")
# Share of the formulas (answering thanks, acknowledging a DM) that even agents who write fresh
# paste from stock.
_FORMULA_STOCK = 0.6
# A customer's thanks answered.
_WELCOMES = (
    "You're welcome!",
    "Anytime!",
    "No problem at all!",
    "Our pleasure!",
    "Glad that helped!",
    "Of course!",
    "Any time at all.",
    "Always here to help!",
    "Glad we could sort it!",
    "You're most welcome.",
    "It was nothing!",
    "My pleasure!",
    "Happy we could help.",
)
# A customer's DM acknowledged.
_RECEIVED = (
    "Got your DM, thanks.",
    "Got it!",
    "Received, thanks!",
    "Just seen your message.",
    "Thanks, your DM is here.",
    "Perfect, I've got your details.",
    "All received.",
)
_RECEIVED_NEXT = (
    "I'm looking into it now and will answer in DM.",
    "I'll reply in DM shortly.",
    "Let's pick it up in DM.",
    "Checking on it now, I'll reply by DM.",
    "Give me a few minutes and I'll answer in DM.",
    "I'll get back to you by DM.",
    "We'll carry on over DM.",
)
# A customer tried the suggested fix and it did not help.
_TRIED_OPENERS = (
    "Thanks for trying that.",
    "Thanks for giving that a go.",
    "Appreciate you trying that.",
    "Sorry that didn't do the trick.",
    "Shame that didn't fix it.",
    "OK, let's try something else.",
    "Thanks for testing that.",
    "Right, time for plan B.",
)
# Before the answer to a customer's next question.
_ANSWER_LEADS = (
    "",
    "",
    "Good question.",
    "Fair question.",
    "Sure!",
    "Glad you asked.",
    "Here's how it works.",
    "Let me explain.",
)
# Asking for the details in a DM: (asks, what, why) by brand; brands not listed keep their own
# sentences.
_PRIVATE_STEPS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "SkylarkAir": (
        (
            "Please DM us",
            "Could you DM us",
            "Can you send us a DM with",
            "Send us a DM with",
            "Drop us a DM with",
            "Pop us a DM with",
            "Shoot us a DM with",
        ),
        (
            "your confirmation code",
            "your booking reference",
            "the confirmation code",
            "your booking code",
            "the booking reference and your last name",
            "your six-character booking code",
        ),
        (
            "and I'll take a look",
            "and I'll check what I can do",
            "so I can look into it",
            "and I'll dig into it straight away",
            "so I can see what happened",
            "and I'll check your options",
            "and I'll see what we can do",
            "and we'll take it from there",
        ),
    ),
    "ParcellyHelp": (
        (
            "Please DM us",
            "Could you DM us",
            "Can you send us a DM with",
            "Send us a DM with",
            "Drop us a DM with",
            "Pop us a DM with",
        ),
        (
            "your order number",
            "the order number",
            "your order number and postcode",
            "the order number and the email on your account",
            "your order number and delivery address",
        ),
        (
            "and I'll chase the courier",
            "and I'll sort this out",
            "so I can look into it",
            "and I'll check where it's got to",
            "and I'll get this fixed",
            "and I'll see what I can do",
            "and we'll take it from there",
        ),
    ),
}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_APOLOGY = re.compile(
    r"sorry|apologi|oh no|not the experience|^(?:I|we) can help(?: with that)?[.!]$"
    r"|^happy to help[.!]$",
    re.IGNORECASE,
)
# "We're sorry, some customers are having trouble...": the news after the apology stays.
_SORRY_BUT = re.compile(r"^(?:I'm|We're) sorry, (.{30,})$")
_FORMATTER = string.Formatter()
# How often a fresh reply names the problem with the details the customer gave, when they gave
# any: the city, the drink, the store, the item.
_ECHO = 0.7


@cache
def _fields(template: str) -> frozenset[str]:
    """The slots a text uses: what a customer mentioned, or what a phrase needs."""
    names = {name for _, name, _, _ in _FORMATTER.parse(template) if name}
    if "flight_said" in names:
        names.add("flight")
    return frozenset(names)


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


class _Writer:
    """Replies a brand's agents write fresh for one customer, from independent parts: an opening
    that names the customer's problem in their words, what happens next, and a closing. It draws
    on a random stream of its own, so the threads, times and everything else stay as they were."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def fresh(self, brand: DemoBrand) -> bool:
        return brand.fresh > 0 and self.rng.random() < brand.fresh

    def pick(self, options: tuple[str, ...], ctx: dict[str, str], said: frozenset[str]) -> str:
        """One option whose slots the customer mentioned, filled; empty if none fits. Options
        that echo what the customer mentioned come first, most of the time."""
        rng = self.rng
        usable = [o for o in options if _fields(o) <= said]
        echoes = [o for o in usable if _fields(o)]
        if echoes and rng.random() < _ECHO:
            usable = echoes
        return rng.choice(usable).format_map(ctx) if usable else ""

    def opener(
        self, mood: str, topics: tuple[str, ...], ctx: dict[str, str], said: frozenset[str]
    ) -> str:
        topic = self.pick(topics, ctx, said) or self.rng.choice(_GENERIC_TOPICS)
        return self.rng.choice(_OPENERS[mood]).format(t=topic, T=_capitalise(topic))

    def closing(
        self,
        industry: _Industry,
        ctx: dict[str, str],
        said: frozenset[str],
        p: float = 0.7,
        *,
        settled: bool = False,
        wish: bool = True,
    ) -> str:
        """An optional last sentence: a wish about the customer's day, trip or order, or a
        sign-off (one for an open problem, or one for a settled exchange)."""
        rng = self.rng
        if rng.random() >= p:
            return ""
        if wish and industry.wishes and rng.random() < 0.4:
            wished = self.pick(industry.wishes, ctx, said)
            if wished:
                return wished
        return rng.choice(_SIGN_OFFS if settled else _CLOSINGS)

    def private_step(self, brand: DemoBrand, stock: str) -> str:
        """Asking for the details in private, in new words where the brand's agents do."""
        parts = _PRIVATE_STEPS.get(brand.handle)
        if parts is None:
            return stock
        asks, what, why = (self.rng.choice(p) for p in parts)
        return f"{asks} {what} {why}{'?' if asks.startswith(('Could', 'Can')) else '.'}"

    def core(self, brand: DemoBrand, template: str, ctx: dict[str, str], private: str) -> str:
        """What a stock reply says will happen, without its apology: the next step."""
        kept = []
        for sentence in _SENTENCE_END.split(template):
            if sentence == "{private}":
                kept.append(self.private_step(brand, private))
            elif _APOLOGY.search(sentence):
                news = _SORRY_BUT.match(sentence)
                if news and not _APOLOGY.search(news.group(1)):
                    kept.append(_capitalise(news.group(1)).format_map(ctx))
            else:
                kept.append(sentence.format_map(ctx))
        return _join(*kept) or self.rng.choice(_NEXT_STEPS)

    def reply(
        self,
        brand: DemoBrand,
        industry: _Industry,
        issue: _Issue,
        kind: str,
        template: str,
        ctx: dict[str, str],
        said: frozenset[str],
        private: str,
    ) -> str | None:
        """A first answer to a customer's message, or None when the agent pastes stock."""
        if not self.fresh(brand):
            return None
        rng = self.rng
        if kind == "thanks":
            return _join(
                self.opener("praise", issue.topics, ctx, said),
                self.pick(industry.pass_on, ctx, said) or "I'll pass this on to the team.",
                self.closing(industry, ctx, said, p=0.5, settled=True, wish=False),
            )
        opening = self.opener(issue.intent, issue.topics, ctx, said)
        if issue.intent == "complaint" and rng.random() < 0.35:
            empathy = rng.choice(_EMPATHY)
            opening = _join(empathy, opening) if rng.random() < 0.4 else _join(opening, empathy)
        question = issue.intent == "question"
        return _join(
            opening,
            self.core(brand, template, ctx, private),
            self.closing(industry, ctx, said, settled=question, wish=not question),
        )

    def angry(
        self,
        brand: DemoBrand,
        industry: _Industry,
        topics: tuple[str, ...],
        template: str,
        ctx: dict[str, str],
        said: frozenset[str],
        private: str,
    ) -> str | None:
        """An answer to a customer who is upset with the service."""
        if not self.fresh(brand):
            return None
        return _join(
            self.opener("angry", topics, ctx, said),
            self.core(brand, template, ctx, private),
            self.closing(industry, ctx, said, p=0.5),
        )

    def tried(
        self,
        brand: DemoBrand,
        industry: _Industry,
        ctx: dict[str, str],
        said: frozenset[str],
        private: str,
    ) -> str | None:
        """An answer to a customer whose suggested fix did not work."""
        if not self.fresh(brand):
            return None
        return _join(
            self.rng.choice(_TRIED_OPENERS),
            self.private_step(brand, private),
            self.closing(industry, ctx, said, p=0.5),
        )

    def answer(
        self,
        brand: DemoBrand,
        industry: _Industry,
        template: str,
        ctx: dict[str, str],
        said: frozenset[str],
    ) -> str | None:
        """An answer to a customer's next question."""
        if not self.fresh(brand):
            return None
        return _join(
            self.rng.choice(_ANSWER_LEADS),
            self.core(brand, template, ctx, ""),
            self.closing(industry, ctx, said, p=0.6, settled=True, wish=False),
        )

    def notice(
        self,
        brand: DemoBrand,
        industry: _Industry,
        template: str,
        ctx: dict[str, str],
        said: frozenset[str],
        private: str,
    ) -> str | None:
        """An answer to a customer replying to the brand's outage notice."""
        if not self.fresh(brand):
            return None
        return _join(
            self.opener("complaint", _NOTICE_TOPICS, ctx, said),
            self.core(brand, template, ctx, private),
            self.closing(industry, ctx, said, p=0.5),
        )

    def welcome(
        self, brand: DemoBrand, industry: _Industry, ctx: dict[str, str], said: frozenset[str]
    ) -> str | None:
        """An answer to a customer's thanks; even fresh writers often paste this one."""
        if not self.fresh(brand) or self.rng.random() < _FORMULA_STOCK:
            return None
        return _join(
            self.rng.choice(_WELCOMES), self.closing(industry, ctx, said, p=0.6, settled=True)
        )

    def received(self, brand: DemoBrand) -> str | None:
        """Acknowledging a customer's DM; even fresh writers often paste this one."""
        if not self.fresh(brand) or self.rng.random() < _FORMULA_STOCK:
            return None
        rng = self.rng
        return _join(rng.choice(_RECEIVED), rng.choice(_RECEIVED_NEXT))


def _consistent(stock: str, fresh: str | None) -> str:
    """The fresh reply, if it moves the customer where the stock one would; else the stock."""
    if fresh is None or _is_private(fresh) != _is_private(stock):
        return stock
    if _is_private(stock) and _channel(fresh) != _channel(stock):
        return stock
    return fresh


# --------------------------------------------------------------------------------------------
# The generator.


@dataclass(eq=False)
class _Customer:
    num: int
    first: str


@dataclass(eq=False)
class _Tweet:
    author: str  # brand handle, or the customer's number as text
    inbound: bool
    time: datetime
    text: str
    parent: _Tweet | None
    missing_parent: bool = False
    broken: tuple[str, str] | None = None  # (first line, last line) of a broken record
    children: list[_Tweet] = field(default_factory=list)
    tweet_id: int = 0


class _Thread:
    def __init__(self, end: datetime) -> None:
        self.tweets: list[_Tweet] = []
        self.end = end

    def add(
        self, author: str, inbound: bool, time: datetime, text: str, parent: _Tweet | None
    ) -> _Tweet | None:
        """Add a tweet, unless it falls after the end of the export (then None)."""
        if time >= self.end:
            return None
        if parent is not None and time <= parent.time:
            time = parent.time + timedelta(seconds=31)
            if time >= self.end:
                return None
        tweet = _Tweet(author, inbound, time, text, parent)
        if parent is not None:
            parent.children.append(tweet)
        self.tweets.append(tweet)
        return tweet


def _twitter_time(t: datetime) -> str:
    return (
        f"{_DAY_NAMES[t.weekday()]} {_MONTH_NAMES[t.month - 1]} {t.day:02d} "
        f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} +0000 {t.year}"
    )


def _lower_first(text: str) -> str:
    if text.startswith(("I ", "I'", "It's", "It ")) or not text:
        return text
    if text[:1].isupper() and text[1:2].islower():
        return text[0].lower() + text[1:]
    return text


class _Generator:
    def __init__(self, rng: random.Random, start: datetime, days: int, words: str) -> None:
        self.rng = rng
        # Each brand's agents write from a random stream of their own.
        self.writers = {
            b.handle: _Writer(random.Random(f"{words}-{b.handle}")) for b in DEMO_BRANDS
        }
        self.start = start
        self.end = start + timedelta(days=days)
        self.days = days
        self.next_customer = _FIRST_CUSTOMER
        self.regulars: dict[str, list[_Customer]] = {b.handle: [] for b in DEMO_BRANDS}
        self.roster: dict[tuple[str, int, int], tuple[str, ...]] = {}
        slots = [start + timedelta(hours=h) for h in range(days * 24)]
        weights = [_WEEKDAY_WEIGHTS[s.weekday()] * _HOUR_WEIGHTS[s.hour] for s in slots]
        self.slots = slots
        self.cum_weights = list(_accumulate(weights))
        self.brand_weights = list(_accumulate([b.weight for b in DEMO_BRANDS]))

    # -- people and time -------------------------------------------------------------------

    def customer(self, brand: DemoBrand) -> _Customer:
        regulars = self.regulars[brand.handle]
        if regulars and self.rng.random() < 0.06:
            return self.rng.choice(regulars)
        cust = _Customer(self.next_customer, self.rng.choice(_FIRST_NAMES))
        self.next_customer += self.rng.choice((1, 1, 1, 1, 2, 3))
        regulars.append(cust)
        return cust

    def root_time(self, last_day: int | None = None) -> datetime:
        rng = self.rng
        if last_day is None:
            slot = rng.choices(self.slots, cum_weights=self.cum_weights)[0]
        else:
            limit = _bisect_slots(self.slots, self.start + timedelta(days=last_day))
            slot = rng.choices(self.slots[:limit], cum_weights=self.cum_weights[:limit])[0]
        return slot + timedelta(seconds=rng.randrange(3600))

    def on_duty(self, brand: DemoBrand, t: datetime) -> bool:
        if brand.hours == "day":
            return 7 <= t.hour < 22
        if brand.hours == "business":
            wd = t.weekday()
            return (wd < 5 and 8 <= t.hour < 18) or (wd == 5 and 9 <= t.hour < 13)
        return True

    def next_on_duty(self, brand: DemoBrand, t: datetime) -> datetime:
        if self.on_duty(brand, t):
            return t
        t = t.replace(minute=0, second=0, microsecond=0)
        for _ in range(24 * 7):
            t += timedelta(hours=1)
            if self.on_duty(brand, t):
                return t + timedelta(seconds=self.rng.randrange(60, 1500))
        return t  # pragma: no cover - every brand is on duty at least once a week

    def reply_delay(self, brand: DemoBrand, t: datetime, factor: float = 1.0) -> datetime:
        """When the brand answers a tweet that arrived at ``t``."""
        rng = self.rng
        minutes = brand.median_minutes * factor * math.exp(brand.sigma * rng.gauss(0.0, 1.0))
        if brand.hours == "always" and t.hour < 6:
            minutes *= 2.5  # the night shift is thin
        minutes = max(minutes, 0.7)
        begin = self.next_on_duty(brand, t)
        reply = begin + timedelta(minutes=minutes)
        if not self.on_duty(brand, reply):
            reply = self.next_on_duty(brand, reply) + timedelta(minutes=minutes * 0.3)
        return reply

    def customer_delay(self, t: datetime, median: float = 7.0) -> datetime:
        minutes = max(0.6, median * math.exp(1.0 * self.rng.gauss(0.0, 1.0)))
        if t.hour < 6:
            minutes *= 3
        return t + timedelta(minutes=minutes)

    def agent(self, brand: DemoBrand, t: datetime, previous: str | None) -> str:
        if previous is not None and self.rng.random() < 0.8:
            return previous
        key = (brand.handle, (t - self.start).days, t.hour // 8)
        crew = self.roster.get(key)
        if crew is None:
            size = min(len(brand.agents), self.rng.choice((1, 2, 2, 3)))
            crew = tuple(self.rng.sample(brand.agents, size))
            self.roster[key] = crew
        return self.rng.choice(crew)

    # -- texts -----------------------------------------------------------------------------

    def fill(self, template: str, ctx: dict[str, str]) -> str:
        return template.format_map(ctx)

    def customer_style(self, text: str, mood: str, *, emoji: float = 0.2) -> str:
        rng = self.rng
        if rng.random() < emoji:
            marks = _EMOJI[mood]
            text = f"{text} {rng.choice(marks)}"
            if mood != "neutral" and rng.random() < 0.25:
                text += rng.choice(marks)
        if rng.random() < 0.05:
            text = f"{text} https://t.co/{_code(rng, 10, string.ascii_letters + string.digits)}"
        return text

    def customer_text(self, template: str, ctx: dict[str, str], mood: str) -> str:
        """A customer's own words: sometimes all lower case, sometimes shouted."""
        rng = self.rng
        r = rng.random()
        if r < 0.2:
            template = template.lower()
        elif r < 0.5 and template[:1].islower():
            template = template[0].upper() + template[1:]
        text = self.fill(template, ctx)
        if mood == "angry" and rng.random() < 0.12:
            text = text.rstrip(".") + rng.choice(("!!", "!!!", "?!"))
        return text

    def mention(self, brand: DemoBrand) -> str:
        if self.rng.random() < 0.03:
            return "@" + brand.handle.lower()
        return "@" + brand.handle

    def brand_text(
        self,
        brand: DemoBrand,
        cust: _Customer | None,
        body: str,
        agent: str,
        *,
        personal: bool,
        waited: bool = False,
        canned: bool = False,
        greet: bool = True,
    ) -> str:
        rng = self.rng
        if canned:
            pass  # a canned reply goes out verbatim: only the handle and signature change
        elif personal and cust is not None:
            f = cust.first
            if waited and rng.random() < 0.7:
                body = rng.choice(
                    (
                        f"Sorry for the wait, {f}. {body}",
                        f"{f}, apologies for the slow reply. {body}",
                    )
                )
            else:
                form = rng.random()
                if form < 0.3:
                    body = f"{f}, {_lower_first(body)}"
                elif form < 0.55:
                    body = f"Hi {f}! {body}"
                elif form < 0.75:
                    body = f"Hi {f}, {_lower_first(body)}"
                elif form < 0.88:
                    body = f"Hello, {f}. {body}"
                else:
                    body = f"Thanks for reaching out, {f}. {body}"
        else:
            if waited and rng.random() < 0.4:
                body = f"Sorry for the delay in getting back to you. {body}"
            elif greet and rng.random() < 0.3:
                body = f"{rng.choice(('Hi there!', 'Hey there.', 'Hello.', 'Hi!'))} {body}"
        if rng.random() < brand.sign_rate:
            space = "  " if brand.handle == "SkylarkAir" and rng.random() < 0.4 else " "
            body = f"{body}{space}{brand.sign_format.format(agent)}"
        if cust is None:
            return body
        return f"@{cust.num} {body}"

    def canned(self, brand: DemoBrand, key: str) -> str | None:
        options = brand.canned.get(key)
        if options and self.rng.random() < brand.canned_rate:
            return self.rng.choice(options)
        return None

    def private(self, brand: DemoBrand) -> str:
        return self.rng.choice(brand.private)

    # -- conversations ---------------------------------------------------------------------

    def pick_brand(self) -> DemoBrand:
        return self.rng.choices(DEMO_BRANDS, cum_weights=self.brand_weights)[0]

    def pick_issue(self, industry: _Industry) -> _Issue:
        return self.rng.choices(industry.issues, weights=[i.weight for i in industry.issues])[0]

    def opener(
        self, brand: DemoBrand, issue: _Issue, ctx: dict[str, str]
    ) -> tuple[str, bool, frozenset[str]]:
        """The first customer tweet of a thread, whether it tags the brand's @handle, and the
        slots it mentions."""
        rng = self.rng
        mood = _INTENT_MOOD[issue.intent]
        tagged = rng.random() < 0.70
        if tagged:
            r = rng.random()
            if r < 0.8 or not issue.about:
                template = rng.choice(issue.direct)
                body = self.customer_text(template, ctx, mood)
                text = f"{self.mention(brand)} {body}"
            elif r < 0.88:
                template = rng.choice(issue.direct)
                body = self.customer_text(template, ctx, mood)
                greeting = rng.choice(("Dear", "Hey", "Yo"))
                text = f"{greeting} {self.mention(brand)} {body}"
            else:
                ctx = {**ctx, "b": self.mention(brand)}
                template = rng.choice(issue.about)
                text = self.customer_text(template, ctx, mood)
        else:
            ctx = {**ctx, "b": rng.choice(brand.aliases)}
            source = issue.about or issue.direct
            template = rng.choice(source)
            text = self.customer_text(template, ctx, mood)
            if "{b}" not in " ".join(source):
                text = f"{text} {ctx['b']}"
        return self.customer_style(text, mood), tagged, _fields(template)

    def first_reply(
        self, brand: DemoBrand, issue: _Issue, ctx: dict[str, str], said: frozenset[str]
    ) -> tuple[str, str, bool]:
        """(kind, body, is-canned) of the brand's first answer."""
        canned = self.canned(brand, issue.intent)
        if canned is not None:
            if issue.intent == "praise":
                kind = "thanks"
            else:
                kind = "private" if _is_private(canned) else "info"
            return kind, canned, True
        kind, template = self.rng.choice(issue.replies)
        private = self.private(brand)
        stock = self.fill(template, {**ctx, "private": private})
        industry = _INDUSTRIES[brand.industry]
        writer = self.writers[brand.handle]
        fresh = writer.reply(brand, industry, issue, kind, template, ctx, said, private)
        return kind, _consistent(stock, fresh), False

    def conversation(
        self,
        thread: _Thread,
        brand: DemoBrand,
        cust: _Customer,
        *,
        force_answer: bool = False,
        quiet: bool = False,
        root_override: tuple[str, datetime, bool] | None = None,
        issue: _Issue | None = None,
    ) -> _Tweet | None:
        """A customer-initiated thread. Returns its root."""
        rng = self.rng
        industry = _INDUSTRIES[brand.industry]
        if issue is None:
            issue = self.pick_issue(industry)
        ctx = industry.slots(rng)
        handle = self.mention(brand)

        said: frozenset[str] = frozenset()
        if root_override is None:
            text, tagged, said = self.opener(brand, issue, ctx)
            t0 = self.root_time()
        else:
            text, t0, tagged = root_override
        root = thread.add(str(cust.num), True, t0, text, None)
        if root is None:  # pragma: no cover - root times are inside the export
            return None

        rate = brand.answer_rate if tagged else brand.name_only_rate
        answered = force_answer or rng.random() < rate
        reply_at = self.reply_delay(brand, t0) if answered else None

        # Customers who wait chase the brand, replying to their own tweet.
        last = root
        if tagged and not quiet and issue.intent != "praise":
            last = self.chase(thread, root, handle, reply_at)
        if reply_at is None:
            return root

        kind, body, canned = self.first_reply(brand, issue, ctx, said)
        agent = self.agent(brand, reply_at, None)
        personal = rng.random() < brand.personal
        waited = issue.intent != "praise" and (
            last is not root or (reply_at - t0) > timedelta(hours=3)
        )
        text = self.brand_text(
            brand, cust, body, agent, personal=personal, waited=waited, canned=canned
        )
        reply = thread.add(brand.handle, False, reply_at, text, last)
        if reply is None or quiet:
            return root
        self.follow_up(thread, brand, cust, issue, ctx, said, reply, kind, agent, handle)
        return root

    def chase(
        self, thread: _Thread, root: _Tweet, handle: str, reply_at: datetime | None
    ) -> _Tweet:
        """'hello?? anyone there': the customer nudges before any answer. Returns the last."""
        rng = self.rng
        t0 = root.time
        if reply_at is not None:
            wait_h = (reply_at - t0).total_seconds() / 3600
            chase_p = min(0.55, 0.08 + 0.12 * wait_h) if wait_h > 0.4 else 0.0
            span = (reply_at - t0).total_seconds()
        else:
            chase_p = 0.3
            span = rng.uniform(1.0, 10.0) * 3600
        if rng.random() >= chase_p:
            return root
        n = 1 if rng.random() < 0.7 else rng.choice((2, 2, 3))
        lines = rng.sample(_CHASES, n)
        offsets = sorted(rng.uniform(0.25, 0.95) * span for _ in range(n))
        last = root
        previous = 0.0
        for offset, chase in zip(offsets, lines, strict=True):
            if offset - previous < 600:  # nobody nudges twice in ten minutes
                continue
            previous = offset
            hours = round(offset / 3600)
            if "{n}" in chase:
                chase = chase.format(n=hours) if hours >= 2 else "still waiting..."
            text = self.customer_style(f"{handle} {chase}", "angry")
            added = thread.add(root.author, True, t0 + timedelta(seconds=offset), text, last)
            if added is None:
                break
            last = added
        return last

    def follow_up(
        self,
        thread: _Thread,
        brand: DemoBrand,
        cust: _Customer,
        issue: _Issue,
        ctx: dict[str, str],
        mentioned: frozenset[str],
        reply: _Tweet,
        kind: str,
        agent: str,
        handle: str,
    ) -> None:
        """Further turns after the brand's first reply: customer, brand, customer..."""
        rng = self.rng
        writer = self.writers[brand.handle]
        industry = _INDUSTRIES[brand.industry]
        # What an upset customer is upset about: their problem, or the service itself.
        topics = issue.topics if issue.intent in ("complaint", "request") else _GENERIC_TOPICS
        anger = {"complaint": 1.0, "request": 0.8, "question": 0.25, "praise": 0.0}[issue.intent]
        if brand.canned_rate >= 0.4:
            anger *= 1.8  # copy-paste answers annoy people
        if brand.median_minutes > 100:
            anger *= 1.3
        followups = list(issue.followups)
        ctx = {**ctx, "private": self.private(brand)}
        last = reply
        for _turn in range(3):
            r = rng.random()
            said: str | tuple[str, str]
            if kind == "thanks":
                if r >= 0.15:
                    return
                line, tone, said = rng.choice(_PRAISE_BACK), "happy", "praise-back"
            elif kind == "private":
                channel = _channel(last.text)
                if r < 0.35:
                    line, tone, said = rng.choice(_WENT_PRIVATE[channel]), "neutral", channel
                elif r < 0.35 + 0.13 * anger:
                    line, tone, said = rng.choice(_ANGRY_PRIVATE[channel]), "angry", "angry"
                else:
                    return
            elif kind == "fix":
                if r < 0.35:
                    line, tone, said = rng.choice(_FIXED), "happy", "thanks"
                elif r < 0.55:
                    line, tone, said = rng.choice(_TRIED), "angry", "tried"
                elif r < 0.55 + 0.05 * anger:
                    line, tone, said = rng.choice(_ANGRY), "angry", "angry"
                else:
                    return
            else:  # info, sorry, answer
                thanks = 0.4 if kind == "answer" else 0.33
                if r < thanks:
                    line, tone, said = rng.choice(_THANKS), "happy", "thanks"
                elif r < thanks + 0.2 and followups:
                    q, a = followups.pop(rng.randrange(len(followups)))
                    line, tone, said = self.fill(q, ctx), "neutral", ("question", a)
                elif r < thanks + 0.2 + 0.1 * anger:
                    line, tone, said = rng.choice(_ANGRY), "angry", "angry"
                else:
                    return
            text = self.customer_style(f"{handle} {line}", tone, emoji=0.15)
            said_tweet = thread.add(str(cust.num), True, self.customer_delay(last.time), text, last)
            if said_tweet is None:
                return
            last = said_tweet

            # The brand's turn.
            if said == "praise-back":
                return
            if said == "thanks":
                if rng.random() < 0.3:
                    canned = self.canned(brand, "thanks")
                    body = canned or rng.choice(_BRAND_TO_THANKS)
                    if not canned:
                        body = writer.welcome(brand, industry, ctx, mentioned) or body
                    self.brand_says(
                        thread, brand, cust, body, agent, last, personal=0.6, canned=bool(canned)
                    )
                return
            if said in ("dm", "phone", "email"):
                if rng.random() < (0.6 if said == "dm" else 0.25):
                    canned = self.canned(brand, "dm") if said == "dm" else None
                    body = canned or rng.choice(_BRAND_TO_PRIVATE[said])
                    if not canned and said == "dm":
                        body = writer.received(brand) or body
                    self.brand_says(
                        thread, brand, cust, body, agent, last, personal=0.3, canned=bool(canned)
                    )
                return
            if said == "angry":
                if rng.random() < 0.55:
                    canned = self.canned(brand, "angry")
                    if canned:
                        body = canned
                    else:
                        template = rng.choice(_BRAND_TO_ANGRY)
                        fresh = writer.angry(
                            brand, industry, topics, template, ctx, mentioned, ctx["private"]
                        )
                        body = _consistent(self.fill(template, ctx), fresh)
                    answer = self.brand_says(
                        thread, brand, cust, body, agent, last, personal=0.8, canned=bool(canned)
                    )
                    if answer is not None and rng.random() < 0.3:
                        line = rng.choice(_STILL_ANGRY)
                        text = self.customer_style(f"{handle} {line}", "angry")
                        t = self.customer_delay(answer.time)
                        thread.add(str(cust.num), True, t, text, answer)
                return
            if said == "tried":
                if rng.random() < 0.2:
                    return
                canned = self.canned(brand, "complaint")
                body = canned or _consistent(
                    f"Thanks for trying that. {ctx['private']}",
                    writer.tried(brand, industry, ctx, mentioned, ctx["private"]),
                )
                answer = self.brand_says(
                    thread, brand, cust, body, agent, last, personal=0.6, canned=bool(canned)
                )
                if answer is None:
                    return
                last, kind = answer, "private"
                continue
            _, answer_text = said
            body = _consistent(
                self.fill(answer_text, ctx),
                writer.answer(brand, industry, answer_text, ctx, mentioned),
            )
            answer = self.brand_says(thread, brand, cust, body, agent, last, personal=0.5)
            if answer is None:
                return
            last, kind = answer, "answer"

    def brand_says(
        self,
        thread: _Thread,
        brand: DemoBrand,
        cust: _Customer,
        body: str,
        agent: str,
        parent: _Tweet,
        *,
        personal: float,
        canned: bool = False,
    ) -> _Tweet | None:
        rng = self.rng
        t = self.reply_delay(brand, parent.time, factor=0.6)
        agent = self.agent(brand, t, agent)
        is_personal = rng.random() < brand.personal * personal * 1.5
        text = self.brand_text(
            brand, cust, body, agent, personal=is_personal, canned=canned, greet=False
        )
        return thread.add(brand.handle, False, t, text, parent)

    def two_customers(self, thread: _Thread, brand: DemoBrand) -> None:
        """Customer A complains, customer B joins in, A answers B; the brand may answer A."""
        rng = self.rng
        industry = _INDUSTRIES[brand.industry]
        a = self.customer(brand)
        b = self.customer(brand)
        while b is a:
            b = self.customer(brand)
        # The industry's main complaint (tips fit it), or another one ("same here").
        main = industry.issues[0]
        complaints = [i for i in industry.issues if i.intent == "complaint"]
        issue = main if rng.random() < 0.6 else rng.choice(complaints)
        root = self.conversation(thread, brand, a, quiet=rng.random() < 0.5, issue=issue)
        if root is None:
            return
        handle = "@" + brand.handle
        if issue is main and rng.random() < 0.5:
            line, answers = rng.choice(industry.tips), _ANSWER_TO_TIP
        else:
            line, answers = rng.choice(_SECOND_CUSTOMER), _ANSWER_TO_SAME
        t = self.customer_delay(root.time, median=45)
        text = self.customer_style(f"@{a.num} {handle} {line}", "neutral")
        joined = thread.add(str(b.num), True, t, text, root)
        if joined is None or rng.random() < 0.4:
            return
        back = rng.choice(answers)
        text = self.customer_style(f"@{b.num} {handle} {back}", "neutral")
        thread.add(str(a.num), True, self.customer_delay(joined.time, median=12), text, joined)

    def missing_parent(self, thread: _Thread, brand: DemoBrand) -> None:
        """A customer answers a tweet that is not in the export."""
        rng = self.rng
        industry = _INDUSTRIES[brand.industry]
        ctx = industry.slots(rng)
        cust = self.customer(brand)
        said = rng.choice(industry.missing)
        body = self.customer_text(said, ctx, "angry")
        text = self.customer_style(f"{self.mention(brand)} {body}", "angry")
        t0 = self.root_time()
        root = thread.add(str(cust.num), True, t0, text, None)
        if root is None:  # pragma: no cover
            return
        root.missing_parent = True
        if rng.random() < brand.answer_rate * 0.8:
            template = rng.choice(_BRAND_TO_ANGRY)
            private = self.private(brand)
            body = _consistent(
                self.fill(template, {"private": private}),
                self.writers[brand.handle].angry(
                    brand, industry, _GENERIC_TOPICS, template, ctx, _fields(said), private
                ),
            )
            t = self.reply_delay(brand, t0)
            agent = self.agent(brand, t, None)
            personal = rng.random() < brand.personal
            text = self.brand_text(brand, cust, body, agent, personal=personal)
            reply = thread.add(brand.handle, False, t, text, root)
            if reply is not None and rng.random() < 0.4:
                if _is_private(body):
                    line = rng.choice(_WENT_PRIVATE[_channel(body)])
                else:
                    line = rng.choice(_THANKS[:3] + _STILL_ANGRY[:2])
                text = self.customer_style(f"@{brand.handle} {line}", "neutral")
                thread.add(str(cust.num), True, self.customer_delay(t), text, reply)

    def brand_notice(self, thread: _Thread, brand: DemoBrand) -> None:
        """The brand posts first (an outage notice); customers answer it."""
        rng = self.rng
        industry = _INDUSTRIES[brand.industry]
        notice = rng.choice(industry.notices)
        ctx = industry.slots(rng)
        t0 = self.root_time()
        if brand.hours != "always":
            t0 = self.next_on_duty(brand, t0)
        agent = self.agent(brand, t0, None)
        post = thread.add(brand.handle, False, t0, self.fill(notice.text, ctx), None)
        if post is None:
            return
        handle = "@" + brand.handle
        for _ in range(rng.randint(3, 8)):
            cust = self.customer(brand)
            t = t0 + timedelta(minutes=20 * math.exp(1.1 * rng.gauss(0.0, 1.0)))
            asked = rng.choice(notice.replies)
            line = self.customer_text(asked, ctx, "angry")
            said = thread.add(
                str(cust.num), True, t, self.customer_style(f"{handle} {line}", "angry"), post
            )
            if said is None or rng.random() > 0.5:
                continue
            template = rng.choice(notice.answers)
            private = self.private(brand)
            body = _consistent(
                self.fill(template, {**ctx, "private": private}),
                self.writers[brand.handle].notice(
                    brand, industry, template, ctx, _fields(asked), private
                ),
            )
            self.brand_says(thread, brand, cust, body, agent, said, personal=0.5)
        update_at = t0 + timedelta(hours=rng.uniform(1.5, 6.0))
        update = thread.add(brand.handle, False, update_at, self.fill(notice.update, ctx), post)
        if update is not None and rng.random() < 0.6:
            cust = self.customer(brand)
            line = rng.choice(("still not working here", "finally!", "thanks for the update"))
            text = self.customer_style(f"{handle} {line}", "neutral")
            thread.add(str(cust.num), True, self.customer_delay(update_at), text, update)

    def broken_conversation(self, thread: _Thread) -> None:
        """A plain complaint with exactly one brand reply; its root will be written broken."""
        rng = self.rng
        candidates = [b for b in DEMO_BRANDS if b.hours == "always" and b.answer_rate > 0.85]
        brand = rng.choice(candidates)
        industry = _INDUSTRIES[brand.industry]
        cust = self.customer(brand)
        first = f"@{brand.handle} {rng.choice(('', 'Seriously?', 'Day 3.', 'Ok so'))}".rstrip()
        rest = rng.choice(industry.broken)
        for _ in range(100):
            t0 = self.root_time(last_day=max(1, self.days - 1))
            candidate = _Thread(self.end)
            root = self.conversation(
                candidate,
                brand,
                cust,
                force_answer=True,
                quiet=True,
                root_override=(f"{first} {rest}", t0, True),
            )
            if root is not None and len(root.children) == 1:
                root.broken = (first + " ", rest)
                thread.tweets = candidate.tweets
                return
        raise RuntimeError("could not place the broken record")  # pragma: no cover


def _channel(text: str) -> str:
    """Where a brand reply sends the customer: dm, email or phone."""
    if "DM" in text or "Direct Message" in text:
        return "dm"
    return "email" if "email" in text else "phone" if "call" in text else "dm"


def _is_private(text: str) -> bool:
    return any(k in text for k in ("DM", "Direct Message", "call us", "email", "e-mail"))


def _accumulate(values: list[float]) -> list[float]:
    total = 0.0
    out = []
    for v in values:
        total += v
        out.append(total)
    return out


def _bisect_slots(slots: list[datetime], limit: datetime) -> int:
    for i, slot in enumerate(slots):
        if slot >= limit:
            return max(1, i)
    return len(slots)


def _generate(
    rng: random.Random,
    start: datetime,
    days: int,
    conversations: int,
    broken_at: int | None,
    words: str,
) -> list[_Thread]:
    gen = _Generator(rng, start, days, words)
    threads: list[_Thread] = []
    for index in range(conversations):
        thread = _Thread(gen.end)
        if index == broken_at:
            gen.broken_conversation(thread)
        else:
            brand = gen.pick_brand()
            r = rng.random()
            if r < 0.008:
                gen.brand_notice(thread, brand)
            elif r < 0.042:
                gen.missing_parent(thread, brand)
            elif r < 0.067:
                gen.two_customers(thread, brand)
            else:
                gen.conversation(thread, brand, gen.customer(brand))
        threads.append(thread)
    return threads


def _check_raw(text: str) -> None:
    if any(c in text for c in ',"\r\n'):
        raise ValueError(f"broken record text must be raw-safe: {text!r}")


def write_demo_export(
    path: str | os.PathLike[str],
    *,
    conversations: int = 1500,
    seed: int = 7,
    start: datetime | None = None,
    days: int = 28,
    broken_record: bool = True,
) -> DemoSummary:
    """Write a realistic, fully fictional export of customer care conversations.

    ``path`` gets a CSV in the format of the "Customer Support on Twitter" dataset. The output
    depends only on the arguments (same seed, same bytes). ``start`` (default
    :data:`DEFAULT_START`; naive means UTC) is the first instant; tweets spread over ``days``
    days with daily and weekly traffic patterns, and nothing is written after the end of that
    window (as in a real export cut at a date, the latest tweets may still be unanswered).
    With ``broken_record``, one record near the middle is written broken over three physical
    lines; it does not count in ``records`` and its first line is ``broken_line``.
    """
    if conversations < 0:
        raise ValueError("conversations must be >= 0")
    if days < 1:
        raise ValueError("days must be >= 1")
    if start is None:
        start = DEFAULT_START
    elif start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    else:
        start = start.astimezone(UTC)

    rng = random.Random(seed)
    # Fresh replies draw their words from streams of their own, so the threads, their times and
    # who answers are the same whatever the agents write.
    words = f"beancan-demo-words-{seed}"
    broken_at = conversations // 2 if broken_record and conversations > 0 else None
    threads = _generate(rng, start, days, conversations, broken_at, words)

    # Ids in file order, like the real dataset: each thread newest tweet first, and a gap where
    # a parent is missing from the export.
    next_id = 1
    missing_ids: dict[int, int] = {}
    for thread in threads:
        thread.tweets.sort(key=lambda tw: tw.time, reverse=True)
        for tweet in thread.tweets:
            tweet.tweet_id = next_id
            next_id += 1
        for tweet in thread.tweets:
            if tweet.missing_parent:
                missing_ids[tweet.tweet_id] = next_id
                next_id += 1

    out = Path(path)
    records = 0
    broken_line: int | None = None
    line = 1  # the header
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(HEADER)
        for thread in threads:
            for tweet in thread.tweets:
                children = sorted(tweet.children, key=lambda tw: tw.time)
                replies = ",".join(str(c.tweet_id) for c in children)
                if tweet.parent is not None:
                    parent = str(tweet.parent.tweet_id)
                elif tweet.missing_parent:
                    parent = str(missing_ids[tweet.tweet_id])
                else:
                    parent = ""
                created = _twitter_time(tweet.time)
                inbound = "True" if tweet.inbound else "False"
                if tweet.broken is not None:
                    first, rest = tweet.broken
                    _check_raw(first)
                    _check_raw(rest)
                    handle.write(
                        f"{tweet.tweet_id},{tweet.author},{inbound},{created},{first}\n"
                        f"\n{rest},{replies},{parent}\n"
                    )
                    broken_line = line + 1
                    line += 3
                    continue
                if "\n" in tweet.text or "\r" in tweet.text:  # pragma: no cover
                    raise ValueError("demo texts must not contain newlines")
                writer.writerow(
                    (tweet.tweet_id, tweet.author, inbound, created, tweet.text, replies, parent)
                )
                records += 1
                line += 1

    return DemoSummary(
        path=out,
        records=records,
        conversations=conversations,
        brands=tuple(b.handle for b in DEMO_BRANDS),
        broken_line=broken_line,
    )
