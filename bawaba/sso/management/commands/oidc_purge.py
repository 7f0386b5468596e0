"""`bawaba oidc_purge`: delete expired authorization codes and pushed requests, tokens
expired or revoked longer than BAWABA_OIDC_RETENTION_DAYS, and used client-assertion ids
past their expiry. The worker also does this every BAWABA_OIDC_PURGE_INTERVAL seconds."""

import json

from django.core.management.base import BaseCommand

from bawaba.sso import services


class Command(BaseCommand):
    help = "Delete single sign-on records that can no longer be used; prints how many of each."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(services.oidc_purge()))
