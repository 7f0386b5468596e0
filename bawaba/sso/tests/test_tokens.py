"""Refresh rotation and reuse detection, code replay, PKCE, client credentials, client
authentication (secrets, private_key_jwt), revocation and introspection."""

from __future__ import annotations

import time

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc.jwk import ECKey

from .conftest import ISSUER, authorize_url, client_assertion, code_from, pkce_pair, rp_client

TOKEN = f"{ISSUER}/oidc/token"


def _login_and_code(transport, browser, client, secret=None, method="client_secret_basic", **params):
    rp = rp_client(transport, client.client_id, secret, method=method)
    verifier, challenge = pkce_pair()
    url, _state = authorize_url(rp, code_challenge=challenge, code_challenge_method="S256", **params)
    r = browser.authorize(url)
    return rp, verifier, code_from(browser.follow(r))


def _post(transport, data, auth=None):
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        return c.post("/oidc/token", data=data, auth=auth)


def test_refresh_rotation_and_reuse_detection(transport, browser, make_client):
    client, secret = make_client(first_party=True)
    rp, verifier, params = _login_and_code(transport, browser, client, secret)
    t1 = rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)
    t2 = rp.refresh_token(TOKEN, refresh_token=t1["refresh_token"])
    assert t2["refresh_token"] != t1["refresh_token"] and t2["access_token"] != t1["access_token"]
    # the old refresh token presented again: refused, and the whole family is revoked
    r = _post(
        transport,
        {"grant_type": "refresh_token", "refresh_token": t1["refresh_token"]},
        (client.client_id, secret),
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    r = _post(
        transport,
        {"grant_type": "refresh_token", "refresh_token": t2["refresh_token"]},
        (client.client_id, secret),
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        r = c.get("/oidc/userinfo", headers={"Authorization": f"Bearer {t2['access_token']}"})
        assert r.status_code == 401
        r = c.post("/oidc/introspect", data={"token": t2["access_token"]}, auth=(client.client_id, secret))
        assert r.json() == {"active": False}


def test_code_works_once_and_replay_revokes(transport, browser, make_client):
    client, secret = make_client(first_party=True)
    rp, verifier, params = _login_and_code(transport, browser, client, secret)
    token = rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)
    data = {
        "grant_type": "authorization_code",
        "code": params["code"],
        "code_verifier": verifier,
        "redirect_uri": rp.redirect_uri,
    }
    r = _post(transport, data, (client.client_id, secret))
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert "access_token" not in r.json()
    # the tokens issued with the code are revoked
    r = _post(
        transport,
        {"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
        (client.client_id, secret),
    )
    assert r.json()["error"] == "invalid_grant"
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        assert (
            c.get("/oidc/userinfo", headers={"Authorization": f"Bearer {token['access_token']}"}).status_code
            == 401
        )


def test_code_expires_after_60_seconds(transport, browser, make_client, monkeypatch):
    client, secret = make_client(first_party=True)
    rp, verifier, params = _login_and_code(transport, browser, client, secret)
    import datetime as dt

    from django.utils import timezone

    from bawaba.sso.models import AuthorizationCode

    AuthorizationCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = _post(
        transport,
        {
            "grant_type": "authorization_code",
            "code": params["code"],
            "code_verifier": verifier,
            "redirect_uri": rp.redirect_uri,
        },
        (client.client_id, secret),
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    row = AuthorizationCode.objects.get()
    assert (row.expires_at - row.created_at).total_seconds() <= 60


def test_public_client_needs_pkce_and_wrong_verifier_fails(transport, browser, make_client):
    client, _ = make_client(public=True, first_party=True)
    rp = rp_client(transport, client.client_id, None, method="none")
    url, state = authorize_url(rp)  # no code_challenge
    browser.login()
    r = browser.get(url)
    assert r.status_code == 302
    q = httpx.URL(r.headers["location"]).params
    assert q["error"] == "invalid_request" and q["state"] == state
    # plain is refused
    verifier, challenge = pkce_pair()
    url, _ = authorize_url(rp, code_challenge=verifier, code_challenge_method="plain")
    assert httpx.URL(browser.get(url).headers["location"]).params["error"] == "invalid_request"
    # S256 with a wrong verifier: invalid_grant, nothing issued
    url, _ = authorize_url(rp, code_challenge=challenge, code_challenge_method="S256")
    params = code_from(browser.get(url))
    r = _post(
        transport,
        {
            "grant_type": "authorization_code",
            "code": params["code"],
            "client_id": client.client_id,
            "redirect_uri": rp.redirect_uri,
            "code_verifier": "x" * 50,
        },
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant" and "access_token" not in r.json()
    # a missing verifier for a public client
    url, _ = authorize_url(rp, code_challenge=challenge, code_challenge_method="S256")
    params = code_from(browser.get(url))
    r = _post(
        transport,
        {
            "grant_type": "authorization_code",
            "code": params["code"],
            "client_id": client.client_id,
            "redirect_uri": rp.redirect_uri,
        },
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    # and the right one works
    url, _ = authorize_url(rp, code_challenge=challenge, code_challenge_method="S256")
    params = code_from(browser.get(url))
    token = rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)
    assert token["id_token"]


def test_client_credentials(transport, make_client):
    client, secret = make_client(scopes="openid profile")
    with OAuth2Client(client.client_id, secret, transport=transport) as c:
        token = c.fetch_token(TOKEN, grant_type="client_credentials")
    assert token["token_type"] == "Bearer" and "refresh_token" not in token and "id_token" not in token
    r = _post(
        transport, {"grant_type": "client_credentials", "scope": "national_id"}, (client.client_id, secret)
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    pub, _ = make_client(public=True)
    r = _post(transport, {"grant_type": "client_credentials", "client_id": pub.client_id})
    assert r.status_code in (400, 401) and r.json()["error"] in ("invalid_client", "unauthorized_client")


@pytest.mark.parametrize(
    "data,auth,status,error",
    [
        ({"grant_type": "client_credentials"}, ("nobody", "x" * 43), 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, "WRONG", 401, "invalid_client"),
        ({"grant_type": "client_credentials", "client_secret": "wrong"}, "POSTID", 401, "invalid_client"),
        (
            {"grant_type": "password", "username": "9861001234", "password": "Bawaba-Demo-2026"},
            "OK",
            400,
            "unsupported_grant_type",
        ),
        ({"grant_type": "implicit"}, "OK", 400, "unsupported_grant_type"),
        (
            {
                "grant_type": "authorization_code",
                "code": "nope",
                "redirect_uri": "https://rp.example.jo/callback",
            },
            "OK",
            400,
            "invalid_grant",
        ),
        ({"grant_type": "refresh_token", "refresh_token": "nope"}, "OK", 400, "invalid_grant"),
        ({"grant_type": "refresh_token"}, "OK", 400, "invalid_request"),
    ],
)
def test_token_endpoint_bad_input(transport, make_client, data, auth, status, error):
    client, secret = make_client()
    if auth == "OK":
        auth = (client.client_id, secret)
    elif auth == "WRONG":
        auth = (client.client_id, "wrong-" + secret)
    elif auth == "POSTID":
        data = {**data, "client_id": client.client_id}
        auth = None
    r = _post(transport, data, auth)
    assert r.status_code == status, r.text
    assert r.json()["error"] == error
    assert "access_token" not in r.json()
    assert r.headers["Cache-Control"] == "no-store"


def test_client_secret_post_and_hashed_storage(transport, make_client):
    client, secret = make_client(auth_method="client_secret_post")
    from bawaba.sso.models import Client

    assert secret not in Client.objects.get(pk=client.pk).client_secret_hash
    assert len(secret) >= 43  # 256 bits
    r = _post(
        transport,
        {"grant_type": "client_credentials", "client_id": client.client_id, "client_secret": secret},
    )
    assert r.status_code == 200
    # basic is not this client's method
    r = _post(transport, {"grant_type": "client_credentials"}, (client.client_id, secret))
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"


@pytest.fixture
def pkjwt_client(make_client):
    key = ECKey.generate_key("P-256", parameters={"kid": "agency-1"}, private=True)
    client, _ = make_client(auth_method="private_key_jwt", jwks={"keys": [key.as_dict(private=False)]})
    return client, key


def test_private_key_jwt(transport, pkjwt_client):
    client, key = pkjwt_client
    with OAuth2Client(
        client.client_id,
        key,
        token_endpoint_auth_method=PrivateKeyJWT(TOKEN, alg="ES256", headers={"kid": "agency-1"}),
        transport=transport,
    ) as c:
        token = c.fetch_token(TOKEN, grant_type="client_credentials")
    assert token["access_token"]


@pytest.mark.parametrize(
    "mutate",
    ["malformed", "expired", "replay", "wrong_key", "wrong_aud", "no_jti", "too_long"],
)
def test_private_key_jwt_bad_assertions(transport, pkjwt_client, mutate):
    client, key = pkjwt_client
    base = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    }
    if mutate == "malformed":
        assertion = "eyJhbGciOiJFUzI1NiJ9.not-json.sig"
    elif mutate == "expired":
        assertion = client_assertion(
            key, client.client_id, iat=int(time.time()) - 600, exp=int(time.time()) - 300
        )
    elif mutate == "replay":
        assertion = client_assertion(key, client.client_id)
        assert _post(transport, {**base, "client_assertion": assertion}).status_code == 200
    elif mutate == "wrong_key":
        other = ECKey.generate_key("P-256", private=True)
        assertion = client_assertion(other, client.client_id)
    elif mutate == "wrong_aud":
        assertion = client_assertion(key, client.client_id, aud="https://elsewhere.example/token")
    elif mutate == "no_jti":
        assertion = client_assertion(key, client.client_id, jti=None)
    else:
        assertion = client_assertion(key, client.client_id, exp=int(time.time()) + 7200)
    r = _post(transport, {**base, "client_assertion": assertion})
    assert r.status_code in (400, 401), r.text
    assert r.json()["error"] == "invalid_client"
    assert "access_token" not in r.json()


def test_revocation_and_introspection(transport, browser, make_client):
    client, secret = make_client(first_party=True)
    other, other_secret = make_client(name_en="Other")
    rs, rs_secret = make_client(name_en="Resource server")
    from bawaba.sso.models import Client

    Client.objects.filter(pk=rs.pk).update(can_introspect=True)
    rp, verifier, params = _login_and_code(transport, browser, client, secret)
    token = rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        info = c.post(
            "/oidc/introspect", data={"token": token["access_token"]}, auth=(client.client_id, secret)
        ).json()
        assert (
            info["active"] is True
            and info["client_id"] == client.client_id
            and info["acr"] == "loa-substantial"
        )
        # another client may not introspect it; a resource server may
        assert c.post(
            "/oidc/introspect", data={"token": token["access_token"]}, auth=(other.client_id, other_secret)
        ).json() == {"active": False}
        assert (
            c.post(
                "/oidc/introspect", data={"token": token["access_token"]}, auth=(rs.client_id, rs_secret)
            ).json()["active"]
            is True
        )
        assert c.post("/oidc/introspect", data={"token": token["access_token"]}).status_code == 401
        assert c.post(
            "/oidc/introspect", data={"token": "garbage"}, auth=(client.client_id, secret)
        ).json() == {"active": False}
        # revoke the access token alone
        r = c.post(
            "/oidc/revoke",
            data={"token": token["access_token"], "token_type_hint": "access_token"},
            auth=(client.client_id, secret),
        )
        assert r.status_code == 200
        assert c.post(
            "/oidc/introspect", data={"token": token["access_token"]}, auth=(client.client_id, secret)
        ).json() == {"active": False}
        # refresh still works until revoked
        rt = token["refresh_token"]
        assert (
            c.post("/oidc/introspect", data={"token": rt}, auth=(client.client_id, secret)).json()["active"]
            is True
        )
        assert c.post("/oidc/revoke", data={"token": rt}, auth=(client.client_id, secret)).status_code == 200
        r = c.post(
            "/oidc/token",
            data={"grant_type": "refresh_token", "refresh_token": rt},
            auth=(client.client_id, secret),
        )
        assert r.json()["error"] == "invalid_grant"
        # unknown tokens: 200 (RFC 7009 2.2); no client authentication: 401
        assert (
            c.post("/oidc/revoke", data={"token": "unknown"}, auth=(client.client_id, secret)).status_code
            == 200
        )
        assert (
            c.post("/oidc/revoke", data={"token": "unknown"}, auth=(client.client_id, "bad")).status_code
            == 401
        )


def _id_token(transport, token, client):
    from .conftest import decode_id_token

    return decode_id_token(transport, token, client.client_id)


def test_refresh_returns_a_new_id_token_for_the_original_authentication(transport, browser, make_client):
    """OpenID Connect Core 12.2: same iss, sub, aud, azp; the original auth_time, acr, amr and
    sid; a new iat; no nonce."""
    client, secret = make_client(first_party=True)
    rp, verifier, params = _login_and_code(transport, browser, client, secret, scope="openid profile phone")
    t1 = rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)
    first = _id_token(transport, t1["id_token"], client).claims
    assert first["nonce"] == "n-0S6_WzA2Mj"
    time.sleep(1.05)  # so that the new token's iat differs
    t2 = rp.refresh_token(TOKEN, refresh_token=t1["refresh_token"])
    obj = _id_token(transport, t2["id_token"], client)
    again = obj.claims
    for claim in ("iss", "sub", "aud", "azp", "auth_time", "acr", "amr", "sid"):
        assert again[claim] == first[claim], claim
    assert again["iat"] > first["iat"] and again["exp"] > time.time()
    assert "nonce" not in again
    assert obj.header["alg"] == "ES256" and obj.header["typ"] == "JWT"
    # bound to the new access token; the scope's claims as at login
    from authlib.oidc.core.util import create_half_hash

    assert again["at_hash"] == create_half_hash(t2["access_token"], "ES256").decode()
    assert again["phone_number"] == first["phone_number"] and again["name#ar"] == first["name#ar"]
    # a narrowed refresh: the ID token carries only what the narrower scope allows
    t3 = rp.refresh_token(TOKEN, refresh_token=t2["refresh_token"], scope="openid")
    narrowed = _id_token(transport, t3["id_token"], client).claims
    assert narrowed["sub"] == first["sub"] and "phone_number" not in narrowed and "name" not in narrowed


def test_refresh_id_token_uses_the_clients_algorithm(transport, browser, make_client):
    client, secret = make_client(first_party=True, id_token_alg="RS256")
    rp, verifier, params = _login_and_code(transport, browser, client, secret)
    t1 = rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)
    t2 = rp.refresh_token(TOKEN, refresh_token=t1["refresh_token"])
    assert _id_token(transport, t2["id_token"], client).header["alg"] == "RS256"


def test_no_id_token_on_refresh_without_openid_or_when_refused(transport, browser, make_client):
    from bawaba.sso.models import TokenFamily

    client, secret = make_client(first_party=True)
    rp, verifier, params = _login_and_code(transport, browser, client, secret)
    t1 = rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)
    # a grant that was not an OpenID Connect authentication (no openid scope)
    TokenFamily.objects.update(scope="profile")
    r = _post(
        transport,
        {"grant_type": "refresh_token", "refresh_token": t1["refresh_token"]},
        (client.client_id, secret),
    )
    assert r.status_code == 200 and "id_token" not in r.json() and r.json()["access_token"]
    # a refused refresh (the used token again) gives nothing, an ID token least of all
    r = _post(
        transport,
        {"grant_type": "refresh_token", "refresh_token": t1["refresh_token"]},
        (client.client_id, secret),
    )
    assert r.status_code == 400 and set(r.json()) <= {"error", "error_description"}


def test_regenerated_secret_takes_effect_at_once_in_every_process(transport, make_client, monkeypatch):
    """Each server process caches clients for BAWABA_OIDC_CLIENT_CACHE_SECONDS; the secret is
    nevertheless checked against the database, so a process that did not make the change
    refuses the old secret and accepts the new one at once."""
    from bawaba.sso import clients, services

    client, old = make_client()
    cc = {"grant_type": "client_credentials"}
    assert _post(transport, cc, (client.client_id, old)).status_code == 200  # cached now
    cached = clients.client_get(client.client_id)
    # regenerated elsewhere: this process's cache is not cleared
    monkeypatch.setattr(services, "client_cache_clear", lambda *a, **k: None)
    new = services.client_secret_regenerate(client_id=client.client_id)
    assert clients._cache[client.client_id][1] is cached  # still the stale entry
    r = _post(transport, cc, (client.client_id, old))
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert _post(transport, cc, (client.client_id, new)).status_code == 200
    # deactivated elsewhere: refused at once too
    from bawaba.sso.models import Client

    Client.objects.filter(pk=client.pk).update(is_active=False)
    assert _post(transport, cc, (client.client_id, new)).status_code == 401


def test_refused_client_authentication_is_audited(transport, make_client):
    """Each invalid_client at the token, revocation and introspection endpoints is written
    to the audit log with the endpoint and the client ID as presented (Basic, form field or
    assertion)."""
    from bawaba.core.models import AuditEvent

    client, secret = make_client()
    assert (
        _post(transport, {"grant_type": "client_credentials"}, (client.client_id, "wrong")).status_code == 401
    )
    r = _post(
        transport, {"grant_type": "client_credentials", "client_id": "no-such-client", "client_secret": "x"}
    )
    assert r.status_code in (400, 401) and r.json()["error"] == "invalid_client"
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        assert (
            c.post("/oidc/revoke", data={"token": "x"}, auth=(client.client_id, "wrong")).status_code == 401
        )
        assert (
            c.post("/oidc/introspect", data={"token": "x"}, auth=(client.client_id, "wrong")).status_code
            == 401
        )
    key = ECKey.generate_key("P-256", parameters={"kid": "agency-1"}, private=True)
    pk_client, _ = make_client(auth_method="private_key_jwt", jwks={"keys": [key.as_dict(private=False)]})
    forged = client_assertion(ECKey.generate_key("P-256", private=True), pk_client.client_id)
    r = _post(
        transport,
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": forged,
        },
    )
    assert r.status_code in (400, 401) and r.json()["error"] == "invalid_client"
    events = list(AuditEvent.objects.filter(action="sso.client_auth_refused").order_by("id"))
    assert [(e.data["endpoint"], e.data["client_id"]) for e in events] == [
        ("token", client.client_id),
        ("token", "no-such-client"),
        ("revocation", client.client_id),
        ("introspection", client.client_id),
        ("token", pk_client.client_id),
    ]
    assert all(e.outcome == "failure" and e.ip == "127.0.0.1" for e in events)
    # a success is not a refusal
    assert (
        _post(transport, {"grant_type": "client_credentials"}, (client.client_id, secret)).status_code == 200
    )
    assert AuditEvent.objects.filter(action="sso.client_auth_refused").count() == 5


