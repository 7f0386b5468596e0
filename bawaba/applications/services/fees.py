"""Fees. The payments issue will turn `amount_due_fils` into a bill and call
`application_payment_recorded` when it is paid.

Rule for the amount due: the form definition's `fee_fils` when set (what the agency
charges for the online channel); otherwise the sum of the catalogue's fee lines that have
a fixed amount (lines whose amount varies are not charged online)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from bawaba.catalog import selectors as catalog
from bawaba.core.audit import audit_record
from bawaba.core.errors import Conflict, NotFound

from ..models import Application, FormDefinition


def application_fee_due(*, form: FormDefinition, service: Any = None) -> int:
    """Amount in fils an application for this form owes when submitted (`service`: the
    catalogue service, when the caller already has it)."""
    if form.fee_fils is not None:
        return int(form.fee_fils)
    if service is None:
        service = catalog.service_get(form.service_slug, include_unpublished=True)
    if service is None:
        return 0
    return sum(int(f.amount_fils) for f in service.fees.all() if f.amount_fils is not None)


@transaction.atomic
def application_payment_recorded(*, reference: str, bill_reference: str) -> Application:
    """Hook for the payments issue: the bill for this application was paid."""
    app = Application.objects.select_for_update().filter(reference=reference).first()
    if app is None:
        raise NotFound()
    if app.payment_status == Application.Payment.PAID:
        if app.bill_reference != bill_reference:
            raise Conflict()
        return app
    if app.payment_status != Application.Payment.AWAITING:
        raise Conflict()
    app.payment_status = Application.Payment.PAID
    app.bill_reference = bill_reference[:40]
    app.save(update_fields=["payment_status", "bill_reference", "updated_at"])
    audit_record(
        action="application.paid",
        object_type="application",
        object_id=app.reference,
        data={"bill": bill_reference},
    )
    return app
