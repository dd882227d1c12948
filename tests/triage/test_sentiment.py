"""Tests for beancan.triage.sentiment: polarity, robustness, the length cap and bulk scoring."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from beancan.triage.model import TriageModel, load_model
from beancan.triage.sentiment import (
    MAX_CHARS,
    LexiconAnalyzer,
    SentimentAnalyzer,
    VaderAnalyzer,
    get_analyzer,
    label,
    score_texts,
)

TWCS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "twcs_sample.csv"

ANALYZER_NAMES = ["lexicon", "vader"]  # the default model has its own tests (test_model.py)


@pytest.fixture(params=ANALYZER_NAMES)
def analyzer(request: pytest.FixtureRequest) -> SentimentAnalyzer:
    return get_analyzer(request.param)


def test_get_analyzer_names() -> None:
    assert isinstance(get_analyzer(), TriageModel)
    assert get_analyzer("default") is load_model("default")
    assert get_analyzer("default").name == "beancan-triage-3"
    assert isinstance(get_analyzer("lexicon"), LexiconAnalyzer)
    assert isinstance(get_analyzer("vader"), VaderAnalyzer)
    assert get_analyzer("lexicon").name == "beancan-lexicon-1"
    assert get_analyzer("vader").name.startswith("vader-3.")
    for name in ANALYZER_NAMES:
        assert isinstance(get_analyzer(name), SentimentAnalyzer)


def test_get_analyzer_unknown_name() -> None:
    with pytest.raises(ValueError, match="valid names: default, general, lexicon, vader"):
        get_analyzer("roberta")


def test_label_thresholds() -> None:
    assert label(-0.05) == "negative"
    assert label(-0.0499) == "neutral"
    assert label(0.0) == "neutral"
    assert label(0.0499) == "neutral"
    assert label(0.05) == "positive"


def test_clear_polarity(analyzer: SentimentAnalyzer) -> None:
    assert analyzer.score("I love this, thank you so much!") > 0.5
    assert analyzer.score("worst service ever, still waiting 3 hours") < -0.3
    assert analyzer.score("The flight was fine.") > 0


def test_negation(analyzer: SentimentAnalyzer) -> None:
    assert analyzer.score("good") > 0
    assert analyzer.score("not good") < 0
    assert analyzer.score("this is not a good experience") < 0
    assert analyzer.score("isn't bad at all") > 0


def test_negation_with_typographic_apostrophe() -> None:
    lexicon = get_analyzer("lexicon")
    assert lexicon.score("I don’t like it") < 0
    assert lexicon.score("I don’t like it") == lexicon.score("I don't like it")


def test_but_shifts_weight_to_second_clause(analyzer: SentimentAnalyzer) -> None:
    # Without "but" the two clauses cancel out roughly; with it the second one wins.
    assert analyzer.score("The staff were nice, but the food was awful") < 0
    assert analyzer.score("The food was awful, but the staff were nice") > 0
    plain = analyzer.score("The food was awful, the staff were nice")
    assert analyzer.score("The food was awful, but the staff were nice") > plain


def test_boosters_caps_and_exclamation(analyzer: SentimentAnalyzer) -> None:
    base = analyzer.score("The service is good.")
    assert analyzer.score("The service is very good.") > base
    assert analyzer.score("The service is slightly good.") < base
    assert analyzer.score("The service is GOOD.") > base
    assert analyzer.score("The service is good!!!") > base


def test_emoji_and_emoticons(analyzer: SentimentAnalyzer) -> None:
    assert analyzer.score("😀") > 0
    assert analyzer.score("thanks :)") > analyzer.score("thanks")
    assert analyzer.score("ugh :(") < 0


BAD_INPUTS = {
    "empty": "",
    "whitespace": " \t\n\r ",
    "one emoji": "😡",
    "only emoji": "😀😢😡👍🏽❤️",
    "10,000 emoji": "😀😂😡👍🙏" * 2_000,
    "10,000 emoji with modifiers": "😀🙏🏽❤️👍" * 2_500,
    "100 kB text": ("not bad at all, but the WAIT was terrible!!! " * 2_300)[:100_000],
    "mixed scripts": "Привет 你好 مرحبا שלום great service ありがとう 😊",
    "control characters": "\x00\x01\x07bad\x1b[31m good\x7f\r\n\t\u200b\ufeff\u202e",
    "lone surrogates": "\ud800 good \udfff",
    "punctuation only": "!!!???...:-)" * 50,
    "long word": "a" * 100_000,
    "only negations": "not " * 10_000,
}


@pytest.mark.parametrize("text", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_inputs_answer_a_float(analyzer: SentimentAnalyzer, text: str) -> None:
    value = analyzer.score(text)
    assert isinstance(value, float)
    assert -1.0 <= value <= 1.0


def test_none_and_empty_values_score_zero(analyzer: SentimentAnalyzer) -> None:
    assert analyzer.score(None) == 0.0  # type: ignore[arg-type]
    assert analyzer.score("") == 0.0
    assert analyzer.score_many([]) == []


def test_cap_is_applied(analyzer: SentimentAnalyzer) -> None:
    neutral_prefix = "x " * (MAX_CHARS // 2)  # exactly MAX_CHARS characters of no sentiment
    assert len(neutral_prefix) == MAX_CHARS
    assert analyzer.score(neutral_prefix + "I hate this, it is awful") == 0.0
    head = "I hate this, it is awful. " * 30
    assert analyzer.score(head + "great " * 1_000) == analyzer.score(head[:MAX_CHARS])


def test_score_many_matches_score(analyzer: SentimentAnalyzer) -> None:
    texts = ["great", "awful", "", "meh", "not bad 😀"]
    assert analyzer.score_many(texts) == [analyzer.score(t) for t in texts]
    assert analyzer.score_many(iter(texts)) == [analyzer.score(t) for t in texts]


def _varied_texts(n: int) -> list[str]:
    words = ["great", "awful", "not good", "thanks!", "still waiting", "LOVE it", "meh", "😡"]
    return [f"{words[i % len(words)]} #{i} {words[(i * 7) % len(words)]}" for i in range(n)]


def test_score_texts_serial_in_order() -> None:
    texts = _varied_texts(2_500)
    done: list[int] = []
    scores = score_texts(texts, "lexicon", progress=done.append)
    lexicon = get_analyzer("lexicon")
    assert scores == [lexicon.score(t) for t in texts]
    assert sum(done) == len(texts)


@pytest.mark.filterwarnings("error")  # a failed pool falls back with a RuntimeWarning
def test_score_texts_process_pool_in_order() -> None:
    texts = _varied_texts(25_000)  # at least 20,000 texts: chunks go to a process pool
    done: list[int] = []
    scores = score_texts(texts, "lexicon", workers=2, progress=done.append)
    lexicon = get_analyzer("lexicon")
    assert scores == [lexicon.score(t) for t in texts]
    assert sorted(done) == [5_000, 10_000, 10_000]


@pytest.mark.filterwarnings("error")
def test_score_texts_default_model_in_pool_matches_in_process() -> None:
    texts = _varied_texts(25_000)
    pooled = score_texts(texts, "default", workers=2)
    serial = score_texts(texts, "default", workers=1)
    assert pooled == serial
    assert serial == load_model().score_many(texts)


def test_score_texts_unknown_analyzer() -> None:
    with pytest.raises(ValueError):
        score_texts(["hello"], "nope")


def _customer_tweets() -> list[str]:
    with TWCS.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return [row[4] for row in rows[1:] if len(row) == 7 and row[2] == "True"]


@pytest.mark.skipif(not TWCS.exists(), reason=f"{TWCS} not present")
def test_agrees_with_vader_on_customer_tweets() -> None:
    tweets = _customer_tweets()
    assert len(tweets) > 1_000
    ours = [label(s) for s in get_analyzer("lexicon").score_many(tweets)]
    vader = [label(s) for s in get_analyzer("vader").score_many(tweets)]
    agreement = sum(a == b for a, b in zip(ours, vader, strict=True)) / len(tweets)
    assert agreement >= 0.80
