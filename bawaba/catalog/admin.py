"""Back office for the catalogue: agencies, centres, categories, life events, services with
their fees, the editorial workflow (actions) and the history of every service, plus
import and export of the whole catalogue."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bawaba.core.errors import BawabaError

from . import services
from .constants import CHANNELS
from .models import Agency, Category, Fee, LifeEvent, Service, ServiceCentre, ServiceRevision
from .serialise import service_to_dict


class ServiceCentreInline(admin.TabularInline):
    model = ServiceCentre
    extra = 0
    fields = (
        "name_ar",
        "name_en",
        "governorate",
        "address_ar",
        "address_en",
        "phone",
        "opens_at",
        "closes_at",
    )


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ar", "name_en", "kind", "website")
    list_filter = ("kind",)
    search_fields = ("code", "name_ar", "name_en")
    inlines = [ServiceCentreInline]


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = ("name_en", "name_ar", "agency", "governorate", "opens_at", "closes_at")
    list_filter = ("governorate", "agency")
    search_fields = ("name_ar", "name_en")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("key", "name_ar", "name_en", "order")


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin):
    list_display = ("key", "name_ar", "name_en", "order")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the twelve life events are a fixed vocabulary

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0
    fields = ("order", "label_ar", "label_en", "amount_fils")


class RevisionInline(admin.TabularInline):
    model = ServiceRevision
    extra = 0
    can_delete = False
    fields = (
        "number",
        "created_at",
        "actor_label",
        "action",
        "from_status",
        "to_status",
        "comment",
        "changed",
    )
    readonly_fields = fields
    ordering = ("-number",)

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    @admin.display(description=_("changed fields"))
    def changed(self, obj: ServiceRevision) -> str:
        return ", ".join(sorted(obj.changes)) or "—"


class ListField(forms.CharField):
    """A list of texts edited as one item per line."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):  # type: ignore[no-untyped-def]
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):  # type: ignore[no-untyped-def]
        value = super().to_python(value) or ""
        return [line.strip() for line in value.splitlines() if line.strip()]


