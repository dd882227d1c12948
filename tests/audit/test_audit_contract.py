"""The audit's contract on small hand-built threads whose answers are known.

Each test writes a tiny twcs export (see helpers.py), audits it and checks the report against
numbers worked out by hand from the contract: threading, conversation facts and every metric.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from helpers import (
    METRIC_KEYS,
    assert_close,
    at,
    audit_rows,
    reference_metrics,
    reference_twcs_facts,
    same_metrics,
    write_twcs,
)

from beancan.audit.engine import audit_file
from beancan.triage.sentiment import get_analyzer

T0 = "2017-10-31 22:10:47"  # a Tuesday, as in the sample export
MONDAY = "2017-10-30 00:00:00"


def report_of(tmp_path, rows, **options) -> dict:
    return audit_rows(tmp_path, rows, **options).report


def frt(metrics: dict) -> dict:
    return metrics["first_response_seconds"]


def conversation_ids(result) -> set[str]:
    """Ids of the answered conversations (the engine names a conversation by its root)."""
    return {str(w["conversation"]) for w in result.details["longest_waits"]}


def answered_thread(first_id: int, customer: str, brand: str, start, wait: float, **texts):
    """A customer message and the brand's reply `wait` seconds later."""
    return [
        (first_id, customer, True, start, texts.get("ask", f"@{brand} my order is late"), None),
        (
            first_id + 1,
            brand,
            False,
            at(start, wait),
            texts.get("reply", f"@{customer} Sorry to hear that, we are looking into it."),
            first_id,
        ),
    ]


# ------------------------------------------------------------------ report shape


def test_report_has_exactly_the_contract_keys(tmp_path):
    rows = [
        *answered_thread(1, "101", "AcmeCare", T0, 120),
        (3, "102", True, at(T0, 60), "@OtherCo hello?", None),
        (4, "OtherCo", False, at(T0, 90), "@102 Hi, how can we help?", 3),
    ]
    path = write_twcs(tmp_path, rows)
    report = audit_file(path, sentiment=False, target_seconds=900).report
    assert set(report) == {"source", "rows", "target_seconds", "overall", "brands"}
    assert json.loads(json.dumps(report)) == report  # plain JSON values only
    assert str(path) in report["source"] or path.name in report["source"]
    assert set(report["rows"]) == {"valid", "rejected", "rejections"}
    assert report["rows"] == {"valid": 4, "rejected": 0, "rejections": []}
    assert report["target_seconds"] == 900
    assert set(report["brands"]) == {"AcmeCare", "OtherCo"}
    for metrics in [report["overall"], *report["brands"].values()]:
        assert set(metrics) == METRIC_KEYS
        assert set(metrics["first_response_seconds"]) == {"median", "p90", "mean"}
        assert set(metrics["sentiment"]) == {"first_mean", "after_reply_mean", "improved_share"}
        hours = metrics["hour_of_week"]
        assert set(hours) == {"volume", "median_first_response_seconds"}
        assert len(hours["volume"]) == 168
        assert len(hours["median_first_response_seconds"]) == 168


def test_one_answered_conversation_known_answers(tmp_path):
    rows = [
        (1, "101", True, T0, "@AcmeCare my order is late", None),
        (2, "AcmeCare", False, at(T0, 120), "@101 Sorry, we are checking it now.", 1),
        (3, "101", True, at(T0, 300), "@AcmeCare thanks, it arrived", 2),
    ]
    report = report_of(tmp_path, rows)
    overall = report["overall"]
    assert report["rows"] == {"valid": 3, "rejected": 0, "rejections": []}
    assert overall["conversations"] == 1
    assert overall["customer_initiated"] == 1
    assert overall["answered"] == 1
    assert overall["response_rate"] == 1.0
    assert frt(overall) == {"median": 120.0, "p90": 120.0, "mean": 120.0}
    assert overall["within_target_share"] == 1.0  # default target: an hour
    assert overall["repeat_contact_share"] == 0.0
    assert overall["thanks_share"] == 1.0
    assert overall["private_handoff_share"] == 0.0
    assert list(report["brands"]) == ["AcmeCare"]
    assert report["brands"]["AcmeCare"] == overall


