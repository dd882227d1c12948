"""Benchmark sustained ingest through the whole live path on PostgreSQL (and SQLite), beside the raw
speed of COPYing the same rows into PostgreSQL in the same run.

Run from the project root: `.venv/bin/python -m bench.bench_ingest [--rows N]`. It builds (or
reuses) a replica of the real sample with N valid records (bench.make_big), then:

a. `beancan replay FILE --workspace bench` into a fresh PostgreSQL database: every message goes
   through ingest() (dedupe, threading, contact, sentiment, conversation facts by the audit's code,
   SLA deadline, audit row, realtime events), in batches, in its own process;
b. the same into a fresh SQLite file (the embedded default);
c. the baseline: the same rows (id, author, inbound, time, text, in-reply-to) COPYed into a plain
   PostgreSQL table with a unique index on the id.

Checks the stored message count, prints the table and writes the "ingest" section of
bench/results.md. Goal (issue 3): at least 2,000 messages per second on PostgreSQL.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from bench._results import write_section
from bench.make_big import ensure_big_file

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"
BEANCAN = [sys.executable, "-m", "beancan"]
ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/test")
DB = "beancan_bench_ingest"
GOAL = 2000.0


def _pg_url(db: str) -> str:
    return re.sub(r"/[^/]*$", f"/{db}", ADMIN_URL)


def _fresh_pg() -> str:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    return _pg_url(DB)


def _run(args: list[str], env: dict) -> str:
    done = subprocess.run(
        [*BEANCAN, *args], env=env, capture_output=True, text=True, check=False, cwd=ROOT
    )
    if done.returncode:
        raise SystemExit(f"beancan {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def replay_into(database_url: str, path: Path) -> tuple[float, int]:
    """Seconds the replay took (its own process, whole path) and messages stored."""
    with tempfile.TemporaryDirectory(prefix="beancan-bench-") as tmp:
        env = {**os.environ, "DATABASE_URL": database_url, "BEANCAN_DATA_DIR": tmp}
        _run(["migrate"], env)
        _run(["createworkspace", "bench"], env)
        started = time.perf_counter()
        _run(["replay", str(path), "--workspace", "bench", "--quiet"], env)
        seconds = time.perf_counter() - started
        code = (
            "from beancan.server.commands import setup; setup();"
            "from beancan.inbox.models import Message; print(Message.objects.count())"
        )
        stored = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
    return seconds, int(stored)


def copy_baseline(path: Path) -> tuple[float, int]:
    """Seconds to COPY the valid rows into a plain table with a unique id index."""
    rows = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for rec in reader:
            if len(rec) == 7 and rec[3]:
                rows.append((rec[0], rec[1], rec[2], rec[3], rec[4], rec[6]))
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    data = buf.getvalue()
    with psycopg.connect(_pg_url(DB), autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS copy_baseline")
        conn.execute(
            "CREATE TABLE copy_baseline (id text PRIMARY KEY, author text, inbound text, "
            "created_at text, text text, in_reply_to text)"
        )
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy("COPY copy_baseline FROM STDIN (FORMAT csv)") as cp:
            cp.write(data)
        seconds = time.perf_counter() - started
        (n,) = conn.execute("SELECT count(*) FROM copy_baseline").fetchone()
    return seconds, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="valid records to ingest")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    path = ensure_big_file(args.rows, DATA / f"twcs_ingest_{args.rows}.csv")
    print(f"file: {path} ({args.rows:,} valid records)", flush=True)

    pg_seconds, pg_stored = replay_into(_fresh_pg(), path)
    print(f"PostgreSQL replay: {pg_seconds:.1f} s, {pg_stored:,} stored", flush=True)
    copy_seconds, copied = copy_baseline(path)
    print(f"COPY baseline: {copy_seconds:.2f} s, {copied:,} rows", flush=True)
    lines = [
        "## Ingest: the whole live path vs a bare COPY",
        "",
        f"{args.rows:,} valid records (a replica of the real sample), `beancan replay` in its own "
        "process: read and thread the export, then ingest() in batches (dedupe, threading, "
        "contact, sentiment, conversation facts, SLA deadline, audit row, realtime events).",
        "",
        "| path | seconds | messages/s | stored |",
        "|---|---:|---:|---:|",
        f"| replay → ingest(), PostgreSQL | {pg_seconds:.1f} | {pg_stored / pg_seconds:,.0f} "
        f"| {pg_stored:,} |",
    ]
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            sq_seconds, sq_stored = replay_into(f"sqlite:///{tmp}/bench.sqlite3", path)
        print(f"SQLite replay: {sq_seconds:.1f} s, {sq_stored:,} stored", flush=True)
        lines.append(
            f"| replay → ingest(), SQLite (WAL) | {sq_seconds:.1f} | "
            f"{sq_stored / sq_seconds:,.0f} | {sq_stored:,} |"
        )
    lines.append(
        f"| baseline: COPY the same rows, PostgreSQL | {copy_seconds:.2f} | "
        f"{copied / copy_seconds:,.0f} | {copied:,} |"
    )
    rate = pg_stored / pg_seconds
    verdict = "met" if rate >= GOAL and pg_stored == args.rows else "NOT met"
    lines += [
        "",
        f"Goal: at least {GOAL:,.0f} messages/s on PostgreSQL through the whole path: "
        f"**{verdict}** ({rate:,.0f}/s; the bare COPY is {copied / copy_seconds / rate:.0f}× "
        "faster, the price of threading, triage, facts and events per message). "
        f"Load average at the end: {os.getloadavg()[0]:.2f}.",
    ]
    text = "\n".join(lines)
    print(text)
    write_section("ingest", text)


if __name__ == "__main__":
    main()
