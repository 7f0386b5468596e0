"""The authorization endpoint as people and relying parties meet it: single sign-on
across services, step-up, prompt and max_age, consent, PAR, errors, logout."""

from __future__ import annotations

import html
import re
import time

import httpx
import pytest
from django.core.management import call_command

from .conftest import ISSUER, RP_CALLBACK, authorize_url, code_from, decode_id_token, pkce_pair, rp_client

TOKEN = f"{ISSUER}/oidc/token"


def _flow(browser, rp, **params):
    verifier, challenge = pkce_pair()
    url, state = authorize_url(rp, code_challenge=challenge, code_challenge_method="S256", **params)
    return browser.get(url), verifier, state


def test_single_sign_on_across_services(transport, browser, make_client):
    a, a_secret = make_client(first_party=True, name_en="Service A")
    b, b_secret = make_client(first_party=True, name_en="Service B")
    rp_a = rp_client(transport, a.client_id, a_secret)
    r, verifier, state = _flow(browser, rp_a)
    # nobody logged in: the authorization endpoint shows the login form itself...
    assert r.status_code == 200 and 'name="password"' in r.text and "csrfmiddlewaretoken" in r.text
    # ...and, the password and second factor given, the code follows
    r = browser.login_form(r)
    params = code_from(browser.follow(r))
    rp_a.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)
    # the second service gets its code with no password prompt
    rp_b = rp_client(transport, b.client_id, b_secret)
    r, verifier, state = _flow(browser, rp_b, state="xyz-state")
    params = code_from(r)
    assert params["state"] == "xyz-state"
    token = rp_b.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)
    claims = decode_id_token(transport, token["id_token"], b.client_id, nonce="n-0S6_WzA2Mj").claims
    assert claims["aud"] == b.client_id


def test_pairwise_and_public_subjects(transport, browser, make_client):
    a, sa = make_client(first_party=True)
    b, sb = (
        make_client(first_party=True, redirect_uris=[RP_CALLBACK], sector_identifier="")
        if False
        else make_client(first_party=True)
    )
    from bawaba.sso.models import Client

    Client.objects.filter(pk=b.pk).update(sector_identifier="other-agency.gov.jo")
    c, sc = make_client(first_party=True, subject_type="public")
    browser.login()
    subs = {}
    for client, secret in ((a, sa), (b, sb), (c, sc)):
        rp = rp_client(transport, client.client_id, secret)
        r, verifier, _ = _flow(browser, rp)
        token = rp.fetch_token(TOKEN, code=code_from(r)["code"], code_verifier=verifier)
        subs[client.client_id] = decode_id_token(transport, token["id_token"], client.client_id).claims["sub"]
    assert subs[a.client_id] != subs[b.client_id]
    assert subs[c.client_id] == str(browser_user_id())
    # stable: the same service sees the same identifier next time
    rp = rp_client(transport, a.client_id, sa)
    r, verifier, _ = _flow(browser, rp)
    token = rp.fetch_token(TOKEN, code=code_from(r)["code"], code_verifier=verifier)
    assert decode_id_token(transport, token["id_token"], a.client_id).claims["sub"] == subs[a.client_id]


def browser_user_id():
    from bawaba.identity.selectors import user_by_identifier

    return user_by_identifier("9861001234").pk


def test_identity_too_weak_is_explained(transport, browser, make_client):
    """Mahmoud's identity is low (self-asserted): asking for loa-substantial shows why
    and how to raise it, never a password prompt."""
    client, secret = make_client(first_party=True)
    rp = rp_client(transport, client.client_id, secret)
    browser.login(username="2000112345")
    r, _, state = _flow(browser, rp, acr_values="loa-substantial", ui_locales="en")
    assert r.status_code == 403
    assert "civil registry" in r.text and 'name="password"' not in r.text
    assert "unmet_authentication_requirements" in r.text and state in r.text
    r, _, _ = _flow(browser, rp, acr_values="loa-high")
    assert r.status_code == 403 and "الأحوال المدنية" in r.text  # Arabic by default


