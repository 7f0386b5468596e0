"""WCAG 2.2 AA check (axe-core) of the application form and the dashboard in both
languages, and applying with JavaScript switched off, in headless Chromium."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import sync_playwright  # noqa: E402

from bawaba.conftest import totp_now  # noqa: E402
from bawaba.portal.tests.axe import launch, serious_violations  # noqa: E402

MOJ = "moj-non-conviction-certificate"
CERT = "cspd-e-certificate"


@pytest.fixture
def live_demo(transactional_db, live_server, settings, tmp_path):
    from bawaba.applications.tests.conftest import load_online_catalogue
    from bawaba.identity import demo as identity_demo
    from bawaba.identity.roles import roles_sync

    settings.MEDIA_ROOT = tmp_path / "uploads"
    # The portal logs in through the provider at BAWABA_BASE_URL: the browser must reach it.
    settings.BASE_URL = live_server.url
    roles_sync()
    identity_demo.load()
    load_online_catalogue()
    return live_server.url


def _login(page, base: str, username: str, otp: bool) -> None:
    page.goto(f"{base}/en/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "Bawaba-Demo-2026")
    page.click("form.stack button[type=submit]")
    if otp:
        page.fill("input[name=otp]", totp_now())
        page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_application_form_and_dashboard_pass_axe(live_demo):
    base = live_demo
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context().new_page()
        _login(page, base, "9861001234", otp=True)
        problems: dict[str, list[str]] = {}
        for prefix in ("", "/en"):
            page.goto(f"{base}{prefix}/services/{MOJ}/apply/")
            assert page.locator("input[name=token]").count() == 1
            problems[f"{prefix}/apply"] = serious_violations(page)
            # The form with errors shown.
            page.click("button[value=submit]")
            assert page.locator(".error-summary").count() == 1
            problems[f"{prefix}/apply (errors)"] = serious_violations(page)
            page.check("input[name=purpose][value=study]")
            page.click("button[value=submit]")
            page.wait_for_url("**/dashboard/applications/BWB-*/")
            problems[f"{prefix}/application"] = serious_violations(page)
            for path in ("dashboard/", "dashboard/notifications/"):
                page.goto(f"{base}{prefix}/{path}")
                problems[f"{prefix}/{path}"] = serious_violations(page)
        html_lang = page.get_attribute("html", "lang")
        browser.close()
    assert html_lang == "en"
    assert {k: v for k, v in problems.items() if v} == {}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_applying_works_without_javascript(live_demo):
    base = live_demo
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(java_script_enabled=False).new_page()
        _login(page, base, "2000112345", otp=False)
        page.goto(f"{base}/services/{CERT}/apply/")
        page.check("input[name=certificate][value=birth]")
        page.fill("input[name=copies]", "2")
        page.check("input[name=delivery][value=pickup]")
        page.click("button[value=save]")
        assert page.locator("input[name=copies]").input_value() == "2"
        page.click("button[value=submit]")
        page.wait_for_url("**/dashboard/applications/BWB-*/")
        reference = page.locator("dd.mono").inner_text()
        page.goto(f"{base}/dashboard/")
        assert reference in page.content()
        # Feedback without JavaScript: a plain POST and a thank-you page.
        page.click("button[name=kind][value=useful]")
        assert "/feedback/thanks/" in page.url
        browser.close()
    from bawaba.portal.models import PageFeedback

    assert PageFeedback.objects.get().path == "/dashboard/"
