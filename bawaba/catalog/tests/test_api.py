"""The public catalogue over the JSON API (/api/v1/catalogue/…), at the HTTP level: lists,
filters, paging, one service in both languages, search with the search page's ranking,
agencies, categories, life events, conditional GET, and the bad inputs."""

from __future__ import annotations

import re

import pytest

from bawaba.catalog import selectors
from bawaba.catalog.services import service_return_to_draft, service_withdraw

API = "/api/v1/catalogue"
BASE = "http://testserver"


def all_pages(client, **params):
    slugs, page = [], 1
    while True:
        body = client.get(f"{API}/services", {**params, "page": page, "per_page": 7}).json()
        slugs += [s["slug"] for s in body["results"]]
        if page >= body["pages"]:
            return slugs, body["count"]
        page += 1


def test_list_pages_through_every_published_service_in_a_stable_order(client, catalogue):
    first = client.get(f"{API}/services")
    assert first.status_code == 200
    body = first.json()
    assert body["count"] == 85 and body["page"] == 1 and body["per_page"] == 20 and body["pages"] == 5
    assert len(body["results"]) == 20
    slugs, count = all_pages(client)
    assert count == 85 and len(slugs) == len(set(slugs)) == 85
    # Most used first, ties by slug: the same order the portal lists "popular" in.
    assert slugs == list(selectors.service_list().values_list("slug", flat=True))
    # The same request gives the same order.
    assert all_pages(client)[0] == slugs
    item = body["results"][0]
    assert set(item) == {
        "slug",
        "name_ar",
        "name_en",
        "summary_ar",
        "summary_en",
        "agency",
        "online_application",
        "urls",
    }
    assert item["urls"] == {
        "ar": f"{BASE}/services/{item['slug']}/",
        "en": f"{BASE}/en/services/{item['slug']}/",
    }
    assert item["name_ar"] and item["name_en"] and item["agency"]["code"]


@pytest.mark.parametrize("order,field", [("name_ar", "name_ar"), ("name_en", "name_en"), ("slug", "slug")])
def test_list_orders(client, catalogue, order, field):
    slugs, _ = all_pages(client, order=order)
    rows = selectors.service_list(order=order)
    assert slugs == [s.slug for s in rows]
    values = [getattr(s, field) for s in rows]
    assert values == sorted(values)


def test_filters(client, catalogue):
    cspd = client.get(f"{API}/services", {"agency": "CSPD", "per_page": 100}).json()
    assert cspd["count"] > 3 and {s["agency"]["code"] for s in cspd["results"]} == {"CSPD"}
    assert client.get(f"{API}/services", {"agency": "cspd", "per_page": 100}).json() == cspd

    online = client.get(f"{API}/services", {"online": "true", "per_page": 100}).json()
    assert online["count"] == 7 and all(s["online_application"] for s in online["results"])
    assert "cspd-e-certificate" in {s["slug"] for s in online["results"]}
    offline = client.get(f"{API}/services", {"online": "false", "per_page": 100}).json()
    assert offline["count"] == 85 - 7 and not any(s["online_application"] for s in offline["results"])

    both = client.get(f"{API}/services", {"agency": "CSPD", "online": "true"}).json()
    assert {s["slug"] for s in both["results"]} == {
        s["slug"] for s in online["results"] if s["agency"]["code"] == "CSPD"
    }

    event = client.get(f"{API}/services", {"life_event": "driving_vehicles", "per_page": 100}).json()
    expected = set(selectors.service_list(life_event="driving_vehicles").values_list("slug", flat=True))
    assert expected and {s["slug"] for s in event["results"]} == expected

    category = selectors.categories()[0]
    by_category = client.get(f"{API}/services", {"category": category.key, "per_page": 100}).json()
    assert by_category["count"] == category.n > 0


def test_a_page_past_the_last_is_empty(client, catalogue):
    body = client.get(f"{API}/services", {"page": 50}).json()
    assert body["count"] == 85 and body["results"] == [] and body["pages"] == 5