def test_step_up_redirects_to_second_factor(transport, browser, make_client, demo, monkeypatch):
    """A substantial identity with a password-only session is sent to the step-up page
    (second factor only), then gets loa-substantial."""
    client, secret = make_client(first_party=True)
    rp = rp_client(transport, client.client_id, secret)
    from bawaba.core.auth import SESSION_AMR

    browser.login()  # pwd + otp
    # make this session password-only (as if the person logged in with a password alone)
    from django.contrib.sessions.backends.db import SessionStore

    key = browser.http.cookies.get("bawaba_session")
    s = SessionStore(session_key=key)
    s[SESSION_AMR] = ["pwd"]
    s.save()
    r, verifier, _ = _flow(browser, rp)
    token = rp.fetch_token(TOKEN, code=code_from(r)["code"], code_verifier=verifier)
    assert decode_id_token(transport, token["id_token"], client.client_id).claims["acr"] == "loa-low"
    r, verifier, _ = _flow(browser, rp, acr_values="loa-substantial")
    assert (
        r.status_code == 302
        and r.headers["location"].startswith("/en/login/verify/?next=")
        or r.headers["location"].startswith("/login/verify/?next=")
    )
    step_up = r.headers["location"]
    page = browser.get(step_up)
    assert page.status_code == 200 and 'name="password"' not in page.text
    from bawaba.conftest import totp_now

    r = browser.post_form(
        step_up, {"otp": totp_now(offset_steps=1), "next": httpx.URL(step_up).params["next"]}
    )
    params = code_from(browser.follow(r))
    token = rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)
    claims = decode_id_token(transport, token["id_token"], client.client_id).claims
    assert claims["acr"] == "loa-substantial" and "otp" in claims["amr"]


def test_prompt_none_errors(transport, browser, make_client):
    client, secret = make_client()
    rp = rp_client(transport, client.client_id, secret)
    r, _, state = _flow(browser, rp, prompt="none")
    q = code_from(r)
    assert q["error"] == "login_required" and q["state"] == state
    browser.login()
    r, _, _ = _flow(browser, rp, prompt="none")
    assert code_from(r)["error"] == "consent_required"  # third-party client, no consent yet
    b2 = type(browser)(transport)
    b2.login(username="2000112345")
    r, _, _ = _flow(b2, rp, prompt="none", acr_values="loa-substantial")
    assert code_from(r)["error"] == "login_required"


def test_prompt_login_and_max_age_force_reauthentication(transport, browser, make_client):
    client, secret = make_client(first_party=True)
    rp = rp_client(transport, client.client_id, secret)
    browser.login()
    r, verifier, _ = _flow(browser, rp)
    first = rp.fetch_token(TOKEN, code=code_from(r)["code"], code_verifier=verifier)
    t1 = decode_id_token(transport, first["id_token"], client.client_id).claims["auth_time"]
    for extra in ({"prompt": "login"}, {"max_age": "0"}):
        time.sleep(1.05)
        r, verifier, _ = _flow(browser, rp, **extra)
        assert r.status_code == 200 and 'name="password"' in r.text, extra
        r = browser.login_form(r)
        params = code_from(browser.follow(r))
        token = rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)
        t2 = decode_id_token(transport, token["id_token"], client.client_id).claims["auth_time"]
        assert t2 > t1
        t1 = t2
    # a generous max_age does not ask again
    r, verifier, _ = _flow(browser, rp, max_age="3600")
    assert code_from(r)["code"]


def test_consent_is_asked_remembered_and_revocable(transport, browser, make_client):
    client, secret = make_client(name_en="Vehicle licensing", agency_code="MODEE")
    rp = rp_client(transport, client.client_id, secret)
    browser.login()
    r, verifier, state = _flow(browser, rp, scope="openid profile phone", ui_locales="en")
    assert r.status_code == 200
    assert "Vehicle licensing" in r.text and "Ministry of Digital Economy" in r.text
    assert "Your mobile number" in r.text
    # Arabic by default
    r_ar, _, _ = _flow(browser, rp, scope="openid profile phone")
    assert "ترخيص المركبات" in r_ar.text and 'lang="ar"' in r_ar.text
    # deny
    url = authorize_url(
        rp,
        scope="openid profile",
        code_challenge=pkce_pair()[1],
        code_challenge_method="S256",
        ui_locales="en",
    )[0]
    r = browser.post_form(url, {"decision": "deny"})
    assert code_from(r)["error"] == "access_denied"
    # allow
    verifier, challenge = pkce_pair()
    url, state = authorize_url(
        rp, scope="openid profile phone", code_challenge=challenge, code_challenge_method="S256"
    )
    r = browser.post_form(url, {"decision": "allow"})
    params = code_from(r)
    assert params["state"] == state
    # remembered: no consent page next time for the same (or fewer) scopes
    r, verifier, _ = _flow(browser, rp, scope="openid phone")
    token = rp.fetch_token(TOKEN, code=code_from(r)["code"], code_verifier=verifier)
    # a new scope asks again
    r, _, _ = _flow(browser, rp, scope="openid profile national_id")
    assert r.status_code == 200 and "رقمك الوطني" in r.text
    # revoke from the account page: tokens die, consent is asked again
    page = browser.get("/en/account/connected-services/")
    assert "Vehicle licensing" in page.text
    from bawaba.sso.models import Consent

    consent = Consent.objects.get()
    r = browser.post_form("/en/account/connected-services/", {}) if False else None
    csrf = __import__("re").search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    r = browser.http.post(
        f"/en/account/connected-services/consents/{consent.id}/revoke/", data={"csrfmiddlewaretoken": csrf}
    )
    assert r.status_code == 302
    assert not Consent.objects.exists()
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        assert (
            c.get("/oidc/userinfo", headers={"Authorization": f"Bearer {token['access_token']}"}).status_code
            == 401
        )
    r, _, _ = _flow(browser, rp, scope="openid phone")
    assert r.status_code == 200 and "decision" in r.text


