from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "bawaba.applications"
    label = "applications"
    verbose_name = _("Online applications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .roles import roles_sync

        # Operational set-up, not business logic: the staff roles follow the code.
        post_migrate.connect(roles_sync, dispatch_uid="bawaba.applications.roles_sync")
