"""What a workspace admin changes: members and roles, channels, the SLA policy, tags. Each action
checks the actor's role and writes the audit row, like every other action."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from beancan.care.sla import BusinessHours
from beancan.inbox.models import Channel, ChannelKind, Tag
from beancan.sla.models import Holiday, SlaPolicy
from beancan.workspaces.actors import Actor
from beancan.workspaces.models import Membership, Role, Team

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRIORITIES = ("urgent", "high", "normal", "low")
# Bounds that keep the SLA clock and the database columns in range (a year of minutes; a
# PostgreSQL integer).
MAX_TARGET_MINUTES = 366 * 24 * 60
MAX_CHANNEL_LENGTH = 1_000_000
_NUMBER = re.compile(r"[0-9]{1,9}")


def _whole_number(raw: str, label: str, *, low: int, high: int) -> int:
    """A plain ASCII whole number in [low, high] (str.isdigit also takes "²", which int refuses)."""
    raw = (raw or "").strip()
    if not _NUMBER.fullmatch(raw) or not low <= int(raw) <= high:
        raise ValidationError(f"{label}: a whole number from {low} to {high}")
    return int(raw)


@transaction.atomic
def member_set(actor: Actor, username: str, role: str) -> Membership:
    """Add an existing user to the workspace, or change their role."""
    actor.require("admin")
    if role not in Role.values:
        raise ValidationError(f"role: one of {', '.join(Role.values)}")
    user = get_user_model().objects.filter(username=username.strip()).first()
    if user is None:
        raise ValidationError(f"username: no user {username!r} (create it: beancan createuser)")
    current = Membership.objects.filter(workspace=actor.workspace, user=user).first()
    if current and current.role == Role.ADMIN and role != Role.ADMIN:
        _keep_an_admin(actor, user)
    membership, _ = Membership.objects.update_or_create(
        workspace=actor.workspace, user=user, defaults={"role": role}
    )
    actor.audit(
        "member.set",
        membership,
        username=user.username,
        role=role,
        previous=current.role if current else None,
    )
    return membership


def _keep_an_admin(actor: Actor, leaving) -> None:
    """Refuse to leave the workspace without an admin; the admin rows stay locked until commit,
    so two admins demoting each other at once cannot both pass."""
    admins = list(
        Membership.objects.select_for_update()
        .filter(workspace=actor.workspace, role=Role.ADMIN)
        .values_list("user_id", flat=True)
    )
    if not [pk for pk in admins if pk != leaving.pk]:
        raise ValidationError("role: a workspace keeps at least one admin")


@transaction.atomic
def member_remove(actor: Actor, membership: Membership) -> None:
    """Take a member out of the workspace (admins only; never the last admin)."""
    actor.require("admin")
    actor.require_same_workspace(membership)
    if membership.role == Role.ADMIN:
        _keep_an_admin(actor, membership.user)
    actor.audit("member.removed", membership, username=membership.user.username)
    membership.delete()


@transaction.atomic
def channel_save(actor: Actor, channel: Channel | None, fields: dict) -> Channel:
    """Create or edit a channel; an empty secret keeps the current one."""
    actor.require("admin")
    if channel is not None:
        actor.require_same_workspace(channel)
    else:
        channel = Channel(workspace=actor.workspace, kind=ChannelKind.WEBHOOK)
    name = fields.get("name", "").strip()
    if not name or len(name) > 100:
        raise ValidationError("name: 1 to 100 characters")
    if Channel.objects.filter(workspace=actor.workspace, name=name).exclude(pk=channel.pk).exists():
        raise ValidationError("name: another channel has this name")
    send_url = fields.get("send_url", "").strip()
    if send_url and not send_url.startswith(("http://", "https://")):
        raise ValidationError("send_url: an http(s) address")
    limit = (fields.get("max_length") or "").strip()
    max_length = (
        _whole_number(limit, "max_length", low=1, high=MAX_CHANNEL_LENGTH) if limit else None
    )
    channel.name = name
    channel.handle = fields.get("handle", "").strip().lstrip("@")[:200]
    channel.max_length = max_length
    channel.config = (
        {**channel.config, "send_url": send_url}
        if send_url
        else {k: v for k, v in channel.config.items() if k != "send_url"}
    )
    channel.active = fields.get("active", "1") == "1"
    secret_changed = bool(fields.get("secret"))
    if secret_changed:
        channel.secret = fields["secret"]
    channel.save()
    # Never the secret itself: only that it changed.
    actor.audit(
        "channel.saved", channel, name=name, active=channel.active, secret_changed=secret_changed
    )
    return channel


def parse_week(lines: dict[str, str], around_the_clock: bool) -> dict | None:
    """Business hours from one text line per weekday ("09:00-17:00, 18:00-20:00")."""
    if around_the_clock:
        return None
    week = {}
    for day in DAYS:
        spans = []
        for part in (lines.get(day) or "").split(","):
            part = part.strip()
            if not part:
                continue
            start, sep, end = part.partition("-")
            if not sep:
                raise ValidationError(f"{day}: write hours like 09:00-17:00")
            spans.append([start.strip(), end.strip()])
        week[day] = spans
    return week


@transaction.atomic
def sla_policy_save(
    actor: Actor,
    *,
    first: dict[str, str],
    next_: dict[str, str],
    timezone: str,
    week_lines: dict[str, str],
    around_the_clock: bool,
    holidays_text: str,
) -> SlaPolicy:
    """Targets (minutes) per priority, the time zone, weekly hours and holidays, validated by
    the SLA clock itself."""
    actor.require("admin")

    def minutes(values: dict[str, str], label: str) -> dict[str, int]:
        out = {}
        for p in PRIORITIES:
            out[p] = 60 * _whole_number(
                values.get(p, ""), f"{label} {p} (minutes)", low=1, high=MAX_TARGET_MINUTES
            )
        return out

    targets_first, targets_next = minutes(first, "first response"), minutes(next_, "next response")
    week = parse_week(week_lines, around_the_clock)
    holidays = [line.strip() for line in holidays_text.splitlines() if line.strip()]
    try:
        hours = BusinessHours.from_config(timezone.strip(), week, holidays)
        # A week that is never open is valid to the parser, but no deadline could ever fall due.
        hours.next_open(datetime.now(UTC))
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    policy, _ = SlaPolicy.objects.get_or_create(workspace=actor.workspace, is_default=True)
    policy.first_response, policy.next_response = targets_first, targets_next
    policy.timezone, policy.business_hours = hours.timezone, week
    policy.save()
    policy.holidays.all().delete()
    Holiday.objects.bulk_create([Holiday(policy=policy, date=d) for d in sorted(hours.holidays)])
    actor.audit("sla.saved", policy, timezone=policy.timezone)
    return policy


@transaction.atomic
def tag_save(actor: Actor, tag: Tag | None, name: str) -> Tag:
    """Create a tag, or rename one (supervisors and admins)."""
    actor.require("manage")
    name = name.strip()
    if not name or len(name) > 50:
        raise ValidationError("name: 1 to 50 characters")
    if (
        Tag.objects.filter(workspace=actor.workspace, name=name)
        .exclude(pk=tag.pk if tag else None)
        .exists()
    ):
        raise ValidationError("name: a tag with this name exists")
    tag = tag or Tag(workspace=actor.workspace)
    actor.require_same_workspace(tag)
    tag.name = name
    tag.save()
    actor.audit("tag.saved", tag, name=name)
    return tag


@transaction.atomic
def tag_delete(actor: Actor, tag: Tag) -> None:
    """Delete a tag; conversations simply lose it (supervisors and admins)."""
    actor.require("manage")
    actor.require_same_workspace(tag)
    actor.audit("tag.deleted", tag, name=tag.name)
    tag.delete()


@transaction.atomic
def team_save(actor: Actor, name: str, usernames: list[str]) -> Team:
    """Create a team (or set its members)."""
    actor.require("admin")
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError("name: 1 to 100 characters")
    team, _ = Team.objects.get_or_create(workspace=actor.workspace, name=name)
    users = get_user_model().objects.filter(
        username__in=usernames, memberships__workspace=actor.workspace
    )
    team.members.set(users)
    actor.audit("team.saved", team, members=sorted(u.username for u in users))
    return team
