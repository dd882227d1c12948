"""Simulated agents for the inbox benchmark: each an independent logged-in session that works
the inbox the way a person does, with think time between pages.

One agent loops: open the queue page; think; open a conversation (the page, then the
collision-detection heartbeat its script sends on arrival); think; leave it (the heartbeat the
page sends on `pagehide`). It also keeps the workspace's server-sent event stream open for the
whole run, as an open inbox tab does. Every request's latency is recorded by kind."""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx


@dataclass
class Recorded:
    """Latencies (ms) and failures of one kind of request."""

    ms: list[float] = field(default_factory=list)
    failed: int = 0
    reasons: Counter = field(default_factory=Counter)  # what failed: a status or an exception

    def summary(self, seconds: float) -> dict:
        ms = sorted(self.ms)

        def pct(p: float) -> float:
            return ms[min(len(ms) - 1, round(p * (len(ms) - 1)))] if ms else float("nan")

        return {
            "requests": len(ms),
            "failed": self.failed,
            "reasons": dict(self.reasons),
            "rps": len(ms) / seconds,
            "p50": statistics.median(ms) if ms else float("nan"),
            "p95": pct(0.95),
            "p99": pct(0.99),
        }


async def _timed(client: httpx.AsyncClient, rec: Recorded, method: str, url: str, **kw):
    started = time.perf_counter()
    try:
        response = await client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        rec.failed += 1
        rec.reasons[type(exc).__name__] += 1
        return None
    rec.ms.append((time.perf_counter() - started) * 1000)
    if response.status_code >= 400:
        rec.failed += 1
        rec.reasons[str(response.status_code)] += 1
    return response


async def _stream(client: httpx.AsyncClient, url: str, stop: asyncio.Event) -> None:
    """Hold the event stream open (reading whatever comes) until the run ends."""
    while not stop.is_set():
        try:
            async with client.stream("GET", url, timeout=httpx.Timeout(5, read=None)) as r:
                async for _ in r.aiter_bytes():
                    if stop.is_set():
                        return
        except httpx.HTTPError:
            await asyncio.sleep(1)


async def _agent(
    base: str,
    cookie: str,
    workspace: str,
    queue_url: str,
    conversation_ids: list[int],
    think: tuple[float, float],
    until: float,
    rng: random.Random,
    recs: dict[str, Recorded],
    stop: asyncio.Event,
) -> None:
    async with httpx.AsyncClient(
        base_url=base, cookies={"sessionid": cookie}, timeout=30, follow_redirects=False
    ) as client:
        stream = asyncio.create_task(_stream(client, f"/realtime/{workspace}/events", stop))
        # Agents do not arrive in lockstep.
        await asyncio.sleep(rng.uniform(0, think[1]))
        while time.monotonic() < until:
            await _timed(client, recs["queue"], "GET", queue_url)
            await asyncio.sleep(rng.uniform(*think))
            pk = rng.choice(conversation_ids)
            page = await _timed(client, recs["conversation"], "GET", f"/w/{workspace}/c/{pk}/")
            token = client.cookies.get("csrftoken", "") if page is not None else ""
            beat = f"/w/{workspace}/c/{pk}/heartbeat"
            headers = {"X-CSRFToken": token, "Referer": base + "/"}
            await _timed(
                client, recs["heartbeat"], "POST", beat, data={"typing": "0"}, headers=headers
            )
            await asyncio.sleep(rng.uniform(*think))
            await _timed(
                client,
                recs["heartbeat"],
                "POST",
                beat,
                data={"typing": "0", "leaving": "1"},
                headers=headers,
            )
        stream.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stream


async def _run(
    base: str,
    cookies: list[str],
    workspace: str,
    queue_url: str,
    conversation_ids: list[int],
    seconds: float,
    think: tuple[float, float],
    seed: int,
) -> dict[str, Recorded]:
    recs = {"queue": Recorded(), "conversation": Recorded(), "heartbeat": Recorded()}
    stop = asyncio.Event()
    until = time.monotonic() + seconds
    master = random.Random(seed)
    tasks = [
        asyncio.create_task(
            _agent(
                base,
                cookie,
                workspace,
                queue_url,
                conversation_ids,
                think,
                until,
                random.Random(master.random()),
                recs,
                stop,
            )
        )
        for cookie in cookies
    ]
    await asyncio.gather(*tasks)
    stop.set()
    return recs


def _run_group(args: tuple) -> dict[str, Recorded]:
    """One load-generator process: its share of the agents, on its own event loop."""
    return asyncio.run(_run(*args))


def run_agents(
    base: str,
    cookies: list[str],
    workspace: str,
    queue_url: str,
    conversation_ids: list[int],
    seconds: float = 60,
    think: tuple[float, float] = (1.0, 5.0),
    seed: int = 4,
    processes: int = 1,
) -> dict[str, dict]:
    """Run one simulated agent per session cookie; per-kind latency summaries.

    With `processes` > 1 the agents are shared out over that many processes. One asyncio loop
    that parses 50 event streams is itself slow to notice a response: measured with curl beside
    it, the queue page's p50 was 65 ms while one generator process recorded 90 ms."""
    from concurrent.futures import ProcessPoolExecutor

    started = time.monotonic()
    if processes <= 1:
        recs = asyncio.run(
            _run(base, cookies, workspace, queue_url, conversation_ids, seconds, think, seed)
        )
    else:
        groups = [cookies[i::processes] for i in range(processes)]
        jobs = [
            (base, g, workspace, queue_url, conversation_ids, seconds, think, seed + i)
            for i, g in enumerate(groups)
            if g
        ]
        with ProcessPoolExecutor(len(jobs)) as pool:
            parts = list(pool.map(_run_group, jobs))
        recs = {kind: Recorded() for kind in parts[0]}
        for part in parts:
            for kind, rec in part.items():
                recs[kind].ms += rec.ms
                recs[kind].failed += rec.failed
                recs[kind].reasons += rec.reasons
    elapsed = time.monotonic() - started
    return {kind: rec.summary(elapsed) for kind, rec in recs.items()}
