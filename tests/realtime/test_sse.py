"""GET /realtime/<workspace>/events served by real `beancan serve` processes, with the events
committed by another process (this one): they arrive within 2 s, a reconnecting client resumes
after its Last-Event-ID without gaps or repeats, and nothing crosses from one workspace to
another."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from django.db import connection, transaction

import factories as f
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Message
from beancan.realtime.events import publish
from beancan.realtime.models import Event
from liveserver import Server

ARRIVAL_LIMIT = 2.0  # seconds from ingest()'s commit to the event at the client
READ_TIMEOUT = 5.0  # a stream that stays silent this long has lost an event


@pytest.fixture(scope="module")
def server(django_db_setup) -> Iterator[Server]:
    # One server for the module: the tests' transactional flushes only empty its tables.
    srv = Server()
    yield srv
    srv.stop()


def _parse(lines: Iterator[str]) -> Iterator[dict]:
    """Server-sent events as dicts (id, event, data); the stream's opening id-only record
    comes out as an event of type None; comments (keepalives) are skipped."""
    record: dict = {}
    for line in lines:
        if not line:
            if record:
                yield {"id": None, "event": None, "data": None, **record}
                record = {}
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            record["data"] = value if "data" not in record else record["data"] + "\n" + value
        elif field in ("id", "event", "retry"):
            record[field] = value


class Stream:
    """One SSE connection, read in the test's thread (an unread event waits in the socket)."""

    def __init__(
        self,
        base: str,
        workspace: str,
        headers: dict | None = None,
        timeout: float = READ_TIMEOUT,
        **params,
    ):
        import json

        self._json = json
        self._stack = contextlib.ExitStack()
        client = self._stack.enter_context(
            httpx.Client(base_url=base, timeout=httpx.Timeout(timeout))
        )
        self.response = self._stack.enter_context(
            client.stream("GET", f"/realtime/{workspace}/events", headers=headers, params=params)
        )
        self.status = self.response.status_code
        if self.status != 200:
            self.response.read()
            self.close()
            return
        self._events = _parse(self.response.iter_lines())
        opening = next(self._events)  # sent once the server has fixed where it resumes from
        assert opening["event"] is None and opening["retry"] == "1000"
        self.start_id = int(opening["id"])

    def next(self) -> dict:
        """The next event, with its id as an int and its data decoded."""
        e = next(self._events)
        return {"id": int(e["id"]), "type": e["event"], "data": self._json.loads(e["data"])}

    def until(self, type_: str, **match) -> list[dict]:
        """Events up to and including the first of `type_` whose data has the `match` items."""
        seen = []
        while True:
            seen.append(self.next())
            last = seen[-1]
            if last["type"] == type_ and all(last["data"].get(k) == v for k, v in match.items()):
                return seen

    def close(self) -> None:
        self._stack.close()


@contextlib.contextmanager
def stream(base: str, workspace: str, headers: dict | None = None, **params):
    s = Stream(base, workspace, headers, **params)
    try:
        yield s
    finally:
        s.close()


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def _setup(role: str = "agent"):
    ws = f.workspace()
    return ws, f.channel(ws), f.token(ws, role)


def _ingest_one(ch, ext: str, **fields) -> tuple[Message, float]:
    """Ingest one message; returns it and the monotonic time its transaction committed."""
    result = ingest(ch, [f.msg(ext, **fields)])
    return result.created[0], time.monotonic()


def _expected_payload(m: Message) -> dict:
    return {
        "conversation_id": m.conversation_id,
        "message_id": m.pk,
        "direction": "in",
        "private": False,
        "author": m.author_handle,
        "text": m.text,
        "posted_at": m.posted_at.isoformat(),
    }


@pytest.mark.django_db(transaction=True)
def test_a_message_ingested_by_another_process_arrives_within_2s(server):
    ws, ch, secret = _setup()
    with stream(server.url, ws.name, bearer(secret)) as s:
        assert s.response.headers["content-type"].startswith("text/event-stream")
        m, committed = _ingest_one(ch, "sse-1", author="@maria", text="where is my parcel @brand")
        events = s.until("message.created")
        arrived = time.monotonic() - committed
        assert arrived < ARRIVAL_LIMIT, f"message.created arrived after {arrived:.2f} s"
        assert events[-1]["data"] == _expected_payload(m)
        assert [e["type"] for e in events] == ["conversation.created", "message.created"]
        assert events[0]["data"]["conversation_id"] == m.conversation_id
        rest = s.until("conversation.updated")
        assert rest[-1]["data"]["conversation_id"] == m.conversation_id
        stored = list(Event.objects.filter(workspace=ws).order_by("id").values_list("id", "type"))
        assert [(e["id"], e["type"]) for e in events + rest] == stored
        assert s.start_id < stored[0][0]


