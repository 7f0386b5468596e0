"""Service list items (name, agency, summary, "Apply online"), rendered once per service,
language and catalogue version and reused by every list: home, catalogue, agency and
life-event pages, search results. A list then costs one query for the ids of its page
(or none, for search) instead of loading and rendering every service each time."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from .models import Service
from .pagecache import MISSING, memo

ITEM_FIELDS = (
    "id",
    "slug",
    "name_ar",
    "name_en",
    "summary_ar",
    "summary_en",
    "online_application",
    "agency",
    "agency__name_ar",
    "agency__name_en",
)


def service_items(services: Iterable[int | Service]) -> SafeString:
    """The `<li>` items of these published services (ids or Service objects), in order."""
    from .selectors import catalogue_version_cached

    ids = [s if isinstance(s, int) else s.pk for s in services]
    if not ids:
        return mark_safe("")  # noqa: S308
    version = catalogue_version_cached()
    lang = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    html: dict[int, str] = {}
    missing = []
    for pk in ids:
        item = memo.get(version, ("item", lang, pk))
        if item is MISSING:
            missing.append(pk)
        else:
            html[pk] = item
    if missing:
        rows = (
            Service.objects.filter(pk__in=missing, status=Service.Status.PUBLISHED)
            .select_related("agency")
            .only(*ITEM_FIELDS)
        )
        for service in rows:
            item = render_to_string("catalog/_service_item.html", {"s": service})
            memo.put(version, ("item", lang, service.pk), item)
            html[service.pk] = item
    # Items are rendered by the template engine (autoescaped), so joining them is safe.
    return mark_safe("".join(html[pk] for pk in ids if pk in html))  # noqa: S308
