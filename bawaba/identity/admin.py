"""Back office for people and organisations. Staff see what their role allows; the
assurance level changes only through the audited in-person verification action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bawaba.core.errors import BawabaError

from . import services
from .forms import InPersonVerificationForm
from .models import IdentityVerification, Membership, Organisation, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("organisation",)
    fk_name = "user"


class VerificationInline(admin.TabularInline):
    model = IdentityVerification
    fk_name = "user"
    extra = 0
    can_delete = False
    readonly_fields = (
        "method",
        "level",
        "verified_by",
        "document_type",
        "document_reference",
        "service_centre",
        "created_at",
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = (
        "username",
        "name_ar",
        "name_en",
        "kind",
        "assurance_level",
        "is_staff",
        "is_active",
        "date_joined",
    )
    list_filter = ("kind", "assurance_level", "is_staff", "is_active")
    search_fields = (
        "username",
        "national_number",
        "personal_number",
        "passport_number",
        "name_ar",
        "name_en",
        "phone",
    )
    ordering = ("-date_joined",)
    readonly_fields = (
        "id",
        "assurance_level",
        "phone_verified_at",
        "date_joined",
        "last_login",
        "password_changed_at",
        "verify_link",
    )
    exclude = ("password",)
    filter_horizontal = ("groups", "user_permissions")
    inlines = [MembershipInline, VerificationInline]
    fieldsets = (
        (None, {"fields": ("id", "username", "kind", "is_active")}),
        (
            _("Identity"),
            {
                "fields": (
                    "national_number",
                    "personal_number",
                    "passport_number",
                    "nationality",
                    "date_of_birth",
                    "name_ar",
                    "name_en",
                    "given_name_ar",
                    "family_name_ar",
                    "given_name_en",
                    "family_name_en",
                )
            },
        ),
        (_("Contact"), {"fields": ("phone", "phone_verified_at", "email")}),
        (_("Assurance"), {"fields": ("assurance_level", "verify_link")}),
        (_("Back office"), {"fields": ("is_staff", "agency", "groups", "is_superuser", "user_permissions")}),
        (_("Dates"), {"fields": ("date_joined", "last_login", "password_changed_at")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Deactivated: its sessions end now (and services are told), not at their expiry.
            services.account_deactivate(user=obj, actor=request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions", "groups", "is_staff"]
        return fields

    @admin.display(description=_("In-person verification"))
    def verify_link(self, obj: User) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:identity_user_verify", args=[obj.pk]),
            _("Record an in-person verification"),
        )

    def get_urls(self):
        return [
            path(
                "<uuid:user_id>/verify-in-person/",
                self.admin_site.admin_view(self.verify_in_person_view),
                name="identity_user_verify",
            ),
        ] + super().get_urls()

    def verify_in_person_view(self, request, user_id):
        if not request.user.has_perm("identity.verify_in_person"):
            raise DjangoPermissionDenied
        person = User.objects.filter(pk=user_id).first()
        if person is None:
            return redirect("admin:identity_user_changelist")
        form = InPersonVerificationForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.identity_verify_in_person(user=person, staff=request.user, **form.cleaned_data)
            except BawabaError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request, _("The in-person verification was recorded. The assurance level is now high.")
                )
                return redirect("admin:identity_user_change", person.pk)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "person": person,
            "title": _("Record an in-person verification"),
            "opts": self.model._meta,
        }
        return render(request, "identity/admin_verify_in_person.html", context)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name_ar", "name_en", "kind", "code", "registration_number")
    list_filter = ("kind",)
    search_fields = ("name_ar", "name_en", "code", "registration_number")
