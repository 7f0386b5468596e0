"""What the citizen does: save a draft, submit (exactly once per form token), answer a
request for more information, withdraw."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.catalog import selectors as catalog
from bawaba.core.errors import Conflict, NotFound, ValidationError

from .. import selectors
from ..definitions import DEFAULT_FILE_TYPES, answers_clean
from ..models import OPEN_STATUSES, Application, FormDefinition
from ._common import StoredFiles, new_reference, notify, on_commit_delete, record, replace_files, sms_text
from .fees import application_fee_due

TOKEN_MAX = 64
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
RESPONSE_FIELD = {
    "key": "response",
    "kind": "file",
    "file_types": list(DEFAULT_FILE_TYPES),
    "max_size_kb": 5120,
}
COMMENT_MAX = 2000


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _clean_token(token: str) -> str:
    token = (token or "").strip()
    if not token or len(token) > TOKEN_MAX or not token.replace("-", "").replace("_", "").isalnum():
        raise ValidationError(
            _("The form has expired. Please review your answers and submit again."), code="bad_token"
        )
    return token


def _service_names(form: FormDefinition) -> tuple[str, str, str]:
    service = catalog.service_for_application(form.service_slug)
    if service is None or not service.online_application:
        raise NotFound(_("This service cannot be applied for online at the moment."))
    return service.name_ar, service.name_en, service.agency.code


def _run(store: StoredFiles, fn: Any) -> Any:
    try:
        with transaction.atomic():
            return fn()
    except BaseException:
        store.cleanup()
        raise


def application_draft_save(
    *,
    user: Any,
    form: FormDefinition,
    token: str,
    posted: Any,
    uploads: Any,
    identity: dict[str, str],
    language: str = "ar",
) -> Application:
    """Keep what the citizen has typed so far (valid uploads included); nothing is checked
    for completeness. One draft per person and service."""
    token = _clean_token(token)
    name_ar, name_en, agency = _service_names(form)
    store = StoredFiles()

    def work() -> Application:
        done = Application.objects.filter(applicant=user, submit_token=token).exclude(
            status=Application.Status.DRAFT
        )
        if done.exists():
            raise Conflict(_("This application was already submitted."), code="already_submitted")
        draft = (
            Application.objects.select_for_update()
            .filter(applicant=user, service_slug=form.service_slug, status=Application.Status.DRAFT)
            .first()
        )
        cleaned = answers_clean(form.snapshot, posted, uploads, identity=identity, partial=True)
        if draft is None:
            try:
                with transaction.atomic():
                    draft = Application.objects.create(
                        applicant=user,
                        form=form,
                        service_slug=form.service_slug,
                        agency_code=agency,
                        service_name_ar=name_ar,
                        service_name_en=name_en,
                        form_version=form.version,
                        form_snapshot=form.snapshot,
                        submit_token=token,
                        language=language[:2],
                    )
            except IntegrityError:  # a parallel save made it first
                draft = Application.objects.select_for_update().get(
                    applicant=user, service_slug=form.service_slug, status=Application.Status.DRAFT
                )
        draft.answers = {**draft.answers, **cleaned.values}
        draft.form_version = form.version
        draft.form_snapshot = form.snapshot
        draft.language = language[:2]
        draft.save(update_fields=["answers", "form_version", "form_snapshot", "language", "updated_at"])
        replace_files(draft, cleaned.files, store)
        draft._file_errors = cleaned.errors  # type: ignore[attr-defined]
        return draft

    return _run(store, work)


def application_submit(
    *,
    user: Any,
    form: FormDefinition,
    token: str,
    version: str | int,
    posted: Any,
    uploads: Any,
    identity: dict[str, str],
    language: str = "ar",
) -> tuple[Application, bool]:
    """Submit an application. Returns (application, created): posting the same form token
    again returns the application it already made. Raises ValidationError (details: field
    errors) or Conflict(code="form_changed") when the definition changed since the page
    was shown — nothing is written in either case."""
    token = _clean_token(token)
    existing = (
        Application.objects.filter(applicant=user, submit_token=token)
        .exclude(status=Application.Status.DRAFT)
        .first()
    )
    if existing is not None:
        return existing, False
    if str(version) != str(form.version):
        raise Conflict(
            _("This form was updated since you opened it. Please review your answers and submit again."),
            code="form_changed",
        )
    name_ar, name_en, agency = _service_names(form)
    store = StoredFiles()

    def work() -> tuple[Application, bool]:
        draft = (
            Application.objects.select_for_update()
            .filter(applicant=user, service_slug=form.service_slug, status=Application.Status.DRAFT)
            .first()
        )
        again = (
            Application.objects.filter(applicant=user, submit_token=token)
            .exclude(status=Application.Status.DRAFT)
            .first()
        )
        if again is not None:  # a parallel request with the same token won
            return again, False
        kept = {f.field_key for f in draft.files.all()} if draft else set()
        cleaned = answers_clean(form.snapshot, posted, uploads, identity=identity, existing_files=kept)
        if not cleaned.ok:
            raise ValidationError(_("Please correct the answers marked below."), details=cleaned.errors)
        now = timezone.now()
        app = draft or Application(
            applicant=user,
            form=form,
            service_slug=form.service_slug,
            created_at=now,
        )
        app.agency_code = agency
        app.service_name_ar, app.service_name_en = name_ar, name_en
        app.form = form
        app.form_version = form.version
        app.form_snapshot = form.snapshot
        # Answers not in the current definition (a field removed since the draft) are dropped.
        app.answers = cleaned.values
        app.submit_token = token
        app.language = language[:2]
        app.status = Application.Status.SUBMITTED
        app.submitted_at = now
        app.amount_due_fils = application_fee_due(form=form)
        app.payment_status = Application.Payment.AWAITING if app.amount_due_fils else Application.Payment.NONE
        app.sla_due = selectors.sla_due_date(timezone.localdate(now), form.sla_working_days)
        for _attempt in range(5):
            app.reference = new_reference()
            try:
                with transaction.atomic():
                    app.save()
                break
            except IntegrityError:
                if Application.objects.filter(applicant=user, submit_token=token).exclude(pk=app.pk).exists():
                    raise Conflict(_("This application was already submitted."), code="already_submitted")
                if draft is None:
                    app.pk = None
                    app._state.adding = True
        else:  # pragma: no cover - 27^6 references a year
            raise Conflict()
        if draft is not None:
            stale = [f for f in draft.files.all() if f.field_key not in {x["key"] for x in form.snapshot}]
            if stale:
                on_commit_delete([f.stored_name for f in stale])
                draft.files.filter(pk__in=[f.pk for f in stale]).delete()
        replace_files(app, cleaned.files, store)
        record(
            app,
            action="submitted",
            to_status=app.status,
            from_status=Application.Status.DRAFT,
            actor=user,
            by_citizen=True,
        )
        notify(app, sms_text(app, "submitted"))
        return app, True

    try:
        return _run(store, work)
    except Conflict as exc:
        if exc.code == "already_submitted":
            found = Application.objects.filter(applicant=user, submit_token=token).first()
            if found is not None:
                return found, False
        raise


def _own(user: Any, reference: str) -> Application:
    ref = selectors.clean_reference(reference)
    app = (
        Application.objects.select_for_update().filter(applicant=user, reference=ref).first() if ref else None
    )
    if app is None:
        raise NotFound()
    return app


def application_respond(*, user: Any, reference: str, comment: str, uploads: Any) -> Application:
    """The citizen answers a request for more information; the application goes back to review."""
    comment = _CONTROL.sub("", comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(_("Write at most %(n)s characters.") % {"n": COMMENT_MAX}, field="comment")
    cleaned = answers_clean([RESPONSE_FIELD], {}, uploads, identity={}, partial=True)
    if cleaned.errors:
        raise ValidationError(cleaned.errors["response"], field="response")
    if not comment and not cleaned.files:
        raise ValidationError(_("Write an answer or attach a file."), field="comment")
    store = StoredFiles()

    def work() -> Application:
        app = _own(user, reference)
        if app.status != Application.Status.INFO_REQUESTED:
            raise Conflict(_("This application is not waiting for information from you."))
        for f in cleaned.files.values():
            store.save(app, f)
        record(
            app,
            action="responded",
            to_status=Application.Status.IN_REVIEW,
            actor=user,
            comment=comment,
            by_citizen=True,
        )
        app.status = Application.Status.IN_REVIEW
        app.sla_due = selectors.sla_due_date(timezone.localdate(), max(app.sla_paused_days or 1, 1))
        app.sla_paused_days = None
        app.save(update_fields=["status", "sla_due", "sla_paused_days", "updated_at"])
        return app

    return _run(store, work)


@transaction.atomic
def application_withdraw(*, user: Any, reference: str, reason: str = "") -> Application:
    """Withdraw before a decision."""
    reason = _CONTROL.sub("", reason or "").strip()[:COMMENT_MAX]
    app = _own(user, reference)
    if app.status not in OPEN_STATUSES:
        raise Conflict(_("An application can be withdrawn only before a decision."), code="not_withdrawable")
    record(
        app,
        action="withdrawn",
        to_status=Application.Status.WITHDRAWN,
        actor=user,
        comment=reason,
        by_citizen=True,
    )
    app.status = Application.Status.WITHDRAWN
    app.save(update_fields=["status", "updated_at"])
    notify(app, sms_text(app, "withdrawn"))
    return app


@transaction.atomic
def application_draft_discard(*, user: Any, service_slug: str) -> bool:
    draft = (
        Application.objects.select_for_update()
        .filter(applicant=user, service_slug=service_slug, status=Application.Status.DRAFT)
        .first()
    )
    if draft is None:
        return False
    on_commit_delete([f.stored_name for f in draft.files.all()])
    draft.delete()
    return True
