"""Secrets at rest: channel secrets are stored encrypted (Fernet, key derived from SECRET_KEY or
BEANCAN_ENCRYPTION_KEY); API tokens are stored only as a SHA-256 digest."""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"beancan-secrets-v1", info=b"at-rest"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _key_material() -> str:
    return os.environ.get("BEANCAN_ENCRYPTION_KEY") or settings.SECRET_KEY


def encrypt(plain: str) -> str:
    """The stored form of a secret."""
    return PREFIX + _fernet(_key_material()).encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    """The secret back from its stored form."""
    if not stored.startswith(PREFIX):
        raise ValueError("secret is not encrypted")
    try:
        return _fernet(_key_material()).decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("secret cannot be decrypted with this key") from exc


def digest(token: str) -> str:
    """The stored form of an API token (tokens are random, so a plain hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column whose value is encrypted in the database and plain in Python."""

    def from_db_value(self, value, expression, connection):
        return value if not value else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value in (None, "") else encrypt(value)