# ------------------------------------------------------------------ threading


def test_missing_parent_starts_its_own_tree(tmp_path):
    rows = [
        # 1 answers 999, which is not in the file: 1 starts a conversation.
        (1, "101", True, T0, "@AcmeCare following up on my ticket", 999),
        (2, "AcmeCare", False, at(T0, 60), "@101 We are on it.", 1),
        # 12 answers 11, missing: it starts its own tree, apart from 10 (its grandparent).
        (10, "102", True, at(T0, 1000), "@AcmeCare my card was charged twice", None),
        (12, "102", True, at(T0, 1600), "@AcmeCare anyone there?", 11),
        (13, "AcmeCare", False, at(T0, 1700), "@102 Yes, we can refund that.", 12),
    ]
    result = audit_rows(tmp_path, rows)
    overall = result.report["overall"]
    assert overall["conversations"] == 3
    assert overall["customer_initiated"] == 3
    assert overall["answered"] == 2  # 10 was never answered in its own tree
    assert frt(overall)["mean"] == pytest.approx(80.0)  # 60 s and 100 s
    assert frt(overall)["median"] == pytest.approx(80.0)
    assert result.report["brands"]["AcmeCare"]["conversations"] == 3  # 10 by its mention
    assert conversation_ids(result) == {"1", "12"}


def test_two_cycle_is_one_conversation_cut_at_its_earliest(tmp_path):
    rows = [
        # The brand's 2 is listed first; 1 and 2 answer each other; 1 is earlier.
        (2, "AcmeCare", False, at(T0, 60), "@101 Sorry about that, sending a new one.", 1),
        (1, "101", True, T0, "@AcmeCare my parcel is damaged", 2),
        (3, "101", True, at(T0, 120), "@AcmeCare thank you!", 2),
    ]
    result = audit_rows(tmp_path, rows)
    overall = result.report["overall"]
    assert overall["conversations"] == 1
    assert overall["customer_initiated"] == 1
    assert overall["answered"] == 1
    assert frt(overall)["median"] == 60.0
    assert overall["thanks_share"] == 1.0
    assert result.details["cycles_cut"] == 1
    assert conversation_ids(result) == {"1"}  # the cycle was cut at 1, the earliest


def test_three_cycle_with_a_tail(tmp_path):
    rows = [
        (7, "101", True, at(T0, 90), "@AcmeCare still broken", 6),
        (8, "AcmeCare", False, at(T0, 100), "@101 Let us try again.", 7),  # the tail
        (6, "AcmeCare", False, at(T0, 30), "@101 Please restart the router.", 5),
        (5, "101", True, T0, "@AcmeCare my internet is down", 7),  # earliest member
    ]
    result = audit_rows(tmp_path, rows)
    overall = result.report["overall"]
    assert overall["conversations"] == 1
    assert overall["customer_initiated"] == 1
    assert overall["answered"] == 1
    assert frt(overall)["median"] == 30.0
    assert overall["repeat_contact_share"] == 0.0
    assert result.details["cycles_cut"] == 1
    assert conversation_ids(result) == {"5"}


def test_cycle_at_the_same_second_is_cut_at_the_lower_id(tmp_path):
    rows = [
        (21, "AcmeCare", False, T0, "@102 Hello, how can we help?", 20),
        (20, "102", True, T0, "@AcmeCare hello", 21),
    ]
    result = audit_rows(tmp_path, rows)
    overall = result.report["overall"]
    assert overall["conversations"] == 1
    assert overall["customer_initiated"] == 1  # 20 is first: same time, lower id
    assert frt(overall)["median"] == 0.0
    assert result.details["cycles_cut"] == 1
    assert conversation_ids(result) == {"20"}