@pytest.mark.parametrize(
    "params,code,field",
    [
        ({"page": 0}, "invalid_request", "page"),
        ({"page": "two"}, "invalid_request", "page"),
        ({"per_page": 101}, "invalid_request", "per_page"),
        ({"online": "maybe"}, "invalid_request", "online"),
        ({"order": "random"}, "invalid_request", "order"),
        ({"life_event": "moving_to_mars"}, "invalid_request", "life_event"),
        ({"agency": "<script>"}, "invalid_request", "agency"),
        ({"agency": "NOPE"}, "unknown_agency", "agency"),
        ({"category": "no-such-category"}, "unknown_category", "category"),
        ({"category": "Bad Key"}, "invalid_request", "category"),
    ],
)
def test_bad_list_parameters_are_422_json(client, catalogue, params, code, field):
    r = client.get(f"{API}/services", params)
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == code and body["message"]
    if code == "invalid_request":
        assert any(field in e["loc"] for e in body["details"]["errors"])
    else:
        assert body["field"] == field


def test_made_up_filter_values_are_not_remembered(client, catalogue):
    from bawaba.catalog.pagecache import memo

    before = len(memo.data)
    for i in range(30):
        assert client.get(f"{API}/services", {"agency": f"MADE-UP{i}"}).status_code == 422
        assert client.get(f"{API}/services", {"category": f"made-up-{i}"}).status_code == 422
    assert len(memo.data) <= before + 2  # the version's own entries at most, not one per value


def test_errors_are_translated(client, catalogue):
    ar = client.get(f"{API}/services", {"agency": "NOPE"}).json()["message"]
    en = client.get(f"{API}/services", {"agency": "NOPE"}, HTTP_ACCEPT_LANGUAGE="en").json()["message"]
    assert en == "There is no agency with this code."
    assert ar != en and re.search(r"[\u0600-\u06FF]", ar)


def test_one_service_in_both_languages(client, catalogue):
    r = client.get(f"{API}/services/dvld-licence-renewal-private")
    assert r.status_code == 200
    s = r.json()
    db = selectors.service_get("dvld-licence-renewal-private")
    for field in ("name", "summary", "description", "eligibility", "processing_time", "legal_basis"):
        assert s[f"{field}_ar"] == getattr(db, f"{field}_ar")
        assert s[f"{field}_en"] == getattr(db, f"{field}_en")
    assert s["documents_ar"] == db.documents_ar and s["documents_en"] == db.documents_en
    assert s["steps_ar"] == db.steps_ar and len(s["steps_en"]) == len(s["steps_ar"]) > 0
    assert {"amount_fils": 34700, "amount_jod": "34.700"}.items() <= s["fees"][0].items()
    assert s["fees"][0]["label_ar"] and s["fees"][0]["label_en"]
    assert s["channels"] and all(c["name_ar"] != c["name_en"] for c in s["channels"])
    assert s["agency"]["code"] == "PSD-DVLD" and s["agency"]["name_ar"] == db.agency.name_ar
    centres = s["agency"]["centres"]
    assert centres and re.fullmatch(r"\d\d:\d\d", centres[0]["opens_at"])
    assert centres[0]["working_days"] == ["sun", "mon", "tue", "wed", "thu"]
    assert centres[0]["governorate_ar"] and centres[0]["governorate_en"]
    assert s["urls"] == {
        "ar": f"{BASE}/services/dvld-licence-renewal-private/",
        "en": f"{BASE}/en/services/dvld-licence-renewal-private/",
    }
    assert s["last_reviewed"] == db.last_reviewed.isoformat()
    assert s["online_application"] is False and s["apply_urls"] is None
    assert {r["slug"] for r in s["related"]} == {r.slug for r in db.related.all()}
    assert all(r["urls"]["en"].startswith(f"{BASE}/en/services/") for r in s["related"])
    assert {e["key"] for e in s["life_events"]} == {e.key for e in db.life_events.all()}
    assert "sources" not in s and "staff_notes" not in s  # staff-only fields stay inside


def test_free_varying_fees_and_apply_address(client, catalogue):
    free = client.get(f"{API}/services/gam-traffic-violations").json()
    assert any(f["amount_fils"] == 0 and f["amount_jod"] == "0.000" for f in free["fees"])
    moj = client.get(f"{API}/services/moj-non-conviction-certificate").json()
    assert any(f["amount_fils"] is None and f["amount_jod"] is None for f in moj["fees"])
    assert moj["online_application"] is True
    assert moj["apply_urls"]["en"] == f"{BASE}/en/services/moj-non-conviction-certificate/apply/"
    assert moj["min_acr"] == "loa-substantial"


