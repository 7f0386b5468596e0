"""Back office: page feedback, service ratings and satisfaction over time."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from bawaba.catalog import selectors as catalog

from . import selectors
from .models import PageFeedback, ServiceRating


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(PageFeedback)
class PageFeedbackAdmin(ReadOnly):
    list_display = ("created_at", "kind", "path", "language", "what_wrong")
    list_filter = ("kind", "language")
    search_fields = ("path", "what_wrong", "what_doing")
    date_hierarchy = "created_at"
    change_list_template = "portal/admin/feedback_change_list.html"

    def get_urls(self):  # type: ignore[no-untyped-def]
        return [
            path(
                "satisfaction/",
                self.admin_site.admin_view(self.satisfaction_view),
                name="portal_satisfaction",
            ),
        ] + super().get_urls()

    def satisfaction_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("portal.view_satisfaction"):
            raise PermissionDenied
        agency_of = {s.slug: s.agency.code for s in catalog.service_list()}
        context = {
            **self.admin_site.each_context(request),
            "title": _("Satisfaction"),
            "by_page": selectors.satisfaction_by_page(limit=200),
            "by_service": selectors.satisfaction_by_service(limit=200),
            "by_agency": selectors.satisfaction_by_agency(agency_of),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "portal/admin/satisfaction.html", context)


@admin.register(ServiceRating)
class ServiceRatingAdmin(ReadOnly):
    list_display = ("created_at", "service_slug", "agency_code", "score", "comment")
    list_filter = ("score", "agency_code")
    search_fields = ("service_slug", "comment")
    exclude = ("application_id",)
