"""The progressive web app offline, in headless Chromium against a live server (driven as the
axe-core tests drive it): once the service worker controls the page, the browser is taken
offline; service pages visited before and the catalogue still render from the cache, and a
page never visited shows the offline page in its own language."""

from __future__ import annotations

import time

import pytest

from bawaba.catalog.services.indexing import caches_reset as vocabulary_reset
from bawaba.core.testing import launch_chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VISITED = "/services/cspd-e-certificate/"
VISITED_EN = "/en/services/dvld-licence-renewal-private/"


@pytest.fixture
def browser_context(live_server):
    from bawaba.catalog import demo

    demo.load()
    vocabulary_reset()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        context = browser.new_context(viewport={"width": 375, "height": 740}, service_workers="allow")
        yield context, live_server.url
        context.close()
        browser.close()
    vocabulary_reset()


def cached(page, path: str) -> bool:
    return page.evaluate("async (p) => !!(await caches.match(p, {ignoreVary: true}))", path)


def wait_until(predicate, what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def go_offline(context, page) -> None:
    """Playwright's offline switch, and Chrome's own network emulation through the DevTools
    protocol for the page and its service worker."""
    context.set_offline(True)
    conditions = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", conditions)


def test_catalogue_reads_offline_once_the_service_worker_controls_the_page(browser_context):
    context, base = browser_context
    page = context.new_page()
    page.goto(base + "/")
    # (Polled from here: wait_for_function would evaluate a string, which the CSP forbids.)
    wait_until(lambda: page.evaluate("() => navigator.serviceWorker.controller !== null"), "a controller")
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == base + "/sw.js"

    # Pages visited while online, through the service worker.
    for path in (VISITED, VISITED_EN):
        response = page.goto(base + path)
        assert response is not None and response.status == 200 and response.from_service_worker
    wait_until(lambda: cached(page, VISITED) and cached(page, VISITED_EN), "the visited pages to be cached")
    titles = {}
    for path in (VISITED, VISITED_EN):
        page.goto(base + path)
        titles[path] = page.locator("h1").inner_text()

    go_offline(context, page)
    assert page.evaluate("navigator.onLine") is False

    # The service pages visited before render from the cache, in their own language.
    for path, lang in ((VISITED, "ar"), (VISITED_EN, "en")):
        response = page.goto(base + path)
        assert response is not None and response.status == 200 and response.from_service_worker, path
        assert page.locator("h1").inner_text() == titles[path]
        assert page.get_attribute("html", "lang") == lang
        assert page.locator("dl.facts").count() == 1  # the whole page, not a shell

    # The catalogue pages (kept when the service worker was installed) render too.
    for path, heading in (("/services/", "جميع الخدمات"), ("/en/services/", "All services")):
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        assert page.locator("a.service-link").count() >= 20, path
        assert heading.lower() in page.locator("h1").inner_text().lower(), path

    # A page never visited shows the offline page, in the language of its address.
    response = page.goto(base + "/services/moj-non-conviction-certificate/")
    assert response is not None and response.from_service_worker
    assert page.get_attribute("html", "lang") == "ar" and page.get_attribute("html", "dir") == "rtl"
    assert page.locator("h1").inner_text() == "أنت غير متصل بالإنترنت"
    assert page.locator("a[href='/services/']").count() >= 1  # back to what can be read

    page.goto(base + "/en/services/moj-non-conviction-certificate/")
    assert page.get_attribute("html", "lang") == "en" and page.get_attribute("html", "dir") == "ltr"
    assert page.locator("h1").inner_text() == "You are offline"

    # Also outside the catalogue (pages that are never kept, such as the dashboard).
    page.goto(base + "/en/dashboard/")
    assert page.locator("h1").inner_text() == "You are offline"
    page.goto(base + "/services/search/?q=%D8%AC%D9%88%D8%A7%D8%B2")
    assert page.locator("h1").inner_text() == "أنت غير متصل بالإنترنت"


def test_a_logged_in_persons_pages_are_not_kept(browser_context, demo):
    """Pages seen while logged in are never stored on the device (a shared phone must not
    show them after logout); the catalogue kept at installation is the anonymous one."""
    context, base = browser_context
    page = context.new_page()
    page.goto(base + "/en/login/")
    page.fill("input[name=username]", "2000112345")
    page.fill("input[name=password]", "Bawaba-Demo-2026")
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    page.goto(base + "/en/")
    wait_until(lambda: page.evaluate("() => navigator.serviceWorker.controller !== null"), "a controller")
    response = page.goto(base + VISITED_EN)
    assert response is not None and response.from_service_worker
    assert page.locator("form[action$='/logout/']").count() == 1  # the logged-in page
    time.sleep(1)  # time enough for a cache write, had there been one
    assert not cached(page, VISITED_EN)

    go_offline(context, page)
    page.goto(base + VISITED_EN)
    assert page.locator("h1").inner_text() == "You are offline"
    page.goto(base + "/en/services/")  # kept at installation, without the person's cookies
    assert page.locator("a.service-link").count() >= 20
    assert page.locator("form[action$='/logout/']").count() == 0
