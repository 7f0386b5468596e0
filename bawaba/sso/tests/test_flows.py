"""End-to-end flows driven by a standard OpenID Connect client (Authlib's OAuth2Client)
over HTTP against the provider."""

from __future__ import annotations

import httpx

from .conftest import ISSUER, authorize_url, code_from, decode_id_token, pkce_pair, rp_client


def test_discovery_and_jwks(transport, db):
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        doc = c.get("/.well-known/openid-configuration").json()
        assert doc["issuer"] == ISSUER
        assert doc["code_challenge_methods_supported"] == ["S256"]
        assert (
            "implicit" not in doc["grant_types_supported"] and "password" not in doc["grant_types_supported"]
        )
        assert doc["response_types_supported"] == ["code"]
        keys = c.get(doc["jwks_uri"].replace(ISSUER, "")).json()["keys"]
    algs = {k["alg"] for k in keys}
    assert algs == {"ES256", "RS256"}
    assert all("d" not in k for k in keys)  # never a private part


def test_code_flow_with_pkce_confidential(transport, browser, make_client):
    client, secret = make_client(first_party=True)
    rp = rp_client(transport, client.client_id, secret)
    verifier, challenge = pkce_pair()
    url, state = authorize_url(
        rp, scope="openid profile phone", code_challenge=challenge, code_challenge_method="S256"
    )
    r = browser.get(url)
    assert r.status_code == 200 and 'name="password"' in r.text
    r = browser.login_form(r)
    params = code_from(browser.follow(r))
    assert params["state"] == state and params["iss"] == ISSUER
    token = rp.fetch_token(f"{ISSUER}/oidc/token", code=params["code"], code_verifier=verifier)
    idt = decode_id_token(transport, token["id_token"], client.client_id, nonce="n-0S6_WzA2Mj")
    claims = idt.claims
    assert claims["acr"] == "loa-substantial"
    assert set(claims["amr"]) >= {"pwd", "otp", "mfa"}
    assert claims["name#ar"] == "أحمد محمد العلي" and claims["name#en"] == "Ahmad Mohammad Al-Ali"
    assert claims["phone_number"] == "+962791234567" and claims["phone_number_verified"] is True
    assert "national_number" not in claims
    assert claims["sid"] and claims["auth_time"]
    assert idt.header["alg"] == "ES256"
    info = rp.get(f"{ISSUER}/oidc/userinfo").json()
    assert info["sub"] == claims["sub"] and info["given_name#en"] == "Ahmad"
    assert "refresh_token" in token
