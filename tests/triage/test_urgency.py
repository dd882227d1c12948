"""Urgency: points a care lead can add up, words matched whole, a waiting curve that saturates."""

from __future__ import annotations

import math
import time

import pytest

from beancan.triage.types import Prediction, UrgencySignals
from beancan.triage.urgency import (
    MAX_SCORE,
    UrgencyBase,
    find_words,
    repeat_points,
    score_urgency,
    text_urgency,
    urgency_from,
    waiting_points,
)


def signals(text: str = "", intent: str = "other", sentiment: str = "neutral", score=0.0, **kw):
    return UrgencySignals(text, intent, sentiment, score, **kw)


def prediction(intent="other", sentiment="neutral", score=0.0, spam=False) -> Prediction:
    return Prediction(sentiment, score, 0.9, intent, 0.8, spam, "test-prediction")


def test_a_calm_question_just_arrived_is_zero() -> None:
    urgency = score_urgency(signals("what time do you open on Sunday?", "question"))
    assert urgency.score == 0
    assert urgency.reasons == ()


def test_the_score_is_the_sum_of_the_points_in_its_reasons() -> None:
    urgency = score_urgency(
        signals(
            "The charger started smoking, I'm calling my lawyer",
            "complaint",
            "negative",
            -0.6,
            waited_seconds=3600,
            customer_messages=2,
        )
    )
    # complaint 15 + negative 5+10*0.6=11 + safety 35 + legal 25 + waiting 10 + wrote twice 5
    assert urgency.score == min(MAX_SCORE, 15 + 11 + 35 + 25 + 10 + 5)
    assert urgency.reasons == (
        "safety words: 'smoking' (+35)",
        "legal words: 'lawyer' (+25)",
        "complaint (+15)",
        "negative sentiment (-0.60) (+11)",
        "waiting 1 h (+10)",
        "wrote 2 times before a reply (+5)",
    )


def test_points_in_reasons_add_up_below_the_cap() -> None:
    urgency = score_urgency(
        signals("please cancel my subscription", "request", "negative", -0.2, vip=True)
    )
    points = [int(r.rsplit("(+", 1)[1].rstrip(")")) for r in urgency.reasons]
    assert urgency.score == sum(points) == 20 + 15 + 5 + 7
    assert urgency.reasons[0] == "cancellation or churn words: 'cancel my subscription' (+20)"


def test_everything_at_once_is_capped_at_100() -> None:
    urgency = score_urgency(
        signals(
            "gas leak, fire, injured, my attorney will sue you, cancel my account, never again",
            "complaint",
            "negative",
            -1.0,
            waited_seconds=86_400 * 3,
            customer_messages=9,
            vip=True,
        )
    )
    assert urgency.score == 100
    assert len(urgency.reasons) == 8


@pytest.mark.parametrize(
    ("text", "category", "words"),
    [
        ("There is SMOKE coming out of the microwave", "safety", ["smoke"]),
        ("my son had an allergic reaction after eating it", "safety", ["allergic reaction"]),
        ("we were in a car crash in your taxi", "safety", ["car crash"]),
        ("I can smell gas in the flat, gas leak?", "safety", ["gas leak"]),
        ("filing a chargeback and reporting you to Trading Standards", "legal",
         ["chargeback", "trading standards"]),
        ("Filed an FCC complaint today", "legal", ["fcc complaint"]),
        ("I will sue you", "legal", ["will sue"]),
        ("I'm switching to another bank and closing my account", "churn",
         ["switching to", "closing my account"]),
        ("I’m leaving, never again", "churn", ["i'm leaving", "never again"]),
        ("hay humo en la cocina y llamé a urgencias", "safety", ["humo", "urgencias"]),
        ("voy a poner una denuncia, hablaré con mi abogado", "legal", ["denuncia", "abogado"]),
        ("quiero darme de baja", "churn", ["darme de baja"]),
        ("le chargeur a pris feu, fumée partout", "safety", ["pris feu", "fumée"]),
        ("je vais porter plainte et résilier", "legal", ["porter plainte"]),
        ("je vais porter plainte et résilier", "churn", ["résilier"]),
        ("das Ladegerät ist explodiert, mein Sohn ist verletzt", "safety",
         ["explodiert", "verletzt"]),
        ("Ich schalte meinen Anwalt ein und gehe vor Gericht", "legal", ["anwalt", "vor gericht"]),
        ("Ich will kündigen", "churn", ["kündigen"]),
    ],
)  # fmt: skip
def test_words_are_found_in_four_languages(text: str, category: str, words: list[str]) -> None:
    assert find_words(text)[category] == words


