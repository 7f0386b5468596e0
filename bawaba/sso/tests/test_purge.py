"""Housekeeping: `bawaba oidc_purge` and the periodic task delete what can no longer be used
and keep what still matters (live tokens, and the records that make replays fail within
their window). Ages are set on the rows directly (time travel); everything else goes
through the protocol."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import time
import uuid

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone
from joserfc.jwk import ECKey

from bawaba.sso.models import (
    AuthorizationCode,
    PushedRequest,
    RefreshToken,
    RevokedAccessToken,
    SessionClient,
    TokenFamily,
    UsedAssertion,
)

from .conftest import ISSUER, RP_CALLBACK, authorize_url, client_assertion, code_from, pkce_pair, rp_client

TOKEN = f"{ISSUER}/oidc/token"
DAY = dt.timedelta(days=1)


def _ago(delta):
    return timezone.now() - delta


def _post(transport, path, data, auth=None):
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        return c.post(path, data=data, auth=auth)


def _login_tokens(transport, browser, client, secret):
    rp = rp_client(transport, client.client_id, secret)
    verifier, challenge = pkce_pair()
    url, _ = authorize_url(rp, code_challenge=challenge, code_challenge_method="S256")
    code = code_from(browser.get(url))["code"]
    return rp, rp.fetch_token(TOKEN, code=code, code_verifier=verifier)


def _family_of(token):
    from bawaba.sso import tokens

    return TokenFamily.objects.get(pk=tokens.decode(token["access_token"])["fid"])


def _purge():
    out = io.StringIO()
    call_command("oidc_purge", stdout=out)
    return json.loads(out.getvalue())


def test_purge_removes_the_dead_and_keeps_the_living(transport, browser, make_client, settings):
    settings.BAWABA_OIDC_RETENTION_DAYS = 7
    client, secret = make_client(first_party=True)
    browser.login()
    # a live login (refreshed once: the first refresh token is now used, recently)
    rp, live = _login_tokens(transport, browser, client, secret)
    live = rp.refresh_token(TOKEN, refresh_token=live["refresh_token"])
    live_family = _family_of(live)
    # a login revoked by the service long ago, and one revoked yesterday
    _, old = _login_tokens(transport, browser, client, secret)
    _, recent = _login_tokens(transport, browser, client, secret)
    for token in (old, recent):
        assert _post(transport, "/oidc/revoke", {"token": token["refresh_token"]}, (client.client_id, secret))
    old_family, recent_family = _family_of(old), _family_of(recent)
    TokenFamily.objects.filter(pk=old_family.pk).update(revoked_at=_ago(8 * DAY))
    TokenFamily.objects.filter(pk=recent_family.pk).update(revoked_at=_ago(DAY))
    # a login whose refresh tokens all expired long ago (never revoked)
    _, stale = _login_tokens(transport, browser, client, secret)
    stale_family = _family_of(stale)
    TokenFamily.objects.filter(pk=stale_family.pk).update(created_at=_ago(30 * DAY))
    RefreshToken.objects.filter(family=stale_family).update(
        created_at=_ago(30 * DAY), expires_at=_ago(29 * DAY)
    )
    # an access token revoked on its own (RFC 7009): listed until it expires, and a while after
    _, single = _login_tokens(transport, browser, client, secret)
    assert _post(transport, "/oidc/revoke", {"token": single["access_token"]}, (client.client_id, secret))
    _, gone = _login_tokens(transport, browser, client, secret)
    assert _post(transport, "/oidc/revoke", {"token": gone["access_token"]}, (client.client_id, secret))
    from bawaba.sso import tokens

    RevokedAccessToken.objects.filter(jti=tokens.decode(gone["access_token"])["jti"]).update(
        expires_at=_ago(8 * DAY)
    )
    # codes: one never exchanged and expired; the used ones (one from long ago)
    verifier, challenge = pkce_pair()
    url, _ = authorize_url(rp, code_challenge=challenge, code_challenge_method="S256")
    unused = code_from(browser.get(url))["code"]
    AuthorizationCode.objects.filter(used_at__isnull=True).update(expires_at=_ago(dt.timedelta(seconds=1)))
    old_code = AuthorizationCode.objects.get(tokenfamily=old_family)
    AuthorizationCode.objects.filter(pk=old_code.pk).update(expires_at=_ago(8 * DAY))
    codes_before = AuthorizationCode.objects.count()
    # pushed requests: one expired, one still usable
    data = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": RP_CALLBACK,
        "scope": "openid",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    expired_par = _post(transport, "/oidc/par", data, (client.client_id, secret)).json()["request_uri"]
    PushedRequest.objects.update(expires_at=_ago(dt.timedelta(seconds=1)))
    live_par = _post(transport, "/oidc/par", data, (client.client_id, secret)).json()["request_uri"]

    counts = _purge()

    assert counts == {
        "authorization_codes": 2,  # the unused expired one, the used one from long ago
        "pushed_requests": 1,
        "token_families": 2,  # revoked long ago; expired long ago
        "refresh_tokens": 2,  # theirs
        "revoked_access_tokens": 1,
        "client_assertions": 0,
        "session_clients": 0,
    }
    assert AuthorizationCode.objects.count() == codes_before - 2
    assert not AuthorizationCode.objects.filter(pk=old_code.pk).exists()
    assert not TokenFamily.objects.filter(pk=old_family.pk).exists()
    assert not RefreshToken.objects.filter(family_id=old_family.pk).exists()
    assert TokenFamily.objects.filter(pk=recent_family.pk).exists()  # within the retention
    assert not TokenFamily.objects.filter(pk=stale_family.pk).exists()
    assert RevokedAccessToken.objects.filter(jti=tokens.decode(single["access_token"])["jti"]).exists()
    # what is kept still works, and works as before
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        info = c.get("/oidc/userinfo", headers={"Authorization": f"Bearer {live['access_token']}"})
        assert info.status_code == 200
        single_info = c.get("/oidc/userinfo", headers={"Authorization": f"Bearer {single['access_token']}"})
        assert single_info.status_code == 401  # its revocation is still listed
    r = browser.get("/oidc/authorize", params={"client_id": client.client_id, "request_uri": live_par})
    assert code_from(r)["code"]
    r = browser.get("/oidc/authorize", params={"client_id": client.client_id, "request_uri": expired_par})
    assert r.status_code == 400 and "invalid_request_uri" in r.text
    unused_r = _post(
        transport,
        "/oidc/token",
        {
            "grant_type": "authorization_code",
            "code": unused,
            "code_verifier": verifier,
            "redirect_uri": RP_CALLBACK,
        },
        (client.client_id, secret),
    )
    assert unused_r.status_code == 400 and unused_r.json()["error"] == "invalid_grant"
    assert RefreshToken.objects.filter(family=live_family).count() == 2  # the used one is kept
    assert _purge() == dict.fromkeys(counts, 0)  # idempotent
    assert rp.refresh_token(TOKEN, refresh_token=live["refresh_token"])["id_token"]


def test_reuse_and_replay_detection_last_as_long_as_the_retention(transport, browser, make_client, settings):
    settings.BAWABA_OIDC_RETENTION_DAYS = 7
    client, secret = make_client(first_party=True)
    browser.login()
    rp = rp_client(transport, client.client_id, secret)
    verifier, challenge = pkce_pair()
    url, _ = authorize_url(rp, code_challenge=challenge, code_challenge_method="S256")
    code = code_from(browser.get(url))["code"]
    t1 = rp.fetch_token(TOKEN, code=code, code_verifier=verifier)
    t2 = rp.refresh_token(TOKEN, refresh_token=t1["refresh_token"])
    # six days on: the used refresh token and the used code are still known
    RefreshToken.objects.filter(used_at__isnull=False).update(used_at=_ago(6 * DAY))
    AuthorizationCode.objects.update(expires_at=_ago(6 * DAY))
    assert _purge()["refresh_tokens"] == 0
    # the code replayed: refused, and the tokens issued with it revoked
    replay = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": verifier,
        "redirect_uri": RP_CALLBACK,
    }
    r = _post(transport, "/oidc/token", replay, (client.client_id, secret))
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    r = _post(
        transport,
        "/oidc/token",
        {"grant_type": "refresh_token", "refresh_token": t2["refresh_token"]},
        (client.client_id, secret),
    )
    assert r.status_code == 400  # revoked by the replay
    assert TokenFamily.objects.get().revoked_reason == "code_replay"


def test_used_refresh_token_forgotten_after_the_retention(transport, browser, make_client, settings):
    settings.BAWABA_OIDC_RETENTION_DAYS = 2
    client, secret = make_client(first_party=True)
    browser.login()
    rp, t1 = _login_tokens(transport, browser, client, secret)
    t2 = rp.refresh_token(TOKEN, refresh_token=t1["refresh_token"])
    RefreshToken.objects.filter(used_at__isnull=False).update(used_at=_ago(3 * DAY))
    assert _purge()["refresh_tokens"] == 1
    # the old token is now unknown: refused, but the family lives on
    r = _post(
        transport,
        "/oidc/token",
        {"grant_type": "refresh_token", "refresh_token": t1["refresh_token"]},
        (client.client_id, secret),
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    assert rp.refresh_token(TOKEN, refresh_token=t2["refresh_token"])["access_token"]


@pytest.fixture
def pkjwt(make_client):
    key = ECKey.generate_key("P-256", parameters={"kid": "agency-1"}, private=True)
    client, _ = make_client(auth_method="private_key_jwt", jwks={"keys": [key.as_dict(private=False)]})
    return client, key


def _assertion(key, client_id, jti, exp):
    return client_assertion(key, client_id, jti=jti, exp=exp, iat=exp - 60, aud=TOKEN)


def _client_credentials(transport, assertion):
    return _post(
        transport,
        "/oidc/token",
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
    )


def test_assertion_ids_are_kept_while_a_replay_could_pass(transport, pkjwt):
    client, key = pkjwt
    now = int(time.time())
    fresh = _assertion(key, client.client_id, uuid.uuid4().hex, now + 60)
    assert _client_credentials(transport, fresh).status_code == 200
    # an assertion that expired a moment ago is still within the verifier's clock leeway
    recent_jti = uuid.uuid4().hex
    recent = _assertion(key, client.client_id, recent_jti, now + 30)
    assert _client_credentials(transport, recent).status_code == 200
    UsedAssertion.objects.filter(jti=recent_jti).update(expires_at=timezone.now() - dt.timedelta(seconds=30))
    old = UsedAssertion.objects.create(
        client_id=client.client_id, jti="old", expires_at=_ago(dt.timedelta(hours=1))
    )
    assert _purge()["client_assertions"] == 1
    assert not UsedAssertion.objects.filter(pk=old.pk).exists()
    assert UsedAssertion.objects.count() == 2
    # replays within the window are still refused
    for assertion in (fresh, recent):
        r = _client_credentials(transport, assertion)
        assert r.status_code in (400, 401) and r.json()["error"] == "invalid_client", r.text


def test_session_records_are_purged_once_the_session_is_long_over(
    transport, browser, make_client, settings, django_capture_on_commit_callbacks
):
    settings.BAWABA_OIDC_RETENTION_DAYS = 7
    client, secret = make_client(first_party=True)
    other = type(browser)(transport)
    other.login()
    _login_tokens(transport, other, client, secret)  # a session still going on, long ago begun
    browser.login()
    _login_tokens(transport, browser, client, secret)
    ended_sid = SessionClient.objects.order_by("-created_at").first().sid
    live_sid = SessionClient.objects.exclude(sid=ended_sid).get().sid
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get("/en/account/").text)
    browser.http.post("/en/logout/", data={"csrfmiddlewaretoken": csrf.group(1)})
    SessionClient.objects.update(created_at=_ago(30 * DAY))
    assert _purge()["session_clients"] == 0  # logged out only now; the other still going on
    SessionClient.objects.filter(sid=ended_sid).update(logged_out_at=_ago(8 * DAY))
    assert _purge()["session_clients"] == 1
    assert list(SessionClient.objects.values_list("sid", flat=True)) == [live_sid]
    # the other session expires without a logout: its record goes too
    from django.contrib.sessions.models import Session

    Session.objects.update(expire_date=_ago(DAY))
    assert _purge()["session_clients"] == 1
    assert not SessionClient.objects.exists()


def test_retention_setting_batches_and_nothing_to_do(db, settings, monkeypatch):
    from bawaba.core.models import AuditEvent

    assert _purge() == {
        "authorization_codes": 0,
        "pushed_requests": 0,
        "token_families": 0,
        "refresh_tokens": 0,
        "revoked_access_tokens": 0,
        "client_assertions": 0,
        "session_clients": 0,
    }
    assert not AuditEvent.objects.filter(action="sso.purge").exists()  # nothing done, nothing logged
    RevokedAccessToken.objects.create(jti="a", expires_at=_ago(2 * DAY))
    RevokedAccessToken.objects.create(jti="b", expires_at=_ago(4 * DAY))
    settings.BAWABA_OIDC_RETENTION_DAYS = 3
    assert _purge()["revoked_access_tokens"] == 1
    assert list(RevokedAccessToken.objects.values_list("jti", flat=True)) == ["a"]
    assert AuditEvent.objects.get(action="sso.purge").data["revoked_access_tokens"] == 1
    # in batches, however many there are
    from bawaba.sso import services

    monkeypatch.setattr(services, "PURGE_BATCH", 2)
    for i in range(5):
        RevokedAccessToken.objects.create(jti=f"old-{i}", expires_at=_ago(10 * DAY))
    assert _purge()["revoked_access_tokens"] == 5
    # a retention of 0 still never removes a revocation before the token expires
    settings.BAWABA_OIDC_RETENTION_DAYS = 0
    RevokedAccessToken.objects.create(jti="c", expires_at=timezone.now() + dt.timedelta(minutes=5))
    assert _purge()["revoked_access_tokens"] == 1
    assert list(RevokedAccessToken.objects.values_list("jti", flat=True)) == ["c"]


# -- the periodic task ----------------------------------------------------------------------------
def test_purge_is_a_registered_periodic_task(db, settings, capsys):
    from bawaba.core import periodic

    settings.BAWABA_OIDC_PURGE_INTERVAL = 900
    task = {p.name: p for p in periodic.registered()}["sso.oidc_purge"]
    assert task.interval() == 900
    call_command("scheduler", "--list")
    assert "sso.oidc_purge\tevery 900 s" in capsys.readouterr().out
    # `bawaba scheduler --once` enqueues it; the worker (here: the test backend) runs it
    RevokedAccessToken.objects.create(jti="x", expires_at=_ago(30 * DAY))
    call_command("scheduler", "--once")
    assert "sso.oidc_purge" in json.loads(capsys.readouterr().out)["enqueued"]
    assert not RevokedAccessToken.objects.exists()


def test_scheduler_enqueues_when_due_and_survives_a_failure():
    from bawaba.core import periodic

    now = [1000.0]
    runs: list[str] = []

    class Fake:
        def __init__(self, name, fail=False):
            self.name, self.fail = name, fail

        def enqueue(self):
            if self.fail:
                raise RuntimeError("database away")
            runs.append(self.name)

    saved = dict(periodic._registry)
    periodic._registry.clear()
    try:
        periodic.register(Fake("a"), every=60, name="a")
        broken = Fake("b", fail=True)
        periodic.register(broken, every=lambda: 10, name="b")
        scheduler = periodic.Scheduler(clock=lambda: now[0])
        assert scheduler.tick() == ["a"]  # due at start; b failed and will be tried again
        assert scheduler.tick() == []
        now[0] = 1030
        broken.fail = False
        assert scheduler.tick() == ["b"]
        now[0] = 1035
        assert scheduler.tick() == []
        now[0] = 1040
        assert scheduler.tick() == ["b"]
        now[0] = 1060
        assert scheduler.tick() == ["a", "b"]
        assert runs == ["a", "b", "b", "a", "b"]
    finally:
        periodic._registry.clear()
        periodic._registry.update(saved)
