"""What agency staff do in the work queue. Every action checks that the application
belongs to the actor's agency (superusers excepted), locks the row, records a history
entry and an audit event."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core.errors import Conflict, NotFound, PermissionDenied, ValidationError

from .. import selectors
from ..models import Application
from ._common import notify, record, sms_text

PROCESS = "applications.process_application"
ASSIGN = "applications.assign_application"
COMMENT_MAX = 4000
REVIEWABLE = (Application.Status.SUBMITTED, Application.Status.IN_REVIEW)


def staff_agency_code(user: Any) -> str:
    agency = getattr(user, "agency", None)
    return getattr(agency, "code", "") or ""


def can_process(user: Any, agency_code: str) -> bool:
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return bool(user.has_perm(PROCESS) and staff_agency_code(user) and staff_agency_code(user) == agency_code)


def _lock(application_id: Any, actor: Any, perm: str = PROCESS) -> Application:
    app = (
        Application.objects.select_for_update()
        .exclude(status=Application.Status.DRAFT)
        .filter(pk=application_id)
        .first()
    )
    if app is None or not can_process(actor, app.agency_code):
        raise NotFound()
    if perm != PROCESS and not actor.is_superuser and not actor.has_perm(perm):
        raise PermissionDenied()
    return app


def _comment(comment: str, *, required: bool) -> str:
    comment = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", comment or "").strip()
    if required and not comment:
        raise ValidationError(_("Write a comment for the applicant."), field="comment")
    if len(comment) > COMMENT_MAX:
        raise ValidationError(_("Write at most %(n)s characters.") % {"n": COMMENT_MAX}, field="comment")
    return comment


def _move(
    app: Application, *, to: str, action: str, actor: Any, comment: str, allowed: tuple[str, ...]
) -> None:
    if app.status not in allowed:
        raise Conflict(
            _("This cannot be done while the application is “%(status)s”.")
            % {"status": app.get_status_display()},
            code="bad_transition",
        )
    record(app, action=action, to_status=to, actor=actor, comment=comment)
    app.status = to


@transaction.atomic
def application_assign(*, application_id: Any, actor: Any, assignee_id: Any = None) -> Application:
    """Assign to a colleague of the same agency (or to oneself when `assignee_id` is None).
    A submitted application goes into review when someone takes it."""
    own = assignee_id is None or str(assignee_id) == str(actor.pk)
    app = _lock(application_id, actor, PROCESS if own else ASSIGN)
    if app.status not in (*REVIEWABLE, Application.Status.INFO_REQUESTED, Application.Status.APPROVED):
        raise Conflict(_("A closed application cannot be assigned."), code="bad_transition")
    assignee = actor if own else get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
    if assignee is None or not can_process(assignee, app.agency_code):
        raise ValidationError(
            _("Choose a colleague of the same agency who processes applications."), field="assignee"
        )
    app.assigned_to = assignee
    record(
        app,
        action="assigned",
        to_status=app.status,
        actor=actor,
        comment=_("Assigned to %(name)s") % {"name": assignee.get_username()},
        visible=False,
    )
    if app.status == Application.Status.SUBMITTED:
        record(app, action="review_started", to_status=Application.Status.IN_REVIEW, actor=actor)
        app.status = Application.Status.IN_REVIEW
    app.save(update_fields=["assigned_to", "status", "updated_at"])
    return app


@transaction.atomic
def application_start_review(*, application_id: Any, actor: Any) -> Application:
    app = _lock(application_id, actor)
    _move(
        app,
        to=Application.Status.IN_REVIEW,
        action="review_started",
        actor=actor,
        comment="",
        allowed=(Application.Status.SUBMITTED,),
    )
    app.save(update_fields=["status", "updated_at"])
    return app


@transaction.atomic
def application_comment(
    *, application_id: Any, actor: Any, comment: str, visible_to_citizen: bool = False
) -> Application:
    app = _lock(application_id, actor)
    comment = _comment(comment, required=True)
    record(
        app, action="comment", to_status=app.status, actor=actor, comment=comment, visible=visible_to_citizen
    )
    app.save(update_fields=["updated_at"])
    return app


@transaction.atomic
def application_request_info(*, application_id: Any, actor: Any, comment: str) -> Application:
    """Ask the applicant for more information; the service-level clock stops meanwhile."""
    app = _lock(application_id, actor)
    comment = _comment(comment, required=True)
    _move(
        app,
        to=Application.Status.INFO_REQUESTED,
        action="info_requested",
        actor=actor,
        comment=comment,
        allowed=REVIEWABLE,
    )
    if app.sla_due:
        app.sla_paused_days = max(selectors.working_days_until(app.sla_due), 0)
    app.sla_due = None
    app.save(update_fields=["status", "sla_due", "sla_paused_days", "updated_at"])
    notify(app, sms_text(app, "info_requested"))
    return app


def _decide(
    *, application_id: Any, actor: Any, to: str, action: str, comment: str, required: bool
) -> Application:
    """Approve or reject: the decision, its time, and the applicant told by SMS."""
    app = _lock(application_id, actor)
    _move(
        app,
        to=to,
        action=action,
        actor=actor,
        comment=_comment(comment, required=required),
        allowed=REVIEWABLE,
    )
    app.decided_at = timezone.now()
    app.save(update_fields=["status", "decided_at", "updated_at"])
    notify(app, sms_text(app, action))
    return app


@transaction.atomic
def application_approve(*, application_id: Any, actor: Any, comment: str = "") -> Application:
    return _decide(
        application_id=application_id,
        actor=actor,
        to=Application.Status.APPROVED,
        action="approved",
        comment=comment,
        required=False,
    )


@transaction.atomic
def application_reject(*, application_id: Any, actor: Any, comment: str) -> Application:
    """Reject, with the reason the applicant will read."""
    return _decide(
        application_id=application_id,
        actor=actor,
        to=Application.Status.REJECTED,
        action="rejected",
        comment=comment,
        required=True,
    )


@transaction.atomic
def application_complete(*, application_id: Any, actor: Any, comment: str = "") -> Application:
    app = _lock(application_id, actor)
    _move(
        app,
        to=Application.Status.COMPLETED,
        action="completed",
        actor=actor,
        comment=_comment(comment, required=False),
        allowed=(Application.Status.APPROVED,),
    )
    app.save(update_fields=["status", "updated_at"])
    notify(app, sms_text(app, "completed"))
    return app
