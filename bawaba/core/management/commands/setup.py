"""`bawaba setup [--demo]`: everything a fresh deployment needs before serving."""

import importlib

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Migrate the database, collect static files and (with --demo) load the demo data. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="load the demo data (refused in production)")

    def handle(self, *args, demo=False, **options):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("database migrated")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("static files collected")
        if demo:
            call_command("load_demo_data")


def demo_loaders():
    """Each app may have a `demo` module with `load(stdout)`; they run in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        if not config.name.startswith("bawaba."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        yield config.name, module


def ensure_demo_allowed():
    if not settings.DEMO_MODE:
        raise CommandError("Demo data is refused outside demo mode (production settings).")
