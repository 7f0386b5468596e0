"""Applying online at the level the citizen meets it: plain HTTP (no JavaScript)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from bawaba.applications.tests.conftest import JPEG, PDF, PNG, upload
from bawaba.conftest import login, totp_now
from bawaba.portal.tests.helpers import AHMAD, apply, citizen, follow, form_state, reference_from

MOJ = "moj-non-conviction-certificate"  # loa-substantial, fee 5000 fils
CERT = "cspd-e-certificate"  # loa-low
PASSPORT = "cspd-passport-renewal-online"  # loa-substantial, photo upload
GAM = "gam-vocational-licence-renewal"  # loa-low, pdf/jpeg/png upload


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_anonymous_is_sent_to_login_and_back(client, online, prefix):
    """The portal logs in through the OpenID Connect provider, asking for the service's acr."""
    r = client.get(f"{prefix}/services/{MOJ}/apply/")
    assert r.status_code == 302
    authorize = r["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert urlsplit(authorize).path == "/oidc/authorize"
    assert query["client_id"] == ["bawaba-portal"] and query["acr_values"] == ["loa-substantial"]
    assert query["code_challenge_method"] == ["S256"]
    # The provider shows the anonymous visitor its login form, in the same language...
    r = client.get(authorize)
    html = r.content.decode()
    assert r.status_code == 200 and 'name="password"' in html
    assert f'lang="{"en" if prefix else "ar"}"' in html
    # ...and after the password and the second factor, back through the callback to the form.
    r = client.post(authorize, {"username": AHMAD[0], "password": AHMAD[1]})
    assert r.status_code == 302 and r["Location"] == f"{prefix}/login/verify/"
    r = client.post(r["Location"], {"otp": totp_now()})
    assert "/oidc/authorize" in r["Location"]
    page, chain = follow(client, r["Location"])
    assert any(u.startswith("http://testserver/oidc/rp/callback") for u in chain), chain
    assert chain[-1] == f"{prefix}/services/{MOJ}/apply/"
    assert page.status_code == 200 and "9861001234" in page.content.decode()


def test_low_identity_is_told_how_to_raise_it(online):
    c = citizen("2000112345", otp=False)
    r, _chain = follow(c, f"/en/services/{MOJ}/apply/")
    assert r.status_code == 403  # the provider explains: the identity itself is too weak
    assert b"/en/account/" in r.content
    # The same person can apply for a loa-low service.
    r, _chain = follow(c, f"/en/services/{CERT}/apply/")
    assert r.status_code == 200


def test_session_without_second_factor_is_stepped_up(online):
    from bawaba.core.auth import SESSION_AMR

    c = Client()
    assert login(c, AHMAD[0], AHMAD[1], totp_now()).status_code == 302
    session = c.session
    session[SESSION_AMR] = ["pwd"]
    session.save()
    r, chain = follow(c, f"/services/{MOJ}/apply/")
    # Asked for the second factor only, not the password again.
    assert chain[-1].startswith("/login/verify/?next=") and r.status_code == 200
    assert 'name="otp"' in r.content.decode() and 'name="password"' not in r.content.decode()
    r = c.post(chain[-1], {"otp": totp_now(offset_steps=1)})  # the login spent this step's code
    assert r.status_code == 302, r.content.decode()[:500]
    page, chain = follow(c, r["Location"])
    assert chain[-1] == f"/services/{MOJ}/apply/" and page.status_code == 200


def test_submit_prefills_identity_and_ignores_posted_identity(online, media):
    c = citizen()
    page = c.get(f"/en/services/{MOJ}/apply/").content.decode()
    assert "9861001234" in page
    assert 'name="national_number"' not in page and 'name="full_name"' not in page  # never typed again
    r = apply(
        c,
        MOJ,
        {"purpose": "study", "national_number": "2000112345", "full_name": "Someone Else", "extra": "x"},
    )
    assert r.status_code == 302
    ref = reference_from(r)
    assert re.fullmatch(r"BWB-20\d\d-[234679ACDEFGHJKMNPQRTUVWXYZ]{6}", ref)
    from bawaba.applications.selectors import application_by_reference

    app = application_by_reference(ref)
    assert app.answers["national_number"] == "9861001234"
    assert app.answers["full_name"] != "Someone Else"
    assert "extra" not in app.answers
    assert (
        app.status == "submitted" and app.amount_due_fils == 5000 and app.payment_status == "awaiting_payment"
    )
    assert app.sla_due is not None
    detail = c.get(r["Location"])
    assert detail.status_code == 200 and ref.encode() in detail.content
    # The SMS carries the reference and shows in the notifications inbox.
    inbox = c.get("/en/dashboard/notifications/").content.decode()
    assert ref in inbox


def test_arabic_is_default_and_errors_are_translated(online):
    c = citizen()
    page = c.get(f"/services/{MOJ}/apply/")
    assert page.status_code == 200 and 'lang="ar"' in page.content.decode()
    r = c.post(f"/services/{MOJ}/apply/", {**form_state(page.content.decode()), "action": "submit"})
    assert r.status_code == 422
    body = r.content.decode()
    assert "هذه المعلومة مطلوبة." in body
    from bawaba.applications.selectors import applications_for_user

    assert [a.status for a in applications_for_user(online["9861001234"].pk)] == [
        "draft"
    ]  # nothing submitted


def test_double_submission_makes_one_application(online):
    c = citizen()
    page = c.get(f"/en/services/{MOJ}/apply/").content.decode()
    state = form_state(page)
    first = c.post(f"/en/services/{MOJ}/apply/", {**state, "action": "submit", "purpose": "travel"})
    second = c.post(f"/en/services/{MOJ}/apply/", {**state, "action": "submit", "purpose": "travel"})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    from bawaba.applications.selectors import applications_for_user

    apps = applications_for_user(online["9861001234"].pk)
    assert len([a for a in apps if a.status == "submitted"]) == 1
    from bawaba.messaging.selectors import messages_for_user

    assert (
        sum("received your application" in m.body for m in messages_for_user(str(online["9861001234"].pk)))
        == 1
    )


def test_script_in_a_field_is_escaped(online):
    c = citizen()
    r = apply(c, MOJ, {"purpose": "other", "addressed_to": "<script>alert(1)</script>"})
    detail = c.get(r["Location"]).content.decode()
    assert "<script>alert(1)</script>" not in detail
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail


def test_bad_answers_are_refused_with_clear_errors(online):
    c = citizen()
    r = apply(c, MOJ, {"purpose": "not-a-choice", "addressed_to": "x" * 5000})
    assert r.status_code == 422
    body = r.content.decode()
    assert "Choose one of the options." in body and "Write at most 200 characters." in body
    r = apply(c, PASSPORT, {"passport_number": "12", "passport_expiry": "2020-13-45", "delivery": "pickup"})
    body = r.content.decode()
    assert r.status_code == 422
    assert "capital letter and 6 or 7 digits" in body and "Enter a date" in body and "Upload a file." in body


def test_uploads_checked_by_real_type_and_size_stored_privately(online, media):
    c = citizen()
    good = {
        "licence_number": "L-1",
        "business_name": "Dukkan",
        "area_sqm": "٣٥",  # Arabic-Indic digits are accepted
    }
    # An executable renamed to .pdf is refused, whatever the browser said its type was.
    r = apply(
        c, GAM, good, files={"lease": upload("lease.pdf", b"MZ\x90\x00" + b"\x00" * 100, "application/pdf")}
    )
    assert r.status_code == 422 and b"This type of file is not accepted" in r.content
    # A PNG with a .pdf name is refused too (name and content must agree).
    r = apply(c, GAM, good, files={"lease": upload("lease.pdf", PNG)})
    assert r.status_code == 422
    # Too large.
    r = apply(c, GAM, good, files={"lease": upload("lease.pdf", PDF + b"0" * (5 * 1024 * 1024))})
    assert r.status_code == 422 and b"too large" in r.content
    assert not list((media / "applications").glob("*")) if (media / "applications").exists() else True
    # A real PDF goes through.
    r = apply(c, GAM, good, files={"lease": upload("lease.pdf", PDF)})
    assert r.status_code == 302, r.content[:3000]
    ref = reference_from(r)
    stored = list((media / "applications").iterdir())
    assert len(stored) == 1 and "lease" not in stored[0].name  # random name
    detail = c.get(r["Location"]).content.decode()
    href = re.search(rf'href="(/en/dashboard/applications/{ref}/files/[^"]+)"', detail).group(1)
    f = c.get(href)
    assert f.status_code == 200
    assert f["Content-Disposition"].startswith("attachment")
    assert f["X-Content-Type-Options"] == "nosniff" and f["Content-Type"] == "application/pdf"
    assert b"".join(f.streaming_content) == PDF
    # Another citizen gets 404 for both the application and its file.
    other = citizen("2000112345", otp=False)
    assert other.get(href).status_code == 404
    assert other.get(f"/en/dashboard/applications/{ref}/").status_code == 404
    # The media directory is not served.
    assert c.get("/uploads/" + stored[0].name).status_code == 404


def test_photo_jpeg_upload(online, media):
    c = citizen()
    r = apply(
        c,
        PASSPORT,
        {
            "passport_number": "R1234567",
            "passport_expiry": __import__("datetime").date.today().isoformat(),
            "delivery": "courier",
        },
        files={"photo": upload("me.jpg", JPEG)},
    )
    assert r.status_code == 302, r.content[:2000]


def test_forged_references_are_404(online):
    c = citizen()
    for ref in ("BWB-2026-AAAAAA", "../../etc/passwd", "x" * 300, "BWB-2026-%00"):
        assert c.get(f"/en/dashboard/applications/{ref}/").status_code == 404
    assert c.post("/en/dashboard/applications/BWB-2026-AAAAAA/withdraw/").status_code == 404
    ref = reference_from(apply(c, MOJ, {"purpose": "study"}))
    # Control characters in free text never reach the database (PostgreSQL refuses NUL).
    r = c.post(f"/en/dashboard/applications/{ref}/withdraw/", {"reason": "a\x00b"})
    assert r.status_code == 302


def test_draft_saved_and_resumed(online):
    c = citizen()
    page = c.get(f"/en/services/{MOJ}/apply/").content.decode()
    state = form_state(page)
    r = c.post(f"/en/services/{MOJ}/apply/", {**state, "action": "save", "addressed_to": "Embassy"})
    assert r.status_code == 302
    dash = c.get("/en/dashboard/").content.decode()
    assert "Drafts" in dash and f"/en/services/{MOJ}/apply/" in dash
    again = c.get(f"/en/services/{MOJ}/apply/").content.decode()
    assert 'value="Embassy"' in again
    assert form_state(again)["token"] == state["token"]  # same draft, same one-time token
    # The browser sends back every field as the page shows it.
    r = c.post(
        f"/en/services/{MOJ}/apply/",
        {**state, "action": "submit", "purpose": "travel", "addressed_to": "Embassy"},
    )
    assert r.status_code == 302
    from bawaba.applications.selectors import application_by_reference

    assert application_by_reference(reference_from(r)).answers["addressed_to"] == "Embassy"
    assert "Drafts" not in c.get("/en/dashboard/").content.decode()


def test_form_changed_after_draft_asks_to_review(online):
    from bawaba.applications.models import FormDefinition, FormField
    from bawaba.applications.services import form_definition_publish

    c = citizen()
    page = c.get(f"/en/services/{MOJ}/apply/").content.decode()
    state = form_state(page)
    c.post(f"/en/services/{MOJ}/apply/", {**state, "action": "save", "addressed_to": "Embassy"})
    # Staff change the form: a new required field, and one removed.
    form = FormDefinition.objects.get(service_slug=MOJ)
    FormField.objects.filter(form=form, key="addressed_to").delete()
    FormField.objects.create(
        form=form,
        order=99,
        key="copies",
        kind="number",
        label_ar="عدد النسخ",
        label_en="Copies",
        min_value=1,
        max_value=3,
    )
    form_definition_publish(form_id=form.pk)
    r = c.post(f"/en/services/{MOJ}/apply/", {**state, "action": "submit", "purpose": "travel"})
    assert r.status_code == 409
    assert b"This form was updated since you opened it" in r.content
    new_state = form_state(r.content.decode())
    assert new_state["version"] == "2"
    r = c.post(f"/en/services/{MOJ}/apply/", {**new_state, "action": "submit", "purpose": "travel"})
    assert r.status_code == 422 and b"This is required." in r.content
    r = c.post(
        f"/en/services/{MOJ}/apply/", {**new_state, "action": "submit", "purpose": "travel", "copies": "2"}
    )
    assert r.status_code == 302
    from bawaba.applications.selectors import application_by_reference

    app = application_by_reference(reference_from(r))
    assert app.form_version == 2 and "addressed_to" not in app.answers and app.answers["copies"] == "2"


def test_tampered_token_is_refused_cleanly(online):
    c = citizen()
    r = c.post(
        f"/en/services/{MOJ}/apply/",
        {"token": "<bad token>", "version": "1", "action": "submit", "purpose": "study"},
    )
    assert r.status_code == 422 and b"The form has expired" in r.content
    r = c.post(f"/en/services/{MOJ}/apply/", {"version": "1", "action": "submit"})
    assert r.status_code == 422


def test_withdraw_before_decision(online):
    c = citizen()
    ref = reference_from(apply(c, MOJ, {"purpose": "study"}))
    assert c.get(f"/en/dashboard/applications/{ref}/withdraw/").status_code == 200
    r = c.post(f"/en/dashboard/applications/{ref}/withdraw/", {"reason": "Changed my mind"})
    assert r.status_code == 302
    page = c.get(f"/en/dashboard/applications/{ref}/").content.decode()
    assert "Withdrawn" in page and "Changed my mind" in page
    c.post(f"/en/dashboard/applications/{ref}/withdraw/")
    from bawaba.applications.selectors import application_by_reference

    assert application_by_reference(ref).transitions.count() == 2  # submitted, withdrawn


def test_service_that_cannot_be_applied_for_is_404(online):
    c = citizen()
    assert c.get("/en/services/no-such-service/apply/").status_code == 404


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_dashboard_pages_render_in_both_languages(online, prefix):
    c = citizen()
    apply(c, MOJ, {"purpose": "study"}, prefix=prefix)
    for page in ("dashboard/", "dashboard/notifications/", "dashboard/bills/", "dashboard/documents/"):
        r = c.get(f"{prefix}/{page}")
        assert r.status_code == 200, page
        assert b"Is this page useful?" in r.content or "هل هذه الصفحة مفيدة".encode() in r.content
    bills = c.get(f"{prefix}/dashboard/bills/").content.decode()
    assert "5.000" in bills


def test_dashboard_needs_login(client, online):
    for page in ("dashboard/", "dashboard/notifications/", "dashboard/bills/", "dashboard/documents/"):
        r, chain = follow(client, f"/en/{page}")
        assert chain[0].startswith("http://testserver/oidc/authorize?") or chain[0].startswith(
            "/oidc/authorize?"
        )
        # the provider's login form, shown at its authorization endpoint
        assert chain[-1] == chain[0] and r.status_code == 200 and 'name="password"' in r.content.decode()


def test_sensitive_messages_are_masked_in_the_inbox(online):
    from bawaba.messaging.services import sms_send

    ahmad = online[AHMAD[0]]
    sms_send(to=ahmad.phone, body="Your code is 847362", purpose="otp", user_id=str(ahmad.pk), sensitive=True)
    inbox = citizen().get("/en/dashboard/notifications/").content.decode()
    assert "847362" not in inbox and "••••••" in inbox


def test_a_forged_or_replayed_callback_gets_a_clear_page(client, online):
    r = client.get("/oidc/rp/callback?state=forged&code=abc")
    assert r.status_code == 400
    assert "<html" in r.content.decode()
    ar = client.get("/oidc/rp/callback?state=forged&code=abc", HTTP_ACCEPT_LANGUAGE="ar")
    assert 'dir="rtl"' in ar.content.decode()
