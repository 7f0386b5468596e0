"""The Jordanian national number (الرقم الوطني).

Ten digits. Born before 2000: ``9`` + two-digit birth year + sex digit + six-digit serial.
Born from 1 January 2000: ``2000`` + sex digit (1 male, 2 female) + five-digit serial.
No check digit is documented, so none is checked.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext_lazy as _

from .digits import ascii_digits
from .errors import ValidationError

_PRE_2000 = re.compile(r"^9(\d\d)(\d)(\d{6})$")
_FROM_2000 = re.compile(r"^2000([12])(\d{5})$")


def normalize_national_number(raw: object) -> str:
    """Return the 10-digit national number or raise ValidationError with a clear message."""
    if not isinstance(raw, str):
        raise ValidationError(_("Enter the national number."), code="national_number_required")
    value = re.sub(r"[\s\-]", "", ascii_digits(raw.strip()))
    if not value:
        raise ValidationError(_("Enter the national number."), code="national_number_required")
    if not value.isdigit() or len(value) != 10:
        raise ValidationError(
            _("The national number must be exactly 10 digits."), code="national_number_length"
        )
    if not (_PRE_2000.match(value) or _FROM_2000.match(value)):
        raise ValidationError(
            _(
                "This is not a valid national number: it starts with 9 for people born before "
                "2000 and with 2000 followed by 1 or 2 for people born from 2000."
            ),
            code="national_number_format",
        )
    return value


def check_matches_birth_date(national_number: str, birth_date: dt.date) -> None:
    """The number's structure must agree with the date of birth."""
    m = _PRE_2000.match(national_number)
    if m:
        if birth_date.year >= 2000 or birth_date.year % 100 != int(m.group(1)):
            raise ValidationError(
                _("The national number does not match the date of birth."),
                code="national_number_birth_date_mismatch",
            )
        return
    if birth_date < dt.date(2000, 1, 1):
        raise ValidationError(
            _("The national number does not match the date of birth."),
            code="national_number_birth_date_mismatch",
        )


def is_valid_national_number(raw: object) -> bool:
    try:
        normalize_national_number(raw)
    except ValidationError:
        return False
    return True
