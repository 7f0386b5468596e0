from django.contrib.admin.apps import AdminConfig


class BawabaAdminConfig(AdminConfig):
    """The back office: Django admin behind staff login with a second factor."""

    default_site = "bawaba.core.admin_site.BawabaAdminSite"
