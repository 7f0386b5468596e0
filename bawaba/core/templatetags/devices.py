"""`{{ user_agent|device_label }}`: a browser's User-Agent as a person recognises it —
"Chrome Mobile on Android", "Mobile Safari on iOS" — for the lists of sessions a person may
end. Parsed with ua-parser (the uap-core rules); what it cannot name is shown as sent,
shortened."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.translation import gettext as _
from ua_parser import parse

register = template.Library()


@lru_cache(maxsize=2048)
def _names(user_agent: str) -> tuple[str, str]:
    """(browser, operating system) as ua-parser names them, "" for what it cannot tell."""
    result = parse(user_agent[:512])
    browser = result.user_agent.family if result.user_agent else ""
    system = result.os.family if result.os else ""
    return ("" if browser == "Other" else browser), ("" if system == "Other" else system)


@register.filter
def device_label(user_agent: str | None) -> str:
    ua = (user_agent or "").strip()
    if not ua:
        return _("Unknown device")
    browser, system = _names(ua)
    if browser and system:
        return _("%(browser)s on %(os)s") % {"browser": browser, "os": system}
    if browser or system:
        return browser or system
    return ua if len(ua) <= 60 else ua[:59] + "…"
