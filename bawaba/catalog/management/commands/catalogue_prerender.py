import json

from django.core.management.base import BaseCommand

from bawaba.catalog.services.prerender import pages_prerender


class Command(BaseCommand):
    help = (
        "Render every published catalogue page, in Arabic and English, into the shared page "
        "store (BAWABA_PAGE_STORE_DIR) and remove earlier publications' pages. The task worker "
        "does this after each publication; run it by hand after restoring a database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="render again even if complete")

    def handle(self, *args, force=False, **options):
        self.stdout.write(json.dumps(pages_prerender(force=force)))
