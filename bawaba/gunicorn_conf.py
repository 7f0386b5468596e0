"""gunicorn configuration used by `bawaba serve` (and by operators: -c python:bawaba.gunicorn_conf)."""

import multiprocessing
import os

bind = os.environ.get("BAWABA_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("BAWABA_WEB_WORKERS", str(multiprocessing.cpu_count() + 1)))
worker_class = "sync"
keepalive = 5
timeout = 30
graceful_timeout = 20
max_requests = int(os.environ.get("BAWABA_MAX_REQUESTS", "0"))
accesslog = None
errorlog = "-"
loglevel = os.environ.get("BAWABA_LOG_LEVEL", "info").lower()
preload_app = False


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# gunicorn's own log lines as JSON too, like the application's.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
