"""Rendering every catalogue page into the shared page store (catalog.pagestore) ahead of
visitors: after each publication (a task for the worker) and at `bawaba setup`.

Pages are rendered by calling the site's own WSGI application in-process, anonymously, in
both languages, so what is stored is exactly what a first visitor would have caused to be
stored (the same view, middleware and cache keys)."""

from __future__ import annotations

import io
import logging
import math
import sys
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

from django.conf import settings

from .. import pagestore, selectors

log = logging.getLogger(__name__)

COMPLETE = ".complete"


def catalogue_addresses() -> Iterator[str]:
    """Every public catalogue page of the published catalogue, in both languages, most
    visited first: home, lists (every page of the full list; the first page of each
    category, agency and life event), then every service."""
    total = selectors.service_list().count()
    pages = max(1, math.ceil(total / 20))
    slugs = list(selectors.service_list().values_list("slug", flat=True))
    for prefix in ("", "/en"):
        yield prefix + "/"
        yield prefix + "/services/"
        yield prefix + "/services/agencies/"
    for prefix in ("", "/en"):
        for n in range(2, pages + 1):
            yield f"{prefix}/services/?page={n}"
        for category in selectors.categories():
            yield f"{prefix}/services/?category={category.key}"
        for agency in selectors.agencies():
            yield f"{prefix}/services/agencies/{agency.code}/"
        for event in selectors.life_events():
            yield f"{prefix}/services/life-events/{event.key}/"
    for slug in slugs:
        yield f"/services/{slug}/"
        yield f"/en/services/{slug}/"


def _wsgi_get(app, host: str, port: str, scheme: str, address: str) -> int:  # type: ignore[no-untyped-def]
    parts = urlsplit(address)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": host,
        "SERVER_PORT": port,
        "HTTP_HOST": host if port in ("80", "443") else f"{host}:{port}",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_USER_AGENT": "bawaba-prerender",
        "wsgi.url_scheme": scheme,
        # As the production proxy sends it (SECURE_PROXY_SSL_HEADER); Django would fall back
        # to wsgi.url_scheme without it, but the request then looks like a proxied one.
        "HTTP_X_FORWARDED_PROTO": scheme,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    status: list[str] = []

    def start_response(line, headers, exc_info=None):  # type: ignore[no-untyped-def]
        status.append(line)

    body = app(environ, start_response)
    try:
        for _chunk in body:
            pass
    finally:
        if hasattr(body, "close"):
            body.close()
    return int(status[0].split()[0]) if status else 500


def pages_prerender(*, force: bool = False) -> dict:
    """Render every catalogue page of the current publication into the page store, then
    remove the pages of earlier publications. Skipped (quickly) when the store is off or
    this publication's pages are already complete."""
    if pagestore.root() is None:
        return {"enabled": False}
    selectors.catalogue_caches_reset()  # read the current stamp, not a cached one
    stamp = selectors.catalogue_stamp_cached()
    marker = pagestore.root() / stamp / COMPLETE  # type: ignore[operator]
    if marker.exists() and not force:
        return {"enabled": True, "stamp": stamp, "skipped": True}
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    app = WSGIHandler()
    # One connection for the whole run (as Django's test client does): the handler would
    # otherwise close it after every page.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    base = urlsplit(settings.BASE_URL)
    host, scheme = base.hostname or "127.0.0.1", base.scheme or "http"
    port = str(base.port or (443 if scheme == "https" else 80))
    started = time.perf_counter()
    rendered = failed = 0
    try:
        for address in catalogue_addresses():
            if selectors.catalogue_stamp_cached() != stamp:
                break  # published again meanwhile: that publication's task takes over
            code = _wsgi_get(app, host, port, scheme, address)
            if code == 200:
                rendered += 1
            else:
                failed += 1
                log.warning("prerender %s: HTTP %s", address, code)
        else:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        selectors.page_cache_clear()  # this process does not serve them: free the memory
    removed = pagestore.prune(keep=stamp)
    return {
        "enabled": True,
        "stamp": stamp,
        "rendered": rendered,
        "failed": failed,
        "stored": pagestore.count(stamp),
        "old_publications_removed": removed,
        "seconds": round(time.perf_counter() - started, 1),
    }


def pages_prerender_enqueue() -> None:
    """After a publication: have the task worker render the new catalogue's pages."""
    if pagestore.root() is None or not getattr(settings, "BAWABA_PAGE_PRERENDER", True):
        return
    from ..tasks import catalogue_pages_prerender

    try:
        catalogue_pages_prerender.enqueue()
    except Exception:  # noqa: BLE001 — pages are rendered on first visit anyway
        log.exception("could not queue the catalogue prerender task")
