"""Reading survey answers and the survey metrics (beancan.care.surveys, pure)."""

from __future__ import annotations

import pytest

from beancan.care.surveys import (
    CSAT,
    NPS,
    csat,
    distribution,
    fill_question,
    is_survey_answer,
    nps,
    parse_score,
    question_error,
    read_answer,
    response_rate,
)

ACCEPTED = [
    # (text, kind, score)
    ("5", CSAT, 5),
    ("  5  ", CSAT, 5),
    ("5!", CSAT, 5),
    ("5/5", CSAT, 5),
    ("4/5", CSAT, 4),
    ("4 / 5", CSAT, 4),
    ("4 out of 5", CSAT, 4),
    ("4 of 5", CSAT, 4),
    ("4 stars", CSAT, 4),
    ("1 star", CSAT, 1),
    ("⭐⭐⭐⭐", CSAT, 4),
    ("⭐️⭐️⭐️⭐️⭐️", CSAT, 5),  # with variation selectors
    ("★★★☆☆", CSAT, 3),
    ("5 stars ⭐⭐⭐⭐⭐", CSAT, 5),
    ("five", CSAT, 5),
    ("Five, thanks", CSAT, 5),
    ("three stars", CSAT, 3),
    ("5, thanks!", CSAT, 5),
    ("5 thanks", CSAT, 5),
    ("Thanks! 5", CSAT, 5),
    ("great service thanks 5", CSAT, 5),
    ("Hi, 4", CSAT, 4),
    ("I'd say 4", CSAT, 4),
    ("I’d say 4", CSAT, 4),  # a typographic apostrophe
    ("I give it 4 because the wait was long", CSAT, 4),
    ("rating: 3", CSAT, 3),
    ("My rating is 2", CSAT, 2),
    ("5, but my router is still broken", CSAT, 5),
    ("1 - nothing works", CSAT, 1),
    ("10 - great service", NPS, 10),
    ("10/10 would recommend", NPS, 10),
    ("9 out of 10", NPS, 9),
    ("ten out of ten", NPS, 10),
    ("I'd say 8", NPS, 8),
    ("I'd give you a 9", NPS, 9),
    ("definitely a 10", NPS, 10),
    ("0", NPS, 0),
    ("zero", NPS, 0),
    ("7 👍", NPS, 7),
    ("Thanks so much. 10/10 would recommend", NPS, 10),
    ("5, order 12345 still missing", CSAT, 5),
    ("24/7 support, 5", CSAT, 5),
]

REFUSED = [
    # (text, kind, why)
    ("", CSAT, "empty"),
    ("thanks!", CSAT, "no number"),
    ("3 or 4", CSAT, "two scores"),
    ("4 or 5 stars", CSAT, "two scores"),
    ("4, maybe 5", CSAT, "two scores"),
    ("between 3 and 4", CSAT, "two scores"),
    ("3-4", CSAT, "a range"),
    ("9-10", NPS, "a range"),
    ("4.5", CSAT, "a fraction of a point"),
    ("4,5", CSAT, "a fraction of a point"),
    ("12", NPS, "out of range"),
    ("12", CSAT, "out of range"),
    ("0", CSAT, "out of range"),
    ("6", CSAT, "out of range"),
    ("10 - great service", CSAT, "out of range"),
    ("12 stars", CSAT, "out of range"),
    ("8/10", CSAT, "another scale"),
    ("5/5", NPS, "another scale"),
    ("⭐⭐⭐⭐⭐", NPS, "stars on a 0-10 question"),
    ("4 stars", NPS, "stars on a 0-10 question"),
    ("order 12345", CSAT, "an order number"),
    ("my order number is 12345", NPS, "an order number"),
    ("ticket 5 is still open", CSAT, "names a ticket"),
    ("iPhone 5 keeps crashing", CSAT, "names a phone"),
    ("call me on +1 555 123 4567", NPS, "a phone number"),
    ("555-1234", NPS, "a phone number"),
    ("07 946 0958", NPS, "a phone number"),
    ("5 555 1234", CSAT, "a phone number"),
    ("I waited 2 days", CSAT, "a count"),
    ("2 days and still nothing", CSAT, "a count"),
    ("3 routers broke", CSAT, "a count"),
    ("2 of my orders never arrived", CSAT, "a count"),
    ("it took 5 minutes", CSAT, "a duration"),
    ("call me at 5", CSAT, "a time"),
    ("at 5pm", CSAT, "a time"),
    ("it's 5 am here", CSAT, "a time"),
    ("5:30", CSAT, "a time"),
    ("100%", NPS, "a percentage"),
    ("5%", CSAT, "a percentage"),
    ("$5", CSAT, "money"),
    ("5th time I ask", CSAT, "an ordinal"),
    ("on 4/5 I ordered", CSAT, "a date"),
    ("4/5/2026", CSAT, "a date"),
    ("no one helped me", CSAT, "'one' is not a number here"),
    ("One more thing: my bill is wrong", CSAT, "'one' is not a number here"),
    ("the agent was number 1", CSAT, "names a rank"),
    ("I have a 2 year old router", CSAT, "a count"),
]


