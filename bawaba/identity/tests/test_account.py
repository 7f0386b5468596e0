"""Password reset, sessions, the account pages and the account API."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bawaba.conftest import last_code, login
from bawaba.core.models import AuditEvent
from bawaba.identity.models import Organisation, User, UserSession
from bawaba.messaging.selectors import latest_message_to

from .helpers import page_text, strip_csrf

pytestmark = pytest.mark.django_db
MAHMOUD = ("2000112345", "Bawaba-Demo-2026")
MAHMOUD_PHONE = "+962781234567"
NEW_PASSWORD = "a brand new passphrase"


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


# --- password reset -----------------------------------------------------------------


def test_password_reset_through_verified_mobile_ends_every_session(demo):
    elsewhere = Client()
    assert login(elsewhere, *MAHMOUD).status_code == 302
    client = Client()
    response = client.post("/en/password-reset/", {"username": "2000112345"})
    assert response.status_code == 302 and response["Location"] == "/en/password-reset/verify/"
    code = last_code(MAHMOUD_PHONE)
    response = client.post("/en/password-reset/verify/", {"otp": code, "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/en/login/"
    assert elsewhere.get("/en/account/").status_code == 302  # logged out everywhere
    assert UserSession.objects.filter(ended_at__isnull=True).count() == 0
    assert login(Client(), *MAHMOUD).status_code == 401
    assert login(Client(), "2000112345", NEW_PASSWORD).status_code == 302
    assert latest_message_to(MAHMOUD_PHONE, purpose="password_changed") is not None
    assert {"password_reset.request", "password_reset.complete", "session.end"} <= set(actions())
    user = User.objects.get(username="2000112345")
    assert user.password_changed_at is not None
    # The code was single use.
    client.post("/en/password-reset/", {"username": "2000112345"})
    replay = client.post("/en/password-reset/verify/", {"otp": code, "password": "yet another passphrase"})
    assert replay.status_code == 422


def test_password_reset_same_answer_for_unknown_account(demo):
    known, unknown = Client(), Client()
    r1 = known.post("/en/password-reset/", {"username": "2000112345"})
    r2 = unknown.post("/en/password-reset/", {"username": "2000119999"})
    assert r1.status_code == r2.status_code == 302 and r1["Location"] == r2["Location"]
    p1, p2 = known.get(r1["Location"]), unknown.get(r2["Location"])
    assert strip_csrf(page_text(p1)) == strip_csrf(page_text(p2))
    code = last_code(MAHMOUD_PHONE)
    wrong = "000000" if code != "000000" else "111111"
    w1 = known.post("/en/password-reset/verify/", {"otp": wrong, "password": NEW_PASSWORD})
    w2 = unknown.post("/en/password-reset/verify/", {"otp": wrong, "password": NEW_PASSWORD})
    assert w1.status_code == w2.status_code == 422
    assert strip_csrf(page_text(w1)) == strip_csrf(page_text(w2))
    for _ in range(5):
        w1 = known.post("/en/password-reset/verify/", {"otp": wrong, "password": NEW_PASSWORD})
        w2 = unknown.post("/en/password-reset/verify/", {"otp": wrong, "password": NEW_PASSWORD})
    assert w1.status_code == w2.status_code == 429
    assert strip_csrf(page_text(w1)) == strip_csrf(page_text(w2))
    # Locked: even the right code no longer works.
    assert (
        known.post("/en/password-reset/verify/", {"otp": code, "password": NEW_PASSWORD}).status_code == 429
    )
    assert login(Client(), *MAHMOUD).status_code == 302


def test_password_reset_without_verified_phone_sends_nothing(demo):
    user = demo["2000112345"]
    user.phone_verified_at = None
    user.save(update_fields=["phone_verified_at"])
    response = Client().post("/en/password-reset/", {"username": "2000112345"})
    assert response.status_code == 302
    assert latest_message_to(MAHMOUD_PHONE) is None


def test_password_reset_refuses_weak_password_without_spending_the_code(demo):
    client = Client()
    client.post("/en/password-reset/", {"username": "2000112345"})
    code = last_code(MAHMOUD_PHONE)
    weak = client.post("/en/password-reset/verify/", {"otp": code, "password": "password"})
    assert weak.status_code == 422
    assert "too common" in page_text(weak) or "at least 8" in page_text(weak)
    ok = client.post("/en/password-reset/verify/", {"otp": code, "password": NEW_PASSWORD})
    assert ok.status_code == 302


def test_password_reset_expired_code(demo):
    from bawaba.identity.models import OneTimeCode

    client = Client()
    client.post("/en/password-reset/", {"username": "2000112345"})
    code = last_code(MAHMOUD_PHONE)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post("/en/password-reset/verify/", {"otp": code, "password": NEW_PASSWORD})
    assert response.status_code == 422
    assert "expired" in page_text(response)


def test_password_reset_verify_without_start(client):
    response = client.get("/en/password-reset/verify/")
    assert response.status_code == 302 and response["Location"] == "/en/password-reset/"


@pytest.mark.parametrize("username", ["", "x" * 10_000, "\x00"])
def test_password_reset_bad_input(client, demo, username):
    response = client.post("/en/password-reset/", {"username": username})
    assert response.status_code in (302, 422)


# --- password change ----------------------------------------------------------------


def test_password_change_ends_other_sessions(demo):
    here, there = Client(), Client()
    login(here, *MAHMOUD)
    login(there, *MAHMOUD)
    wrong = here.post(
        "/en/account/security/password/", {"current_password": "nope-nope", "new_password": NEW_PASSWORD}
    )
    assert wrong.status_code == 422
    response = here.post(
        "/en/account/security/password/", {"current_password": MAHMOUD[1], "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert here.get("/en/account/").status_code == 200
    assert there.get("/en/account/").status_code == 302
    assert "password.change" in actions()
    assert login(Client(), "2000112345", NEW_PASSWORD).status_code == 302


# --- sessions -----------------------------------------------------------------------


def test_sessions_listed_and_revocable(demo):
    here, there = Client(HTTP_USER_AGENT="Here browser"), Client(HTTP_USER_AGENT="There browser")
    login(here, *MAHMOUD)
    login(there, *MAHMOUD)
    page = here.get("/en/account/sessions/")
    text = page_text(page)
    assert text.count("data-session=") == 2
    assert "Here browser" in text and "There browser" in text
    assert "This device" in text
    other = UserSession.objects.get(user_agent="There browser")
    response = here.post(f"/en/account/sessions/{other.id}/end/")
    assert response.status_code == 302
    assert there.get("/en/account/").status_code == 302
    assert page_text(here.get("/en/account/sessions/")).count("data-session=") == 1
    event = AuditEvent.objects.get(action="session.end")
    assert event.object_id == str(other.id)


def test_end_all_other_sessions(demo):
    clients = [Client() for _ in range(3)]
    for c in clients:
        login(c, *MAHMOUD)
    assert clients[0].post("/en/account/sessions/end-others/").status_code == 302
    assert clients[0].get("/en/account/").status_code == 200
    assert all(c.get("/en/account/").status_code == 302 for c in clients[1:])


def test_cannot_end_another_persons_session(demo):
    mahmoud = Client()
    login(mahmoud, *MAHMOUD)
    theirs = UserSession.objects.get()
    ahmad = Client()
    ahmad.force_login(demo["9861001234"])
    ahmad.post(f"/en/account/sessions/{theirs.id}/end/")
    assert mahmoud.get("/en/account/").status_code == 200
    response = ahmad.delete(f"/api/v1/me/sessions/{theirs.id}")
    assert response.status_code == 404
    assert mahmoud.get("/en/account/").status_code == 200


def test_sessions_over_the_api(demo):
    here, there = Client(), Client()
    login(here, *MAHMOUD)
    login(there, *MAHMOUD)
    listed = here.get("/api/v1/me/sessions")
    assert listed.status_code == 200
    sessions = listed.json()
    assert len(sessions) == 2
    assert sorted(s["current"] for s in sessions) == [False, True]
    other = next(s for s in sessions if not s["current"])
    assert here.delete(f"/api/v1/me/sessions/{other['id']}").status_code == 204
    assert there.get("/api/v1/me").status_code == 401
    again = here.delete(f"/api/v1/me/sessions/{other['id']}")
    assert again.status_code == 404
    assert again.json()["code"] == "not_found"
    assert here.delete("/api/v1/me/sessions/not-a-uuid").status_code in (404, 422)
    assert AuditEvent.objects.filter(action="session.end").count() == 1


def test_api_needs_login(client):
    for method, url in [
        ("get", "/api/v1/me"),
        ("get", "/api/v1/me/sessions"),
        ("get", "/api/v1/me/activity"),
        ("delete", "/api/v1/me/sessions/00000000-0000-0000-0000-000000000000"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 401, url
        assert response.json()["code"] == "not_authenticated"
        assert response.json()["message"]


def test_expired_django_session_is_not_listed(demo):
    from django.contrib.sessions.models import Session

    c = Client()
    login(c, *MAHMOUD)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    c2 = Client()
    login(c2, *MAHMOUD)
    assert len(c2.get("/api/v1/me/sessions").json()) == 1


# --- account pages ------------------------------------------------------------------


def test_account_page_shows_profile_assurance_and_organisations(logged_in_ahmad, demo):
    page = logged_in_ahmad.get("/en/account/")
    text = page_text(page)
    assert "Ahmad Mohammad Al-Ali" in text
    assert "9861001234" in text
    assert "Substantial" in text
    assert "Al-Ali Trading Co." in text
    ar = page_text(logged_in_ahmad.get("/account/"))
    assert "أحمد محمد العلي" in ar


def test_act_on_behalf_of_an_organisation(logged_in_ahmad, demo):
    company = Organisation.objects.get(registration_number="200012345")
    response = logged_in_ahmad.post("/en/account/acting-as/", {"organisation": str(company.id)})
    assert response.status_code == 302
    assert logged_in_ahmad.session["bawaba_acting_as"] == str(company.id)
    page = page_text(logged_in_ahmad.get("/en/account/"))
    assert "acting on behalf of" in page.lower()
    assert AuditEvent.objects.filter(action="organisation.act_as", object_id=str(company.id)).exists()
    # Back to acting for oneself.
    logged_in_ahmad.post("/en/account/acting-as/", {"organisation": ""})
    assert "bawaba_acting_as" not in logged_in_ahmad.session


@pytest.mark.parametrize(
    "org", ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "' OR 1=1", "x" * 5000]
)
def test_cannot_act_for_an_organisation_one_does_not_represent(logged_in_ahmad, demo, org):
    response = logged_in_ahmad.post("/en/account/acting-as/", {"organisation": org})
    assert response.status_code == 302
    assert "bawaba_acting_as" not in logged_in_ahmad.session


def test_cannot_act_for_an_agency_one_is_not_member_of(logged_in_ahmad, demo):
    agency = Organisation.objects.get(code="MODEE")
    logged_in_ahmad.post("/en/account/acting-as/", {"organisation": str(agency.id)})
    assert "bawaba_acting_as" not in logged_in_ahmad.session


def test_activity_shows_only_my_events(demo):
    mahmoud = Client()
    login(mahmoud, *MAHMOUD)
    mahmoud.post("/en/account/security/sms/", {"enabled": "1"})
    ahmad = Client()
    ahmad.force_login(demo["9861001234"])
    page = page_text(ahmad.get("/en/account/activity/"))
    assert "SMS codes at login turned on" not in page
    mine = page_text(mahmoud.get("/en/account/activity/"))
    assert "SMS codes at login turned on" in mine and "Logged in" in mine
    api = [e["action"] for e in ahmad.get("/api/v1/me/activity").json()]
    assert "mfa.sms.enable" not in api
    assert "mfa.sms.enable" in [e["action"] for e in mahmoud.get("/api/v1/me/activity").json()]


def test_activity_paging_and_bad_page(logged_in_ahmad):
    assert logged_in_ahmad.get("/en/account/activity/?page=999").status_code == 200
    assert logged_in_ahmad.get("/en/account/activity/?page=abc").status_code == 200
    assert logged_in_ahmad.get("/api/v1/me/activity?limit=100000").status_code == 200
    assert logged_in_ahmad.get("/api/v1/me/activity?limit=-5").status_code == 200
    assert logged_in_ahmad.get("/api/v1/me/activity?limit=abc").status_code == 422


def test_me_api(logged_in_ahmad):
    me = logged_in_ahmad.get("/api/v1/me").json()
    assert me["username"] == "9861001234"
    assert me["assurance_level"] == "substantial"
    assert me["phone_verified"] is True


def test_match_with_civil_registry_from_account_page(client, db):
    from .helpers import register

    register(client, date_of_birth="1992-07-03")  # wrong day: no match at registration
    user = User.objects.get()
    assert user.assurance_level == "low"
    response = client.post("/en/account/verify-identity/")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.assurance_level == "low"
    assert "could not match" in page_text(client.get("/en/account/"))


def test_residents_cannot_match_with_civil_registry(client, db):
    from .helpers import register

    register(client, kind="resident", national_number="", nationality="EG", passport_number="A1234567")
    response = client.post("/en/account/verify-identity/")
    assert response.status_code == 302
    assert "Only citizens" in page_text(client.get("/en/account/"))


def test_current_session_stays_listed_after_password_change(demo):
    client = Client()
    login(client, *MAHMOUD)
    client.post(
        "/en/account/security/password/", {"current_password": MAHMOUD[1], "new_password": NEW_PASSWORD}
    )
    sessions = client.get("/api/v1/me/sessions").json()
    assert [s["current"] for s in sessions] == [True]
    assert "This device" in page_text(client.get("/en/account/sessions/"))


def test_sessions_name_the_browser_and_system(demo):
    """The sessions list names devices as people know them (ua-parser), in both languages;
    what cannot be named is shown as sent."""
    android = (
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/130.0.0.0 Mobile Safari/537.36"
    )
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
    )
    here, phone, other = (
        Client(HTTP_USER_AGENT=android),
        Client(HTTP_USER_AGENT=iphone),
        Client(HTTP_USER_AGENT=""),
    )
    for c in (here, phone, other):
        login(c, *MAHMOUD)
    text = page_text(here.get("/en/account/sessions/"))
    assert "Chrome Mobile on Android" in text and "Mobile Safari on iOS" in text
    assert "Unknown device" in text
    arabic = page_text(here.get("/account/sessions/"))
    assert "Chrome Mobile على Android" in arabic and "جهاز غير معروف" in arabic