class ServiceForm(forms.ModelForm):
    documents_ar = ListField(label=_("required documents (Arabic), one per line"), required=False)
    documents_en = ListField(label=_("required documents (English), one per line"), required=False)
    steps_ar = ListField(label=_("steps (Arabic), one per line"), required=False)
    steps_en = ListField(label=_("steps (English), one per line"), required=False)
    sources = ListField(label=_("sources (staff only), one per line"), required=False)
    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=list(CHANNELS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Service
        fields = (
            "slug",
            "agency",
            "name_ar",
            "name_en",
            "summary_ar",
            "summary_en",
            "description_ar",
            "description_en",
            "eligibility_ar",
            "eligibility_en",
            "documents_ar",
            "documents_en",
            "steps_ar",
            "steps_en",
            "processing_time_ar",
            "processing_time_en",
            "channels",
            "online_application",
            "min_acr",
            "external_url",
            "categories",
            "life_events",
            "related",
            "popularity",
            "legal_basis_ar",
            "legal_basis_en",
            "last_reviewed",
            "sources",
            "staff_notes",
        )


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    form = ServiceForm
    list_display = ("slug", "name_en", "name_ar", "agency", "status", "online_application", "last_reviewed")
    list_filter = ("status", "online_application", "agency", "life_events")
    search_fields = ("slug", "name_ar", "name_en")
    autocomplete_fields = ("agency",)
    filter_horizontal = ("categories", "life_events", "related")
    readonly_fields = ("status", "public_id", "published_at", "created_at", "updated_at")
    inlines = [FeeInline, RevisionInline]
    actions = ["submit_for_review", "publish", "return_to_draft", "withdraw"]
    fieldsets = (
        (None, {"fields": ("slug", "status", "agency", "public_id")}),
        (
            _("Names and texts"),
            {
                "fields": (
                    "name_ar",
                    "name_en",
                    "summary_ar",
                    "summary_en",
                    "description_ar",
                    "description_en",
                )
            },
        ),
        (
            _("Who and what"),
            {
                "fields": (
                    "eligibility_ar",
                    "eligibility_en",
                    "documents_ar",
                    "documents_en",
                    "steps_ar",
                    "steps_en",
                )
            },
        ),
        (
            _("How"),
            {
                "fields": (
                    "processing_time_ar",
                    "processing_time_en",
                    "channels",
                    "online_application",
                    "min_acr",
                    "external_url",
                )
            },
        ),
        (_("Browsing"), {"fields": ("categories", "life_events", "related", "popularity")}),
        (
            _("Review"),
            {
                "fields": (
                    "legal_basis_ar",
                    "legal_basis_en",
                    "last_reviewed",
                    "sources",
                    "staff_notes",
                    "published_at",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and obj.status in (Service.Status.PUBLISHED, Service.Status.REVIEW):
            # Editors change drafts; a published or in-review service is changed by a reviewer.
            return request.user.has_perm("catalog.publish_service")
        return allowed

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False  # services are withdrawn, never deleted: their addresses stay answerable

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        request._catalog_before = service_to_dict(Service.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        services.service_record_edit(
            service=form.instance, actor=request.user, before=getattr(request, "_catalog_before", None)
        )

    def _bulk(self, request: HttpRequest, queryset, fn, done: str) -> None:  # type: ignore[no-untyped-def]
        ok = 0
        for service in queryset:
            try:
                fn(service=service, actor=request.user)
                ok += 1
            except BawabaError as exc:
                self.message_user(request, f"{service.slug}: {exc.message}", messages.ERROR)
        if ok:
            self.message_user(request, done % {"n": ok}, messages.SUCCESS)

    @admin.action(description=_("Send for review"), permissions=["change"])
    def submit_for_review(self, request, queryset):  # type: ignore[no-untyped-def]
        self._bulk(request, queryset, services.service_submit_for_review, str(_("%(n)s sent for review.")))

    @admin.action(description=_("Publish"), permissions=["publish"])
    def publish(self, request, queryset):  # type: ignore[no-untyped-def]
        self._bulk(request, queryset, services.service_publish, str(_("%(n)s published.")))

    @admin.action(description=_("Return to draft"), permissions=["change"])
    def return_to_draft(self, request, queryset):  # type: ignore[no-untyped-def]
        self._bulk(request, queryset, services.service_return_to_draft, str(_("%(n)s returned to draft.")))

    @admin.action(description=_("Withdraw from the portal"), permissions=["publish"])
    def withdraw(self, request, queryset):  # type: ignore[no-untyped-def]
        self._bulk(request, queryset, services.service_withdraw, str(_("%(n)s withdrawn.")))

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("catalog.publish_service")

    # Import and export pages.
    def get_urls(self):  # type: ignore[no-untyped-def]
        return [
            path("export/", self.admin_site.admin_view(self.export_view), name="catalog_export"),
            path("import/", self.admin_site.admin_view(self.import_view), name="catalog_import"),
        ] + super().get_urls()

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("catalog.export_catalogue"):
            raise DjangoPermissionDenied
        fmt = request.GET.get("format", "json")
        if fmt not in ("json", "csv"):
            fmt = "json"
        text = services.catalogue_export(fmt=fmt, actor=request.user)
        stamp = timezone.localdate().isoformat()
        content_type = "application/json" if fmt == "json" else "text/csv"
        response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="bawaba-catalogue-{stamp}.{fmt}"'
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("catalog.import_catalogue"):
            raise DjangoPermissionDenied
        errors: list[str] = []
        if request.method == "POST":
            upload = request.FILES.get("file")
            if upload is None:
                errors = [str(_("Choose a file to import."))]
            else:
                try:
                    counts = services.catalogue_import_file(
                        content=upload.read(), filename=upload.name, actor=request.user
                    )
                except BawabaError as exc:
                    errors = [str(exc.message), *exc.details.get("errors", [])]
                else:
                    self.message_user(
                        request,
                        _("Imported: %(services)s services, %(agencies)s agencies.") % counts,
                        messages.SUCCESS,
                    )
                    return redirect(reverse("admin:catalog_service_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import the catalogue"),
            "errors": errors,
        }
        return render(request, "catalog/admin_import.html", context)
