"""Refresh rotation as production runs it: outside any test transaction (on PostgreSQL the
check and the rotation are one statement with an asynchronous commit), and with the same
refresh token presented by several requests at once."""

from __future__ import annotations

import httpx
import pytest
from django.db import connection

from .conftest import ISSUER, at_once, decode_id_token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def issued(make_client, demo):
    from bawaba.identity.selectors import user_by_identifier
    from bawaba.sso import services
    from bawaba.sso.models import TokenFamily

    client, secret = make_client(first_party=True)
    user = user_by_identifier("2000112345")
    family = TokenFamily.objects.create(
        client=client, user=user, scope="openid profile", sid="", auth_time=1, acr="loa-low", amr=["pwd"]
    )
    return client, secret, family, services._refresh_new(family.pk)


def _refresh(transport, client, secret, token, **extra):
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        return c.post(
            "/oidc/token",
            data={"grant_type": "refresh_token", "refresh_token": token, **extra},
            auth=(client.client_id, secret),
        )


def test_rotation_outside_a_transaction(transport, issued):
    from bawaba.sso import tokens
    from bawaba.sso.models import RefreshToken, TokenFamily

    client, secret, family, t0 = issued
    assert not connection.in_atomic_block  # the path production takes
    r = _refresh(transport, client, secret, t0)
    assert r.status_code == 200, r.text
    body = r.json()
    t1 = body["refresh_token"]
    assert body["scope"] == "openid profile" and body["token_type"] == "Bearer"
    claims = tokens.decode(body["access_token"], typ=tokens.AT_TYP)
    assert claims and claims["fid"] == str(family.pk) and claims["acr"] == "loa-low"
    # a new ID token for the original authentication (the family's auth_time, acr, amr)
    idt = decode_id_token(transport, body["id_token"], client.client_id).claims
    assert (idt["auth_time"], idt["acr"], idt["amr"]) == (1, "loa-low", ["pwd"]) and "nonce" not in idt
    assert "sid" not in idt and idt["name#en"] == "Mahmoud Sami Al-Omari"
    old = RefreshToken.objects.get(token_hash=tokens.sha256(t0))
    new = RefreshToken.objects.get(token_hash=tokens.sha256(t1))
    assert old.used_at is not None and new.used_at is None and new.family_id == family.pk
    assert new.expires_at > old.created_at
    # the next rotation works from the new token
    t2 = _refresh(transport, client, secret, t1).json()["refresh_token"]
    # reuse of t0: refused, the family revoked, so t2 is refused too
    r = _refresh(transport, client, secret, t0)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert TokenFamily.objects.get(pk=family.pk).revoked_reason == "refresh_reuse"
    assert _refresh(transport, client, secret, t2).status_code == 400


def test_wrong_client_unknown_and_narrowed_scope(transport, issued, make_client):
    from bawaba.sso import tokens
    from bawaba.sso.models import RefreshToken, TokenFamily

    client, secret, family, t0 = issued
    other, other_secret = make_client(first_party=True, name_en="Other service")
    # another client's token: refused and not consumed
    assert _refresh(transport, other, other_secret, t0).status_code == 400
    assert RefreshToken.objects.get(token_hash=tokens.sha256(t0)).used_at is None
    assert _refresh(transport, client, secret, "not-a-token").status_code == 400
    # a scope beyond the family's: invalid_scope, token not consumed
    r = _refresh(transport, client, secret, t0, scope="openid phone")
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"
    assert RefreshToken.objects.get(token_hash=tokens.sha256(t0)).used_at is None
    # a narrowed scope: allowed
    r = _refresh(transport, client, secret, t0, scope="openid")
    assert r.status_code == 200 and r.json()["scope"] == "openid"
    assert TokenFamily.objects.get(pk=family.pk).revoked_at is None


def test_revoked_family_and_inactive_person(transport, issued):
    from bawaba.sso import services

    client, secret, family, t0 = issued
    t1 = services._refresh_new(family.pk)
    user = family.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _refresh(transport, client, secret, t0).status_code == 400
    user.is_active = True
    user.save(update_fields=["is_active"])
    services.family_revoke(family_id=family.pk, reason="test")
    assert _refresh(transport, client, secret, t1).status_code == 400


def test_same_token_presented_concurrently(transport, issued):
    from bawaba.sso.models import TokenFamily

    client, secret, family, t0 = issued
    n = 4
    responses = at_once(n, lambda: _refresh(transport, client, secret, t0))
    statuses, bodies = [r.status_code for r in responses], [r.text for r in responses]
    assert sorted(statuses) == [200] + [400] * (n - 1), bodies
    # the losers presented a token that had been used: the whole family is revoked
    assert TokenFamily.objects.get(pk=family.pk).revoked_reason == "refresh_reuse", bodies
