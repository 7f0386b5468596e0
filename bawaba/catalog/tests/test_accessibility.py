"""WCAG 2.2 AA checks with axe-core in headless Chromium: home, search results and a
service page, in Arabic and English. Serious or critical violations fail the test."""

import os

import pytest

from bawaba.catalog.services.indexing import caches_reset as vocabulary_reset
from bawaba.core.testing import launch_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/en/",
    "/services/search/?q=%D8%B4%D9%87%D8%A7%D8%AF%D8%A9",
    "/en/services/search/?q=passport",
    "/services/dvld-licence-renewal-private/",
    "/en/services/moj-non-conviction-certificate/",
    "/services/",
    "/en/services/agencies/CSPD/",
]


@pytest.fixture
def browser_page(live_server):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from bawaba.catalog import demo

    demo.load()
    vocabulary_reset()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        context = browser.new_context(viewport={"width": 375, "height": 740})
        page = context.new_page()
        yield page, live_server.url
        context.close()
        browser.close()
    vocabulary_reset()


def test_catalogue_pages_have_no_serious_accessibility_violations(browser_page):
    from axe_playwright_python.sync_playwright import Axe

    page, base = browser_page
    axe = Axe()
    problems = []
    for path in PAGES:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        results = axe.run(
            page,
            options={
                "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
            },
        )
        assert results.response["passes"], "axe did not run"
        for v in results.response["violations"]:
            if v["impact"] in ("serious", "critical"):
                problems.append(
                    f"{path}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
                )
    assert not problems, "\n".join(problems)


def test_pages_read_without_javascript(live_server):
    """The same pages with JavaScript disabled still show their content."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from bawaba.catalog import demo

    demo.load()
    vocabulary_reset()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(live_server.url + "/en/services/search/?q=birth+certificate")
        assert (
            page.locator("a.service-link").first.get_attribute("href")
            == "/en/services/cspd-birth-registration/"
        )
        page.goto(live_server.url + "/services/cspd-birth-registration/")
        assert page.locator("h1").inner_text().startswith("تسجيل")
        browser.close()
    vocabulary_reset()
