from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bawaba.core.errors import ValidationError
from bawaba.core.phones import normalize_jordan_mobile
from bawaba.messaging import selectors


class Command(BaseCommand):
    help = "Show the latest messages in the development SMS outbox (newest first)."

    def add_arguments(self, parser):
        parser.add_argument("--to", help="only messages to this mobile number")
        parser.add_argument("--limit", type=int, default=10)

    def handle(self, *args, to=None, limit=10, **options):
        try:
            phone = normalize_jordan_mobile(to) if to else None
        except ValidationError as exc:
            raise CommandError(str(exc.message))
        rows = list(selectors.outbox_list(to=phone, limit=limit))
        if not rows:
            self.stdout.write("(the outbox is empty)")
        for m in rows:
            when = timezone.localtime(m.created_at).strftime("%Y-%m-%d %H:%M:%S")
            self.stdout.write(f"{when}  {m.to}  [{m.purpose}] {m.status}\n    {m.body}")