@pytest.mark.django_db(transaction=True)
def test_resuming_after_last_event_id_gets_what_was_missed_and_nothing_twice(server):
    ws, ch, secret = _setup()
    with stream(server.url, ws.name, bearer(secret)) as s:
        first, _ = _ingest_one(ch, "r-1", author="ann")
        before = s.until("conversation.updated", conversation_id=first.conversation_id)
    last_id = before[-1]["id"]
    # Committed while no client is connected: a reply in the same conversation, a new one.
    _ingest_one(ch, "r-2", author="ann", in_reply_to="r-1", minutes=1)
    _ingest_one(ch, "r-3", author="bob", minutes=2)
    missed = list(
        Event.objects.filter(workspace=ws, id__gt=last_id).order_by("id").values_list("id", "type")
    )
    assert len(missed) == 5  # message + update, then conversation + message + update

    with stream(server.url, ws.name, {**bearer(secret), "Last-Event-ID": str(last_id)}) as s:
        assert s.start_id == last_id
        marker, _ = _ingest_one(ch, "r-4", author="cid", minutes=3)
        got = s.until("message.created", message_id=marker.pk)
    ids = [e["id"] for e in got]
    assert [(e["id"], e["type"]) for e in got[: len(missed)]] == missed
    assert len(ids) == len(set(ids)) and ids == sorted(ids) and min(ids) > last_id
    assert not {e["id"] for e in before} & set(ids)

    with stream(server.url, ws.name, bearer(secret), after=str(last_id)) as s:  # ?after=
        assert [(e["id"], e["type"]) for e in (s.next() for _ in missed)] == missed


