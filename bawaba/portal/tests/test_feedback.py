"""'Is this page useful?' and 'Report a problem' on every page, without JavaScript."""

from __future__ import annotations

import pytest

from bawaba.portal.models import PageFeedback
from bawaba.portal.services import page_path_clean


@pytest.mark.parametrize("url", ["/", "/en/", "/login/", "/en/login/", "/en/services/", "/register/"])
def test_every_page_has_the_feedback_panel(client, db, url):
    body = client.get(url).content.decode()
    assert 'action="/feedback/"' in body or 'action="/en/feedback/"' in body
    assert 'name="website"' in body  # honeypot


def test_arabic_panel(client, db):
    body = client.get("/").content.decode()
    assert "هل هذه الصفحة مفيدة؟" in body


def test_vote_without_javascript_keeps_only_the_path(client, db):
    r = client.post(
        "/en/feedback/",
        {"kind": "useful", "path": "/en/services/search/?q=9861001234&phone=0791234567", "website": ""},
    )
    assert r.status_code == 302 and r["Location"].startswith("/en/feedback/thanks/?back=")
    fb = PageFeedback.objects.get()
    assert fb.path == "/services/search/" and fb.language == "en" and fb.kind == "useful"
    thanks = client.get(r["Location"])
    assert thanks.status_code == 200 and b"Thank you for your feedback" in thanks.content
    assert b'href="/en/services/search/"' in thanks.content


def test_personal_data_in_the_path_is_removed():
    assert (
        page_path_clean("/en/dashboard/applications/BWB-2026-7K3Q9X/")
        == "/dashboard/applications/{reference}/"
    )
    assert page_path_clean("/account/9861001234/") == "/account/{number}/"
    assert page_path_clean("/x/3f2b8c1e-1111-4222-8333-444455556666/") == "/x/{id}/"
    assert page_path_clean("/u/someone@example.com/") == "/u/{email}/"
    assert page_path_clean("https://evil.example/") == "/"
    assert page_path_clean("//evil.example/") == "/"


def test_problem_report_needs_what_went_wrong(client, db):
    r = client.post("/en/feedback/", {"kind": "problem", "path": "/en/", "what_doing": "Searching"})
    assert r.status_code == 422 and b"Tell us what went wrong." in r.content
    assert not PageFeedback.objects.exists()
    r = client.post(
        "/feedback/",
        {
            "kind": "problem",
            "path": "/",
            "what_doing": "Searching",
            "what_wrong": "<script>alert(1)</script>",
        },
    )
    assert r.status_code == 302
    assert (
        PageFeedback.objects.get().what_wrong == "<script>alert(1)</script>"
    )  # stored as text, escaped on display


def test_honeypot_is_silently_dropped(client, db):
    r = client.post("/en/feedback/", {"kind": "useful", "path": "/en/", "website": "http://spam.example"})
    assert r.status_code == 302
    assert not PageFeedback.objects.exists()


def test_bad_kind_and_rate_limit(client, db):
    assert client.post("/en/feedback/", {"kind": "maybe", "path": "/"}).status_code == 422
    for _ in range(20):
        assert client.post("/en/feedback/", {"kind": "not_useful", "path": "/"}).status_code == 302
    r = client.post("/en/feedback/", {"kind": "useful", "path": "/"})
    assert r.status_code == 429
    assert PageFeedback.objects.count() == 20


def test_json_for_the_enhanced_panel(client, db):
    r = client.post("/en/feedback/", {"kind": "useful", "path": "/en/"}, HTTP_ACCEPT="application/json")
    assert r.status_code == 200 and r.json()["ok"] is True
    r = client.post("/en/feedback/", {"kind": "?", "path": "/en/"}, HTTP_ACCEPT="application/json")
    assert r.status_code == 422 and r.json()["code"] == "invalid"


def test_feedback_needs_post_and_csrf(db):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    assert c.get("/en/feedback/").status_code == 405
    assert c.post("/en/feedback/", {"kind": "useful", "path": "/"}).status_code == 403


def test_satisfaction_report_counts_votes(client, db, demo):
    for kind in ("useful", "useful", "not_useful"):
        client.post("/en/feedback/", {"kind": kind, "path": "/en/services/moj-non-conviction-certificate/"})
    from bawaba.portal.selectors import satisfaction_by_page, satisfaction_by_service

    page = satisfaction_by_page()[0]
    assert (page.key, page.yes, page.no, page.useful_ratio) == (
        "/services/moj-non-conviction-certificate/",
        2,
        1,
        67,
    )
    assert satisfaction_by_service()[0].key == "moj-non-conviction-certificate"
