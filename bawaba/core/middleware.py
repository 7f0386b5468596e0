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


class StaticCSPMiddleware:
    """The site's Content-Security-Policy (and report-only policy) as django-csp builds them,
    computed once. No page uses a nonce or a per-view CSP decorator, so the header is the
    same on every response; django-csp's middleware rebuilds it for each one (a third of a
    JWKS request's cost). A response that sets its own policy keeps it."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        from csp.constants import HEADER, HEADER_REPORT_ONLY
        from csp.utils import build_policy

        self.get_response = get_response
        self.headers = [
            (name, value)
            for name, value in (
                (HEADER, build_policy()),
                (HEADER_REPORT_ONLY, build_policy(report_only=True)),
            )
            if value
        ]

    def __call__(self, request):  # type: ignore[no-untyped-def]
        response = self.get_response(request)
        if not getattr(response, "_csp_exempt", False):
            for name, value in self.headers:
                if name not in response:
                    response[name] = value
        return response
