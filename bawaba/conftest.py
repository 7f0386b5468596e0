"""Fixtures shared by every app's tests. Data is made by calling services or the demo
loaders, never by writing rows behind the services' back."""

from __future__ import annotations

import pyotp
import pytest
from django.test import Client

DEMO_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.fixture
def demo(db):
    """The demo people: Ahmad (9861001234, substantial, TOTP), Mahmoud (2000112345, low),
    admin (staff, TOTP) and officer (identity officer, TOTP)."""
    from bawaba.identity import demo as identity_demo
    from bawaba.identity.roles import roles_sync

    roles_sync()
    identity_demo.load()
    from bawaba.identity.models import User

    return {u.username: u for u in User.objects.all()}


def totp_now(secret: str = DEMO_TOTP_SECRET, offset_steps: int = 0) -> str:
    import time

    t = pyotp.TOTP(secret)
    return t.at(time.time() + offset_steps * t.interval)


@pytest.fixture
def totp():
    return totp_now


def last_code(phone: str) -> str:
    """The last one-time code sent by SMS to `phone` (read from the development outbox)."""
    import re

    from bawaba.messaging.selectors import latest_message_to

    message = latest_message_to(phone)
    assert message is not None, f"no SMS to {phone}"
    match = re.search(r"\b(\d{6})\b", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def sms_code():
    return last_code


def login(client: Client, username: str, password: str, otp: str | None = None):
    response = client.post("/en/login/", {"username": username, "password": password})
    if otp is not None:
        assert response.status_code == 302 and response["Location"].endswith("/login/verify/"), response
        response = client.post("/en/login/verify/", {"otp": otp})
    return response


@pytest.fixture
def logged_in_ahmad(client, demo):
    response = login(client, "9861001234", "Bawaba-Demo-2026", totp_now())
    assert response.status_code == 302, response
    return client


@pytest.fixture
def logged_in_admin(client, demo):
    response = login(client, "admin", "Bawaba-Admin-2026", totp_now())
    assert response.status_code == 302, response
    return client


@pytest.fixture(scope="session")
def live_server(request, django_db_setup):
    """pytest-django's live server, started once the test database exists. Started before
    (as pytest-django's own fixture may be), it sees the in-memory SQLite placeholder and
    hands the test thread's one connection to every request thread: two requests at once
    (a service worker installing fetches several pages together) then break SQLite with
    "bad parameter or other API misuse". Started after, each request thread opens its own
    connection to the test database file, as a real server's threads do."""
    import os

    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    )
    server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """In-process caches (the catalogue's rendered pages, single sign-on's clients) outlive a
    test's rolled-back transaction; every test starts without them."""
    from bawaba.catalog.selectors import page_cache_clear
    from bawaba.sso import client_keys
    from bawaba.sso.clients import client_cache_clear
    from bawaba.sso.services import client_auth_waits_clear

    page_cache_clear()
    client_cache_clear()
    client_keys.cache_clear()
    client_auth_waits_clear()
    yield
