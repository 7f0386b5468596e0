from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Import a catalogue file (JSON export, or CSV of services). Validates everything first; "
        "nothing changes unless the whole file is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        from bawaba.catalog.services import catalogue_import_file
        from bawaba.core.errors import BawabaError

        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            counts = catalogue_import_file(content=path.read_bytes(), filename=path.name)
        except BawabaError as exc:
            lines = [str(exc.message), *[f"  - {e}" for e in exc.details.get("errors", [])]]
            raise CommandError("\n".join(lines))
        self.stdout.write(
            "imported: {services} services, {agencies} agencies, {categories} categories, "
            "{life_events} life events".format(**counts)
        )
