from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bawaba.core.errors import BawabaError, NotFound
from bawaba.core.phones import mask_phone

from .. import services
from ..forms import OtpForm, RegistrationForm
from ..models import PendingRegistration
from ._common import add_error

PENDING = "bawaba_registration"


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("identity:account")
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = services.RegistrationData(**form.cleaned_data)
        try:
            pending = services.registration_start(data)
        except BawabaError as exc:
            add_error(form, exc)
            status = exc.status
        else:
            request.session[PENDING] = str(pending.id)
            return redirect("identity:register_verify")
    elif form.errors:
        status = 422
    return render(request, "identity/register.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def register_verify(request: HttpRequest) -> HttpResponse:
    pending_id = request.session.get(PENDING)
    pending = PendingRegistration.objects.filter(id=pending_id).first() if pending_id else None
    if pending is None:
        messages.error(request, _("Your registration has expired. Please start again."))
        return redirect("identity:register")
    form = OtpForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            services.registration_resend(pending_id=pending.id)
            messages.info(request, _("We sent a new code."))
        except BawabaError as exc:
            messages.error(request, str(exc.message))
        return redirect("identity:register_verify")
    if request.method == "POST" and form.is_valid():
        try:
            user = services.registration_complete(pending_id=pending.id, code=form.cleaned_data["otp"])
        except NotFound as exc:
            request.session.pop(PENDING, None)
            messages.error(request, str(exc.message))
            return redirect("identity:register")
        except BawabaError as exc:
            add_error(form, exc)
            status = exc.status
        else:
            request.session.pop(PENDING, None)
            services.session_start(request, user=user, amr=["pwd", "sms"])
            response = redirect("identity:account")
            services.remember_device(request, response, user=user)
            messages.success(
                request,
                _("Your account is ready. Your login identifier is %(username)s.")
                % {"username": user.username},
            )
            return response
    elif form.errors:
        status = 422
    return render(
        request,
        "identity/register_verify.html",
        {"form": form, "phone": mask_phone(pending.phone)},
        status=status,
    )
