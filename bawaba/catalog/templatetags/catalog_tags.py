from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from bawaba.core.money import format_jod

from ..constants import CHANNELS, GOVERNORATE_AR, GOVERNORATE_EN, WEEKDAYS

register = template.Library()


@register.filter
def tr(obj, field: str) -> str:  # type: ignore[no-untyped-def]
    """{{ service|tr:"summary" }} → the field in the active language."""
    return obj.tr(field)


@register.filter
def lang_list(obj, field: str) -> list:  # type: ignore[no-untyped-def]
    from django.utils import translation

    lang = (translation.get_language() or "ar")[:2]
    first = getattr(obj, f"{field}_{lang}")
    return first or getattr(obj, f"{field}_{'ar' if lang == 'en' else 'en'}")


@register.filter
def fee_amount(amount_fils) -> str:  # type: ignore[no-untyped-def]
    if amount_fils is None:
        return _("Varies — ask the agency")
    if amount_fils == 0:
        return _("Free")
    return format_jod(amount_fils)


@register.filter
def channel_label(key: str) -> str:
    return str(CHANNELS.get(key, key))


@register.filter
def governorate(key: str) -> str:
    from django.utils import translation

    table = GOVERNORATE_EN if (translation.get_language() or "ar").startswith("en") else GOVERNORATE_AR
    return table.get(key, key)


@register.filter
def working_days(days: list[str]) -> str:
    names = dict(WEEKDAYS)
    if list(days) == ["sun", "mon", "tue", "wed", "thu"]:
        return _("Sunday to Thursday")
    return "، ".join(str(names.get(d, d)) for d in days)


@register.simple_tag
def service_items(services):  # type: ignore[no-untyped-def]
    """{% service_items services as items %}: the rendered list items (cached per service,
    language and catalogue version) of published services given as ids or objects."""
    from ..listing import service_items as render_items

    return render_items(services or [])