def test_four_cycle_is_one_conversation(tmp_path):
    rows = [
        (1, "101", True, T0, "@AcmeCare my bill is wrong", 4),
        (2, "AcmeCare", False, at(T0, 60), "@101 Which month?", 1),
        (3, "101", True, at(T0, 120), "@AcmeCare October", 2),
        (4, "AcmeCare", False, at(T0, 180), "@101 Fixed it.", 3),
        (5, "101", True, at(T0, 240), "@AcmeCare thanks!", 4),
    ]
    result = audit_rows(tmp_path, rows)
    overall = result.report["overall"]
    assert overall["conversations"] == 1
    assert overall["answered"] == 1
    assert frt(overall)["median"] == 60.0
    assert overall["thanks_share"] == 1.0
    assert result.details["cycles_cut"] == 1
    assert conversation_ids(result) == {"1"}


def test_out_of_order_rows_give_the_same_report(tmp_path):
    rows = (
        answered_thread(1, "101", "AcmeCare", T0, 120)
        + answered_thread(3, "102", "AcmeCare", at(T0, 10), 3000)
        + [
            (5, "103", True, at(T0, 20), "@OtherCo hi", None),
            (6, "103", True, at(T0, 80), "@OtherCo hello??", 5),
            (7, "OtherCo", False, at(T0, 700), "@103 Hi, sorry for the wait.", 6),
            (8, "103", True, at(T0, 900), "@OtherCo thanks", 7),
            (9, "104", True, at(T0, 30), "@OtherCo nobody answers", None),
        ]
    )
    sorted_dir, reversed_dir, shuffled_dir = (tmp_path / n for n in ("s", "r", "x"))
    for d in (sorted_dir, reversed_dir, shuffled_dir):
        d.mkdir()
    shuffled = list(rows)
    random.Random(7).shuffle(shuffled)
    a = report_of(sorted_dir, rows)
    b = report_of(reversed_dir, rows[::-1])
    c = report_of(shuffled_dir, shuffled)
    assert same_metrics(a, b)
    assert same_metrics(a, c)
    assert a["overall"]["conversations"] == 4
    assert a["overall"]["answered"] == 3
    assert a["brands"]["OtherCo"]["first_response_seconds"]["median"] == 680.0
    assert a["brands"]["OtherCo"]["repeat_contact_share"] == 0.5


# ------------------------------------------------------------------ duplicates


def test_duplicate_id_first_wins_and_the_rest_are_reported(tmp_path):
    first_text = "@AcmeCare I love you guys, great service"
    rows = [
        (1, "101", True, T0, first_text, None),  # line 2: kept
        (2, "AcmeCare", False, at(T0, 60), "@101 Glad to help!", 1),  # line 3
        (1, "101", True, at(T0, 30), "@AcmeCare this is awful, I hate it", None),  # line 4
        answered_thread(3, "102", "AcmeCare", at(T0, 900), 100)[0],  # line 5
        ("1.0", "555", True, at(T0, 40), "@AcmeCare terrible, just terrible", None),  # line 6
        (1, "101", True, T0, first_text, None),  # line 7: an exact copy of line 2
        answered_thread(3, "102", "AcmeCare", at(T0, 900), 100)[1],  # line 8
    ]
    result = audit_rows(tmp_path, rows, sentiment=True)
    report = result.report
    assert report["rows"]["valid"] == 4
    assert report["rows"]["rejected"] == 3
    assert [r["line"] for r in report["rows"]["rejections"]] == [4, 6, 7]
    for rejection in report["rows"]["rejections"]:
        assert "duplicate" in rejection["reason"].lower()
        assert "1" in rejection["reason"]
    overall = report["overall"]
    assert overall["conversations"] == 2
    # The kept message 1 is the first one: sent at T0 (answered after 60 s, not 30 s) ...
    assert sorted([frt(overall)["median"], frt(overall)["mean"]]) == [80.0, 80.0]
    # ... with the first text.
    score = get_analyzer().score
    expected = (score(first_text) + score("@AcmeCare my order is late")) / 2
    assert overall["sentiment"]["first_mean"] == pytest.approx(expected)


# ------------------------------------------------------------------ facts


