"""Normalising what people type: Arabic-Indic and Persian digits become ASCII digits."""

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def ascii_digits(value: str) -> str:
    return value.translate(_DIGITS)
