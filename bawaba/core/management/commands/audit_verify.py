from django.core.management.base import BaseCommand, CommandError

from bawaba.core.audit import audit_verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain. Exits 0 when intact, 1 naming the first broken record."

    def handle(self, *args, **options):
        checked, broken = audit_verify_chain()
        if broken:
            raise CommandError(
                f"audit chain BROKEN at record #{broken.seq}: {broken.reason} ({checked} records verified before it)",
                returncode=1,
            )
        self.stdout.write(f"audit chain intact: {checked} records verified")