def test_national_id_only_for_allowed_clients(transport, browser, make_client):
    allowed, sa = make_client(first_party=True, scopes="openid profile national_id")
    denied, sd = make_client(first_party=True, scopes="openid profile")
    browser.login()
    rp = rp_client(transport, allowed.client_id, sa)
    r, verifier, _ = _flow(browser, rp, scope="openid national_id")
    token = rp.fetch_token(TOKEN, code=code_from(r)["code"], code_verifier=verifier)
    assert (
        decode_id_token(transport, token["id_token"], allowed.client_id).claims["national_number"]
        == "9861001234"
    )
    assert rp.get(f"{ISSUER}/oidc/userinfo").json()["national_number"] == "9861001234"
    rp = rp_client(transport, denied.client_id, sd)
    r, _, state = _flow(browser, rp, scope="openid national_id")
    q = code_from(r)
    assert q["error"] == "invalid_scope" and q["state"] == state and "code" not in q


def test_redirect_uri_mismatch_is_an_error_page_never_a_redirect(transport, browser, make_client):
    client, secret = make_client()
    browser.login()
    for bad in ("https://evil.example/callback", RP_CALLBACK + "/extra", RP_CALLBACK + "?x=1", ""):
        params = {
            "response_type": "code",
            "client_id": client.client_id,
            "scope": "openid",
            "redirect_uri": bad,
        }
        r = browser.get("/oidc/authorize", params=params)
        assert r.status_code == 400 and "location" not in r.headers
        assert "return address" in r.text or "عنوان" in r.text
    r = browser.get(
        "/oidc/authorize",
        params={"response_type": "code", "client_id": "no-such-client", "redirect_uri": RP_CALLBACK},
    )
    assert r.status_code == 400 and "location" not in r.headers and "invalid_client" in r.text


@pytest.mark.parametrize("response_type", ["token", "id_token", "code id_token", "none"])
def test_unsupported_response_types(transport, browser, make_client, response_type):
    client, _ = make_client()
    browser.login()
    r = browser.get(
        "/oidc/authorize",
        params={
            "response_type": response_type,
            "client_id": client.client_id,
            "scope": "openid",
            "redirect_uri": RP_CALLBACK,
            "state": "s1",
        },
    )
    q = code_from(r)
    assert q["error"] == "unsupported_response_type" and q["state"] == "s1" and "code" not in q


def test_pushed_authorization_requests(transport, browser, make_client):
    client, secret = make_client(first_party=True, require_par=True)
    rp = rp_client(transport, client.client_id, secret)
    browser.login()
    # a plain request is refused for a PAR-only client
    r, _, _ = _flow(browser, rp)
    assert r.status_code == 400 and "location" not in r.headers
    verifier, challenge = pkce_pair()
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        data = {
            "response_type": "code",
            "client_id": client.client_id,
            "redirect_uri": RP_CALLBACK,
            "scope": "openid profile",
            "state": "par-state",
            "nonce": "par-nonce",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        r = c.post("/oidc/par", data=data, auth=(client.client_id, secret))
        assert r.status_code == 201, r.text
        request_uri = r.json()["request_uri"]
        assert r.json()["expires_in"] == 60
        bad = c.post(
            "/oidc/par",
            data={**data, "redirect_uri": "https://evil.example/cb"},
            auth=(client.client_id, secret),
        )
        assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"
        bad = c.post("/oidc/par", data=data, auth=(client.client_id, "wrong"))
        assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    r = browser.get("/oidc/authorize", params={"client_id": client.client_id, "request_uri": request_uri})
    params = code_from(r)
    assert params["state"] == "par-state"
    token = rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)
    assert decode_id_token(transport, token["id_token"], client.client_id, nonce="par-nonce")
    # used once
    r = browser.get("/oidc/authorize", params={"client_id": client.client_id, "request_uri": request_uri})
    assert r.status_code == 400 and "invalid_request_uri" in r.text


