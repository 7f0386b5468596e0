"""Portal pages of the catalogue. Server-rendered, readable without JavaScript, cheap to
serve: a small constant number of queries per page and conditional GET (ETag from the
catalogue version) for anonymous visitors."""

from __future__ import annotations

import hashlib
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bawaba.core.pages import csrf_fill, csrf_punch

from . import pagestore, selectors
from .constants import LIFE_EVENT_KEYS
from .pagecache import MISSING, memo, page_cache, search_cache

MAX_Q = selectors.MAX_QUERY_LENGTH


def _lang() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE)[:2]


def _cached(key: tuple, compute):  # type: ignore[no-untyped-def]
    """A read of the published catalogue, kept in this process until the next publication."""
    return memo.get_or_compute(selectors.catalogue_version_cached(), key, compute)


def _life_events() -> list:
    return _cached(("life_events",), selectors.life_events)


def _agencies() -> list:
    return _cached(("agencies",), selectors.agencies)


def _id_page(request: HttpRequest, *, order: str = "popular", **filters: str | None):  # type: ignore[no-untyped-def]
    """A page of service ids for a list; the list's total is counted once per publication."""
    version = selectors.catalogue_version_cached()
    key = ("count", order != "popular", tuple(sorted(filters.items())))
    count = memo.get(version, key)
    page = selectors.service_id_page(
        order=order, page=request.GET.get("page"), count=None if count is MISSING else count, **filters
    )
    if count is MISSING:
        memo.put(version, key, page.paginator.count)
    return page


def _cookieless_visitor(request: HttpRequest) -> bool:
    # No session and no pending messages: the page is the same for every such visitor.
    return not request.COOKIES.get(settings.SESSION_COOKIE_NAME) and not request.COOKIES.get("messages")


def catalogue_cache(view=None, *, store: bool = True, cache=page_cache, shared: bool = True):  # type: ignore[no-untyped-def]
    """Anonymous GETs carry an ETag (catalogue stamp, language, address) and may be kept
    for a minute. Pages for visitors without a session come from a per-process cache
    (catalog.pagecache), behind it the shared page store (catalog.pagestore, unless
    `shared=False`), with the visitor's own CSRF token put in."""

    def decorate(view):  # type: ignore[no-untyped-def]
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):  # type: ignore[no-untyped-def]
            if request.method != "GET" or not _cookieless_visitor(request) or request.user.is_authenticated:
                return view(request, *args, **kwargs)
            stamp = selectors.catalogue_stamp_cached()
            raw = f"{stamp}|{_lang()}|{request.get_full_path()}"
            digest = hashlib.blake2s(raw.encode(), digest_size=12).hexdigest()
            etag = f'"c{digest}"'
            if etag in request.headers.get("If-None-Match", ""):
                response: HttpResponse = HttpResponseNotModified()
            else:
                hit = cache.get(digest) if store else None
                if hit is None and shared:
                    # Rendered by another worker, or by `catalogue_prerender`.
                    hit = pagestore.get(stamp, digest)
                    if hit is not None:
                        cache.put(digest, hit)
                if hit is not None:
                    response = HttpResponse(csrf_fill(hit[0], request), content_type=hit[1])
                else:
                    response = view(request, *args, **kwargs)
                    if (
                        store
                        and response.status_code == 200
                        and not response.cookies
                        and not response.streaming
                    ):
                        entry = (csrf_punch(response.content), response["Content-Type"])
                        cache.put(digest, entry)
                        if shared:
                            pagestore.put(stamp, digest, *entry)
            if response.status_code in (200, 304):
                response["ETag"] = etag
                response["Cache-Control"] = "max-age=60, stale-while-revalidate=600"
            return response

        return wrapper

    return decorate(view) if view is not None else decorate


@require_GET
@catalogue_cache
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/home.html",
        {
            "life_events": _life_events(),
            "popular": _cached(("popular",), lambda: selectors.service_ids_popular(8)),
            "agencies": _agencies(),
        },
    )


