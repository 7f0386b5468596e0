"""Second factors over HTTP: authenticator apps (TOTP), SMS codes, recovery codes, step-up."""

import re
from datetime import timedelta
from urllib.parse import quote

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from bawaba.conftest import DEMO_TOTP_SECRET, last_code, login
from bawaba.core.auth import SESSION_AMR
from bawaba.core.models import AuditEvent
from bawaba.identity.models import OneTimeCode, RecoveryCode, TotpDevice
from bawaba.identity.services import totp as totp_services

from .helpers import page_text

pytestmark = pytest.mark.django_db
MAHMOUD_PHONE = "+962781234567"
STEP = 30


class FrozenClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """Server time for TOTP checks, fixed in the middle of a 30-second step."""
    frozen = FrozenClock((int(timezone.now().timestamp()) // STEP) * STEP + 15.0)
    monkeypatch.setattr(totp_services, "time", frozen)
    return frozen


def code_at(clock: FrozenClock, steps: int = 0, secret: str = DEMO_TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).at(clock.now + steps * STEP)


def password_step(client: Client, username: str = "9861001234", password: str = "Bawaba-Demo-2026"):
    response = client.post("/en/login/", {"username": username, "password": password})
    assert response.status_code == 302 and response["Location"] == "/en/login/verify/", response
    return response


def logged_in(client: Client) -> bool:
    return client.get("/en/account/").status_code == 200


# --- TOTP ---------------------------------------------------------------------------


@pytest.mark.parametrize("steps", [-1, 0, 1])
def test_totp_accepts_one_step_either_side(client, demo, clock, steps):
    password_step(client)
    response = client.post("/en/login/verify/", {"otp": code_at(clock, steps)})
    assert response.status_code == 302 and response["Location"] == "/en/account/"
    assert logged_in(client)
    assert set(client.session[SESSION_AMR]) >= {"pwd", "otp", "mfa"}


@pytest.mark.parametrize("steps", [-3, -2, 2, 3])
def test_totp_refuses_two_steps_away(client, demo, clock, steps):
    password_step(client)
    response = client.post("/en/login/verify/", {"otp": code_at(clock, steps)})
    assert response.status_code == 422
    assert "The code is not correct or has expired." in page_text(response)
    assert not logged_in(client)
    assert AuditEvent.objects.filter(action="login.second_factor", outcome="failure").exists()


def test_totp_code_is_single_use(demo, clock):
    first, second = Client(), Client()
    code = code_at(clock)
    password_step(first)
    assert first.post("/en/login/verify/", {"otp": code}).status_code == 302
    password_step(second)
    replay = second.post("/en/login/verify/", {"otp": code})
    assert replay.status_code == 422
    assert not logged_in(second)
    # An earlier step's code is no longer good either once a later one was used.
    assert second.post("/en/login/verify/", {"otp": code_at(clock, -1)}).status_code == 422
    # The next step's code is.
    assert second.post("/en/login/verify/", {"otp": code_at(clock, 1)}).status_code == 302


@pytest.mark.parametrize("otp", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "x" * 21, "' OR 1=1 --"])
def test_malformed_codes_are_refused(client, demo, otp):
    password_step(client)
    response = client.post("/en/login/verify/", {"otp": otp})
    assert response.status_code == 422
    assert not logged_in(client)


def test_arabic_indic_totp_code_accepted(client, demo, clock):
    password_step(client)
    code = code_at(clock).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert client.post("/en/login/verify/", {"otp": code}).status_code == 302


def test_five_wrong_second_factor_codes_lock(client, demo, clock):
    password_step(client)
    wrong = "000000" if code_at(clock) != "000000" else "111111"
    for _ in range(5):
        assert client.post("/en/login/verify/", {"otp": wrong}).status_code == 422
    response = client.post("/en/login/verify/", {"otp": code_at(clock)})
    assert response.status_code == 429
    assert not logged_in(client)


def test_verify_step_without_password_goes_back_to_login(client, demo):
    response = client.get("/en/login/verify/")
    assert response.status_code == 302 and response["Location"] == "/en/login/"
    response = client.post("/en/login/verify/", {"otp": "123456"})
    assert response.status_code == 302 and response["Location"] == "/en/login/"


def test_pending_login_expires(client, demo, clock, monkeypatch):
    password_step(client)
    session = client.session
    pending = session["bawaba_pending_login"]
    pending["at"] -= 601
    session["bawaba_pending_login"] = pending
    session.save()
    response = client.post("/en/login/verify/", {"otp": code_at(clock)})
    assert response.status_code == 302 and response["Location"] == "/en/login/"
    assert not logged_in(client)


def test_totp_enrolment_with_qr_code(client, demo, clock):
    assert login(client, "2000112345", "Bawaba-Demo-2026").status_code == 302
    page = client.get("/en/account/security/totp/")
    assert page.status_code == 200
    text = page_text(page)
    assert "<svg" in text
    secret = re.search(r"<code data-totp-secret>([A-Z2-7]+)</code>", text).group(1)
    # Reloading the page keeps the same pending secret.
    assert secret in page_text(client.get("/en/account/security/totp/"))
    wrong = client.post("/en/account/security/totp/", {"otp": "000000"})
    if code_at(clock, secret=secret) != "000000":
        assert wrong.status_code == 422
    assert not TotpDevice.objects.filter(user=demo["2000112345"], confirmed=True).exists()
    response = client.post("/en/account/security/totp/", {"otp": code_at(clock, secret=secret)})
    assert response.status_code == 200
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", page_text(response))
    assert len(codes) == 10
    assert TotpDevice.objects.filter(user=demo["2000112345"], confirmed=True).count() == 1
    assert AuditEvent.objects.filter(action="mfa.totp.enrol", outcome="success").exists()
    assert "otp" in client.session[SESSION_AMR]
    # From now on, the password alone is not enough.
    other = Client()
    password_step(other, "2000112345")
    assert not logged_in(other)
    # The code used for enrolment cannot be used again to log in.
    assert other.post("/en/login/verify/", {"otp": code_at(clock, secret=secret)}).status_code == 422
    assert other.post("/en/login/verify/", {"otp": code_at(clock, 1, secret=secret)}).status_code == 302


def test_remove_authenticator(logged_in_ahmad, demo):
    device = TotpDevice.objects.get(user=demo["9861001234"])
    assert logged_in_ahmad.post(f"/en/account/security/totp/{device.id}/remove/").status_code == 302
    assert not TotpDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(action="mfa.totp.remove").exists()


def test_cannot_remove_another_persons_authenticator(client, demo):
    device = TotpDevice.objects.get(user=demo["9861001234"])
    login(client, "2000112345", "Bawaba-Demo-2026")
    client.post(f"/en/account/security/totp/{device.id}/remove/")
    assert TotpDevice.objects.filter(pk=device.pk).exists()


# --- SMS codes ----------------------------------------------------------------------


@pytest.fixture
def mahmoud_sms(demo):
    client = Client()
    login(client, "2000112345", "Bawaba-Demo-2026")
    assert client.post("/en/account/security/sms/", {"enabled": "1"}).status_code == 302
    assert AuditEvent.objects.filter(action="mfa.sms.enable").exists()
    client.post("/en/logout/")
    return demo["2000112345"]


def test_sms_code_login(mahmoud_sms):
    client = Client()
    password_step(client, "2000112345")
    message_code = last_code(MAHMOUD_PHONE)
    assert re.fullmatch(r"\d{6}", message_code)
    otp = OneTimeCode.objects.get(purpose="login")
    assert otp.expires_at - otp.created_at == timedelta(minutes=10)
    assert otp.code_hash != message_code  # stored as a keyed hash
    page = client.get("/en/login/verify/")
    assert "+96278*****67" in page_text(page)
    response = client.post("/en/login/verify/", {"otp": message_code})
    assert response.status_code == 302
    assert set(client.session[SESSION_AMR]) >= {"pwd", "sms", "mfa"}


def test_expired_sms_code_refused(mahmoud_sms):
    client = Client()
    password_step(client, "2000112345")
    code = last_code(MAHMOUD_PHONE)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post("/en/login/verify/", {"otp": code}).status_code == 422
    assert not logged_in(client)


def test_sms_code_cannot_be_replayed(mahmoud_sms):
    first = Client()
    password_step(first, "2000112345")
    code = last_code(MAHMOUD_PHONE)
    assert first.post("/en/login/verify/", {"otp": code}).status_code == 302
    second = Client()
    password_step(second, "2000112345")  # no new code within 30 s
    assert second.post("/en/login/verify/", {"otp": code}).status_code == 422
    assert not logged_in(second)


def test_new_sms_code_does_not_reset_failures(mahmoud_sms):
    client = Client()
    password_step(client, "2000112345")
    wrong = "000000" if last_code(MAHMOUD_PHONE) != "000000" else "111111"
    for _ in range(3):
        assert client.post("/en/login/verify/", {"otp": wrong}).status_code == 422
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    response = client.post("/en/login/verify/", {"action": "send_sms"})
    assert response.status_code == 302
    assert OneTimeCode.objects.filter(purpose="login").count() == 2
    new_code = last_code(MAHMOUD_PHONE)
    wrong = "000000" if new_code != "000000" else "111111"
    for _ in range(2):
        assert client.post("/en/login/verify/", {"otp": wrong}).status_code == 422
    response = client.post("/en/login/verify/", {"otp": new_code})
    assert response.status_code == 429
    assert not logged_in(client)


def test_superseded_sms_code_refused(mahmoud_sms):
    client = Client()
    password_step(client, "2000112345")
    old = last_code(MAHMOUD_PHONE)
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    client.post("/en/login/verify/", {"action": "send_sms"})
    new = last_code(MAHMOUD_PHONE)
    if old != new:
        assert client.post("/en/login/verify/", {"otp": old}).status_code == 422
    assert client.post("/en/login/verify/", {"otp": new}).status_code == 302


def test_sms_second_factor_needs_verified_phone(client, demo):
    user = demo["2000112345"]
    user.phone_verified_at = None
    user.save(update_fields=["phone_verified_at"])
    login(client, "2000112345", "Bawaba-Demo-2026")
    client.post("/en/account/security/sms/", {"enabled": "1"})
    user.refresh_from_db()
    assert not user.sms_second_factor


# --- recovery codes -----------------------------------------------------------------


def test_recovery_codes_are_single_use(logged_in_ahmad, demo):
    response = logged_in_ahmad.post("/en/account/security/recovery-codes/")
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", page_text(response))
    assert len(codes) == 10
    assert RecoveryCode.objects.filter(user=demo["9861001234"]).count() == 10
    client = Client()
    password_step(client)
    response = client.post("/en/login/verify/", {"otp": codes[0].upper()})
    assert response.status_code == 302
    assert "rec" in client.session[SESSION_AMR]
    again = Client()
    password_step(again)
    assert again.post("/en/login/verify/", {"otp": codes[0]}).status_code == 422
    assert again.post("/en/login/verify/", {"otp": codes[1].replace("-", "")}).status_code == 302
    assert AuditEvent.objects.filter(action="mfa.recovery_code.use").count() == 2
    # New codes replace the old ones.
    logged_in_ahmad.post("/en/account/security/recovery-codes/")
    third = Client()
    password_step(third)
    assert third.post("/en/login/verify/", {"otp": codes[2]}).status_code == 422


# --- step-up ------------------------------------------------------------------------


def test_step_up_adds_a_second_factor_to_the_session(client, demo):
    login(client, "2000112345", "Bawaba-Demo-2026")
    assert client.session[SESSION_AMR] == ["pwd"]
    page = client.get("/en/login/verify/?next=/en/account/security/")
    assert page.status_code == 200
    assert "This service needs extra confirmation" in page_text(page)
    response = client.post("/en/login/verify/?next=/en/account/security/", {"action": "send_sms"})
    assert response.status_code == 302
    code = last_code(MAHMOUD_PHONE)
    response = client.post("/en/login/verify/?next=/en/account/security/", {"otp": code})
    assert response.status_code == 302 and response["Location"] == "/en/account/security/"
    assert set(client.session[SESSION_AMR]) == {"pwd", "sms", "mfa"}
    assert AuditEvent.objects.filter(action="login.step_up").exists()


def test_step_up_refuses_offsite_next(client, demo):
    login(client, "2000112345", "Bawaba-Demo-2026")
    client.post("/en/login/verify/", {"action": "send_sms"})
    response = client.post("/en/login/verify/?next=https://evil.example/", {"otp": last_code(MAHMOUD_PHONE)})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_step_up_sms_keeps_next_with_query(client, demo):
    login(client, "2000112345", "Bawaba-Demo-2026")
    target = "/en/account/activity/?page=2&x=1"
    response = client.post("/en/login/verify/?next=" + quote(target), {"action": "send_sms"})
    assert response.status_code == 302
    assert response["Location"] == "/en/login/verify/?next=" + quote(target, safe="")
    response = client.post(response["Location"], {"otp": last_code(MAHMOUD_PHONE)})
    assert response["Location"] == target
