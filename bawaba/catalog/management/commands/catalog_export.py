import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Export the service catalogue as JSON (everything) or CSV (services), to stdout or a file."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")

    def handle(self, *args, format="json", output=None, **options):
        from bawaba.catalog.services import catalogue_export

        text = catalogue_export(fmt=format)
        if output:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            self.stderr.write(f"catalogue written to {output}")
        else:
            sys.stdout.write(text)