def test_rs256_client(transport, browser, make_client):
    client, secret = make_client(first_party=True, id_token_alg="RS256")
    rp = rp_client(transport, client.client_id, secret)
    browser.login()
    r, verifier, _ = _flow(browser, rp)
    token = rp.fetch_token(TOKEN, code=code_from(r)["code"], code_verifier=verifier)
    assert decode_id_token(transport, token["id_token"], client.client_id).header["alg"] == "RS256"


def test_rp_initiated_logout_with_backchannel(
    transport, browser, make_client, receiver, django_capture_on_commit_callbacks
):
    base, received = receiver
    a, sa = make_client(first_party=True, backchannel_logout_uri=f"{base}/a/logout")
    b, sb = make_client(first_party=True, backchannel_logout_uri=f"{base}/b/logout")
    c, sc = make_client(first_party=True)  # no back-channel URI
    browser.login()
    tokens = {}
    for client, secret in ((a, sa), (b, sb), (c, sc)):
        rp = rp_client(transport, client.client_id, secret)
        r, verifier, _ = _flow(browser, rp)
        tokens[client.client_id] = rp.fetch_token(TOKEN, code=code_from(r)["code"], code_verifier=verifier)
    id_token = tokens[a.client_id]["id_token"]
    sid = decode_id_token(transport, id_token, a.client_id).claims["sid"]
    # tampered hint: error, nobody logged out
    head, payload, sig = id_token.split(".")
    tampered = f"{head}.{payload[:-2]}AA.{sig}"
    r = browser.get(
        "/oidc/logout",
        params={"id_token_hint": tampered, "post_logout_redirect_uri": "https://rp.example.jo/bye"},
    )
    assert r.status_code == 400 and "location" not in r.headers and "invalid_request" in r.text
    assert browser.get("/en/account/").status_code == 200
    # unregistered post-logout address: error page, no redirect, still logged in
    r = browser.get(
        "/oidc/logout",
        params={"id_token_hint": id_token, "post_logout_redirect_uri": "https://evil.example/"},
    )
    assert r.status_code == 400 and "location" not in r.headers
    assert browser.get("/en/account/").status_code == 200
    # the real thing
    with django_capture_on_commit_callbacks(execute=True):
        r = browser.get(
            "/oidc/logout",
            params={
                "id_token_hint": id_token,
                "post_logout_redirect_uri": "https://rp.example.jo/bye",
                "state": "bye-1",
            },
        )
    assert r.status_code == 302 and r.headers["location"] == "https://rp.example.jo/bye?state=bye-1"
    assert browser.get("/en/account/").status_code == 302  # provider session ended
    # back-channel: only B (A initiated; C registered no URI)
    assert [p for p, _ in received] == ["/b/logout"]
    logout_token = received[0][1]["logout_token"][0]
    from joserfc import jwt

    from .conftest import jwks

    obj = jwt.decode(logout_token, jwks(transport), algorithms=["ES256"])
    assert obj.header["typ"] == "logout+jwt"
    assert obj.claims["sid"] == sid and obj.claims["aud"] == b.client_id
    assert "http://schemas.openid.net/event/backchannel-logout" in obj.claims["events"]
    assert "nonce" not in obj.claims
    # the session's refresh tokens are revoked
    r = httpx.Client(transport=transport, base_url=ISSUER).post(
        "/oidc/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens[b.client_id]["refresh_token"]},
        auth=(b.client_id, sb),
    )
    assert r.json()["error"] == "invalid_grant"


def test_logout_without_hint_asks_to_confirm(transport, browser, make_client):
    browser.login()
    r = browser.get("/oidc/logout")
    assert r.status_code == 200 and 'name="confirm"' in r.text
    assert browser.get("/en/account/").status_code == 200
    r = browser.post_form("/oidc/logout", {"confirm": "yes"})
    assert r.status_code == 200
    assert browser.get("/en/account/").status_code == 302


def test_account_page_ends_a_session_with_backchannel(
    transport, browser, make_client, receiver, demo, django_capture_on_commit_callbacks
):
    base, received = receiver
    a, sa = make_client(first_party=True, backchannel_logout_uri=f"{base}/a/logout")
    other = type(browser)(transport)
    other.login()  # the same person on another device
    rp = rp_client(transport, a.client_id, sa)
    r, verifier, _ = _flow(other, rp)
    rp.fetch_token(TOKEN, code=code_from(r)["code"], code_verifier=verifier)
    browser.login()
    page = browser.get("/en/account/connected-services/")
    assert page.status_code == 200 and "Vehicle licensing" in page.text
    from bawaba.sso.models import SessionClient

    sid = SessionClient.objects.get().sid
    csrf = __import__("re").search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        r = browser.http.post(
            f"/en/account/connected-services/sessions/{sid}/end/", data={"csrfmiddlewaretoken": csrf}
        )
    assert r.status_code == 302
    assert [p for p, _ in received] == ["/a/logout"]
    assert other.get("/en/account/").status_code == 302


