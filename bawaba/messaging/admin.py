from django.contrib import admin

from .models import OutboundMessage


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "to", "purpose", "status", "adapter", "attempts")
    list_filter = ("status", "purpose", "channel")
    search_fields = ("to", "user_id", "provider_ref")
    readonly_fields = [f.name for f in OutboundMessage._meta.fields if f.name != "body"]
    exclude = ("body",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
