"""Back-channel logout when identity ends sessions by itself: its "Log out" button, the
account page's "End session" and "End all other sessions", a password change or reset, and
an account deactivated in the back office. Identity knows nothing of single sign-on; it sends
`identity.signals.session_ended` and single sign-on's receiver tells the services."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import httpx
import pytest
from django.core.management import call_command
from django.db import transaction
from joserfc import jwt

from bawaba.conftest import last_code

from .conftest import ISSUER, authorize_url, code_from, decode_id_token, jwks, pkce_pair, rp_client

TOKEN = f"{ISSUER}/oidc/token"
EVENT = "http://schemas.openid.net/event/backchannel-logout"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
AHMAD_PHONE = "+962791234567"


def _csrf(browser, page="/en/account/"):
    m = CSRF_RE.search(browser.get(page).text)
    assert m
    return m.group(1)


def _post(browser, url, data=None, page="/en/account/"):
    return browser.http.post(url, data={**(data or {}), "csrfmiddlewaretoken": _csrf(browser, page)})


def _sign_in(transport, browser, client, secret):
    """The service logs the (already logged-in) person in; returns its tokens and ID token claims."""
    rp = rp_client(transport, client.client_id, secret)
    verifier, challenge = pkce_pair()
    url, _ = authorize_url(rp, code_challenge=challenge, code_challenge_method="S256")
    token = rp.fetch_token(TOKEN, code=code_from(browser.get(url))["code"], code_verifier=verifier)
    return token, decode_id_token(transport, token["id_token"], client.client_id).claims


def _check_logout_token(transport, form, client, id_claims):
    """A valid logout token (Back-Channel Logout 1.0, 2.4) for this client and session."""
    obj = jwt.decode(form["logout_token"][0], jwks(transport), algorithms=["ES256", "RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": client.client_id},
        iat={"essential": True},
        exp={"essential": True},
        jti={"essential": True},
    ).validate(obj.claims)
    assert obj.header["typ"] == "logout+jwt"
    assert obj.claims["sid"] == id_claims["sid"] and obj.claims["sub"] == id_claims["sub"]
    assert obj.claims["events"] == {EVENT: {}}
    assert "nonce" not in obj.claims


def _refresh_refused(transport, client, secret, token):
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        r = c.post(
            "/oidc/token",
            data={"grant_type": "refresh_token", "refresh_token": token["refresh_token"]},
            auth=(client.client_id, secret),
        )
    return r.status_code == 400 and r.json()["error"] == "invalid_grant"


@pytest.fixture
def two_services(make_client, receiver):
    base, received = receiver
    a = make_client(first_party=True, name_en="Service A", backchannel_logout_uri=f"{base}/a/logout")
    b = make_client(
        first_party=True, name_en="Service B", backchannel_logout_uri=f"{base}/b/logout", id_token_alg="RS256"
    )
    quiet = make_client(first_party=True, name_en="No back-channel")
    return a, b, quiet, received


def test_identity_logout_button_tells_every_service_of_the_session(
    transport, browser, two_services, django_capture_on_commit_callbacks
):
    (a, sa), (b, sb), (quiet, sq), received = two_services
    browser.login()
    ta, ca = _sign_in(transport, browser, a, sa)
    tb, cb = _sign_in(transport, browser, b, sb)
    tq, _ = _sign_in(transport, browser, quiet, sq)
    assert ca["sid"] == cb["sid"]  # one provider session
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(browser, "/en/logout/")
    assert r.status_code == 302
    assert browser.get("/en/account/").status_code == 302  # logged out
    assert sorted(p for p, _ in received) == ["/a/logout", "/b/logout"]
    forms = dict(received)
    _check_logout_token(transport, forms["/a/logout"], a, ca)
    _check_logout_token(transport, forms["/b/logout"], b, cb)
    assert jwt.decode(forms["/b/logout"]["logout_token"][0], jwks(transport)).header["alg"] == "RS256"
    # every token of the session is dead, the service without a back-channel URI included
    for client, secret, token in ((a, sa, ta), (b, sb, tb), (quiet, sq, tq)):
        assert _refresh_refused(transport, client, secret, token)
    from bawaba.core.models import AuditEvent

    ended = AuditEvent.objects.get(action="sso.session.end")
    assert ended.object_id == ca["sid"] and ended.data["reason"] == "logout"
    assert sorted(ended.data["backchannel"]) == sorted([a.client_id, b.client_id])
    assert AuditEvent.objects.filter(action="sso.backchannel_logout", outcome="success").count() == 2


def test_account_page_ends_a_session_and_all_others(
    transport, browser, two_services, django_capture_on_commit_callbacks
):
    (a, sa), (b, sb), _quiet, received = two_services
    phone = type(browser)(transport)  # the same person on their phone...
    phone.login()
    _, phone_a = _sign_in(transport, phone, a, sa)
    _, phone_b = _sign_in(transport, phone, b, sb)
    laptop = type(browser)(transport)  # ...and on a laptop
    laptop.login()
    _, laptop_a = _sign_in(transport, laptop, a, sa)
    browser.login()  # the account page is used from here
    _, own_a = _sign_in(transport, browser, a, sa)
    page = browser.get("/en/account/sessions/")
    assert phone_a["sid"] in page.text and laptop_a["sid"] in page.text
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(browser, f"/en/account/sessions/{phone_a['sid']}/end/", page="/en/account/sessions/")
    assert r.status_code == 302
    assert sorted(p for p, _ in received) == ["/a/logout", "/b/logout"]
    forms = dict(received)
    _check_logout_token(transport, forms["/a/logout"], a, phone_a)
    _check_logout_token(transport, forms["/b/logout"], b, phone_b)
    assert phone.get("/en/account/").status_code == 302
    assert laptop.get("/en/account/").status_code == 200
    # "End all other sessions": the laptop's services are told; this session is kept
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(browser, "/en/account/sessions/end-others/", page="/en/account/sessions/")
    assert r.status_code == 302
    assert [p for p, _ in received] == ["/a/logout"]
    _check_logout_token(transport, received[0][1], a, laptop_a)
    assert laptop.get("/en/account/").status_code == 302
    assert browser.get("/en/account/").status_code == 200
    assert own_a["sid"] not in {
        jwt.decode(f["logout_token"][0], jwks(transport)).claims["sid"] for _, f in received
    }
    # a session that is not there (or not this person's): an error message, nobody told
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(browser, f"/en/account/sessions/{phone_a['sid']}/end/", page="/en/account/sessions/")
        r2 = _post(
            browser,
            "/en/account/sessions/00000000-0000-0000-0000-000000000000/end/",
            page="/en/account/sessions/",
        )
    assert r.status_code == r2.status_code == 302
    assert "does not exist" in browser.get("/en/account/sessions/").text
    assert received == []


def test_session_api_delete_tells_the_services(
    transport, browser, two_services, django_capture_on_commit_callbacks
):
    (a, sa), _b, _quiet, received = two_services
    phone = type(browser)(transport)
    phone.login()
    _, phone_a = _sign_in(transport, phone, a, sa)
    browser.login()
    with django_capture_on_commit_callbacks(execute=True):
        r = browser.http.delete(
            f"/api/v1/me/sessions/{phone_a['sid']}", headers={"X-CSRFToken": _csrf(browser)}
        )
    assert r.status_code == 204, r.text
    assert [p for p, _ in received] == ["/a/logout"]
    _check_logout_token(transport, received[0][1], a, phone_a)


def test_password_change_tells_the_other_sessions_services(
    transport, browser, two_services, django_capture_on_commit_callbacks
):
    (a, sa), (b, sb), _quiet, received = two_services
    phone = type(browser)(transport)
    phone.login()
    _, phone_a = _sign_in(transport, phone, a, sa)
    browser.login()
    own_token, _ = _sign_in(transport, browser, b, sb)
    # a wrong current password changes nothing and tells nobody
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(
            browser,
            "/en/account/security/password/",
            {"current_password": "not it", "new_password": "a brand new passphrase"},
            page="/en/account/security/",
        )
    assert r.status_code == 422 and received == []
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(
            browser,
            "/en/account/security/password/",
            {"current_password": "Bawaba-Demo-2026", "new_password": "a brand new passphrase"},
            page="/en/account/security/",
        )
    assert r.status_code == 302, r.text[:300]
    assert [p for p, _ in received] == ["/a/logout"]  # not B: used in the session that was kept
    _check_logout_token(transport, received[0][1], a, phone_a)
    assert not _refresh_refused(transport, b, sb, own_token)


def test_password_reset_tells_every_service(
    transport, browser, two_services, django_capture_on_commit_callbacks
):
    (a, sa), _b, _quiet, received = two_services
    browser.login()
    _, claims = _sign_in(transport, browser, a, sa)
    anonymous = type(browser)(transport)
    r = anonymous.post_form("/en/password-reset/", {"username": "9861001234"})
    assert r.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        r = anonymous.post_form(
            "/en/password-reset/verify/",
            {"otp": last_code(AHMAD_PHONE), "password": "a brand new passphrase"},
        )
    assert r.status_code == 302
    assert [p for p, _ in received] == ["/a/logout"]
    _check_logout_token(transport, received[0][1], a, claims)


class _Form(HTMLParser):
    """The fields of a form as a browser would submit them (inputs, selects, textareas)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.append((a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.data.append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea:
            self.data[-1] = (self._textarea, data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _post_pairs(browser, url, pairs):
    return browser.http.post(
        url, content=urlencode(pairs), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )


def test_account_deactivated_in_the_back_office_tells_every_service(
    transport, browser, two_services, demo, django_capture_on_commit_callbacks
):
    (a, sa), (b, sb), _quiet, received = two_services
    browser.login()
    _, ca = _sign_in(transport, browser, a, sa)
    _, cb = _sign_in(transport, browser, b, sb)
    staff = type(browser)(transport)
    staff.login(username="admin", password="Bawaba-Admin-2026")
    url = f"/en/admin/identity/user/{demo['9861001234'].pk}/change/"
    # saving the person without changing "active" tells nobody
    form = _Form("user_form")
    form.feed(staff.get(url).text)
    assert ("is_active", "on") in form.data
    with django_capture_on_commit_callbacks(execute=True):
        r = _post_pairs(staff, url, form.data)
    assert r.status_code == 302, r.text[:500]
    assert received == [] and browser.get("/en/account/").status_code == 200
    # deactivated
    form = _Form("user_form")
    form.feed(staff.get(url).text)
    data = [(k, v) for k, v in form.data if k != "is_active"]
    with django_capture_on_commit_callbacks(execute=True):
        r = _post_pairs(staff, url, data)
    assert r.status_code == 302, r.text[:500]
    assert sorted(p for p, _ in received) == ["/a/logout", "/b/logout"]
    forms = dict(received)
    _check_logout_token(transport, forms["/a/logout"], a, ca)
    _check_logout_token(transport, forms["/b/logout"], b, cb)
    assert browser.get("/en/account/").status_code == 302
    from bawaba.core.models import AuditEvent

    event = AuditEvent.objects.get(action="account.deactivate")
    assert event.data == {"sessions_ended": 1}


def test_a_service_that_is_down_does_not_stop_the_logout(
    transport, browser, make_client, receiver, django_capture_on_commit_callbacks
):
    base, received = receiver
    a, sa = make_client(first_party=True, backchannel_logout_uri=f"{base}/a/logout")
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    closed = s.getsockname()[1]
    s.close()
    down, sd = make_client(first_party=True, backchannel_logout_uri=f"http://127.0.0.1:{closed}/logout")
    browser.login()
    _sign_in(transport, browser, a, sa)
    _sign_in(transport, browser, down, sd)
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(browser, "/en/logout/")
    assert r.status_code == 302 and browser.get("/en/account/").status_code == 302
    assert [p for p, _ in received] == ["/a/logout"]
    from bawaba.core.models import AuditEvent

    failed = AuditEvent.objects.get(action="sso.backchannel_logout", outcome="failure")
    assert failed.object_id == down.client_id and failed.data["status"] == "error"


def test_a_session_without_services_leaves_no_single_sign_on_trace(browser, demo, receiver):
    from bawaba.core.models import AuditEvent

    browser.login()
    assert _post(browser, "/en/logout/").status_code == 302
    assert AuditEvent.objects.filter(action="logout").exists()
    assert not AuditEvent.objects.filter(action__startswith="sso.").exists()


def test_nothing_is_sent_when_the_ending_is_rolled_back(
    transport, browser, two_services, demo, django_capture_on_commit_callbacks
):
    (a, sa), _b, _quiet, received = two_services
    browser.login()
    _, claims = _sign_in(transport, browser, a, sa)
    from bawaba.identity import services as identity_services
    from bawaba.sso.models import SessionClient, TokenFamily

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            identity_services.session_end(user=demo["9861001234"], session_id=claims["sid"])
            raise RuntimeError("something later in the same transaction failed")
    assert callbacks == [] and received == []
    assert TokenFamily.objects.filter(revoked_at__isnull=True).count() == 1
    assert SessionClient.objects.filter(logged_out_at__isnull=True).count() == 1
    assert browser.get("/en/account/").status_code == 200


@pytest.fixture
def deferring_tasks(settings):
    """The production task backend (database queue, deferred tasks) instead of the tests'
    immediate one."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "messaging"]}
    }


def test_failed_deliveries_are_tried_again_later(make_client, receiver, deferring_tasks, monkeypatch):
    """A service that is down (5xx) is sent a new logout token after each delay until the
    attempts run out, by the real worker; a 4xx is its answer and is not retried."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from bawaba.core.models import AuditEvent
    from bawaba.sso import services

    base, received = receiver
    down, _ = make_client(backchannel_logout_uri=f"{base}/status/503/logout")
    refusing, _ = make_client(backchannel_logout_uri=f"{base}/status/400/logout")

    assert services.backchannel_logout_deliver(client_pk=str(down.pk), sub="s1", sid="sid-1") == "503"
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"] == [str(down.pk), "s1", "sid-1", 2]
    assert 5 <= (queued.run_after - timezone.now()).total_seconds() <= 10
    assert services.backchannel_logout_deliver(client_pk=str(refusing.pk), sub="s2", sid="sid-2") == "400"
    assert DBTaskResult.objects.count() == 1  # the refusal is not queued again

    # the worker runs the retries (no delays here), each a new delivery, until they run out
    queued.delete()
    monkeypatch.setattr(services, "BACKCHANNEL_RETRY_DELAYS", (datetime.timedelta(0),) * 4)
    services.backchannel_logout_deliver(client_pk=str(down.pk), sub="s1", sid="sid-1")
    # (the worker closes "old" connections between tasks: inside the test's transaction that
    # would close the test's own connection, as the sso app fixture also avoids)
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "-v", "0")
    attempts = [
        (e.data["attempt"], e.data.get("retry_in_seconds"))
        for e in AuditEvent.objects.filter(
            action="sso.backchannel_logout", object_id=down.client_id
        ).order_by("id")
    ]
    assert attempts == [(1, 10), (1, 0), (2, 0), (3, 0), (4, 0), (5, None)]
    tokens_sent = [form["logout_token"][0] for path, form in received if path.startswith("/status/503/")]
    assert len(tokens_sent) == 6 and len(set(tokens_sent)) == 6  # a new token each time
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_without_a_deferring_backend_one_attempt(make_client, receiver):
    """With a task backend that cannot defer (the immediate one), a failed delivery is
    audited once and nothing breaks."""
    from bawaba.core.models import AuditEvent
    from bawaba.sso import services

    base, _received = receiver
    down, _ = make_client(backchannel_logout_uri=f"{base}/status/502/logout")
    assert services.backchannel_logout_deliver(client_pk=str(down.pk), sub="s", sid="sid") == "502"
    event = AuditEvent.objects.get(action="sso.backchannel_logout")
    assert event.outcome == "failure" and "retry_in_seconds" not in event.data
