"""Conversation facts: one record per conversation, the single input of every metric.

The facts are computed by SQL in DuckDB from a `msgs` table, so the same definition serves an
export of millions of messages (the audit) and the few messages of one live conversation.

`msgs` columns (one row per message, already threaded):
    k BIGINT            row number, unique
    id VARCHAR          the message id
    ord BIGINT          rank by (created_at, id): the order of events
    conv VARCHAR        the conversation the message belongs to
    author VARCHAR      handle or id of the author
    is_customer BOOLEAN a customer's message (False: the brand's)
    ts DOUBLE           created_at, seconds since the epoch (UTC)
    is_reply BOOLEAN    it answers another message (in-reply-to set)
    + the trait columns of `beancan.care.replies.polars_traits` (mention, thanks, named, signed,
      handoff, canned_hash)
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np

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


FACTS_SQL = f"""
CREATE OR REPLACE TABLE facts AS
WITH
brands AS (
    -- Brand handles: every author of a brand message, plus the ones named by the user.
    SELECT lower(handle) AS handle_l, min(handle) AS handle FROM (
        SELECT author AS handle FROM msgs WHERE NOT is_customer
        UNION ALL SELECT handle FROM extra_brands
    ) GROUP BY 1
),
firsts AS (
    SELECT conv,
        count(*) AS messages,
        min(ord) AS first_ord,
        arg_min(is_customer, ord) AS customer_initiated,
        min(ord) FILTER (WHERE is_customer) AS fc_ord,
        arg_min(author, ord) FILTER (WHERE is_customer) AS customer,
        arg_min(ts, ord) FILTER (WHERE is_customer) AS fc_ts,
        arg_min(k, ord) FILTER (WHERE is_customer) AS fc_k,
        arg_min(mention, ord) FILTER (WHERE is_customer) AS fc_mention,
        arg_min(author, ord) FILTER (WHERE NOT is_customer) AS first_brand_author
    FROM msgs GROUP BY conv
),
mentioned AS (
    -- No brand message: the brand handle mentioned first in the first customer message.
    SELECT conv, arg_min(b.handle, pos) AS brand FROM (
        SELECT conv, unnest(fc_mention) AS h, generate_subscripts(fc_mention, 1) AS pos
        FROM firsts WHERE first_brand_author IS NULL AND fc_mention IS NOT NULL
    ) JOIN brands b ON b.handle_l = h
    GROUP BY conv
),
attributed AS (
    SELECT f.*, coalesce(f.first_brand_author, m.brand, '{UNATTRIBUTED}') AS brand
    FROM firsts f LEFT JOIN mentioned m USING (conv)
),
response AS (
    -- First response: the earliest brand message at or after the first customer message.
    SELECT m.conv, min(m.ord) AS fr_ord, arg_min(m.ts, m.ord) AS fr_ts
    FROM msgs m JOIN firsts f USING (conv)
    WHERE NOT m.is_customer AND m.ts >= f.fc_ts
    GROUP BY m.conv
),
customer_side AS (
    SELECT m.conv,
        count(*) FILTER (WHERE r.fr_ord IS NULL OR m.ord < r.fr_ord OR m.ord = f.fc_ord)
            AS before_reply,
        arg_min(m.k, m.ord) FILTER (WHERE m.ord > r.fr_ord) AS after_reply_k,
        coalesce(bool_or(m.thanks) FILTER (WHERE m.ord > r.fr_ord), false) AS thanked
    FROM msgs m JOIN firsts f USING (conv) LEFT JOIN response r USING (conv)
    WHERE m.is_customer AND m.author = f.customer
    GROUP BY m.conv
),
brand_replies AS (
    -- A brand reply answers something: it has a parent, or something came before it.
    SELECT m.*, lower(m.author) AS author_l
    FROM msgs m JOIN firsts f USING (conv)
    WHERE NOT m.is_customer AND (m.is_reply OR m.ord > f.first_ord)
),
reply_traits AS (
    SELECT conv, author_l,
        named, signed, handoff,
        -- Canned: the same template as at least two other replies of the same brand.
        canned_hash IS NOT NULL
        AND count(*) OVER (PARTITION BY author_l, canned_hash) >= 3 AS canned
    FROM brand_replies
),
replies AS (
    SELECT t.conv,
        count(*) AS brand_replies,
        count_if(t.canned) AS canned_replies,
        count_if(t.named) AS named_replies,
        count_if(t.signed) AS signed_replies,
        count_if(t.handoff) AS handoff_replies
    FROM reply_traits t JOIN attributed a USING (conv)
    WHERE t.author_l = lower(a.brand)
    GROUP BY t.conv
)
SELECT
    a.conv,
    a.brand,
    a.messages,
    a.customer_initiated,
    a.customer,
    a.fc_ts AS first_inbound_ts,
    r.fr_ts AS first_response_ts,
    r.fr_ts - a.fc_ts AS first_response_seconds,
    r.fr_ord IS NOT NULL AS answered,
    coalesce(c.before_reply, 0) AS customer_messages_before_reply,
    coalesce(p.brand_replies, 0) AS brand_replies,
    coalesce(p.canned_replies, 0) AS canned_replies,
    coalesce(p.named_replies, 0) AS named_replies,
    coalesce(p.signed_replies, 0) AS signed_replies,
    coalesce(p.handoff_replies, 0) AS handoff_replies,
    coalesce(c.thanked, false) AS thanked,
    a.fc_k AS first_k,
    c.after_reply_k,
    CAST(NULL AS DOUBLE) AS first_sentiment,
    CAST(NULL AS DOUBLE) AS after_reply_sentiment
FROM attributed a
LEFT JOIN response r USING (conv)
LEFT JOIN customer_side c USING (conv)
LEFT JOIN replies p USING (conv)
"""


def build_facts(con: duckdb.DuckDBPyConnection, brand_handles: list[str] = ()) -> None:
    """Create the `facts` table (one row per conversation) from the `msgs` table."""
    load_brand_handles(con, list(brand_handles))
    con.execute(FACTS_SQL)


def sentiment_wanted(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Row numbers of the messages whose sentiment the metrics use (customer-initiated only)."""
    rows = con.execute(
        """SELECT first_k FROM facts WHERE customer_initiated
           UNION SELECT after_reply_k FROM facts WHERE customer_initiated
                 AND after_reply_k IS NOT NULL"""
    ).fetchnumpy()
    return sorted(int(k) for k in rows["first_k"])


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
