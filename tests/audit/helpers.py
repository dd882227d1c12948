"""Tiny builders for hand-made exports, and a plain-Python reference of the audit's facts.

Rows for `write_twcs` are compact tuples ``(id, author, inbound, when, text, in_reply_to)``:
``when`` is ``"2017-10-31 22:10:47"`` (UTC) or a datetime, ``inbound`` a bool or any string (written
as is), ``in_reply_to`` an id or None. A plain string row is written verbatim as one physical line
(for broken records). Line 1 is the header, so the n-th row is on physical line n + 1 as long as no
text holds a line break.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from beancan.audit.engine import AuditResult, audit_file
from beancan.audit.readers import TWCS_COLUMNS

TWCS_HEADER = TWCS_COLUMNS
TWCS_TIME = "%a %b %d %H:%M:%S +0000 %Y"
METRIC_KEYS = {
    "conversations",
    "customer_initiated",
    "answered",
    "response_rate",
    "first_response_seconds",
    "within_target_share",
    "repeat_contact_share",
    "canned_share",
    "name_use_share",
    "signed_share",
    "private_handoff_share",
    "sentiment",
    "thanks_share",
    "hour_of_week",
}

Row = tuple | str


def when(value: str | datetime) -> datetime:
    """A UTC datetime from "YYYY-MM-DD HH:MM:SS" (naive means UTC) or a datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def at(base: str | datetime, seconds: float) -> datetime:
    """`seconds` after `base`."""
    return when(base) + timedelta(seconds=seconds)


def twcs_time(value: str | datetime) -> str:
    """`Tue Oct 31 22:10:47 +0000 2017`, as the twcs export writes times."""
    return when(value).astimezone(UTC).strftime(TWCS_TIME)


def _bool_text(value: object) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def _created_text(value: str | datetime) -> str:
    """twcs time of an ISO time or datetime; any other string is written as is (bad dates)."""
    try:
        return twcs_time(value)
    except ValueError:
        return str(value)


