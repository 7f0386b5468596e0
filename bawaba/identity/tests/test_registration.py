"""Self-registration over HTTP: national numbers, residents, mobile verification by SMS
code, assurance levels from the civil registry, bad input and duplicates."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from bawaba.conftest import last_code, login
from bawaba.core.models import AuditEvent
from bawaba.identity.models import OneTimeCode, PendingRegistration, User
from bawaba.messaging.selectors import latest_message_to

from .helpers import SARA, SARA_PHONE, page_text, register, register_start, strip_csrf, translated

pytestmark = pytest.mark.django_db


def test_citizen_registers_and_is_matched_with_civil_registry(client):
    response = register_start(client)
    assert response.status_code == 302 and response["Location"] == "/en/register/verify/"
    assert not User.objects.exists()  # nothing until the mobile is verified
    verify_page = client.get("/en/register/verify/")
    assert "+96279*****33" in page_text(verify_page)
    response = client.post("/en/register/verify/", {"otp": last_code(SARA_PHONE)})
    assert response.status_code == 302 and response["Location"] == "/en/account/"
    user = User.objects.get(national_number="9922004567")
    assert user.username == "9922004567"
    assert user.kind == "citizen"
    assert user.phone == SARA_PHONE
    assert user.phone_verified
    assert user.assurance_level == "substantial"
    assert user.name_en == "Sara Khaled Al-Hassan"  # names come from the registry
    assert user.password.startswith("argon2$argon2id$")
    assert user.verifications.filter(method="civil_registry").exists()
    assert {
        "registration.start",
        "registration.complete",
        "assurance.civil_registry",
        "login.success",
    } <= set(AuditEvent.objects.values_list("action", flat=True))
    account = client.get("/en/account/")
    assert account.status_code == 200
    assert "Substantial" in page_text(account)
    me = client.get("/api/v1/me").json()
    assert me["assurance_level"] == "substantial"
    assert me["phone"] == SARA_PHONE
    pending = PendingRegistration.objects.get()
    assert pending.completed_at is not None and pending.password_hash == ""


def test_citizen_not_in_registry_gets_low(client):
    register(client, national_number="9901234567", date_of_birth="1990-01-01")
    user = User.objects.get(national_number="9901234567")
    assert user.assurance_level == "low"
    assert AuditEvent.objects.filter(action="assurance.civil_registry", outcome="failure").exists()
    assert "Low" in page_text(client.get("/en/account/"))
    assert client.get("/api/v1/me").json()["assurance_level"] == "low"


def test_registry_match_needs_the_right_birth_date(client):
    # 9922004567 is in the registry, born 1992-07-02: another day of 1992 does not match.
    register(client, date_of_birth="1992-07-03")
    assert User.objects.get().assurance_level == "low"


def test_born_from_2000_citizen(client):
    register(client, national_number="2000212345", date_of_birth="2003-05-09")
    assert User.objects.get().assurance_level == "substantial"


def test_arabic_indic_digits_are_accepted(client):
    register(
        client,
        national_number="٩٩٢٢٠٠٤٥٦٧",
        date_of_birth="١٩٩٢-٠٧-٠٢",
        phone="٠٧٩ ١١١ ٢٢٣٣",
    )
    user = User.objects.get()
    assert user.national_number == "9922004567"
    assert user.phone == SARA_PHONE


@pytest.mark.parametrize("phone", ["0791112233", "00962791112233", "+962791112233", "079-111-2233"])
def test_mobile_formats_are_stored_as_e164(client, phone):
    register(client, phone=phone)
    assert User.objects.get().phone == SARA_PHONE


NN_FORMAT = (
    "This is not a valid national number: it starts with 9 for people born before "
    "2000 and with 2000 followed by 1 or 2 for people born from 2000."
)
NN_LENGTH = "The national number must be exactly 10 digits."
NN_MISMATCH = "The national number does not match the date of birth."


@pytest.mark.parametrize(
    "national_number,birth,message",
    [
        ("12345", "1992-07-02", NN_LENGTH),
        ("99220045678", "1992-07-02", NN_LENGTH),
        ("99220O4567", "1992-07-02", NN_LENGTH),
        ("1922004567", "1992-07-02", NN_FORMAT),
        ("2000312345", "2003-05-09", NN_FORMAT),  # sex digit must be 1 or 2
        ("2001212345", "2003-05-09", NN_FORMAT),
        ("", "1992-07-02", "Enter the national number."),
        ("9922004567", "1993-07-02", NN_MISMATCH),  # year digits disagree
        ("9922004567", "2002-07-02", NN_MISMATCH),  # 9… is for before 2000
        ("2000212345", "1999-12-31", NN_MISMATCH),  # 2000… is for 2000 onwards
    ],
)
@pytest.mark.parametrize("prefix,lang", [("", "ar"), ("/en", "en")])
def test_bad_national_numbers_are_refused_in_both_languages(
    client, national_number, birth, message, prefix, lang
):
    response = register_start(client, prefix=prefix, national_number=national_number, date_of_birth=birth)
    assert response.status_code == 422
    text = page_text(response)
    assert f'<html lang="{lang}"' in text
    assert translated(message, lang) in text
    if lang == "en":
        assert message in text
    assert not User.objects.exists()
    assert not PendingRegistration.objects.exists()
    assert latest_message_to(SARA_PHONE) is None


def test_arabic_page_uses_the_arabic_catalogue_when_present(client):
    """The Arabic message is the catalogue's: when the catalogue has a translation, the
    English text must not appear on the Arabic page."""
    response = register_start(client, prefix="", national_number="1922004567")
    ar = translated(NN_FORMAT, "ar")
    assert ar in page_text(response)
    if ar != NN_FORMAT:
        assert NN_FORMAT not in page_text(response)


@pytest.mark.parametrize(
    "overrides,field_message",
    [
        ({"date_of_birth": "1992-13-45"}, "Enter a real date of birth, for example 1990-05-21."),
        ({"date_of_birth": "yesterday"}, "Enter a real date of birth, for example 1990-05-21."),
        ({"date_of_birth": "2999-01-01"}, "Enter a real date of birth, for example 1990-05-21."),
        ({"date_of_birth": ""}, "This field is required."),
        ({"phone": "0791"}, "Enter a Jordanian mobile number"),
        ({"phone": "0612345678"}, "Enter a Jordanian mobile number (077, 078 or 079 followed by 7 digits)."),
        (
            {"phone": "+201001234567"},
            "Enter a Jordanian mobile number (077, 078 or 079 followed by 7 digits).",
        ),
        ({"phone": "07911122334455667788"}, "Enter a Jordanian mobile number"),
        ({"phone": "phone"}, "Enter a Jordanian mobile number such as 0791234567."),
        ({"name_ar": ""}, "This field is required."),
        ({"name_ar": "<script>"}, "The name can contain letters, spaces, hyphens and apostrophes only."),
        ({"name_ar": "سارة 2"}, "The name can contain letters, spaces, hyphens and apostrophes only."),
        ({"name_ar": "س" * 10_000}, "Ensure this value has at most 200 characters"),
        ({"kind": "alien"}, "Select a valid choice."),
        ({"password": "short"}, "at least 8 characters"),
        ({"password": "password123"}, "This password is too common."),
        ({"password": "x" * 257}, "at most 256 characters"),
        ({"password": "x" * 100_000}, "Ensure this value has at most 1024 characters"),
        ({"password": "my number is 9922004567"}, "must not contain your national number"),
        ({"password": "0791112233 is my phone"}, None),
    ],
)
def test_bad_input_gets_a_clear_error_and_writes_nothing(client, overrides, field_message):
    response = register_start(client, **overrides)
    if field_message is None:
        assert response.status_code in (302, 422)
        return
    assert response.status_code == 422, response
    assert field_message in page_text(response)
    assert 'class="error-summary"' in page_text(response)
    assert not User.objects.exists()
    assert not PendingRegistration.objects.exists()
    assert latest_message_to(SARA_PHONE) is None


def test_minor_cannot_register(client):
    birth = (timezone.localdate() - timedelta(days=365 * 10)).isoformat()
    response = register_start(client, national_number="2000212345", date_of_birth=birth)
    assert response.status_code == 422
    assert "at least 15 years old" in page_text(response)


@pytest.mark.parametrize(
    "password",
    [
        "12345678zq",  # exactly meets the length, no composition rules
        "abcdwxyzqp",
        "كلمة سر عربية طويلة",
        "пароль-очень-длинный",
        "🔑🔑🔑🔑🔑🔑🔑🔑",
        "x" * 200 + " long passphrase",
        "p" * 256,
    ],
)
def test_passwords_any_unicode_no_composition_rules(client, password):
    register(client, password=password)
    client.post("/en/logout/")
    response = login(Client(), "9922004567", password)
    assert response.status_code == 302
    assert response["Location"] == "/en/account/"


def test_password_nfkc_normalised(client):
    register(client, password="ｆｕｌｌｗｉｄｔｈ ｐａｓｓ")  # full-width letters
    assert login(Client(), "9922004567", "fullwidth pass").status_code == 302


def test_resident_registers_with_passport_and_nationality(client):
    response = register(
        client,
        kind="resident",
        national_number="",
        nationality="eg",
        passport_number="a 1234567",
        personal_number="",
        date_of_birth="1985-02-10",
        name_ar="محمد علي",
        name_en="Mohamed Ali",
    )
    assert response.status_code == 302 and response["Location"] == "/en/account/"
    user = User.objects.get()
    assert user.kind == "resident"
    assert (user.nationality, user.passport_number, user.national_number) == ("EG", "A1234567", None)
    assert user.username == "eg-a1234567"
    assert user.assurance_level == "low"
    client.post("/en/logout/")
    assert login(Client(), "EG-A1234567", SARA["password"]).status_code == 302


def test_resident_with_personal_number_logs_in_with_it(client):
    register(
        client,
        kind="resident",
        national_number="",
        nationality="SY",
        passport_number="N0123456",
        personal_number="٩٨٧٦٥٤٣٢١",
        date_of_birth="1985-02-10",
    )
    user = User.objects.get()
    assert user.personal_number == "987654321" and user.username == "987654321"
    assert login(Client(), "987654321", SARA["password"]).status_code == 302


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"nationality": ""}, "Choose your nationality."),
        ({"nationality": "JO"}, "Choose your nationality."),
        ({"nationality": "1X"}, "Choose your nationality."),
        ({"passport_number": ""}, "Enter the passport number as printed"),
        ({"passport_number": "AB#12345"}, "Enter the passport number as printed"),
        ({"personal_number": "12ab"}, "The personal number is made of digits only"),
    ],
)
def test_resident_bad_input(client, overrides, message):
    data = {"kind": "resident", "national_number": "", "nationality": "EG", "passport_number": "A1234567"}
    response = register_start(client, **{**data, **overrides})
    assert response.status_code == 422
    assert message in page_text(response)
    assert not PendingRegistration.objects.exists()


def test_same_passport_cannot_register_twice(client):
    resident = {"kind": "resident", "national_number": "", "nationality": "EG", "passport_number": "A1234567"}
    register(client, **resident)
    other = Client()
    response = register_start(other, phone="0782223344", personal_number="123456789", **resident)
    assert response.status_code == 302  # same page as for a new identity
    assert latest_message_to("+962782223344") is None  # no code to the new number
    assert User.objects.count() == 1
    duplicate_note = latest_message_to(SARA_PHONE)
    assert duplicate_note.purpose == "registration_duplicate"


def test_existing_identity_gets_the_same_page_and_no_code(client, demo):
    """Registering with a national number that has an account: same answer as for a new
    one (no enumeration), no code to the new number, the account holder is told."""
    fresh = register_start(Client(), national_number="9901234567", date_of_birth="1990-01-01")
    taken = register_start(client, national_number="9861001234", date_of_birth="1986-03-14")
    assert fresh.status_code == taken.status_code == 302
    assert fresh["Location"] == taken["Location"]
    page_taken = strip_csrf(page_text(client.get("/en/register/verify/")))
    assert latest_message_to(SARA_PHONE).purpose == "otp_register"  # the fresh one
    assert OneTimeCode.objects.count() == 1
    ahmad_note = latest_message_to("+962791234567")
    assert ahmad_note.purpose == "registration_duplicate"
    # Whatever code is typed, no account is made.
    response = client.post("/en/register/verify/", {"otp": "123456"})
    assert response.status_code == 422
    assert User.objects.filter(national_number="9861001234").count() == 1
    assert "9861001234" not in page_taken
    assert AuditEvent.objects.filter(action="registration.start", outcome="denied").exists()


def test_wrong_expired_and_replayed_codes(client):
    register_start(client)
    code = last_code(SARA_PHONE)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/en/register/verify/", {"otp": wrong})
    assert response.status_code == 422
    assert "The code is not correct." in page_text(response)
    for bad in ["", "12", "abcdef", "1" * 21]:
        response = client.post("/en/register/verify/", {"otp": bad})
        assert response.status_code == 422
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post("/en/register/verify/", {"otp": code})
    assert response.status_code == 422
    assert "This code has expired." in page_text(response)
    assert not User.objects.exists()
    # A new code (after the resend interval) works once.
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    assert client.post("/en/register/verify/", {"action": "resend"}).status_code == 302
    new_code = last_code(SARA_PHONE)
    assert client.post("/en/register/verify/", {"otp": new_code})["Location"] == "/en/account/"
    assert User.objects.count() == 1
    # Replaying it in another browser with the same pending registration does nothing.
    pending = PendingRegistration.objects.get()
    other = Client()
    session = other.session
    session["bawaba_registration"] = str(pending.id)
    session.save()
    replay = other.post("/en/register/verify/", {"otp": new_code})
    assert replay.status_code in (302, 422)
    assert User.objects.count() == 1
    assert other.get("/en/account/").status_code == 302


def test_five_failures_lock_and_a_new_code_does_not_reset_the_count(client):
    register_start(client)
    first = last_code(SARA_PHONE)
    wrong = "000000" if first != "000000" else "111111"
    for _ in range(3):
        assert client.post("/en/register/verify/", {"otp": wrong}).status_code == 422
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    client.post("/en/register/verify/", {"action": "resend"})
    second = last_code(SARA_PHONE)
    assert second != first or OneTimeCode.objects.count() == 2
    wrong = "000000" if second != "000000" else "111111"
    for _ in range(2):
        assert client.post("/en/register/verify/", {"otp": wrong}).status_code == 422
    locked = client.post("/en/register/verify/", {"otp": second})
    assert locked.status_code == 429
    assert not User.objects.exists()


def test_resend_is_rate_limited(client):
    register_start(client)
    client.post("/en/register/verify/", {"action": "resend"})  # within 30 s: refused
    assert OneTimeCode.objects.count() == 1
    for _ in range(6):
        OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=1))
        client.post("/en/register/verify/", {"action": "resend"})
    assert OneTimeCode.objects.count() == 5  # at most five an hour


def test_expired_pending_registration_starts_again(client):
    register_start(client)
    code = last_code(SARA_PHONE)
    PendingRegistration.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post("/en/register/verify/", {"otp": code})
    assert response.status_code == 302 and response["Location"] == "/en/register/"
    assert not User.objects.exists()


def test_verify_page_without_registration_redirects(client):
    response = client.get("/en/register/verify/")
    assert response.status_code == 302 and response["Location"] == "/en/register/"


def test_two_registrations_of_one_identity_racing_make_one_account():
    """Both registrations start before either completes (so neither sees an account);
    the unique constraint lets only one finish. The other gets a clear conflict."""
    a, b = Client(), Client()
    assert register_start(a, phone="0791112233").status_code == 302
    code_a = last_code("+962791112233")
    assert register_start(b, phone="0782223344").status_code == 302
    code_b = last_code("+962782223344")
    assert a.post("/en/register/verify/", {"otp": code_a})["Location"] == "/en/account/"
    response = b.post("/en/register/verify/", {"otp": code_b})
    assert response.status_code == 409
    assert "An account already exists for this identity." in page_text(response)
    assert User.objects.filter(national_number="9922004567").count() == 1
    assert b.get("/en/account/").status_code == 302


def test_logged_in_user_is_sent_to_account(logged_in_ahmad):
    response = logged_in_ahmad.get("/en/register/")
    assert response.status_code == 302 and response["Location"] == "/en/account/"


# --- over the API -------------------------------------------------------------------


def api_register(client, **overrides):
    body = {**SARA, **overrides}
    return client.post("/api/v1/registrations", body, content_type="application/json")


def test_registration_over_the_api(client):
    response = api_register(client)
    assert response.status_code == 202, response.content
    reg_id = response.json()["registration_id"]
    assert response.json()["code_sent_to"] == "+96279*****33"
    wrong = client.post(f"/api/v1/registrations/{reg_id}/verify", {"code": "000000"}, "application/json")
    if last_code(SARA_PHONE) != "000000":
        assert wrong.status_code == 422
        assert wrong.json()["code"] == "code_invalid"
    ok = client.post(
        f"/api/v1/registrations/{reg_id}/verify", {"code": last_code(SARA_PHONE)}, "application/json"
    )
    assert ok.status_code == 201
    assert ok.json()["assurance_level"] == "substantial"
    again = client.post(
        f"/api/v1/registrations/{reg_id}/verify", {"code": last_code(SARA_PHONE)}, "application/json"
    )
    assert again.status_code == 404
    assert again.json()["code"] == "registration_expired"


@pytest.mark.parametrize(
    "overrides,code,field",
    [
        ({"national_number": "1922004567"}, "national_number_format", "national_number"),
        ({"national_number": "123"}, "national_number_length", "national_number"),
        ({"date_of_birth": "1993-07-02"}, "national_number_birth_date_mismatch", "national_number"),
        ({"phone": "0612345678"}, "phone_not_jordan_mobile", "phone"),
        ({"password": "password123"}, "password_invalid", "password"),
        ({"kind": "alien"}, "kind_invalid", "kind"),
    ],
)
def test_api_registration_errors(client, overrides, code, field):
    response = api_register(client, **overrides)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code and body["field"] == field and body["message"]
    assert not PendingRegistration.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"date_of_birth": "1992-07-02"},
        {**SARA, "password": "x" * 100_000},
        {**SARA, "name_ar": "x" * 10_000},
        {**SARA, "date_of_birth": "not a date"},
        {**SARA, "national_number": 9922004567},
    ],
)
def test_api_registration_malformed(client, body):
    response = client.post("/api/v1/registrations", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] in ("invalid_request", "birth_date_invalid")
    assert not PendingRegistration.objects.exists()


def test_api_verify_unknown_registration(client):
    response = client.post(
        "/api/v1/registrations/00000000-0000-0000-0000-000000000000/verify",
        {"code": "123456"},
        "application/json",
    )
    assert response.status_code == 404
    bad_id = client.post("/api/v1/registrations/not-a-uuid/verify", {"code": "123456"}, "application/json")
    assert bad_id.status_code in (404, 422)
