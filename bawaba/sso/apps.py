from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "bawaba.sso"
    label = "sso"
    verbose_name = _("Single sign-on")

    def ready(self) -> None:
        from bawaba.core import periodic
        from bawaba.identity.signals import session_ended

        from . import receivers, tasks

        # Identity ends sessions without knowing about single sign-on (see identity.signals).
        session_ended.connect(receivers.identity_session_ended, dispatch_uid="bawaba.sso.session_ended")
        periodic.register(tasks.oidc_purge, every=self._purge_interval, name="sso.oidc_purge")

    @staticmethod
    def _purge_interval() -> int:
        from django.conf import settings

        return settings.BAWABA_OIDC_PURGE_INTERVAL