def test_management_commands(db, demo, capsys, tmp_path, settings):
    import json

    call_command(
        "oidc_client",
        "create",
        "--name",
        "Tax returns",
        "--redirect-uri",
        "https://tax.example.jo/cb",
        "--redirect-uri",
        "https://tax.example.jo/cb2",
        "--scopes",
        "openid profile phone national_id",
        "--first-party",
    )
    out = json.loads(capsys.readouterr().out)
    assert out["client_id"] and len(out["client_secret"]) >= 43
    call_command(
        "oidc_client", "create", "--name", "App", "--redirect-uri", "https://app.example.jo/cb", "--public"
    )
    out = json.loads(capsys.readouterr().out)
    assert out["client_secret"] is None and out["token_endpoint_auth_method"] == "none"
    # key rotation: the next key was published before it signs; the old one stays published
    settings.KEYS_DIR = tmp_path / "keys"
    from bawaba.sso import keys

    keys._cache["checked"] = 0
    before = dict(keys.published_kids())
    next_es = next(k for k, s in before.items() if s == "next" and k.startswith("es256"))
    active_es = next(k for k, s in before.items() if s == "active" and k.startswith("es256"))
    call_command("oidc_rotate_keys")
    rotated = json.loads(capsys.readouterr().out)
    assert rotated["active"]["ES256"] == next_es
    after = dict(keys.published_kids())
    assert after[active_es] == "retired" and after[next_es] == "active"
    assert len([s for s in after.values() if s == "next"]) == 2
    assert keys.signing_key("ES256").kid == next_es


# -- authorization requests by POST (OpenID Connect Core 3.1.2.1) --------------------------------
def _post_params(rp, **params):
    """An authorization request as form fields (what a service's auto-submitting form sends)."""
    verifier, challenge = pkce_pair()
    url, state = authorize_url(rp, code_challenge=challenge, code_challenge_method="S256", **params)
    return dict(httpx.URL(url).params), verifier, state


def test_authorization_request_by_post_and_by_get(transport, browser, make_client):
    client, secret = make_client(first_party=True)
    rp = rp_client(transport, client.client_id, secret)
    browser.login()
    # POST, form-encoded, no CSRF token (a top-level navigation from the service's site)
    form, verifier, state = _post_params(rp, scope="openid profile")
    r = browser.http.post("/oidc/authorize", data=form)
    params = code_from(r)
    assert params["state"] == state and params["iss"] == ISSUER
    token = rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)
    claims = decode_id_token(transport, token["id_token"], client.client_id, nonce="n-0S6_WzA2Mj").claims
    assert claims["acr"] == "loa-substantial"
    # the same request by GET
    r, verifier, state = _flow(browser, rp, scope="openid profile")
    params = code_from(r)
    assert params["state"] == state
    token = rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)
    assert decode_id_token(transport, token["id_token"], client.client_id).claims["sub"] == claims["sub"]


def test_post_without_a_session_continues_as_get_to_the_login(transport, browser, make_client):
    """A cross-site POST carries no SameSite=Lax session cookie: the provider answers 303
    with the same request by GET (which carries it), so nobody is asked to log in twice."""
    client, secret = make_client(first_party=True)
    rp = rp_client(transport, client.client_id, secret)
    form, verifier, state = _post_params(rp, scope="openid profile", acr_values="loa-substantial")
    r = browser.http.post("/oidc/authorize", data=form)
    assert r.status_code == 303
    again = httpx.URL(r.headers["location"])
    assert again.path == "/oidc/authorize" and dict(again.params) == form
    r = browser.get(r.headers["location"])
    r = browser.login_form(r)
    params = code_from(browser.follow(r))
    assert params["state"] == state
    assert rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)["id_token"]
    # once logged in, a POST is answered at once (same site, or the cookie allowed)
    form, _, state = _post_params(rp, scope="openid")
    assert code_from(browser.http.post("/oidc/authorize", data=form))["state"] == state


def test_post_bad_requests_are_refused_as_by_get(transport, browser, make_client):
    client, secret = make_client(first_party=True)
    rp = rp_client(transport, client.client_id, secret)
    browser.login()
    form, _, state = _post_params(rp)
    # an unregistered return address: an error page, never a redirect
    r = browser.http.post("/oidc/authorize", data={**form, "redirect_uri": "https://evil.example/cb"})
    assert r.status_code == 400 and "location" not in r.headers
    r = browser.http.post("/oidc/authorize", data={**form, "client_id": "no-such-client"})
    assert r.status_code == 400 and "location" not in r.headers and "invalid_client" in r.text
    # errors the service should hear about go back to it
    r = browser.http.post("/oidc/authorize", data={**form, "response_type": "token"})
    q = code_from(r)
    assert q["error"] == "unsupported_response_type" and q["state"] == state and "code" not in q
    r = browser.http.post("/oidc/authorize", data={**form, "scope": "profile"})
    assert code_from(r)["error"] == "invalid_scope"
    # other methods are not allowed
    assert browser.http.put("/oidc/authorize", data=form).status_code == 405
    from bawaba.sso.models import AuthorizationCode

    assert not AuthorizationCode.objects.exists()


