"""The examples in docs/integrating-sso.md (Python with Authlib, Node.js with openid-client)
work against the provider."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from .conftest import ISSUER, RP_CALLBACK, Browser

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "sso_python.py"


def _example():
    spec = importlib.util.spec_from_file_location("sso_python_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("dpop", [False, True], ids=["bearer", "dpop"])
def test_python_example(transport, browser, make_client, dpop):
    ex = _example()
    client, secret = make_client(first_party=True, post_logout_redirect_uris=["https://rp.example.jo/bye"])
    key = ex.DPoPKey() if dpop else None
    login = ex.BawabaLogin(ISSUER, client.client_id, secret, RP_CALLBACK, dpop=key, transport=transport)
    session: dict = {}
    url = login.login_url(session, acr="loa-substantial")
    r = browser.authorize(url)
    r = browser.follow(r)
    query = dict(httpx.URL(r.headers["location"]).params)
    claims = login.callback(session, query)
    assert claims["acr"] == "loa-substantial"
    assert login.userinfo(session)["sub"] == claims["sub"]
    assert session["token"]["token_type"] == ("DPoP" if dpop else "Bearer")
    old = session["token"]["refresh_token"]
    assert login.refresh(session)["refresh_token"] != old
    from bawaba.sso import tokens

    bound = tokens.decode(session["token"]["access_token"], typ=tokens.AT_TYP)
    assert bound.get("cnf") == ({"jkt": key.key.thumbprint()} if dpop else None)
    assert login.userinfo(session)["sub"] == claims["sub"]
    out = browser.get(login.logout_url(session, "https://rp.example.jo/bye"))
    assert out.headers["location"] == "https://rp.example.jo/bye"
    assert ex.service_token(ISSUER, client.client_id, secret, transport=transport)


NODE_EXAMPLE = EXAMPLE.parent / "sso-node"


@pytest.mark.parametrize("dpop", [False, True], ids=["bearer", "dpop"])
@pytest.mark.django_db(transaction=True)
def test_node_example(live_server, settings, demo, dpop):
    """docs/examples/sso-node/login.mjs (openid-client) against a live provider on loopback:
    discovery, login with step-up to loa-substantial, code exchange with state/nonce/PKCE
    checks, userinfo, refresh rotation with a new ID token, end-session address."""
    node = shutil.which("node")
    assert node, "Node.js is needed for this test (scripts/test.sh installs it: apt-get install nodejs npm)"
    assert (NODE_EXAMPLE / "node_modules" / "openid-client").is_dir(), (
        "run: npm ci --prefix docs/examples/sso-node (scripts/test.sh does)"
    )
    from bawaba.sso import views
    from bawaba.sso.clients import client_cache_clear

    settings.BASE_URL = live_server.url  # the issuer
    views._discovery_cache.clear()
    client_cache_clear()
    try:
        _run_node_example(node, live_server.url, dpop=dpop)
    finally:
        views._discovery_cache.clear()
        client_cache_clear()


def _run_node_example(node, issuer, *, dpop=False):
    from bawaba.sso import services

    redirect, bye = "http://127.0.0.1:3000/callback", "http://127.0.0.1:3000/bye"
    client, secret = services.client_create(
        name_en="Node service",
        redirect_uris=[redirect],
        post_logout_redirect_uris=[bye],
        first_party=True,
        scopes="openid profile phone",
    )
    env = {
        **os.environ,
        "ISSUER": issuer,
        "CLIENT_ID": client.client_id,
        "CLIENT_SECRET": secret,
        "REDIRECT_URI": redirect,
        "POST_LOGOUT_REDIRECT_URI": bye,
        "DPOP": "1" if dpop else "0",
    }
    proc = subprocess.Popen(  # noqa: S603
        [node, "login.mjs"],
        cwd=NODE_EXAMPLE,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith(f"{issuer}/oidc/authorize?"), (url, proc.stderr.read() if proc.poll() else "")
        sent = httpx.URL(url).params
        assert sent["acr_values"] == "loa-substantial" and sent["code_challenge_method"] == "S256"
        # the person, in a real browser session over HTTP: log in, second factor (step-up)
        browser = Browser(None, base_url=issuer)
        r = browser.authorize(url)
        r = browser.follow(r)
        assert r.status_code == 302 and r.headers["location"].startswith(redirect + "?"), r.text[:300]
        out, err = proc.communicate(r.headers["location"] + "\n", timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    claims = result["claims"]
    assert claims["iss"] == issuer and claims["aud"] == client.client_id
    assert claims["acr"] == "loa-substantial" and "mfa" in claims["amr"]
    assert result["userinfo"]["sub"] == claims["sub"] and result["userinfo"]["given_name#en"] == "Ahmad"
    assert result["rotated"] is True
    # DPoP: openid-client's proofs accepted at the token and userinfo endpoints, the tokens bound
    from bawaba.sso import tokens

    bound = tokens.decode(result["accessToken"], typ=tokens.AT_TYP)
    if dpop:
        assert [t.lower() for t in result["tokenTypes"]] == ["dpop", "dpop"]
        assert set(bound["cnf"]) == {"jkt"}
    else:
        assert [t.lower() for t in result["tokenTypes"]] == ["bearer", "bearer"] and "cnf" not in bound
    again = result["refreshedClaims"]
    assert (again["sub"], again["auth_time"], again["sid"]) == (
        claims["sub"],
        claims["auth_time"],
        claims["sid"],
    )
    assert "nonce" not in again
    # the end-session address logs the person out and returns to the service
    out = browser.get(result["logoutUrl"])
    assert out.status_code == 302 and out.headers["location"] == bye
    assert browser.get("/en/account/").status_code == 302
