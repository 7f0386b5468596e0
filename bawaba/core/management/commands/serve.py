"""`bawaba serve`: the production server (gunicorn) and the background worker, together,
until Ctrl-C. Operators with a process manager run the two separately instead:
`gunicorn -c python:bawaba.gunicorn_conf bawaba.wsgi` and `bawaba db_worker`."""

import os
import shutil
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the platform with gunicorn and run the task worker, until interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("BAWABA_BIND_HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=None)
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")

    def handle(self, *args, port, host, workers, no_worker, **options):
        env = os.environ.copy()
        env.setdefault(
            "DJANGO_SETTINGS_MODULE", os.environ.get("DJANGO_SETTINGS_MODULE", "bawaba.settings.dev")
        )
        prom = settings.DATA_DIR / "prometheus"
        shutil.rmtree(prom, ignore_errors=True)
        prom.mkdir(parents=True, exist_ok=True)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(prom)
        env["BAWABA_BIND"] = f"{host}:{port}"
        if workers:
            env["BAWABA_WEB_WORKERS"] = str(workers)
        bindir = os.path.dirname(sys.executable)
        procs = [
            subprocess.Popen(  # noqa: S603
                [os.path.join(bindir, "gunicorn"), "-c", "python:bawaba.gunicorn_conf", "bawaba.wsgi"],
                env=env,
            )
        ]
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
        try:
            while all(p.poll() is None for p in procs):
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
