"""The WSGI application the production server (Granian, bawaba/server.py) runs.

Machine-to-machine endpoints listed in settings.BAWABA_LEAN_PATHS (the OpenID Connect
token, JWKS, discovery, introspection... endpoints) are served by a second Django handler
whose middleware is settings.BAWABA_LEAN_MIDDLEWARE: request id, metrics and security
headers, but no sessions, CSRF, locale, authentication or messages, which those endpoints
never use (they authenticate the client on every request). Same URLconf, same views, same
error handling; every other path gets the full MIDDLEWARE. Why: docs/architecture.md,
"Lean protocol endpoints"."""

import os

from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bawaba.settings.dev")
full_application = get_wsgi_application()  # calls django.setup()

from django.conf import settings  # noqa: E402


class StaticCSPMiddleware:
    """The site's Content-Security-Policy (and report-only policy) as django-csp builds them,
    computed once: the lean endpoints never use a nonce or a per-view CSP decorator, so the
    header is the same on every response (django-csp rebuilds it per response, a third of a
    JWKS request's cost)."""

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


class ReducedMiddlewareHandler(WSGIHandler):
    """A Django WSGI handler built with its own middleware list instead of settings.MIDDLEWARE."""

    def __init__(self, middleware: list[str]) -> None:
        self.middleware_paths = list(middleware)
        super().__init__()

    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler.load_middleware reads settings.MIDDLEWARE; swap it while building
        # (once, at import time, before any request is served).
        saved = settings.MIDDLEWARE
        settings.MIDDLEWARE = self.middleware_paths
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = saved


_lean_paths = frozenset(getattr(settings, "BAWABA_LEAN_PATHS", ()))
lean_application = (
    ReducedMiddlewareHandler(settings.BAWABA_LEAN_MIDDLEWARE) if _lean_paths else full_application
)


def application(environ, start_response):  # type: ignore[no-untyped-def]
    if environ.get("PATH_INFO", "") in _lean_paths:
        return lean_application(environ, start_response)
    return full_application(environ, start_response)
