"""Settings shared by every environment. Everything an operator sets comes from the
environment (documented in README.md, section "Configuration")."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

# Authlib announces a future rename of its httpx integration on every start; not actionable.
warnings.filterwarnings("ignore", message="The httpx module is deprecated", module="authlib")

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("BAWABA_DATA_DIR", Path.cwd() / "var")).resolve()
PORT = int(os.environ.get("PORT", "8000"))
BASE_URL = os.environ.get("BAWABA_BASE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")

# The demo secret is deliberately recognisable: production settings refuse it.
DEMO_SECRET_KEY = "bawaba-demo-secret-key-not-for-production-0000000000000000"
SECRET_KEY = os.environ.get("BAWABA_SECRET_KEY", DEMO_SECRET_KEY)
DEBUG = os.environ.get("BAWABA_DEBUG", "0") == "1"
# Demo mode: demo data, the SMS outbox page for staff, the demo civil registry.
DEMO_MODE = os.environ.get("BAWABA_DEMO", "0") == "1"

_base_host = BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":")[0]
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("BAWABA_ALLOWED_HOSTS", f"{_base_host},127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [BASE_URL] + [
    o.strip() for o in os.environ.get("BAWABA_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "bawaba.core",
    "bawaba.messaging",
    "bawaba.identity",
    "bawaba.sso",
    "bawaba.catalog",
    "bawaba.applications",
    "bawaba.portal",
    # Last: an app listed earlier wins for a translation, and the back office's own Arabic
    # words (e.g. "ادخل" for "Log in") must not replace the platform's.
    "bawaba.core.admin_apps.BawabaAdminConfig",
]

MIDDLEWARE = [
    "bawaba.core.middleware.RequestIdMiddleware",
    "bawaba.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bawaba.core.middleware.StaticCSPMiddleware",  # django-csp's policy, built once
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "bawaba.core.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bawaba.identity.middleware.SessionTrackingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "bawaba.urls"
WSGI_APPLICATION = "bawaba.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bawaba.core.context_processors.platform",
                "bawaba.portal.context_processors.feedback",
            ],
        },
    },
]


def database_from_url(url: str | None) -> dict:
    """`DATABASE_URL` (postgres://…) switches to PostgreSQL; default is SQLite in the data dir."""
    if url:
        cfg = dj_database_url.parse(url, conn_max_age=int(os.environ.get("BAWABA_DB_CONN_MAX_AGE", "60")))
        if cfg["ENGINE"].endswith("sqlite3"):
            cfg["OPTIONS"] = SQLITE_OPTIONS
        return cfg
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "bawaba.sqlite3"),
        "OPTIONS": SQLITE_OPTIONS,
        # Keep each server thread's connection (as with DATABASE_URL): opening one and
        # running the PRAGMAs above cost ~2 ms per request.
        "CONN_MAX_AGE": int(os.environ.get("BAWABA_DB_CONN_MAX_AGE", "60")),
    }


SQLITE_OPTIONS = {
    # WAL lets readers run beside the one writer; IMMEDIATE makes a write transaction take
    # the write lock at BEGIN, so concurrent writers wait (busy timeout) instead of failing.
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=134217728;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["bawaba.identity.backends.IdentityBackend"]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "identity:account"

# Argon2id, 19 MiB, 3 passes, 1 lane: OWASP's 19 MiB recommendation with one more pass.
# (Memory above 32 MiB is mapped afresh by the allocator at every hash and costs about twice
# the CPU for the same strength; see docs/benchmarks.md.) Cost and logins per second per
# core are measured in bench/login_rate.py.
PASSWORD_HASHERS = ["bawaba.identity.hashers.BawabaArgon2Hasher"]
ARGON2_TIME_COST = int(os.environ.get("BAWABA_ARGON2_TIME_COST", "3"))
ARGON2_MEMORY_COST = int(os.environ.get("BAWABA_ARGON2_MEMORY_KIB", "19456"))
ARGON2_PARALLELISM = int(os.environ.get("BAWABA_ARGON2_PARALLELISM", "1"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "bawaba.identity.passwords.LengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "bawaba.identity.passwords.NotIdentifierValidator"},
]

LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", "العربية"), ("en", "English")]
LANGUAGES_BIDI = ["ar"]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Amman"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "bawaba_lang"
LANGUAGE_COOKIE_SECURE = BASE_URL.startswith("https://")
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "uploads"
KEYS_DIR = DATA_DIR / "keys"
# Rendered catalogue pages shared by every server process (catalog.pagestore); empty = off.
BAWABA_PAGE_STORE_DIR = os.environ.get("BAWABA_PAGE_STORE_DIR", str(DATA_DIR / "pages"))
# Render every catalogue page into the store after each publication (a task for the worker).
BAWABA_PAGE_PRERENDER = os.environ.get("BAWABA_PAGE_PRERENDER", "1") == "1"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "bawaba.core.storage.StaticStorage"},
}
WHITENOISE_MAX_AGE = 3600

