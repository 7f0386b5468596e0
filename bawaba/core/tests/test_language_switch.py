"""The language switch's addresses (core.context_processors.switch_url) are exactly what
Django's translate_url gives for the full address, for every kind of page."""

import pytest
from django.test import RequestFactory
from django.urls import translate_url
from django.utils import translation

from bawaba.core.context_processors import switch_url


@pytest.mark.parametrize(
    "address",
    [
        "/",
        "/en/",
        "/services/",
        "/en/services/search/?q=%D8%AC%D9%88%D8%A7%D8%B2&page=2",
        "/services/search/?q=passport+renewal",
        "/en/services/cspd-lost-passport/",
        "/no-such-page/",
        "/en/no-such-page/?x=1",
        "/oidc/authorize?client_id=x",
        "/services/%D8%AE%D8%AF%D9%85%D8%A9/",
    ],
)
@pytest.mark.parametrize("code", ["ar", "en"])
def test_switch_url_equals_translate_url(address, code):
    request = RequestFactory().get(address)
    current = "en" if address.startswith("/en/") else "ar"
    with translation.override(current):
        expected = translate_url(request.get_full_path(), code)
        assert switch_url(request, current, code) == expected
        assert switch_url(request, current, code) == expected  # remembered, same answer
