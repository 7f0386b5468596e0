"""DPoP (RFC 9449): sender-constrained access tokens and, for public clients, refresh tokens.
The proofs are made here with joserfc (an independent JOSE library), as a client would;
the provider is driven over HTTP."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey
from joserfc.jws import JWSRegistry

from .conftest import ISSUER, authorize_url, code_from, jwks, pkce_pair, rp_client

TOKEN = f"{ISSUER}/oidc/token"


class _Big(JWSRegistry):
    max_header_length = 4096  # an RSA key in the header


USERINFO = f"{ISSUER}/oidc/userinfo"


def proof(key, htm="POST", htu=TOKEN, *, access_token=None, alg="ES256", header=None, **claims):
    """A DPoP proof JWT signed with `key`; `claims` replace the defaults (None drops one)."""
    body = {"jti": uuid.uuid4().hex, "htm": htm, "htu": htu, "iat": int(time.time())}
    if access_token is not None:
        digest = hashlib.sha256(access_token.encode()).digest()
        body["ath"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    hdr = {"typ": "dpop+jwt", "alg": alg, "jwk": key.as_dict(private=False)}
    hdr.update(header or {})
    return jwt.encode(hdr, body, key, algorithms=[alg], registry=_Big(algorithms=[alg]))


def _http(transport):
    return httpx.Client(transport=transport, base_url=ISSUER)


def _service_token(c, client_id, secret, dpop_proof=None):
    """A client_credentials request on `c`, with the DPoP proof given, if any."""
    return c.post(
        "/oidc/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
        headers={"DPoP": dpop_proof} if dpop_proof is not None else {},
    )


def _code(transport, browser, client, secret=None, **extra):
    """A person logs in for `client`; the token request's form for the code they got back
    (`extra`: more authorization request parameters)."""
    rp = rp_client(transport, client.client_id, secret)
    verifier, challenge = pkce_pair()
    url, _state = authorize_url(rp, code_challenge=challenge, code_challenge_method="S256", **extra)
    params = code_from(browser.follow(browser.authorize(url)))
    return {
        "grant_type": "authorization_code",
        "code": params["code"],
        "code_verifier": verifier,
        "redirect_uri": rp.redirect_uri,
    }


def _claims(transport, token):
    return jwt.decode(token, jwks(transport), algorithms=["ES256"]).claims


def _userinfo(transport, token, key=None, scheme="DPoP", **kw):
    headers = {"Authorization": f"{scheme} {token}"}
    if key is not None:
        kw.setdefault("htm", "GET")
        kw.setdefault("htu", USERINFO)
        headers["DPoP"] = proof(key, access_token=token, **kw)
    with _http(transport) as c:
        return c.get("/oidc/userinfo", headers=headers)


def test_discovery_names_the_proof_algorithms(transport, db):
    with _http(transport) as c:
        doc = c.get("/.well-known/openid-configuration").json()
    assert "ES256" in doc["dpop_signing_alg_values_supported"]
    assert not {"none", "HS256"} & set(doc["dpop_signing_alg_values_supported"])


def test_public_client_tokens_are_bound_to_its_key(transport, browser, make_client):
    client, _ = make_client(public=True, first_party=True)
    key, other = ECKey.generate_key("P-256"), ECKey.generate_key("P-256")
    with _http(transport) as c:
        r = c.post(
            "/oidc/token",
            data={**_code(transport, browser, client), "client_id": client.client_id},
            headers={"DPoP": proof(key)},
        )
    assert r.status_code == 200, r.text
    t1 = r.json()
    assert t1["token_type"] == "DPoP"
    assert _claims(transport, t1["access_token"])["cnf"] == {"jkt": key.thumbprint()}

    # the resource: the token with a proof of the same key, for this request
    r = _userinfo(transport, t1["access_token"], key)
    assert r.status_code == 200 and r.json()["sub"]
    # as a bearer token: refused, with a DPoP challenge
    r = _userinfo(transport, t1["access_token"], scheme="Bearer")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("DPoP ")
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    # another key's proof, no proof, a proof without the token's hash, a proof for another URL
    for bad in (
        _userinfo(transport, t1["access_token"], other),
        _userinfo(transport, t1["access_token"]),
        _userinfo(transport, t1["access_token"], key, ath=None),
        _userinfo(transport, t1["access_token"], key, htu=f"{ISSUER}/oidc/token"),
        _userinfo(transport, t1["access_token"], key, htm="POST"),
    ):
        assert bad.status_code == 401 and bad.json()["error"] == "invalid_dpop_proof", bad.text
        assert 'algs="' in bad.headers["WWW-Authenticate"]
    # the same proof twice: the second is a replay
    same = {"Authorization": f"DPoP {t1['access_token']}"}
    same["DPoP"] = proof(key, "GET", USERINFO, access_token=t1["access_token"])
    with _http(transport) as c:
        assert c.get("/oidc/userinfo", headers=same).status_code == 200
        r = c.get("/oidc/userinfo", headers=same)
    assert r.status_code == 401 and "used before" in r.json()["error_description"]

    # the refresh token is bound too: without a proof, or with another key, it is refused
    # and not used up
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": t1["refresh_token"],
        "client_id": client.client_id,
    }
    with _http(transport) as c:
        r = c.post("/oidc/token", data=refresh)
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text
        assert "DPoP" in r.json()["error_description"]
        r = c.post("/oidc/token", data=refresh, headers={"DPoP": proof(other)})
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
        r = c.post("/oidc/token", data=refresh, headers={"DPoP": proof(key)})
    assert r.status_code == 200, r.text
    t2 = r.json()
    assert t2["token_type"] == "DPoP" and t2["refresh_token"] != t1["refresh_token"]
    assert _claims(transport, t2["access_token"])["cnf"] == {"jkt": key.thumbprint()}
    # the rotated one is bound as well
    with _http(transport) as c:
        r = c.post("/oidc/token", data={**refresh, "refresh_token": t2["refresh_token"]})
    assert r.status_code == 400
    # and a resource server that may introspect sees the binding
    from bawaba.sso.models import Client

    rs, rs_secret = make_client(name_en="Resource server")
    Client.objects.filter(pk=rs.pk).update(can_introspect=True)
    with _http(transport) as c:
        intro = c.post(
            "/oidc/introspect", data={"token": t2["refresh_token"]}, auth=(rs.client_id, rs_secret)
        )
    assert intro.json()["active"] and intro.json()["cnf"] == {"jkt": key.thumbprint()}


def test_confidential_client_access_tokens_bound_refresh_not(transport, browser, make_client):
    client, secret = make_client(first_party=True)
    key = ECKey.generate_key("P-256")
    auth = (client.client_id, secret)
    with _http(transport) as c:
        r = c.post(
            "/oidc/token",
            data=_code(transport, browser, client, secret),
            auth=auth,
            headers={"DPoP": proof(key)},
        )
        assert r.status_code == 200, r.text
        t1 = r.json()
        assert t1["token_type"] == "DPoP"
        intro = c.post("/oidc/introspect", data={"token": t1["access_token"]}, auth=auth).json()
        assert intro["active"] and intro["token_type"] == "DPoP" and intro["cnf"] == {"jkt": key.thumbprint()}
        # a confidential client's refresh token is bound to its authentication, not the key:
        # refreshed without a proof it gives a bearer token
        r = c.post(
            "/oidc/token",
            data={"grant_type": "refresh_token", "refresh_token": t1["refresh_token"]},
            auth=auth,
        )
        assert r.status_code == 200, r.text
        t2 = r.json()
        assert t2["token_type"] == "Bearer" and "cnf" not in _claims(transport, t2["access_token"])
        intro = c.post("/oidc/introspect", data={"token": t2["access_token"]}, auth=auth).json()
        assert intro["token_type"] == "Bearer" and "cnf" not in intro
    # a bearer token presented with the DPoP scheme: refused
    r = _userinfo(transport, t2["access_token"], key)
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"
    assert _userinfo(transport, t2["access_token"], scheme="Bearer").status_code == 200


def test_client_that_requires_dpop(transport, make_client):
    client, secret = make_client(dpop_bound_access_tokens=True)
    key = ECKey.generate_key("P-256")
    data = {"grant_type": "client_credentials", "scope": "openid"}
    with _http(transport) as c:
        r = c.post("/oidc/token", data=data, auth=(client.client_id, secret))
        assert r.status_code == 400 and r.json()["error"] == "invalid_dpop_proof"
        assert "access_token" not in r.json()
        r = c.post("/oidc/token", data=data, auth=(client.client_id, secret), headers={"DPoP": proof(key)})
    assert r.status_code == 200 and r.json()["token_type"] == "DPoP"
    assert _claims(transport, r.json()["access_token"])["cnf"] == {"jkt": key.thumbprint()}


def test_rsa_proof_accepted(transport, make_client):
    client, secret = make_client()
    key = RSAKey.generate_key(2048)
    with _http(transport) as c:
        r = _service_token(c, client.client_id, secret, proof(key, alg="PS256"))
    assert r.status_code == 200 and r.json()["token_type"] == "DPoP"
    assert _claims(transport, r.json()["access_token"])["cnf"]["jkt"] == key.thumbprint()


def _mismatched_curve(key):
    """A proof saying ES256 but signed with a P-384 key (joserfc will not make one)."""
    import json

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=False)}
    claims = {"jti": uuid.uuid4().hex, "htm": "POST", "htu": TOKEN, "iat": int(time.time())}
    signing_input = b64(json.dumps(header).encode()) + b"." + b64(json.dumps(claims).encode())
    r, s_ = decode_dss_signature(key.private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
    return (signing_input + b"." + b64(r.to_bytes(48, "big") + s_.to_bytes(48, "big"))).decode()


def _bad_proofs():
    key, other = ECKey.generate_key("P-256"), ECKey.generate_key("P-256")
    now = int(time.time())
    forged = proof(other, header={"jwk": key.as_dict(private=False)})  # signed by another key
    hmac_key = OctKey.generate_key(256)
    hs = jwt.encode(
        {"typ": "dpop+jwt", "alg": "HS256"}, {"jti": "x", "htm": "POST", "htu": TOKEN, "iat": now}, hmac_key
    )
    unsigned = (
        base64.urlsafe_b64encode(b'{"typ":"dpop+jwt","alg":"none"}').rstrip(b"=").decode()
        + "."
        + base64.urlsafe_b64encode(b'{"jti":"y","htm":"POST","htu":"%s","iat":%d}' % (TOKEN.encode(), now))
        .rstrip(b"=")
        .decode()
        + "."
    )
    private_jwk = proof(key, header={"jwk": key.as_dict(private=True)})
    p384 = ECKey.generate_key("P-384")
    import warnings

    with warnings.catch_warnings():  # joserfc rightly warns of a 1024-bit key: that is the point
        warnings.simplefilter("ignore")
        small_rsa = RSAKey.generate_key(1024)
    return {
        "not a JWT": "abc",
        "typ JWT": proof(key, header={"typ": "JWT"}),
        "HS256": hs,
        "alg none": unsigned,
        "private key in jwk": private_jwk,
        "signed by another key": forged,
        "wrong htm": proof(key, htm="GET"),
        "wrong htu": proof(key, htu=f"{ISSUER}/oidc/par"),
        "htu of another host": proof(key, htu="https://evil.example/oidc/token"),
        "too old": proof(key, iat=now - 600),
        "from the future": proof(key, iat=now + 600),
        "iat a string": proof(key, iat=str(now)),
        "no jti": proof(key, jti=None),
        "two proofs": proof(key) + "," + proof(key),
        "ES256 with a P-384 key": _mismatched_curve(p384),
        "RSA of 1024 bits": proof(small_rsa, alg="RS256"),
        "empty": "",
    }


BAD = _bad_proofs()


@pytest.mark.parametrize("case", list(BAD))
def test_bad_proofs_are_refused_at_the_token_endpoint(transport, make_client, case):
    client, secret = make_client()
    with _http(transport) as c:
        r = _service_token(c, client.client_id, secret, BAD[case])
    assert r.status_code == 400, (case, r.text)
    assert r.json()["error"] == "invalid_dpop_proof" and "access_token" not in r.json()
    assert r.headers["Cache-Control"] == "no-store"
    why = {
        "ES256 with a P-384 key": "P-256 (ES256)",
        "RSA of 1024 bits": "2048 to 4096 bits",
        "private key in jwk": "private key material",
        "signed by another key": "signature",
        "too old": "just now",
        "from the future": "just now",
        "wrong htu": "htu",
        "wrong htm": "htm",
        "two proofs": "Exactly one",
    }
    if case in why:
        assert why[case] in r.json()["error_description"], r.json()


def test_replayed_proof_and_code_not_used_up(transport, browser, make_client):
    """A refused proof at the code exchange leaves the code usable (checked before it)."""
    client, secret = make_client(first_party=True)
    key = ECKey.generate_key("P-256")
    data = _code(transport, browser, client, secret)
    first = proof(key)
    with _http(transport) as c:
        r = _service_token(c, client.client_id, secret, first)
        assert r.status_code == 200
        r = c.post("/oidc/token", data=data, auth=(client.client_id, secret), headers={"DPoP": first})
        assert r.status_code == 400 and r.json()["error"] == "invalid_dpop_proof"
        r = c.post("/oidc/token", data=data, auth=(client.client_id, secret), headers={"DPoP": proof(key)})
    assert r.status_code == 200 and r.json()["token_type"] == "DPoP"


def test_unauthenticated_request_is_invalid_client_before_the_proof(transport, make_client):
    client, _secret = make_client()
    key = ECKey.generate_key("P-256")
    p = proof(key)
    with _http(transport) as c:
        r = _service_token(c, client.client_id, "wrong", p)
        assert r.status_code == 401 and r.json()["error"] == "invalid_client"
        # the proof was not looked at: it can still be used
        _c2, secret2 = make_client()
        r = _service_token(c, _c2.client_id, secret2, p)
    assert r.status_code == 200


def test_command_registers_a_client_that_requires_dpop(db, demo, capsys):
    import json

    from django.core.management import call_command

    call_command(
        "oidc_client",
        "create",
        "--name",
        "Wallet",
        "--redirect-uri",
        "https://w.example.jo/cb",
        "--public",
        "--dpop",
    )
    created = json.loads(capsys.readouterr().out)
    call_command("oidc_client", "show", created["client_id"])
    shown = json.loads(capsys.readouterr().out)
    assert shown["dpop_bound_access_tokens"] is True and shown["token_endpoint_auth_method"] == "none"


def test_browser_based_service_cors(transport, make_client):
    """A service's own pages (its redirect URIs' origin) may call the token, userinfo and
    revocation endpoints from the browser, DPoP header included; other origins may not."""
    client, secret = make_client()  # redirect URI https://rp.example.jo/callback
    mine, theirs = "https://rp.example.jo", "https://evil.example"
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "dpop, content-type",
    }
    with _http(transport) as c:
        for path in ("/oidc/token", "/oidc/revoke", "/oidc/userinfo"):
            r = c.options(path, headers={"Origin": mine, **preflight})
            assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == mine, path
            assert "DPoP" in r.headers["Access-Control-Allow-Headers"]
            assert "Origin" in r.headers["Vary"]
            r = c.options(path, headers={"Origin": theirs, **preflight})
            assert r.status_code == 204 and "Access-Control-Allow-Origin" not in r.headers
        data = {"grant_type": "client_credentials"}
        auth = (client.client_id, secret)
        key = ECKey.generate_key("P-256")
        r = c.post("/oidc/token", data=data, auth=auth, headers={"Origin": mine, "DPoP": proof(key)})
        assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == mine
        assert "WWW-Authenticate" in r.headers["Access-Control-Expose-Headers"]
        token = r.json()["access_token"]
        for origin in (theirs, "null", mine + ".evil.example", mine.upper() + "/path"):
            r = c.post("/oidc/token", data=data, auth=auth, headers={"Origin": origin})
            assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers, origin
        # servers send no Origin: no CORS headers at all
        r = c.post("/oidc/token", data=data, auth=auth)
        assert "Access-Control-Allow-Origin" not in r.headers and "Origin" not in r.headers.get("Vary", "")
        # refusals are readable by the service's pages too (to show the error): here a
        # DPoP-bound token sent as a bearer token
        r = c.get("/oidc/userinfo", headers={"Authorization": f"Bearer {token}", "Origin": mine})
    assert r.status_code == 401 and r.headers["Access-Control-Allow-Origin"] == mine


def test_code_bound_to_a_key_by_the_authorization_request(transport, browser, make_client):
    """`dpop_jkt` (RFC 9449 section 10): only a proof of that key exchanges the code."""
    client, secret = make_client(first_party=True)
    key, other = ECKey.generate_key("P-256"), ECKey.generate_key("P-256")
    auth = (client.client_id, secret)
    rp = rp_client(transport, client.client_id, secret)

    def code(**extra):
        return _code(transport, browser, client, secret, **extra)

    with _http(transport) as c:
        data = code(dpop_jkt=key.thumbprint())
        r = c.post("/oidc/token", data=data, auth=auth, headers={"DPoP": proof(other)})
        assert r.status_code == 400 and r.json()["error"] == "invalid_dpop_proof", r.text
        assert "access_token" not in r.json()
        # used up all the same
        assert c.post("/oidc/token", data=data, auth=auth, headers={"DPoP": proof(key)}).status_code == 400
        data = code(dpop_jkt=key.thumbprint())
        assert c.post("/oidc/token", data=data, auth=auth).json()["error"] == "invalid_dpop_proof"
        data = code(dpop_jkt=key.thumbprint())
        r = c.post("/oidc/token", data=data, auth=auth, headers={"DPoP": proof(key)})
        assert r.status_code == 200 and r.json()["token_type"] == "DPoP", r.text
    # a malformed dpop_jkt: the request is refused back to the service
    verifier, challenge = pkce_pair()
    url, _ = authorize_url(
        rp, code_challenge=challenge, code_challenge_method="S256", dpop_jkt="not-a-thumbprint"
    )
    r = browser.follow(browser.authorize(url))
    assert code_from(r)["error"] == "invalid_request"


def test_pushed_request_with_a_dpop_proof_binds_the_code(transport, browser, make_client):
    client, _ = make_client(public=True, first_party=True, require_par=True)
    key, other = ECKey.generate_key("P-256"), ECKey.generate_key("P-256")
    par = f"{ISSUER}/oidc/par"
    verifier, challenge = pkce_pair()
    form = {
        "client_id": client.client_id,
        "response_type": "code",
        "redirect_uri": "https://rp.example.jo/callback",
        "scope": "openid profile",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    with _http(transport) as c:
        r = c.post(
            "/oidc/par", data={**form, "dpop_jkt": other.thumbprint()}, headers={"DPoP": proof(key, htu=par)}
        )
        assert r.status_code == 400 and r.json()["error"] == "invalid_dpop_proof"
        r = c.post("/oidc/par", data=form, headers={"DPoP": proof(key, htu=f"{ISSUER}/oidc/token")})
        assert r.status_code == 400 and r.json()["error"] == "invalid_dpop_proof"
        r = c.post("/oidc/par", data=form, headers={"DPoP": proof(key, htu=par)})
        assert r.status_code == 201, r.text
        request_uri = r.json()["request_uri"]
    url = f"/oidc/authorize?client_id={client.client_id}&request_uri={request_uri}"
    params = code_from(browser.follow(browser.authorize(url)))
    data = {
        "grant_type": "authorization_code",
        "code": params["code"],
        "code_verifier": verifier,
        "redirect_uri": form["redirect_uri"],
        "client_id": client.client_id,
    }
    with _http(transport) as c:
        r = c.post("/oidc/token", data=data, headers={"DPoP": proof(key)})
    assert r.status_code == 200 and r.json()["token_type"] == "DPoP", r.text
    assert _claims(transport, r.json()["access_token"])["cnf"] == {"jkt": key.thumbprint()}
