from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from .request_context import (
    RequestContext,
    current_request_context,
    reset_request_context,
    set_request_context,
)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. X-Forwarded-For is trusted only behind a configured proxy."""
    trusted = getattr(settings, "BAWABA_TRUSTED_PROXY_COUNT", 0)
    if trusted:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= trusted:
            return forwarded[-trusted]
    return request.META.get("REMOTE_ADDR") or None


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        token = set_request_context(
            RequestContext(
                request_id=rid,
                ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", "")[:400],
            )
        )
        try:
            response = self.get_response(request)
        finally:
            reset_request_context(token)
        response["X-Request-ID"] = rid
        return response


class ApiLanguageMiddleware:
    """Pages take their language from the URL prefix; the JSON API (not under a language
    prefix) answers in the language of Accept-Language, Arabic by default."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            lang = translation.get_language_from_request(request, check_path=False)
            header = request.headers.get("Accept-Language", "")
            if not header:
                lang = settings.LANGUAGE_CODE
            translation.activate(lang)
            request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
        return self.get_response(request)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_context().request_id
        return True
