"""Rendered pages kept or assembled without their CSRF tokens: the `{% csrf_token %}`
fields are emptied into a placeholder, and each visitor gets their own token (and cookie)
filled in, exactly as if the page had been rendered for them. Used by the catalogue's page
caches and by the login page's per-language shell."""

from __future__ import annotations

import re

from django.http import HttpRequest
from django.middleware.csrf import get_token

# Django's masked CSRF tokens are 64 ASCII letters and digits.
_CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}(")')
# A NUL byte never occurs in a rendered HTML page, so the placeholder cannot collide.
_CSRF_HOLE = b"\x00csrf\x00"


def csrf_punch(content: bytes) -> bytes:
    """The page with every CSRF token field emptied into a placeholder."""
    return _CSRF_FIELD.sub(rb"\1" + _CSRF_HOLE + rb"\2", content)


def csrf_fill(content: bytes, request: HttpRequest) -> bytes:
    """The page with this visitor's CSRF token (get_token also makes the CSRF middleware
    set or refresh the visitor's cookie, as rendering the page would)."""
    if _CSRF_HOLE not in content:
        return content
    return content.replace(_CSRF_HOLE, get_token(request).encode())
