"""Benchmark realtime delivery: from ingest()'s commit to the event at connected SSE clients, on
PostgreSQL and SQLite, beside the bare mechanism each backend wakes the streams with.

Run from the project root: `.venv/bin/python -m bench.bench_realtime [--messages N] [--rate R]
[--clients C] [--skip-sqlite]`. For each backend, in its own process (Django is set up once per
process) on a fresh database (PostgreSQL: `beancan_bench_rt` on the server of DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/test; SQLite: a temporary file):

a. starts `beancan serve --no-worker` and connects C clients to /realtime/<ws>/events with a token;
b. ingests N single-message batches at R per second in the bench process (another process than the
   server) and times each message.created from the moment ingest() returned (committed) to its
   arrival at each client;
c. the baseline. PostgreSQL: the bare round trip of a pg_notify from one psycopg connection to a
   LISTENing one (issued → received). SQLite: a bare poll of max(id) every POLL seconds (the hub's
   interval), from a row's commit to the poll that sees it.

Prints the table and writes the "realtime" section of bench/results.md. Goal: p95 under 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
DB = "beancan_bench_rt"
GOAL_P95 = 1.0  # seconds
WARMUP = 5
ARRIVAL_TIMEOUT = 15.0


# --- the parent: one child process per backend, then the table ---------------------------------


def _pg_url(db: str) -> str:
    return re.sub(r"/[^/?]*(\?.*)?$", f"/{db}", BASE_URL)


def _pg_database(create: bool) -> str:
    import psycopg

    with psycopg.connect(BASE_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        if create:
            conn.execute(f"CREATE DATABASE {DB}")
    return _pg_url(DB)


def _measure(backend: str, database_url: str, args) -> dict:
    with tempfile.TemporaryDirectory(prefix="beancan-bench-rt-") as tmp:
        out = Path(tmp) / "result.json"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "BEANCAN_DATA_DIR": tmp,
            "BEANCAN_SECRET_KEY": "bench-realtime-not-secret",
            "BEANCAN_LOG": "WARNING",
        }
        cmd = [sys.executable, "-m", "bench.bench_realtime", "--child", backend, "--out", str(out)]
        cmd += ["--messages", str(args.messages), "--rate", str(args.rate)]
        cmd += ["--clients", str(args.clients)]
        subprocess.run(cmd, env=env, cwd=ROOT, check=True)
        return json.loads(out.read_text())


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}" if seconds >= 0.01 else f"{seconds * 1000:.2f}"


def _row(label: str, s: dict) -> str:
    return (
        f"| {label} | {s['n']:,} | {_ms(s['p50'])} | {_ms(s['p95'])} | {_ms(s['p99'])} "
        f"| {_ms(s['max'])} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0, help="ingests per second")
    parser.add_argument("--clients", type=int, default=5)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--child", choices=("postgresql", "sqlite"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return

    load_before = os.getloadavg()[0]
    results = {}
    try:
        results["postgresql"] = _measure("postgresql", _pg_database(create=True), args)
    finally:
        _pg_database(create=False)
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory(prefix="beancan-bench-rt-") as tmp:
            results["sqlite"] = _measure("sqlite", f"sqlite:///{tmp}/bench.sqlite3", args)
    load_after = os.getloadavg()[0]
    text = _report(results, args, load_before, load_after)
    print(text)
    from bench._results import write_section

    write_section("realtime", text)


def _report(results: dict, args, load_before: float, load_after: float) -> str:
    names = {"postgresql": "PostgreSQL (LISTEN/NOTIFY)", "sqlite": "SQLite (WAL, polling)"}
    lines = [
        "## Realtime: ingest() commit → event at SSE clients",
        "",
        f"{args.messages:,} single-message ingest() calls at {args.rate:g}/s in the bench "
        f"process, {args.clients} clients connected with a bearer token to one "
        "`beancan serve --no-worker` process (uvicorn); latency from ingest() returning "
        "(committed) to the message.created event read by each client, one sample per message "
        "and client. Baselines measured in the same run: a bare pg_notify from one psycopg "
        "connection to a LISTENing one (issued → received), and a bare poll of max(id) every "
        "0.2 s on the SQLite file (the hub's interval; commit → seen).",
        "",
        "| path | samples | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    verdicts = []
    for backend, r in results.items():
        lines.append(_row(f"ingest → SSE client, {names[backend]}", r["latency"]))
        lines.append(_row(f"baseline: {r['baseline_name']}", r["baseline"]))
        ok = r["latency"]["p95"] < GOAL_P95 and not r["missing"] and not r["duplicates"]
        verdict = "met" if ok else "NOT met"
        verdicts.append(
            f"{names[backend]}: p95 {_ms(r['latency']['p95'])} ms — **{verdict}**"
            f" ({r['missing']} events missing, {r['duplicates']} duplicated; ingest() itself "
            f"took {_ms(r['ingest']['p50'])} ms p50, {_ms(r['ingest']['p95'])} ms p95; achieved "
            f"{r['rate']:.1f} ingests/s)"
        )
    lines += ["", f"Goal: p95 under {GOAL_P95 * 1000:,.0f} ms."]
    lines += [f"- {v}" for v in verdicts]
    lines += [
        "",
        f"1-minute load average {load_before:.2f} before and {load_after:.2f} after the run.",
    ]
    return "\n".join(lines)


# --- the child: one backend, Django set up on its database --------------------------------------


def _stats(values: list[float]) -> dict:
    values = sorted(values)
    if not values:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "max": 0}

    def pct(p: float) -> float:
        return values[min(len(values) - 1, round(p * (len(values) - 1)))]

    return {
        "n": len(values),
        "p50": pct(0.5),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "max": values[-1],
    }


class Client(threading.Thread):
    """One SSE connection; records when each message.created arrives."""

    def __init__(self, url: str, secret: str) -> None:
        super().__init__(daemon=True)
        self.url, self.secret = url, secret
        self.arrivals: dict[int, list[float]] = {}
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.closing = False
        self._response = None

    def close(self) -> None:
        """Hang up (from another thread): the server sees the disconnect."""
        self.closing = True
        if self._response is not None:
            self._response.close()

    def run(self) -> None:
        import httpx

        headers = {"Authorization": f"Bearer {self.secret}"}
        try:
            with (
                httpx.Client(timeout=httpx.Timeout(5.0, read=None)) as http,
                http.stream("GET", self.url, headers=headers) as response,
            ):
                self._response = response
                response.raise_for_status()
                kind = None
                for line in response.iter_lines():
                    now = time.monotonic()
                    if line.startswith("id:"):
                        self.ready.set()  # the opening record: the stream is in place
                    elif line.startswith("event:"):
                        kind = line[6:].strip()
                    elif line.startswith("data:") and kind == "message.created":
                        message_id = json.loads(line[5:])["message_id"]
                        self.arrivals.setdefault(message_id, []).append(now)
                    elif not line:
                        kind = None
        except Exception as exc:  # reported by the main thread
            if not self.closing:
                self.error = exc
            self.ready.set()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(log) -> tuple[subprocess.Popen, str]:
    import httpx

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "beancan", "serve", "--no-worker", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("beancan serve exited; see its log")
        try:
            httpx.get(f"{url}/realtime/-/events", timeout=1.0)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("beancan serve did not answer in 60 s")


def _child(args) -> None:
    from beancan.server.commands import create_token, create_workspace, setup

    setup()
    from django.core.management import call_command
    from django.db import connection

    from beancan.inbox.models import Channel

    call_command("migrate", interactive=False, verbosity=0)
    ws, _ = create_workspace("bench-rt", ["brand"])
    channel = Channel.objects.create(workspace=ws, kind="webhook", name="bench")
    secret = create_token(ws, "agent", "bench")
    with tempfile.TemporaryFile() as log:
        server, url = _start_server(log)
        try:
            result = _run_clients(args, f"{url}/realtime/{ws.name}/events", secret, channel)
        finally:
            _stop(server)
            log.seek(0)
            if errors := log.read().decode(errors="replace").strip():
                print(f"beancan serve said:\n{errors[-3000:]}", file=sys.stderr)
    if connection.vendor == "postgresql":
        result["baseline_name"] = "bare pg_notify → LISTEN, psycopg"
        result["baseline"] = _stats(_notify_round_trips(args))
    else:
        result["baseline_name"] = "bare poll of max(id) every 0.2 s, SQLite"
        result["baseline"] = _stats(_bare_poll(args))
    print(
        f"{connection.vendor}: p50 {_ms(result['latency']['p50'])} ms, "
        f"p95 {_ms(result['latency']['p95'])} ms; baseline p50 {_ms(result['baseline']['p50'])} "
        f"ms; {result['missing']} missing, {result['duplicates']} duplicated",
        flush=True,
    )
    args.out.write_text(json.dumps(result))


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _run_clients(args, url: str, secret: str, channel) -> dict:
    """Connect the clients, ingest at the set rate, and time every arrival."""
    from datetime import UTC, datetime

    from beancan.inbox.ingest import IncomingMessage, ingest

    clients = [Client(url, secret) for _ in range(args.clients)]
    try:
        for c in clients:
            c.start()
        for c in clients:
            c.ready.wait(30)
            if c.error:
                raise SystemExit(f"client failed: {c.error!r}")

        def one(i: int) -> tuple[int, float, float]:
            started = time.monotonic()
            m = IncomingMessage(
                external_id=f"rt-{i}",
                author=f"customer{i % 50}",
                posted_at=datetime.now(UTC),
                text=f"@brand my order {i} has not arrived yet, can you help?",
            )
            created = ingest(channel, [m]).created[0]
            return created.pk, started, time.monotonic()

        def arrived(message_id: int) -> bool:
            return all(message_id in c.arrivals for c in clients)

        def wait_for(message_id: int) -> None:
            deadline = time.monotonic() + ARRIVAL_TIMEOUT
            while not arrived(message_id) and time.monotonic() < deadline:
                time.sleep(0.01)

        for i in range(WARMUP):  # the server's hub, the analyzer, the connections
            wait_for(one(-1 - i)[0])

        sent: list[tuple[int, float, float]] = []
        period = 1.0 / args.rate
        t0 = time.monotonic()
        for i in range(args.messages):
            pause = t0 + i * period - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            sent.append(one(i))
        rate = args.messages / (time.monotonic() - t0)
        wait_for(sent[-1][0])
        time.sleep(0.5)  # any late or repeated delivery

        latencies, missing, duplicates = [], 0, 0
        for message_id, _, committed in sent:
            for c in clients:
                times = c.arrivals.get(message_id, [])
                if not times:
                    missing += 1
                    continue
                duplicates += len(times) - 1
                latencies.append(times[0] - committed)
        ingest_seconds = [done - started for _, started, done in sent]
    finally:
        for c in clients:
            c.close()
    return {
        "latency": _stats(latencies),
        "ingest": _stats(ingest_seconds),
        "missing": missing,
        "duplicates": duplicates,
        "rate": rate,
    }


def _notify_round_trips(args) -> list[float]:
    """Seconds from issuing a pg_notify on one connection to its arrival on a LISTENing one."""
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    for key in ("cursor_factory", "context", "prepare_threshold", "server_side_binding"):
        params.pop(key, None)
    received: dict[str, float] = {}
    listening = threading.Event()

    def listen() -> None:
        with psycopg.connect(**params, autocommit=True) as conn:
            conn.execute("LISTEN bench_rt")
            listening.set()
            for note in conn.notifies(timeout=ARRIVAL_TIMEOUT, stop_after=args.messages):
                received[note.payload] = time.monotonic()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    listening.wait(10)
    issued: dict[str, float] = {}
    period = 1.0 / args.rate
    with psycopg.connect(**params, autocommit=True) as conn:
        t0 = time.monotonic()
        for i in range(args.messages):
            pause = t0 + i * period - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            issued[str(i)] = time.monotonic()
            conn.execute("SELECT pg_notify('bench_rt', %s)", [str(i)])
    listener.join(ARRIVAL_TIMEOUT)
    return [received[k] - issued[k] for k in issued if k in received]


def _bare_poll(args) -> list[float]:
    """Seconds from a row's commit to the bare poll (every 0.2 s, as the hub) that sees it."""
    import sqlite3

    from django.db import connection

    from beancan.realtime.hub import POLL

    path = connection.settings_dict["NAME"]
    with sqlite3.connect(path) as setup_conn:
        setup_conn.execute("CREATE TABLE IF NOT EXISTS bench_poll (id INTEGER PRIMARY KEY)")
    seen: dict[int, float] = {}
    stop = threading.Event()

    def poll() -> None:
        conn = sqlite3.connect(path)
        last = 0
        while not stop.is_set():
            time.sleep(POLL)
            (top,) = conn.execute("SELECT coalesce(max(id), 0) FROM bench_poll").fetchone()
            now = time.monotonic()
            for i in range(last + 1, top + 1):
                seen[i] = now
            last = top
        conn.close()

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    committed: dict[int, float] = {}
    period = 1.0 / args.rate
    conn = sqlite3.connect(path, isolation_level=None)
    t0 = time.monotonic()
    for i in range(1, args.messages + 1):
        pause = t0 + (i - 1) * period - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        conn.execute("INSERT INTO bench_poll (id) VALUES (?)", [i])
        committed[i] = time.monotonic()
    conn.close()
    time.sleep(POLL * 3)
    stop.set()
    poller.join(5)
    return [seen[i] - committed[i] for i in committed if i in seen]


if __name__ == "__main__":
    main()
