"""Citizen pages: applying online, the dashboard, notifications, feedback. Thin: reads
through selectors, writes through services, errors from core.errors shown translated."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bawaba.applications import selectors as applications
from bawaba.applications import services as application_services
from bawaba.applications.definitions import FILE_TYPES, choice_label, help_text, label
from bawaba.applications.services.citizen import new_token
from bawaba.catalog import selectors as catalog
from bawaba.core.errors import BawabaError, Conflict, RateLimited, ValidationError
from bawaba.core.middleware import client_ip
from bawaba.core.money import format_jod
from bawaba.identity.selectors import user_get
from bawaba.messaging.selectors import messages_for_user

from . import selectors, services
from .auth import citizen_login_required

MAX_REQUEST_BYTES = 25 * 1024 * 1024


def _lang() -> str:
    return (translation.get_language() or "ar")[:2]


def _service_acr(request: HttpRequest, slug: str) -> str:
    form = applications.form_for_service(slug)
    service = catalog.service_for_application(slug)
    request._apply_lookup = (slug, service, form)  # type: ignore[attr-defined]
    return (
        (form.min_acr if form and form.min_acr else "") or (service.min_acr if service else "") or "loa-low"
    )


def _identity(user_id: Any) -> dict[str, str]:
    user = user_get(user_id)
    if user is None:
        return {}
    name = (user.name_en or user.name_ar) if _lang() == "en" else (user.name_ar or user.name_en)
    return {"name": name, "national_number": user.national_number or "", "phone": user.phone or ""}


def _fields_for_template(
    snapshot: list[dict],
    values: dict[str, str],
    errors: dict[str, str],
    identity: dict[str, str],
    files: dict,
) -> list[dict]:
    out = []
    for f in snapshot:
        key = f["key"]
        value = identity.get(f["prefill"], "") if f.get("prefill") else values.get(key, "")
        item = {
            "key": key,
            "id": f"f-{key}",
            "kind": f["kind"],
            "label": label(f),
            "help": help_text(f),
            "required": f.get("required", False),
            "prefilled": bool(f.get("prefill")),
            "value": value,
            "error": errors.get(key, ""),
            "choices": [
                (str(c.get("value")), choice_label(f, str(c.get("value")))) for c in f.get("choices") or []
            ],
            "max_length": f.get("max_length") or "",
            "min_value": f.get("min_value") if f.get("min_value") is not None else "",
            "max_value": f.get("max_value") if f.get("max_value") is not None else "",
            "existing_file": files.get(key),
        }
        if f["kind"] == "file":
            types = f.get("file_types") or list(FILE_TYPES)
            item["accept"] = ",".join(ext for t in types if t in FILE_TYPES for ext in FILE_TYPES[t][1])
            item["types_text"] = ", ".join(t.upper() for t in types)
            item["max_kb"] = f.get("max_size_kb") or 5120
        out.append(item)
    return out


@require_http_methods(["GET", "POST"])
@citizen_login_required(_service_acr)
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    cached = getattr(request, "_apply_lookup", None)
    if cached and cached[0] == slug:
        _slug, service, form = cached
    else:
        service, form = catalog.service_for_application(slug), applications.form_for_service(slug)
    if service is None or not service.online_application:
        raise Http404
    if form is None or not form.snapshot:
        return render(request, "portal/apply_unavailable.html", {"service": service})
    user = request.user
    identity = _identity(user.pk)
    draft = applications.draft_for_user(user.pk, slug)
    errors: dict[str, str] = {}
    values: dict[str, str] = dict(draft.answers) if draft else {}
    token = draft.submit_token if draft else new_token()
    status = 200
    notice = ""
    if draft and draft.form_version != form.version:
        notice = _("This form was updated since you saved your draft. Please review your answers.")
    if request.method == "POST":
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES:
            return render(request, "portal/too_large.html", {"service": service}, status=413)
        action = request.POST.get("action", "submit")
        posted_token = request.POST.get("token", "")
        kwargs = {
            "user": user,
            "form": form,
            "token": posted_token,
            "posted": request.POST,
            "uploads": request.FILES,
            "identity": identity,
            "language": _lang(),
        }
        try:
            if action == "discard":
                application_services.application_draft_discard(user=user, service_slug=slug)
                messages.success(request, _("Your draft was deleted."))
                return redirect("portal:dashboard")
            if action == "save":
                saved = application_services.application_draft_save(**kwargs)
                file_errors = getattr(saved, "_file_errors", {})
                if not file_errors:
                    messages.success(
                        request, _("Your draft was saved. You can come back to it from your dashboard.")
                    )
                    return redirect("portal:apply", slug=slug)
                errors = file_errors
                status = 422
                values, token = dict(saved.answers), saved.submit_token
            else:
                app, created = application_services.application_submit(
                    version=request.POST.get("version", ""), **kwargs
                )
                if created:
                    messages.success(
                        request,
                        _("Your application was submitted. Your reference is %(ref)s.")
                        % {"ref": app.reference},
                    )
                return redirect("portal:application", reference=app.reference)
        except ValidationError as exc:
            status = 422
            errors = dict(exc.details) if exc.details else {}
            if not errors:
                notice = str(exc.message)
            else:
                notice = str(exc.message)
            values, token = _keep(kwargs, values, token)
        except Conflict as exc:
            if exc.code == "already_submitted":
                messages.info(request, str(exc.message))
                return redirect("portal:dashboard")
            status = 409
            notice = str(exc.message)
            values, token = _keep(kwargs, values, token)
        draft = applications.draft_for_user(user.pk, slug)  # the POST may have saved one
    files = {f.field_key: f for f in draft.files.all()} if draft else {}
    fee_fils = application_services.application_fee_due(form=form, service=service)
    return render(
        request,
        "portal/apply.html",
        {
            "service": service,
            "form": form,
            "intro": form.intro_en if _lang() == "en" else form.intro_ar,
            "fields": _fields_for_template(form.snapshot, values, errors, identity, files),
            "errors": errors,
            "token": token,
            "notice": notice,
            "has_draft": draft is not None,
            "fee": format_jod(fee_fils, _lang()),
            "fee_fils": fee_fils,
        },
        status=status,
    )


def _keep(kwargs: dict, values: dict, token: str) -> tuple[dict, str]:
    """After a refused submission, keep what was typed (and valid uploads) in the draft."""
    try:
        saved = application_services.application_draft_save(**kwargs)
    except BawabaError:
        return {**values, **{k: v for k, v in kwargs["posted"].items() if isinstance(v, str)}}, token
    return dict(saved.answers), saved.submit_token


@require_GET
@citizen_login_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    apps = applications.applications_for_user(request.user.pk)
    return render(
        request,
        "portal/dashboard.html",
        {
            "drafts": [a for a in apps if a.status == "draft"],
            "applications": [a for a in apps if a.status != "draft"],
            "unread_hint": messages_for_user(str(request.user.pk))[:3],
        },
    )


def _own_or_404(request: HttpRequest, reference: str):  # type: ignore[no-untyped-def]
    app = applications.application_for_user(request.user.pk, reference)
    if app is None or app.status == "draft":
        raise Http404
    return app


def _answers(app: Any) -> list[dict]:
    out = []
    files: dict[str, list] = {}
    for f in app.files.all():
        files.setdefault(f.field_key, []).append(f)
    for f in app.form_snapshot:
        value = app.answers.get(f["key"], "")
        if f["kind"] == "choice" and value:
            value = choice_label(f, value)
        out.append({"label": label(f), "kind": f["kind"], "value": value, "files": files.get(f["key"], [])})
    return out


@require_GET
@citizen_login_required()
def application_detail(request: HttpRequest, reference: str) -> HttpResponse:
    app = _own_or_404(request, reference)
    rating = selectors.rating_for_application(app.pk) if app.status == "completed" else None
    return render(
        request,
        "portal/application.html",
        {
            "app": app,
            "answers": _answers(app),
            "history": applications.citizen_history(app),
            "response_files": [f for f in app.files.all() if f.field_key == "response"],
            "amount_due": format_jod(app.amount_due_fils, _lang()) if app.amount_due_fils else "",
            "rating": rating,
            "can_rate": app.status == "completed" and rating is None,
            "scores": [5, 4, 3, 2, 1],
        },
    )


@require_POST
@citizen_login_required()
def application_respond(request: HttpRequest, reference: str) -> HttpResponse:
    app = _own_or_404(request, reference)
    try:
        application_services.application_respond(
            user=request.user,
            reference=app.reference,
            comment=request.POST.get("comment", ""),
            uploads=request.FILES,
        )
    except (ValidationError, Conflict) as exc:
        messages.error(request, str(exc.message))
        return redirect("portal:application", reference=app.reference)
    messages.success(request, _("Thank you. Your answer was sent and the application is back in review."))
    return redirect("portal:application", reference=app.reference)


@require_http_methods(["GET", "POST"])
@citizen_login_required()
def application_withdraw(request: HttpRequest, reference: str) -> HttpResponse:
    app = _own_or_404(request, reference)
    if request.method == "POST":
        try:
            application_services.application_withdraw(
                user=request.user, reference=app.reference, reason=request.POST.get("reason", "")
            )
        except Conflict as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your application was withdrawn."))
        return redirect("portal:application", reference=app.reference)
    return render(request, "portal/withdraw.html", {"app": app})


@require_POST
@citizen_login_required()
def application_rate(request: HttpRequest, reference: str) -> HttpResponse:
    app = _own_or_404(request, reference)
    try:
        services.rating_record(
            user=request.user,
            reference=app.reference,
            score=request.POST.get("score"),
            comment=request.POST.get("comment", ""),
        )
    except BawabaError as exc:
        if exc.status == 404:
            raise Http404
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Thank you for rating this service."))
    return redirect("portal:application", reference=app.reference)


@require_GET
@citizen_login_required()
def application_file(request: HttpRequest, reference: str, file_id: Any) -> HttpResponse:
    f = applications.application_file_for_user(request.user.pk, reference, file_id)
    if f is None:
        raise Http404
    return file_download(f)


def file_download(f: Any) -> FileResponse:
    """Stream an uploaded file as an attachment, never rendered by the browser."""
    try:
        handle = default_storage.open(f.stored_name, "rb")
    except OSError:
        raise Http404
    response = FileResponse(handle, as_attachment=True, filename=f.original_name, content_type=f.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@citizen_login_required()
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(messages_for_user(str(request.user.pk)), 20).get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page": page})


@require_GET
@citizen_login_required()
def bills(request: HttpRequest) -> HttpResponse:
    due = [
        a
        for a in applications.applications_for_user(request.user.pk)
        if a.payment_status == "awaiting_payment"
    ]
    return render(
        request,
        "portal/bills.html",
        {"due": [(a, format_jod(a.amount_due_fils, _lang())) for a in due]},
    )


@require_GET
@citizen_login_required()
def documents(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/documents.html")


def _back(request: HttpRequest) -> str:
    back = request.POST.get("path") or request.GET.get("back") or "/"
    if (
        not back.startswith("/")
        or back.startswith("//")
        or not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    ):
        back = "/"
    return back.split("?", 1)[0][:500]


@require_POST
def feedback(request: HttpRequest) -> HttpResponse:
    """'Is this page useful?' and 'Report a problem'. Plain POST + redirect to a thank-you
    page; JSON for the progressive enhancement (feedback.js)."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    back = _back(request)
    try:
        services.feedback_record(
            kind=request.POST.get("kind", ""),
            path=back,
            language=_lang(),
            what_doing=request.POST.get("what_doing", ""),
            what_wrong=request.POST.get("what_wrong", ""),
            honeypot=request.POST.get("website", ""),
            client_ip=client_ip(request),
        )
    except BawabaError as exc:
        status = 429 if isinstance(exc, RateLimited) else 422
        if wants_json:
            return JsonResponse(exc.as_dict(), status=status)
        return render(
            request,
            "portal/feedback_problem.html",
            {"error": str(exc.message), "back": back, "kind": request.POST.get("kind", "")},
            status=status,
        )
    if wants_json:
        return JsonResponse({"ok": True, "message": _("Thank you for your feedback.")})
    return HttpResponseRedirect(reverse("portal:feedback_thanks") + "?" + urlencode({"back": back}))


@require_GET
def feedback_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/feedback_thanks.html", {"back": _back(request)})
