from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from bawaba.core.errors import BawabaError
from bawaba.core.selectors import audit_events_for_user

from .. import selectors, services
from ..forms import OtpForm, PasswordChangeForm
from ..models import TotpDevice
from ._common import add_error

TOTP_PENDING = "bawaba_totp_pending"
PASSKEY_REG_CHALLENGE = "bawaba_passkey_reg_challenge"


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "identity/account_profile.html",
        {
            "tab": "profile",
            "memberships": selectors.memberships_for(user),
            "acting_as": selectors.represented_party(request),
            "verifications": user.verifications.all()[:5],
        },
    )


@login_required
@require_POST
def verify_identity(request: HttpRequest) -> HttpResponse:
    try:
        matched = services.identity_match_civil_registry(user=request.user)
    except BawabaError as exc:
        messages.error(request, str(exc.message))
    else:
        if matched:
            messages.success(
                request,
                _("Your identity matched the civil registry. Your assurance level is now substantial."),
            )
        else:
            messages.error(
                request,
                _(
                    "We could not match your details with the civil registry. Visit a service centre to verify your identity in person."
                ),
            )
    return redirect("identity:account")


@login_required
@require_POST
def acting_as(request: HttpRequest) -> HttpResponse:
    org_id = request.POST.get("organisation", "")
    if not org_id:
        request.session.pop(services.SESSION_ACTING_AS, None)
        messages.info(request, _("You are acting for yourself."))
        return redirect("identity:account")
    try:
        org = services.acting_as_check(user=request.user, organisation_id=org_id)
    except (BawabaError, ValueError) as exc:
        messages.error(
            request, str(getattr(exc, "message", _("You cannot act on behalf of this organisation.")))
        )
    else:
        request.session[services.SESSION_ACTING_AS] = str(org.pk)
        messages.success(request, _("You are now acting on behalf of %(name)s.") % {"name": org})
    return redirect("identity:account")


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "identity/account_security.html",
        {
            "tab": "security",
            "totp_devices": user.totp_devices.filter(confirmed=True),
            "passkeys": user.passkeys.all(),
            "recovery_remaining": services.recovery_codes_remaining(user),
            "password_form": PasswordChangeForm(),
        },
    )


@login_required
@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST)
    if form.is_valid():
        try:
            services.password_change(
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                keep_session_key=request.session.session_key,
            )
        except BawabaError as exc:
            add_error(form, exc)
        else:
            old_key = request.session.session_key
            update_session_auth_hash(request, request.user)
            services.session_rekey(old_key=old_key, new_key=request.session.session_key)
            messages.success(request, _("Your password was changed. Your other sessions were ended."))
            return redirect("identity:security")
    user = request.user
    return render(
        request,
        "identity/account_security.html",
        {
            "tab": "security",
            "password_form": form,
            "totp_devices": user.totp_devices.filter(confirmed=True),
            "passkeys": user.passkeys.all(),
            "recovery_remaining": services.recovery_codes_remaining(user),
        },
        status=422,
    )


@login_required
@require_POST
def sms_second_factor(request: HttpRequest) -> HttpResponse:
    try:
        services.sms_second_factor_set(user=request.user, enabled=request.POST.get("enabled") == "1")
    except BawabaError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your two-step verification settings were saved."))
    return redirect("identity:security")


@login_required
@require_http_methods(["GET", "POST"])
def totp_enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = None
    device_id = request.session.get(TOTP_PENDING)
    if device_id:
        device = TotpDevice.objects.filter(user=user, id=device_id, confirmed=False).first()
    if device is None:
        device = services.totp_enrolment_begin(user=user)
        request.session[TOTP_PENDING] = str(device.id)
    form = OtpForm(request.POST if request.method == "POST" else None)
    codes = None
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_enrolment_confirm(
                user=user, device_id=str(device.id), code=form.cleaned_data["otp"]
            )
        except BawabaError as exc:
            add_error(form, exc)
        else:
            request.session.pop(TOTP_PENDING, None)
            services.session_add_methods(request, user=user, methods=["otp"])
            if services.recovery_codes_remaining(user) == 0:
                codes = services.recovery_codes_generate(user=user)
                return render(request, "identity/recovery_codes.html", {"codes": codes, "tab": "security"})
            messages.success(request, _("Your authenticator app is set up."))
            return redirect("identity:security")
    secret, uri, svg = services.totp_provisioning(device)
    return render(
        request,
        "identity/totp_enrol.html",
        {
            "form": form,
            "secret": secret,
            "uri": uri,
            "qr_svg": svg,
            "tab": "security",
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def totp_remove(request: HttpRequest, device_id) -> HttpResponse:  # type: ignore[no-untyped-def]
    try:
        services.totp_remove(user=request.user, device_id=str(device_id))
        messages.success(request, _("The authenticator app was removed."))
    except BawabaError as exc:
        messages.error(request, str(exc.message))
    return redirect("identity:security")


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = services.recovery_codes_generate(user=request.user)
    return render(request, "identity/recovery_codes.html", {"codes": codes, "tab": "security"})


@login_required
@require_POST
def passkey_register_options(request: HttpRequest) -> JsonResponse:
    options, challenge = services.passkey_registration_options(user=request.user)
    request.session[PASSKEY_REG_CHALLENGE] = bytes_to_base64url(challenge)
    return JsonResponse(json.loads(options))


@login_required
@require_POST
def passkey_register(request: HttpRequest) -> JsonResponse:
    challenge = request.session.pop(PASSKEY_REG_CHALLENGE, None)
    if not challenge:
        return JsonResponse({"code": "challenge_missing", "message": _("Please try again.")}, status=400)
    try:
        body = json.loads(request.body.decode() or "{}")
        credential, name = body["credential"], str(body.get("name", ""))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return JsonResponse(
            {"code": "invalid_request", "message": _("The request is not valid.")}, status=400
        )
    try:
        passkey = services.passkey_register(
            user=request.user, credential=credential, challenge=base64url_to_bytes(challenge), name=name
        )
    except BawabaError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse({"id": str(passkey.id), "name": passkey.name}, status=201)


@login_required
@require_POST
def passkey_remove(request: HttpRequest, passkey_id) -> HttpResponse:  # type: ignore[no-untyped-def]
    try:
        services.passkey_remove(user=request.user, passkey_id=str(passkey_id))
        messages.success(request, _("The passkey was removed."))
    except BawabaError as exc:
        messages.error(request, str(exc.message))
    return redirect("identity:security")


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "identity/account_sessions.html",
        {
            "tab": "sessions",
            "sessions": services.active_sessions(request.user),
            "current_key": request.session.session_key,
        },
    )


@login_required
@require_POST
def session_end(request: HttpRequest, session_id) -> HttpResponse:  # type: ignore[no-untyped-def]
    try:
        services.session_end(user=request.user, session_id=session_id)
        messages.success(request, _("The session was ended."))
    except BawabaError as exc:
        messages.error(request, str(exc.message))
    return redirect("identity:sessions")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    n = services.sessions_end_all(user=request.user, except_key=request.session.session_key)
    messages.success(request, _("Ended %(count)d other sessions.") % {"count": n})
    return redirect("identity:sessions")


@login_required
def activity(request: HttpRequest) -> HttpResponse:
    page = Paginator(audit_events_for_user(str(request.user.pk)), 25).get_page(request.GET.get("page"))
    return render(request, "identity/account_activity.html", {"tab": "activity", "page": page})
