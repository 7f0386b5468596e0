from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_urlconf, translate_url
from django.utils import translation
from django.utils.encoding import escape_uri_path, iri_to_uri


@lru_cache(maxsize=16384)
def _translated_path(urlconf: object, current: str, path: str, code: str) -> str:
    return translate_url(path, code)


def switch_url(request: HttpRequest, current: str, code: str) -> str:
    """translate_url() of this page into `code`, with the resolving of the address (the
    costly part) remembered per path: the query string is carried over unchanged, as
    translate_url does."""
    url = _translated_path(get_urlconf(), current, escape_uri_path(request.path), code)
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{iri_to_uri(query)}" if query else url


def platform(request: HttpRequest) -> dict:
    """What every page needs: the language switch that keeps the user on the same page,
    and whether this is a demo deployment."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    switch = [
        {"code": code, "name": name, "url": switch_url(request, current, code), "current": code == current}
        for code, name in settings.LANGUAGES
    ]
    return {
        "bawaba_languages": switch,
        "bawaba_other_languages": [s for s in switch if not s["current"]],
        "bawaba_demo_mode": settings.DEMO_MODE,
    }
