"""One definition: a replayed export's live metrics equal the audit of that file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

import factories as f
from beancan.analytics.metrics import workspace_metrics
from beancan.audit.engine import run_audit
from beancan.audit.readers import open_source
from beancan.connectors.replay import replay
from beancan.inbox.models import Conversation, Message

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "twcs_sample.csv"


def _without_source(report: dict) -> dict:
    return {k: report[k] for k in ("target_seconds", "overall", "brands")}


@pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/data/twcs_sample.csv not present")
@pytest.mark.django_db(transaction=True)
def test_replayed_sample_gives_the_audits_numbers_cli_and_api(tmp_path):
    ws = f.workspace("sample", brands=[])
    source = open_source(SAMPLE)
    result = replay(ws, source)
    assert result.valid == 4999 and result.ingested == 4999
    assert [r.line for r in result.rejections] == [2589]
    audit = run_audit(open_source(SAMPLE)).report
    live = workspace_metrics(ws)
    assert _without_source(live) == _without_source(audit)
    assert Conversation.objects.filter(workspace=ws).count() == audit["overall"]["conversations"]

    # Through the command line, in another process, on the same database.
    out = tmp_path / "metrics.json"
    subprocess.run(
        [sys.executable, "-m", "beancan", "metrics", "--workspace", "sample", "--json", str(out)],
        check=True,
        capture_output=True,
        env=f.service_env(),
    )
    assert _without_source(json.loads(out.read_text())) == _without_source(audit)

    # Through the API.
    token = f.token(ws, role="viewer")
    response = Client().get("/api/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert _without_source(response.json()) == _without_source(json.loads(json.dumps(audit)))

    # Replaying again changes nothing: every id is already there.
    again = replay(ws, open_source(SAMPLE))
    assert again.ingested == 0 and again.duplicates == 4999
    assert Message.objects.filter(workspace=ws).count() == 4999


@pytest.mark.django_db
def test_time_range_selects_conversations_by_their_start():
    ws = f.workspace()
    ch = f.channel(ws)
    from beancan.inbox.ingest import ingest

    ingest(ch, [f.msg("a", author="ann", minutes=0), f.msg("b", author="ben", minutes=600)])
    from datetime import timedelta

    both = workspace_metrics(ws)["overall"]["conversations"]
    later = workspace_metrics(ws, since=f.T0 + timedelta(minutes=60))["overall"]["conversations"]
    assert (both, later) == (2, 1)
