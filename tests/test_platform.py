"""Platform behaviour: health and readiness, metrics access, security headers, CSRF,
production settings' refusals, demo data, languages and API errors."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.test import Client
from django.utils import translation

from bawaba.conftest import login
from bawaba.core import views as core_views
from bawaba.core.auth import SESSION_AMR
from bawaba.core.models import AuditEvent

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_readyz(client, monkeypatch):
    monkeypatch.setattr(core_views, "_migrations_ok", False)
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["status"] == "ready"


def test_readyz_with_pending_migrations(client, monkeypatch):
    monkeypatch.setattr(core_views, "_migrations_ok", False)
    monkeypatch.setattr(
        core_views.MigrationExecutor, "migration_plan", lambda self, targets: [("fake", False)]
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "reason": "migrations_pending"}


def test_readyz_when_database_is_down(client, monkeypatch):
    class Broken:
        def __enter__(self):
            raise DatabaseError("down")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(core_views.connection, "cursor", lambda: Broken())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reason"] == "database_unreachable"


# --- metrics ------------------------------------------------------------------------


def test_metrics_refused_to_anonymous_and_citizens(client, logged_in_ahmad):
    assert Client().get("/metrics").status_code == 403
    assert logged_in_ahmad.get("/metrics").status_code == 403


def test_metrics_for_staff_with_permission_and_second_factor(logged_in_admin):
    response = logged_in_admin.get("/metrics")
    assert response.status_code == 200
    assert "bawaba_http_requests_total" in response.content.decode()


def test_metrics_need_the_permission_and_a_second_factor(demo):
    from django.contrib.auth.models import Group

    from bawaba.identity.models import User

    operator = User.objects.create_user("operator", "Operator-Passphrase", kind="staff", is_staff=True)
    operator.groups.add(Group.objects.get(name="Platform operator"))
    for user, amr, expected in [
        (operator, ["pwd", "otp", "mfa"], 200),
        (operator, ["pwd"], 403),
        (demo["officer"], ["pwd", "otp", "mfa"], 403),  # staff without core.view_metrics
    ]:
        client = Client()
        client.force_login(user)
        session = client.session
        session[SESSION_AMR] = amr
        session.save()
        assert client.get("/metrics").status_code == expected, (user, amr)


def test_metrics_with_bearer_token(client, settings):
    settings.BAWABA_METRICS_TOKEN = "s3cret-metrics-token-for-tests"
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token-for-tests").status_code == 200
    )
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="s3cret-metrics-token-for-tests").status_code == 403
    settings.BAWABA_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


# --- security headers and cookies ---------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/en/login/", "/register/"])
def test_security_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Request-ID"]


def test_cookies_are_httponly_and_samesite(client, demo):
    client.get("/en/login/")
    response = login(client, "2000112345", "Bawaba-Demo-2026")
    for name in ("bawaba_session", "bawaba_device"):
        cookie = response.cookies[name]
        assert cookie["httponly"], name
        assert cookie["samesite"] == "Lax", name
    csrf = client.cookies["bawaba_csrf"]
    assert csrf["httponly"]


# --- CSRF ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url,data,lang",
    [
        ("/en/login/", {"username": "2000112345", "password": "Bawaba-Demo-2026"}, "en"),
        ("/login/", {"username": "2000112345", "password": "Bawaba-Demo-2026"}, "ar"),
        (
            "/en/register/",
            {
                "kind": "citizen",
                "national_number": "9922004567",
                "date_of_birth": "1992-07-02",
                "name_ar": "سارة",
                "phone": "0791112233",
                "password": "olive tree by the sea",
            },
            "en",
        ),
        ("/password-reset/", {"username": "2000112345"}, "ar"),
    ],
)
def test_forms_without_csrf_token_are_refused(demo, url, data, lang):
    from bawaba.identity.models import AttemptCounter, PendingRegistration, UserSession

    client = Client(enforce_csrf_checks=True)
    events = AuditEvent.objects.count()
    response = client.post(url, data)
    assert response.status_code == 403
    text = response.content.decode()
    assert f'<html lang="{lang}"' in text
    with translation.override(lang):
        assert translation.gettext("The form expired") in text
    assert AuditEvent.objects.count() == events
    assert not AttemptCounter.objects.exists()
    assert not PendingRegistration.objects.exists()
    assert not UserSession.objects.exists()


def test_form_with_csrf_token_works(demo):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/en/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = client.post(
        "/en/login/", {"username": "2000112345", "password": "Bawaba-Demo-2026", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_api_csrf_failure_is_json(logged_in_ahmad, demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo["9861001234"])
    sessions = client.get("/api/v1/me/sessions").json()
    response = client.delete(f"/api/v1/me/sessions/{sessions[0]['id']}")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert response.json()["message"]


# --- production settings ------------------------------------------------------------

GOOD_SECRET = "k" * 64
GOOD_ENV = {
    "BAWABA_SECRET_KEY": GOOD_SECRET,
    "BAWABA_SMS_ADAPTER": "failing",
    "BAWABA_CIVIL_REGISTRY": "gsb",
}


def import_production(env: dict) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("BAWABA_", "DJANGO_"))}
    base["BAWABA_DATA_DIR"] = "/tmp/bawaba-idtests-prod"
    return subprocess.run(
        [sys.executable, "-c", "import bawaba.settings.production"],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_accept_a_proper_configuration():
    result = import_production(GOOD_ENV)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "env,needle",
    [
        ({"BAWABA_SECRET_KEY": ""}, "BAWABA_SECRET_KEY must be set"),
        ({"BAWABA_SECRET_KEY": "bawaba-demo-secret-key-not-for-production-0000000000000000"}, "demo or weak"),
        ({"BAWABA_SECRET_KEY": "short"}, "demo or weak"),
        ({"BAWABA_DEBUG": "1"}, "BAWABA_DEBUG=1"),
        ({"BAWABA_DEMO": "1"}, "BAWABA_DEMO=1"),
        ({"BAWABA_SMS_ADAPTER": "outbox"}, "outbox"),
        ({"BAWABA_CIVIL_REGISTRY": "demo"}, "demo civil registry"),
    ],
)
def test_production_settings_refuse(env, needle):
    result = import_production({**GOOD_ENV, **env})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert needle in result.stderr


def test_database_url_forms_of_docs_operations():
    from bawaba.settings.base import database_from_url

    socket = database_from_url("postgres://bawaba@%2Fvar%2Frun%2Fpostgresql/bawaba")
    assert socket["ENGINE"] == "django.db.backends.postgresql"
    assert (socket["HOST"], socket["NAME"], socket["USER"]) == ("/var/run/postgresql", "bawaba", "bawaba")
    tcp = database_from_url("postgres://u:p@db.example:5433/b?sslmode=verify-full")
    assert (tcp["HOST"], tcp["PORT"], tcp["OPTIONS"]) == ("db.example", 5433, {"sslmode": "verify-full"})
    assert tcp["CONN_MAX_AGE"] == int(os.environ.get("BAWABA_DB_CONN_MAX_AGE", "60"))
    assert database_from_url(None)["ENGINE"] == "django.db.backends.sqlite3"


def test_production_settings_refuse_missing_secret():
    env = dict(GOOD_ENV)
    del env["BAWABA_SECRET_KEY"]
    result = import_production(env)
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr


# --- demo data ----------------------------------------------------------------------


def test_demo_data_refused_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="refused outside demo mode"):
        call_command("load_demo_data", stdout=StringIO())
    from bawaba.identity.models import User

    assert not User.objects.exists()


def test_demo_data_loads_and_is_idempotent(settings):
    from bawaba.identity.models import Organisation, User

    settings.DEMO_MODE = True
    call_command("load_demo_data", stdout=StringIO())
    counts = (User.objects.count(), Organisation.objects.count())
    call_command("load_demo_data", stdout=StringIO())
    assert (User.objects.count(), Organisation.objects.count()) == counts
    assert User.objects.filter(username="9861001234").exists()


# --- languages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url,lang,direction,other",
    [
        ("/", "ar", "rtl", "/en/"),
        ("/en/", "en", "ltr", "/"),
        ("/login/", "ar", "rtl", "/en/login/"),
        ("/en/register/", "en", "ltr", "/register/"),
        ("/en/password-reset/", "en", "ltr", "/password-reset/"),
    ],
)
def test_language_and_direction_and_switch(client, url, lang, direction, other):
    response = client.get(url)
    text = response.content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in text
    switch = re.search(r'<a class="lang-switch" href="([^"]+)"', text).group(1)
    assert switch == other


def test_language_switch_keeps_the_query(client):
    text = client.get("/en/login/?next=/en/account/").content.decode()
    switch = re.search(r'<a class="lang-switch" href="([^"]+)"', text).group(1)
    assert switch.startswith("/login/?next=")


def test_not_found_pages(client):
    ar = client.get("/no-such-page/")
    en = client.get("/en/no-such-page/")
    assert ar.status_code == en.status_code == 404
    assert '<html lang="ar" dir="rtl">' in ar.content.decode()
    assert '<html lang="en" dir="ltr">' in en.content.decode()
    api = client.get("/api/v1/no-such-endpoint")
    assert api.status_code == 404
    assert api.json()["code"] == "not_found"


# --- API errors ---------------------------------------------------------------------


def test_api_errors_have_stable_codes_and_translated_messages(client):
    en = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    ar = client.get("/api/v1/me")
    assert en.status_code == ar.status_code == 401
    assert en.json() == {"code": "not_authenticated", "message": "You need to log in."}
    assert ar.json()["code"] == "not_authenticated"
    with translation.override("ar"):
        assert ar.json()["message"] == translation.gettext("You need to log in.")
    assert ar.json()["message"]


def test_api_validation_errors(client):
    response = client.post("/api/v1/validation/national-number", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json()["code"] in ("invalid_request", "bad_request")
    response = client.post("/api/v1/validation/national-number", {}, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    assert response.json()["details"]["errors"]


@pytest.mark.parametrize(
    "value,birth,valid,code",
    [
        ("9861001234", None, True, None),
        ("٩٨٦١٠٠١٢٣٤", "1986-03-14", True, None),
        ("2000112345", "2001-09-30", True, None),
        ("2000112345", "1999-09-30", False, "national_number_birth_date_mismatch"),
        ("2000312345", None, False, "national_number_format"),
        ("123", None, False, "national_number_length"),
        ("", None, False, "national_number_required"),
    ],
)
def test_national_number_validation_api(client, value, birth, valid, code):
    body = {"value": value} | ({"date_of_birth": birth} if birth else {})
    response = client.post(
        "/api/v1/validation/national-number", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["valid"] is valid
    assert data["code"] == code
    if not valid:
        assert data["message"]


@pytest.mark.parametrize(
    "value,normalized",
    [
        ("0791234567", "+962791234567"),
        ("00962781234567", "+962781234567"),
        ("+962771234567", "+962771234567"),
        ("٠٧٩١٢٣٤٥٦٧", "+962791234567"),
        ("0761234567", None),
        ("0612345678", None),
        ("+441234567890", None),
        ("", None),
    ],
)
def test_mobile_validation_api(client, value, normalized):
    response = client.post("/api/v1/validation/mobile", {"value": value}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["normalized"] == normalized
    assert response.json()["valid"] is (normalized is not None)


def test_demo_banner_in_demo_mode(client, settings):
    assert "demo-banner" in client.get("/login/").content.decode()
    settings.DEMO_MODE = False
    assert "demo-banner" not in client.get("/login/").content.decode()


def test_platform_words_win_over_the_back_office_translations(client):
    """Django admin's Arabic catalogue says "ادخل" for "Log in"; the platform's own words win."""
    page = client.get("/").content.decode()
    assert "تسجيل الدخول" in page and "ادخل" not in page
