"""The citizen's applications over the JSON API (/api/v1/me/…), at the HTTP level, with real
access tokens: a relying party registered with the platform's OpenID provider gets them
through the authorization code flow (PKCE, consent) over HTTP, as an agency's app would.
Covers the data shown (history without internal notes, masked codes), other people's
references, and every RFC 6750 failure: missing, malformed, invalid, expired, revoked and
under-scoped tokens, client tokens, and throttling of refused tokens."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from bawaba.applications import selectors
from bawaba.applications import services as app_services
from bawaba.applications.services.citizen import new_token

ISSUER = "http://testserver"
CALLBACK = "https://citizen-app.example.jo/callback"
CERT = "cspd-e-certificate"
MAHMOUD = "2000112345"
AHMAD = "9861001234"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def transport(online):
    # Calling the WSGI application directly: its requests must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    from bawaba.wsgi import application

    yield httpx.WSGITransport(app=application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def register_client(*, scopes: str = "openid applications") -> dict:
    out = io.StringIO()
    call_command(
        "oidc_client",
        "create",
        "--name",
        "Citizen app",
        "--name-ar",
        "تطبيق المواطن",
        "--redirect-uri",
        CALLBACK,
        "--scopes",
        scopes,
        stdout=out,
    )
    return json.loads(out.getvalue())


class Citizen:
    """A person's browser at the provider: logs in and answers the consent page."""

    def __init__(self, transport, username: str = MAHMOUD) -> None:
        self.http = httpx.Client(transport=transport, base_url=ISSUER, follow_redirects=False)
        page = self.http.get("/en/login/")
        r = self.http.post(
            "/en/login/",
            data={
                "username": username,
                "password": "Bawaba-Demo-2026",
                "csrfmiddlewaretoken": CSRF_RE.search(page.text).group(1),
            },
        )
        assert r.status_code == 302 and "/login/verify/" not in r.headers["location"], r.text[:300]

    def authorize(self, url: str) -> dict:
        r = self.http.get(url)
        if r.status_code == 200:  # the consent page
            r = self.http.post(
                url, data={"decision": "allow", "csrfmiddlewaretoken": CSRF_RE.search(r.text).group(1)}
            )
        assert r.status_code == 302 and r.headers["location"].startswith(CALLBACK), r.text[:500]
        return {k: v[0] for k, v in parse_qs(urlsplit(r.headers["location"]).query).items()}


def access_token(
    transport, client: dict, citizen: Citizen, scope: str = "openid applications", headers: dict | None = None
) -> dict:
    import secrets

    rp = OAuth2Client(
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        redirect_uri=CALLBACK,
        transport=transport,
        base_url=ISSUER,
    )
    verifier = secrets.token_urlsafe(48)
    url, _state = rp.create_authorization_url(
        f"{ISSUER}/oidc/authorize",
        scope=scope,
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
    )
    params = citizen.authorize(url)
    token = rp.fetch_token(
        f"{ISSUER}/oidc/token", code=params["code"], code_verifier=verifier, headers=headers
    )
    token["rp"] = rp
    return token


def api(transport, path: str, token: str | None = None, **kw) -> httpx.Response:
    headers = kw.pop("headers", {})
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        return c.get("/api/v1" + path, headers=headers, **kw)


def submit(user, slug: str = CERT, **answers):
    form = selectors.form_for_service(slug)
    app, created = app_services.application_submit(
        user=user,
        form=form,
        token=new_token(),
        version=form.version,
        posted={"certificate": "birth", "copies": "1", "delivery": "pickup", **answers},
        uploads={},
        identity={"name": user.name_en, "national_number": user.national_number, "phone": user.phone},
    )
    assert created
    return app


@pytest.fixture
def mahmoud_token(transport, online):
    client = register_client()
    return access_token(transport, client, Citizen(transport))