@require_GET
@catalogue_cache
def catalogue(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category") or None
    page = _id_page(request, category=category, order="name_en" if _lang() == "en" else "name_ar")
    return render(
        request,
        "catalog/catalogue.html",
        {
            "page": page,
            "life_events": _life_events(),
            "categories": _cached(("categories",), selectors.categories),
            "agencies": _agencies(),
            "category": _cached(("category", category), lambda: selectors.category_get(category))
            if category
            else None,
        },
    )


@require_GET
@catalogue_cache
def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    # Three small queries (the service with its agency, its fees, the ids of what it links
    # to); life events, related services' names and the agency's centres come from reads
    # kept until the next publication.
    service = selectors.service_for_application(slug)
    if service is None:
        if selectors.service_status(slug) == "withdrawn":
            return render(request, "catalog/gone.html", status=410)
        raise Http404
    links = selectors.service_links(service.pk)
    refs = _cached(("refs",), selectors.service_refs)
    related = sorted((refs[i] for i in links["related"] if i in refs), key=lambda r: (-r.popularity, r.slug))
    return render(
        request,
        "catalog/service.html",
        {
            "service": service,
            "life_events": [e for e in _life_events() if e.pk in links["life_events"]],
            "related": related,
            "centres": _cached(
                ("centres", service.agency_id), lambda: selectors.agency_centres(service.agency_id)
            ),
        },
    )


@require_GET
def apply_placeholder(request: HttpRequest, slug: str) -> HttpResponse:
    """Placeholder until online applications are built: explains and links back."""
    service = selectors.service_get(slug)
    if service is None or not service.online_application:
        raise Http404
    return render(request, "catalog/apply_placeholder.html", {"service": service})


@require_GET
@catalogue_cache(cache=search_cache, shared=False)
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    error = ""
    status = 200
    if len(q) > MAX_Q:
        error = _("Your search was too long; we used its first %(n)s characters.") % {"n": MAX_Q}
        q = q[:MAX_Q]
    if "\x00" in q:
        q = q.replace("\x00", "")
    result = selectors.search(q, _lang(), page=request.GET.get("page"), ids_only=True) if q.strip() else None
    context = {"q": q, "result": result, "error": error, "life_events": _life_events() if not result else []}
    if (
        result is not None
        and not error
        and SEARCH_SHELL
        and _cookieless_visitor(request)
        and not request.user.is_authenticated
    ):
        return _search_from_shell(request, context)
    return render(request, "catalog/search.html", context, status=status)


# The search page for anonymous visitors is the same around its results for every query of
# a language: that "shell" (header, language switch, feedback panel, footer) is rendered once
# per language and publication with placeholders, and each search renders only its content
# (catalog/_search_content.html) — about a third of a search's CPU time less. A test checks
# that the result is byte for byte the fully rendered page.
SEARCH_SHELL = True
_SHELL_Q, _SHELL_SWITCH, _SHELL_CONTENT = "\x00q\x00", "\x00switch\x00", "\x00content\x00"


def _search_shell(request: HttpRequest) -> str:
    from django.template.loader import render_to_string

    def build() -> str:
        switch = [
            {"code": code, "name": name, "url": _SHELL_SWITCH, "current": False}
            for code, name in settings.LANGUAGES
            if code != _lang()
        ]
        html = render_to_string(
            "catalog/search.html",
            {"q": _SHELL_Q, "search_shell": _SHELL_CONTENT, "bawaba_other_languages": switch},
            request=request,
        )
        return csrf_punch(html.encode()).decode()

    return _cached(("search_shell", _lang()), build)


def _search_from_shell(request: HttpRequest, context: dict) -> HttpResponse:
    from django.template.loader import render_to_string
    from django.utils.html import escape

    from bawaba.core.context_processors import switch_url

    shell = _search_shell(request)
    lang = _lang()
    other = next(code for code, _name in settings.LANGUAGES if code != lang)
    content = render_to_string("catalog/_search_content.html", context)
    html = (
        shell.replace(_SHELL_CONTENT, content, 1)
        .replace(_SHELL_Q, escape(context["q"]), 1)
        .replace(_SHELL_SWITCH, escape(switch_url(request, lang, other)))
    )
    return HttpResponse(csrf_fill(html.encode(), request), content_type="text/html; charset=utf-8")


@require_GET
@catalogue_cache
def agencies(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/agencies.html", {"agencies": _agencies()})


@require_GET
@catalogue_cache
def agency_detail(request: HttpRequest, code: str) -> HttpResponse:
    agency = _cached(("agency", code), lambda: selectors.agency_get(code))
    if agency is None:
        raise Http404
    page = _id_page(request, agency=code)
    return render(request, "catalog/agency.html", {"agency": agency, "page": page})


@require_GET
def agency_logo(request: HttpRequest, code: str) -> HttpResponse:
    agency = _cached(("agency", code), lambda: selectors.agency_get(code))
    if agency is None:
        raise Http404
    svg = render_to_string("catalog/logo.svg", {"agency": agency})
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_GET
@catalogue_cache
def life_event_detail(request: HttpRequest, key: str) -> HttpResponse:
    if key not in LIFE_EVENT_KEYS:
        raise Http404
    event = _cached(("life_event", key), lambda: selectors.life_event_get(key))
    if event is None:
        raise Http404
    page = _id_page(request, life_event=key)
    return render(
        request,
        "catalog/life_event.html",
        {"event": event, "page": page, "life_events": _life_events()},
    )


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/offline.html")


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    import json

    from django.templatetags.static import static

    data = {
        "name": "بوابة — Bawaba",
        "short_name": "بوابة",
        "description": "البوابة الحكومية: الخدمات والطلبات والهوية الرقمية — The government gateway",
        "lang": "ar",
        "dir": "rtl",
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5c4a",
        "icons": [
            {"src": static("catalog/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("catalog/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("catalog/icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("catalog/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
        "shortcuts": [
            {"name": "Services — الخدمات", "url": "/services/"},
            {"name": "Search — البحث", "url": "/services/search/"},
        ],
    }
    response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json")
    response["Cache-Control"] = "max-age=3600"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    from django.templatetags.static import static

    body = render_to_string(
        "catalog/sw.js",
        {
            "version": selectors.catalogue_version(),
            "css": static("core/bawaba.css"),
            "catalog_css": static("catalog/catalog.css"),
            "js": static("catalog/portal.js"),
            "offline_ar": reverse("catalog:offline"),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
