"""Benchmark the agent inbox under load on PostgreSQL, beside the bare SQL behind each page.

Run from the project root: `.venv/bin/python -m bench.bench_inbox [--conversations N]
[--messages-per 5] [--clients 50] [--seconds 20] [--agent-seconds 90] [--keep] [--reuse]`. It:

1. creates a fresh database `beancan_bench_inbox` and fills it with SQL inside PostgreSQL:
   50 agents, 300,000 contacts, N conversations (2% open, 0.5% pending, the rest resolved; those
   in play with urgencies spread over 0-100) and N × messages-per messages;
2. starts `beancan serve --no-worker --web-processes 2` on it and logs the 50 agents in;
3. saturation: loads the queue page (`/w/bench/?queue=open`) and conversation pages (a few
   hundred open ones, at random) with wrk, `--clients` connections for `--seconds` each, every
   connection sending its next request as soon as the last is answered;
4. agents: 50 simulated agents (bench/agents.py) work the inbox with think time, for
   `--agent-seconds`, each with its own session and event stream;
5. baseline, same run: the exact SQL statements each page runs (captured through Django),
   executed alone with psycopg, 50 times in a row;
6. writes the "inbox" section of bench/results.md. Goal (issue 4): p95 under 150 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

from bench._results import write_section
from bench.agents import run_agents

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/test")
DB = "beancan_bench_inbox"
GOAL_MS = 150.0
QUEUE_URL = "/w/bench/?queue=open"
THINK = (1.0, 5.0)  # seconds an agent spends on a page before the next
AGENTS = 50
# The simulated agents run in this many processes: one asyncio loop that also parses 50 event
# streams is slow to notice responses (docs/decisions/0005-inbox-under-load.md, section 6).
LOAD_PROCESSES = 3
CONTACTS = 300_000

FILL = """
INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                       is_active, date_joined)
SELECT '!', false, 'agent' || i, '', '', '', false, true, now() FROM generate_series(1, {agents}) i;
INSERT INTO workspaces_membership (workspace_id, user_id, role, presence, capacity)
SELECT {ws}, id, 'agent', 'online', 1000 FROM auth_user WHERE username LIKE 'agent%';
INSERT INTO inbox_channel (workspace_id, kind, name, handle, secret, config, max_length, active,
                           created_at)
VALUES ({ws}, 'webhook', 'bench', 'brand', '', '{{}}', 280, true, now());
INSERT INTO inbox_contact (workspace_id, name, bio, location, website, created_at)
SELECT {ws}, 'Customer ' || i, '', '', '', now() FROM generate_series(1, {contacts}) i;
INSERT INTO inbox_identity (workspace_id, contact_id, network, handle, display_name, profile)
SELECT {ws}, id, 'webhook', 'cust' || id, '', '{{}}' FROM inbox_contact WHERE workspace_id = {ws};
"""

CONVERSATIONS = """
INSERT INTO inbox_conversation (
    workspace_id, channel_id, contact_id, status, assignee_id, priority, snooze_until_reply,
    created_at, last_message_at, last_inbound_at, first_response_due_at, waiting_since, brand,
    messages_count, customer_initiated, first_inbound_at, first_response_at,
    first_response_seconds, answered, customer_messages_before_reply, brand_replies,
    named_replies, thanked, first_sentiment, after_reply_sentiment, urgency, urgency_reasons,
    intent, language, embedded_messages)
SELECT {ws}, {channel}, {first_contact} + (i::bigint * 7919) % {contacts},
       s.status,
       CASE WHEN s.status <> 'resolved' AND i % 3 > 0 THEN {first_agent} + i % {agents} END,
       'normal', false, t, t + interval '40 minutes', t + interval '30 minutes',
       CASE WHEN s.status = 'open' THEN now() + (i % 240) * interval '1 minute' END,
       CASE WHEN s.status = 'open' THEN t END,
       'brand', {per}, true, t, t + interval '20 minutes', 1200, s.status <> 'open', 1, 2, 1,
       false, ((i % 200) - 100) / 100.0, ((i % 150) - 50) / 100.0,
       CASE WHEN s.status <> 'resolved' THEN (i * 37) % 101 ELSE 0 END,
       CASE WHEN s.status <> 'resolved'
            THEN '["complaint (+25)", "negative sentiment (+10)", "waiting 2 h (+13)"]'
            ELSE '[]' END::jsonb,
       'complaint', 'en', 0
