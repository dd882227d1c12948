"""The `ml` extra for tests: skipped where it is not installed, failed under CI (make test
installs it)."""

from __future__ import annotations

import os

import pytest

from beancan.triage import embeddings


def require_ml() -> None:
    if embeddings.installed():
        return
    message = "the ml extra is not installed (make test installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