def test_an_address_with_too_many_refusals_waits(transport, make_client, settings):
    """After 20 refused client authentications an address gets growing delays (429 with
    Retry-After), during which even the right secret is not looked at; other addresses,
    and people logging in from the same one, are not affected."""
    from bawaba.core.models import AuditEvent

    settings.BAWABA_TRUSTED_PROXY_COUNT = 1  # the test names the address in X-Forwarded-For
    client, secret = make_client()
    bad = {"X-Forwarded-For": "203.0.113.7"}
    statuses = []
    with httpx.Client(transport=transport, base_url=ISSUER, headers=bad) as c:
        for _ in range(23):
            r = c.post(
                "/oidc/token", data={"grant_type": "client_credentials"}, auth=(client.client_id, "wrong")
            )
            statuses.append(r.status_code)
        assert statuses[:21] == [401] * 21 and statuses[-1] == 429
        assert int(r.headers["Retry-After"]) > 0 and r.json()["error"] == "temporarily_unavailable"
        r = c.post("/oidc/token", data={"grant_type": "client_credentials"}, auth=(client.client_id, secret))
        assert r.status_code == 429 and "access_token" not in r.json()
    assert AuditEvent.objects.filter(action="sso.client_auth_refused").count() == 21  # waits not audited
    with httpx.Client(transport=transport, base_url=ISSUER, headers={"X-Forwarded-For": "198.51.100.9"}) as c:
        r = c.post("/oidc/token", data={"grant_type": "client_credentials"}, auth=(client.client_id, secret))
        assert r.status_code == 200 and r.json()["access_token"]
    from .conftest import Browser

    person = Browser(transport)
    person.http.headers.update(bad)
    person.login(username="2000112345", otp=False)
    assert person.get("/en/account/").status_code == 200


