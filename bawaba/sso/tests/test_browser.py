"""One headless-Chromium journey on a phone-sized screen: a service sends the person to
Bawaba, they log in, see the bilingual consent page, allow, and the service shows what it
received; no page on the way is wider than the screen."""

from __future__ import annotations

import os

import pytest

from bawaba.core.testing import launch_chromium


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_login_and_consent_pages_in_chromium(live_server, settings):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    from bawaba.identity import demo as identity_demo
    from bawaba.identity.roles import roles_sync
    from bawaba.sso import demo as sso_demo
    from bawaba.sso.clients import client_cache_clear

    settings.BASE_URL = live_server.url
    client_cache_clear()
    roles_sync()
    identity_demo.load()
    sso_demo.load()
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 360, "height": 800})  # a citizen's phone

        def fits() -> bool:
            return page.evaluate("document.documentElement.scrollWidth") <= 360

        page.goto(f"{live_server.url}/sso-demo/")
        assert page.locator("html").get_attribute("dir") == "rtl"
        page.goto(f"{live_server.url}/en/sso-demo/")
        page.get_by_role("button", name="Log in (low)").click()
        # the provider's login form, shown by its authorization endpoint
        page.wait_for_url("**/oidc/authorize?*")
        page.wait_for_selector("input[name=password]")
        assert fits()
        page.get_by_label("National number", exact=False).or_(
            page.locator("input[name=username]")
        ).first.fill("2000112345")
        page.locator("input[name=password]").fill("Bawaba-Demo-2026")
        page.locator("form button[type=submit]").first.click()
        # the consent page names the service, its agency and what it will receive
        page.wait_for_selector("form.consent-form")
        assert fits()
        body = page.content()
        assert "Demo e-service" in body and "Ministry of Digital Economy" in body
        assert page.locator("ul.consent-claims li").count() >= 2
        page.get_by_role("button", name="Allow", exact=True).click()
        page.wait_for_url("**/sso-demo/")
        text = page.content()
        assert "loa-low" in text and "Mahmoud" in text
        # the long identifiers wrap instead of widening the page
        assert fits()
        # so do the account's tables of sessions and connected services (rows become blocks)
        for path in ("/account/connected-services/", "/account/sessions/", "/en/account/sessions/"):
            page.goto(f"{live_server.url}{path}")
            assert page.locator("table.stack tbody tr").count() >= 1, path
            assert fits(), path
        browser.close()
    client_cache_clear()
