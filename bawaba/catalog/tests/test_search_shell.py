"""The search page assembled from its per-language shell (catalog.views._search_from_shell)
is exactly the page rendered in full, for any query."""

import re

import pytest
from django.test import Client

from bawaba.catalog import selectors, views

TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')


def _page(address: str, *, shell: bool, monkeypatch) -> bytes:
    monkeypatch.setattr(views, "SEARCH_SHELL", shell)
    selectors.page_cache_clear()
    r = Client().get(address)
    assert r.status_code == 200
    return TOKEN.sub(rb"\1TOKEN\2", r.content)


@pytest.mark.parametrize(
    "address",
    [
        "/services/search/?q=%D8%AC%D9%88%D8%A7%D8%B2",
        "/en/services/search/?q=passport",
        "/en/services/search/?q=licence&page=2",
        "/en/services/search/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E+%22x%22+%26+y",
        "/services/search/?q=zzzzqqq",
        "/en/services/search/?q=%D8%B4%D9%87%D8%AF%D8%A9+%D9%85%D9%8A%D9%84%D8%A7%D8%AF&x=%3C%3E",
    ],
)
def test_shell_page_equals_full_render(catalogue, monkeypatch, address):
    full = _page(address, shell=False, monkeypatch=monkeypatch)
    assembled = _page(address, shell=True, monkeypatch=monkeypatch)
    assert b"\x00" not in assembled
    assert assembled == full
    assert b"<script>alert(1)" not in assembled


def test_shell_page_has_a_working_feedback_form_for_each_visitor(catalogue):
    address = "/en/services/search/?q=passport"
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        page = visitor.get(address)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        r = visitor.post(
            "/en/feedback/", {"kind": "useful", "path": "/en/services/search/", "csrfmiddlewaretoken": token}
        )
        assert r.status_code in (200, 302)
        selectors.page_cache_clear()
