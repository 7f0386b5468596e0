"""`bawaba scheduler`: enqueue the registered periodic tasks (see bawaba.core.periodic) when
due, until stopped. `bawaba serve` does this itself; run this next to `bawaba db_worker`
when a process manager runs the processes separately, or `--once` from cron."""

import json
import signal
import time

from django.core.management.base import BaseCommand
from django.db import connections

from bawaba.core import periodic


class Command(BaseCommand):
    help = "Enqueue periodic background tasks when they are due (the worker runs them)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="enqueue every periodic task now and exit")
        parser.add_argument(
            "--list", action="store_true", dest="show", help="list the periodic tasks and exit"
        )

    def handle(self, *args, once, show, **options):
        if show:
            for p in periodic.registered():
                self.stdout.write(f"{p.name}\tevery {int(p.interval())} s")
            return
        if once:
            self.stdout.write(json.dumps({"enqueued": periodic.enqueue_all()}))
            return
        running = True

        def stop(signum, frame):
            nonlocal running
            running = False

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        scheduler = periodic.Scheduler()
        while running:
            if scheduler.tick():
                connections.close_all()  # idle between runs: hold no database connection
            time.sleep(1)
