from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Rebuild the catalogue search index from the published services."

    def handle(self, *args, **options):
        from bawaba.catalog.services import search_index_rebuild

        self.stdout.write(f"indexed {search_index_rebuild()} services")
