"""Writes of the portal: page feedback and service ratings."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.applications import selectors as applications
from bawaba.core.audit import audit_record
from bawaba.core.errors import Conflict, NotFound, RateLimited, ValidationError

from .models import FeedbackThrottle, PageFeedback, ServiceRating

TEXT_MAX = 2000
FEEDBACK_PER_WINDOW = 20
FEEDBACK_WINDOW = dt.timedelta(minutes=10)

_REFERENCE = re.compile(r"BWB-\d{4}-[0-9A-Z]{4,10}", re.IGNORECASE)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_DIGITS = re.compile(r"\d{5,}")
_EMAIL = re.compile(r"[^/@\s]+@[^/@\s]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def page_path_clean(raw: str) -> str:
    """The page a feedback is about, with nothing personal: no query string or fragment,
    no language prefix, references, ids, long numbers (national numbers, phones) and email
    addresses replaced by placeholders."""
    path = (raw or "/").split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/") or path.startswith("//"):
        path = "/"
    path = path[:500]
    if path == "/en" or path.startswith("/en/"):
        path = path[3:] or "/"
    path = _REFERENCE.sub("{reference}", path)
    path = _UUID.sub("{id}", path)
    path = _EMAIL.sub("{email}", path)
    path = _DIGITS.sub("{number}", path)
    path = _CONTROL.sub("", path)
    return path[:300] or "/"


def _text(value: Any) -> str:
    value = value if isinstance(value, str) else ""
    return _CONTROL.sub("", value).strip()[:TEXT_MAX]


def _throttle(client_ip: str | None) -> None:
    key = hashlib.sha256(f"{settings.SECRET_KEY}:feedback:{client_ip or '-'}".encode()).hexdigest()
    now = timezone.now()
    with transaction.atomic():
        row = FeedbackThrottle.objects.select_for_update().filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    FeedbackThrottle.objects.create(key=key, window_start=now, count=1)
                return
            except IntegrityError:
                row = FeedbackThrottle.objects.select_for_update().get(key=key)
        if now - row.window_start > FEEDBACK_WINDOW:
            row.window_start, row.count = now, 1
            row.save(update_fields=["window_start", "count"])
            return
        if row.count >= FEEDBACK_PER_WINDOW:
            retry = int((row.window_start + FEEDBACK_WINDOW - now).total_seconds()) + 1
            raise RateLimited(retry_after=retry)
        FeedbackThrottle.objects.filter(pk=row.pk).update(count=F("count") + 1)


def feedback_record(
    *,
    kind: str,
    path: str,
    language: str,
    what_doing: str = "",
    what_wrong: str = "",
    honeypot: str = "",
    client_ip: str | None = None,
) -> PageFeedback | None:
    """Store one 'useful?' vote or problem report. A filled honeypot is silently
    dropped (None): bots get the same thank-you as people."""
    if honeypot:
        return None
    if kind not in PageFeedback.Kind.values:
        raise ValidationError(_("Choose yes or no."), field="kind")
    what_doing, what_wrong = _text(what_doing), _text(what_wrong)
    if kind == PageFeedback.Kind.PROBLEM and not what_wrong:
        raise ValidationError(_("Tell us what went wrong."), field="what_wrong")
    _throttle(client_ip)
    return PageFeedback.objects.create(
        kind=kind,
        path=page_path_clean(path),
        language="en" if language == "en" else "ar",
        what_doing=what_doing if kind == PageFeedback.Kind.PROBLEM else "",
        what_wrong=what_wrong if kind == PageFeedback.Kind.PROBLEM else "",
    )


@transaction.atomic
def rating_record(*, user: Any, reference: str, score: Any, comment: str = "") -> ServiceRating:
    """Rate a service 1–5 after one's application completed; once per application."""
    app = applications.completed_application_for_user(user.pk, reference)
    if app is None:
        raise NotFound()
    try:
        score = int(str(score).strip())
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError(_("Choose a rating from 1 to 5."), field="score")
    comment = _text(comment)
    if ServiceRating.objects.filter(application_id=app.pk).exists():
        raise Conflict(_("You have already rated this service for this application."), code="already_rated")
    try:
        with transaction.atomic():
            rating = ServiceRating.objects.create(
                application_id=app.pk,
                service_slug=app.service_slug,
                agency_code=app.agency_code,
                score=score,
                comment=comment,
            )
    except IntegrityError:
        raise Conflict(_("You have already rated this service for this application."), code="already_rated")
    audit_record(
        action="service.rated",
        actor=user,
        object_type="application",
        object_id=app.reference,
        data={"score": score},
    )
    return rating
