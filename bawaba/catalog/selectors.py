"""Reads of the catalogue for pages, APIs and other apps (portal, applications)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Agency, CatalogueState, Category, Fee, LifeEvent, Service, ServiceCentre
from .search.engine import SearchResult, search_ids

PUBLISHED = Service.Status.PUBLISHED
MAX_QUERY_LENGTH = 200


def _published() -> QuerySet[Service]:
    return Service.objects.filter(status=PUBLISHED).select_related("agency")


def service_get(slug: str, *, include_unpublished: bool = False) -> Service | None:
    """A service with everything its page shows, in a fixed number of queries."""
    qs = Service.objects.select_related("agency") if include_unpublished else _published()
    return (
        qs.prefetch_related(
            Prefetch("fees", queryset=Fee.objects.order_by("order", "id")),
            "life_events",
            "categories",
            Prefetch("related", queryset=_published().order_by("-popularity", "slug")),
            Prefetch("agency__centres", queryset=ServiceCentre.objects.order_by("governorate", "name_en")),
        )
        .filter(slug=slug)
        .first()
    )


def service_for_application(slug: str) -> Service | None:
    """A published service with what an application form needs (names, assurance level,
    online flag, fee lines): two queries, where service_get's full page takes six."""
    return (
        _published()
        .prefetch_related(Prefetch("fees", queryset=Fee.objects.order_by("order", "id")))
        .filter(slug=slug)
        .first()
    )


@dataclass(frozen=True)
class ServiceRef:
    """What a link to a published service shows: its address and name."""

    id: int
    slug: str
    name_ar: str
    name_en: str
    popularity: int

    @property
    def name(self) -> str:
        from django.utils import translation

        if (translation.get_language() or "ar").startswith("en"):
            return self.name_en or self.name_ar
        return self.name_ar or self.name_en


def service_refs() -> dict[int, ServiceRef]:
    """Every published service's id, address, names and popularity (one light query)."""
    rows = Service.objects.filter(status=PUBLISHED).values_list(
        "id", "slug", "name_ar", "name_en", "popularity"
    )
    return {r[0]: ServiceRef(*r) for r in rows}


def service_links(service_id: int) -> dict[str, list[int]]:
    """Ids of a service's life events, categories and related services (one query)."""
    life_events = Service.life_events.through._meta.db_table
    categories = Service.categories.through._meta.db_table
    related = Service.related.through._meta.db_table
    sql = (
        f"SELECT 'life_events', lifeevent_id FROM {life_events} WHERE service_id = %s "  # noqa: S608
        f"UNION ALL SELECT 'categories', category_id FROM {categories} WHERE service_id = %s "
        f"UNION ALL SELECT 'related', to_service_id FROM {related} WHERE from_service_id = %s"
    )
    out: dict[str, list[int]] = {"life_events": [], "categories": [], "related": []}
    with connection.cursor() as cursor:
        cursor.execute(sql, [service_id] * 3)
        for kind, pk in cursor.fetchall():
            out[kind].append(int(pk))
    return out


def agency_centres(agency_id: int) -> list[ServiceCentre]:
    return list(ServiceCentre.objects.filter(agency_id=agency_id).order_by("governorate", "name_en"))


def service_status(slug: str) -> str | None:
    """The status of any service by slug (e.g. to answer 410 for a withdrawn one)."""
    return Service.objects.filter(slug=slug).values_list("status", flat=True).first()


def service_list(
    *,
    agency: str | None = None,
    life_event: str | None = None,
    category: str | None = None,
    online: bool | None = None,
    order: str = "popular",
) -> QuerySet[Service]:
    qs = _published()
    if agency:
        qs = qs.filter(agency__code=agency)
    if life_event:
        qs = qs.filter(life_events__key=life_event)
    if category:
        qs = qs.filter(categories__key=category)
    if online is not None:
        qs = qs.filter(online_application=online)
    if order == "name_ar":
        return qs.order_by("name_ar", "slug")
    if order == "name_en":
        return qs.order_by("name_en", "slug")
    if order == "slug":
        return qs.order_by("slug")
    return qs.order_by("-popularity", "slug")


def service_page(qs: QuerySet[Service], page: int | str | None, per_page: int = 20) -> Page:
    return Paginator(qs, per_page).get_page(page)


def service_id_page(
    *,
    agency: str | None = None,
    life_event: str | None = None,
    category: str | None = None,
    order: str = "popular",
    page: int | str | None = None,
    per_page: int = 20,
    count: int | None = None,
) -> Page:
    """A page of the ids of published services, in listing order (object_list holds ids;
    catalog.listing renders them). `count`, when the caller already knows the total,
    saves the COUNT query."""
    qs = service_list(agency=agency, life_event=life_event, category=category, order=order)
    paginator = Paginator(qs.values_list("id", flat=True), per_page)
    if count is not None:
        vars(paginator)["count"] = count  # Paginator.count is a cached property
    return paginator.get_page(page)


