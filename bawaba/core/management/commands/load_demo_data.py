from django.core.management.base import BaseCommand

from .setup import demo_loaders, ensure_demo_allowed


class Command(BaseCommand):
    help = "Load the demo data of every app (idempotent: running it twice changes nothing)."

    def handle(self, *args, **options):
        ensure_demo_allowed()
        for _name, module in demo_loaders():
            module.load(self.stdout)
        self.stdout.write("demo data loaded")
