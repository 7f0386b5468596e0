"""Helpers for the test suites of every app (imported by tests only)."""

from __future__ import annotations

import os

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(playwright):  # type: ignore[no-untyped-def]
    """Headless Chromium for the browser tests. No skip: without Chromium a browser test must
    fail (scripts/test.sh and .ci/run install it)."""
    assert os.path.exists(CHROMIUM), (
        f"Chromium is needed for the browser tests: apt-get install chromium ({CHROMIUM})"
    )
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the live server's ORM calls from the test thread
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
