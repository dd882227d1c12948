"""Conversation facts: one record per conversation, the single input of every metric.

The facts are computed by SQL in DuckDB from a `msgs` table, so the same definition serves an
export of millions of messages (the audit) and the few messages of one live conversation.

`msgs` columns (one row per message, already threaded):
    k BIGINT            row number, unique
    id VARCHAR          the message id
    ord BIGINT          rank by (created_at, id): the order of events
    conv BIGINT         the conversation the message belongs to
    author VARCHAR      handle or id of the author
    is_customer BOOLEAN a customer's message (False: the brand's); never null
    ts DOUBLE           created_at, seconds since the epoch (UTC)
    is_reply BOOLEAN    it answers another message (in-reply-to set)
    + the trait columns of `beancan.care.replies.text_traits` (mention, thanks, named, signed,
      handoff, canned_hash); a customer message's mention is the handles it mentions in
      order, separated by single spaces ('' for none), never null
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import polars as pl

from beancan.care.replies import MENTION_SEPARATOR, text_traits

UNATTRIBUTED = "unattributed"


@dataclass(frozen=True, slots=True)
class ConversationFacts:
    """What happened in one conversation, as the metrics need it."""

    conv: str
    brand: str
    messages: int
    customer_initiated: bool
    customer: str | None
    first_inbound_ts: float | None
    first_response_ts: float | None
    first_response_seconds: float | None
    answered: bool
    customer_messages_before_reply: int
    brand_replies: int
    canned_replies: int
    named_replies: int
    signed_replies: int
    handoff_replies: int
    thanked: bool
    first_k: int | None
    after_reply_k: int | None
    first_sentiment: float | None
    after_reply_sentiment: float | None


FACT_COLUMNS = tuple(ConversationFacts.__slots__)


def load_brand_handles(con: duckdb.DuckDBPyConnection, brand_handles: list[str]) -> None:
    """The brand handles named by the user, beyond the authors of brand messages."""
    con.register(
        "_values", {"handle": np.array([h.lstrip("@") for h in brand_handles], dtype=object)}
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE extra_brands AS SELECT handle::VARCHAR AS handle FROM _values"
    )
    con.unregister("_values")


# Three aggregates over the messages, each needing the one before (the later two hash-join the
# messages to it on the BIGINT conv): `firsts` (per conversation, over all messages) →
# `brand_side` (brand messages against the first customer message: first response, replies) →
# `customer_side` (the initiating customer's messages against the first response). Everything
# else is per conversation or tiny. In those joins, rows of `msgs` are picked with
# `is_customer = true/false` rather than `is_customer`/`NOT is_customer`: DuckDB then estimates
# half of the messages (not a fifth) and builds its hash tables on the smaller per-conversation
# side, as it should.
FACTS_SQL = f"""
CREATE OR REPLACE TABLE facts AS
WITH
brands AS (
    -- Brand handles: every author of a brand message, plus the ones named by the user.
    SELECT lower(handle) AS handle_l, min(handle) AS handle FROM (
        SELECT DISTINCT author AS handle FROM msgs WHERE NOT is_customer
        UNION ALL SELECT handle FROM extra_brands
    ) GROUP BY 1
),
firsts AS (
    SELECT conv,
        count(*) AS messages,
        min(ord) AS first_ord,
        min(ord) FILTER (WHERE is_customer) AS fc_ord,
        arg_min(ts, ord) FILTER (WHERE is_customer) AS fc_ts,
        arg_min(author, ord) FILTER (WHERE NOT is_customer) AS first_brand_author,
        lower(first_brand_author) AS brand_l
    FROM msgs GROUP BY conv
),
brand_msgs AS (
    -- Every brand message, with its conversation's firsts (a conversation without one: nulls).
    SELECT f.conv, f.fc_ord, m.ord, m.ts, lower(m.author) AS author_l,
        m.named, m.signed, m.handoff, m.canned_hash,
        -- First response candidates: brand messages at or after the first customer message.
        m.ts >= f.fc_ts AS responds,
        -- A brand reply answers something: it has a parent, or something came before it.
        (m.is_reply OR m.ord > f.first_ord) AS is_brand_reply,
        -- Counted for the conversation: a reply by its brand (case-insensitive).
        (m.is_reply OR m.ord > f.first_ord) AND lower(m.author) = f.brand_l AS counted
    FROM firsts f LEFT JOIN msgs m ON m.conv = f.conv AND m.is_customer = false
),
canned AS (
    -- Canned: the same template as at least two other replies of the same brand.
    SELECT author_l, canned_hash, true AS canned FROM brand_msgs
    WHERE is_brand_reply AND canned_hash IS NOT NULL
    GROUP BY author_l, canned_hash HAVING count(*) >= 3
),
brand_side AS (
    SELECT b.conv, any_value(b.fc_ord) AS fc_ord,
        min(b.ord) FILTER (WHERE b.responds) AS fr_ord,
        arg_min(b.ts, b.ord) FILTER (WHERE b.responds) AS fr_ts,
        count(*) FILTER (WHERE b.counted) AS brand_replies,
        count_if(b.counted AND c.canned IS NOT NULL) AS canned_replies,
        count_if(b.counted AND b.named) AS named_replies,
        count_if(b.counted AND b.signed) AS signed_replies,
        count_if(b.counted AND b.handoff) AS handoff_replies
    FROM brand_msgs b LEFT JOIN canned c USING (author_l, canned_hash)
    GROUP BY b.conv
),
reply_at AS MATERIALIZED (
    -- Just what the customer side needs: narrow, so DuckDB builds its hash table on it.
    SELECT conv, fc_ord, fr_ord FROM brand_side
),
customer_side AS (
    -- The initiating customer is the author of the first customer message: of the groups of
    -- one conversation's customer messages by author, the one holding that message.
    SELECT m.conv, m.author AS customer, arg_min(m.k, m.ord) AS fc_k,
        -- Before the first response (all if unanswered); the first message always counts.
        count(*) FILTER (WHERE r.fr_ord IS NULL OR m.ord < r.fr_ord OR m.ord = r.fc_ord)
            AS before_reply,
        arg_min(m.k, m.ord) FILTER (WHERE m.ord > r.fr_ord) AS after_reply_k,
        coalesce(bool_or(m.thanks) FILTER (WHERE m.ord > r.fr_ord), false) AS thanked
    FROM msgs m JOIN reply_at r ON m.conv = r.conv
    WHERE m.is_customer = true
    GROUP BY m.conv, m.author
    HAVING bool_or(m.ord = r.fc_ord)
),
mentioned AS (
    -- No brand message: the brand handle mentioned first in the first customer message.
    SELECT conv, arg_min(b.handle, pos) AS brand FROM (
        SELECT conv, unnest(handles) AS h, generate_subscripts(handles, 1) AS pos FROM (
            SELECT f.conv, string_split(m.mention, '{MENTION_SEPARATOR}') AS handles
            FROM firsts f JOIN customer_side c USING (conv) JOIN msgs m ON m.k = c.fc_k
            WHERE f.first_brand_author IS NULL)
    ) JOIN brands b ON b.handle_l = h
    GROUP BY conv
)
SELECT
    a.conv,
    coalesce(a.first_brand_author, mn.brand, '{UNATTRIBUTED}') AS brand,
    a.messages,
    -- The earliest message is the first customer message (is_customer is never null).
    coalesce(a.first_ord = a.fc_ord, false) AS customer_initiated,
    c.customer,
    a.fc_ts AS first_inbound_ts,
    r.fr_ts AS first_response_ts,
    r.fr_ts - a.fc_ts AS first_response_seconds,
    r.fr_ord IS NOT NULL AS answered,
    coalesce(c.before_reply, 0) AS customer_messages_before_reply,
    coalesce(r.brand_replies, 0) AS brand_replies,
    coalesce(r.canned_replies, 0) AS canned_replies,
    coalesce(r.named_replies, 0) AS named_replies,
    coalesce(r.signed_replies, 0) AS signed_replies,
    coalesce(r.handoff_replies, 0) AS handoff_replies,
    coalesce(c.thanked, false) AS thanked,
    c.fc_k AS first_k,
    c.after_reply_k,
    CAST(NULL AS DOUBLE) AS first_sentiment,
    CAST(NULL AS DOUBLE) AS after_reply_sentiment
