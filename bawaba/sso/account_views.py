"""The account page's "connected services": consents given and the sessions in which
services received tokens; each can be withdrawn or ended."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bawaba.core.errors import BawabaError
from bawaba.identity import services as identity_services

from . import selectors, services
from .claims import SCOPES


@login_required
def connected_services(request: HttpRequest) -> HttpResponse:
    consents = selectors.consents_for(request.user)
    sessions = list(identity_services.active_sessions(request.user))
    by_sid = selectors.clients_by_session([str(s.id) for s in sessions])
    return render(
        request,
        "sso/connected_services.html",
        {
            "tab": "connected",
            "consents": [(c, [SCOPES[s] for s in c.scopes if s in SCOPES]) for c in consents],
            "sessions": [(s, by_sid.get(str(s.id), [])) for s in sessions],
            "current_key": request.session.session_key,
        },
    )


@login_required
@require_POST
def consent_revoke(request: HttpRequest, consent_id) -> HttpResponse:  # type: ignore[no-untyped-def]
    try:
        services.consent_revoke(user=request.user, consent_id=consent_id)
        messages.success(request, _("The service's access was withdrawn."))
    except BawabaError as exc:
        messages.error(request, str(exc.message))
    return redirect("sso:connected_services")


@login_required
@require_POST
def session_end(request: HttpRequest, session_id) -> HttpResponse:  # type: ignore[no-untyped-def]
    try:
        # Identity ends it; single sign-on's receiver revokes its tokens and tells its services.
        identity_services.session_end(user=request.user, session_id=str(session_id))
        messages.success(request, _("The session was ended and its services were told to log out."))
    except BawabaError as exc:
        messages.error(request, str(exc.message))
    return redirect("sso:connected_services")
