from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import UserSession
from .services.sessions import SESSION_SEEN

TOUCH_EVERY = timedelta(minutes=5)


class SessionTrackingMiddleware:
    """Keeps each session's 'last seen' fresh (at most every five minutes) for the account
    page's session list."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            key = request.session.session_key
            seen = request.session.get(SESSION_SEEN)
            now = timezone.now()
            if key and (seen is None or now.timestamp() - seen > TOUCH_EVERY.total_seconds()):
                UserSession.objects.filter(session_key=key, ended_at__isnull=True).update(last_seen_at=now)
                request.session[SESSION_SEEN] = now.timestamp()
        return response
