"""The one place that decides whether a citizen's session is strong enough for a page.

TODAY it reads the identity session directly. When single sign-on lands, switch
`acr_response` to the SSO relying-party check (`bawaba.sso.rp.oidc_login_required`):
every view goes through here, so that is the only edit needed.

ACR rule (the same the SSO provider uses):
- loa-low: any login;
- loa-substantial: the session used a second factor AND the identity's assurance level
  is at least substantial;
- loa-high: a second factor AND the identity's assurance level is high."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from bawaba.identity.selectors import assurance_at_least, session_auth

SECOND_FACTORS = frozenset({"otp", "sms", "hwk", "rec", "mfa"})
ACR_ORDER = {"loa-low": 1, "loa-substantial": 2, "loa-high": 3}
ACR_ASSURANCE = {"loa-low": "low", "loa-substantial": "substantial", "loa-high": "high"}


def session_acr(request: HttpRequest) -> str | None:
    """The strongest acr the current session satisfies, or None when not logged in."""
    auth = session_auth(request)
    if auth is None:
        return None
    two_factor = bool(set(auth.amr) & SECOND_FACTORS)
    if two_factor and auth.assurance_level == "high":
        return "loa-high"
    if two_factor and assurance_at_least(auth.assurance_level, "substantial"):
        return "loa-substantial"
    return "loa-low"


def acr_satisfies(acr: str | None, minimum: str) -> bool:
    return acr is not None and ACR_ORDER.get(acr, 0) >= ACR_ORDER.get(minimum or "loa-low", 1)


def acr_response(request: HttpRequest, min_acr: str) -> HttpResponse | None:
    """None when the session is good enough; otherwise where to send the person."""
    min_acr = min_acr if min_acr in ACR_ORDER else "loa-low"
    auth = session_auth(request)
    next_q = urlencode({"next": request.get_full_path()})
    if auth is None:
        return HttpResponseRedirect(reverse("identity:login") + "?" + next_q)
    if acr_satisfies(session_acr(request), min_acr):
        return None
    if not assurance_at_least(auth.assurance_level, ACR_ASSURANCE[min_acr]):
        return render(
            request,
            "portal/assurance_too_low.html",
            {"min_acr": min_acr, "needed": ACR_ASSURANCE[min_acr], "current": auth.assurance_level},
            status=403,
        )
    # The identity is strong enough; this session lacks a second factor: step up.
    return HttpResponseRedirect(reverse("identity:login_verify") + "?" + next_q)


def citizen_login_required(min_acr: str | Callable[..., str] = "loa-low") -> Callable:
    """Decorator: `min_acr` is an acr value, or a function (request, **view_kwargs) -> acr
    for views whose level depends on what they show (e.g. the service applied for)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            needed = min_acr(request, *args, **kwargs) if callable(min_acr) else min_acr
            response = acr_response(request, needed)
            return response if response is not None else view(request, *args, **kwargs)

        return wrapped

    return decorator