def test_unknown_draft_and_withdrawn_services(client, catalogue):
    r = client.get(f"{API}/services/no-such-service")
    assert r.status_code == 404 and r.json()["code"] == "service_not_found"
    assert client.get(f"{API}/services/" + "x" * 300).json()["code"] == "service_not_found"
    for odd in ("%00", "Upper-Case", "a%20b", "-x-", "%D8%AC"):  # never reach the database as such
        r = client.get(f"{API}/services/{odd}")
        assert r.status_code == 404 and r.json()["code"] == "service_not_found", odd
    service_withdraw(service=selectors.service_get("cspd-lost-passport"), actor=None)
    gone = client.get(f"{API}/services/cspd-lost-passport")
    assert gone.status_code == 410 and gone.json()["code"] == "service_withdrawn"
    service_return_to_draft(service=selectors.service_get("cspd-e-certificate"), actor=None)
    assert client.get(f"{API}/services/cspd-e-certificate").status_code == 404
    listed = all_pages(client)[0]
    assert "cspd-lost-passport" not in listed and "cspd-e-certificate" not in listed and len(listed) == 83
    found = client.get(f"{API}/search", {"q": "electronic certificate", "lang": "en"}).json()
    assert "cspd-e-certificate" not in {s["slug"] for s in found["results"]}


def html_order(client, q: str, prefix: str = "/en") -> list[str]:
    slugs, page = [], 1
    while True:
        html = client.get(f"{prefix}/services/search/", {"q": q, "page": page}).content.decode()
        found = re.findall(r'class="service-link" href="(?:/en)?/services/([^/"]+)/"', html)
        slugs += found
        if f'page={page + 1}"' not in html.replace("&amp;", "&"):
            return slugs
        page += 1


def api_order(client, q: str, lang: str) -> tuple[list[str], dict]:
    slugs, page = [], 1
    while True:
        body = client.get(f"{API}/search", {"q": q, "lang": lang, "page": page, "per_page": 20}).json()
        slugs += [s["slug"] for s in body["results"]]
        if page >= body["pages"]:
            return slugs, body
        page += 1


@pytest.mark.parametrize(
    "q,lang,prefix",
    [
        ("passport", "en", "/en"),
        ("birth certificate", "en", "/en"),
        ("جواز سفر", "ar", ""),
        ("رخصه", "ar", ""),
    ],
)
def test_search_ranks_as_the_search_page(client, catalogue, q, lang, prefix):
    slugs, body = api_order(client, q, lang)
    assert slugs and slugs == html_order(client, q, prefix)
    assert body["query"] == q and body["lang"] == lang and body["count"] == len(slugs)


def test_search_language_selection(client, catalogue):
    # An Arabic query searches the Arabic texts even when English is asked for (as on the site).
    body = client.get(f"{API}/search", {"q": "جواز", "lang": "en"}).json()
    assert body["lang"] == "ar" and body["count"] > 0
    # Without `lang`, the request's language (Accept-Language) is the page language.
    en = client.get(f"{API}/search", {"q": "licence"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert en["lang"] == "en" and en["count"] > 0
    # Typos are forgiven as on the site.
    typo = client.get(f"{API}/search", {"q": "pasport", "lang": "en"}).json()
    assert typo["corrected"] is True and typo["count"] > 0


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "\x00"},
        {"q": "x" * 201},
        {"q": "passport", "lang": "fr"},
        {"q": "a", "per_page": 0},
    ],
)
def test_bad_search_parameters_are_422_json(client, catalogue, params):
    r = client.get(f"{API}/search", params)
    assert r.status_code == 422 and r.json()["code"] in ("invalid_request", "invalid") and r.json()["message"]


def test_search_with_markup_and_long_words_is_harmless(client, catalogue):
    r = client.get(f"{API}/search", {"q": '<script>alert("x")</script>', "lang": "en"})
    assert r.status_code == 200 and r.json()["query"] == '<script>alert("x")</script>'
    assert client.get(f"{API}/search", {"q": "x" * 200}).status_code == 200
    assert client.get(f"{API}/search", {"q": "passport", "lang": "en", "page": 99}).json()["results"] == []


