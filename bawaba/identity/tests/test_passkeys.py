"""Passkeys at the protocol level: a software authenticator registers a credential and
signs assertions; the server's WebAuthn verification runs for real."""

import json

import pytest
from django.test import Client

from bawaba.conftest import login
from bawaba.core.auth import SESSION_AMR
from bawaba.core.models import AuditEvent
from bawaba.identity.models import Passkey, UserSession
from bawaba.identity.services import passkeys as passkey_services

from .webauthn_soft import FLAG_UP, SoftAuthenticator

pytestmark = pytest.mark.django_db


def post_json(client: Client, url: str, body: dict | None = None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def register_passkey(client: Client, authenticator: SoftAuthenticator, name: str = "My phone"):
    options = post_json(client, "/en/account/security/passkeys/options/")
    assert options.status_code == 200, options.content
    credential = authenticator.create(options.json())
    return post_json(client, "/en/account/security/passkeys/", {"credential": credential, "name": name})


def is_logged_in(client: Client) -> bool:
    return client.get("/en/account/").status_code == 200


def test_rp_id_and_origin_under_test_settings():
    assert passkey_services.rp_id() == "testserver"
    assert passkey_services.expected_origins() == ["http://testserver"]


def test_rp_id_for_an_ip_address_base_url_is_localhost(settings):
    settings.BASE_URL = "http://127.0.0.1:8000"
    assert passkey_services.rp_id() == "localhost"
    assert "http://localhost:8000" in passkey_services.expected_origins()


@pytest.fixture
def ahmad_with_passkey(logged_in_ahmad, demo):
    authenticator = SoftAuthenticator()
    response = register_passkey(logged_in_ahmad, authenticator)
    assert response.status_code == 201, response.content
    return authenticator


def test_register_passkey_from_account_page(logged_in_ahmad, demo):
    options = post_json(logged_in_ahmad, "/en/account/security/passkeys/options/").json()
    assert options["rp"]["id"] == "testserver"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    authenticator = SoftAuthenticator()
    credential = authenticator.create(options)
    response = post_json(
        logged_in_ahmad, "/en/account/security/passkeys/", {"credential": credential, "name": "Pixel"}
    )
    assert response.status_code == 201, response.content
    passkey = Passkey.objects.get(user=demo["9861001234"])
    assert passkey.credential_id == authenticator.credential_id_b64
    assert passkey.name == "Pixel"
    assert AuditEvent.objects.filter(action="mfa.passkey.register", outcome="success").exists()
    page = logged_in_ahmad.get("/en/account/security/").content.decode()
    assert "Pixel" in page
    # The next registration options exclude the registered credential.
    options = post_json(logged_in_ahmad, "/en/account/security/passkeys/options/").json()
    assert [c["id"] for c in options["excludeCredentials"]] == [authenticator.credential_id_b64]


def test_same_passkey_cannot_be_registered_twice(logged_in_ahmad, ahmad_with_passkey):
    again = register_passkey(logged_in_ahmad, ahmad_with_passkey)
    assert again.status_code == 422
    assert again.json()["code"] == "passkey_exists"
    assert Passkey.objects.count() == 1


@pytest.mark.parametrize(
    "tamper",
    [
        {"origin": "http://evil.example"},
        {"rp_id": "evil.example"},
    ],
)
def test_registration_with_wrong_origin_or_rp_is_refused(logged_in_ahmad, tamper):
    options = post_json(logged_in_ahmad, "/en/account/security/passkeys/options/").json()
    credential = SoftAuthenticator().create(options, **tamper)
    response = post_json(logged_in_ahmad, "/en/account/security/passkeys/", {"credential": credential})
    assert response.status_code == 422
    assert response.json()["code"] == "passkey_invalid"
    assert not Passkey.objects.exists()
    assert AuditEvent.objects.filter(action="mfa.passkey.register", outcome="failure").exists()


def test_registration_without_options_or_with_garbage(logged_in_ahmad):
    no_challenge = post_json(logged_in_ahmad, "/en/account/security/passkeys/", {"credential": {}})
    assert no_challenge.status_code == 400
    post_json(logged_in_ahmad, "/en/account/security/passkeys/options/")
    garbage = logged_in_ahmad.post(
        "/en/account/security/passkeys/", data=b"\xff\xfe not json", content_type="application/json"
    )
    assert garbage.status_code == 400
    post_json(logged_in_ahmad, "/en/account/security/passkeys/options/")
    bad = post_json(logged_in_ahmad, "/en/account/security/passkeys/", {"credential": {"id": "x"}})
    assert bad.status_code == 422
    assert not Passkey.objects.exists()


def test_registration_needs_login(client, demo):
    assert post_json(client, "/en/account/security/passkeys/options/").status_code == 302
    assert post_json(client, "/en/account/security/passkeys/", {"credential": {}}).status_code == 302


def passwordless_login(client: Client, authenticator: SoftAuthenticator, **kwargs):
    options = post_json(client, "/en/login/passkey/options/")
    assert options.status_code == 200
    return post_json(client, "/en/login/passkey/", authenticator.get(options.json(), **kwargs))


def test_passwordless_login_with_passkey(ahmad_with_passkey, demo):
    client = Client()
    options = post_json(client, "/en/login/passkey/options/").json()
    assert options["rpId"] == "testserver"
    assert options.get("allowCredentials", []) == []  # discoverable credentials
    response = post_json(client, "/en/login/passkey/", ahmad_with_passkey.get(options))
    assert response.status_code == 200, response.content
    assert response.json()["redirect"] == "/en/account/"
    assert is_logged_in(client)
    amr = client.session[SESSION_AMR]
    assert "hwk" in amr and "mfa" in amr
    passkey = Passkey.objects.get()
    assert passkey.sign_count == ahmad_with_passkey.sign_count
    assert passkey.last_used_at is not None
    assert AuditEvent.objects.filter(action="login.passkey", outcome="success").exists()
    assert AuditEvent.objects.filter(action="login.success", actor_id=str(demo["9861001234"].pk)).exists()


def test_passkey_as_second_factor(ahmad_with_passkey, demo):
    client = Client()
    first = client.post("/en/login/", {"username": "9861001234", "password": "Bawaba-Demo-2026"})
    assert first["Location"] == "/en/login/verify/"
    page = client.get("/en/login/verify/").content.decode()
    assert "data-passkey-login" in page
    options = post_json(client, "/en/login/passkey/options/").json()
    assert [c["id"] for c in options["allowCredentials"]] == [ahmad_with_passkey.credential_id_b64]
    response = post_json(client, "/en/login/passkey/", ahmad_with_passkey.get(options))
    assert response.status_code == 200, response.content
    assert is_logged_in(client)
    amr = client.session[SESSION_AMR]
    assert {"pwd", "hwk", "mfa"} <= set(amr)


def test_someone_elses_passkey_is_not_a_second_factor_for_me(ahmad_with_passkey, demo):
    client = Client()
    client.post("/en/login/", {"username": "admin", "password": "Bawaba-Admin-2026"})
    options = post_json(client, "/en/login/passkey/options/").json()
    response = post_json(client, "/en/login/passkey/", ahmad_with_passkey.get(options))
    assert response.status_code == 401
    assert response.json()["code"] == "passkey_unknown"
    assert not is_logged_in(client)


@pytest.mark.parametrize(
    "kwargs,code",
    [
        ({"tamper_signature": True}, "passkey_invalid"),
        ({"other_key": True}, "passkey_invalid"),
        ({"challenge": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "passkey_invalid"),
        ({"origin": "https://evil.example"}, "passkey_invalid"),
        ({"flags": FLAG_UP}, "passkey_invalid"),  # no user verification
    ],
)
def test_bad_assertions_are_refused(ahmad_with_passkey, kwargs, code):
    client = Client()
    sessions_before = UserSession.objects.count()
    response = passwordless_login(client, ahmad_with_passkey, **kwargs)
    assert response.status_code == 401, response.content
    assert response.json()["code"] == code
    assert not is_logged_in(client)
    assert UserSession.objects.count() == sessions_before
    assert AuditEvent.objects.filter(action="login.passkey", outcome="failure").exists()


def test_unknown_credential_is_refused(ahmad_with_passkey):
    client = Client()
    stranger = SoftAuthenticator()
    response = passwordless_login(client, stranger)
    assert response.status_code == 401
    assert response.json()["code"] == "passkey_unknown"
    assert not is_logged_in(client)


def test_assertion_cannot_be_replayed(ahmad_with_passkey):
    client = Client()
    options = post_json(client, "/en/login/passkey/options/").json()
    assertion = ahmad_with_passkey.get(options)
    assert post_json(client, "/en/login/passkey/", assertion).status_code == 200
    other = Client()
    post_json(other, "/en/login/passkey/options/")
    replay = post_json(other, "/en/login/passkey/", assertion)  # challenge differs
    assert replay.status_code == 401
    again = post_json(Client(), "/en/login/passkey/", assertion)  # no challenge at all
    assert again.status_code == 400
    assert not is_logged_in(other)


def test_assertion_with_malformed_body(ahmad_with_passkey):
    client = Client()
    post_json(client, "/en/login/passkey/options/")
    response = client.post("/en/login/passkey/", data=b"{not json", content_type="application/json")
    assert response.status_code == 400
    post_json(client, "/en/login/passkey/options/")
    response = post_json(client, "/en/login/passkey/", {"id": 5, "response": "x"})
    assert 400 <= response.status_code < 500
    post_json(client, "/en/login/passkey/options/")
    response = client.post("/en/login/passkey/", data="[1, 2]", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert not is_logged_in(client)


def test_remove_passkey(logged_in_ahmad, ahmad_with_passkey, demo):
    passkey = Passkey.objects.get()
    response = logged_in_ahmad.post(f"/en/account/security/passkeys/{passkey.id}/remove/")
    assert response.status_code == 302
    assert not Passkey.objects.exists()
    assert AuditEvent.objects.filter(action="mfa.passkey.remove").exists()
    # Now the passkey no longer logs in.
    assert passwordless_login(Client(), ahmad_with_passkey).status_code == 401


def test_cannot_remove_someone_elses_passkey(ahmad_with_passkey, demo):
    passkey = Passkey.objects.get()
    other = Client()
    login(other, "2000112345", "Bawaba-Demo-2026")
    other.post(f"/en/account/security/passkeys/{passkey.id}/remove/")
    assert Passkey.objects.filter(pk=passkey.pk).exists()
