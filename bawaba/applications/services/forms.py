from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from bawaba.catalog import selectors as catalog
from bawaba.core.audit import audit_record
from bawaba.core.errors import ValidationError

from ..definitions import definition_check, field_snapshot
from ..models import FormDefinition


@transaction.atomic
def form_definition_publish(*, form_id: int, actor: Any = None) -> FormDefinition:
    """Check a definition after staff edited it, and make it the current version: the
    snapshot applications are validated and stored against. A change that leaves the
    fields as they were keeps the version (drafts stay valid)."""
    form = FormDefinition.objects.select_for_update().get(pk=form_id)
    service = catalog.service_get(form.service_slug, include_unpublished=True)
    if service is None:
        raise ValidationError(_("There is no catalogue service with this address."), field="service_slug")
    snapshot = [field_snapshot(f) for f in form.fields.order_by("order", "id")]
    problems = definition_check(snapshot)
    if problems:
        raise ValidationError(
            _("The form definition has problems; applications still use the previous version."),
            details={k or "form": v for k, v in problems.items()},
        )
    changed = snapshot != form.snapshot
    form.agency_code = service.agency.code if service.agency_id else ""
    fields = ["agency_code", "updated_at"]
    if changed:
        if form.snapshot:
            form.version += 1
        form.snapshot = snapshot
        fields += ["version", "snapshot"]
    form.save(update_fields=fields)
    if changed:
        audit_record(
            action="application_form.published",
            actor=actor,
            object_type="application_form",
            object_id=form.service_slug,
            data={"version": form.version, "fields": [f["key"] for f in snapshot]},
        )
    return form
