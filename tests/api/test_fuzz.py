"""Contract tests generated from the OpenAPI document (schemathesis): whatever the generated input,
no endpoint answers with a server error."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

import factories as f
from beancan.inbox.ingest import ingest

pytestmark = pytest.mark.django_db(transaction=True)

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def token():
    ws = f.workspace("fuzz")
    ch = f.channel(ws, name="web")
    ingest(ch, [f.msg("1", author="fay"), f.msg("2", author="gus", in_reply_to="1")])
    f.user("fuzzer", ws=ws, role="admin")
    return f.token(ws, "admin")


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=[not_a_server_error])
