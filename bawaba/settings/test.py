"""Settings for the test suite. `TEST_DATABASE_URL` (postgres://…) runs it on PostgreSQL."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, database_from_url

DEBUG = False
DEMO_MODE = True
BASE_URL = "http://testserver"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = ["http://testserver", "http://127.0.0.1", "http://localhost"]
DATABASES = {"default": database_from_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://:memory:")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: concurrent tests then meet SQLite as deployed (WAL, writers wait
    # for the lock) instead of shared-cache memory's immediate "table is locked" errors.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get(
            "TEST_SQLITE_PATH", str(BASE_DIR.parent / "var" / "test" / "test_bawaba.sqlite3")
        )
    }
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_bawaba")}

# Fast Argon2id for tests (the production parameters are measured in bench/).
ARGON2_TIME_COST = 1
ARGON2_MEMORY_COST = 1024
ARGON2_PARALLELISM = 1
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "messaging"],
    }
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
_tmp = BASE_DIR.parent / "var" / "test"
MEDIA_ROOT = _tmp / "uploads"
KEYS_DIR = _tmp / "keys"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "CRITICAL", "handlers": []}}
STATIC_ROOT = _tmp / "static"
# Tests share one database version history but not files: the page store is switched on
# only by the tests that are about it (with their own directory).
BAWABA_PAGE_STORE_DIR = ""
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The test server is http://testserver: Authlib refuses plain http except on loopback.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
