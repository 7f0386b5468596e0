"""The login form shown by the authorization endpoint, assembled from identity's
per-language shell, is exactly the page rendered in full."""

import re

import pytest
from django.test import Client

from bawaba.identity.services import login_flow

TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')


def _page(address: str, *, shell: bool, monkeypatch) -> bytes:
    monkeypatch.setattr(login_flow, "LOGIN_SHELL", shell)
    login_flow._shells.clear()
    r = Client().get(address)
    assert r.status_code == 200 and b'name="password"' in r.content
    return TOKEN.sub(rb"\1TOKEN\2", r.content)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_authorization_endpoint_login_form_shell_equals_full_render(db, demo, monkeypatch, lang):
    from bawaba.sso import services

    client, _secret = services.client_create(
        name_en="Vehicle licensing",
        name_ar="ترخيص المركبات",
        redirect_uris=["https://rp.example.jo/cb"],
        scopes="openid profile",
        first_party=True,
    )
    address = (
        f"/oidc/authorize?response_type=code&client_id={client.client_id}"
        "&redirect_uri=https%3A%2F%2Frp.example.jo%2Fcb&scope=openid+profile"
        f"&state=%3Cs%3E%26%22x%22&nonce=n%C3%A9&ui_locales={lang}"
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
    )
    full = _page(address, shell=False, monkeypatch=monkeypatch)
    assembled = _page(address, shell=True, monkeypatch=monkeypatch)
    assert b"\x00" not in assembled and b"%00" not in assembled
    assert assembled == full
    assert f'lang="{lang}"'.encode() in assembled
    other = "en" if lang == "ar" else "ar"
    assert f"ui_locales={other}".encode() in assembled  # the language switch stays in the flow
