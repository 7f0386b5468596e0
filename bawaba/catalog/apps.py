from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "bawaba.catalog"
    label = "catalog"
    verbose_name = _("Service catalogue")

    def ready(self) -> None:
        from .roles import roles_sync

        # Operational set-up, not business logic: the staff roles follow the code.
        post_migrate.connect(roles_sync, dispatch_uid="bawaba.catalog.roles_sync")
