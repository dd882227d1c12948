"""Conversation facts: the SQL against a plain Python reading of the definitions, on small random
exports full of the awkward cases (ties in time, several customers and brand accounts, brand
handles in other cases, conversations without a brand message, brand-initiated threads)."""

from __future__ import annotations

import random
from collections import Counter

import duckdb
import pytest

from beancan.care.facts import FACT_COLUMNS, UNATTRIBUTED, build_facts, facts_rows
from beancan.care.replies import MENTION_SEPARATOR

BRANDS = ["AppleSupport", "applesupport", "APPLESUPPORT", "Delta", "delta", "Uber_Support", "x"]
CUSTOMERS = ["c1", "c2", "c3", "Delta", "applesupport"]
MENTIONS = ["applesupport", "delta", "uber_support", "x", "nobody", "someone"]
HANDLES = ["Delta", "Nobody", "@Someone", "X"]


def random_export(rng: random.Random) -> tuple[list[dict], list[str]]:
    """Messages as `msgs` rows (ord: rank by time, then id) and the user's brand handles."""
    rows: list[dict] = []
    for c in range(rng.randint(1, 30)):
        brands = rng.sample(BRANDS, rng.randint(1, 3))
        customers = rng.sample(CUSTOMERS, rng.randint(1, 3))
        kind = rng.random()
        for _ in range(rng.randint(1, 7)):
            customer = kind < 0.2 or (kind > 0.3 and rng.random() < 0.55)
            rows.append(
                {
                    "k": len(rows),
                    "conv": 10 * c + 3,
                    "author": rng.choice(customers if customer else brands),
                    "is_customer": customer,
                    "ts": float(rng.randint(0, 12)),  # coarse: many ties
                    "is_reply": rng.random() < 0.6,
                    "mention": rng.choices(MENTIONS, k=rng.randint(0, 3)) if customer else None,
                    "thanks": customer and rng.random() < 0.3,
                    "named": not customer and rng.random() < 0.4,
                    "signed": not customer and rng.random() < 0.4,
                    "handoff": not customer and rng.random() < 0.3,
                    "canned_hash": None
                    if customer or rng.random() < 0.3
                    else rng.choice([1, 2, 3, 2**64 - 1]),
                }
            )
    tiebreak = rng.sample(range(len(rows)), len(rows))
    for o, i in enumerate(sorted(range(len(rows)), key=lambda i: (rows[i]["ts"], tiebreak[i]))):
        rows[i]["ord"] = o
    return rows, rng.sample(HANDLES, rng.randint(0, 2))


def reference_facts(rows: list[dict], handles: list[str]) -> list[tuple]:
    """The definitions of the module docstring and SQL comments, one conversation at a time."""
    by_handle: dict[str, str] = {}
    for h in [r["author"] for r in rows if not r["is_customer"]] + [h.lstrip("@") for h in handles]:
        by_handle[h.lower()] = min(h, by_handle.get(h.lower(), h))
    convs: dict[int, list[dict]] = {}
    for r in sorted(rows, key=lambda r: r["ord"]):
        convs.setdefault(r["conv"], []).append(r)
    first_ord = {conv: ms[0]["ord"] for conv, ms in convs.items()}
    replies = [
        r
        for r in rows
        if not r["is_customer"] and (r["is_reply"] or r["ord"] > first_ord[r["conv"]])
    ]
    templates = Counter(
        (r["author"].lower(), r["canned_hash"]) for r in replies if r["canned_hash"] is not None
    )
    out = []
    for conv, ms in sorted(convs.items()):
        cust = [m for m in ms if m["is_customer"]]
        brand_msgs = [m for m in ms if not m["is_customer"]]
        fc = cust[0] if cust else None
        brand = brand_msgs[0]["author"] if brand_msgs else None
        if brand is None and fc is not None:
            brand = next((by_handle[h] for h in fc["mention"] if h in by_handle), None)
        brand = brand or UNATTRIBUTED
        fr = next((b for b in brand_msgs if fc is not None and b["ts"] >= fc["ts"]), None)
        mine = [m for m in cust if m["author"] == fc["author"]] if fc else []
        after = [m for m in mine if fr is not None and m["ord"] > fr["ord"]]
        counted = [r for r in replies if r["conv"] == conv and r["author"].lower() == brand.lower()]
        out.append(
            (
                conv,
                brand,
                len(ms),
                ms[0]["is_customer"],
                fc["author"] if fc else None,
                fc["ts"] if fc else None,
                fr["ts"] if fr else None,
                fr["ts"] - fc["ts"] if fr else None,
                fr is not None,
                sum(1 for m in mine if fr is None or m["ord"] < fr["ord"] or m is fc),
                len(counted),
                sum(
                    1
                    for r in counted
                    if r["canned_hash"] is not None
                    and templates[(r["author"].lower(), r["canned_hash"])] >= 3
                ),
                sum(r["named"] for r in counted),
                sum(r["signed"] for r in counted),
                sum(r["handoff"] for r in counted),
                any(m["thanks"] for m in after),
                fc["k"] if fc else None,
                after[0]["k"] if after else None,
                None,
                None,
            )
        )
    return out


