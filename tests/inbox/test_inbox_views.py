"""The inbox pages: queues with live counts, a conversation, its forms; roles, isolation and
query budgets."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import factories as f
from beancan.inbox.ingest import ingest
from beancan.inbox.models import CannedResponse, Conversation, Message, SendState, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    ws = f.workspace("acme")
    ch = f.channel(ws, name="x", handle="acmehelp", max_length=280)
    ingest(
        ch,
        [
            f.msg(
                "m1",
                author="rosa",
                text="@acmehelp my router keeps dropping",
                author_name="Rosa Diaz",
            ),
            f.msg("m2", author="tom", text="@acmehelp love the new plan", minutes=5),
        ],
    )
    agent = f.user("agnes", ws=ws)
    viewer = f.user("vera", ws=ws, role="viewer")
    client = Client()
    client.force_login(agent)
    return ws, agent, viewer, client


def test_queues_show_counts_and_rows_nearest_deadline_first(team):
    _ws, _agent, _, client = team
    page = client.get("/w/acme/")
    assert page.status_code == 200 and page["Vary"].count("HX-Request") == 1
    html = page.content.decode()
    assert "router keeps dropping" in html and "love the new plan" in html
    assert html.index("router keeps dropping") < html.index("love the new plan")
    assert 'data-queue="unassigned">Unassigned <span class="count">2</span>' in html
    fragment = client.get("/w/acme/?queue=mine", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<div id="queue"') and "Nothing in this queue" in fragment
    assert client.get("/w/acme/?queue=nope").status_code == 404


def test_queue_and_conversation_pages_keep_to_a_query_budget(team):
    """A fixed number of queries, however many rows the queue shows."""
    ws, _, _, client = team
    ch = ws.channels.get()
    counts = []
    for batch in range(2):
        ingest(
            ch, [f.msg(f"b{batch}-{i}", author=f"u{batch}-{i}", minutes=9 + i) for i in range(40)]
        )
        with CaptureQueriesContext(connection) as queue_queries:
            assert client.get("/w/acme/").status_code == 200
        counts.append(len(queue_queries))
    conv = Conversation.objects.filter(workspace=ws).first()
    with CaptureQueriesContext(connection) as conv_queries:
        assert client.get(f"/w/acme/c/{conv.pk}/").status_code == 200
    assert counts[0] == counts[1] <= 11, [q["sql"][:80] for q in queue_queries]
    # 15: the 14 the page ran, plus the contact's CSAT/NPS surveys in the customer panel.
    assert len(conv_queries) <= 15, [q["sql"][:80] for q in conv_queries]
    # The fragments open pages re-fetch on every live event do only their own part.
    for part, budget in (("?part=counts", 4), ("", 6)):
        with CaptureQueriesContext(connection) as fragment_queries:
            assert client.get(f"/w/acme/{part}", HTTP_HX_REQUEST="true").status_code == 200
        assert len(fragment_queries) <= budget, [q["sql"][:80] for q in fragment_queries]


def test_queues_put_the_most_urgent_first_then_the_nearest_deadline(team):
    ws, agent, _, client = team
    ingest(
        ws.channels.get(), [f.msg("m3", author="ida", text="@acmehelp billing is wrong", minutes=2)]
    )
    by_text = {
        text: Conversation.objects.get(messages__text__contains=text)
        for text in ("router keeps dropping", "billing is wrong", "love the new plan")
    }
    # Without urgency (triage has not scored them), the nearest deadline comes first.
    due = {t: c.first_response_due_at for t, c in by_text.items()}
    assert due["router keeps dropping"] < due["billing is wrong"] < due["love the new plan"]
    Conversation.objects.filter(
        pk__in=[by_text["billing is wrong"].pk, by_text["love the new plan"].pk]
    ).update(urgency=80)
    expected = ["billing is wrong", "love the new plan", "router keeps dropping"]

    def order(html: str) -> list[str]:
        return sorted(expected, key=html.index)

    assert order(client.get("/w/acme/").content.decode()) == expected
    assert order(client.get("/w/acme/?queue=breaching").content.decode()) == expected
    Conversation.objects.filter(workspace=ws).update(assignee=agent)
    assert order(client.get("/w/acme/?queue=mine").content.decode()) == expected
    api = client.get("/api/conversations", {"workspace": "acme"}).json()["items"]
    assert [i["id"] for i in api] == [by_text[t].pk for t in expected]


def test_urgency_is_kept_between_0_and_100(team):
    from django.db import IntegrityError, transaction

    conv = Conversation.objects.get(messages__external_id="m1")
    assert 0 <= conv.urgency <= 100  # set by triage at ingest
    with pytest.raises(IntegrityError), transaction.atomic():
        Conversation.objects.filter(pk=conv.pk).update(urgency=101)
    Conversation.objects.filter(pk=conv.pk).update(urgency=100)


def test_queue_counts_stop_at_the_cap_and_stay_live(team):
    """Counting reads at most COUNT_CAP + 1 rows per queue; the page then says "1,000+"."""
    from beancan.inbox.selectors import COUNT_CAP

    ws, _agent, _, client = team
    ch = ws.channels.get()
    ingest(ch, [f.msg(f"bulk-{i}", author=f"c{i}", minutes=10) for i in range(COUNT_CAP - 2)])
    counts = client.get("/w/acme/?part=counts", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-queue="open">All open <span class="count">1000</span>' in counts
    ingest(ch, [f.msg("one-more", author="last", minutes=11)])
    counts = client.get("/w/acme/?part=counts", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-queue="open">All open <span class="count">1,000+</span>' in counts
    assert 'data-queue="unassigned">Unassigned <span class="count">1,000+</span>' in counts
    assert 'data-queue="mine">Mine <span class="count">0</span>' in counts
    conv = Conversation.objects.get(messages__external_id="m1")
    client.post(f"/w/acme/c/{conv.pk}/assign-me")
    counts = client.get("/w/acme/?part=counts", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-queue="mine">Mine <span class="count">1</span>' in counts
    assert 'data-queue="unassigned">Unassigned <span class="count">1000</span>' in counts
    assert "<table" not in counts  # the counts fragment alone


def test_reply_with_a_canned_response_and_refuse_unfilled_variables(team):
    ws, agent, _, client = team
    CannedResponse.objects.create(
        workspace=ws,
        name="sorry",
        text="Hi {first_name}, sorry! Your order {order_id}? {agent_name}",
    )
    conv = Conversation.objects.get(messages__external_id="m1")
    page = client.get(f"/w/acme/c/{conv.pk}/").content.decode()
    assert 'data-first-name="Rosa"' in page and "Hi {first_name}" in page
    refused = client.post(
        f"/w/acme/c/{conv.pk}/reply", {"text": "Hi Rosa, sorry! Your order {order_id}? agnes"}
    )
    assert refused.status_code == 400 and "fill in {order_id}" in refused.content.decode()
    assert not Message.objects.filter(direction="out").exists()
    sent = client.post(
        f"/w/acme/c/{conv.pk}/reply", {"text": "Hi Rosa, sorry! Your order 1234? agnes"}
    )
    assert sent.status_code == 302
    reply = Message.objects.get(direction="out")
    assert reply.send_state == SendState.QUEUED and reply.sent_by == agent
    assert client.post(f"/w/acme/c/{conv.pk}/assign-me").status_code == 302
    assert client.post(f"/w/acme/c/{conv.pk}/resolve").status_code == 302
    conv.refresh_from_db()
    assert conv.status == Status.RESOLVED and conv.assignee == agent


def test_a_viewer_sees_but_cannot_reply(team):
    _ws, _, viewer, _ = team
    client = Client()
    client.force_login(viewer)
    conv = Conversation.objects.get(messages__external_id="m1")
    page = client.get(f"/w/acme/c/{conv.pk}/").content.decode()
    assert "router keeps dropping" in page and "Send reply" not in page
    assert client.post(f"/w/acme/c/{conv.pk}/reply", {"text": "hi"}).status_code == 403
    assert not Message.objects.filter(direction="out").exists()


def test_pages_of_one_workspace_refuse_a_user_of_another(team):
    ws, *_ = team
    other = f.workspace("other")
    stranger = f.user("sam", ws=other, role="admin")
    client = Client()
    client.force_login(stranger)
    conv = Conversation.objects.filter(workspace=ws).first()
    assert client.get("/w/acme/").status_code == 403
    assert client.get(f"/w/acme/c/{conv.pk}/").status_code == 403
    assert client.post(f"/w/acme/c/{conv.pk}/resolve").status_code == 403
    # Their own workspace's URL with this conversation's id: not found there.
    assert client.get(f"/w/other/c/{conv.pk}/").status_code == 404
    assert Client().get("/w/acme/").status_code == 302  # to the login page


def test_filters_narrow_the_queue(team):
    ws, agent, _, client = team
    conv = Conversation.objects.get(messages__external_id="m1")
    client.post(f"/w/acme/c/{conv.pk}/tag", {"tag": "wifi"})
    client.post(f"/w/acme/c/{conv.pk}/priority", {"priority": "high"})
    html = lambda **q: client.get("/w/acme/", q).content.decode()  # noqa: E731
    assert "router" in html(tag="wifi") and "love the new plan" not in html(tag="wifi")
    assert "router" in html(priority="high") and "love the new plan" not in html(priority="high")
    assert "love the new plan" in html(q="new plan") and "router" not in html(q="new plan")
    for label, inside in (
        ("negative", lambda v: v < -0.05),
        ("neutral", lambda v: -0.05 <= v <= 0.05),
        ("positive", lambda v: v > 0.05),
    ):
        page = html(sentiment=label)
        for c in Conversation.objects.filter(workspace=ws):
            snippet = "router keeps dropping" if c.messages.filter(external_id="m1") else "new plan"
            assert (snippet in page) == inside(c.first_sentiment), (label, c.first_sentiment)
    assert "router" in html(assignee="none")
    client.post(f"/w/acme/c/{conv.pk}/assign", {"agent": str(agent.pk)})
    assert "router" in html(assignee="agnes") and "love the new plan" not in html(assignee="agnes")


def test_queue_rows_sidebar_and_filters_escape_what_customers_and_admins_typed(team):
    """The queue's rows, the agents and the filter options are built in Python
    (inbox/rendering.py): every value is escaped, and a chosen filter stays selected."""
    ws, agent, _, client = team
    ch = ws.channels.get()
    ingest(
        ch,
        [
            f.msg(
                "x1",
                author="mallory",
                author_name='<img src=x onerror="alert(1)">',
                text='<script>alert("queue")</script> & more',
                minutes=2,
            )
        ],
    )
    f.user("<b>eve</b>", ws=ws)
    conv = Conversation.objects.get(messages__external_id="x1")
    client.post(f"/w/acme/c/{conv.pk}/tag", {"tag": '"><svg onload=alert(2)>'})
    html = client.get("/w/acme/", {"tag": '"><svg onload=alert(2)>'}).content.decode()
    for raw in ("<script>alert", "<img src=x", "<svg onload", "<b>eve</b>"):
        assert raw not in html, raw
    assert "&lt;script&gt;alert(&quot;queue&quot;)&lt;/script&gt; &amp; more" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "&lt;b&gt;eve&lt;/b&gt;" in html
    assert "<option selected>&quot;&gt;&lt;svg onload=alert(2)&gt;</option>" in html
    chosen = client.get("/w/acme/", {"assignee": agent.username}).content.decode()
    assert f"<option selected>{agent.username}</option>" in chosen
    assert f'<option value="{agent.pk}">{agent.username}</option>' in chosen  # bulk assign


def test_bulk_resolve_assign_and_tag(team):
    ws, agent, _, client = team
    ids = [str(c.pk) for c in Conversation.objects.filter(workspace=ws)]
    r = client.post("/w/acme/bulk", {"ids": ids, "bulk": "assign", "agent": str(agent.pk)})
    assert r.status_code == 302
    assert set(Conversation.objects.values_list("assignee", flat=True)) == {agent.pk}
    client.post("/w/acme/bulk", {"ids": ids, "bulk": "tag", "tag": "campaign"})
    assert Conversation.objects.filter(tags__name="campaign").count() == 2
    client.post("/w/acme/bulk", {"ids": ids[:1], "bulk": "resolve"})
    assert Conversation.objects.filter(status=Status.RESOLVED).count() == 1
    other = f.workspace("other")
    ingest(f.channel(other), [f.msg("z", author="zoe")])
    foreign = Conversation.objects.get(workspace=other)
    client.post("/w/acme/bulk", {"ids": [str(foreign.pk)], "bulk": "resolve"})
    foreign.refresh_from_db()
    assert foreign.status == Status.OPEN  # ids of another workspace are ignored


def test_composer_warns_about_impersonal_and_repeated_replies(team):
    _ws, _, _, client = team
    conv = Conversation.objects.get(messages__external_id="m1")
    template = "Please DM us your account number and we will look into it."
    for i in range(2):
        client.post(f"/w/acme/c/{conv.pk}/reply", {"text": f"Hi Rosa, {template} {i}"})
    warn = client.post(f"/w/acme/c/{conv.pk}/check", {"text": template}).content.decode()
    assert "personal touch" in warn and "Nearly identical" in warn
    fine = client.post(f"/w/acme/c/{conv.pk}/check", {"text": "Hi Rosa, a technician comes at 5"})
    assert "<p>" not in fine.content.decode()


def test_snooze_and_controls_on_the_conversation(team):
    _ws, _agent, _, client = team
    conv = Conversation.objects.get(messages__external_id="m1")
    r = client.post(
        f"/w/acme/c/{conv.pk}/snooze", {"until": "2099-01-01T09:00", "tz_offset": "-60"}
    )
    assert r.status_code == 302
    conv.refresh_from_db()
    assert conv.status == Status.SNOOZED and conv.snoozed_until.isoformat().startswith(
        "2099-01-01T08:00"
    )
    r = client.post(f"/w/acme/c/{conv.pk}/snooze", {"until": "soon"})
    assert r.status_code == 400 and "until" in r.content.decode()
    assert client.post(f"/w/acme/c/{conv.pk}/priority", {"priority": "asap"}).status_code == 400


def test_move_to_private_from_the_composer(team):
    _ws, _, _, client = team
    conv = Conversation.objects.get(messages__external_id="m1")
    r = client.post(f"/w/acme/c/{conv.pk}/move-private", {"text": "Can you DM the router serial?"})
    assert r.status_code == 302
    sent = list(Message.objects.filter(direction="out").order_by("pk"))
    assert [m.private for m in sent] == [False, True]
    assert sent[0].text.startswith("Hi Rosa, we've sent you a private message")


def test_a_note_mentioning_an_agent_notifies_them_until_they_look(team):
    ws, _agent, _, client = team
    conv = Conversation.objects.get(messages__external_id="m1")
    colleague = f.user("omar", ws=ws)
    client.post(f"/w/acme/c/{conv.pk}/note", {"text": "@omar can you check the line test?"})
    omar = Client()
    omar.force_login(colleague)
    assert 'class="count unread">1<' in omar.get("/w/acme/").content.decode()
    page = omar.get("/w/acme/mentions").content.decode()
    assert "can you check the line test?" in page and "<strong>new</strong>" in page
    assert 'class="count">0<' in omar.get("/w/acme/").content.decode().split("Mentions of me")[1]
    assert 'class="count">0<' in client.get("/w/acme/").content.decode().split("Mentions of me")[1]


def test_saved_views_teams_and_the_customer_panel(team):
    ws, agent, _, client = team
    r = client.post("/w/acme/views", {"name": "urgent wifi", "query": "queue=open&tag=wifi&x=1"})
    assert r.status_code == 302
    page = client.get("/w/acme/").content.decode()
    assert 'href="?queue=open&amp;tag=wifi">urgent wifi</a>' in page
    assert client.post("/w/acme/views", {"name": "", "query": "queue=open"}).status_code == 400
    other = Client()
    other.force_login(f.user("pat", ws=ws))
    assert "urgent wifi" not in other.get("/w/acme/").content.decode()  # not shared

    from beancan.inbox.models import Contact
    from beancan.workspaces.models import Team

    night = Team.objects.create(workspace=ws, name="night shift")
    conv = Conversation.objects.get(messages__external_id="m1")
    client.post(f"/w/acme/c/{conv.pk}/assign", {"agent": str(agent.pk), "team": str(night.pk)})
    conv.refresh_from_db()
    assert conv.team == night and conv.assignee == agent
    Contact.objects.filter(pk=conv.contact_id).update(website="javascript:alert(1)")
    page = client.get(f"/w/acme/c/{conv.pk}/").content.decode()
    assert "javascript:alert" not in page
    assert "Sentiment, last conversations" in page and "<circle" in page


def test_merge_the_customer_with_another_contact_from_the_panel(team):
    ws, _, _, client = team
    conv = Conversation.objects.get(messages__external_id="m1")
    ingest(f.channel(ws, kind="email", name="mail"), [f.msg("e1", author="rosa@example.com")])
    r = client.post(f"/w/acme/c/{conv.pk}/merge-contact", {"handle": "rosa@example.com"})
    assert r.status_code == 302
    conv.refresh_from_db()
    handles = set(conv.contact.identities.values_list("handle", flat=True))
    assert handles == {"rosa", "rosa@example.com"}
    bad = client.post(f"/w/acme/c/{conv.pk}/merge-contact", {"handle": "nobody"})
    assert bad.status_code == 400 and "no contact" in bad.content.decode()