def test_agencies_with_centres_and_hours(client, catalogue):
    agencies = client.get(f"{API}/agencies").json()
    assert [a["code"] for a in agencies] == [a.code for a in selectors.agencies()]
    assert all(a["services_count"] > 0 for a in agencies)
    cspd = next(a for a in agencies if a["code"] == "CSPD")
    assert cspd["centres"] and cspd["urls"]["en"] == f"{BASE}/en/services/agencies/CSPD/"
    assert cspd["logo_url"] == f"{BASE}/services/agencies/CSPD/logo.svg"
    centre = cspd["centres"][0]
    assert set(centre) >= {"governorate", "working_days", "opens_at", "closes_at", "name_ar", "name_en"}
    one = client.get(f"{API}/agencies/CSPD")
    assert one.status_code == 200 and one.json() == cspd
    assert client.get(f"{API}/agencies/cspd").json()["code"] == "CSPD"
    missing = client.get(f"{API}/agencies/NOPE")
    assert missing.status_code == 404 and missing.json()["code"] == "agency_not_found"
    assert client.get(f"{API}/agencies/" + "A" * 50).status_code == 404
    assert client.get(f"{API}/agencies/C%00SPD").json()["code"] == "agency_not_found"


def test_categories_and_life_events(client, catalogue):
    categories = client.get(f"{API}/categories").json()
    assert [c["key"] for c in categories] == [
        c.key for c in sorted(selectors.categories(), key=lambda c: (c.order, c.key))
    ]
    assert categories and all(c["services_count"] > 0 and c["name_ar"] and c["name_en"] for c in categories)
    assert sum(c["services_count"] for c in categories) >= 85
    events = client.get(f"{API}/life-events").json()
    from bawaba.catalog.constants import LIFE_EVENT_KEYS

    assert [e["key"] for e in events] == LIFE_EVENT_KEYS  # display order, on every database
    assert events[0]["urls"]["ar"] == f"{BASE}/services/life-events/birth_family/"
    driving = next(e for e in events if e["key"] == "driving_vehicles")
    assert driving["services_count"] == selectors.service_list(life_event="driving_vehicles").count()


@pytest.mark.parametrize(
    "path",
    [
        "/services",
        "/services/cspd-e-certificate",
        "/search?q=passport",
        "/agencies",
        "/agencies/CSPD",
        "/categories",
        "/life-events",
    ],
)
def test_conditional_get_and_cache_headers(client, catalogue, path):
    r = client.get(API + path)
    assert r.status_code == 200
    etag = r["ETag"]
    assert re.fullmatch(r'"a[0-9a-f]{24}"', etag)
    assert r["Cache-Control"] == "public, max-age=60, stale-while-revalidate=600"
    assert r["Access-Control-Allow-Origin"] == "*"
    assert "Accept-Language" in r["Vary"] and not r.cookies  # nothing personal, no cookie set
    again = client.get(API + path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(API + path, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    # Another language is another representation (translated texts, search language).
    assert client.get(API + path, HTTP_ACCEPT_LANGUAGE="en")["ETag"] != etag


def test_a_publication_changes_the_etag(client, catalogue):
    r = client.get(f"{API}/services/cspd-lost-passport")
    service_withdraw(service=selectors.service_get("cspd-lost-passport"), actor=None)
    after = client.get(f"{API}/services/cspd-lost-passport", HTTP_IF_NONE_MATCH=r["ETag"])
    assert after.status_code == 410


def test_few_queries(client, catalogue, django_assert_max_num_queries):
    client.get(f"{API}/services", {"agency": "CSPD"})  # the agency's existence is kept per process
    with django_assert_max_num_queries(2):  # the count and the page
        assert client.get(f"{API}/services", {"agency": "CSPD", "page": 2, "per_page": 3}).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"{API}/services/cspd-e-certificate").status_code == 200
    with django_assert_max_num_queries(1):  # kept until the next publication
        assert client.get(f"{API}/services/cspd-e-certificate").status_code == 200
    client.get(f"{API}/search", {"q": "licence"})  # the search vocabulary is built once per process
    with django_assert_max_num_queries(2):  # the services of the page (and maybe the version)
        assert client.get(f"{API}/search", {"q": "passport"}).status_code == 200


def test_only_get(client, catalogue):
    r = client.post(f"{API}/services", {})
    assert r.status_code == 405
