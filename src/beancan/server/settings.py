"""Django settings, read from the environment (deployment tier of the two configuration tiers).

What a care team tunes (SLA targets, business hours, canned replies) lives in the database.
Here: DATABASE_URL (default: a SQLite file in the user's data directory), BEANCAN_SECRET_KEY
(default: a key generated once and kept beside the database), BEANCAN_DEBUG,
BEANCAN_ALLOWED_HOSTS, BEANCAN_BASE_URL (https → secure cookies), BEANCAN_MAX_BODY_BYTES,
BEANCAN_SIMILAR and BEANCAN_SIMILAR_POOL (similar conversations, the `ml` extra).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from platformdirs import user_data_dir


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


if os.environ.get("BEANCAN_DATA_DIR"):
    DATA_DIR = Path(os.environ["BEANCAN_DATA_DIR"])
elif os.environ.get("PYTEST_VERSION"):  # a test run never touches the user's own data
    DATA_DIR = Path(tempfile.mkdtemp(prefix="beancan-test-"))
else:
    DATA_DIR = Path(user_data_dir("beancan", appauthor=False))


def _secret_key() -> str:
    if key := os.environ.get("BEANCAN_SECRET_KEY"):
        return key
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _database() -> dict:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'beancan.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # WAL: readers never block the writer; IMMEDIATE: a writing transaction takes the lock
        # at BEGIN, so two writers queue on busy_timeout instead of failing with "locked".
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # A bounded pool per process: under ASGI, Django's per-thread persistent connections
        # multiply with the threads that run views until PostgreSQL refuses more clients
        # (measured: "too many clients" at 50 concurrent requests).
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": int(os.environ.get("BEANCAN_DB_POOL", "8")),
            "timeout": 20,
        }
    return config


SECRET_KEY = _secret_key()
DEBUG = _bool("BEANCAN_DEBUG", False)
ALLOWED_HOSTS = os.environ.get("BEANCAN_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
BASE_URL = os.environ.get("BEANCAN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "beancan.workspaces",
    "beancan.sla",
    "beancan.inbox",
    "beancan.learning",
    "beancan.surveys",
    "beancan.similar",
    "beancan.realtime",
    "beancan.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "beancan.server.urls"
ASGI_APPLICATION = "beancan.server.asgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "ml": the embedding work of similar conversations, which `beancan serve` gives a worker of its
# own so that a backlog of it never holds up sending replies.
TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "ml"]},
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["beancan.workspaces.auth.RateLimitedModelBackend"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

_SECURE = BASE_URL.startswith("https://")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = [BASE_URL]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if _SECURE:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# A webhook or batch ingest body above this is refused with 413 before it is parsed.
# How often, at most, the worker refits a workspace's triage model from new corrections.
# Similar conversations (the `ml` extra): "off" leaves them out even where it is installed; the
# pool is how many of a workspace's latest answered conversations a page compares with.
BEANCAN_SIMILAR = os.environ.get("BEANCAN_SIMILAR", "auto")
BEANCAN_SIMILAR_POOL = int(os.environ.get("BEANCAN_SIMILAR_POOL", "20000"))
BEANCAN_REFIT_INTERVAL = int(os.environ.get("BEANCAN_REFIT_INTERVAL", "300"))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("BEANCAN_MAX_BODY_BYTES", 5 * 1024 * 1024))

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_TZ = True
USE_I18N = False
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "beancan": {"handlers": ["console"], "level": os.environ.get("BEANCAN_LOG", "INFO")},
        "django.request": {"handlers": ["console"], "level": "ERROR"},
    },
}