COLUMNS = ("k", "ord", "conv", "author", "is_customer", "ts", "is_reply", "mention", "thanks")
COLUMNS += ("named", "signed", "handoff", "canned_hash")


def _stored(row: dict, column: str):
    """A value as the audit stores it: a message's mentions joined into one string."""
    value = row[column]
    if column == "mention" and value is not None:
        return MENTION_SEPARATOR.join(value)
    return value


def sql_facts(rows: list[dict], handles: list[str]) -> list[tuple]:
    con = duckdb.connect()
    con.execute(
        """CREATE TABLE msgs (k BIGINT, id VARCHAR, ord BIGINT, conv BIGINT, conversation VARCHAR,
               author VARCHAR, is_customer BOOLEAN, ts DOUBLE, is_reply BOOLEAN, channel VARCHAR,
               mention VARCHAR, thanks BOOLEAN, named BOOLEAN, signed BOOLEAN, handoff BOOLEAN,
               canned_hash UBIGINT)"""
    )
    con.executemany(
        "INSERT INTO msgs VALUES (?, ?::VARCHAR, ?, ?, NULL, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)",
        [[r["k"], *(_stored(r, c) for c in COLUMNS)] for r in rows],
    )
    build_facts(con, handles)
    facts = facts_rows(con)
    con.close()
    return [tuple(getattr(f, c) for c in FACT_COLUMNS) for f in facts]


@pytest.mark.parametrize("seed", range(40))
def test_facts_match_the_definitions(seed):
    rows, handles = random_export(random.Random(seed))
    assert sql_facts(rows, handles) == reference_facts(rows, handles)


def test_first_response_tied_with_the_first_customer_message():
    # The brand's message has the customer's timestamp but comes first by id: it still
    # answers, and the customer's first message then counts as the one after the reply.
    row = {"is_reply": False, "mention": None, "thanks": False, "named": False, "signed": False}
    row |= {"handoff": False, "canned_hash": None, "conv": 7}
    rows = [
        row | {"k": 0, "ord": 0, "author": "Brand", "is_customer": False, "ts": 5.0},
        row
        | {"k": 1, "ord": 1, "author": "c", "is_customer": True, "ts": 5.0, "mention": []}
        | {"thanks": True},
    ]
    (facts,) = sql_facts(rows, [])
    assert facts == tuple(reference_facts(rows, [])[0])
    named = dict(zip(FACT_COLUMNS, facts, strict=True))
    assert named["answered"] and named["first_response_seconds"] == 0.0
    assert named["customer_messages_before_reply"] == 1
    assert named["after_reply_k"] == 1 and named["thanked"]
    assert not named["customer_initiated"] and named["brand_replies"] == 0
