"""The administration pages: a care lead sets up the workspace without the Django admin."""

from __future__ import annotations

import pytest
from django.test import Client

import factories as f
from beancan.inbox.models import CannedResponse, Channel, Tag
from beancan.sla.models import SlaPolicy
from beancan.workspaces.models import AuditEvent, Membership, Team

pytestmark = pytest.mark.django_db

PRIORITIES = ("urgent", "high", "normal", "low")
GOOD_SLA = {
    **{f"first_{p}": "30" for p in PRIORITIES},
    **{f"next_{p}": "60" for p in PRIORITIES},
    "timezone": "Europe/Paris",
    "hours_mon": "09:00-17:00",
    "holidays": "2026-12-25",
}


def audit(ws, verb):
    return list(AuditEvent.objects.filter(workspace=ws, verb=verb).order_by("pk"))


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
        ({"first_normal": "soon"}, "a whole number from 1"),
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


def test_every_form_writes_its_audit_row(lead):
    ws, admin, client = lead
    f.user("omar")
    post(client, "member", username="omar", role="agent")
    post(client, "member", username="omar", role="supervisor")
    assert [(e.data["role"], e.data["previous"]) for e in audit(ws, "member.set")] == [
        ("agent", None),
        ("supervisor", "agent"),
    ]
    omar = Membership.objects.get(workspace=ws, user__username="omar")
    assert post(client, "member-remove", id=omar.pk).status_code == 302
    assert not Membership.objects.filter(pk=omar.pk).exists()
    (removed,) = audit(ws, "member.removed")
    assert removed.object_id == omar.pk and removed.actor == admin

    post(client, "channel", name="site", secret="s3cret")
    ch = Channel.objects.get(workspace=ws, name="site")
    assert ch.kind == "webhook" and ch.max_length is None
    post(client, "channel", id=ch.pk, name="site", active="0")
    saved = audit(ws, "channel.saved")
    assert [e.data["secret_changed"] for e in saved] == [True, False]
    assert all("s3cret" not in str(e.data) for e in saved)

    assert client.post("/w/acme/admin/sla", GOOD_SLA).status_code == 302
    (sla,) = audit(ws, "sla.saved")
    assert sla.object_id == SlaPolicy.objects.get(workspace=ws).pk

    post(client, "canned", name="hello", text="Hi!")
    post(client, "canned-delete", id=CannedResponse.objects.get(workspace=ws).pk)
    assert len(audit(ws, "canned.created")) == len(audit(ws, "canned.deleted")) == 1
    post(client, "tag", name="billing")
    post(client, "tag-delete", id=Tag.objects.get(workspace=ws).pk)
    assert len(audit(ws, "tag.saved")) == len(audit(ws, "tag.deleted")) == 1


def test_bad_business_hours_answer_400_in_the_form_and_change_nothing(lead):
    ws, _, client = lead
    assert client.post("/w/acme/admin/sla", GOOD_SLA).status_code == 302
    before = AuditEvent.objects.count()
    closed_all_week = GOOD_SLA | {"hours_mon": ""}
    for bad, message in (
        (closed_all_week, "no open time"),
        (GOOD_SLA | {"hours_fri": "09:00-13:00, 12:00-18:00"}, "overlapping"),
        (GOOD_SLA | {"holidays": "2026-12-25\nChristmas"}, "not a date"),
        (GOOD_SLA | {"first_low": "\u00b2"}, "a whole number"),  # "²".isdigit() is True
        (GOOD_SLA | {"next_low": "9" * 30}, "a whole number"),
        (GOOD_SLA | {"timezone": "Europe/Paris\x00"}, "NUL"),
    ):
        r = client.post("/w/acme/admin/sla", bad)
        page = r.content.decode()
        assert r.status_code == 400, bad
        assert 'role="alert" id="sla-error"' in page and message in page, bad
    # What the admin typed is shown again beside the error.
    r = client.post("/w/acme/admin/sla", GOOD_SLA | {"hours_wed": "17:00-09:00"})
    assert r.status_code == 400 and 'value="17:00-09:00"' in r.content.decode()
    policy = SlaPolicy.objects.get(workspace=ws)
    assert policy.business_hours["mon"] == [["09:00", "17:00"]]
    assert [str(h.date) for h in policy.holidays.all()] == ["2026-12-25"]
    assert policy.first_response["low"] == 1800
    assert AuditEvent.objects.count() == before


