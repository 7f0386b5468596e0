"""Helpers shared by the identity tests: filling the registration form, reading codes."""

from __future__ import annotations

import html
import re

from django.test import Client
from django.utils import translation

from bawaba.conftest import last_code
from bawaba.core.phones import normalize_jordan_mobile

SARA = {
    "kind": "citizen",
    "national_number": "9922004567",
    "date_of_birth": "1992-07-02",
    "name_ar": "سارة خالد الحسن",
    "name_en": "Sara Khaled Al-Hassan",
    "phone": "0791112233",
    "password": "olive tree by the sea",
}
SARA_PHONE = "+962791112233"


def register_start(client: Client, prefix: str = "/en", **overrides):
    data = {**SARA, **overrides}
    return client.post(f"{prefix}/register/", data)


def register(client: Client, **overrides):
    """The whole registration: form, code from the SMS outbox, verification."""
    phone = normalize_jordan_mobile(overrides.get("phone", SARA["phone"]))
    response = register_start(client, **overrides)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"].endswith("/register/verify/")
    return client.post("/en/register/verify/", {"otp": last_code(phone)})


def translated(msgid: str, lang: str) -> str:
    with translation.override(lang):
        return html.escape(translation.gettext(msgid))


def page_text(response) -> str:
    return response.content.decode()


def strip_csrf(text: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
