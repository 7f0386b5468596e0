"""The authorization code exchange (POST /oidc/token, grant_type=authorization_code) as
production runs it: outside any test transaction (on PostgreSQL the code's use and the issue
of its tokens are one statement), every refusal leaving nothing issued, and one code
presented by several requests at once."""

from __future__ import annotations

import contextlib
import time

import httpx
import pytest
from django.db import connection

from .conftest import ISSUER, RP_CALLBACK, at_once, decode_id_token, pkce_pair

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def person(demo):
    return demo["2000112345"]  # Mahmoud: profile claims, a date of birth, a verified mobile


def _code(client, person, *, challenge: str, scope: str = "openid profile phone") -> str:
    """A code as the authorization endpoint saves it."""
    from bawaba.sso import services, tokens

    code = tokens.new_secret(32)
    services.code_save(
        code=code,
        client=client,
        user_id=person.pk,
        redirect_uri=RP_CALLBACK,
        scope=scope,
        nonce="n-exchange",
        code_challenge=challenge,
        code_challenge_method="S256" if challenge else "",
        sid="sid-exchange",
        auth_time=int(time.time()) - 5,
        acr="loa-low",
        amr=["pwd", "rec"],
    )
    return code


def _exchange(transport, client, secret, code, **fields):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": RP_CALLBACK, **fields}
    data = {k: v for k, v in data.items() if v is not None}
    if secret is None:
        data["client_id"] = client.client_id
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        return c.post("/oidc/token", data=data, auth=(client.client_id, secret) if secret else None)


@contextlib.contextmanager
def _statements():
    """The SQL the connection runs in the block."""
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield statements


def _touching_the_code(statements: list[str]) -> list[str]:
    from bawaba.sso.models import AuthorizationCode

    return [sql for sql in statements if AuthorizationCode._meta.db_table in sql]


def _used(code: str) -> bool:
    from bawaba.sso import tokens
    from bawaba.sso.models import AuthorizationCode

    return AuthorizationCode.objects.get(code_hash=tokens.sha256(code)).used_at is not None


def test_exchange_outside_a_transaction(transport, make_client, person):
    from bawaba.sso import tokens
    from bawaba.sso.models import AuthorizationCode, RefreshToken, TokenFamily

    client, secret = make_client(first_party=True)
    verifier, challenge = pkce_pair()
    code = _code(client, person, challenge=challenge)
    assert not connection.in_atomic_block  # the path production takes
    with _statements() as statements:
        r = _exchange(transport, client, secret, code, code_verifier=verifier)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["scope"] == "openid profile phone" and body["token_type"] == "Bearer"
    row = AuthorizationCode.objects.get(code_hash=tokens.sha256(code))
    family = TokenFamily.objects.get()
    assert row.used_at is not None and family.code_id == row.pk and family.revoked_at is None
    assert (family.user_id, family.client_id, family.scope) == (person.pk, client.pk, "openid profile phone")
    assert (family.sid, family.acr, family.amr, family.auth_time) == (
        "sid-exchange",
        "loa-low",
        ["pwd", "rec"],
        row.auth_time,
    )
    assert RefreshToken.objects.get(token_hash=tokens.sha256(body["refresh_token"])).family_id == family.pk
    at = tokens.decode(body["access_token"], typ=tokens.AT_TYP)
    assert at and at["fid"] == str(family.pk) and at["sid"] == "sid-exchange"
    # the ID token: the code's authentication and nonce, the person's claims for the scope
    idt = decode_id_token(transport, body["id_token"], client.client_id, nonce="n-exchange").claims
    assert (idt["auth_time"], idt["acr"], idt["amr"], idt["sid"]) == (
        row.auth_time,
        "loa-low",
        ["otp", "pwd"],
        "sid-exchange",
    )
    assert (
        idt["sub"] == at["sub"]
        and idt["name#en"] == "Mahmoud Sami Al-Omari"
        and idt["name"] == person.name_ar
    )
    assert idt["birthdate"] == "2001-09-30" and idt["phone_number"] == person.phone
    assert idt["phone_number_verified"] is True and "email" not in idt and "national_number" not in idt
    # on PostgreSQL the code is used and its tokens stored by one statement
    if connection.vendor == "postgresql":
        (one,) = _touching_the_code(statements)
        assert TokenFamily._meta.db_table in one and RefreshToken._meta.db_table in one
    # the refresh token works
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        r = c.post(
            "/oidc/token",
            data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
            auth=(client.client_id, secret),
        )
    assert r.status_code == 200, r.text


def test_a_client_without_refresh_tokens_gets_none(transport, make_client, person):
    from bawaba.sso import tokens
    from bawaba.sso.models import RefreshToken, TokenFamily

    client, secret = make_client(first_party=True, grant_types=["authorization_code"])
    verifier, challenge = pkce_pair()
    code = _code(client, person, challenge=challenge, scope="openid")
    with _statements() as statements:
        r = _exchange(transport, client, secret, code, code_verifier=verifier)
    assert r.status_code == 200, r.text
    if connection.vendor == "postgresql":
        (one,) = _touching_the_code(statements)
        assert TokenFamily._meta.db_table in one and RefreshToken._meta.db_table not in one
    body = r.json()
    assert "refresh_token" not in body and body["id_token"] and body["scope"] == "openid"
    family = TokenFamily.objects.get()
    assert tokens.decode(body["access_token"], typ=tokens.AT_TYP)["fid"] == str(family.pk)
    assert not RefreshToken.objects.exists()
    idt = decode_id_token(transport, body["id_token"], client.client_id, nonce="n-exchange").claims
    assert "name" not in idt and "phone_number" not in idt  # openid alone: no profile claims