def test_consent_decision_by_post_still_needs_the_csrf_token(transport, browser, make_client):
    """The protocol POST is CSRF-exempt; the consent page's decision is not: another site
    cannot make a logged-in person 'allow' a service."""
    client, secret = make_client(name_en="Vehicle licensing")
    rp = rp_client(transport, client.client_id, secret)
    browser.login()
    form, verifier, state = _post_params(rp, scope="openid profile phone", ui_locales="en")
    page = browser.http.post("/oidc/authorize", data=form)
    assert page.status_code == 200 and "Vehicle licensing" in page.text and 'name="decision"' in page.text
    action = html.unescape(
        re.search(r'<form method="post" action="([^"]+)" class="consent-form"', page.text).group(1)
    )
    assert dict(httpx.URL(action).params) == form  # the request travels with the decision
    from bawaba.sso.models import Consent

    # forged: the decision without the page's CSRF token, in the query or in the body
    r = browser.http.post(action, data={"decision": "allow"})
    assert r.status_code == 403 and "location" not in r.headers
    r = browser.http.post("/oidc/authorize", data={**form, "decision": "allow"})
    assert r.status_code == 403 and "location" not in r.headers
    assert not Consent.objects.exists()
    # the person's own decision
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    r = browser.http.post(action, data={"decision": "allow", "csrfmiddlewaretoken": csrf})
    params = code_from(r)
    assert params["state"] == state and Consent.objects.get().scopes == ["openid", "phone", "profile"]
    assert rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)["id_token"]


def test_signing_keys_follow_the_keys_directory_at_once(settings, tmp_path):
    """The per-process key cache belongs to one directory: pointing KEYS_DIR elsewhere (and
    back), within the cache's 2-second window, never signs with one directory's key while
    publishing the other's."""
    from bawaba.sso import keys

    original = settings.KEYS_DIR
    first = keys.signing_key("ES256").kid
    settings.KEYS_DIR = tmp_path / "other-keys"
    other = keys.signing_key("ES256").kid
    assert other != first
    assert other in dict(keys.published_kids()) and first not in dict(keys.published_kids())
    settings.KEYS_DIR = original
    assert keys.signing_key("ES256").kid == first
    assert first in dict(keys.published_kids())


def _login_post(browser, page, **data):
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', page.text).group(1))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return action, browser.http.post(action, data={**data, "csrfmiddlewaretoken": token})


def test_login_form_at_the_authorization_endpoint_bad_input(transport, browser, make_client):
    """The form the authorization endpoint shows: a wrong password, an empty form, a missing
    CSRF token or an unknown service issue nothing and log nobody in."""
    from bawaba.identity.models import UserSession
    from bawaba.sso.models import AuthorizationCode

    client, secret = make_client(first_party=True)
    rp = rp_client(transport, client.client_id, secret)
    page, verifier, state = _flow(browser, rp, ui_locales="en")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert 'name="password"' in page.text and "/login/passkey/" in page.text
    # wrong password: 401, the form again with the error, no code, no session
    action, r = _login_post(browser, page, username="2000112345", password="wrong-password-1")
    assert r.status_code == 401 and 'name="password"' in r.text
    assert "not correct" in r.text
    # an empty form: 422
    _, r = _login_post(browser, page, username="", password="")
    assert r.status_code == 422 and 'name="password"' in r.text
    # no CSRF token: refused before any check
    r = browser.http.post(action, data={"username": "2000112345", "password": "Bawaba-Demo-2026"})
    assert r.status_code == 403
    # an unknown service: its error page, no password checked
    bad = action.replace(f"client_id={client.client_id}", "client_id=nobody")
    _, r = _login_post(browser, page, username="2000112345", password="Bawaba-Demo-2026")
    assert r.status_code == 302  # (the right request logs in; now the crafted one, anew)
    browser.http.cookies.clear()
    page2, *_ = _flow(browser, rp)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page2.text).group(1)
    before = UserSession.objects.count()
    r = browser.http.post(
        bad, data={"username": "2000112345", "password": "Bawaba-Demo-2026", "csrfmiddlewaretoken": token}
    )
    assert r.status_code == 400 and "not registered" in r.text
    assert UserSession.objects.count() == before
    assert AuthorizationCode.objects.count() == 1  # only the one of the good login


