from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log is read-only in the back office, for staff with the view permission."""

    list_display = ("seq", "created_at", "actor_label", "action", "object_type", "object_id", "outcome", "ip")
    list_filter = ("outcome", "action")
    search_fields = ("actor_label", "actor_id", "action", "object_id", "ip")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    ordering = ("-seq",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = _("Bawaba back office")