FROM firsts a
LEFT JOIN brand_side r USING (conv)
LEFT JOIN customer_side c USING (conv)
LEFT JOIN mentioned mn USING (conv)
"""


def build_facts(con: duckdb.DuckDBPyConnection, brand_handles: list[str] = ()) -> None:
    """Create the `facts` table (one row per conversation) from the `msgs` table."""
    load_brand_handles(con, list(brand_handles))
    con.execute(FACTS_SQL)


def sentiment_wanted(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str]]:
    """(k, id) of the messages whose sentiment the metrics use: the initiating customer's first
    message and first message after the reply, in customer-initiated conversations."""
    return con.execute(
        """SELECT DISTINCT m.k, m.id FROM msgs m JOIN (
               SELECT first_k AS k FROM facts WHERE customer_initiated
               UNION ALL SELECT after_reply_k FROM facts WHERE customer_initiated) w USING (k)"""
    ).fetchall()


def set_sentiment(con: duckdb.DuckDBPyConnection, scores: dict[str, object]) -> None:
    """Fill the facts' sentiment from a {"k": array, "score": array} mapping."""
    con.register("sentiment_scores", scores)
    con.execute(
        """UPDATE facts SET
             first_sentiment = (SELECT score FROM sentiment_scores s WHERE s.k = facts.first_k),
             after_reply_sentiment =
               (SELECT score FROM sentiment_scores s WHERE s.k = facts.after_reply_k)
           WHERE customer_initiated"""
    )
    con.unregister("sentiment_scores")


