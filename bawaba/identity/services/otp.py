"""One-time codes sent by SMS: 6 digits, valid 10 minutes, single use, stored as a keyed
hash. Failures are counted per subject and purpose across codes (a new code does not
reset them); sending is rate-limited."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core.crypto import constant_time_equal, keyed_hash
from bawaba.core.digits import ascii_digits
from bawaba.core.errors import RateLimited, ValidationError
from bawaba.messaging import services as messaging

from ..models import OneTimeCode
from . import throttle

CODE_TTL = timedelta(minutes=10)
RESEND_INTERVAL = timedelta(seconds=30)
MAX_SENDS_PER_HOUR = 5


def _hash(code: str) -> str:
    return keyed_hash(code, purpose="otp")


def code_message(purpose: str, code: str) -> str:
    texts: dict[str, str] = {
        OneTimeCode.Purpose.REGISTER: _(
            "Bawaba: your registration code is %(code)s. It expires in 10 minutes. Do not share it."
        ),
        OneTimeCode.Purpose.LOGIN: _(
            "Bawaba: your login code is %(code)s. It expires in 10 minutes. Never share it, not even with staff."
        ),
        OneTimeCode.Purpose.RESET: _(
            "Bawaba: your password reset code is %(code)s. It expires in 10 minutes. If you did not ask for it, ignore this message."
        ),
        OneTimeCode.Purpose.PHONE_CHANGE: _(
            "Bawaba: your code to confirm this mobile number is %(code)s. It expires in 10 minutes."
        ),
    }
    return texts[purpose] % {"code": code}


def otp_issue(*, subject: str, purpose: str, phone: str, user_id: str = "") -> None:
    """Send a new code to `phone`; earlier unused codes for the same subject stop working."""
    now = timezone.now()
    recent = OneTimeCode.objects.filter(
        subject=subject, purpose=purpose, created_at__gt=now - timedelta(hours=1)
    )
    last = recent.order_by("-created_at").first()
    if last and now - last.created_at < RESEND_INTERVAL:
        wait = int((RESEND_INTERVAL - (now - last.created_at)).total_seconds()) + 1
        raise RateLimited(
            _("A code was sent a moment ago. Please wait before asking for another."), retry_after=wait
        )
    if recent.count() >= MAX_SENDS_PER_HOUR:
        raise RateLimited(_("Too many codes were sent. Please try again in an hour."), retry_after=3600)
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        OneTimeCode.objects.filter(subject=subject, purpose=purpose, used_at__isnull=True).update(
            superseded=True
        )
        OneTimeCode.objects.create(
            subject=subject,
            purpose=purpose,
            code_hash=_hash(code),
            phone=phone,
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        messaging.sms_send(
            to=phone,
            body=code_message(purpose, code),
            purpose=f"otp_{purpose}",
            user_id=user_id,
            sensitive=True,
        )


def otp_verify(*, subject: str, purpose: str, code: str) -> OneTimeCode:
    """Use a code. Raises ValidationError (wrong, expired, used) or RateLimited (too many failures)."""
    key = f"otp:{purpose}:{subject}"
    if throttle.is_locked(key):
        raise RateLimited(
            throttle.locked_message(), retry_after=int(throttle.CODE_POLICY.lockout.total_seconds())
        )
    code = ascii_digits((code or "").strip()).replace(" ", "")
    now = timezone.now()
    with transaction.atomic():
        candidate = (
            OneTimeCode.objects.select_for_update()
            .filter(subject=subject, purpose=purpose)
            .order_by("-created_at")
            .first()
        )
        matched = (
            candidate is not None and len(code) == 6 and constant_time_equal(candidate.code_hash, _hash(code))
        )
        if matched and candidate is not None:
            if candidate.used_at is not None:
                error = ValidationError(
                    _("This code has already been used. Ask for a new one."), code="code_used", field="otp"
                )
            elif candidate.superseded:
                error = ValidationError(
                    _("This code was replaced by a newer one. Use the latest code."),
                    code="code_superseded",
                    field="otp",
                )
            elif candidate.expires_at <= now:
                error = ValidationError(
                    _("This code has expired. Ask for a new one."), code="code_expired", field="otp"
                )
            else:
                candidate.used_at = now
                candidate.save(update_fields=["used_at"])
                throttle.throttle_reset(key)
                return candidate
        else:
            error = ValidationError(_("The code is not correct."), code="code_invalid", field="otp")
    throttle.throttle_fail(key, throttle.CODE_POLICY)
    raise error


def otp_sent_to(*, subject: str, purpose: str) -> str | None:
    last = OneTimeCode.objects.filter(subject=subject, purpose=purpose).order_by("-created_at").first()
    return last.phone if last else None
