"""Back office: the agency work queue, form definitions and the holiday calendar.

Staff see only their own agency's applications (matched by agency code); superusers see
all. Every action goes through services (locked, recorded, audited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from bawaba.catalog import selectors as catalog
from bawaba.core import calendar
from bawaba.core.errors import BawabaError

from . import selectors, services
from .definitions import choice_label, definition_check, field_snapshot, label
from .models import OPEN_STATUSES, Application, FormDefinition, FormField, Holiday
from .services.staff import PROCESS, can_process, staff_agency_code


def _scope(request: HttpRequest, qs: QuerySet) -> QuerySet:
    if request.user.is_superuser:
        return qs
    code = staff_agency_code(request.user)
    return qs.filter(agency_code=code) if code else qs.none()


# --- work queue ----------------------------------------------------------------------


class ServiceFilter(admin.SimpleListFilter):
    title = _("service")
    parameter_name = "service"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        qs = _scope(request, Application.objects.exclude(status=Application.Status.DRAFT))
        slugs = qs.values_list("service_slug", "service_name_en").distinct().order_by("service_slug")
        return [(s, f"{s} — {n}") for s, n in slugs]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        return queryset.filter(service_slug=self.value()) if self.value() else queryset


class AgeFilter(admin.SimpleListFilter):
    """How long since submission, in working days; and which are past their target."""

    title = _("age")
    parameter_name = "age"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [
            ("overdue", _("Overdue")),
            ("due_soon", _("Due within a working day")),
            ("le1", _("Submitted in the last working day")),
            ("le5", _("Up to 5 working days old")),
            ("gt5", _("More than 5 working days old")),
        ]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        today = timezone.localdate()
        holidays = selectors.holiday_check()
        value = self.value()
        active = queryset.filter(status__in=(Application.Status.SUBMITTED, Application.Status.IN_REVIEW))
        if value == "overdue":
            return active.filter(sla_due__lt=today)
        if value == "due_soon":
            return active.filter(
                sla_due__gte=today, sla_due__lte=calendar.add_working_days(today, 1, holidays)
            )
        if value in ("le1", "le5", "gt5"):
            days = {"le1": 1, "le5": 5, "gt5": 5}[value]
            start = today
            # The date `days` working days ago.
            while calendar.working_days_between(start, today, holidays) < days:
                start -= dt.timedelta(days=1)
            since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
            return (
                queryset.filter(submitted_at__gte=since)
                if value != "gt5"
                else queryset.filter(submitted_at__lt=since)
            )
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    title = _("assigned")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [("me", _("To me")), ("none", _("Nobody"))]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "none":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class ActionForm(forms.Form):
    ACTIONS = [
        ("assign_me", _("Assign to me")),
        ("assign", _("Assign to a colleague")),
        ("comment", _("Add an internal note")),
        ("comment_public", _("Add a comment the applicant sees")),
        ("request_info", _("Ask the applicant for more information")),
        ("approve", _("Approve")),
        ("reject", _("Reject")),
        ("complete", _("Mark as completed")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    assignee = forms.ModelChoiceField(
        label=_("Colleague"), queryset=get_user_model().objects.none(), required=False
    )
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
        help_text=_("Required to ask for information or to reject; the applicant reads it."),
    )


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "service_slug",
        "status",
        "submitted_at",
        "age_display",
        "target_display",
        "assigned_to",
    )
    list_filter = (ServiceFilter, "status", AgeFilter, AssignedFilter)
    search_fields = ("reference",)
    ordering = ("sla_due", "submitted_at")
    list_select_related = ("assigned_to",)
    actions = ["assign_to_me"]
    change_form_template = "applications/admin/application_change_form.html"
    readonly_fields = (
        "reference",
        "service_slug",
        "agency_code",
        "status",
        "applicant_display",
        "submitted_at",
        "target_display",
        "assigned_to",
        "amount_display",
        "payment_status",
        "form_version",
        "answers_display",
    )
    fields = readonly_fields

    class Media:
        css = {"all": ("applications/admin.css",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = (
            super().get_queryset(request).exclude(status=Application.Status.DRAFT).select_related("applicant")
        )
        return _scope(request, qs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if not super().has_view_permission(request, obj):
            return False
        if request.user.is_superuser:
            return True
        return bool(staff_agency_code(request.user)) and (
            obj is None or obj.agency_code == staff_agency_code(request.user)
        )

    @admin.display(description=_("age (working days)"))
    def age_display(self, obj: Application) -> str:
        if not obj.submitted_at:
            return "—"
        return str(
            calendar.working_days_between(
                timezone.localdate(obj.submitted_at), timezone.localdate(), self._holidays
            )
        )

    @admin.display(description=_("target date"), ordering="sla_due")
    def target_display(self, obj: Application) -> str:
        if obj.status == Application.Status.INFO_REQUESTED:
            return str(_("paused: waiting for the applicant"))
        if not obj.sla_due or obj.status not in OPEN_STATUSES:
            return "—"
        if selectors.is_overdue(obj):
            return format_html(
                '<span class="sla-overdue">{} — {}</span>', obj.sla_due.isoformat(), _("OVERDUE")
            )
        return obj.sla_due.isoformat()

    @admin.display(description=_("applicant"))
    def applicant_display(self, obj: Application) -> str:
        a = obj.applicant
        return f"{a.name_ar or ''} / {a.name_en or ''} — {a.national_number or a.username} — {a.phone or ''}"

    @admin.display(description=_("amount due"))
    def amount_display(self, obj: Application) -> str:
        from bawaba.core.money import format_jod

        return format_jod(obj.amount_due_fils) if obj.amount_due_fils else "—"

    @admin.display(description=_("answers"))
    def answers_display(self, obj: Application) -> str:
        files: dict[str, list] = {}
        for f in obj.files.all():
            files.setdefault(f.field_key, []).append(f)
        rows = []
        for f in obj.form_snapshot:
            if f["kind"] == "file":
                value = (
                    format_html_join(
                        ", ",
                        '<a href="{}">{}</a>',
                        (
                            (
                                reverse("admin:applications_application_file", args=[obj.pk, x.pk]),
                                x.original_name,
                            )
                            for x in files.get(f["key"], [])
                        ),
                    )
                    or "—"
                )
            else:
                raw = obj.answers.get(f["key"], "")
                value = choice_label(f, raw) if f["kind"] == "choice" else raw
            rows.append((label(f), value or "—"))
        extra = files.get("response", [])
        if extra:
            rows.append(
                (
                    _("Files sent later"),
                    format_html_join(
                        ", ",
                        '<a href="{}">{}</a>',
                        (
                            (
                                reverse("admin:applications_application_file", args=[obj.pk, x.pk]),
                                x.original_name,
                            )
                            for x in extra
                        ),
                    ),
                )
            )
        return format_html(
            '<dl class="answers">{}</dl>', format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows)
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        self._holidays = selectors.holiday_check()
        return super().changelist_view(request, extra_context)

    _holidays: Any = None

    @admin.action(description=_("Assign to me"), permissions=["view"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for app in queryset:
            try:
                services.application_assign(application_id=app.pk, actor=request.user)
                done += 1
            except BawabaError as exc:
                self.message_user(request, f"{app.reference}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(
                request, _("%(n)s applications assigned to you.") % {"n": done}, messages.SUCCESS
            )

    def get_urls(self):  # type: ignore[no-untyped-def]
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<uuid:object_id>/act/",
                self.admin_site.admin_view(self.act_view),
                name="{}_{}_act".format(*info),
            ),
            path(
                "<uuid:object_id>/files/<uuid:file_id>/",
                self.admin_site.admin_view(self.file_view),
                name="{}_{}_file".format(*info),
            ),
        ] + super().get_urls()

    def _colleagues(self, app: Application) -> QuerySet:
        User = get_user_model()
        qs = User.objects.filter(is_active=True, is_staff=True, agency__code=app.agency_code).order_by(
            "username"
        )
        return qs

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ):  # type: ignore[no-untyped-def]
        app = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if app is not None:
            form = ActionForm()
            form.fields["assignee"].queryset = self._colleagues(app)
            extra.update(
                {
                    "action_form": form,
                    "act_url": reverse("admin:applications_application_act", args=[app.pk]),
                    "history": list(app.transitions.all()),
                    "can_act": can_process(request.user, app.agency_code),
                    "overdue": selectors.is_overdue(app),
                }
            )
        return super().change_view(request, object_id, form_url, extra)

    def act_view(self, request: HttpRequest, object_id: Any) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:applications_application_change", args=[object_id]))
        app = self.get_object(request, str(object_id))
        if app is None or not request.user.has_perm(PROCESS):
            raise Http404
        form = ActionForm(request.POST)
        form.fields["assignee"].queryset = self._colleagues(app)
        back = HttpResponseRedirect(reverse("admin:applications_application_change", args=[app.pk]))
        if not form.is_valid():
            for errs in form.errors.values():
                for e in errs:
                    self.message_user(request, e, messages.ERROR)
            return back
        action, comment = form.cleaned_data["action"], form.cleaned_data["comment"]
        assignee = form.cleaned_data.get("assignee")
        kw = {"application_id": app.pk, "actor": request.user}
        try:
            if action == "assign_me":
                services.application_assign(**kw)
            elif action == "assign":
                if assignee is None:
                    self.message_user(request, _("Choose a colleague."), messages.ERROR)
                    return back
                services.application_assign(**kw, assignee_id=assignee.pk)
            elif action in ("comment", "comment_public"):
                services.application_comment(
                    **kw, comment=comment, visible_to_citizen=action == "comment_public"
                )
            elif action == "request_info":
                services.application_request_info(**kw, comment=comment)
            elif action == "approve":
                services.application_approve(**kw, comment=comment)
            elif action == "reject":
                services.application_reject(**kw, comment=comment)
            elif action == "complete":
                services.application_complete(**kw, comment=comment)
        except BawabaError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return back
        self.message_user(request, _("Done."), messages.SUCCESS)
        return back

    def file_view(self, request: HttpRequest, object_id: Any, file_id: Any) -> HttpResponse:
        app = self.get_object(request, str(object_id))
        if app is None or not self.has_view_permission(request, app):
            raise Http404
        f = get_object_or_404(app.files, pk=file_id)
        from bawaba.core.audit import audit_record

        audit_record(
            action="application.file_viewed",
            actor=request.user,
            object_type="application",
            object_id=app.reference,
            data={"file": str(f.pk)},
        )
        from django.core.files.storage import default_storage
        from django.http import FileResponse

        try:
            handle = default_storage.open(f.stored_name, "rb")
        except OSError:
            raise Http404
        response = FileResponse(
            handle, as_attachment=True, filename=f.original_name, content_type=f.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


# --- form definitions ----------------------------------------------------------------


class FormFieldInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = []
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            data = form.cleaned_data
            kept.append(
                field_snapshot(
                    type(
                        "F",
                        (),
                        {
                            k: data.get(k)
                            for k in (
                                "key",
                                "kind",
                                "prefill",
                                "required",
                                "label_ar",
                                "label_en",
                                "help_ar",
                                "help_en",
                                "choices",
                                "min_length",
                                "max_length",
                                "min_value",
                                "max_value",
                                "regex",
                                "regex_message_ar",
                                "regex_message_en",
                                "date_min",
                                "date_max",
                                "file_types",
                                "max_size_kb",
                            )
                        },
                    )()
                )
            )
        problems = definition_check(kept)
        if problems:
            raise forms.ValidationError(
                [f"{key or _('form')}: {msg}" for key, msgs in problems.items() for msg in msgs]
            )


class FormFieldInline(admin.StackedInline):
    model = FormField
    formset = FormFieldInlineFormSet
    extra = 0
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("order", "key", "kind", "required", "prefill"),
                    ("label_ar", "label_en"),
                    ("help_ar", "help_en"),
                )
            },
        ),
        (_("Choices"), {"fields": ("choices",), "classes": ("collapse",)}),
        (
            _("Validation"),
            {
                "fields": (
                    ("min_length", "max_length"),
                    ("min_value", "max_value"),
                    ("regex", "regex_message_ar", "regex_message_en"),
                    ("date_min", "date_max"),
                    ("file_types", "max_size_kb"),
                ),
                "classes": ("collapse",),
            },
        ),
    )


class FormDefinitionForm(forms.ModelForm):
    class Meta:
        model = FormDefinition
        fields = (
            "service_slug",
            "is_active",
            "min_acr",
            "fee_fils",
            "sla_working_days",
            "intro_ar",
            "intro_en",
        )

    def clean_service_slug(self) -> str:
        slug = self.cleaned_data["service_slug"]
        service = catalog.service_get(slug, include_unpublished=True)
        if service is None:
            raise forms.ValidationError(_("There is no catalogue service with this address."))
        user = getattr(self, "request_user", None)
        if user is not None and not user.is_superuser and service.agency.code != staff_agency_code(user):
            raise forms.ValidationError(_("This service belongs to another agency."))
        return slug


@admin.register(FormDefinition)
class FormDefinitionAdmin(admin.ModelAdmin):
    form = FormDefinitionForm
    inlines = [FormFieldInline]
    list_display = (
        "service_slug",
        "agency_code",
        "is_active",
        "version",
        "sla_working_days",
        "fee_fils",
        "updated_at",
    )
    list_filter = ("is_active", "agency_code")
    search_fields = ("service_slug",)
    readonly_fields = ("agency_code", "version")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return _scope(request, super().get_queryset(request))

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class WithUser(form_class):  # type: ignore[misc, valid-type]
            request_user = request.user

        return WithUser

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        try:
            published = services.form_definition_publish(form_id=form.instance.pk, actor=request.user)
        except BawabaError as exc:
            self.message_user(request, f"{exc.message} {exc.details}", messages.ERROR)
        else:
            self.message_user(
                request, _("Form version %(v)s is live.") % {"v": published.version}, messages.INFO
            )


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "recurring", "name_ar", "name_en")
    list_filter = ("recurring",)
    ordering = ("-date",)
