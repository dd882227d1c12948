"""The compiled parser of the dataset's dates gives what DuckDB's strptime gives, on every text:
the ones it takes (exactly the dataset's layout) and the ones it leaves to strptime."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import duckdb
import pyarrow as pa

from beancan.audit.readers import TWCS_TIME_FORMAT, _register_functions, _time_sql

EDGES = [
    "Tue Oct 31 22:10:47 +0000 2017",
    "Mon Oct 31 22:10:47 +0000 2017",  # the weekday is not checked by strptime
    "Tue Feb 29 22:10:47 +0000 2016",
    "Tue Feb 29 22:10:47 +0000 2017",  # no such day
    "Sat Apr 31 00:00:00 +0000 2017",
    "Sun Dec 31 23:59:59 +0000 1999",
    "Tue Oct 31 22:10:60 +0000 2017",
    "Tue Oct 31 24:00:00 +0000 2017",
    "Tue Oct 31 22:10:47 -0530 2017",
    "Tue Oct 31 22:10:47 +2359 2017",
    "Tue Oct 31 22:10:47 +0060 2017",  # left to strptime, which takes it
    "Tue Oct 31 22:10:47 +9959 2017",
    "tue oct 31 22:10:47 +0000 2017",  # lowercase: left to strptime
    "Tue Oct  1 22:10:47 +0000 2017",
    "Tue Oct 1 22:10:47 +0000 2017",
    " Tue Oct 31 22:10:47 +0000 2017",
    "Tue Oct 31 22:10:47 +0000 2017 ",
    "Tue Oct 31 22:10:47 +0000 0999",
    "Tue Oct 31 22:10:47 +0000 9999",
    "Tue Oct 31 22:10:47 0000 2017",
    "Tue Oct 31 22:10:47 +0000 20177",
    "Tue Oct 00 22:10:47 +0000 2017",
    "",
    "2017-10-31T22:10:47Z",
]


def _texts() -> list[str | None]:
    rng = random.Random(7)
    start = datetime(1995, 1, 1, tzinfo=UTC)
    texts: list[str | None] = [*EDGES, None]
    for _ in range(3000):
        moment = start + timedelta(seconds=rng.randrange(60 * 365 * 86400))
        offset = rng.choice(["+0000", "-0500", "+0530", "+1400", "-1200"])
        text = moment.strftime("%a %b %d %H:%M:%S ") + offset + moment.strftime(" %Y")
        if rng.random() < 0.4:  # one character changed
            i = rng.randrange(len(text))
            text = text[:i] + rng.choice("0123456789 :+-aZé") + text[i + 1 :]
        texts.append(text)
    return texts


def test_the_compiled_parser_agrees_with_strptime():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    _register_functions(con)
    texts = _texts()
    con.register("t", pa.table({"i": range(len(texts)), "r": pa.array(texts, pa.string())}))
    fast = _time_sql("r", TWCS_TIME_FORMAT)
    general = f"epoch(try_strptime(trim(r), '{TWCS_TIME_FORMAT}'))"
    assert fast != general
    rows = con.execute(
        f"SELECT r, {fast}, {general}, beancan_twcs_epoch(r) IS NOT NULL FROM t ORDER BY i"
    ).fetchall()
    for text, got, want, _ in rows:
        assert got == want, text
    taken = sum(1 for *_, by_kernel in rows if by_kernel)
    assert taken > 1500 and len(rows) - taken > 500  # both ways were taken, many times


def test_nulls_and_sliced_arrays():
    con = duckdb.connect()
    _register_functions(con)
    _register_functions(con)  # once per database, however often asked
    second = "Tue Oct 31 22:10:4{} +0000 2017"
    texts = pa.array(["x", second.format(7), None, second.format(8)])
    con.register("t", pa.table({"r": texts.slice(1)}))
    got = [row[0] for row in con.execute("SELECT beancan_twcs_epoch(r) FROM t").fetchall()]
    assert got == [1509487847.0, None, 1509487848.0]