def test_login_form_password_only_answers_with_the_code_at_once(transport, browser, make_client):
    """A password-only login (no second factor): the form's POST answers with the redirect
    to the service carrying the code — no second pass through the endpoint."""
    client, secret = make_client(first_party=True)
    rp = rp_client(transport, client.client_id, secret)
    page, verifier, state = _flow(browser, rp, ui_locales="ar")
    assert 'lang="ar"' in page.text and 'dir="rtl"' in page.text
    _, r = _login_post(browser, page, username="2000112345", password="Bawaba-Demo-2026")
    assert r.status_code == 302 and r.headers["location"].startswith(RP_CALLBACK + "?")
    params = code_from(r)
    assert params["state"] == state and params["iss"] == ISSUER
    assert "bawaba_device" in r.headers.get("set-cookie", "")
    token = rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)
    claims = decode_id_token(transport, token["id_token"], client.client_id).claims
    assert claims["acr"] == "loa-low" and claims["amr"] == ["pwd"] and claims["sid"]
    # the session serves the next request without a form
    r, verifier, state = _flow(browser, rp)
    assert r.status_code == 302 and code_from(r)["state"] == state


def test_login_form_throttles_like_the_login_page(transport, browser, make_client):
    client, secret = make_client(first_party=True)
    rp = rp_client(transport, client.client_id, secret)
    page, *_ = _flow(browser, rp)
    statuses = []
    for _ in range(6):
        _, r = _login_post(browser, page, username="2000112345", password="wrong-password-1")
        statuses.append(r.status_code)
    assert statuses[:4] == [401] * 4 and 429 in statuses
    assert int(r.headers.get("Retry-After", "0")) > 0


def test_a_password_posted_without_an_authorization_request_is_never_echoed(transport, browser):
    """A login form POSTed to the bare endpoint (no request in the address) is refused with
    the error page: no redirect carrying the password, nobody logged in."""
    from bawaba.identity.models import UserSession

    r = browser.http.post(
        "/oidc/authorize", data={"username": "2000112345", "password": "Bawaba-Demo-2026", "client_id": "x"}
    )
    assert r.status_code == 400 and "location" not in r.headers
    assert "Bawaba-Demo-2026" not in r.text
    assert not UserSession.objects.exists()


def test_login_form_posted_to_a_bad_authorization_request_logs_nobody_in(transport, browser, make_client):
    """The request is checked before the password: a form posted back to a request whose
    redirect_uri is not registered gets the error page, and no session starts."""
    from bawaba.identity.models import UserSession

    client, secret = make_client(first_party=True)
    rp = rp_client(transport, client.client_id, secret)
    page, *_ = _flow(browser, rp, ui_locales="en")
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', page.text).group(1))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    bad = action.replace(
        "redirect_uri=https%3A%2F%2Frp.example.jo", "redirect_uri=https%3A%2F%2Fevil.example"
    )
    assert bad != action
    r = browser.http.post(
        bad, data={"username": "2000112345", "password": "Bawaba-Demo-2026", "csrfmiddlewaretoken": token}
    )
    assert r.status_code == 400 and "location" not in r.headers
    assert not UserSession.objects.exists()


def _username_input(page) -> str:
    return re.search(r'<input[^>]*name="username"[^>]*>', page.text).group(0)


def test_login_hint_fills_in_the_identifier(transport, browser, make_client):
    """`login_hint` (OpenID Connect Core 3.1.2.1): the login form shows the identifier the
    service suggests, focuses the password, and the login then works as usual."""
    client, secret = make_client(first_party=True)
    rp = rp_client(transport, client.client_id, secret)
    page, verifier, state = _flow(browser, rp, ui_locales="en", login_hint="2000112345")
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert 'value="2000112345"' in _username_input(page)
    assert re.search(r'<input[^>]*name="password"[^>]*autofocus', page.text)
    # the hint stays with the request when the person switches language
    other = re.search(r'<a[^>]*href="([^"]*ui_locales=ar[^"]*)"', page.text).group(1)
    assert "login_hint=2000112345" in html.unescape(other)
    _, r = _login_post(browser, page, username="2000112345", password="Bawaba-Demo-2026")
    params = code_from(r)
    assert params["state"] == state
    assert rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)["id_token"]


