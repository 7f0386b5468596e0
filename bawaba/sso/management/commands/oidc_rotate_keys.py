"""`bawaba oidc_rotate_keys`: the published "next" key starts signing, the active key is
retired (still published until its tokens have expired), a new "next" key is published."""

import json

from django.core.management.base import BaseCommand

from bawaba.core.audit import audit_record
from bawaba.sso import keys


class Command(BaseCommand):
    help = "Rotate the OpenID Connect signing keys."

    def handle(self, *args, **options):
        active = keys.rotate_keys()
        audit_record(action="sso.keys.rotate", object_type="oidc_keys", data={"active": active})
        self.stdout.write(json.dumps({"active": active, "published": keys.published_kids()}))
