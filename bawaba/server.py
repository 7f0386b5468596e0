"""The production HTTP server: Granian (a Rust HTTP server) running the WSGI application.

`bawaba serve` and the benchmarks build the command here, so there is one definition of
how the platform is served. Operators with a process manager may run the same command
(`python -m bawaba.server` prints it)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

LOG_CONFIG = Path(__file__).with_name("granian_logging.json")


def default_workers() -> int:
    return int(os.environ.get("BAWABA_WEB_WORKERS", str(os.cpu_count() or 1)))


def granian_command(
    *, host: str, port: int, workers: int | None = None, threads: int | None = None
) -> list[str]:
    exe = shutil.which("granian", path=os.path.dirname(sys.executable)) or "granian"
    threads = threads or int(os.environ.get("BAWABA_WEB_THREADS", "2"))
    return [
        exe,
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers or default_workers()),
        "--blocking-threads",
        str(threads),
        "--backlog",
        "2048",
        "--respawn-failed-workers",
        "--workers-kill-timeout",
        "20",
        "--log-config",
        str(LOG_CONFIG),
        "--log-level",
        os.environ.get("BAWABA_LOG_LEVEL", "info").lower(),
        "bawaba.wsgi:application",
    ]


if __name__ == "__main__":
    print(" ".join(granian_command(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))))
