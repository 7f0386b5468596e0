"""The protocol endpoints run behind a reduced middleware stack (bawaba/wsgi.py): they keep
the request id, metrics and security headers and the platform's error handling, and never
touch sessions or CSRF; every other path keeps the full stack."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client import REGISTRY

from bawaba.wsgi import full_application, lean_application

from .conftest import ISSUER

SECURITY_HEADERS = ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy")


def _get(transport, path, cookies=None, **kw):
    with httpx.Client(transport=transport, base_url=ISSUER, cookies=cookies) as c:
        return c.get(path, **kw)


def test_protocol_endpoints_take_the_lean_handler(settings, monkeypatch, transport):
    import bawaba.wsgi

    assert lean_application is not full_application
    seen: list[str] = []

    def spy(environ, start_response):  # type: ignore[no-untyped-def]
        seen.append(environ["PATH_INFO"])
        return lean_application(environ, start_response)

    monkeypatch.setattr(bawaba.wsgi, "lean_application", spy)
    assert _get(transport, "/oidc/jwks").status_code == 200
    assert _get(transport, "/en/login/").status_code == 200
    assert seen == ["/oidc/jwks"]
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in settings.BAWABA_LEAN_MIDDLEWARE
    assert "django.middleware.csrf.CsrfViewMiddleware" not in settings.BAWABA_LEAN_MIDDLEWARE
    for path in ("/oidc/token", "/oidc/jwks", "/.well-known/openid-configuration", "/oidc/introspect"):
        assert path in settings.BAWABA_LEAN_PATHS
    # Pages that use the session never do.
    for path in ("/oidc/authorize", "/oidc/logout", "/login/", "/en/login/"):
        assert path not in settings.BAWABA_LEAN_PATHS


@pytest.mark.parametrize("path", ["/oidc/jwks", "/.well-known/openid-configuration"])
def test_lean_responses_keep_security_headers_and_request_id(transport, path):
    r = _get(transport, path, headers={"X-Request-ID": "lean-test-1"}, cookies={"bawaba_session": "x" * 32})
    assert r.status_code == 200
    assert r.headers["X-Request-ID"] == "lean-test-1"
    for h in SECURITY_HEADERS:
        assert h in r.headers, h
    assert "set-cookie" not in r.headers  # no session, no CSRF cookie
    assert "Cookie" not in r.headers.get("Vary", "")


def test_lean_requests_are_counted_in_metrics(transport):
    def count() -> float:
        return (
            REGISTRY.get_sample_value("bawaba_http_requests_total", {"method": "GET", "status": "2xx"}) or 0
        )

    def latency() -> float:
        return REGISTRY.get_sample_value("bawaba_http_request_seconds_count", {"view": "sso_jwks"}) or 0

    before, lat_before = count(), latency()
    assert _get(transport, "/oidc/jwks").status_code == 200
    assert count() == before + 1
    assert latency() == lat_before + 1


def test_pages_keep_the_full_stack(transport):
    r = _get(transport, "/en/login/")
    assert r.status_code == 200
    assert "csrfmiddlewaretoken" in r.text
    assert "set-cookie" in r.headers  # CSRF cookie from the full middleware stack
    # A near miss of a lean path (trailing slash) is not served lean either.
    assert _get(transport, "/oidc/jwks/").status_code in (301, 404)


def test_lean_errors_go_through_the_error_handler(transport, monkeypatch):
    from bawaba.sso import keys

    def boom() -> bytes:
        raise RuntimeError("key store unavailable")

    monkeypatch.setattr(keys, "public_jwks_bytes", boom)
    r = _get(transport, "/oidc/jwks", headers={"X-Request-ID": "lean-500"})
    assert r.status_code == 500
    assert r.headers["X-Request-ID"] == "lean-500"
    assert "key store unavailable" not in r.text
    for h in SECURITY_HEADERS:
        assert h in r.headers, h


def test_lean_wrong_method_and_bad_input(transport):
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        assert c.get("/oidc/token").status_code == 405
        r = c.post("/oidc/token", content=b"\xff\xfe not a form", headers={"Content-Type": "text/plain"})
        assert r.status_code in (400, 401)
        assert r.json()["error"]


def test_lean_csp_is_the_site_policy(transport):
    lean = _get(transport, "/oidc/jwks").headers["Content-Security-Policy"]
    full = _get(transport, "/en/login/").headers["Content-Security-Policy"]
    assert lean == full
    assert "default-src 'self'" in lean and "frame-ancestors 'none'" in lean


def test_site_csp_is_django_csps_policy(transport):
    """Pages and protocol endpoints send the policy django-csp builds from the settings
    (built once per process by core.middleware.StaticCSPMiddleware)."""
    from csp.utils import build_policy

    assert _get(transport, "/en/login/").headers["Content-Security-Policy"] == build_policy()
    assert _get(transport, "/oidc/jwks").headers["Content-Security-Policy"] == build_policy()
