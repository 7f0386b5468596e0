"""Maintaining the search index: one SearchDocument per published service and language,
mirrored into SQLite's FTS5 table (PostgreSQL computes its tsvector column itself)."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation

from ..models import CatalogueState, SearchDocument, Service
from ..search.analysis import analyse
from .prerender import pages_prerender_enqueue


def _document_text(service: Service, lang: str) -> tuple[str, str]:
    with translation.override(lang):
        title = service.tr("name")
        parts = [
            service.tr("summary"),
            service.tr("description"),
            service.tr("eligibility"),
            " ".join(service.documents_ar if lang == "ar" else service.documents_en),
            service.agency.tr("name"),
            service.agency.code.replace("-", " "),
            " ".join(e.tr("name") for e in service.life_events.all()),
            " ".join(c.tr("name") for c in service.categories.all()),
        ]
    # Leading and trailing spaces let the ranking match whole tokens with LIKE '% tok %'.
    return " " + " ".join(analyse(title)) + " ", " " + " ".join(analyse(" ".join(parts))) + " "


def _fts_delete(doc_ids: list[int]) -> None:
    if connection.vendor == "sqlite" and doc_ids:
        with connection.cursor() as cursor:
            cursor.executemany("DELETE FROM catalog_search_fts WHERE rowid = %s", [(i,) for i in doc_ids])


def _fts_insert(docs: list[SearchDocument]) -> None:
    if connection.vendor == "sqlite" and docs:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO catalog_search_fts (rowid, title, body) VALUES (%s, %s, %s)",
                [(d.pk, d.title, d.body) for d in docs],
            )


def catalogue_touch() -> None:
    """Tell every process the published catalogue changed (search vocabulary, page caches)."""
    now = timezone.now()
    updated = CatalogueState.objects.filter(id=1).update(version=F("version") + 1, changed_at=now)
    if not updated:
        CatalogueState.objects.get_or_create(id=1, defaults={"version": 1})
    # Render the new catalogue's pages into the shared page store ahead of visitors.
    transaction.on_commit(pages_prerender_enqueue)
    # This process sees the change at once (others within their 2-second check interval).
    caches_reset()
    transaction.on_commit(caches_reset)


def caches_reset() -> None:
    from ..search.engine import vocabulary_reset
    from ..selectors import catalogue_caches_reset

    catalogue_caches_reset()
    vocabulary_reset()


@transaction.atomic
def search_index_service(*, service: Service, touch: bool = True) -> None:
    """(Re)index one service: published ones get a document per language, others none."""
    old = list(SearchDocument.objects.filter(service=service).values_list("id", flat=True))
    _fts_delete(old)
    SearchDocument.objects.filter(id__in=old).delete()
    if service.status == Service.Status.PUBLISHED:
        docs = []
        for lang in ("ar", "en"):
            title, body = _document_text(service, lang)
            docs.append(
                SearchDocument.objects.create(
                    service=service,
                    lang=lang,
                    slug=service.slug,
                    title=title,
                    body=body,
                    popularity=service.popularity,
                )
            )
        _fts_insert(docs)
    if touch:
        catalogue_touch()


@transaction.atomic
def search_index_rebuild() -> int:
    """Rebuild the whole index (after an import, or by `bawaba catalog_reindex`)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM catalog_search_fts")
    SearchDocument.objects.all().delete()
    services = (
        Service.objects.filter(status=Service.Status.PUBLISHED)
        .select_related("agency")
        .prefetch_related("life_events", "categories")
    )
    batch: list[SearchDocument] = []
    count = 0
    for service in services.iterator(chunk_size=500):
        for lang in ("ar", "en"):
            title, body = _document_text(service, lang)
            batch.append(
                SearchDocument(
                    service=service,
                    lang=lang,
                    slug=service.slug,
                    title=title,
                    body=body,
                    popularity=service.popularity,
                )
            )
        count += 1
        if len(batch) >= 1000:
            _flush(batch)
            batch = []
    _flush(batch)
    catalogue_touch()
    return count


def _flush(batch: list[SearchDocument]) -> None:
    if not batch:
        return
    created = SearchDocument.objects.bulk_create(batch)
    if connection.vendor == "sqlite" and any(d.pk is None for d in created):
        # Older SQLite without RETURNING: read the ids back.
        created = list(SearchDocument.objects.filter(service_id__in=[d.service_id for d in batch]))
    _fts_insert(created)