def test_brand_initiated_thread_is_a_conversation_not_customer_initiated(tmp_path):
    rows = [
        (1, "AcmeCare", False, T0, "@101 Our new plan is live! ^JK", None),
        (2, "101", True, at(T0, 100), "@AcmeCare how much is it?", 1),
        (3, "AcmeCare", False, at(T0, 200), "@101 It is 10 dollars a month.", 2),
    ]
    overall = report_of(tmp_path, rows)["overall"]
    assert overall["conversations"] == 1
    assert overall["customer_initiated"] == 0
    assert overall["answered"] == 0
    assert overall["response_rate"] is None
    assert frt(overall) == {"median": None, "p90": None, "mean": None}
    assert overall["within_target_share"] is None
    assert overall["repeat_contact_share"] is None
    assert overall["thanks_share"] is None
    assert sum(overall["hour_of_week"]["volume"]) == 0
    # Only 3 answers something; the opening broadcast (signed) is not a reply.
    assert overall["signed_share"] == 0.0


def test_unanswered_and_repeat_contacts(tmp_path):
    rows = [
        # Never answered, the customer wrote twice: a repeat contact.
        (1, "101", True, T0, "@AcmeCare my parcel never came", None),
        (2, "101", True, at(T0, 3600), "@AcmeCare hello??", 1),
        # Answered after one message; the customer writes again afterwards: not a repeat.
        (3, "102", True, T0, "@AcmeCare help with my bill", None),
        (4, "AcmeCare", False, at(T0, 60), "@102 Happy to help, what is wrong?", 3),
        (5, "102", True, at(T0, 120), "@AcmeCare it doubled", 4),
        (6, "102", True, at(T0, 180), "@AcmeCare and again", 5),
        # Two messages before the reply: a repeat.
        (7, "103", True, T0, "@AcmeCare app crashes", None),
        (8, "103", True, at(T0, 10), "@AcmeCare on every start", 7),
        (9, "AcmeCare", False, at(T0, 100), "@103 Which phone do you use?", 8),
        # Another customer joins before the reply: only the initiating customer counts.
        (10, "104", True, T0, "@AcmeCare wifi is down", None),
        (11, "105", True, at(T0, 10), "@104 @AcmeCare same here", 10),
        (12, "AcmeCare", False, at(T0, 50), "@104 We are fixing it.", 10),
    ]
    report = report_of(tmp_path, rows)
    overall = report["overall"]
    assert overall["conversations"] == 4
    assert overall["customer_initiated"] == 4
    assert overall["answered"] == 3
    assert overall["response_rate"] == 0.75
    assert overall["repeat_contact_share"] == 0.5
    assert report["brands"]["AcmeCare"]["conversations"] == 4  # 1 by its mention


def test_reply_at_the_same_second_counts_with_zero_seconds(tmp_path):
    rows = [
        (5, "101", True, T0, "@AcmeCare quick question", None),
        (6, "AcmeCare", False, T0, "@101 Sure, go ahead.", 5),
    ]
    overall = report_of(tmp_path, rows)["overall"]
    assert overall["customer_initiated"] == 1
    assert overall["answered"] == 1
    assert frt(overall) == {"median": 0.0, "p90": 0.0, "mean": 0.0}


def test_brand_message_before_the_customer_does_not_answer_it(tmp_path):
    rows = [
        # The brand speaks first (tie by id: 4 < 5), so not customer-initiated.
        (4, "AcmeCare", False, T0, "@101 Tell us more", None),
        (5, "101", True, T0, "@AcmeCare my order", 4),
        # Out of order in the file and in the reply chain: 12 (a customer's, at +40 s) is the
        # earliest message, so the conversation is customer-initiated and 10 answers it.
        (10, "AcmeCare", False, at(T0, 50), "@102 Hello there", 11),
        (11, "102", True, at(T0, 100), "@AcmeCare hi", None),
        (12, "102", True, at(T0, 40), "@AcmeCare earlier message", 10),
    ]
    overall = report_of(tmp_path, rows)["overall"]
    assert overall["conversations"] == 2
    assert overall["customer_initiated"] == 1  # 12 (at +40 s) opens the second one
    assert overall["answered"] == 1
    assert frt(overall)["median"] == 10.0


