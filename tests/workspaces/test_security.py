"""Passwords, logins, CSRF, secrets and tokens at rest, and the tenant door of the home page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

import factories as f
from beancan.inbox.ingest import ingest
from beancan.inbox.models import Channel
from beancan.workspaces.models import ApiToken

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2():
    u = f.user("hana", password="a-Long-password-1")
    assert u.password.startswith("argon2$")


def test_login_works_and_failed_logins_are_rate_limited():
    f.user("ivan", password="right-Password-1")
    client = Client()
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and b'name="password"' in page.content
    ok = client.post("/accounts/login/", {"username": "ivan", "password": "right-Password-1"})
    assert ok.status_code == 302 and client.session.get("_auth_user_id")
    attacker = Client()
    for _ in range(5):
        r = attacker.post("/accounts/login/", {"username": "ivan", "password": "guess"})
        assert r.status_code == 200  # the form again, with its error
    blocked = attacker.post(
        "/accounts/login/", {"username": "ivan", "password": "right-Password-1"}
    )
    assert blocked.status_code == 200 and "_auth_user_id" not in attacker.session


def test_login_form_needs_its_csrf_token():
    f.user("jane", password="right-Password-1")
    client = Client(enforce_csrf_checks=True)
    r = client.post("/accounts/login/", {"username": "jane", "password": "right-Password-1"})
    assert r.status_code == 403


def test_channel_secrets_are_encrypted_and_tokens_only_hashed_at_rest():
    ws = f.workspace()
    ch = f.channel(ws, secret="s3cret-value")
    with connection.cursor() as cur:
        cur.execute("SELECT secret FROM inbox_channel WHERE id = %s", [ch.pk])
        (raw,) = cur.fetchone()
    assert raw.startswith("fernet:") and "s3cret-value" not in raw
    assert Channel.objects.get(pk=ch.pk).secret == "s3cret-value"
    secret = f.token(ws)
    stored = ApiToken.objects.get(workspace=ws)
    assert secret not in (stored.digest, stored.hint) and len(stored.digest) == 64
    assert ApiToken.find(secret) == stored and ApiToken.find(secret + "x") is None


def test_home_page_shows_only_the_users_workspaces():
    mine, other = f.workspace("mine"), f.workspace("theirs")
    ingest(f.channel(mine), [f.msg("1", author="kim")])
    ingest(f.channel(other), [f.msg("1", author="lou"), f.msg("2", author="max")])
    u = f.user("kate", ws=mine, password="right-Password-1")
    client = Client()
    client.force_login(u)
    page = client.get("/").content.decode()
    assert "mine" in page and "theirs" not in page
    assert Client().get("/").status_code == 302  # to the login page
