"""The metric definitions: from conversation facts to the numbers a care lead reads.

One definition for the offline audit and the live service. Every metric is an aggregate of the
`facts` table (see beancan.care.facts); shares are None when their denominator is zero.

- conversations, customer_initiated, answered (customer-initiated ones with a brand response)
- response_rate = answered / customer_initiated
- first_response_seconds: median, p90 (linear interpolation), mean over answered
  customer-initiated conversations
- within_target_share = answered within the target / customer_initiated
- repeat_contact_share = customer wrote 2+ times before the first reply (or in all, if never
  answered) / customer_initiated
- canned_share, name_use_share, signed_share, private_handoff_share = such brand replies / brand
  replies (the conversation brand's own replies)
- sentiment: first_mean (customer's first message), after_reply_mean (their first message after the
  first reply), improved_share (after-reply score higher by more than IMPROVED_BY, over
  conversations that have both) — all over customer-initiated conversations
- thanks_share = answered customer-initiated conversations whose customer thanked after a reply
- hour_of_week: customer-initiated volume and median first response by the hour of week of the
  first customer message (UTC; 0 = Monday 00:00)
"""

from __future__ import annotations

import duckdb

# Sentiment must rise by more than the lexicon's neutral band to count as improved.
IMPROVED_BY = 0.05
HOURS_IN_WEEK = 168

# Means are summed as fixed-point decimals: a float sum depends on the order of its terms (and so
# on how the rows happened to be stored or split between threads); an exact decimal sum does not,
# so the audit of a file and the live service holding the same messages give the same digits.
_AGGREGATES = """
    count(*) AS conversations,
    count_if(customer_initiated) AS customer_initiated,
    count_if(customer_initiated AND answered) AS answered,
    quantile_cont(first_response_seconds, 0.5)
        FILTER (WHERE customer_initiated AND answered) AS frt_median,
    quantile_cont(first_response_seconds, 0.9)
        FILTER (WHERE customer_initiated AND answered) AS frt_p90,
    avg(first_response_seconds::DECIMAL(18, 6))
        FILTER (WHERE customer_initiated AND answered)::DOUBLE AS frt_mean,
    count_if(customer_initiated AND answered AND first_response_seconds <= $target) AS in_target,
    count_if(customer_initiated AND customer_messages_before_reply >= 2) AS repeat_contacts,
    sum(brand_replies) AS replies,
    sum(canned_replies) AS canned,
    sum(named_replies) AS named,
    sum(signed_replies) AS signed,
    sum(handoff_replies) AS handoff,
    avg(first_sentiment::DECIMAL(18, 12)) FILTER (WHERE customer_initiated)::DOUBLE AS first_mean,
    avg(after_reply_sentiment::DECIMAL(18, 12))
        FILTER (WHERE customer_initiated)::DOUBLE AS after_mean,
    count_if(customer_initiated AND after_reply_sentiment IS NOT NULL
             AND first_sentiment IS NOT NULL) AS both_scored,
    count_if(customer_initiated
             AND after_reply_sentiment - first_sentiment > $improved_by) AS improved,
    count_if(customer_initiated AND answered AND thanked) AS thanked
"""


def _share(part: float | None, whole: float | None) -> float | None:
    return None if not whole else float(part or 0) / float(whole)


def _num(value: float | None) -> float | None:
    return None if value is None else float(value)


def _metrics_from_row(row: dict, hour_of_week: dict, sentiment: bool) -> dict:
    replies = row["replies"]
    return {
        # An empty range has no rows, and DuckDB's count_if over no rows is NULL.
        "conversations": int(row["conversations"] or 0),
        "customer_initiated": int(row["customer_initiated"] or 0),
        "answered": int(row["answered"] or 0),
        "response_rate": _share(row["answered"], row["customer_initiated"]),
        "first_response_seconds": {
            "median": _num(row["frt_median"]),
            "p90": _num(row["frt_p90"]),
            "mean": _num(row["frt_mean"]),
        },
        "within_target_share": _share(row["in_target"], row["customer_initiated"]),
        "repeat_contact_share": _share(row["repeat_contacts"], row["customer_initiated"]),
        "canned_share": _share(row["canned"], replies),
        "name_use_share": _share(row["named"], replies),
        "signed_share": _share(row["signed"], replies),
        "private_handoff_share": _share(row["handoff"], replies),
        "sentiment": {
            "first_mean": _num(row["first_mean"]) if sentiment else None,
            "after_reply_mean": _num(row["after_mean"]) if sentiment else None,
            "improved_share": _share(row["improved"], row["both_scored"]) if sentiment else None,
        },
        "thanks_share": _share(row["thanked"], row["answered"]),
        "hour_of_week": hour_of_week,
    }


def _hour_of_week(con: duckdb.DuckDBPyConnection) -> dict[str | None, dict]:
    rows = con.execute(
        """
        WITH h AS (
            SELECT brand, first_response_seconds, answered,
                   (isodow(to_timestamp(first_inbound_ts) AT TIME ZONE 'UTC') - 1) * 24
                   + hour(to_timestamp(first_inbound_ts) AT TIME ZONE 'UTC') AS how
            FROM facts WHERE customer_initiated
        )
        SELECT brand, how, count(*) AS volume,
               quantile_cont(first_response_seconds, 0.5) FILTER (WHERE answered) AS median
        FROM h GROUP BY GROUPING SETS ((brand, how), (how))
        """
    ).fetchall()
    out: dict[str | None, dict] = {}
    for brand, how, volume, median in rows:
        slot = out.setdefault(
            brand,
            {
                "volume": [0] * HOURS_IN_WEEK,
                "median_first_response_seconds": [None] * HOURS_IN_WEEK,
            },
        )
        slot["volume"][int(how)] = int(volume)
        slot["median_first_response_seconds"][int(how)] = _num(median)
    return out


def _empty_hour_of_week() -> dict:
    return {
        "volume": [0] * HOURS_IN_WEEK,
        "median_first_response_seconds": [None] * HOURS_IN_WEEK,
    }


def compute_metrics(
    con: duckdb.DuckDBPyConnection, *, target_seconds: float, sentiment: bool
) -> tuple[dict, dict[str, dict]]:
    """The metrics over all facts and per brand: (overall, {brand: metrics})."""
    cur = con.execute(
        f"SELECT brand, grouping(brand) AS is_total, {_AGGREGATES} FROM facts "
        "GROUP BY GROUPING SETS ((brand), ()) ORDER BY brand",
        {"target": float(target_seconds), "improved_by": IMPROVED_BY},
    )
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    hours = _hour_of_week(con)
    overall = None
    brands: dict[str, dict] = {}
    for values in rows:
        row = dict(zip(names, values, strict=True))
        if row["is_total"]:
            overall = _metrics_from_row(row, hours.get(None, _empty_hour_of_week()), sentiment)
        else:
            brand = row["brand"]
            brands[brand] = _metrics_from_row(
                row, hours.get(brand, _empty_hour_of_week()), sentiment
            )
    if overall is None:  # no facts at all
        empty = dict.fromkeys(
            (
                "conversations",
                "customer_initiated",
                "answered",
                "replies",
                "canned",
                "named",
                "signed",
                "handoff",
                "in_target",
                "repeat_contacts",
                "both_scored",
                "improved",
                "thanked",
            ),
            0,
        )
        empty.update(
            dict.fromkeys(("frt_median", "frt_p90", "frt_mean", "first_mean", "after_mean"))
        )
        overall = _metrics_from_row(empty, _empty_hour_of_week(), sentiment)
    return overall, brands
