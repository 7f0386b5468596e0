"""Production settings. They refuse to start with DEBUG, demo mode, a demo secret or no
secret at all: a production deployment must be configured on purpose."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEMO_SECRET_KEY

DEBUG = False
if os.environ.get("BAWABA_DEBUG", "0") == "1":
    raise ImproperlyConfigured("BAWABA_DEBUG=1 is refused by production settings.")
if os.environ.get("BAWABA_DEMO", "0") == "1":
    raise ImproperlyConfigured("Demo mode (BAWABA_DEMO=1) is refused by production settings.")
DEMO_MODE = False

SECRET_KEY = os.environ.get("BAWABA_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("BAWABA_SECRET_KEY must be set in production.")
if SECRET_KEY == DEMO_SECRET_KEY or "demo" in SECRET_KEY.lower() or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "BAWABA_SECRET_KEY is a demo or weak secret; generate one with "
        "`python3 -c 'import secrets; print(secrets.token_urlsafe(64))'`."
    )
if (
    os.environ.get("BAWABA_SMS_ADAPTER", "outbox") == "outbox"
    and os.environ.get("BAWABA_ALLOW_OUTBOX") != "1"
):
    raise ImproperlyConfigured("The SMS outbox adapter is for development; set BAWABA_SMS_ADAPTER.")
if os.environ.get("BAWABA_CIVIL_REGISTRY", "demo") == "demo":
    raise ImproperlyConfigured("The demo civil registry is refused in production; set BAWABA_CIVIL_REGISTRY.")

SECURE_SSL_REDIRECT = os.environ.get("BAWABA_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("BAWABA_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
