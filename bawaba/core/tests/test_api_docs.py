"""The API's own documentation: the OpenAPI schema describes the catalogue and the citizen's
applications (with their bearer-token security), and the interactive docs page shows them
in headless Chromium under the site's Content-Security-Policy."""

from __future__ import annotations

import os

import pytest

from bawaba.core.testing import launch_chromium

CATALOGUE = [
    "/api/v1/catalogue/services",
    "/api/v1/catalogue/services/{slug}",
    "/api/v1/catalogue/search",
    "/api/v1/catalogue/agencies",
    "/api/v1/catalogue/agencies/{code}",
    "/api/v1/catalogue/categories",
    "/api/v1/catalogue/life-events",
]
CITIZEN = ["/api/v1/me/applications", "/api/v1/me/applications/{reference}", "/api/v1/me/notifications"]


def test_schema_describes_the_catalogue_and_the_citizen_api(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in CATALOGUE + CITIZEN:
        op = schema["paths"][path]["get"]
        assert op["summary"], path
        assert "200" in op["responses"] and "422" in op["responses"], path
    for path in CATALOGUE:
        op = schema["paths"][path]["get"]
        assert "security" not in op and op["tags"] == ["catalogue"]
        assert "304" in op["responses"]
    for path in CITIZEN:
        op = schema["paths"][path]["get"]
        assert op["security"] == [{"ScopedBearer": []}] and op["tags"] == ["my applications"]
        assert {"401", "403", "429"} <= set(op["responses"])
        assert op["description"]
    scheme = schema["components"]["securitySchemes"]["ScopedBearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer" and "OAuth 2.0" in scheme["description"]
    tags = {t["name"]: t["description"] for t in schema["tags"]}
    assert "applications" in tags["my applications"] and "ETag" in tags["catalogue"]
    search = {p["name"]: p for p in schema["paths"]["/api/v1/catalogue/search"]["get"]["parameters"]}
    assert search["q"]["required"] is True and search["q"]["schema"]["maxLength"] == 200
    assert search["lang"]["schema"]["anyOf"][0]["enum"] == ["ar", "en"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_docs_page_lists_the_new_endpoints_in_a_browser(live_server):
    assert os.path.exists("/usr/bin/chromium"), (
        "Chromium is needed for the browser tests: apt-get install chromium"
    )
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_context().new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(live_server.url + "/api/v1/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=20_000)
        text = page.locator("#swagger-ui").inner_text()
        browser.close()
    for needed in (
        "catalogue",
        "my applications",
        "List published services",
        "My applications",
        "/api/v1/me/notifications",
    ):
        assert needed in text, needed
    assert not errors, errors
