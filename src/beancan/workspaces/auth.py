"""Login with a limit on failed attempts, per username and per address, shared by all processes."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from beancan.workspaces.models import LoginAttempt

WINDOW = timedelta(minutes=15)
MAX_PER_USERNAME = 5
MAX_PER_ADDRESS = 20


def client_address(request) -> str:
    return (request.META.get("REMOTE_ADDR") or "unknown")[:64] if request else "unknown"


def login_blocked(username: str, address: str) -> bool:
    """Too many recent failures for this username or from this address."""
    since = timezone.now() - WINDOW
    recent = LoginAttempt.objects.filter(at__gte=since)
    return (
        recent.filter(username=username.lower()).count() >= MAX_PER_USERNAME
        or recent.filter(address=address).count() >= MAX_PER_ADDRESS
    )


class RateLimitedModelBackend(ModelBackend):
    """The model backend, refusing (PermissionDenied) while a username or address is blocked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            return None
        address = client_address(request)
        if login_blocked(username, address):
            raise PermissionDenied("too many failed logins; try again in 15 minutes")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            LoginAttempt.objects.create(username=username.lower(), address=address)
        return user