def test_my_applications_with_history_and_no_internal_notes(transport, online, mahmoud_token):
    mahmoud, ahmad, officer = online[MAHMOUD], online[AHMAD], online["officer"]
    first = submit(mahmoud)
    second = submit(mahmoud, certificate="death")
    app_services.application_start_review(application_id=second.pk, actor=officer)
    app_services.application_comment(
        application_id=second.pk,
        actor=officer,
        comment="INTERNAL: check the family book",
        visible_to_citizen=False,
    )
    app_services.application_comment(
        application_id=second.pk,
        actor=officer,
        comment="We are checking your record.",
        visible_to_citizen=True,
    )
    app_services.application_request_info(
        application_id=second.pk, actor=officer, comment="Please send the family book."
    )
    submit(ahmad)  # someone else's

    token = mahmoud_token["access_token"]
    r = api(transport, "/me/applications", token)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["count"] == 2 and {a["reference"] for a in body["results"]} == {
        first.reference,
        second.reference,
    }
    item = next(a for a in body["results"] if a["reference"] == second.reference)
    assert item["status"] == "info_requested"
    assert (
        item["status_name_en"] == "More information needed"
        and item["status_name_ar"] != item["status_name_en"]
    )
    assert item["service"] == {
        "slug": CERT,
        "name_ar": second.service_name_ar,
        "name_en": second.service_name_en,
    }
    assert item["agency_code"] == "CSPD" and item["submitted_at"]
    assert item["target_date"] is None  # the clock stops while the agency waits for the citizen
    waiting = next(a for a in body["results"] if a["reference"] == first.reference)
    assert waiting["target_date"] == first.sla_due.isoformat()
    assert item["amount_due_fils"] == 1000 and item["amount_due_jod"] == "1.000"
    assert item["urls"]["en"] == f"{ISSUER}/en/dashboard/applications/{second.reference}/"

    one = api(transport, f"/me/applications/{second.reference}", token)
    assert one.status_code == 200
    history = one.json()["history"]
    assert [h["status"] for h in history] == ["submitted", "in_review", "in_review", "info_requested"]
    assert history[0]["by"] == "citizen" and history[-1]["by"] == "agency"
    comments = [h["comment"] for h in history]
    assert "We are checking your record." in comments and "Please send the family book." in comments
    assert "INTERNAL" not in one.text and "officer" not in one.text.lower()
    # References are case-insensitive, as on the portal.
    assert api(transport, f"/me/applications/{second.reference.lower()}", token).status_code == 200

    only = api(transport, "/me/applications", token, params={"status": "submitted"}).json()
    assert [a["reference"] for a in only["results"]] == [first.reference]


def test_another_citizens_unknown_and_draft_references_are_404(transport, online, mahmoud_token):
    theirs = submit(online[AHMAD])
    form = selectors.form_for_service(CERT)
    draft = app_services.application_draft_save(
        user=online[MAHMOUD], form=form, token=new_token(), posted={"copies": "2"}, uploads={}, identity={}
    )
    token = mahmoud_token["access_token"]
    for ref in (theirs.reference, "BWB-2026-AAAAAA", "..%2F..%2Fetc", "BWB%00", "x" * 300, str(draft.pk)):
        r = api(transport, f"/me/applications/{ref}", token)
        assert r.status_code == 404, (ref, r.text)
        assert r.json()["code"] == "not_found"
    assert api(transport, "/me/applications", token).json()["count"] == 0


def test_paging_and_bad_parameters(transport, online, mahmoud_token):
    refs = [submit(online[MAHMOUD]).reference for _ in range(3)]
    token = mahmoud_token["access_token"]
    seen = []
    for page in (1, 2, 3):
        body = api(transport, "/me/applications", token, params={"page": page, "per_page": 1}).json()
        assert body["pages"] == 3 and len(body["results"]) == 1
        seen.append(body["results"][0]["reference"])
    assert sorted(seen) == sorted(refs)
    assert api(transport, "/me/applications", token, params={"page": 9}).json()["results"] == []
    for params in (
        {"page": 0},
        {"per_page": 500},
        {"status": "draft"},
        {"status": "nonsense"},
        {"page": "x"},
    ):
        r = api(transport, "/me/applications", token, params=params)
        assert r.status_code == 422 and r.json()["code"] == "invalid_request", params
    assert api(transport, "/me/notifications", token, params={"per_page": 0}).status_code == 422