def test_brand_is_the_author_of_the_earliest_brand_message(tmp_path):
    rows = [
        (1, "101", True, T0, "@Delta help me", None),
        (2, "AcmeCare", False, at(T0, 60), "@101 We can help too.", 1),
        (3, "Delta", False, at(T0, 120), "@101 Hi, what is your confirmation number?", 1),
    ]
    report = report_of(tmp_path, rows)
    assert set(report["brands"]) == {"AcmeCare"}
    brand = report["brands"]["AcmeCare"]
    assert brand["conversations"] == 1
    assert brand["first_response_seconds"]["median"] == 60.0


def test_attribution_by_mention(tmp_path):
    rows = [
        *answered_thread(1, "101", "AcmeCare", T0, 60),
        *answered_thread(3, "102", "Delta", T0, 60),
        # Unanswered: the brand handle mentioned first in the first customer message.
        (10, "110", True, T0, "@DeltaAssist @acmecare where is my bag", None),  # AcmeCare
        (11, "111", True, T0, "@DELTA hello", None),  # Delta, any case
        (12, "112", True, T0, "@acmecare @delta hi", None),  # AcmeCare, mentioned first
        (13, "113", True, T0, "@neverposted hi", None),  # --brand NeverPosted
        (14, "114", True, T0, "@DeltaAssist help", None),  # not Delta: unattributed
        (15, "115", True, T0, "@Delta_Help hi", None),  # not Delta either
        (16, "116", True, T0, "@117 hey", None),  # no brand in the first message ...
        (17, "116", True, at(T0, 60), "@Delta help", 16),  # ... only in the second
        (18, "118", True, T0, "no handle at all", None),
    ]
    report = report_of(tmp_path, rows, brand_handles=("NeverPosted",))
    brands = report["brands"]
    assert set(brands) == {"AcmeCare", "Delta", "NeverPosted", "unattributed"}
    assert brands["AcmeCare"]["conversations"] == 3
    assert brands["Delta"]["conversations"] == 2
    assert brands["NeverPosted"]["conversations"] == 1
    assert brands["unattributed"]["conversations"] == 4
    assert brands["NeverPosted"]["answered"] == 0
    assert brands["NeverPosted"]["response_rate"] == 0.0
    assert brands["unattributed"]["customer_initiated"] == 4
    assert report["overall"]["conversations"] == 10


def test_mention_ends_at_the_handle_and_brand_option_takes_an_at_sign(tmp_path):
    rows = [
        (1, "Delta", False, T0, "@9 Hello from Delta", None),
        (2, "101", True, T0, "@Delta, my bag is lost", None),
        (3, "102", True, T0, "@Delta's app is down", None),
        (4, "103", True, T0, "hey @delta. help", None),
        (5, "104", True, T0, "@NeverPosted hi", None),
    ]
    report = report_of(tmp_path, rows, brand_handles=("@NeverPosted",))
    assert {b: m["conversations"] for b, m in report["brands"].items()} == {
        "Delta": 4,
        "NeverPosted": 1,
    }


def test_no_brand_anywhere_is_unattributed(tmp_path):
    rows = [
        (1, "101", True, T0, "@Nobody hello", None),
        (2, "101", True, at(T0, 30), "@Nobody hello again", 1),
    ]
    report = report_of(tmp_path, rows, brand_handles=("AcmeCare",))
    assert set(report["brands"]) == {"unattributed"}
    assert report["brands"]["unattributed"]["conversations"] == 1
    assert report["brands"]["unattributed"]["repeat_contact_share"] == 1.0
    assert report["overall"]["answered"] == 0


# ------------------------------------------------------------------ response times


