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
