"""Demo data for single sign-on: the demo relying party (/sso-demo/) and the portal's
own client. Idempotent."""

from __future__ import annotations

from django.conf import settings

from . import services, tokens
from .demo_rp import BACKCHANNEL_PATH, CALLBACK_PATH, DEMO_CLIENT_ID, demo_secret
from .models import Client


def load(stdout=None) -> None:  # type: ignore[no-untyped-def]
    secret = demo_secret()
    base = settings.BASE_URL
    client = Client.objects.filter(client_id=DEMO_CLIENT_ID).first()
    if client is None:
        services.client_create(
            client_id=DEMO_CLIENT_ID,
            name_en="Demo e-service (single sign-on)",
            name_ar="خدمة تجريبية (الدخول الموحد)",
            agency_code="MODEE",
            redirect_uris=[base + CALLBACK_PATH],
            post_logout_redirect_uris=[base + "/sso-demo/"],
            backchannel_logout_uri=base + BACKCHANNEL_PATH,
            scopes="openid profile phone email",
            secret=secret,
        )
    else:
        changed = []
        if client.client_secret_hash != tokens.sha256(secret):
            services.client_secret_regenerate(client_id=DEMO_CLIENT_ID, secret=secret)
        if client.redirect_uris != [base + CALLBACK_PATH]:
            client.redirect_uris = [base + CALLBACK_PATH]
            client.post_logout_redirect_uris = [base + "/sso-demo/"]
            client.backchannel_logout_uri = base + BACKCHANNEL_PATH
            changed = ["redirect_uris", "post_logout_redirect_uris", "backchannel_logout_uri"]
        if changed:
            client.save(update_fields=[*changed, "updated_at"])
            services.client_cache_clear(DEMO_CLIENT_ID)
    services.portal_client_ensure()
    if stdout:
        stdout.write(f"single sign-on: demo relying party at {base}/sso-demo/")