def _refusal_case(case, make_client, person, settings):
    """(client, secret, code, request fields, expected error)."""
    from bawaba.identity import services as identity_services

    public = case in ("public_without_verifier", "public_wrong_verifier")
    client, secret = make_client(first_party=True, public=public)
    verifier, challenge = pkce_pair()
    other_verifier, _ = pkce_pair()
    if case == "expired":
        settings.BAWABA_OIDC_CODE_TTL = -1
    code = _code(client, person, challenge="" if case == "verifier_without_challenge" else challenge)
    fields: dict = {"code_verifier": verifier}
    error = "invalid_grant"
    if case in ("wrong_verifier", "public_wrong_verifier"):
        fields["code_verifier"] = other_verifier
    elif case in ("missing_verifier", "public_without_verifier"):
        fields["code_verifier"] = None
        error = "invalid_request"
    elif case == "malformed_verifier":
        fields["code_verifier"] = "too-short"
        error = "invalid_request"
    elif case == "verifier_without_challenge":
        error = "invalid_request"
    elif case == "redirect_uri_mismatch":
        fields["redirect_uri"] = "https://rp.example.jo/elsewhere"
    elif case == "redirect_uri_missing":
        fields["redirect_uri"] = None
    elif case == "inactive_person":
        identity_services.account_deactivate(user=person)
    return client, secret, code, fields, error, verifier


@pytest.mark.parametrize(
    "case",
    [
        "wrong_verifier",
        "missing_verifier",
        "malformed_verifier",
        "verifier_without_challenge",
        "public_without_verifier",
        "public_wrong_verifier",
        "redirect_uri_mismatch",
        "redirect_uri_missing",
        "expired",
        "inactive_person",
    ],
)
def test_a_refused_exchange_issues_nothing_and_uses_the_code_up(
    case, transport, make_client, person, settings
):
    from bawaba.sso.models import RefreshToken, TokenFamily

    client, secret, code, fields, error, verifier = _refusal_case(case, make_client, person, settings)
    r = _exchange(transport, client, secret, code, **fields)
    assert r.status_code == 400 and r.json()["error"] == error, r.text
    assert "access_token" not in r.json()
    assert not TokenFamily.objects.exists() and not RefreshToken.objects.exists()
    assert _used(code)
    # the code is used up: presented again as it should have been, it is refused
    settings.BAWABA_OIDC_CODE_TTL = 60
    r = _exchange(transport, client, secret, code, code_verifier=verifier)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert not TokenFamily.objects.exists()


def test_another_clients_code_is_refused_and_left_alone(transport, make_client, person):
    from bawaba.core.models import AuditEvent
    from bawaba.sso.models import TokenFamily

    client, secret = make_client(first_party=True)
    other, other_secret = make_client(first_party=True, name_en="Other service")
    verifier, challenge = pkce_pair()
    code = _code(client, person, challenge=challenge)
    r = _exchange(transport, other, other_secret, code, code_verifier=verifier)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert not TokenFamily.objects.exists() and not _used(code)
    assert not AuditEvent.objects.filter(action="sso.code.replay").exists()
    # its own client still can
    assert _exchange(transport, client, secret, code, code_verifier=verifier).status_code == 200


def test_replay_revokes_what_the_code_gave_and_is_audited(transport, make_client, person):
    from bawaba.core.models import AuditEvent
    from bawaba.sso.models import TokenFamily

    client, secret = make_client(first_party=True)
    verifier, challenge = pkce_pair()
    code = _code(client, person, challenge=challenge)
    assert _exchange(transport, client, secret, code, code_verifier=verifier).status_code == 200
    r = _exchange(transport, client, secret, code, code_verifier=verifier)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert TokenFamily.objects.get().revoked_reason == "code_replay"
    event = AuditEvent.objects.get(action="sso.code.replay")
    assert event.outcome == "failure" and event.object_id == client.client_id
    assert event.data == {"families_revoked": 1}


def test_same_code_presented_concurrently(transport, make_client, person):
    from bawaba.sso.models import TokenFamily

    client, secret = make_client(first_party=True)
    verifier, challenge = pkce_pair()
    code = _code(client, person, challenge=challenge)
    n = 4
    responses = at_once(n, lambda: _exchange(transport, client, secret, code, code_verifier=verifier))
    statuses, bodies = [r.status_code for r in responses], [r.text for r in responses]
    assert sorted(statuses) == [200] + [400] * (n - 1), bodies
    family = TokenFamily.objects.get()  # one winner, one family
    if connection.vendor == "postgresql":
        # its family was stored with the code's use, so the losers' replay revoked it
        assert family.revoked_reason == "code_replay", bodies


def test_authorization_codes_are_48_random_letters_and_digits():
    from bawaba.sso.server import AuthorizationCodeGrant

    grant = AuthorizationCodeGrant.__new__(AuthorizationCodeGrant)  # the method needs no request
    codes = {grant.generate_authorization_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 48 and c.isascii() and c.isalnum() for c in codes)
