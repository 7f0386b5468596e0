"""The one place that decides whether a citizen's session is strong enough for a page.

The portal logs people in through the national OpenID Connect provider like any other
e-service (as the first-party client "bawaba-portal", `bawaba.sso.rp`): a page that needs
`loa-substantial` starts an authorization request with `acr_values=loa-substantial`; the
provider logs the person in, steps the session up, or explains why the identity is too weak;
the callback records the ID token's `acr` and returns to the page.
The acr rule itself lives in the provider (bawaba.sso.claims.session_acr)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

from bawaba.sso.rp import portal_rp, rp_login

ACR_ORDER = {"loa-low": 1, "loa-substantial": 2, "loa-high": 3}


def acr_satisfies(acr: str | None, minimum: str) -> bool:
    return acr is not None and ACR_ORDER.get(acr, 0) >= ACR_ORDER.get(minimum or "loa-low", 1)


def acr_response(request: HttpRequest, min_acr: str) -> HttpResponse | None:
    """None when the portal's single sign-on login is good enough; otherwise the redirect
    to the provider's authorization endpoint asking for `min_acr`."""
    min_acr = min_acr if min_acr in ACR_ORDER else "loa-low"
    login = rp_login(request)
    if login and request.user.is_authenticated and acr_satisfies(login.get("acr"), min_acr):
        return None
    return portal_rp().start(request, acr=min_acr, next_url=request.get_full_path())


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