# Sessions: server-side (database), so every session can be listed and revoked.
SESSION_ENGINE = "bawaba.core.session_store"
SESSION_COOKIE_NAME = "bawaba_session"
SESSION_COOKIE_AGE = int(os.environ.get("BAWABA_SESSION_AGE", str(8 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
CSRF_COOKIE_SECURE = BASE_URL.startswith("https://")
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_NAME = "bawaba_csrf"
CSRF_FAILURE_VIEW = "bawaba.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Background tasks: Django's tasks API (django-tasks backport), database backend by
# default; `bawaba db_worker` runs them (started by `make run` / `bawaba serve`).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("BAWABA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "messaging"],
    }
}

# Messaging port: which adapter carries SMS. `outbox` keeps messages in the database
# (development and demo); the SMPP gateway registers its own adapter later.
BAWABA_SMS_ADAPTER = os.environ.get("BAWABA_SMS_ADAPTER", "outbox")
BAWABA_CIVIL_REGISTRY = os.environ.get("BAWABA_CIVIL_REGISTRY", "demo")
BAWABA_GSB_URL = os.environ.get("BAWABA_GSB_URL", "")
BAWABA_METRICS_TOKEN = os.environ.get("BAWABA_METRICS_TOKEN", "")
BAWABA_OUTBOUND_HOSTS = [
    h.strip() for h in os.environ.get("BAWABA_OUTBOUND_HOSTS", "").split(",") if h.strip()
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "filters": {"request_id": {"()": "bawaba.core.middleware.RequestIdFilter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("BAWABA_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.security.DisallowedHost": {"level": "ERROR"},
    },
}

SITE_NAME = _("Bawaba")

# Single sign-on (the OpenID Connect provider, bawaba.sso); see docs/integrating-sso.md.
BAWABA_OIDC_ISSUER = os.environ.get("BAWABA_OIDC_ISSUER", "")  # default: BAWABA_BASE_URL
BAWABA_OIDC_CODE_TTL = 60
BAWABA_OIDC_ID_TOKEN_TTL = int(os.environ.get("BAWABA_OIDC_ID_TOKEN_TTL", "3600"))
BAWABA_OIDC_ACCESS_TOKEN_TTL = int(os.environ.get("BAWABA_OIDC_ACCESS_TOKEN_TTL", "600"))
BAWABA_OIDC_REFRESH_TOKEN_TTL = int(os.environ.get("BAWABA_OIDC_REFRESH_TOKEN_TTL", str(8 * 3600)))
BAWABA_OIDC_LOGOUT_TOKEN_TTL = 120
BAWABA_OIDC_PAR_TTL = 60
BAWABA_OIDC_CLIENT_CACHE_SECONDS = int(os.environ.get("BAWABA_OIDC_CLIENT_CACHE_SECONDS", "30"))
# Keys of private_key_jwt clients published at a jwks_uri: kept this long per process, and
# fetched again sooner only for an assertion whose `kid` is not among them, at most once
# per BAWABA_OIDC_JWKS_URI_MIN_REFETCH seconds per address.
BAWABA_OIDC_JWKS_URI_CACHE_SECONDS = int(os.environ.get("BAWABA_OIDC_JWKS_URI_CACHE_SECONDS", "300"))
BAWABA_OIDC_JWKS_URI_MIN_REFETCH = int(os.environ.get("BAWABA_OIDC_JWKS_URI_MIN_REFETCH", "10"))
# DPoP proofs (RFC 9449) are accepted for this many seconds after their `iat`, with this
# much clock difference either way; each proof's `jti` is kept that long to refuse replays.
BAWABA_OIDC_DPOP_MAX_AGE = int(os.environ.get("BAWABA_OIDC_DPOP_MAX_AGE", "60"))
BAWABA_OIDC_DPOP_LEEWAY = int(os.environ.get("BAWABA_OIDC_DPOP_LEEWAY", "10"))
# Housekeeping (`bawaba oidc_purge`, and a periodic task every BAWABA_OIDC_PURGE_INTERVAL
# seconds): tokens expired or revoked longer than this many days are deleted.
BAWABA_OIDC_RETENTION_DAYS = int(os.environ.get("BAWABA_OIDC_RETENTION_DAYS", "7"))
BAWABA_OIDC_PURGE_INTERVAL = int(os.environ.get("BAWABA_OIDC_PURGE_INTERVAL", "3600"))
# How first-party pages (bawaba.sso.rp) reach the token endpoint: "wsgi" calls this same
# application in-process (no network; works with one worker), "http" goes over the network.
BAWABA_SSO_RP_TRANSPORT = os.environ.get("BAWABA_SSO_RP_TRANSPORT", "wsgi")

# Machine-to-machine endpoints served with a reduced middleware stack (bawaba/wsgi.py;
# docs/architecture.md "Lean protocol endpoints"): they authenticate the client on every
# request and use no session, CSRF token, locale or messages. Exact paths.
BAWABA_LEAN_PATHS = [
    "/.well-known/openid-configuration",
    "/oidc/jwks",
    "/oidc/token",
    "/oidc/introspect",
    "/oidc/revoke",
    "/oidc/userinfo",
    "/oidc/par",
]
BAWABA_LEAN_MIDDLEWARE = [
    "bawaba.core.middleware.RequestIdMiddleware",
    "bawaba.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "bawaba.core.middleware.StaticCSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
