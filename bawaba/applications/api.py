"""A citizen's own applications and notifications over the JSON API, read-only, for the
apps a citizen allows: authenticated with an OAuth 2.0 access token issued by Bawaba's
OpenID provider with the `applications` scope (RFC 6750 bearer token). Who checks the
token is wired in bawaba/api.py; this module only names the scope."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from bawaba.core.api import ErrorOut, Paging, ScopedBearer, paginate
from bawaba.core.auth import BearerCheck
from bawaba.core.errors import NotFound
from bawaba.core.money import fils_to_text
from bawaba.messaging.selectors import messages_for_user

from . import selectors
from .models import Application

SCOPE = "applications"
router = Router(tags=["my applications"], auth=ScopedBearer(SCOPE))
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
StatusKey = Literal[tuple(s for s in Application.Status.values if s != "draft")]  # type: ignore[valid-type]


class PageUrls(Schema):
    """The page of the same thing on the portal, in each language (absolute addresses)."""

    ar: str
    en: str


class ServiceRef(Schema):
    slug: str
    name_ar: str
    name_en: str


class ApplicationItem(Schema):
    reference: str = Field(description="e.g. BWB-2026-7K3Q9X")
    status: str = Field(
        description="submitted, in_review, info_requested, approved, rejected, completed or withdrawn"
    )
    status_name_ar: str
    status_name_en: str
    service: ServiceRef
    agency_code: str
    submitted_at: dt.datetime | None
    updated_at: dt.datetime
    decided_at: dt.datetime | None
    target_date: dt.date | None = Field(description="Service-level target date (working days)")
    payment_status: str = Field(description="none, awaiting_payment or paid")
    amount_due_fils: int
    amount_due_jod: str = Field(description='The same amount in dinars, e.g. "5.000"')
    urls: PageUrls


class HistoryEntry(Schema):
    status: str
    status_name_ar: str
    status_name_en: str
    from_status: str
    at: dt.datetime
    by: Literal["citizen", "agency"]
    comment: str = Field(
        description="What the agency (or the citizen) wrote for the citizen; never internal notes"
    )


class ApplicationOut(ApplicationItem):
    history: list[HistoryEntry] = Field(description="Oldest first")


class ApplicationPage(Schema):
    count: int
    page: int
    per_page: int
    pages: int
    results: list[ApplicationItem]


class NotificationOut(Schema):
    id: uuid.UUID
    channel: str = Field(description="sms")
    to: str = Field(description="The number it was sent to (E.164)")
    text: str = Field(description="The message; one-time codes are masked")
    status: str = Field(description="queued, sent, delivered or failed")
    created_at: dt.datetime


class NotificationPage(Schema):
    count: int
    page: int
    per_page: int
    pages: int
    results: list[NotificationOut]


class ApplicationFilters(Paging):
    status: StatusKey | None = Field(None, description="Only applications in this status")  # type: ignore[valid-type]


def _status_names(value: str) -> tuple[str, str]:
    label = dict(Application.Status.choices).get(value, value)
    names = []
    for lang in ("ar", "en"):
        with translation.override(lang):
            names.append(str(label))
    return names[0], names[1]


def _urls(reference: str) -> PageUrls:
    base = settings.BASE_URL.rstrip("/")
    out = {}
    for lang in ("ar", "en"):
        with translation.override(lang):
            out[lang] = base + reverse("portal:application", args=[reference])
    return PageUrls(**out)


def _item(app: Application) -> dict[str, Any]:
    ar, en = _status_names(app.status)
    return {
        "reference": app.reference,
        "status": app.status,
        "status_name_ar": ar,
        "status_name_en": en,
        "service": ServiceRef(
            slug=app.service_slug, name_ar=app.service_name_ar, name_en=app.service_name_en
        ),
        "agency_code": app.agency_code,
        "submitted_at": app.submitted_at,
        "updated_at": app.updated_at,
        "decided_at": app.decided_at,
        "target_date": app.sla_due,
        "payment_status": app.payment_status,
        "amount_due_fils": app.amount_due_fils,
        "amount_due_jod": fils_to_text(app.amount_due_fils),
        "urls": _urls(app.reference or ""),
    }


def _no_store(response: HttpResponse) -> None:
    response["Cache-Control"] = "no-store"


def _user_id(request: HttpRequest) -> Any:
    auth: BearerCheck = request.auth  # type: ignore[attr-defined]
    return auth.user_id


@router.get(
    "/me/applications",
    response={200: ApplicationPage, **ERRORS},
    summary="My applications",
    description="The applications of the citizen the access token acts for (scope "
    "`applications`), most recently submitted first; drafts are not listed. Paginated "
    "(`page`, `per_page` ≤ 100); `status` filters.",
)
def my_applications(request: HttpRequest, response: HttpResponse, filters: Query[ApplicationFilters]):  # type: ignore[no-untyped-def]
    _no_store(response)
    qs = selectors.submitted_for_user(_user_id(request), status=filters.status)
    return paginate(qs, filters, _item)


@router.get(
    "/me/applications/{reference}",
    response={200: ApplicationOut, **ERRORS},
    summary="One of my applications, with its history",
    description="The status history shows what the citizen sees on the portal: status changes and "
    "comments meant for them, never the agency's internal notes. Another person's reference, a "
    "draft or an unknown reference are all 404 `not_found`.",
)
def my_application(request: HttpRequest, response: HttpResponse, reference: str):  # type: ignore[no-untyped-def]
    _no_store(response)
    app = selectors.application_for_user(_user_id(request), reference)
    if app is None or app.status == Application.Status.DRAFT:
        raise NotFound(_("You have no application with this reference."))
    history = []
    for t in selectors.citizen_history(app):
        ar, en = _status_names(t.to_status)
        history.append(
            HistoryEntry(
                status=t.to_status,
                status_name_ar=ar,
                status_name_en=en,
                from_status=t.from_status,
                at=t.created_at,
                by="citizen" if t.by_citizen else "agency",
                comment=t.comment,
            )
        )
    return {**_item(app), "history": history}


@router.get(
    "/me/notifications",
    response={200: NotificationPage, **ERRORS},
    summary="My notifications",
    description="Every message Bawaba sent the citizen (SMS included), newest first; one-time "
    "codes are masked, as in the portal's inbox. Paginated (`page`, `per_page` ≤ 100).",
)
def my_notifications(request: HttpRequest, response: HttpResponse, paging: Query[Paging]):  # type: ignore[no-untyped-def]
    _no_store(response)
    qs = messages_for_user(str(_user_id(request))).order_by("-created_at", "-id")
    return paginate(
        qs,
        paging,
        lambda m: NotificationOut(
            id=m.id,
            channel=m.channel,
            to=m.to,
            text=m.redacted_body if m.sensitive else m.body,
            status=m.status,
            created_at=m.created_at,
        ),
    )
