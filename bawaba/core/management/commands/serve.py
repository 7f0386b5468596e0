"""`bawaba serve`: the production server (Granian, see bawaba/server.py) and the background
worker, together, until Ctrl-C; this process also enqueues the periodic tasks when due
(bawaba.core.periodic). Operators with a process manager run them separately instead: the
command `python -m bawaba.server` prints, `bawaba db_worker` and `bawaba scheduler`."""

import os
import shutil
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections

from bawaba.core import periodic
from bawaba.server import granian_command


class Command(BaseCommand):
    help = "Serve the platform with Granian and run the task worker, until interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("BAWABA_BIND_HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=None)
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start the task worker nor enqueue periodic tasks"
        )

    def handle(self, *args, port, host, workers, no_worker, **options):
        env = os.environ.copy()
        env.setdefault(
            "DJANGO_SETTINGS_MODULE", os.environ.get("DJANGO_SETTINGS_MODULE", "bawaba.settings.dev")
        )
        prom = settings.DATA_DIR / "prometheus"
        shutil.rmtree(prom, ignore_errors=True)
        prom.mkdir(parents=True, exist_ok=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(prom)
        procs = [subprocess.Popen(granian_command(host=host, port=port, workers=workers), env=env)]  # noqa: S603
        if not no_worker:
            procs.append(
                subprocess.Popen([sys.executable, "-m", "bawaba", "db_worker", "--queue-name", "*"], env=env)  # noqa: S603
            )
        self.stdout.write(f"Bawaba is serving on http://{host}:{port}/ (Ctrl-C to stop)")

        def stop(signum, frame):
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        # Periodic tasks (bawaba.core.periodic) are enqueued from here; the worker runs them.
        scheduler = None if no_worker else periodic.Scheduler()
        try:
            while all(p.poll() is None for p in procs):
                if scheduler is not None and scheduler.tick():
                    connections.close_all()
                time.sleep(0.5)
        finally:
            stop(None, None)
            deadline = time.time() + 15
            for p in procs:
                try:
                    p.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    p.kill()
        codes = [p.returncode for p in procs]
        if any(c not in (0, -signal.SIGTERM, None) for c in codes):
            sys.exit(1)