def test_first_response_percentiles_interpolate_linearly(tmp_path):
    waits = {"AcmeCare": [30, 90, 600, 1800, 7200], "OtherCo": [5, 17, 400, 1234]}
    rows, next_id = [], 1
    for brand, values in waits.items():
        for n, wait in enumerate(values):
            rows += answered_thread(next_id, str(100 + next_id), brand, at(T0, 7 * n), wait)
            next_id += 2
    rows.append((next_id, "999", True, T0, "@AcmeCare never answered", None))
    report = report_of(tmp_path, rows)
    everything = waits["AcmeCare"] + waits["OtherCo"]
    for metrics, values in [
        (report["overall"], everything),
        (report["brands"]["AcmeCare"], waits["AcmeCare"]),
        (report["brands"]["OtherCo"], waits["OtherCo"]),
    ]:
        got = frt(metrics)
        assert got["median"] == pytest.approx(float(np.percentile(values, 50)))
        assert got["p90"] == pytest.approx(float(np.percentile(values, 90)))
        assert got["mean"] == pytest.approx(float(np.mean(values)))
    assert frt(report["brands"]["OtherCo"])["p90"] == pytest.approx(983.8)
    assert report["brands"]["AcmeCare"]["answered"] == 5
    assert report["brands"]["AcmeCare"]["customer_initiated"] == 6


def test_within_target_counts_exactly_the_target(tmp_path):
    rows = (
        answered_thread(1, "101", "AcmeCare", T0, 600)
        + answered_thread(3, "102", "AcmeCare", T0, 601)
        + answered_thread(5, "103", "AcmeCare", T0, 0)
        + [(7, "104", True, T0, "@AcmeCare hello?", None)]
    )
    report = report_of(tmp_path, rows, target_seconds=600)
    assert report["target_seconds"] == 600
    assert report["overall"]["within_target_share"] == 0.5  # 600 s and 0 s of 4
    report = report_of(tmp_path, rows, target_seconds=601)
    assert report["overall"]["within_target_share"] == 0.75


# ------------------------------------------------------------------ reply traits


def traits_file(replies: list[tuple[str, str]]) -> list[tuple]:
    """One customer-initiated conversation per (brand, reply text)."""
    rows = []
    for n, (brand, text) in enumerate(replies):
        customer = str(200 + n)
        rows += answered_thread(
            10 * n + 1, customer, brand, at(T0, n), 60, ask=f"@{brand} question {n}", reply=text
        )
    return rows


def test_canned_share(tmp_path):
    template = "Please follow the link in your email to reset the password."
    replies = [
        ("AcmeCare", f"@201 Hi Sarah, sorry about order 12345. {template} ^JK"),
        ("AcmeCare", f"@202 Hi Tom! Sorry about order 999. {template} -Becky"),
        ("AcmeCare", f"@203 Hello Mary, sorry about order 7. {template} *HFG"),
        ("AcmeCare", "@204 We have refunded your ticket and the money is on its way."),
        # The same template twice at OtherCo: not canned there (and no help to AcmeCare).
        ("OtherCo", f"@205 Hi Ann, sorry about order 1. {template} ^AB"),
        ("OtherCo", f"@206 Hi Bob, sorry about order 2. {template} ^CD"),
        ("OtherCo", "@207 Our store opens at nine tomorrow morning."),
    ]
    report = report_of(tmp_path, traits_file(replies))
    assert report["brands"]["AcmeCare"]["canned_share"] == 0.75
    assert report["brands"]["OtherCo"]["canned_share"] == 0.0
    assert report["overall"]["canned_share"] == pytest.approx(3 / 7)


def test_canned_needs_the_same_brand(tmp_path):
    template = "Please follow the link in your email to reset the password."
    replies = [
        ("AcmeCare", f"@201 Hi Sarah, {template} ^JK"),
        ("AcmeCare", f"@202 Hi Tom, {template} ^JK"),
        ("OtherCo", f"@203 Hi Mary, {template} ^JK"),
        ("OtherCo", f"@204 Hi Ann, {template} ^JK"),
    ]
    report = report_of(tmp_path, traits_file(replies))
    assert report["brands"]["AcmeCare"]["canned_share"] == 0.0
    assert report["brands"]["OtherCo"]["canned_share"] == 0.0


def test_name_use_share(tmp_path):
    replies = [
        ("AcmeCare", "@201 Hi Sarah, let me check that for you."),
        ("AcmeCare", "@202 Mary, your refund went out today."),
        ("AcmeCare", "@203 Sorry, we can't change the date now."),
        ("AcmeCare", "@204 Hi there, the store closes at six."),
    ]
    report = report_of(tmp_path, traits_file(replies))
    assert report["brands"]["AcmeCare"]["name_use_share"] == 0.5