@pytest.mark.parametrize(
    "text",
    [
        "my Fire TV Stick won't connect",
        "Kindle Fire keeps restarting",
        "the app keeps crashing",  # an app crash is not a car crash
        "I bought it by accident",
        "meet me at the food court",
        "I'm burned out on these delays",
        "@firefighter_joe @smokeybear thanks https://fire.example.com/smoke",
        "Thanks Sue, all sorted",  # a name, not a lawsuit
        "campfire songs and courtesy",  # whole words only
        "the Gericht was delicious",  # a German dish is not a court
        "this was cancelled",  # a cancelled flight is not churn
    ],
)
def test_harmless_look_alikes_are_not_counted(text: str) -> None:
    assert find_words(text) == {"safety": [], "legal": [], "churn": []}


def test_a_reason_quotes_three_words_and_counts_the_rest() -> None:
    base = text_urgency("fire smoke explosion injured hospital", prediction())
    assert base.parts == (("safety words: 'fire', 'smoke', 'explosion' and 2 more (+35)", 35),)


def test_waiting_saturates() -> None:
    assert waiting_points(0) == 0
    assert waiting_points(60) == 0
    assert waiting_points(3600) == 10
    assert waiting_points(4 * 3600) == 16
    assert waiting_points(30 * 86_400) == 20
    assert waiting_points(math.inf) == 20
    values = [waiting_points(s) for s in range(0, 10 * 86_400, 600)]
    assert values == sorted(values)
    assert max(values) <= 20


def test_writing_again_adds_up_to_a_limit() -> None:
    assert [repeat_points(n) for n in (0, 1, 2, 3, 4, 10, 10**9)] == [0, 0, 5, 10, 15, 15, 15]


@pytest.mark.parametrize("waited", [-5.0, math.nan, "soon", None])
def test_nonsense_context_is_read_as_none(waited) -> None:
    urgency = urgency_from(UrgencyBase(), waited, customer_messages=-3)  # type: ignore[arg-type]
    assert urgency.score == 0


def test_the_text_part_is_stored_once_and_the_clock_part_recomputed() -> None:
    base = text_urgency("the heater sparks, it's unsafe", prediction("complaint", "negative", -0.9))
    assert base.points == 35 + 15 + 14
    earlier = urgency_from(base, waited_seconds=600)
    later = urgency_from(base, waited_seconds=6 * 3600, customer_messages=3)
    assert earlier.score == 64 + waiting_points(600)
    assert later.score == min(100, 64 + waiting_points(6 * 3600) + 10)
    assert "waiting 6 h (+17)" in later.reasons
    direct = score_urgency(
        signals(
            "the heater sparks, it's unsafe",
            "complaint",
            "negative",
            -0.9,
            waited_seconds=6 * 3600,
            customer_messages=3,
        )
    )
    assert direct == later


def test_spam_stays_at_zero_however_long_it_waits() -> None:
    base = text_urgency("FIRE SALE lawyer", prediction("complaint", "negative", -1.0, spam=True))
    urgency = urgency_from(base, waited_seconds=86_400, customer_messages=5, vip=True)
    assert urgency.score == 0
    assert urgency.reasons == ("flagged as spam (0)",)


def test_waiting_is_worded_for_the_agent() -> None:
    reasons = {
        s: urgency_from(UrgencyBase(), s).reasons for s in (1500, 7800, 3 * 86_400 + 4 * 3600)
    }
    assert reasons[1500] == ("waiting 25 min (+6)",)
    assert reasons[7800] == ("waiting 2 h 10 min (+14)",)
    assert reasons[3 * 86_400 + 4 * 3600] == ("waiting 3 d 4 h (+20)",)


def test_deterministic_and_bounded_on_any_input() -> None:
    nasty = [
        "",
        "😀" * 10_000,
        "fire " * 20_000,  # 100 kB of one safety word
        "a" * 100_000,
        "\x00\x1b\ud800" * 30_000,
        "sue " * 25_000,
        "مرحبا 你好 hello fire Привет " * 3_000,
    ]
    for text in nasty:
        started = time.perf_counter()
        first = score_urgency(signals(text, "complaint", "negative", -0.5))
        elapsed = time.perf_counter() - started
        assert first == score_urgency(signals(text, "complaint", "negative", -0.5))
        assert 0 <= first.score <= 100
        assert elapsed < 0.5, (text[:10], elapsed)  # generous: the bench measures far less


def test_not_a_string_has_no_words() -> None:
    assert score_urgency(signals(None)).score == 0  # type: ignore[arg-type]
