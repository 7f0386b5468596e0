"""Reads of online applications for pages, the back office and other apps."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from bawaba.core import calendar

from .models import OPEN_STATUSES, Application, FormDefinition, Holiday, Transition


def form_for_service(slug: str) -> FormDefinition | None:
    """The active form definition for a catalogue service, if it can be applied for here."""
    return FormDefinition.objects.filter(service_slug=slug, is_active=True).first()


def holiday_check() -> Callable[[dt.date], bool]:
    """A function telling whether a date is a public holiday (one query)."""
    rows = list(Holiday.objects.values_list("date", "recurring"))
    fixed = {d for d, r in rows if not r}
    yearly = {(d.month, d.day) for d, r in rows if r}
    return lambda day: day in fixed or (day.month, day.day) in yearly


def sla_due_date(start: dt.date, working_days: int) -> dt.date:
    return calendar.add_working_days(start, working_days, holiday_check())


def working_days_until(due: dt.date, today: dt.date | None = None) -> int:
    return calendar.working_days_between(today or timezone.localdate(), due, holiday_check())


def is_overdue(application: Application, today: dt.date | None = None) -> bool:
    return bool(
        application.sla_due
        and application.status in (Application.Status.SUBMITTED, Application.Status.IN_REVIEW)
        and (today or timezone.localdate()) > application.sla_due
    )


def _with_history(qs: QuerySet[Application]) -> QuerySet[Application]:
    return qs.select_related("form").prefetch_related(
        Prefetch("transitions", queryset=Transition.objects.order_by("created_at", "id")), "files"
    )


def applications_for_user(user_id: uuid.UUID) -> list[Application]:
    """The citizen's applications and drafts, newest first (two queries)."""
    return list(
        Application.objects.filter(applicant_id=user_id)
        .exclude(status=Application.Status.WITHDRAWN, reference__isnull=True)
        .order_by("-updated_at")
    )


def submitted_for_user(user_id: uuid.UUID, *, status: str | None = None) -> QuerySet[Application]:
    """The citizen's applications past the draft stage, most recently submitted first (ties
    by reference: a stable order for paging)."""
    qs = Application.objects.filter(applicant_id=user_id, reference__isnull=False).exclude(
        status=Application.Status.DRAFT
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-submitted_at", "reference")


def clean_reference(reference: str) -> str:
    """A reference as typed or linked (any case), or "" when it cannot be one."""
    ref = (reference or "").strip().upper()[:20]
    return ref if re.fullmatch(r"[A-Z0-9-]{1,20}", ref) else ""


def application_for_user(user_id: uuid.UUID, reference: str) -> Application | None:
    """One of the citizen's own applications by reference; None for anyone else's."""
    ref = clean_reference(reference)
    if not ref:
        return None
    return _with_history(Application.objects.filter(applicant_id=user_id, reference=ref)).first()


def draft_for_user(user_id: uuid.UUID, service_slug: str) -> Application | None:
    return (
        Application.objects.filter(
            applicant_id=user_id, service_slug=service_slug, status=Application.Status.DRAFT
        )
        .prefetch_related("files")
        .first()
    )


def application_get(application_id: uuid.UUID | str) -> Application | None:
    try:
        return _with_history(Application.objects.filter(pk=application_id)).first()
    except (ValueError, TypeError, DjangoValidationError):
        return None


def application_by_reference(reference: str) -> Application | None:
    ref = clean_reference(reference)
    return Application.objects.filter(reference=ref).first() if ref else None


def citizen_history(application: Application) -> list[Transition]:
    return [t for t in application.transitions.all() if t.visible_to_citizen]


def application_file_for_user(user_id: uuid.UUID, reference: str, file_id: uuid.UUID | str):  # type: ignore[no-untyped-def]
    app = application_for_user(user_id, reference)
    if app is None:
        return None
    try:
        return app.files.filter(pk=file_id).first()
    except (ValueError, TypeError, DjangoValidationError):
        return None


def completed_application_for_user(user_id: uuid.UUID, reference: str) -> Application | None:
    app = application_for_user(user_id, reference)
    return app if app is not None and app.status == Application.Status.COMPLETED else None


def open_count_for_agency(agency_code: str) -> int:
    return Application.objects.filter(agency_code=agency_code, status__in=OPEN_STATUSES).count()