def test_login_hint_bad_input(transport, browser, make_client):
    """A hint is only ever text in the field: markup is escaped, digits in Arabic-Indic form
    are read as the form reads them, and a hint that cannot be an identifier (too long,
    control characters) is left out. A hint for somebody else logs nobody in as them."""
    client, secret = make_client(first_party=True)
    rp = rp_client(transport, client.client_id, secret)
    page, *_ = _flow(browser, rp, login_hint='"><script>alert(1)</script>')
    assert page.status_code == 200 and "<script>alert(1)" not in page.text
    assert "&lt;script&gt;" in _username_input(page)
    page, *_ = _flow(browser, rp, login_hint="٢٠٠٠١١٢٣٤٥")
    assert 'value="2000112345"' in _username_input(page)
    for junk in ("9" * 65, "2000112345\n", "2000\x00112345"):
        page, *_ = _flow(browser, rp, login_hint=junk)
        assert page.status_code == 200 and "value=" not in _username_input(page), junk
    # the hint names one person, the password given is another's: a failed login, no code
    page, *_ = _flow(browser, rp, login_hint="2000112345")
    _, r = _login_post(browser, page, username="2000112345", password="wrong-password-1")
    assert r.status_code == 401 and 'value="2000112345"' in _username_input(r)


def test_login_hint_in_a_pushed_request(transport, browser, make_client):
    client, secret = make_client(first_party=True, require_par=True)
    verifier, challenge = pkce_pair()
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        r = c.post(
            "/oidc/par",
            data={
                "response_type": "code",
                "client_id": client.client_id,
                "redirect_uri": RP_CALLBACK,
                "scope": "openid",
                "nonce": "par-nonce",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "login_hint": "2000112345",
            },
            auth=(client.client_id, secret),
        )
    assert r.status_code == 201, r.text
    page = browser.get(
        "/oidc/authorize", params={"client_id": client.client_id, "request_uri": r.json()["request_uri"]}
    )
    assert page.status_code == 200 and 'value="2000112345"' in _username_input(page)


def _id_token(transport, browser, rp):
    r, verifier, _ = _flow(browser, rp)
    return rp.fetch_token(TOKEN, code=code_from(r)["code"], code_verifier=verifier)


def test_id_token_hint_names_the_person_expected(transport, browser, make_client, settings):
    """`id_token_hint` (OpenID Connect Core 3.1.2.1): silent re-authentication of the person
    the service names goes through, even with an expired ID token as the hint; a browser
    logged in as somebody else gets `login_required` with prompt=none, and a new login
    otherwise."""
    from .conftest import Browser

    client, secret = make_client(first_party=True)
    rp = rp_client(transport, client.client_id, secret)
    browser.login()  # Ahmad
    settings.BAWABA_OIDC_ID_TOKEN_TTL = -60  # the hint given back has expired
    ahmad = _id_token(transport, browser, rp)["id_token"]
    settings.BAWABA_OIDC_ID_TOKEN_TTL = 3600
    r, verifier, state = _flow(browser, rp, prompt="none", id_token_hint=ahmad)
    params = code_from(r)
    assert params["state"] == state and params["code"]
    assert rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)["id_token"]

    other = Browser(transport)
    other.login(username="2000112345", otp=False)
    somebody_else = _id_token(transport, other, rp)["id_token"]
    r, _, state = _flow(browser, rp, prompt="none", id_token_hint=somebody_else)
    params = code_from(r)
    assert params["error"] == "login_required" and params["state"] == state and "code" not in params
    r, _, _ = _flow(browser, rp, id_token_hint=somebody_else)
    assert r.status_code == 200 and 'name="password"' in r.text  # a new login, not Ahmad's code
    r, _, _ = _flow(browser, rp, prompt="none")
    assert code_from(r)["error"] == "login_required"  # the browser's session was ended


def test_id_token_hint_bad_input(transport, browser, make_client):
    """A hint that is not an ID token this provider issued to this service — tampered,
    another service's, an access token, not a JWT — is `invalid_request`, and no code."""
    a, a_secret = make_client(first_party=True)
    b, b_secret = make_client(first_party=True)
    rp_a = rp_client(transport, a.client_id, a_secret)
    rp_b = rp_client(transport, b.client_id, b_secret)
    browser.login()
    tokens_a = _id_token(transport, browser, rp_a)
    id_token_b = _id_token(transport, browser, rp_b)["id_token"]
    head, body, sig = tokens_a["id_token"].split(".")
    tampered = f"{head}.{body}.{sig[:-4]}{'AAAA' if sig[-4:] != 'AAAA' else 'BBBB'}"
    for hint in (tampered, id_token_b, tokens_a["access_token"], "not-a-jwt", "a.b.c"):
        r, _, state = _flow(browser, rp_a, prompt="none", id_token_hint=hint)
        params = code_from(r)
        assert params["error"] == "invalid_request" and "code" not in params, hint[:40]
        assert params["state"] == state
