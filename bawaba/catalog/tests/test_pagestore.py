"""The shared page store: pages rendered once for every server process, and rendered
ahead of visitors after each publication (`bawaba catalogue_prerender`)."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from bawaba.catalog import pagestore, selectors
from bawaba.catalog.services.prerender import catalogue_addresses, pages_prerender

SERVICE = "/en/services/cspd-lost-passport/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def store(settings, tmp_path):
    settings.BAWABA_PAGE_STORE_DIR = str(tmp_path / "pages")
    return tmp_path / "pages"


def _other_worker() -> None:
    """What another server process sees: an empty in-memory page cache."""
    selectors.page_cache_clear()


def test_a_page_rendered_by_one_worker_is_served_to_others_from_the_store(catalogue, store):
    first = Client().get(SERVICE)
    assert first.status_code == 200
    stamp = selectors.catalogue_stamp_cached()
    files = [p for p in (store / stamp).rglob("*") if p.is_file()]
    assert len(files) == 1
    # Stored without the visitor's CSRF token.
    assert TOKEN.search(first.content.decode()).group(1).encode() not in files[0].read_bytes()

    # Mark the stored copy: another worker must answer with it, not render its own.
    files[0].write_bytes(files[0].read_bytes().replace(b"</body>", b"<!-- from-store --></body>"))
    _other_worker()
    second = Client(enforce_csrf_checks=True)
    page = second.get(SERVICE)
    assert page.status_code == 200
    assert b"<!-- from-store -->" in page.content
    # ... with this visitor's own working CSRF token and cookie.
    token = TOKEN.search(page.content.decode()).group(1)
    assert "bawaba_csrf" in page.cookies
    r = second.post("/en/feedback/", {"kind": "useful", "path": SERVICE, "csrfmiddlewaretoken": token})
    assert r.status_code in (200, 302)


def test_search_results_are_not_written_to_the_store(catalogue, store):
    assert Client().get("/en/services/search/?q=passport").status_code == 200
    assert pagestore.count(selectors.catalogue_stamp_cached()) == 0


def test_prerender_stores_every_catalogue_page_then_skips_until_the_next_publication(
    catalogue, store, django_assert_max_num_queries
):
    addresses = list(catalogue_addresses())
    assert "/" in addresses and "/en/services/agencies/" in addresses
    assert SERVICE in addresses and "/services/cspd-lost-passport/" in addresses
    assert len(addresses) == len(set(addresses))

    out = pages_prerender()
    assert out["rendered"] == len(addresses) and out["failed"] == 0
    assert out["stored"] == len(addresses)
    assert pages_prerender()["skipped"] is True

    # Another worker serves every page from the store: no database query at all.
    _other_worker()
    stamp = out["stamp"]
    selectors.catalogue_stamp_cached()  # the stamp is read once per 2 seconds
    with django_assert_max_num_queries(0):
        for address in ("/", "/en/services/", SERVICE, "/services/agencies/"):
            assert Client().get(address).status_code == 200

    # A publication: new stamp, pages rendered again, the old publication's pages removed.
    from bawaba.catalog.services import service_withdraw

    service_withdraw(service=selectors.service_get("cspd-lost-passport"), actor=None)
    selectors.catalogue_caches_reset()
    new_stamp = selectors.catalogue_stamp_cached()
    assert new_stamp != stamp
    again = pages_prerender()
    assert again["stamp"] == new_stamp and again["old_publications_removed"] == 1
    assert not (store / stamp).exists()
    assert again["rendered"] == len(addresses) - 2  # the withdrawn service, in both languages
    _other_worker()
    assert Client().get(SERVICE).status_code == 410


def test_stamp_differs_for_a_recreated_catalogue_with_the_same_version(catalogue):
    from bawaba.catalog.models import CatalogueState

    version, stamp = selectors.catalogue_stamp()
    state = CatalogueState.objects.get(id=1)
    state.delete()
    CatalogueState.objects.create(id=1, version=version)
    assert selectors.catalogue_stamp()[0] == version
    assert selectors.catalogue_stamp()[1] != stamp


def test_an_unwritable_store_only_stops_sharing(catalogue, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.BAWABA_PAGE_STORE_DIR = str(blocker / "pages")
    assert Client().get(SERVICE).status_code == 200
    _other_worker()
    assert Client().get(SERVICE).status_code == 200


def test_store_off_means_nothing_written_and_prerender_says_so(catalogue, settings):
    settings.BAWABA_PAGE_STORE_DIR = ""
    assert Client().get(SERVICE).status_code == 200
    assert pages_prerender() == {"enabled": False}


def test_prerender_command_prints_a_summary(catalogue, store):
    out = StringIO()
    call_command("catalogue_prerender", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["enabled"] and summary["failed"] == 0 and summary["rendered"] > 100


def test_publication_queues_the_prerender_for_the_worker(
    catalogue, store, django_capture_on_commit_callbacks
):
    from bawaba.catalog.services import service_withdraw

    with django_capture_on_commit_callbacks(execute=True):
        service_withdraw(service=selectors.service_get("cspd-lost-passport"), actor=None)
    # The test settings run tasks at once: the new publication's pages are in the store.
    stamp = selectors.catalogue_stamp_cached()
    assert (store / stamp / ".complete").exists()
    assert pagestore.count(stamp) > 100


def test_prerender_of_an_https_site_behind_the_proxy(catalogue, store, settings):
    """Production: https base address, SSL redirect on, scheme from X-Forwarded-Proto."""
    settings.BASE_URL = "https://portal.example.jo"
    settings.ALLOWED_HOSTS = ["portal.example.jo"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    out = pages_prerender()
    assert out["failed"] == 0 and out["rendered"] == len(list(catalogue_addresses()))
