"""Schemathesis walks the JSON API from its OpenAPI schema, anonymous and logged in: no
request it makes may cause a server error, and answers must match the documented schema."""

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bawaba.conftest import login, totp_now
from bawaba.wsgi import application

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# Loaded at collection (pytest-django has set Django up by then); the schema view needs no
# database. (schemathesis.pytest.from_fixture does not work with pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
pytestmark = pytest.mark.django_db


@pytest.fixture
def keep_test_connection():
    """Calling the WSGI application directly fires request_started/finished, whose
    close_old_connections would close the test's database connection inside its
    transaction (on PostgreSQL). Django's own test client disconnects it the same way, and
    reconnects it after each request: so this fixture must come after any using it."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def ahmad_headers(demo):
    """A logged-in session with its CSRF token, as a browser's JavaScript would send it."""
    client = Client()
    client.get("/en/login/")
    assert login(client, "9861001234", "Bawaba-Demo-2026", totp_now()).status_code == 302
    session, csrf = client.cookies["bawaba_session"].value, client.cookies["bawaba_csrf"].value
    return {"Cookie": f"bawaba_session={session}; bawaba_csrf={csrf}", "X-CSRFToken": csrf}


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_anonymous(case, keep_test_connection):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_logged_in(case, ahmad_headers, keep_test_connection):
    case.call_and_validate(headers=ahmad_headers, checks=CHECKS)
