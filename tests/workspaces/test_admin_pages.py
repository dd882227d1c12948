"""The administration pages: a care lead sets up the workspace without the Django admin."""

from __future__ import annotations

import pytest
from django.test import Client

import factories as f
from beancan.inbox.models import CannedResponse, Channel, Tag
from beancan.sla.models import SlaPolicy
from beancan.workspaces.models import AuditEvent, Membership, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead():
    ws = f.workspace("acme")
    admin = f.user("lena", ws=ws, role="admin")
    client = Client()
    client.force_login(admin)
    return ws, admin, client


def post(client, what, **data):
    return client.post(f"/w/acme/admin/{what}", data)


def test_the_page_shows_every_section_to_an_admin(lead):
    _, _, client = lead
    page = client.get("/w/acme/admin/").content.decode()
    for title in (
        "Members and roles",
        "Channels",
        "SLA policy",
        "Canned responses",
        "Tags",
        "Teams",
    ):
        assert title in page
    assert "Administration" in client.get("/").content.decode()


def test_members_roles_and_the_last_admin(lead):
    ws, admin, client = lead
    f.user("omar")
    assert post(client, "member", username="omar", role="agent").status_code == 302
    assert Membership.objects.get(user__username="omar").role == "agent"
    post(client, "member", username="omar", role="supervisor")
    assert Membership.objects.get(user__username="omar").role == "supervisor"
    assert post(client, "member", username="ghost", role="agent").status_code == 400
    own = Membership.objects.get(user=admin)
    r = post(client, "member-remove", id=own.pk)
    assert r.status_code == 400 and "at least one admin" in r.content.decode()
    r = post(client, "member", username="lena", role="agent")
    assert r.status_code == 400 and Membership.objects.get(user=admin).role == "admin"
    assert AuditEvent.objects.filter(workspace=ws, verb="member.set").count() == 2


def test_channels_keep_their_secret_encrypted_and_write_only(lead):
    ws, _, client = lead
    r = post(
        client,
        "channel",
        name="site",
        handle="@acme",
        max_length="280",
        send_url="https://hooks.example/acme",
        secret="s3cret",
    )
    assert r.status_code == 302
    ch = Channel.objects.get(workspace=ws, name="site")
    assert ch.secret == "s3cret" and ch.config["send_url"] == "https://hooks.example/acme"
    page = client.get("/w/acme/admin/").content.decode()
    assert "s3cret" not in page and "set: leave empty to keep" in page
    post(
        client,
        "channel",
        id=ch.pk,
        name="site",
        handle="acme",
        max_length="",
        send_url="",
        secret="",
        active="0",
    )
    ch.refresh_from_db()
    assert ch.secret == "s3cret" and not ch.active and "send_url" not in ch.config
    assert post(client, "channel", name="x", send_url="ftp://nope").status_code == 400


def test_sla_policy_and_business_hours_are_validated_by_the_clock(lead):
    ws, _, client = lead
    data = {f"first_{p}": "30" for p in ("urgent", "high", "normal", "low")}
    data |= {f"next_{p}": "60" for p in ("urgent", "high", "normal", "low")}
    good = data | {
        "timezone": "Europe/Paris",
        "hours_mon": "09:00-12:00, 13:00-17:00",
        "hours_tue": "09:00-17:00",
        "holidays": "2026-12-25\n2027-01-01",
    }
    assert client.post("/w/acme/admin/sla", good).status_code == 302
    policy = SlaPolicy.objects.get(workspace=ws)
    assert policy.timezone == "Europe/Paris" and policy.first_response["normal"] == 1800
    assert policy.business_hours["mon"] == [["09:00", "12:00"], ["13:00", "17:00"]]
    assert policy.business_hours["sun"] == []
    assert sorted(str(h.date) for h in policy.holidays.all()) == ["2026-12-25", "2027-01-01"]
    for bad, message in (
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"hours_wed": "17:00-09:00"}, "ends before"),
        ({"hours_thu": "nine to five"}, "09:00-17:00"),
        ({"first_normal": "soon"}, "positive number"),
    ):
        r = client.post("/w/acme/admin/sla", good | bad)
        assert r.status_code == 400 and message in r.content.decode(), bad
    policy.refresh_from_db()
    assert policy.timezone == "Europe/Paris"  # nothing changed


def test_canned_responses_tags_and_teams(lead):
    ws, _, client = lead
    post(client, "canned", name="hello", text="Hi {first_name}!")
    canned = CannedResponse.objects.get(workspace=ws)
    post(client, "tag", name="billing")
    tag = Tag.objects.get(workspace=ws)
    post(client, "tag", id=tag.pk, name="invoices")
    tag.refresh_from_db()
    assert tag.name == "invoices"
    post(client, "tag-delete", id=tag.pk)
    post(client, "canned-delete", id=canned.pk)
    assert not Tag.objects.exists() and not CannedResponse.objects.exists()
    f.user("omar", ws=ws)
    post(client, "team", name="night shift", members="omar lena nobody")
    team = Team.objects.get(workspace=ws)
    assert sorted(team.members.values_list("username", flat=True)) == ["lena", "omar"]


def test_agents_and_strangers_are_refused(lead):
    ws, _, _ = lead
    agent = Client()
    agent.force_login(f.user("al", ws=ws, role="agent"))
    assert agent.get("/w/acme/admin/").status_code == 403
    assert agent.post("/w/acme/admin/tag", {"name": "x"}).status_code == 403
    supervisor = Client()
    supervisor.force_login(f.user("sue", ws=ws, role="supervisor"))
    assert supervisor.get("/w/acme/admin/").status_code == 200
    assert supervisor.post("/w/acme/admin/tag", {"name": "ok"}).status_code == 302
    assert (
        supervisor.post("/w/acme/admin/member", {"username": "al", "role": "admin"}).status_code
        == 403
    )
    other = f.workspace("other")
    stranger = Client()
    stranger.force_login(f.user("sam", ws=other, role="admin"))
    assert stranger.get("/w/acme/admin/").status_code == 403
    assert stranger.post("/w/acme/admin/tag", {"name": "x"}).status_code == 403
    assert Tag.objects.filter(workspace=ws).count() == 1
