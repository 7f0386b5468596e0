"""The service catalogue over the JSON API: public and read-only, for agencies' developers
and mobile apps. Only published services; every text in Arabic and English; the same
search engine and ranking as the search page.

Responses carry an ETag (catalogue stamp, language, address) and may be cached for a
minute (`Cache-Control: public, max-age=60, stale-while-revalidate=600`), like the
catalogue's pages; a request with a matching If-None-Match gets 304 without a body."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from bawaba.core.api import ErrorOut, Paging, page_body, paginate
from bawaba.core.errors import Gone, NotFound, ValidationError
from bawaba.core.money import fils_to_text

from . import selectors
from .constants import CHANNELS, GOVERNORATE_AR, GOVERNORATE_EN, LIFE_EVENT_KEYS
from .models import Agency, Service, ServiceCentre
from .pagecache import MISSING, memo

router = Router(tags=["catalogue"])
CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=600"
ERRORS: dict[int, Any] = {304: None, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut}
LifeEventKey = Literal[tuple(LIFE_EVENT_KEYS)]  # type: ignore[valid-type]
CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*$"
KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_RE = re.compile(KEY_PATTERN)
CODE_RE = re.compile(CODE_PATTERN)


# -- what goes out ------------------------------------------------------------------------------
class PageUrls(Schema):
    """The portal page of the same thing, in each language (absolute addresses)."""

    ar: str
    en: str


class AgencyRef(Schema):
    code: str
    name_ar: str
    name_en: str


class Named(Schema):
    key: str
    name_ar: str
    name_en: str


class ServiceItem(Schema):
    slug: str
    name_ar: str
    name_en: str
    summary_ar: str
    summary_en: str
    agency: AgencyRef
    online_application: bool = Field(description="Can be applied for online on Bawaba")
    urls: PageUrls


class ServicePage(Schema):
    count: int = Field(description="Services matching, all pages together")
    page: int
    per_page: int
    pages: int
    results: list[ServiceItem]


class FeeOut(Schema):
    label_ar: str
    label_en: str
    amount_fils: int | None = Field(
        description="Integer fils (1 JOD = 1000 fils); 0 = free; null = varies, ask the agency"
    )
    amount_jod: str | None = Field(description='The same amount in dinars, e.g. "34.700"; null = varies')


class CentreOut(Schema):
    name_ar: str
    name_en: str
    governorate: str = Field(description="One of the 12 governorate keys (amman, irbid, zarqa…)")
    governorate_ar: str
    governorate_en: str
    address_ar: str
    address_en: str
    phone: str
    working_days: list[str] = Field(description="Day keys: sun mon tue wed thu fri sat")
    opens_at: str = Field(description="HH:MM, Asia/Amman")
    closes_at: str = Field(description="HH:MM, Asia/Amman")


class AgencyOut(Schema):
    code: str
    kind: str = Field(description="ministry, department, municipality or authority")
    parent: str | None = Field(description="Code of the parent agency")
    name_ar: str
    name_en: str
    description_ar: str
    description_en: str
    website: str
    email: str
    phone: str
    address_ar: str
    address_en: str
    services_count: int = Field(description="Published services")
    logo_url: str
    urls: PageUrls
    centres: list[CentreOut]


class RelatedOut(Schema):
    slug: str
    name_ar: str
    name_en: str
    urls: PageUrls


class ServiceOut(Schema):
    slug: str
    name_ar: str
    name_en: str
    summary_ar: str
    summary_en: str
    description_ar: str
    description_en: str
    eligibility_ar: str
    eligibility_en: str
    documents_ar: list[str]
    documents_en: list[str]
    steps_ar: list[str]
    steps_en: list[str]
    processing_time_ar: str
    processing_time_en: str
    legal_basis_ar: str
    legal_basis_en: str
    fees: list[FeeOut] = Field(description="Fee lines as listed (never summed); empty: none listed")
    channels: list[Named] = Field(description="How the service is reached, in display order")
    agency: AgencyOut
    categories: list[Named]
    life_events: list[Named]
    related: list[RelatedOut]
    online_application: bool
    apply_urls: PageUrls | None = Field(description="Where to apply online; null when the service cannot be")
    min_acr: str = Field(description="Assurance level needed to apply: loa-low, loa-substantial, loa-high")
    external_url: str = Field(description="The agency's own page for the service")
    last_reviewed: dt.date | None
    urls: PageUrls


class CategoryOut(Schema):
    key: str
    name_ar: str
    name_en: str
    services_count: int


class LifeEventOut(Schema):
    key: str
    name_ar: str
    name_en: str
    description_ar: str
    description_en: str
    services_count: int
    urls: PageUrls


class SearchOut(Schema):
    query: str = Field(description="The query as searched (trimmed)")
    lang: Literal["ar", "en"] = Field(description="The language whose texts were searched")
    corrected: bool = Field(description="Similar spellings were looked for too")
    partial: bool = Field(description="No service matched every word; these match some")
    count: int
    page: int
    per_page: int
    pages: int
    results: list[ServiceItem]


# -- what comes in ------------------------------------------------------------------------------
class ServiceFilters(Paging):
    agency: str | None = Field(
        None, max_length=20, pattern=CODE_PATTERN, description="Agency code, e.g. CSPD"
    )
    category: str | None = Field(None, max_length=60, pattern=KEY_PATTERN, description="Category key")
    life_event: LifeEventKey | None = Field(None, description="Life event key")  # type: ignore[valid-type]
    online: bool | None = Field(
        None, description="Only services that can (true) or cannot (false) be applied for online"
    )
    order: Literal["popular", "name_ar", "name_en", "slug"] = Field(
        "popular", description="popular: most used first; ties and names are ordered by slug"
    )


class SearchQuery(Paging):
    q: str = Field(..., min_length=1, max_length=selectors.MAX_QUERY_LENGTH, description="What to look for")
    lang: Literal["ar", "en"] | None = Field(
        None,
        description="The language of the search (as the page's language on the site); default: "
        "Accept-Language, else Arabic. An Arabic query searches the Arabic texts whatever this says.",
    )


# -- shaping ------------------------------------------------------------------------------------
def _urls(name: str, *args: str) -> PageUrls:
    base = settings.BASE_URL.rstrip("/")
    out = {}
    for lang in ("ar", "en"):
        with translation.override(lang):
            out[lang] = base + reverse(name, args=args)
    return PageUrls(**out)


def _agency_ref(a: Agency) -> AgencyRef:
    return AgencyRef(code=a.code, name_ar=a.name_ar, name_en=a.name_en)


def _item(s: Service) -> ServiceItem:
    return ServiceItem(
        slug=s.slug,
        name_ar=s.name_ar,
        name_en=s.name_en,
        summary_ar=s.summary_ar,
        summary_en=s.summary_en,
        agency=_agency_ref(s.agency),
        online_application=s.online_application,
        urls=_urls("catalog:detail", s.slug),
    )


def _hhmm(value: Any) -> str:
    return value.strftime("%H:%M") if hasattr(value, "strftime") else str(value)[:5]


def _centre(c: ServiceCentre) -> CentreOut:
    return CentreOut(
        name_ar=c.name_ar,
        name_en=c.name_en,
        governorate=c.governorate,
        governorate_ar=GOVERNORATE_AR.get(c.governorate, c.governorate),
        governorate_en=GOVERNORATE_EN.get(c.governorate, c.governorate),
        address_ar=c.address_ar,
        address_en=c.address_en,
        phone=c.phone,
        working_days=list(c.working_days or []),
        opens_at=_hhmm(c.opens_at),
        closes_at=_hhmm(c.closes_at),
    )


def _agency(a: Agency, services_count: int) -> AgencyOut:
    return AgencyOut(
        code=a.code,
        kind=a.kind,
        parent=a.parent.code if a.parent_id and a.parent else None,
        name_ar=a.name_ar,
        name_en=a.name_en,
        description_ar=a.description_ar,
        description_en=a.description_en,
        website=a.website,
        email=a.email,
        phone=a.phone,
        address_ar=a.address_ar,
        address_en=a.address_en,
        services_count=services_count,
        logo_url=settings.BASE_URL.rstrip("/") + reverse("catalog:agency_logo", args=[a.code]),
        urls=_urls("catalog:agency", a.code),
        centres=[_centre(c) for c in a.centres.all()],
    )


def _channel(key: str) -> Named:
    label = CHANNELS.get(key, key)
    names = {}
    for lang in ("ar", "en"):
        with translation.override(lang):
            names[lang] = str(label)
    return Named(key=key, name_ar=names["ar"], name_en=names["en"])


def _service(s: Service) -> ServiceOut:
    fees = [
        FeeOut(
            label_ar=f.label_ar,
            label_en=f.label_en,
            amount_fils=f.amount_fils,
            amount_jod=fils_to_text(f.amount_fils) if f.amount_fils is not None else None,
        )
        for f in s.fees.all()
    ]
    counts = _published_counts()
    return ServiceOut(
        slug=s.slug,
        name_ar=s.name_ar,
        name_en=s.name_en,
        summary_ar=s.summary_ar,
        summary_en=s.summary_en,
        description_ar=s.description_ar,
        description_en=s.description_en,
        eligibility_ar=s.eligibility_ar,
        eligibility_en=s.eligibility_en,
        documents_ar=[str(d) for d in s.documents_ar or []],
        documents_en=[str(d) for d in s.documents_en or []],
        steps_ar=[str(d) for d in s.steps_ar or []],
        steps_en=[str(d) for d in s.steps_en or []],
        processing_time_ar=s.processing_time_ar,
        processing_time_en=s.processing_time_en,
        legal_basis_ar=s.legal_basis_ar,
        legal_basis_en=s.legal_basis_en,
        fees=fees,
        channels=[_channel(c) for c in s.channels or []],
        agency=_agency(s.agency, counts.get(s.agency.code, 0)),
        categories=[Named(key=c.key, name_ar=c.name_ar, name_en=c.name_en) for c in s.categories.all()],
        life_events=[Named(key=e.key, name_ar=e.name_ar, name_en=e.name_en) for e in s.life_events.all()],
        related=[
            RelatedOut(
                slug=r.slug, name_ar=r.name_ar, name_en=r.name_en, urls=_urls("catalog:detail", r.slug)
            )
            for r in s.related.all()
        ],
        online_application=s.online_application,
        apply_urls=_urls("catalog:apply", s.slug) if s.online_application else None,
        min_acr=s.min_acr,
        external_url=s.external_url,
        last_reviewed=s.last_reviewed,
        urls=_urls("catalog:detail", s.slug),
    )


def _cached(key: tuple, compute):  # type: ignore[no-untyped-def]
    """Kept in this process until the next publication (as the pages' sidebars are)."""
    return memo.get_or_compute(selectors.catalogue_version_cached(), ("api", *key), compute)


def _known(kind: str, key: str, exists) -> bool:  # type: ignore[no-untyped-def]
    """Whether an agency code or category key exists. Only what exists is remembered, so
    made-up values cannot fill the per-process memo the pages share."""
    version = selectors.catalogue_version_cached()
    if memo.get(version, ("api", kind, key)) is True:
        return True
    found = bool(exists())
    if found:
        memo.put(version, ("api", kind, key), True)
    return found


def _published_counts() -> dict[str, int]:
    return _cached(("agency_counts",), lambda: {a.code: a.n for a in selectors.agencies()})


# -- conditional GET ----------------------------------------------------------------------------
def _not_modified(request: HttpRequest, response: HttpResponse) -> HttpResponse | None:
    """Sets ETag and Cache-Control on the response; a 304 when the client's copy is current."""
    lang = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    raw = f"api|{selectors.catalogue_stamp_cached()}|{lang}|{request.get_full_path()}"
    etag = f'"a{hashlib.blake2s(raw.encode(), digest_size=12).hexdigest()}"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Access-Control-Allow-Origin": "*"}
    for name, value in headers.items():
        response[name] = value
    sent = {t.strip().removeprefix("W/") for t in request.headers.get("If-None-Match", "").split(",")}
    if etag in sent or "*" in sent:
        not_modified = HttpResponseNotModified()
        for name, value in headers.items():
            not_modified[name] = value
        not_modified["Vary"] = "Accept-Language"
        return not_modified
    return None


# -- endpoints ----------------------------------------------------------------------------------
@router.get(
    "/catalogue/services",
    response={200: ServicePage, **ERRORS},
    summary="List published services",
    description="Published services, filtered by agency, category, life event and whether they "
    "can be applied for online; paginated (`page`, `per_page` ≤ 100) in a stable order. A page "
    "past the last one is empty. An unknown agency or category is 422.",
)
def services_list(request: HttpRequest, response: HttpResponse, filters: Query[ServiceFilters]):  # type: ignore[no-untyped-def]
    hit = _not_modified(request, response)
    if hit is not None:
        return hit
    agency = filters.agency.upper() if filters.agency else None
    if agency and not _known("agency", agency, lambda: selectors.agency_get(agency) is not None):
        raise ValidationError(_("There is no agency with this code."), code="unknown_agency", field="agency")
    category = filters.category
    if category and not _known("category", category, lambda: selectors.category_get(category) is not None):
        raise ValidationError(
            _("There is no category with this key."), code="unknown_category", field="category"
        )
    qs = selectors.service_list(
        agency=agency,
        category=category,
        life_event=filters.life_event,
        online=filters.online,
        order=filters.order,
    )
    return paginate(qs, filters, _item)


@router.get(
    "/catalogue/services/{slug}",
    response={200: ServiceOut, 410: ErrorOut, **ERRORS},
    summary="One published service",
    description="Everything the service's page shows, in both languages: fees in fils and in "
    "dinars, documents, steps, channels, the agency and its service centres, categories, life "
    "events, related services, the page addresses in Arabic and English, the last review date. "
    "404 `service_not_found` for an unknown or unpublished service, 410 `service_withdrawn` for a "
    "withdrawn one (its address is never reused).",
)
def service_detail(request: HttpRequest, response: HttpResponse, slug: str):  # type: ignore[no-untyped-def]
    hit = _not_modified(request, response)
    if hit is not None:
        return hit
    if len(slug) > 80 or not SLUG_RE.fullmatch(slug):  # never sent to the database (NUL bytes…)
        raise NotFound(_("There is no published service at this address."), code="service_not_found")
    version = selectors.catalogue_version_cached()
    out = memo.get(version, ("api", "service", slug))
    if out is MISSING:
        service = selectors.service_get(slug)
        if service is None:  # unknown slugs are not remembered: they would fill the memo
            if selectors.service_status(slug) == Service.Status.WITHDRAWN:
                raise Gone(_("This service was withdrawn."), code="service_withdrawn")
            raise NotFound(_("There is no published service at this address."), code="service_not_found")
        out = _service(service)
        memo.put(version, ("api", "service", slug), out)
    return out


@router.get(
    "/catalogue/search",
    response={200: SearchOut, **ERRORS},
    summary="Search published services",
    description="The search page's engine and ranking: Arabic normalisation and light stemming, "
    "English stemming, search as you type on the last word, close spellings; title matches "
    "first, then popularity. `q` is 1 to 200 characters.",
)
def search(request: HttpRequest, response: HttpResponse, params: Query[SearchQuery]):  # type: ignore[no-untyped-def]
    hit = _not_modified(request, response)
    if hit is not None:
        return hit
    q = params.q.replace("\x00", "").strip()
    if not q:
        raise ValidationError(_("Type what you are looking for."), code="invalid", field="q")
    lang = params.lang or (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    found = selectors.search(q, lang, page=1, per_page=1, ids_only=True).result
    ids = found.service_ids
    start = (params.page - 1) * params.per_page
    services = selectors.services_by_ids(ids[start : start + params.per_page]) if start < len(ids) else []
    return {
        "query": q,
        "lang": found.lang,
        "corrected": found.corrected,
        "partial": found.any_terms,
        **page_body(len(ids), params, [_item(s) for s in services]),
    }


def _agencies_out() -> list[AgencyOut]:
    return [_agency(a, a.n) for a in selectors.agencies(with_centres=True)]


@router.get(
    "/catalogue/agencies",
    response={200: list[AgencyOut], **ERRORS},
    summary="Agencies with published services",
    description="Each agency with its contact details, number of published services and service "
    "centres (governorate, address, phone, working days and hours).",
)
def agencies_list(request: HttpRequest, response: HttpResponse):  # type: ignore[no-untyped-def]
    hit = _not_modified(request, response)
    if hit is not None:
        return hit
    return _cached(("agencies",), _agencies_out)


@router.get(
    "/catalogue/agencies/{code}",
    response={200: AgencyOut, **ERRORS},
    summary="One agency",
    description="404 `agency_not_found` for an unknown code.",
)
def agency_detail(request: HttpRequest, response: HttpResponse, code: str):  # type: ignore[no-untyped-def]
    hit = _not_modified(request, response)
    if hit is not None:
        return hit
    agency = selectors.agency_get(code.upper()) if len(code) <= 20 and CODE_RE.fullmatch(code) else None
    if agency is None:
        raise NotFound(_("There is no agency with this code."), code="agency_not_found")
    return _agency(agency, _published_counts().get(agency.code, 0))


@router.get(
    "/catalogue/categories",
    response={200: list[CategoryOut], **ERRORS},
    summary="Categories with published services",
)
def categories_list(request: HttpRequest, response: HttpResponse):  # type: ignore[no-untyped-def]
    hit = _not_modified(request, response)
    if hit is not None:
        return hit
    return _cached(
        ("categories",),
        lambda: [
            CategoryOut(key=c.key, name_ar=c.name_ar, name_en=c.name_en, services_count=c.n)
            for c in selectors.categories()
        ],
    )


@router.get(
    "/catalogue/life-events",
    response={200: list[LifeEventOut], **ERRORS},
    summary="Life events",
    description="The twelve life events, in display order, with how many published services each has.",
)
def life_events_list(request: HttpRequest, response: HttpResponse):  # type: ignore[no-untyped-def]
    hit = _not_modified(request, response)
    if hit is not None:
        return hit
    return _cached(
        ("life_events",),
        lambda: [
            LifeEventOut(
                key=e.key,
                name_ar=e.name_ar,
                name_en=e.name_en,
                description_ar=e.description_ar,
                description_en=e.description_en,
                services_count=e.n,
                urls=_urls("catalog:life_event", e.key),
            )
            for e in selectors.life_events()
        ],
    )