FROM generate_series(1, {n}) i,
     LATERAL (SELECT now() - (({n} - i) * interval '20 seconds') AS t,
                     CASE WHEN i % 200 < 4 THEN 'open' WHEN i % 200 = 4 THEN 'pending'
                          ELSE 'resolved' END AS status) s;
"""

MESSAGES = """
INSERT INTO inbox_message (
    workspace_id, channel_id, conversation_id, external_id, direction, private, author_handle,
    posted_at, received_at, text, raw, in_reply_to, sentiment, sentiment_label, send_state,
    idempotency_key, send_attempts, send_error, intent, language, spam, text_urgency,
    triage_model)
SELECT {ws}, {channel}, c.id, 'm' || c.id || '-' || k,
       CASE WHEN k % 2 = 1 THEN 'in' ELSE 'out' END, false,
       CASE WHEN k % 2 = 1 THEN 'cust' || c.contact_id ELSE 'brand' END,
       c.created_at + k * interval '10 minutes', c.created_at + k * interval '10 minutes',
       CASE WHEN k % 2 = 1 THEN '@brand my order ' || c.id || ' is late again, any update?'
            ELSE 'Hi there, sorry about that! Could you DM us the order number? ^AB' END,
       '{{}}', '', CASE WHEN k % 2 = 1 THEN c.first_sentiment END, '', 'received', '', 0, '',
       CASE WHEN k % 2 = 1 THEN 'complaint' ELSE '' END, 'en', false, '{{}}',
       CASE WHEN k % 2 = 1 THEN 'beancan-triage-3' ELSE '' END
FROM inbox_conversation c, generate_series(1, {per}) k
WHERE c.workspace_id = {ws} AND c.id BETWEEN {lo} AND {hi};
"""

LUA_DONE = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.errors.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), summary.duration))
end
"""


def _pg_url(db: str) -> str:
    return re.sub(r"/[^/]*$", f"/{db}", ADMIN_URL)


def _env(tmp: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": _pg_url(DB),
        "BEANCAN_DATA_DIR": tmp,
        "BEANCAN_SECRET_KEY": "bench-inbox-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    }


def _beancan(args: list[str], env: dict) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "beancan", *args], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"beancan {' '.join(args)} failed: {done.stderr[-1500:]}")
    return done.stdout


def fill(n: int, per: int, env: dict) -> float:
    """Create and fill the database; seconds it took."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    _beancan(["migrate"], env)
    _beancan(["createworkspace", "bench", "--brand", "brand"], env)
    started = time.perf_counter()
    with psycopg.connect(_pg_url(DB), autocommit=True) as conn:
        ws = conn.execute("SELECT id FROM workspaces_workspace WHERE name='bench'").fetchone()[0]
        conn.execute(FILL.format(ws=ws, agents=AGENTS, contacts=CONTACTS))
        channel = conn.execute("SELECT id FROM inbox_channel").fetchone()[0]
        first_contact = conn.execute("SELECT min(id) FROM inbox_contact").fetchone()[0]
        first_agent = conn.execute(
            "SELECT min(id) FROM auth_user WHERE username LIKE 'agent%'"
        ).fetchone()[0]
        conn.execute(
            CONVERSATIONS.format(
                ws=ws,
                channel=channel,
                first_contact=first_contact,
                contacts=CONTACTS,
                first_agent=first_agent,
                agents=AGENTS,
                per=per,
                n=n,
            )
        )
        print(f"  {n:,} conversations in {time.perf_counter() - started:.0f} s", flush=True)
        lo, hi = conn.execute("SELECT min(id), max(id) FROM inbox_conversation").fetchone()
        step = 100_000
        for start in range(lo, hi + 1, step):
            conn.execute(
                MESSAGES.format(ws=ws, channel=channel, per=per, lo=start, hi=start + step - 1)
            )
            print(f"  messages up to conversation {min(start + step - 1, hi):,}", flush=True)
        # As autovacuum would have by the time a real table reached this size: statistics, and
        # the visibility map that lets counts read the index alone.
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


CAPTURE = """
import json, sys
from beancan.server.commands import setup; setup()
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from beancan.inbox.models import Conversation
cookies = []
for user in get_user_model().objects.filter(username__startswith="agent").order_by("pk"):
    agent = Client(HTTP_HOST="127.0.0.1")
    agent.force_login(user)
    cookies.append(agent.cookies["sessionid"].value)