@pytest.mark.parametrize(("text", "kind", "score"), ACCEPTED)
def test_a_score_is_read_where_it_stands(text, kind, score):
    assert parse_score(text, kind) == score


@pytest.mark.parametrize(("text", "kind", "why"), REFUSED)
def test_no_score_when_it_is_missing_ambiguous_out_of_range_or_not_a_score(text, kind, why):
    assert parse_score(text, kind) is None, why


def test_an_unknown_scale_is_a_programming_error():
    with pytest.raises(ValueError, match="not csat or nps"):
        parse_score("5", "ces")


@pytest.mark.parametrize(
    ("text", "kind", "score", "comment", "needs_reply"),
    [
        ("5", CSAT, 5, "", False),
        ("5, thanks!", CSAT, 5, "thanks", False),
        ("⭐⭐⭐⭐", CSAT, 4, "", False),
        ("10 - great service", NPS, 10, "great service", False),
        ("I'd say 8", NPS, 8, "", False),
        ("5 thanks for the help", CSAT, 5, "thanks for the help", False),
        ("9, Maria was super helpful", NPS, 9, "Maria was super helpful", False),
        ("5, but my router is still broken", CSAT, 5, "but my router is still broken", True),
        ("2 - it stopped working again", CSAT, 2, "it stopped working again", True),
        ("4. Can you also check my bill?", CSAT, 4, "Can you also check my bill?", True),
        ("1 - nothing works", CSAT, 1, "nothing works", True),
        ("3, the parcel never arrived", CSAT, 3, "the parcel never arrived", True),
    ],
)
def test_an_answer_keeps_its_comment_and_says_whether_it_needs_a_person(
    text, kind, score, comment, needs_reply
):
    answer = read_answer(text, kind)
    assert answer is not None
    assert (answer.score, answer.comment, answer.needs_reply) == (score, comment, needs_reply)
    assert is_survey_answer(text, kind) is not needs_reply


def test_a_reply_without_a_score_is_not_an_answer():
    assert read_answer("my router is still broken", CSAT) is None
    assert not is_survey_answer("my router is still broken")
    assert not is_survey_answer("thanks!")
    assert not is_survey_answer("3 or 4")


def test_the_question_is_filled_with_the_first_name_or_tidied_without_one():
    q = "Hi {first_name}, how did we do? Reply 1-5."
    assert fill_question(q, "Maria") == "Hi Maria, how did we do? Reply 1-5."
    assert fill_question(q, " ") == "Hi, how did we do? Reply 1-5."
    assert fill_question("{first_name}, rate us 0-10", "") == ", rate us 0-10"
    assert question_error(q) == ""
    assert question_error("  ") == "the question cannot be empty"
    assert "not {order_id}" in question_error("Hi {first_name}, about {order_id}: reply 1-5")


def test_csat_is_the_share_scoring_four_or_five():
    assert csat([]) is None
    assert csat([5, 4, 3, 1]) == 0.5
    assert csat([5]) == 1.0
    assert csat([1, 2, 3]) == 0.0


def test_nps_is_promoters_minus_detractors_in_percent():
    assert nps([]) is None
    assert nps([10, 9, 8, 7, 6, 0]) == pytest.approx(100 * (2 - 2) / 6)
    assert nps([10, 10, 9, 6]) == 50.0
    assert nps([7, 8]) == 0.0  # passives only
    assert nps([0, 6]) == -100.0


def test_response_rate_and_distribution():
    assert response_rate(0, 0) is None
    assert response_rate(3, 12) == 0.25
    assert distribution([5, 5, 1, 7], CSAT) == [(1, 1), (2, 0), (3, 0), (4, 0), (5, 2)]
    assert [n for _, n in distribution([0, 10, 10], NPS)] == [1] + [0] * 9 + [2]
