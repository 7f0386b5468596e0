from django.conf import settings
from django.contrib.auth.decorators import user_passes_test
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from bawaba.core.auth import session_has_second_factor

from . import selectors


def _staff(user) -> bool:  # type: ignore[no-untyped-def]
    return bool(user.is_authenticated and user.is_staff)


@user_passes_test(_staff)
def sms_outbox(request: HttpRequest) -> HttpResponse:
    """Development outbox: what the SMS adapter would have sent. Demo mode only."""
    if not settings.DEMO_MODE or not session_has_second_factor(request):
        raise Http404
    return render(request, "messaging/outbox.html", {"messages_list": selectors.outbox_list(limit=100)})
