"""Meta-tests: every URL requires the right authentication, migrations are complete, the
OpenAPI schema is valid, every page renders in both languages under the strict CSP."""

import re
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils import translation

pytestmark = pytest.mark.django_db

# Pages anyone may see (by URL name, with namespace).
PUBLIC = {
    "home",
    "healthz",
    "readyz",
    "identity:login",
    "identity:login_verify",  # redirects to login without a pending login
    "identity:register",
    "identity:register_verify",  # redirects to register without a pending registration
    "identity:password_reset",
    "identity:password_reset_verify",  # redirects without a pending reset
    "api:openapi-json",
    "api:openapi-view",
    "api:registration_start",
    "api:registration_verify",
    "api:validate_national_number",
    "api:validate_mobile",
    # The public catalogue API (read-only, published services only).
    "api:services_list",
    "api:service_detail",
    "api:search",
    "api:agencies_list",
    "api:agency_detail",
    "api:categories_list",
    "api:life_events_list",
    "identity:passkey_login_options",  # passwordless login starts here
    "identity:passkey_login",
    "identity:logout",  # logging out without a session just goes home
    "admin:login",  # redirects to the platform's login
    "admin:logout",
    "admin:jsi18n",
    "admin:view_on_site",
    # The service catalogue and the progressive web app are public.
    "catalog:index",
    "catalog:search",
    "catalog:agencies",
    "catalog:offline",
    "manifest",
    "service_worker",
    # OpenID Connect protocol endpoints authenticate the client or the user themselves
    # and answer protocol errors (400) to bare requests.
    "sso_discovery",
    "sso_jwks",
    "sso_authorize",
    "sso_token",
    "sso_logout",
    "sso_rp_callback",
    # Anyone may say whether a page was useful (422 for an empty form).
    "portal:feedback",
    "portal:feedback_thanks",
}
SAMPLES = ["identity", "user", "1", str(uuid.uuid4()), "x"]


def walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            yield from walk(p.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


def url_for(name: str, pattern: URLPattern) -> str | None:
    keys = list(pattern.pattern.regex.groupindex)
    if not keys:
        try:
            return reverse(name)
        except NoReverseMatch:
            return None
    for sample in SAMPLES:
        try:
            return reverse(name, kwargs=dict.fromkeys(keys, sample))
        except NoReverseMatch:
            continue
    combos = [{"app_label": "identity", "model_name": "user", "object_id": str(uuid.uuid4())}]
    for kwargs in combos:
        try:
            return reverse(name, kwargs={k: kwargs.get(k, "1") for k in keys})
        except NoReverseMatch:
            continue
    return None


def all_urls() -> list[tuple[str, str]]:
    seen, urls = set(), []
    for name, pattern in walk(get_resolver().url_patterns):
        for lang in ("ar", "en"):
            with translation.override(lang):
                url = url_for(name, pattern)
            if url and url not in seen:
                seen.add(url)
                urls.append((name, url))
    return urls


def test_the_walk_finds_the_pages():
    names = {name for name, _url in all_urls()}
    assert {"identity:account", "admin:index", "messaging:outbox", "api:me", "metrics"} <= names
    assert len(all_urls()) > 80


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_url_requires_the_right_authentication(demo, method):
    client = Client()
    problems = []
    for name, url in all_urls():
        response = getattr(client, method)(url)
        status = response.status_code
        if status >= 500:
            problems.append((name, url, status))
        elif name in PUBLIC:
            continue
        elif status == 200 or status == 201 or status == 204:
            problems.append((name, url, status))
        elif status == 302:
            location = response["Location"]
            # To a login page, or to the OpenID Connect provider (the portal logs in through it).
            if not re.match(r"^((/en)?/(admin/)?login/|(http://testserver)?/oidc/authorize\?)", location):
                problems.append((name, url, location))
        elif status not in (401, 403, 404, 405):
            problems.append((name, url, status))
    assert not problems


def test_citizen_gets_no_staff_page(logged_in_ahmad):
    problems = []
    for name, url in all_urls():
        if not (name.startswith("admin:") or name.startswith("messaging:") or name == "metrics"):
            continue
        if name in PUBLIC:
            continue
        status = logged_in_ahmad.get(url).status_code
        if status == 200 or status >= 500:
            problems.append((name, url, status))
    assert not problems


def test_admin_pages_render_for_the_superuser(logged_in_admin):
    problems = []
    for name, url in all_urls():
        if not name.startswith("admin:") or "delete" in name or "logout" in name:
            continue
        status = logged_in_admin.get(url).status_code
        if status >= 500:
            problems.append((name, url, status))
    assert not problems


def test_migrations_are_complete():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_openapi_schema_is_valid_openapi_3(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["paths"]
    validator = openapi_meta_validator(schema["openapi"])
    errors = [str(e) for e in validator.iter_errors(schema)]
    assert not errors
    assert list(validator.iter_errors({"openapi": schema["openapi"], "paths": 5}))  # the check can fail
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "responses" in operation, (path, method)
            assert operation.get("operationId"), (path, method)


def openapi_meta_validator(version: str):
    """The OpenAPI meta-schemas as schemathesis ships them (draft 4 for 3.0, 2020-12 for 3.1)."""
    from schemathesis.specs.openapi import definitions

    if version.startswith("3.1"):
        return definitions.OPENAPI_31_VALIDATOR
    return definitions.OPENAPI_30_VALIDATOR


PUBLIC_PAGES = ["/", "/login/", "/register/", "/password-reset/"]
ACCOUNT_PAGES = [
    "/account/",
    "/account/security/",
    "/account/security/totp/",
    "/account/sessions/",
    "/account/activity/",
]


def check_page(response, lang: str) -> None:
    assert response.status_code == 200, response
    text = response.content.decode()
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in text
    assert 'style="' not in text, "inline style attributes are blocked by the CSP"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline scripts are blocked by the CSP"
    assert not re.search(r"<[^>]+\son[a-z]+=", text), "inline event handlers are blocked by the CSP"
    assert 'class="lang-switch"' in text


@pytest.mark.parametrize("lang,prefix", [("ar", ""), ("en", "/en")])
def test_public_pages_render_in_both_languages(client, lang, prefix):
    for page in PUBLIC_PAGES:
        check_page(client.get(prefix + page), lang)


@pytest.mark.parametrize("lang,prefix", [("ar", ""), ("en", "/en")])
def test_account_pages_render_in_both_languages(logged_in_ahmad, lang, prefix):
    for page in ACCOUNT_PAGES:
        check_page(logged_in_ahmad.get(prefix + page), lang)


@pytest.mark.parametrize("lang,prefix", [("ar", ""), ("en", "/en")])
def test_flow_pages_render_in_both_languages(demo, lang, prefix):
    client = Client()
    client.post(f"{prefix}/login/", {"username": "9861001234", "password": "Bawaba-Demo-2026"})
    check_page(client.get(f"{prefix}/login/verify/"), lang)
    client = Client()
    client.post(
        f"{prefix}/register/",
        {
            "kind": "citizen",
            "national_number": "9922004567",
            "date_of_birth": "1992-07-02",
            "name_ar": "سارة",
            "phone": "0791112233",
            "password": "olive tree by the sea",
        },
    )
    check_page(client.get(f"{prefix}/register/verify/"), lang)
    client.post(f"{prefix}/password-reset/", {"username": "2000112345"})
    check_page(client.get(f"{prefix}/password-reset/verify/"), lang)
    staff = Client()
    staff.post("/en/login/", {"username": "admin", "password": "Bawaba-Admin-2026"})
    from bawaba.conftest import totp_now

    staff.post("/en/login/verify/", {"otp": totp_now()})
    check_page(staff.get(f"{prefix}/staff/sms-outbox/"), lang)


def test_error_pages_render_in_both_languages(client):
    for prefix, lang in (("", "ar"), ("/en", "en")):
        response = client.get(f"{prefix}/no-such-page/")
        assert response.status_code == 404
        assert f'<html lang="{lang}"' in response.content.decode()
