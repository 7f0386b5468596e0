from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from bawaba.core.errors import BawabaError, RateLimited
from bawaba.core.phones import mask_phone

from .. import selectors, services
from ..forms import OtpForm, ResetCompleteForm, ResetStartForm
from ..services.login_flow import PENDING_LOGIN, PENDING_TTL
from ._common import add_error, safe_next

PASSKEY_CHALLENGE = "bawaba_passkey_challenge"
RESET_IDENTIFIER = "bawaba_reset_identifier"


def _pending_user(request: HttpRequest):  # type: ignore[no-untyped-def]
    pending = request.session.get(PENDING_LOGIN)
    if not pending or time.time() - pending.get("at", 0) > PENDING_TTL:
        request.session.pop(PENDING_LOGIN, None)
        return None, None
    return selectors.user_get(pending["user_id"]), pending


def _finish(
    request: HttpRequest, user, amr: list[str], next_url: str, response: HttpResponse | None = None
) -> HttpResponse:  # type: ignore[no-untyped-def]
    request.session.pop(PENDING_LOGIN, None)
    services.session_start(request, user=user, amr=amr)
    response = response or redirect(next_url)
    services.remember_device(request, response, user=user)
    return response


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    if request.method != "POST":
        return services.login_page(request, next_url=next_url)
    step = services.password_step(request, next_url=next_url)
    if step.logged_in:
        response = redirect(next_url)
        services.remember_device(request, response, user=step.user)
        return response
    if step.second_factor:
        return redirect("identity:login_verify")
    return services.login_page(request, next_url=next_url, step=step)


@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second-factor step after the password, and the step-up for a logged-in user
    whose session needs a stronger method (single sign-on asks for it with ?next=)."""
    user, pending = _pending_user(request)
    step_up = False
    if user is None:
        if request.user.is_authenticated:
            user, step_up = request.user, True
        else:
            messages.error(request, _("Please log in again."))
            return redirect("identity:login")
    next_url = pending["next"] if pending else safe_next(request)
    form = OtpForm(request.POST if request.method == "POST" else None)
    status = 200
    methods = services.second_factor_methods(user)
    if request.method == "POST" and request.POST.get("action") == "send_sms":
        try:
            phone = services.login_send_sms_code(user=user)
            messages.info(request, _("We sent a code to %(phone)s.") % {"phone": mask_phone(phone)})
        except BawabaError as exc:
            messages.error(request, str(exc.message))
        return redirect(
            reverse("identity:login_verify") + ("?" + urlencode({"next": next_url}) if step_up else "")
        )
    if request.method == "POST" and form.is_valid():
        try:
            method = services.login_second_factor(user=user, code=form.cleaned_data["otp"])
        except BawabaError as exc:
            add_error(form, exc)
            status = 429 if isinstance(exc, RateLimited) else 422
        else:
            if step_up:
                services.session_add_methods(request, user=user, methods=[method])
                return redirect(next_url)
            return _finish(request, user, ["pwd", method], next_url)
    elif form.errors:
        status = 422
    return render(
        request,
        "identity/login_verify.html",
        {
            "form": form,
            "methods": methods,
            "step_up": step_up,
            "next": next_url,
            "phone": mask_phone(user.phone) if user.phone else "",
        },
        status=status,
    )


@require_POST
def passkey_login_options(request: HttpRequest) -> JsonResponse:
    user, _pending = _pending_user(request)
    if user is None and request.user.is_authenticated:
        user = request.user
    options, challenge = services.passkey_authentication_options(user=user)
    request.session[PASSKEY_CHALLENGE] = bytes_to_base64url(challenge)
    return JsonResponse(json.loads(options))


@require_POST
def passkey_login(request: HttpRequest) -> JsonResponse:
    challenge = request.session.pop(PASSKEY_CHALLENGE, None)
    if not challenge:
        return JsonResponse({"code": "challenge_missing", "message": _("Please try again.")}, status=400)
    pending_user, pending = _pending_user(request)
    step_up_user = request.user if pending_user is None and request.user.is_authenticated else None
    try:
        credential = json.loads(request.body.decode() or "{}")
        user = services.passkey_authenticate(
            credential=credential, challenge=base64url_to_bytes(challenge), user=pending_user or step_up_user
        )
    except (ValueError, UnicodeDecodeError):
        return JsonResponse(
            {"code": "invalid_request", "message": _("The request is not valid.")}, status=400
        )
    except BawabaError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    if step_up_user is not None:
        services.session_add_methods(request, user=user, methods=["hwk", "user"])
        return JsonResponse({"redirect": safe_next(request)})
    amr = ["pwd", "hwk", "user"] if pending_user else ["hwk", "user", "mfa"]
    next_url = pending["next"] if pending else safe_next(request)
    return _finish(request, user, amr, next_url, JsonResponse({"redirect": next_url}))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.session_logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("home")


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = ResetStartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_start(identifier=form.cleaned_data["username"])
        request.session[RESET_IDENTIFIER] = form.cleaned_data["username"]
        return redirect("identity:password_reset_verify")
    return render(request, "identity/password_reset.html", {"form": form}, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def password_reset_verify(request: HttpRequest) -> HttpResponse:
    identifier = request.session.get(RESET_IDENTIFIER)
    if not identifier:
        return redirect("identity:password_reset")
    form = ResetCompleteForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(
                identifier=identifier,
                code=form.cleaned_data["otp"],
                new_password=form.cleaned_data["password"],
            )
        except BawabaError as exc:
            add_error(form, exc)
            status = 429 if isinstance(exc, RateLimited) else 422
        else:
            request.session.pop(RESET_IDENTIFIER, None)
            messages.success(request, _("Your password was changed. Please log in with the new password."))
            return redirect("identity:login")
    elif form.errors:
        status = 422
    return render(request, "identity/password_reset_verify.html", {"form": form}, status=status)
