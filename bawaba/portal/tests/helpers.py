from __future__ import annotations

import re

from django.test import Client

from bawaba.conftest import login, totp_now

AHMAD = ("9861001234", "Bawaba-Demo-2026")
MAHMOUD = ("2000112345", "Bawaba-Demo-2026")


def citizen(username: str = AHMAD[0], otp: bool = True) -> Client:
    """A citizen logged in at the provider, and at the portal through single sign-on."""
    client = Client()
    r = login(client, username, "Bawaba-Demo-2026", totp_now() if otp else None)
    assert r.status_code == 302, r
    portal_sso_login(client)
    return client


def follow(client: Client, url: str, limit: int = 10):
    """GET `url` and follow redirects by their Location header; returns (response, chain)."""
    chain = []
    response = client.get(url)
    while response.status_code in (301, 302, 303) and len(chain) < limit:
        url = response["Location"]
        chain.append(url)
        response = client.get(url)
    return response, chain


def portal_sso_login(client: Client) -> None:
    """Open the dashboard once: the portal's OpenID Connect login runs (authorize -> code ->
    callback -> token) and records the session's acr for the portal."""
    response, chain = follow(client, "/en/dashboard/")
    assert response.status_code == 200, chain
    assert any("/oidc/authorize" in u for u in chain) and any("/oidc/rp/callback" in u for u in chain), chain


def staff(username: str = "officer", password: str = "Bawaba-Admin-2026") -> Client:
    client = Client()
    r = login(client, username, password, totp_now())
    assert r.status_code == 302, r
    return client


def form_state(html: str) -> dict[str, str]:
    token = re.search(r'name="token" value="([^"]+)"', html)
    version = re.search(r'name="version" value="([^"]+)"', html)
    assert token and version, html[:2000]
    return {"token": token.group(1), "version": version.group(1)}


def apply(
    client: Client, slug: str, data: dict, *, prefix: str = "/en", files: dict | None = None, state=None
):
    page = client.get(f"{prefix}/services/{slug}/apply/")
    assert page.status_code == 200, page.content[:500]
    body = {**(state or form_state(page.content.decode())), "action": "submit", **data, **(files or {})}
    return client.post(f"{prefix}/services/{slug}/apply/", body)


def reference_from(response) -> str:
    m = re.search(r"/dashboard/applications/(BWB-\d{4}-[0-9A-Z]{6})/", response["Location"])
    assert m, response["Location"]
    return m.group(1)
