"""Money is an integer number of fils (1 JOD = 1000 fils); formatting happens at the edge."""

from __future__ import annotations

from django.utils import translation


def fils_to_text(amount_fils: int) -> str:
    """34700 → "34.700" (three decimals, as Jordanian prices are written)."""
    sign = "-" if amount_fils < 0 else ""
    dinars, fils = divmod(abs(int(amount_fils)), 1000)
    return f"{sign}{dinars:,}.{fils:03d}"


def format_jod(amount_fils: int, lang: str | None = None) -> str:
    """ "JD 34.700" in English, "34.700 د.أ" in Arabic (digits stay Western, as on Jordanian
    government sites)."""
    lang = (lang or translation.get_language() or "ar")[:2]
    number = fils_to_text(amount_fils)
    return f"{number} د.أ" if lang == "ar" else f"JD {number}"
