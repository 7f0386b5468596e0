from __future__ import annotations

from django.http import HttpRequest


def feedback(request: HttpRequest) -> dict:
    """Lets core/base.html show the 'Is this page useful?' panel on every page without
    core depending on the portal."""
    return {"bawaba_feedback_template": "portal/_feedback.html"}
