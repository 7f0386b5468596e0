"""The back office's relying-party form, as staff meet it over HTTP."""

from __future__ import annotations

import base64

from .conftest import ISSUER


def _admin_form(jwks_uri="", **over):
    form = {
        "client_id": "",
        "name_ar": "الجمارك",
        "name_en": "Customs",
        "token_endpoint_auth_method": "private_key_jwt",
        "jwks": "{}",
        "jwks_uri": jwks_uri,
        "redirect_uris": "https://customs.example.jo/cb\r\n  https://customs.example.jo/cb2 \r\n",
        "post_logout_redirect_uris": "",
        "backchannel_logout_uri": "",
        "scopes": ["openid", "profile"],
        "grant_types": ["client_credentials"],
        "subject_type": "pairwise",
        "sector_identifier": "",
        "id_token_signed_response_alg": "ES256",
        "default_acr": "",
        "is_active": "on",
    }
    form.update(over)
    return {k: v for k, v in form.items() if v is not None}


def test_back_office_registers_and_checks_clients(logged_in_admin, settings):
    """Staff registering a client in the back office: addresses one per line, scopes and
    grant types ticked, the same checks as the command, and edits audited."""
    from bawaba.core.models import AuditEvent
    from bawaba.sso.models import Client

    settings.DEBUG = False
    settings.DEMO_MODE = False
    add = "/en/admin/sso/client/add/"
    page = logged_in_admin.get(add).content.decode()
    assert 'type="checkbox" name="scopes" value="national_id"' in page
    assert 'type="checkbox" name="grant_types" value="client_credentials"' in page
    for bad, message in (
        ({"jwks_uri": "http://customs.example.jo/jwks"}, "must use https"),
        ({"jwks_uri": ""}, "JWKS URI"),
        ({"redirect_uris": "https://customs.example.jo/cb\nhttp://customs.example.jo/cb"}, "must use https"),
        ({"redirect_uris": "   "}, "required"),
        ({"scopes": ["profile"]}, "openid"),
    ):
        form = _admin_form(**{"jwks_uri": "https://customs.example.jo/.well-known/jwks.json", **bad})
        r = logged_in_admin.post(add, form)
        assert r.status_code == 200 and message in r.content.decode(), (bad, message)
    assert not Client.objects.filter(name_en="Customs").exists()

    r = logged_in_admin.post(add, _admin_form("https://customs.example.jo/.well-known/jwks.json"))
    assert r.status_code == 302, r.content.decode()[:2000]
    client = Client.objects.get(name_en="Customs")
    assert client.jwks_uri == "https://customs.example.jo/.well-known/jwks.json"
    assert client.redirect_uris == ["https://customs.example.jo/cb", "https://customs.example.jo/cb2"]
    assert client.scopes == "openid profile" and client.grant_types == ["client_credentials"]
    assert client.client_id.startswith("bw-") and client.client_secret_hash == ""
    assert AuditEvent.objects.filter(action="sso.client.create", object_id=client.client_id).exists()

    # an edit: checked alike, and audited with what changed
    change = f"/en/admin/sso/client/{client.pk}/change/"
    page = logged_in_admin.get(change).content.decode()
    assert "https://customs.example.jo/cb\nhttps://customs.example.jo/cb2" in page.replace("\r", "")
    r = logged_in_admin.post(
        change, _admin_form(client.jwks_uri, client_id=None, redirect_uris="http://customs.example.jo/cb")
    )
    assert r.status_code == 200 and "must use https" in r.content.decode()
    client.refresh_from_db()
    assert client.redirect_uris == ["https://customs.example.jo/cb", "https://customs.example.jo/cb2"]
    r = logged_in_admin.post(
        change,
        _admin_form(
            client.jwks_uri,
            client_id=None,
            redirect_uris="https://customs.example.jo/new-cb",
            scopes=["openid", "profile", "phone"],
        ),
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    client.refresh_from_db()
    assert client.redirect_uris == ["https://customs.example.jo/new-cb"]
    assert client.scopes == "openid profile phone"
    event = AuditEvent.objects.get(action="sso.client.update", object_id=client.client_id)
    assert {"redirect_uris", "scopes"} <= set(event.data["changed"])
    # no grant type ticked: those of the client type, as the command gives
    form = _admin_form(client.jwks_uri, client_id=None, redirect_uris="https://customs.example.jo/new-cb")
    r = logged_in_admin.post(change, {**form, "grant_types": []})
    assert r.status_code == 302
    client.refresh_from_db()
    assert client.grant_types == ["authorization_code", "refresh_token", "client_credentials"]


def test_back_office_deactivation_revokes_refresh_tokens(logged_in_admin, transport, browser, make_client):
    from bawaba.core.models import AuditEvent

    from .conftest import authorize_url, code_from, pkce_pair, rp_client

    client, secret = make_client(first_party=True)
    rp = rp_client(transport, client.client_id, secret)
    verifier, challenge = pkce_pair()
    url, _ = authorize_url(rp, code_challenge=challenge, code_challenge_method="S256")
    params = code_from(browser.follow(browser.authorize(url)))
    refresh = rp.fetch_token(f"{ISSUER}/oidc/token", code=params["code"], code_verifier=verifier)[
        "refresh_token"
    ]
    form = _admin_form(
        client_id=None,
        name_en=client.name_en,
        name_ar=client.name_ar,
        token_endpoint_auth_method="client_secret_basic",
        redirect_uris="\n".join(client.redirect_uris),
        post_logout_redirect_uris="\n".join(client.post_logout_redirect_uris),
        scopes=client.scopes.split(),
        grant_types=client.grant_types,
        first_party="on",
        is_active=None,  # unticked
    )
    r = logged_in_admin.post(f"/en/admin/sso/client/{client.pk}/change/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    event = AuditEvent.objects.get(action="sso.client.update", object_id=client.client_id)
    assert "is_active" in event.data["changed"] and event.data["families_revoked"] == 1
    # (through Django's test client, which keeps the test's database connection open)
    basic = base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
    r = logged_in_admin.post(
        "/oidc/token",
        {"grant_type": "refresh_token", "refresh_token": refresh},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert r.status_code in (400, 401) and "access_token" not in r.json()
    # active again: the refresh token stays revoked
    from bawaba.sso import services

    services.client_set_active(client_id=client.client_id, active=True)
    r = logged_in_admin.post(
        "/oidc/token",
        {"grant_type": "refresh_token", "refresh_token": refresh},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_back_office_client_that_requires_dpop(logged_in_admin, settings):
    from bawaba.sso.models import Client

    settings.DEBUG = False
    add = "/en/admin/sso/client/add/"
    assert 'name="dpop_bound_access_tokens"' in logged_in_admin.get(add).content.decode()
    r = logged_in_admin.post(
        add, _admin_form("https://customs.example.jo/.well-known/jwks.json", dpop_bound_access_tokens="on")
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Client.objects.get(name_en="Customs").dpop_bound_access_tokens is True