def test_my_notifications_mask_codes(transport, online, mahmoud_token):
    from bawaba.messaging.services import sms_send

    mahmoud = online[MAHMOUD]
    app = submit(mahmoud)
    sms_send(
        to=mahmoud.phone, body="Your code is 847362", purpose="otp", user_id=str(mahmoud.pk), sensitive=True
    )
    sms_send(to="+962790000000", body="Not for Mahmoud", purpose="test", user_id=str(online[AHMAD].pk))
    r = api(transport, "/me/notifications", mahmoud_token["access_token"])
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    texts = [n["text"] for n in body["results"]]
    assert body["count"] == len(texts) >= 2
    assert any(app.reference in t for t in texts)
    assert "847362" not in r.text and any("••••••" in t for t in texts)
    assert "Not for Mahmoud" not in r.text
    assert all(n["channel"] == "sms" and n["to"] == mahmoud.phone for n in body["results"])
    assert texts[0].startswith("Your code")  # newest first


def test_missing_and_malformed_credentials(transport, online):
    r = api(transport, "/me/applications")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
    # No credentials: the challenge carries no error code (RFC 6750, section 3.1).
    assert r.headers["www-authenticate"] == 'Bearer realm="bawaba", scope="applications"'
    r = api(transport, "/me/applications", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 401 and "error=" not in r.headers["www-authenticate"]
    r = api(transport, "/me/applications", headers={"Authorization": "Bearer "})
    assert r.status_code in (400, 401)
    r = api(transport, "/me/applications", headers={"Authorization": "Bearer    "})
    assert r.status_code in (400, 401) and r.headers["www-authenticate"].startswith("Bearer ")
    # A session cookie is not an access token.
    r = api(transport, "/me/notifications", "not-a-token")
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["www-authenticate"]
    assert r.json()["code"] == "invalid_token"


def test_empty_bearer_is_invalid_request(transport, online):
    from django.test import Client

    r = Client().get("/api/v1/me/applications", HTTP_AUTHORIZATION="Bearer")
    assert r.status_code == 400 and r.json()["code"] == "invalid_request"
    assert 'error="invalid_request"' in r["WWW-Authenticate"]


def test_invalid_tokens_are_401_invalid_token(transport, online, mahmoud_token):
    good = mahmoud_token["access_token"]
    header, payload, signature = good.split(".")
    forged = ".".join([header, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")])
    id_token = mahmoud_token["id_token"]  # signed by the provider, but not an access token
    refresh = mahmoud_token["refresh_token"]
    for token in (forged, id_token, refresh, "a.b.c", "x" * 9000):
        r = api(transport, "/me/applications", token)
        assert r.status_code == 401, token[:20]
        assert r.json()["code"] == "invalid_token"
        assert r.headers["www-authenticate"].startswith('Bearer realm="bawaba", error="invalid_token"')


def test_expired_token_is_401(transport, online, settings):
    settings.BAWABA_OIDC_ACCESS_TOKEN_TTL = -5  # issued already expired
    token = access_token(transport, register_client(), Citizen(transport))["access_token"]
    r = api(transport, "/me/applications", token, headers={"Accept-Language": "en"})
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"
    assert 'error_description="The access token expired."' in r.headers["www-authenticate"]
    assert r.json()["message"] == "Your access token expired. Get a new one and try again."


def test_revoked_tokens_are_401(transport, online, mahmoud_token):
    token = mahmoud_token["access_token"]
    assert api(transport, "/me/applications", token).status_code == 200
    mahmoud_token["rp"].revoke_token(f"{ISSUER}/oidc/revoke", token=token, token_type_hint="access_token")
    r = api(transport, "/me/applications", token)
    assert (
        r.status_code == 401
        and 'error_description="The access token was revoked."' in r.headers["www-authenticate"]
    )


def test_revoking_the_refresh_token_family_or_the_consent_kills_access(transport, online):
    client = register_client()
    citizen = Citizen(transport)
    first = access_token(transport, client, citizen)
    first["rp"].revoke_token(
        f"{ISSUER}/oidc/revoke", token=first["refresh_token"], token_type_hint="refresh_token"
    )
    assert api(transport, "/me/applications", first["access_token"]).status_code == 401
    # Withdrawing consent from the account page ("Connected services") ends the app's access.
    second = access_token(transport, client, citizen)
    assert api(transport, "/me/applications", second["access_token"]).status_code == 200
    page = citizen.http.get("/en/account/connected-services/")
    action = re.search(r'action="([^"]*/consents/[^"]+/revoke/)"', page.text).group(1)
    r = citizen.http.post(action, data={"csrfmiddlewaretoken": CSRF_RE.search(page.text).group(1)})
    assert r.status_code == 302
    assert api(transport, "/me/applications", second["access_token"]).status_code == 401


def test_deactivated_person_or_client_is_401(transport, online, mahmoud_token):
    token = mahmoud_token["access_token"]
    user = online[MAHMOUD]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert api(transport, "/me/applications", token).status_code == 401


def test_token_without_the_scope_is_403_insufficient_scope(transport, online):
    client = register_client(scopes="openid profile applications")
    token = access_token(transport, client, Citizen(transport), scope="openid profile")["access_token"]
    for path in ("/me/applications", "/me/applications/BWB-2026-AAAAAA", "/me/notifications"):
        r = api(transport, path, token, headers={"Accept-Language": "en"})
        assert r.status_code == 403, path
        assert r.json()["code"] == "insufficient_scope"
        assert r.headers["www-authenticate"] == (
            'Bearer realm="bawaba", error="insufficient_scope", scope="applications"'
        )
    # And the userinfo endpoint still works with it: the scope is only about the API.
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        assert c.get("/oidc/userinfo", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_client_may_only_get_the_scope_if_registered_for_it(transport, online):
    client = register_client(scopes="openid profile")
    rp = OAuth2Client(
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        redirect_uri=CALLBACK,
        transport=transport,
        base_url=ISSUER,
    )
    url, _ = rp.create_authorization_url(
        f"{ISSUER}/oidc/authorize",
        scope="openid applications",
        code_challenge="x" * 43,
        code_challenge_method="S256",
    )
    r = Citizen(transport).http.get(url)
    assert r.status_code == 302 and "error=invalid_scope" in r.headers["location"]


def test_a_client_credentials_token_acts_for_nobody(transport, online):
    client = register_client(scopes="openid applications")
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        r = c.post(
            "/oidc/token",
            data={"grant_type": "client_credentials", "scope": "applications"},
            auth=(client["client_id"], client["client_secret"]),
        )
    assert r.status_code == 200, r.text
    api_r = api(transport, "/me/applications", r.json()["access_token"])
    assert api_r.status_code == 401 and api_r.json()["code"] == "invalid_token"


def test_refused_tokens_are_audited_and_throttled_per_address(transport, online, mahmoud_token):
    from bawaba.core.models import AuditEvent

    for _ in range(20):  # free failures
        assert api(transport, "/me/applications", "bad.to.ken").status_code == 401
    assert AuditEvent.objects.filter(action="api.bearer_refused").count() == 20
    r = api(transport, "/me/applications", "bad.to.ken")
    assert r.status_code == 401  # the 21st is counted; the next must wait
    r = api(transport, "/me/applications", "bad.to.ken")
    assert r.status_code == 429 and r.json()["code"] == "rate_limited" and int(r.headers["retry-after"]) >= 1
    # A good token is never held back, and logging in is not affected.
    assert api(transport, "/me/applications", mahmoud_token["access_token"]).status_code == 200
    Citizen(transport)


def test_the_scope_is_offered_with_a_bilingual_description(transport, online):
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        assert "applications" in c.get("/.well-known/openid-configuration").json()["scopes_supported"]
    client = register_client()
    rp = OAuth2Client(
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        redirect_uri=CALLBACK,
        transport=transport,
        base_url=ISSUER,
    )
    citizen = Citizen(transport)
    for locale, text in (("en", "Your applications on Bawaba"), ("ar", "طلباتك")):
        url, _ = rp.create_authorization_url(
            f"{ISSUER}/oidc/authorize",
            scope="openid applications",
            code_challenge="x" * 43,
            code_challenge_method="S256",
            ui_locales=locale,
        )
        page = citizen.http.get(url)
        assert page.status_code == 200
        item = re.search(r'<li data-scope="applications">([^<]+)</li>', page.text).group(1)
        assert text in item, item


def test_dpop_bound_token_at_the_api(transport, online):
    """A token bound to a DPoP key (RFC 9449) works at the API only with the DPoP scheme and
    a proof of that key for the request: a stolen bound token is of no use as a bearer token."""
    import base64
    import hashlib
    import secrets
    import time

    from joserfc import jwt
    from joserfc.jwk import ECKey

    key, other = ECKey.generate_key("P-256"), ECKey.generate_key("P-256")

    def proof(k, url, token, method="GET"):
        ath = base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()
        claims = {"jti": secrets.token_hex(8), "htm": method, "htu": url, "iat": int(time.time()), "ath": ath}
        return jwt.encode({"typ": "dpop+jwt", "alg": "ES256", "jwk": k.as_dict(private=False)}, claims, k)

    client = register_client()
    token_proof = jwt.encode(
        {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=False)},
        {"jti": secrets.token_hex(8), "htm": "POST", "htu": f"{ISSUER}/oidc/token", "iat": int(time.time())},
        key,
    )
    token = access_token(transport, client, Citizen(transport), headers={"DPoP": token_proof})
    assert token["token_type"] == "DPoP"
    at, here = token["access_token"], f"{ISSUER}/api/v1/me/applications"

    def call(headers):
        with httpx.Client(transport=transport, base_url=ISSUER) as c:
            return c.get("/api/v1/me/applications", headers={"Accept-Language": "en", **headers})

    r = call({"Authorization": f"DPoP {at}", "DPoP": proof(key, here, at)})
    assert r.status_code == 200 and "results" in r.json()
    # as a bearer token: refused, with a DPoP challenge
    r = call({"Authorization": f"Bearer {at}"})
    assert r.status_code == 401 and r.json()["code"] == "invalid_token"
    assert r.headers["www-authenticate"].startswith('DPoP realm="bawaba", error="invalid_token"')
    assert "DPoP scheme" in r.json()["message"]
    replayed = proof(key, here, at)
    assert call({"Authorization": f"DPoP {at}", "DPoP": replayed}).status_code == 200
    for headers in (
        {"Authorization": f"DPoP {at}"},  # no proof
        {"Authorization": f"DPoP {at}", "DPoP": replayed},  # used before
        {"Authorization": f"DPoP {at}", "DPoP": proof(other, here, at)},  # another key
        {"Authorization": f"DPoP {at}", "DPoP": proof(key, f"{ISSUER}/api/v1/me/notifications", at)},
        {"Authorization": f"DPoP {at}", "DPoP": proof(key, here, at, method="POST")},
        {"Authorization": f"DPoP {at}", "DPoP": proof(key, here, at + "x")},  # another token's hash
    ):
        r = call(headers)
        assert r.status_code == 401, headers
        assert 'error="invalid_dpop_proof"' in r.headers["www-authenticate"]
        assert r.headers["www-authenticate"].startswith("DPoP ")
    # the DPoP scheme with an ordinary bearer token: not valid
    plain = access_token(transport, client, Citizen(transport))["access_token"]
    r = call({"Authorization": f"DPoP {plain}", "DPoP": proof(key, here, plain)})
    assert r.status_code == 401 and 'error="invalid_token"' in r.headers["www-authenticate"]
    assert call({"Authorization": f"Bearer {plain}"}).status_code == 200
