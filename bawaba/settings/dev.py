"""The settings `make run` uses: the whole platform on this machine with demo data."""

import os

os.environ.setdefault("BAWABA_DEMO", "1")

from .base import *  # noqa: E402,F403
from .base import DATA_DIR  # noqa: E402

DEMO_MODE = os.environ.get("BAWABA_DEMO", "1") == "1"
DATA_DIR.mkdir(parents=True, exist_ok=True)
# Development runs over plain http (on loopback Authlib allows it anyway).
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