def test_operators_manage_clients_from_the_command_line(transport, browser, make_client, capsys):
    """`bawaba oidc_client list | show | regenerate-secret | deactivate | activate`, as an
    operator meets them: JSON out, and each takes effect on the token endpoint at once."""
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from bawaba.core.models import AuditEvent

    client, secret = make_client(first_party=True, name_en="Civil status records")
    rp, verifier, params = _login_and_code(transport, browser, client, secret)
    refresh = rp.fetch_token(TOKEN, code=params["code"], code_verifier=verifier)["refresh_token"]

    call_command("oidc_client", "list")
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    mine = next(c for c in listed if c["client_id"] == client.client_id)
    assert mine["name_en"] == "Civil status records" and mine["is_active"] is True
    assert all("client_secret" not in c for c in listed)
    call_command("oidc_client", "show", client.client_id)
    shown = json.loads(capsys.readouterr().out)
    assert shown["redirect_uris"] == client.redirect_uris and shown["subject_type"] == "pairwise"

    call_command("oidc_client", "regenerate-secret", client.client_id)
    new_secret = json.loads(capsys.readouterr().out)["client_secret"]
    assert new_secret != secret and len(new_secret) >= 43
    cc = {"grant_type": "client_credentials"}
    assert _post(transport, cc, (client.client_id, secret)).status_code == 401
    assert _post(transport, cc, (client.client_id, new_secret)).status_code == 200

    call_command("oidc_client", "deactivate", client.client_id)
    out = json.loads(capsys.readouterr().out)
    assert out == {"client_id": client.client_id, "is_active": False, "refresh_token_families_revoked": 1}
    assert _post(transport, cc, (client.client_id, new_secret)).json()["error"] == "invalid_client"
    url, _state = authorize_url(rp, code_challenge=pkce_pair()[1], code_challenge_method="S256")
    r = browser.get(url)
    assert r.status_code == 400 and "location" not in r.headers  # nobody is sent to it
    assert AuditEvent.objects.filter(action="sso.client.deactivate", object_id=client.client_id).exists()

    call_command("oidc_client", "activate", client.client_id)
    assert json.loads(capsys.readouterr().out)["is_active"] is True
    assert _post(transport, cc, (client.client_id, new_secret)).status_code == 200
    r = _post(
        transport, {"grant_type": "refresh_token", "refresh_token": refresh}, (client.client_id, new_secret)
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"  # revoked for good

    for action in ("show", "regenerate-secret", "deactivate"):
        with pytest.raises(CommandError):
            call_command("oidc_client", action, "no-such-client")
