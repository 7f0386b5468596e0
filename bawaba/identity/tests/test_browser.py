"""Headless Chromium against the live server: a citizen registers on the Arabic pages
(code read from the SMS outbox) and a citizen logs in with an authenticator-app code."""

import os

import pytest
from django.db import connections

from bawaba.conftest import last_code, totp_now
from bawaba.core.testing import launch_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch_chromium(p)
        try:
            yield chromium
        finally:
            chromium.close()
            # ORM calls made while playwright's greenlets run open a connection of their
            # own (a different context): close it, or PostgreSQL cannot drop the test database.
            connections.close_all()


def test_register_in_arabic_then_land_on_account(browser, live_server):
    from bawaba.identity.models import User

    page = browser.new_page()
    csp_violations = []
    page.on(
        "console", lambda m: csp_violations.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.goto(f"{live_server.url}/register/")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.fill("#id_national_number", "٩٩٢٢٠٠٤٥٦٧")
    page.fill("#id_date_of_birth", "1992-07-02")
    page.fill("#id_name_ar", "سارة خالد الحسن")
    page.fill("#id_phone", "0791112233")
    page.fill("#id_password", "زيتون على شاطئ البحر")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{live_server.url}/register/verify/")
    page.fill("#id_otp", last_code("+962791112233"))
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{live_server.url}/account/")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert "سارة خالد الحسن" in page.content()
    user = User.objects.get(national_number="9922004567")
    assert user.assurance_level == "substantial" and user.phone == "+962791112233"
    assert not csp_violations


def test_login_with_authenticator_code(browser, live_server, demo):
    page = browser.new_page()
    page.goto(f"{live_server.url}/en/login/")
    page.fill("#id_username", "9861001234")
    page.fill("#id_password", "Bawaba-Demo-2026")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{live_server.url}/en/login/verify/")
    page.fill("#id_otp", totp_now())
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{live_server.url}/en/account/")
    assert "Ahmad Mohammad Al-Ali" in page.content()
    # The language switch keeps the person on the same page.
    page.click("a.lang-switch")
    page.wait_for_url(f"{live_server.url}/account/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    # And logging out ends the session.
    page.click("header form button[type=submit]")
    page.goto(f"{live_server.url}/en/account/")
    assert "/en/login/" in page.url