def service_ids_popular(limit: int = 8) -> list[int]:
    return list(service_list().values_list("id", flat=True)[:limit])


def services_popular(limit: int = 8) -> list[Service]:
    return list(service_list()[:limit])


def services_online(limit: int = 50) -> list[Service]:
    return list(service_list(online=True)[:limit])


def agency_get(code: str) -> Agency | None:
    return (
        Agency.objects.select_related("parent")
        .prefetch_related(
            Prefetch("centres", queryset=ServiceCentre.objects.order_by("governorate", "name_en"))
        )
        .filter(code=code)
        .first()
    )


def agencies(*, with_centres: bool = False) -> list[Agency]:
    """Agencies with at least one published service, with how many (`n`); with their
    service centres too when asked (one more query)."""
    qs = Agency.objects.annotate(n=Count("services", filter=Q(services__status=PUBLISHED))).filter(n__gt=0)
    if with_centres:
        qs = qs.select_related("parent").prefetch_related(
            Prefetch("centres", queryset=ServiceCentre.objects.order_by("governorate", "name_en"))
        )
    return list(qs.order_by("code"))


def published_count(agency_code: str) -> int:
    return Service.objects.filter(status=PUBLISHED, agency__code=agency_code).count()


def services_by_ids(ids: list[int]) -> list[Service]:
    """These published services with their agencies, in the order of `ids` (one query)."""
    by_id = {s.pk: s for s in _published().filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


def life_events() -> list[LifeEvent]:
    # Explicit order: Meta.ordering is not applied to a query with an aggregate (GROUP BY),
    # and PostgreSQL then returns the rows in any order.
    return list(
        LifeEvent.objects.annotate(n=Count("services", filter=Q(services__status=PUBLISHED))).order_by(
            "order", "key"
        )
    )


def life_event_get(key: str) -> LifeEvent | None:
    return LifeEvent.objects.filter(key=key).first()


def categories() -> list[Category]:
    return list(
        Category.objects.annotate(n=Count("services", filter=Q(services__status=PUBLISHED)))
        .filter(n__gt=0)
        .order_by("order", "key")
    )


def category_get(key: str) -> Category | None:
    return Category.objects.filter(key=key).first()


def catalogue_version() -> int:
    return CatalogueState.objects.filter(id=1).values_list("version", flat=True).first() or 0


def catalogue_stamp() -> tuple[int, str]:
    """The catalogue version and its stamp: the version and the time of the publication,
    unique across database restores (the page store is keyed by it)."""
    row = CatalogueState.objects.filter(id=1).values_list("version", "changed_at").first()
    if row is None:
        return 0, "0"
    version, changed = row
    return version, f"{version}-{int(changed.timestamp() * 1_000_000) if changed else 0}"


_version_cache: list = [0.0, -1, "0"]  # [checked_at, version, stamp]
VERSION_CHECK_SECONDS = 2.0


def _version_refresh() -> None:
    import time

    now = time.monotonic()
    if _version_cache[1] < 0 or now - _version_cache[0] >= VERSION_CHECK_SECONDS:
        version, stamp = catalogue_stamp()
        _version_cache[:] = [now, version, stamp]


def catalogue_version_cached() -> int:
    """The catalogue version, read from the database at most every 2 seconds per process."""
    _version_refresh()
    return int(_version_cache[1])


def catalogue_stamp_cached() -> str:
    """catalogue_stamp()'s stamp, read with the version (at most every 2 seconds)."""
    _version_refresh()
    return str(_version_cache[2])


def catalogue_caches_reset() -> None:
    _version_cache[:] = [0.0, -1, "0"]
    page_cache_clear()


def page_cache_clear() -> None:
    """Forget the rendered pages and fragments of this process (catalog.pagecache)."""
    from .pagecache import memo, page_cache, search_cache

    page_cache.clear()
    search_cache.clear()
    memo.clear()


@dataclass
class SearchPage:
    query: str
    result: SearchResult
    page: Page

    @property
    def total(self) -> int:
        return self.page.paginator.count


def search(
    q: str, lang: str, *, page: int | str | None = 1, per_page: int = 20, ids_only: bool = False
) -> SearchPage:
    """Ranked published services for a query typed in Arabic or English. With `ids_only`
    the page holds service ids (for catalog.listing, which renders cached list items)."""
    q = q.strip()[:MAX_QUERY_LENGTH]
    result = search_ids(q, lang)
    paginator = Paginator(result.service_ids, per_page)
    p = paginator.get_page(page)
    if not ids_only:
        ids = list(p.object_list)
        by_id = {s.pk: s for s in _published().filter(pk__in=ids)}
        p.object_list = [by_id[i] for i in ids if i in by_id]  # type: ignore[misc]
    return SearchPage(query=q, result=result, page=p)