user = get_user_model().objects.get(username="agent1")
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user)
open_ = Conversation.objects.filter(status="open").order_by("?")
ids = list(open_.values_list("pk", flat=True)[:300])
out = {"cookie": client.cookies["sessionid"].value, "cookies": cookies, "ids": ids, "sql": {}}
for name, url in (("queue", "/w/bench/?queue=open"), ("conversation", f"/w/bench/c/{ids[0]}/")):
    with CaptureQueriesContext(connection) as q:
        assert client.get(url).status_code == 200
    out["sql"][name] = [x["sql"] for x in q.captured_queries]
print(json.dumps(out))
"""


def bare_sql(statements: list[str], runs: int = 50) -> tuple[float, float]:
    """Median and p95 ms of running a page's statements one after another, alone."""
    times = []
    with psycopg.connect(_pg_url(DB), autocommit=True) as conn:
        for _ in range(runs):
            started = time.perf_counter()
            for sql in statements:
                conn.execute(sql.replace("%", "%%")).fetchall() if sql.lstrip().upper().startswith(
                    "SELECT"
                ) else conn.execute(sql.replace("%", "%%"))
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def load(url: str, cookie: str, clients: int, seconds: int, lua: str) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua + LUA_DONE)
    done = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            fh.name,
            "-H",
            f"Cookie: sessionid={cookie}",
            url,
        ],
        capture_output=True,
        text=True,
    )
    os.unlink(fh.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    requests, bad, p50, p95, p99, duration = (int(v) for v in line.split()[1:])
    return {
        "requests": requests,
        "non_2xx": bad,
        "rps": requests / (duration / 1e6),
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "p99": p99 / 1000,
    }


def _drain(base: str, cookie: str, timeout: float = 120.0) -> None:
    """Wait until the server answers a request within a second (nothing queued before it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        with contextlib.suppress(httpx.TransportError):
            httpx.get(base + "/accounts/login/", timeout=30, cookies={"sessionid": cookie})
        if time.monotonic() - started < 1.0:
            return
    raise SystemExit("the server did not drain its backlog")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--messages-per", type=int, default=5)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--agent-seconds", type=int, default=90)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="use the database a --keep run left (no fill)"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk): the inbox benchmark needs it")
    tmp = tempfile.mkdtemp(prefix="beancan-bench-inbox-")
    env = _env(tmp)
    if args.reuse:
        _beancan(["migrate"], env)
        fill_note = "reused from an earlier run"
    else:
        print(f"filling {args.conversations:,} conversations …", flush=True)
        fill_note = f"filled by SQL in {fill(args.conversations, args.messages_per, env):.0f} s"
    capture = subprocess.run(
        [sys.executable, "-c", CAPTURE], env=env, capture_output=True, text=True
    )
    if capture.returncode:
        raise SystemExit(f"logging in failed: {capture.stderr[-2000:]}")
    captured = json.loads(capture.stdout.strip().splitlines()[-1])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "beancan",
            "serve",
            "--no-worker",
            "--web-processes",
            "2",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/accounts/login/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        ids = ", ".join(str(i) for i in captured["ids"])
        rotate = (
            f"ids = {{{ids}}}\nrequest = function()\n"
            '  return wrk.format("GET", "/w/bench/c/" .. ids[math.random(#ids)] .. "/")\nend\n'
        )
        results = {}
        for name, url, lua in (
            ("queue", QUEUE_URL, ""),
            ("conversation", "/w/bench/c/1/", rotate),
        ):
            _drain(base, captured["cookie"])  # the previous run's backlog is served first
            print(f"wrk: {name} page, {args.clients} connections, {args.seconds} s", flush=True)
            results[name] = load(base + url, captured["cookie"], args.clients, args.seconds, lua)
        _drain(base, captured["cookie"])
        print(f"{len(captured['cookies'])} simulated agents for {args.agent_seconds} s", flush=True)
        agents = run_agents(
            base,
            captured["cookies"],
            "bench",
            QUEUE_URL,
            captured["ids"],
            seconds=args.agent_seconds,
            think=THINK,
            processes=LOAD_PROCESSES,
        )
        load_during_agents = os.getloadavg()[0]
        print(json.dumps(agents, indent=1), flush=True)
    finally:
        server.terminate()
        server.wait(15)
    baselines = {name: bare_sql(sql) for name, sql in captured["sql"].items()}
    if not args.keep:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    shutil.rmtree(tmp, ignore_errors=True)
    text = report(args, fill_note, captured, results, agents, baselines, load_during_agents)
    print(text)
    write_section("inbox", text)


def _verdict(p95: float, failed: int) -> str:
    return "met" if p95 < GOAL_MS and failed == 0 else "**NOT met**"


def report(args, fill_note, captured, results, agents, baselines, load_during_agents) -> str:
    """The results.md section: both load models beside the bare SQL of each page."""
    rows = []
    for name, label in (("queue", "queue page (open)"), ("conversation", "conversation page")):
        b50, b95 = baselines[name]
        sql = f"{len(captured['sql'][name])} statements: {b50:.1f} / {b95:.1f}"
        r = results[name]
        rows.append(
            f"| {label} | saturation: wrk, {args.clients} connections, no think time "
            f"| {r['rps']:,.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} "
            f"| {r['non_2xx']} | {sql} | {_verdict(r['p95'], r['non_2xx'])} |"
        )
        a = agents[name]
        rows.append(
            f"| {label} | {len(captured['cookies'])} agents, think {THINK[0]:.0f}-{THINK[1]:.0f} s "
            f"| {a['rps']:,.1f} | {a['p50']:.0f} | {a['p95']:.0f} | {a['p99']:.0f} "
            f"| {a['failed']} | {sql} | {_verdict(a['p95'], a['failed'])} |"
        )
    h = agents["heartbeat"]
    return "\n".join(
        [
            "## Inbox pages under load (PostgreSQL)",
            "",
            f"{args.conversations:,} conversations and {args.conversations * args.messages_per:,}"
            f" messages ({fill_note}), 2.5% of them open or pending, {AGENTS} agents; "
            "`beancan serve --web-processes 2` on this machine, logged in as agents, on "
            "loopback. Two load models in the same run:",
            "",
            f"- **saturation:** wrk with {args.clients} connections for {args.seconds} s per "
            "page, each sending its next request the moment the last one is answered;",
            f"- **agents:** {len(captured['cookies'])} simulated agents for "
            f"{args.agent_seconds} s (bench/agents.py), each its own session looping: open the "
            f"queue page, think {THINK[0]:.0f}-{THINK[1]:.0f} s (uniform), open a conversation "
            "and send the page's arrival heartbeat, think again, send the leaving heartbeat; "
            "each keeps the workspace's event stream open throughout. The agents are shared "
            f"out over {LOAD_PROCESSES} load-generator processes.",
            "",
            "Baseline: the same SQL statements the page runs (captured through Django), run "
            "alone one after another with psycopg, 50 times. Goal (issue 4): p95 under 150 ms.",
            "",
            "| page | load model | requests/s | p50 ms | p95 ms | p99 ms | failed "
            "| bare SQL median / p95 ms | goal p95 < 150 ms |",
            "|---|---|---:|---:|---:|---:|---:|---|---|",
            *rows,
            "",
            f"Heartbeats in the agent model: {h['requests']:,} at p50 {h['p50']:.0f} ms, p95 "
            f"{h['p95']:.0f} ms, {h['failed']} failed. Load average during the agent run: "
            f"{load_during_agents:.2f}; at the end: {os.getloadavg()[0]:.2f}.",
        ]
    )


if __name__ == "__main__":
    main()