def facts_rows(con: duckdb.DuckDBPyConnection) -> list[ConversationFacts]:
    """All facts as records, in conversation order (for small data and tests)."""
    cols = ", ".join(FACT_COLUMNS)
    return [
        ConversationFacts(*row)
        for row in con.execute(f"SELECT {cols} FROM facts ORDER BY conv").fetchall()
    ]


def _order_key(ts: float, mid: str) -> tuple:
    # The audit's order of events: created_at, then integer ids numerically, then other ids as
    # text after them.
    canonical = mid.isdigit() and (mid == "0" or not mid.startswith("0")) and len(mid) <= 18
    return (ts, 0, int(mid), "") if canonical else (ts, 1, 0, mid)


def load_messages(con: duckdb.DuckDBPyConnection, columns: dict[str, list]) -> None:
    """Create `msgs` from already-threaded messages held in Python (the live service's path):
    `columns` has equal-length lists k, id, conv, author, is_customer, ts, is_reply, text.
    `ord` and the text traits are computed exactly as the audit computes them."""
    n = len(columns["k"])
    order = sorted(range(n), key=lambda i: _order_key(columns["ts"][i], columns["id"][i]))
    ord_ = [0] * n
    for rank, i in enumerate(order):
        ord_[i] = rank
    frame = pl.DataFrame(
        {
            "k": pl.Series(columns["k"], dtype=pl.Int64),
            "id": pl.Series(columns["id"], dtype=pl.String),
            "ord": pl.Series(ord_, dtype=pl.Int64),
            "conv": pl.Series(columns["conv"], dtype=pl.Int64),
            "author": pl.Series(columns["author"], dtype=pl.String),
            "is_customer": pl.Series(columns["is_customer"], dtype=pl.Boolean),
            "ts": pl.Series(columns["ts"], dtype=pl.Float64),
            "is_reply": pl.Series(columns["is_reply"], dtype=pl.Boolean),
            "text": pl.Series(columns["text"], dtype=pl.String),
        }
    )
    traits = text_traits(frame, "text", "is_customer")
    con.register("_live_msgs", traits)
    con.execute("CREATE OR REPLACE TABLE msgs AS SELECT * FROM _live_msgs")
    con.unregister("_live_msgs")


def set_stored_sentiment(con: duckdb.DuckDBPyConnection, scores: dict[int, float | None]) -> None:
    """Fill the facts' sentiment from scores already known per message k (the live service
    scores every customer message when it arrives)."""
    wanted = sentiment_wanted(con)
    set_sentiment(
        con,
        pl.DataFrame(
            {"k": [k for k, _ in wanted], "score": [scores.get(k) for k, _ in wanted]},
            schema={"k": pl.Int64, "score": pl.Float64},
        ),
    )
