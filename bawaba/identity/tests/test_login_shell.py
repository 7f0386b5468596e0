"""The empty login page assembled from its per-language shell (identity.services.login_flow)
is exactly the page rendered in full, in both languages, whatever `next` holds (at single
sign-on's authorization endpoint: bawaba/sso/tests/test_login_form.py)."""

import re

import pytest
from django.test import Client

from bawaba.identity.services import login_flow

TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')


def _page(address: str, *, shell: bool, monkeypatch, **headers) -> bytes:
    monkeypatch.setattr(login_flow, "LOGIN_SHELL", shell)
    login_flow._shells.clear()
    r = Client(**headers).get(address)
    assert r.status_code == 200 and b'name="password"' in r.content
    return TOKEN.sub(rb"\1TOKEN\2", r.content)


@pytest.mark.parametrize(
    "address",
    [
        "/login/",
        "/en/login/",
        "/en/login/?next=/en/services/%3Fq%3D%22a%22%26b%3C%3E",
        "/login/?next=/%D8%AE%D8%AF%D9%85%D8%A7%D8%AA/",
        "/en/login/?next=https://evil.example/",
    ],
)
def test_login_shell_equals_full_render(db, monkeypatch, address):
    full = _page(address, shell=False, monkeypatch=monkeypatch)
    assembled = _page(address, shell=True, monkeypatch=monkeypatch)
    assert b"\x00" not in assembled and b"%00" not in assembled
    assert assembled == full


def test_login_shell_not_used_with_messages_waiting(db, monkeypatch):
    """A message waiting for the visitor (here: after an expired second-factor step) is shown
    on the login page, which is then rendered in full."""
    c = Client()
    r = c.get("/en/login/verify/")  # no pending login: "Please log in again."
    assert r.status_code == 302
    page = c.get(r["Location"])
    assert b"Please log in again." in page.content