def test_signed_share(tmp_path):
    replies = [
        ("AcmeCare", "@201 We have sent a new card today. ^JK"),
        ("AcmeCare", "@202 Your flight is on time. -Becky"),
        ("AcmeCare", "@203 The outage is fixed now *HFG"),
        ("AcmeCare", "@204 Your refund went out this morning."),
    ]
    report = report_of(tmp_path, traits_file(replies))
    assert report["brands"]["AcmeCare"]["signed_share"] == 0.75


def test_private_handoff_share(tmp_path):
    replies = [
        ("AcmeCare", "@201 Please DM us your account number."),
        ("AcmeCare", "@202 Could you email us at help@acme.example with details?"),
        ("AcmeCare", "@203 Please call us on 0800 123 456 so we can sort it."),
        ("AcmeCare", "@204 Your parcel arrives tomorrow."),
    ]
    report = report_of(tmp_path, traits_file(replies))
    assert report["brands"]["AcmeCare"]["private_handoff_share"] == 0.75


def test_reply_shares_count_only_the_conversation_brands_replies(tmp_path):
    rows = [
        (1, "101", True, T0, "@AcmeCare my order", None),
        (2, "AcmeCare", False, at(T0, 60), "@101 We are on it. ^JK", 1),
        (3, "OtherCo", False, at(T0, 90), "@101 Try us next time!", 1),
        (4, "AcmeCare", False, at(T0, 120), "@101 Your order has shipped.", 1),
    ]
    report = report_of(tmp_path, rows)
    assert report["brands"]["AcmeCare"]["signed_share"] == 0.5
    assert set(report["brands"]) == {"AcmeCare"}


# ------------------------------------------------------------------ thanks and sentiment


def test_thanks_share(tmp_path):
    rows = [
        # Thanks after the reply.
        *answered_thread(1, "101", "AcmeCare", T0, 60),
        (3, "101", True, at(T0, 120), "@AcmeCare Thanks so much!", 2),
        # Sarcasm after the reply.
        *answered_thread(4, "102", "AcmeCare", T0, 60),
        (6, "102", True, at(T0, 120), "@AcmeCare thanks for nothing", 5),
        # Thanks only before the reply.
        (7, "103", True, T0, "@AcmeCare thanks in advance, where is my order?", None),
        (8, "AcmeCare", False, at(T0, 60), "@103 It ships today.", 7),
        # Never answered: not in the denominator.
        (9, "104", True, T0, "@AcmeCare thanks in advance", None),
    ]
    report = report_of(tmp_path, rows)
    assert report["overall"]["answered"] == 3
    assert report["overall"]["thanks_share"] == pytest.approx(1 / 3)


def test_sentiment_first_after_reply_and_improved(tmp_path):
    score = get_analyzer().score
    angry = "@AcmeCare my order is late and I am very angry, this is terrible"
    happy = "@AcmeCare great, thank you so much, I love it!"
    later = "@AcmeCare awful awful awful"
    pleased = "@AcmeCare I love your service, you are the best"
    upset = "@AcmeCare this is awful, I hate it"
    lonely = "@AcmeCare terrible support, nobody answers"
    rows = [
        (1, "101", True, T0, angry, None),
        (2, "AcmeCare", False, at(T0, 60), "@101 Sorry, we will fix it.", 1),
        (3, "101", True, at(T0, 120), happy, 2),
        (4, "101", True, at(T0, 180), later, 3),  # not the first after the reply
        (5, "102", True, T0, pleased, None),
        (6, "AcmeCare", False, at(T0, 60), "@102 Glad you like it.", 5),
        (7, "102", True, at(T0, 120), upset, 6),
        (8, "103", True, T0, lonely, None),
    ]
    overall = report_of(tmp_path, rows, sentiment=True)["overall"]["sentiment"]
    assert score(angry) < 0 < score(happy)
    assert score(pleased) > 0 > score(upset)
    assert overall["first_mean"] == pytest.approx(
        (score(angry) + score(pleased) + score(lonely)) / 3
    )
    assert overall["after_reply_mean"] == pytest.approx((score(happy) + score(upset)) / 2)
    assert overall["improved_share"] == 0.5


