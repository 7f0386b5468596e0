"""The catalogue as citizens meet it: pages in Arabic and English, stable addresses."""

import re

import pytest


def links(response):
    return re.findall(r'class="service-link" href="([^"]+)"', response.content.decode())


@pytest.mark.parametrize("prefix,lang,direction", [("", "ar", "rtl"), ("/en", "en", "ltr")])
def test_home_page_shows_search_life_events_and_agencies(client, catalogue, prefix, lang, direction):
    r = client.get(f"{prefix}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert 'role="search"' in html and 'name="q"' in html
    assert html.count('href="' + prefix + "/services/life-events/") >= 12
    assert prefix + "/services/agencies/CSPD/" in html
    assert 'rel="manifest"' in html


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_service_page_shows_every_part(client, catalogue, prefix, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        r = client.get(f"{prefix}/services/dvld-licence-renewal-private/")
    assert r.status_code == 200
    html = r.content.decode()
    assert ("JD 34.700" if prefix else "34.700 د.أ") in html
    assert (
        "Drivers and Vehicles Licensing Department" if prefix else "إدارة ترخيص السواقين والمركبات"
    ) in html
    assert ("Last reviewed" if prefix else "آخر مراجعة") in html
    assert ("Steps" if prefix else "الخطوات") in html


def test_online_service_links_to_apply(client, catalogue):
    html = client.get("/en/services/moj-non-conviction-certificate/").content.decode()
    assert 'href="/en/services/moj-non-conviction-certificate/apply/"' in html
    html = client.get("/en/services/dvld-vehicle-ownership-transfer/").content.decode()
    assert "/apply/" not in html


def test_free_and_varying_fees_are_said_plainly(client, catalogue):
    html = client.get("/en/services/gam-traffic-violations/").content.decode()
    assert "Free" in html
    html = client.get("/en/services/moj-non-conviction-certificate/").content.decode()
    assert "Varies — ask the agency" in html


@pytest.mark.parametrize("url", ["/services/no-such-service/", "/en/services/no-such-service/"])
def test_unknown_service_is_404_in_both_languages(client, catalogue, url):
    r = client.get(url)
    assert r.status_code == 404


def test_catalogue_browse_by_agency_life_event_category(client, catalogue):
    r = client.get("/en/services/")
    assert r.status_code == 200 and "85 services" in r.content.decode()
    assert len(links(r)) == 20  # paginated
    r = client.get("/en/services/?page=5")
    assert len(links(r)) == 5
    r = client.get("/en/services/agencies/PSD-DVLD/")
    assert r.status_code == 200 and len(links(r)) == 8
    r = client.get("/en/services/life-events/tax/")
    assert r.status_code == 200 and "/en/services/istd-income-tax-return/" in links(r)
    r = client.get("/en/services/?category=payments")
    assert r.status_code == 200 and links(r)
    assert client.get("/en/services/life-events/nope/").status_code == 404
    assert client.get("/en/services/agencies/NOPE/").status_code == 404
    assert client.get("/en/services/?page=abc").status_code == 200


def test_anonymous_pages_revalidate_with_etag(client, catalogue):
    r = client.get("/en/services/cspd-passport-renewal/")
    etag = r["ETag"]
    assert "max-age" in r["Cache-Control"]
    r2 = client.get("/en/services/cspd-passport-renewal/", HTTP_IF_NONE_MATCH=etag)
    assert r2.status_code == 304
    # Another language is another representation.
    r3 = client.get("/services/cspd-passport-renewal/", HTTP_IF_NONE_MATCH=etag)
    assert r3.status_code == 200


def test_agency_logo_is_a_generated_svg(client, catalogue):
    r = client.get("/services/agencies/CSPD/logo.svg")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    assert b"<svg" in r.content and b"CSPD" in r.content


def test_pwa_manifest_and_service_worker(client, catalogue):
    r = client.get("/manifest.webmanifest")
    assert r.status_code == 200 and r["Content-Type"] == "application/manifest+json"
    data = r.json()
    assert "بوابة" in data["name"] and "Bawaba" in data["name"]
    assert any(i["sizes"] == "512x512" for i in data["icons"])
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200
    r = client.get("/sw.js")
    assert r.status_code == 200 and r["Service-Worker-Allowed"] == "/"
    assert r["Content-Type"].startswith("text/javascript")
    assert b"caches.match" in r.content
    assert client.get("/offline/").status_code == 200


def test_anonymous_pages_are_cached_and_publication_refreshes_them(
    client, catalogue, django_assert_max_num_queries
):
    from bawaba.catalog.selectors import service_get
    from bawaba.catalog.services import service_withdraw

    assert client.get("/en/services/cspd-lost-passport/").status_code == 200
    with django_assert_max_num_queries(0):
        assert client.get("/en/services/cspd-lost-passport/").status_code == 200
    service_withdraw(service=service_get("cspd-lost-passport"), actor=None)
    assert client.get("/en/services/cspd-lost-passport/").status_code == 410


@pytest.mark.parametrize(
    "path", ["/en/services/cspd-lost-passport/", "/services/", "/en/services/search/?q=passport"]
)
def test_every_visitor_of_a_cached_page_gets_a_working_feedback_form(catalogue, path):
    """A page served from the page cache carries the visitor's own CSRF token (and cookie),
    never the one of the visitor for whom it was first rendered."""
    from django.test import Client

    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    token_re = r'name="csrfmiddlewaretoken" value="([^"]+)"'
    page1 = first.get(path)
    page2 = second.get(path)  # from the cache
    assert page1.status_code == page2.status_code == 200
    assert "bawaba_csrf" in page2.cookies
    token = re.search(token_re, page2.content.decode()).group(1)
    assert token not in page1.content.decode()
    r = second.post("/en/feedback/", {"kind": "useful", "path": path, "csrfmiddlewaretoken": token})
    assert r.status_code == 302
    # A returning visitor (CSRF cookie, no session) also gets a token matching their cookie.
    page3 = second.get(path)
    token = re.search(token_re, page3.content.decode()).group(1)
    r = second.post("/en/feedback/", {"kind": "useful", "path": path, "csrfmiddlewaretoken": token})
    assert r.status_code == 302