def test_around_the_clock_stores_no_weekly_hours(lead):
    ws, _, client = lead
    r = client.post("/w/acme/admin/sla", GOOD_SLA | {"around_the_clock": "1", "hours_mon": ""})
    assert r.status_code == 302
    policy = SlaPolicy.objects.get(workspace=ws)
    assert policy.business_hours is None and policy.timezone == "Europe/Paris"
    assert (
        'name="around_the_clock" value="1" checked' in client.get("/w/acme/admin/").content.decode()
    )


def test_the_last_admin_cannot_leave_or_be_demoted(lead):
    ws, admin, client = lead
    own = Membership.objects.get(user=admin)
    r = post(client, "member-remove", id=own.pk)
    assert r.status_code == 400 and 'id="member-error"' in r.content.decode()
    assert Membership.objects.filter(pk=own.pk, role="admin").exists()
    assert not audit(ws, "member.removed")
    f.user("kim", ws=ws, role="admin")
    assert post(client, "member", username="lena", role="agent").status_code == 302
    assert Membership.objects.get(pk=own.pk).role == "agent"


def test_malformed_input_is_a_client_error_not_a_crash(lead):
    ws, _, client = lead
    for what in ("member-remove", "tag-delete", "canned-delete"):
        for bad in ("abc", "\u00b2", "9" * 40, ""):
            assert post(client, what, id=bad).status_code == 404, (what, bad)
    assert post(client, "channel", id="x1", name="a").status_code == 404
    assert post(client, "channel", name="a", max_length="\u00b2").status_code == 400
    assert post(client, "channel", name="a", max_length="0").status_code == 400
    assert post(client, "tag", name="bad\x00tag").status_code == 400
    assert post(client, "nothing-here", name="x").status_code == 404
    assert client.get("/w/acme/admin/tag").status_code == 405
    assert not Channel.objects.filter(workspace=ws).exists() and not Tag.objects.exists()


def test_rows_of_another_workspace_are_out_of_reach(lead):
    _, _, client = lead
    other = f.workspace("other")
    their_tag = Tag.objects.create(workspace=other, name="theirs")
    their_channel = f.channel(other, name="theirs")
    their_member = Membership.objects.get(user=f.user("sam", ws=other, role="agent"))
    assert post(client, "tag-delete", id=their_tag.pk).status_code == 404
    assert post(client, "tag", id=their_tag.pk, name="mine").status_code == 404
    assert post(client, "channel", id=their_channel.pk, name="mine").status_code == 404
    assert post(client, "member-remove", id=their_member.pk).status_code == 404
    their_tag.refresh_from_db()
    their_channel.refresh_from_db()
    assert their_tag.name == "theirs" and their_channel.name == "theirs"
    assert Membership.objects.filter(pk=their_member.pk).exists()


@pytest.mark.parametrize(
    "what",
    ["member", "member-remove", "channel", "sla", "canned", "canned-delete", "tag", "tag-delete"],
)
def test_an_agent_is_refused_every_form(lead, what):
    ws, admin, _ = lead
    agent = Client()
    agent.force_login(f.user("al", ws=ws, role="agent"))
    before = AuditEvent.objects.count()
    data = GOOD_SLA | {"name": "x", "text": "x", "username": "al", "role": "admin"}
    data["id"] = str(Membership.objects.get(user=admin).pk)
    assert agent.post(f"/w/acme/admin/{what}", data).status_code == 403
    assert AuditEvent.objects.count() == before
    assert Membership.objects.get(user=admin).role == "admin"
    assert Membership.objects.get(user__username="al").role == "agent"


def test_admin_link_only_for_those_who_may_administer(lead):
    ws, _, client = lead
    assert "/w/acme/admin/" in client.get("/").content.decode()
    agent = Client()
    agent.force_login(f.user("al", ws=ws, role="agent"))
    assert "/w/acme/admin/" not in agent.get("/").content.decode()