@pytest.mark.django_db(transaction=True)
def test_a_token_of_another_workspace_is_refused_and_sees_nothing_of_it(server):
    ws_a, ch_a, _ = _setup()
    ws_b, ch_b, secret_b = _setup()
    with stream(server.url, ws_a.name, bearer(secret_b)) as refused:
        assert refused.status == 403
        assert refused.response.json() == {"detail": "this token belongs to another workspace"}
    with stream(server.url, ws_b.name, bearer(secret_b)) as s:
        _ingest_one(ch_a, "a-1", author="ann")
        in_b, _ = _ingest_one(ch_b, "b-1", author="bob")
        got = s.until("conversation.updated", conversation_id=in_b.conversation_id)
    # A's events were committed first, so the stream would have sent them before B's.
    assert {e["data"]["conversation_id"] for e in got} == {in_b.conversation_id}
    assert {e["id"] for e in got} <= set(
        Event.objects.filter(workspace=ws_b).values_list("id", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_without_valid_credentials_the_stream_is_refused(server):
    ws, _, _ = _setup()
    revoked = f.token(ws)
    from django.utils import timezone

    from beancan.workspaces.models import ApiToken

    ApiToken.objects.filter(hint=revoked[:7]).update(revoked_at=timezone.now())
    for headers in ({}, bearer("bc_not-a-token"), bearer(revoked), {"Authorization": "Basic x"}):
        with stream(server.url, ws.name, headers) as s:
            assert s.status in (401, 403), headers
            assert "detail" in s.response.json()
            assert "text/event-stream" not in s.response.headers["content-type"]


@pytest.mark.django_db(transaction=True)
def test_a_viewer_token_may_listen(server):
    ws, ch, secret = _setup(role="viewer")
    with stream(server.url, ws.name, bearer(secret)) as s:
        assert s.status == 200
        m, committed = _ingest_one(ch, "v-1")
        got = s.until("message.created")
        assert time.monotonic() - committed < ARRIVAL_LIMIT
        assert got[-1]["data"] == _expected_payload(m)


@pytest.mark.django_db(transaction=True)
def test_a_member_listens_with_the_session_of_the_inbox_pages(server):
    from django.conf import settings
    from django.test import Client

    ws, ch, _ = _setup()
    member, outsider = Client(), Client()
    member.force_login(f.user(ws=ws, role="viewer"))
    outsider.force_login(f.user(ws=f.workspace()))
    cookie = settings.SESSION_COOKIE_NAME
    with stream(server.url, ws.name, {"Cookie": f"{cookie}={outsider.cookies[cookie].value}"}) as s:
        assert s.status == 403
    with stream(server.url, ws.name, {"Cookie": f"{cookie}={member.cookies[cookie].value}"}) as s:
        assert s.status == 200
        m, _ = _ingest_one(ch, "s-1")
        assert s.until("message.created")[-1]["data"]["message_id"] == m.pk


@pytest.mark.django_db(transaction=True)
def test_a_listener_whose_access_ends_is_cut_off_within_reauth_and_refused_after(server):
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.test import Client
    from django.utils import timezone

    from beancan.realtime.views import KEEPALIVE, REAUTH
    from beancan.workspaces.models import ApiToken, Membership

    ws, ch, secret = _setup()
    cookie = settings.SESSION_COOKIE_NAME
    sessions, keys, users = {}, {}, {}
    for name in ("logged out", "removed member", "still a member"):
        browser, users[name] = Client(), f.user(ws=ws)
        browser.force_login(users[name])
        keys[name] = browser.cookies[cookie].value
        sessions[name] = {"Cookie": f"{cookie}={keys[name]}"}
    limit = REAUTH + KEEPALIVE + 5
    with contextlib.ExitStack() as stack:
        streams = {
            "revoked token": stack.enter_context(
                stream(server.url, ws.name, bearer(secret), timeout=limit)
            ),
            **{
                name: stack.enter_context(stream(server.url, ws.name, headers, timeout=limit))
                for name, headers in sessions.items()
            },
        }
        assert all(s.status == 200 for s in streams.values())
        staying = streams.pop("still a member")
        ApiToken.objects.filter(hint=secret[:7]).update(revoked_at=timezone.now())
        Session.objects.filter(session_key=keys["logged out"]).delete()
        Membership.objects.filter(user=users["removed member"]).delete()
        started = time.monotonic()
        for name, s in streams.items():
            with pytest.raises(StopIteration):  # the server ends the stream
                s.next()
            assert time.monotonic() - started < limit, name
        m, _ = _ingest_one(ch, "still-1")  # checked again as well, and still allowed
        assert staying.until("message.created")[-1]["data"]["message_id"] == m.pk
    for name, headers in [("revoked token", bearer(secret)), *sessions.items()]:
        with stream(server.url, ws.name, headers) as again:
            assert again.status == (200 if name == "still a member" else 403), name


@pytest.mark.django_db(transaction=True)
def test_events_reach_clients_in_order_even_when_transactions_commit_out_of_order(server):
    """Event ids come from a sequence: on PostgreSQL a transaction can take a lower id and
    commit after one with a higher id. The stream must still deliver both, in id order."""
    ws, _, secret = _setup()
    payload = {"conversation_id": 0, "note_id": 0, "author": "t", "text": ""}
    published, release = threading.Event(), threading.Event()

    def slow() -> None:  # takes the lower id, commits last
        try:
            with transaction.atomic():
                publish(ws.pk, "note.created", {**payload, "text": "slow"})
                published.set()
                release.wait(10)
        finally:
            connection.close()

    def fast() -> None:
        try:
            with transaction.atomic():
                publish(ws.pk, "note.created", {**payload, "text": "fast"})
        finally:
            connection.close()

    with stream(server.url, ws.name, bearer(secret)) as s:
        threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
        threads[0].start()
        assert published.wait(10)
        threads[1].start()
        time.sleep(1.0)  # the fast one has committed (or waits for the slow one)
        release.set()
        for t in threads:
            t.join(30)
        with transaction.atomic():
            publish(ws.pk, "note.created", {**payload, "text": "marker"})
        got = s.until("note.created", text="marker")
    assert [e["data"]["text"] for e in got] == ["slow", "fast", "marker"]
    assert [e["id"] for e in got] == sorted(e["id"] for e in got)


@pytest.mark.django_db(transaction=True)
def test_two_server_processes_both_deliver_an_event_committed_elsewhere(server):
    if connection.vendor != "postgresql":
        pytest.skip("several web processes share events through PostgreSQL LISTEN/NOTIFY")
    other = Server()
    try:
        ws, ch, secret = _setup()
        with (
            stream(server.url, ws.name, bearer(secret)) as on_a,
            stream(other.url, ws.name, bearer(secret)) as on_b,
        ):
            m, committed = _ingest_one(ch, "two-1")
            for s in (on_a, on_b):
                got = s.until("message.created")
                assert time.monotonic() - committed < ARRIVAL_LIMIT
                assert got[-1]["data"] == _expected_payload(m)
    finally:
        other.stop()