def twcs_text(rows: Iterable[Row]) -> str:
    """The CSV text of a twcs export of `rows` (response_tweet_id filled from the replies)."""
    rows = list(rows)
    children: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if not isinstance(row, str) and row[5] is not None:
            children[str(row[5])].append(str(row[0]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TWCS_HEADER)
    for row in rows:
        if isinstance(row, str):
            out.write(row.rstrip("\n") + "\n")
            continue
        mid, author, inbound, created, text, parent = row
        writer.writerow(
            [
                mid,
                author,
                _bool_text(inbound),
                _created_text(created),
                text,
                ",".join(children.get(str(mid), [])),
                "" if parent is None else parent,
            ]
        )
    return out.getvalue()


def write_twcs(
    directory: Path, rows: Iterable[Row], name: str = "twcs.csv", *, gz: bool = False
) -> Path:
    """Write a twcs CSV export of `rows` into `directory`; gzip it when `gz` (any name)."""
    path = Path(directory) / name
    data = twcs_text(rows).encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def write_csv(
    directory: Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    name: str = "export.csv",
    *,
    delimiter: str = ",",
) -> Path:
    """Write a generic CSV export (values written as given; None as an empty field)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    path = Path(directory) / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def write_jsonl(
    directory: Path, records: Iterable[dict | str], name: str = "export.jsonl", *, gz: bool = False
) -> Path:
    """Write JSON Lines: a dict becomes one JSON line, a string is written verbatim as a line."""
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path = Path(directory) / name
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def audit_rows(directory: Path, rows: Iterable[Row], **options) -> AuditResult:
    """Write `rows` as a twcs export and audit it (sentiment off unless asked for)."""
    options.setdefault("sentiment", False)
    return audit_file(write_twcs(directory, rows), **options)


def same_metrics(a: dict, b: dict) -> bool:
    """Two reports equal in everything but where they were read from."""
    strip = lambda r: {k: v for k, v in r.items() if k != "source"}  # noqa: E731
    return strip(a) == strip(b)


# ------------------------------------------------------------------ plain-Python reference


def reference_roots(parent: Sequence[int], order: Sequence[int]) -> list[int]:
    """The root of every node, walking parent links one step at a time; each cycle is cut at
    its earliest member by `order` (the reference for `thread_roots`)."""
    parent = [p if 0 <= p < len(parent) and p != i else -1 for i, p in enumerate(parent)]
    for start in range(len(parent)):
        seen: list[int] = []
        on_walk: set[int] = set()
        node = start
        while node >= 0 and node not in on_walk:
            on_walk.add(node)
            seen.append(node)
            node = parent[node]
        if node >= 0:  # walked into a cycle
            cycle = seen[seen.index(node) :]
            parent[min(cycle, key=lambda i: order[i])] = -1
    roots = []
    for start in range(len(parent)):
        node = start
        while parent[node] >= 0:
            node = parent[node]
        roots.append(node)
    return roots


def _normal_id(raw: str) -> str:
    value = raw.strip()
    head, dot, tail = value.partition(".")
    return head if dot and head.isdigit() and tail and set(tail) == {"0"} else value


def _sort_id(mid: str) -> tuple:
    try:
        return (0, float(mid), mid)
    except ValueError:
        return (1, 0.0, mid)


def reference_twcs_facts(path: Path, extra_brands: Sequence[str] = ()) -> list[dict]:
    """Conversation facts of a (plain, uncompressed) twcs export computed the slow, obvious
    way from the contract: records with the wrong number of fields and later duplicates are
    dropped; threads, brand, initiation, first response and repeat contacts per conversation."""
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        records = [r for r in reader if len(r) == len(header)]
    msgs: dict[str, dict] = {}
    for r in records:
        mid = _normal_id(r[0])
        if mid in msgs:
            continue
        parent = _normal_id(r[6]) or None
        msgs[mid] = {
            "id": mid,
            "author": r[1].strip(),
            "customer": r[2].strip().lower() == "true",
            "ts": datetime.strptime(r[3].strip(), "%a %b %d %H:%M:%S %z %Y").timestamp(),
            "text": r[4],
            "parent": parent,
        }
    ids = list(msgs)
    index = {mid: i for i, mid in enumerate(ids)}
    ranked = sorted(ids, key=lambda m: (msgs[m]["ts"], *_sort_id(m)))
    order = [0] * len(ids)
    for rank, mid in enumerate(ranked):
        order[index[mid]] = rank
    parent = [index.get(msgs[m]["parent"], -1) for m in ids]
    roots = reference_roots(parent, order)
    convs: dict[str, list[dict]] = defaultdict(list)
    for mid, root in zip(ids, roots, strict=True):
        convs[ids[root]].append(msgs[mid])
    brands = {m["author"].lower(): m["author"] for m in msgs.values() if not m["customer"]}
    for handle in extra_brands:
        brands.setdefault(handle.lstrip("@").lower(), handle.lstrip("@"))
    facts = []
    for conv, members in convs.items():
        members.sort(key=lambda m: (m["ts"], *_sort_id(m["id"])))
        customers = [m for m in members if m["customer"]]
        brand_msgs = [m for m in members if not m["customer"]]
        first = customers[0] if customers else None
        if brand_msgs:
            brand = brand_msgs[0]["author"]
        else:
            brand = "unattributed"
            if first is not None:
                for handle in _mentions(first["text"]):
                    if handle in brands:
                        brand = brands[handle]
                        break
        fact = {
            "conv": conv,
            "brand": brand,
            "customer_initiated": members[0]["customer"],
            "answered": False,
            "frt": None,
            "before_reply": 0,
            "first_ts": first["ts"] if first else None,
        }
        if first is not None:
            reply = next((m for m in brand_msgs if m["ts"] >= first["ts"]), None)
            own = [m for m in customers if m["author"] == first["author"]]
            if reply is not None:
                fact["answered"] = True
                fact["frt"] = reply["ts"] - first["ts"]
                key = (reply["ts"], *_sort_id(reply["id"]))
                own = [m for m in own if m is first or (m["ts"], *_sort_id(m["id"])) < key]
            fact["before_reply"] = len(own)
        facts.append(fact)
    return facts


def _mentions(text: str) -> list[str]:
    """Lowercased @handles in order: '@' then letters, digits or '_' (the whole handle)."""
    out, i = [], 0
    while (i := text.find("@", i)) >= 0:
        j = i + 1
        while j < len(text) and (text[j].isascii() and (text[j].isalnum() or text[j] == "_")):
            j += 1
        if j > i + 1:
            out.append(text[i + 1 : j].lower())
        i = j
    return out


def reference_metrics(facts: list[dict], target_seconds: float) -> dict:
    """The contract's counting metrics over some facts."""
    ci = [f for f in facts if f["customer_initiated"]]
    answered = [f for f in ci if f["answered"]]
    frts = np.array([f["frt"] for f in answered], dtype=float)
    share = lambda part, whole: None if not whole else part / whole  # noqa: E731
    return {
        "conversations": len(facts),
        "customer_initiated": len(ci),
        "answered": len(answered),
        "response_rate": share(len(answered), len(ci)),
        "first_response_seconds": {
            "median": float(np.percentile(frts, 50)) if len(frts) else None,
            "p90": float(np.percentile(frts, 90)) if len(frts) else None,
            "mean": float(frts.mean()) if len(frts) else None,
        },
        "within_target_share": share(sum(f["frt"] <= target_seconds for f in answered), len(ci)),
        "repeat_contact_share": share(sum(f["before_reply"] >= 2 for f in ci), len(ci)),
    }


def assert_close(actual: object, expected: object, where: str = "") -> None:
    """`actual` equals `expected`, numbers to a relative 1e-9, recursing into dicts and lists."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} missing"
            assert_close(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list | tuple):
        assert len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_close(a, e, f"{where}[{i}]")
    elif expected is None or isinstance(expected, str | bool):
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"
    else:
        assert actual == pytest.approx(expected, rel=1e-9, abs=1e-9), f"{where}: {actual!r}"
