"""Jordanian mobile numbers, stored as E.164 (+962 7[789] and seven digits)."""

from __future__ import annotations

import re

import phonenumbers
from django.utils.translation import gettext_lazy as _

from .digits import ascii_digits
from .errors import ValidationError

_JO_MOBILE = re.compile(r"^\+9627[789]\d{7}$")


def normalize_jordan_mobile(raw: object) -> str:
    """Accept 07…, 7…, 009627…, +9627… (spaces, dashes, Arabic digits allowed); return E.164."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError(_("Enter a mobile number."), code="phone_required")
    value = re.sub(r"[\s\-().]", "", ascii_digits(raw.strip()))
    if len(value) > 20 or not re.fullmatch(r"\+?\d+", value):
        raise ValidationError(_("Enter a Jordanian mobile number such as 0791234567."), code="phone_format")
    if value.startswith("00"):
        value = "+" + value[2:]
    try:
        parsed = phonenumbers.parse(value, "JO")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a Jordanian mobile number such as 0791234567."), code="phone_format")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if not _JO_MOBILE.match(e164) or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _("Enter a Jordanian mobile number (077, 078 or 079 followed by 7 digits)."),
            code="phone_not_jordan_mobile",
        )
    return e164


def mask_phone(e164: str) -> str:
    """+962791234567 → +96279*****67 (shown to users so they know where the code went)."""
    if len(e164) < 8:
        return "*" * len(e164)
    return e164[:6] + "*" * (len(e164) - 8) + e164[-2:]
