"""The editorial workflow: draft → review → published (→ withdrawn), with a revision for
every change and an audit record for every status change."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core.audit import audit_record
from bawaba.core.errors import Conflict, PermissionDenied, ValidationError

from ..models import Service, ServiceRevision
from ..serialise import diff, service_to_dict
from .indexing import search_index_service

S = Service.Status


def _label(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system"
    return str(actor.get_username())


def _revision(
    service: Service,
    *,
    actor: Any,
    action: str,
    from_status: str = "",
    comment: str = "",
    before: dict | None = None,
) -> ServiceRevision:
    snapshot = service_to_dict(service)
    last = (
        ServiceRevision.objects.filter(service=service)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return ServiceRevision.objects.create(
        service=service,
        number=(last or 0) + 1,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=_label(actor),
        action=action,
        from_status=from_status,
        to_status=service.status,
        comment=comment[:2000],
        changes=diff(before, snapshot),
        snapshot=snapshot,
    )


def _locked(service: Service) -> Service:
    return Service.objects.select_for_update().select_related("agency").get(pk=service.pk)


def validate_for_publication(service: Service) -> None:
    """A service goes to review or publication only when a citizen can act on it."""
    missing = []
    for field, label in (
        ("name_ar", _("Arabic name")),
        ("name_en", _("English name")),
        ("summary_ar", _("Arabic summary")),
        ("summary_en", _("English summary")),
    ):
        if not getattr(service, field).strip():
            missing.append(str(label))
    if len(service.documents_ar) != len(service.documents_en):
        raise ValidationError(_("The Arabic and English document lists must have the same number of items."))
    if len(service.steps_ar) != len(service.steps_en):
        raise ValidationError(_("The Arabic and English steps must have the same number of items."))
    if missing:
        raise ValidationError(_("Missing before review: %(fields)s.") % {"fields": ", ".join(missing)})


@transaction.atomic
def service_record_edit(
    *, service: Service, actor: Any, before: dict | None, comment: str = ""
) -> ServiceRevision:
    """Record an edit made in the back office (after the form saved the row and its fees)."""
    service = _locked(service)
    Service.objects.filter(pk=service.pk).update(
        updated_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    revision = _revision(
        service, actor=actor, action="created" if before is None else "edited", comment=comment, before=before
    )
    if service.status == S.PUBLISHED:
        # Corrections to a published service (by a reviewer) are live at once.
        search_index_service(service=service)
    return revision


@transaction.atomic
def service_submit_for_review(*, service: Service, actor: Any, comment: str = "") -> Service:
    service = _locked(service)
    if service.status not in (S.DRAFT, S.WITHDRAWN):
        raise Conflict(_("Only a draft can be sent for review."))
    validate_for_publication(service)
    before = service.status
    service.status = S.REVIEW
    service.save(update_fields=["status", "updated_at"])
    _revision(service, actor=actor, action="submitted", from_status=before, comment=comment)
    audit_record(
        action="catalog.service.submitted", actor=actor, object_type="catalog.service", object_id=service.slug
    )
    return service


def _may_publish(service: Service, actor: Any) -> None:
    if actor is None:
        return  # system jobs (demo loader, imports checked by their own permission)
    if not actor.has_perm("catalog.publish_service"):
        raise PermissionDenied(_("Only a catalogue reviewer can publish a service."))
    if service.updated_by_id == actor.pk and not actor.has_perm("catalog.publish_own_changes"):
        raise PermissionDenied(_("Another reviewer must publish changes you made yourself."))


@transaction.atomic
def service_publish(*, service: Service, actor: Any, comment: str = "") -> Service:
    service = _locked(service)
    if service.status == S.PUBLISHED:
        raise Conflict(_("This service is already published."))
    if actor is not None and service.status != S.REVIEW:
        raise Conflict(_("Only a service in review can be published."))
    _may_publish(service, actor)
    validate_for_publication(service)
    before = service.status
    service.status = S.PUBLISHED
    service.published_at = timezone.now()
    if service.last_reviewed is None:
        service.last_reviewed = timezone.localdate()
    service.save(update_fields=["status", "published_at", "last_reviewed", "updated_at"])
    _revision(service, actor=actor, action="published", from_status=before, comment=comment)
    search_index_service(service=service)
    audit_record(
        action="catalog.service.published", actor=actor, object_type="catalog.service", object_id=service.slug
    )
    return service


@transaction.atomic
def service_return_to_draft(*, service: Service, actor: Any, comment: str = "") -> Service:
    service = _locked(service)
    if service.status == S.DRAFT:
        raise Conflict(_("This service is already a draft."))
    if service.status == S.PUBLISHED and actor is not None and not actor.has_perm("catalog.publish_service"):
        raise PermissionDenied(_("Only a catalogue reviewer can take a published service back to draft."))
    before = service.status
    service.status = S.DRAFT
    service.save(update_fields=["status", "updated_at"])
    _revision(service, actor=actor, action="returned_to_draft", from_status=before, comment=comment)
    search_index_service(service=service)
    audit_record(
        action="catalog.service.returned_to_draft",
        actor=actor,
        object_type="catalog.service",
        object_id=service.slug,
        data={"from": before},
    )
    return service


@transaction.atomic
def service_withdraw(*, service: Service, actor: Any, comment: str = "") -> Service:
    """Take a service off the portal (it no longer exists); its address answers 410 Gone."""
    service = _locked(service)
    if actor is not None and not actor.has_perm("catalog.publish_service"):
        raise PermissionDenied(_("Only a catalogue reviewer can withdraw a service."))
    before = service.status
    service.status = S.WITHDRAWN
    service.save(update_fields=["status", "updated_at"])
    _revision(service, actor=actor, action="withdrawn", from_status=before, comment=comment)
    search_index_service(service=service)
    audit_record(
        action="catalog.service.withdrawn", actor=actor, object_type="catalog.service", object_id=service.slug
    )
    return service