def test_sentiment_of_a_single_message_is_the_analyzers_score(tmp_path):
    text = "@AcmeCare the new app is lovely but slow"
    rows = [(1, "101", True, T0, text, None)]
    overall = report_of(tmp_path, rows, sentiment=True)["overall"]["sentiment"]
    assert overall["first_mean"] == pytest.approx(get_analyzer().score(text))
    assert overall["after_reply_mean"] is None


# ------------------------------------------------------------------ hour of week


def test_hour_of_week(tmp_path):
    rows = [
        *answered_thread(1, "101", "AcmeCare", at(MONDAY, 30 * 60), 60),  # Mon 00:30 → 0
        *answered_thread(3, "102", "AcmeCare", "2017-11-05 23:59:00", 300),  # Sun 23:59 → 167
        *answered_thread(5, "103", "AcmeCare", "2017-10-31 22:05:00", 100),  # Tue 22:05 → 46
        *answered_thread(7, "104", "AcmeCare", "2017-10-31 22:45:00", 200),  # Tue 22:45 → 46
        (9, "105", True, "2017-10-31 22:59:59", "@AcmeCare hello?", None),  # unanswered, 46
        # Slot by the first customer message: Mon 23:59:30 → 23, answered on Tuesday.
        *answered_thread(10, "106", "AcmeCare", "2017-10-30 23:59:30", 60),
        # Brand-initiated: not counted.
        (12, "AcmeCare", False, "2017-11-01 12:00:00", "@107 News!", None),
    ]
    hours = report_of(tmp_path, rows)["overall"]["hour_of_week"]
    volume, median = hours["volume"], hours["median_first_response_seconds"]
    assert {i: v for i, v in enumerate(volume) if v} == {0: 1, 23: 1, 46: 3, 167: 1}
    assert median[0] == 60.0
    assert median[23] == 60.0
    assert median[46] == 150.0
    assert median[167] == 300.0
    assert median[1] is None
    assert sum(v is not None for v in median) == 4


# ------------------------------------------------------------------ brands and overall


def mixed_rows() -> list[tuple]:
    rows = []
    rng = random.Random(11)
    brands = ["AcmeCare", "OtherCo", "Delta"]
    next_id = 1
    for n in range(40):
        brand = brands[n % 3]
        customer = str(1000 + n)
        start = at(T0, rng.randrange(0, 7 * 86400))
        rows.append((next_id, customer, True, start, f"@{brand} problem number {n}", None))
        parent = next_id
        next_id += 1
        if rng.random() < 0.3:  # writes again
            rows.append((next_id, customer, True, at(start, 30), f"@{brand} hello?", parent))
            parent = next_id
            next_id += 1
        if rng.random() < 0.8:  # answered
            wait = rng.randrange(0, 20000)
            rows.append((next_id, brand, False, at(start, wait), f"@{customer} On it.", parent))
            next_id += 1
    rows.append((next_id, "OtherCo", False, T0, "@55 Hello from us", None))
    rows.append((next_id + 1, "77", True, T0, "@nobody anyone?", None))
    rng.shuffle(rows)
    return rows


def test_brands_add_up_to_overall_and_match_a_reference(tmp_path):
    path = write_twcs(tmp_path, mixed_rows())
    report = audit_file(path, sentiment=False, target_seconds=1800).report
    overall, brands = report["overall"], report["brands"]
    for key in ("conversations", "customer_initiated", "answered"):
        assert overall[key] == sum(b[key] for b in brands.values()), key
    for hour in range(168):
        assert overall["hour_of_week"]["volume"][hour] == sum(
            b["hour_of_week"]["volume"][hour] for b in brands.values()
        )
    facts = reference_twcs_facts(path)
    assert_close(overall, reference_metrics(facts, 1800), "overall")
    for brand in {f["brand"] for f in facts}:
        expected = reference_metrics([f for f in facts if f["brand"] == brand], 1800)
        assert_close(brands[brand], expected, brand)
    assert set(brands) == {f["brand"] for f in facts}
