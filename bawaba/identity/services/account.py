"""Changes people make to their own account."""

from __future__ import annotations

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
