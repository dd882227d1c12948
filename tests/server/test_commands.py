"""The service commands, run as a user runs them: a `beancan` process on the tests' database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import factories as f
from beancan.workspaces.models import ApiToken, Membership, Workspace

pytestmark = pytest.mark.django_db(transaction=True)
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "twcs_sample.csv"


def beancan(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "beancan", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=f.service_env(),
        timeout=120,
    )


def test_set_up_a_workspace_without_the_web_ui():
    done = beancan("createworkspace", "acme", "--brand", "@AcmeHelp")
    assert done.returncode == 0 and "created" in done.stdout
    assert Workspace.objects.get(name="acme").brand_handles == ["AcmeHelp"]
    done = beancan(
        "createuser",
        "maria",
        "--workspace",
        "acme",
        "--role",
        "supervisor",
        "--password-stdin",
        stdin="a-Long-passw0rd\n",
    )
    assert done.returncode == 0, done.stderr
    assert Membership.objects.get(user__username="maria").role == "supervisor"
    done = beancan("createtoken", "--workspace", "acme", "--role", "viewer")
    assert done.returncode == 0 and done.stdout.startswith("bc_")
    assert ApiToken.find(done.stdout.strip()).role == "viewer"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("createworkspace", "no spaces here"), None, "letters, digits"),
        (("metrics", "--workspace", "ghost"), None, "no workspace 'ghost'"),
        (("replay", "/nonexistent.csv", "--workspace", "acme"), None, "no such file"),
        (("replay", "x.csv", "--workspace", "acme", "--speed", "fast"), None, "--speed"),
        (("metrics", "--workspace", "acme", "--since", "last week"), None, "--since"),
        (("createuser", "bob", "--password-stdin"), "short\n", "password"),
        (("createtoken", "--workspace", "ghost"), None, "no workspace"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, stdin, message):
    f.workspace("acme")
    done = beancan(*args, stdin=stdin)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/data/twcs_sample.csv not present")
def test_replay_reports_what_it_did_and_what_it_rejected():
    f.workspace("sample", brands=[])
    done = beancan("replay", str(SAMPLE), "--workspace", "sample", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "4,999 new" in done.stdout and "1 rejected" in done.stdout
    assert "rejected line 2589" in done.stdout
