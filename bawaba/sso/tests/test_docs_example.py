"""The Python example in docs/integrating-sso.md works against the provider."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import httpx

from .conftest import ISSUER, RP_CALLBACK

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "sso_python.py"


def _example():
    spec = importlib.util.spec_from_file_location("sso_python_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_python_example(transport, browser, make_client):
    ex = _example()
    client, secret = make_client(first_party=True, post_logout_redirect_uris=["https://rp.example.jo/bye"])
    login = ex.BawabaLogin(ISSUER, client.client_id, secret, RP_CALLBACK, transport=transport)
    session: dict = {}
    url = login.login_url(session, acr="loa-substantial")
    r = browser.get(url)
    r = browser.login(next_url=httpx.URL(r.headers["location"]).params["next"])
    r = browser.follow(r)
    query = dict(httpx.URL(r.headers["location"]).params)
    claims = login.callback(session, query)
    assert claims["acr"] == "loa-substantial"
    assert login.userinfo()["sub"] == claims["sub"]
    old = session["token"]["refresh_token"]
    assert login.refresh(session)["refresh_token"] != old
    out = browser.get(login.logout_url(session, "https://rp.example.jo/bye"))
    assert out.headers["location"] == "https://rp.example.jo/bye"
    assert ex.service_token(ISSUER, client.client_id, secret, transport=transport)
