"""The "Is this page useful?" panel shown on every page (core/base.html includes
portal/_feedback.html). It is the same for every page of a language except the page's
path and the visitor's CSRF token, so it is rendered once per language and process and
those two are put in for each page (about half a millisecond less per page)."""

from __future__ import annotations

import threading

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_PATH = "bawabaFeedbackPath7f3a"
_TOKEN = "bawabaFeedbackToken7f3a"
_panels: dict[str, str] = {}
_lock = threading.Lock()


def _panel(lang: str) -> str:
    panel = _panels.get(lang)
    if panel is None:
        panel = render_to_string("portal/_feedback_panel.html", {"path": _PATH, "csrf_token": _TOKEN})
        with _lock:
            _panels[lang] = panel
    return panel


@register.simple_tag(takes_context=True)
def feedback_panel(context: template.Context) -> SafeString:
    request = context["request"]
    lang = translation.get_language() or settings.LANGUAGE_CODE
    html = _panel(lang).replace(_PATH, str(conditional_escape(request.path)))
    html = html.replace(_TOKEN, get_token(request))
    return mark_safe(html)  # noqa: S308 - rendered by the template engine; the path is escaped
