"""Password rules after NIST SP 800-63B: length, not a common password, not the login
identifier. No composition rules; any Unicode; paste allowed."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MIN_LENGTH = 8
MAX_LENGTH = 256


def normalize_password(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


class LengthValidator:
    def validate(self, password: str, user=None) -> None:  # type: ignore[no-untyped-def]
        n = len(normalize_password(password))
        if n < MIN_LENGTH:
            raise ValidationError(
                ngettext(
                    "Your password must be at least %(min)d character long.",
                    "Your password must be at least %(min)d characters long.",
                    MIN_LENGTH,
                )
                % {"min": MIN_LENGTH},
                code="password_too_short",
            )
        if n > MAX_LENGTH:
            raise ValidationError(
                _("Your password can be at most %(max)d characters long.") % {"max": MAX_LENGTH},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("Use at least %(min)d characters. A few unrelated words make a strong password.") % {
            "min": MIN_LENGTH
        }


class NotIdentifierValidator:
    """The password must not be the national number, the phone or the login identifier."""

    def validate(self, password: str, user=None) -> None:  # type: ignore[no-untyped-def]
        if user is None:
            return
        candidates = {
            getattr(user, "username", "") or "",
            getattr(user, "national_number", "") or "",
            getattr(user, "personal_number", "") or "",
            (getattr(user, "phone", "") or "").lstrip("+"),
        }
        p = normalize_password(password).strip().lower()
        if any(c and (p == c.lower() or c.lower() in p and len(c) >= 6) for c in candidates):
            raise ValidationError(
                _("Your password must not contain your national number, login identifier or mobile number."),
                code="password_is_identifier",
            )

    def get_help_text(self) -> str:
        return _("Do not use your national number or mobile number.")
