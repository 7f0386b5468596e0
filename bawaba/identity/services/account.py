"""Changes people make to their own account."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from bawaba.core.audit import audit_record
from bawaba.core.errors import ValidationError

from ..models import User


def sms_second_factor_set(*, user: User, enabled: bool) -> None:
    if enabled and not (user.phone and user.phone_verified):
        raise ValidationError(_("Verify a mobile number first."), code="no_phone")
    user.sms_second_factor = enabled
    user.save(update_fields=["sms_second_factor"])
    audit_record(action="mfa.sms.enable" if enabled else "mfa.sms.disable", actor=user)


def account_deactivate(*, user: User, actor: User | None = None) -> int:
    """Deactivate an account (back office): it can no longer log in, and every one of its
    sessions ends now (services it used are told, through `signals.session_ended`).
    Idempotent. Returns how many sessions were ended."""
    from .sessions import sessions_end_all

    with transaction.atomic():
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
        ended = sessions_end_all(user=user, reason="account_deactivated")
        audit_record(
            action="account.deactivate",
            actor=actor,
            object_type="user",
            object_id=user.pk,
            data={"sessions_ended": ended},
        )
    return ended
