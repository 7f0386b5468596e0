from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation


def platform(request: HttpRequest) -> dict:
    """What every page needs: the language switch that keeps the user on the same page,
    and whether this is a demo deployment."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    switch = [
        {"code": code, "name": name, "url": translate_url(path, code), "current": code == current}
        for code, name in settings.LANGUAGES
    ]
    return {
        "bawaba_languages": switch,
        "bawaba_other_languages": [s for s in switch if not s["current"]],
        "bawaba_demo_mode": settings.DEMO_MODE,
    }
