from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "bawaba.identity"
    label = "identity"
    verbose_name = _("Digital identity")

    def ready(self) -> None:
        from .roles import roles_sync

        # Operational set-up, not business logic: the staff roles follow the code.
        post_migrate.connect(roles_sync, dispatch_uid="bawaba.identity.roles_sync")
        # A login through services.session_start writes last_login in the statement that
        # records the session; every other login (the admin's, tests' force_login) as before.
        from django.contrib.auth import user_logged_in
        from django.contrib.auth.models import update_last_login

        def last_login(sender, request, user, **kwargs):  # type: ignore[no-untyped-def]
            if not getattr(request, "bawaba_login_recorded", False):
                update_last_login(sender, user, **kwargs)

        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(last_login, dispatch_uid="update_last_login", weak=False)
