"""Single-use recovery codes, for when the phone and the authenticator are lost."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from bawaba.core.audit import audit_record
from bawaba.core.crypto import keyed_hash

from ..models import RecoveryCode, User

COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _normalize(code: str) -> str:
    return code.strip().lower().replace("-", "").replace(" ", "")


def _hash(code: str) -> str:
    return keyed_hash(_normalize(code), purpose="recovery-code")


def recovery_codes_generate(*, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones, shown once."""
    codes = []
    for _i in range(COUNT):
        raw = "".join(secrets.choice(_ALPHABET) for _j in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_hash(c)) for c in codes])
        audit_record(action="mfa.recovery_codes.generate", actor=user)
    return codes


def recovery_code_use(*, user: User, code: str) -> bool:
    with transaction.atomic():
        row = (
            RecoveryCode.objects.select_for_update()
            .filter(user=user, code_hash=_hash(code), used_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        row.used_at = timezone.now()
        row.save(update_fields=["used_at"])
        audit_record(action="mfa.recovery_code.use", actor=user)
    return True


def recovery_codes_remaining(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
