from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from bawaba.core.errors import BawabaError


def add_error(form: forms.Form, exc: BawabaError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def safe_next(request: HttpRequest, default: str = "identity:account") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default if default else settings.LOGIN_REDIRECT_URL)
