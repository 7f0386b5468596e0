"""private_key_jwt clients that publish their keys at a jwks_uri: fetched from a real HTTP
server on loopback, cached, fetched again for a rotated key (but not for every made-up key
id), kept when the server fails, refused when they are not a public key set."""

from __future__ import annotations

import http.server
import json
import threading
import time

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from django.core.management import call_command
from joserfc.jwk import ECKey

from bawaba.core.errors import ValidationError
from bawaba.sso import client_keys

from .conftest import ISSUER, client_assertion

TOKEN = f"{ISSUER}/oidc/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class _KeysHandler(http.server.BaseHTTPRequestHandler):
    """An agency's JWKS endpoint: answers what the test sets, counts the requests."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        server = self.server
        server.hits += 1  # type: ignore[attr-defined]
        status, body = server.answer  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def keys_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _KeysHandler)
    server.hits = 0  # type: ignore[attr-defined]
    server.answer = (404, b"")  # type: ignore[attr-defined]

    def publish(*keys, status=200, raw=None):
        body = (
            raw
            if raw is not None
            else json.dumps({"keys": [k.as_dict(private=False) for k in keys]}).encode()
        )
        server.answer = (status, body)  # type: ignore[attr-defined]

    server.publish = publish  # type: ignore[attr-defined]
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    server.uri = f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"  # type: ignore[attr-defined]
    yield server
    server.shutdown()
    client_keys.cache_clear()


def _key(kid):
    return ECKey.generate_key("P-256", parameters={"kid": kid}, private=True)


def _grant(transport, client_id, key, kid):
    assertion = client_assertion(key, client_id, kid=kid)
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        return c.post(
            "/oidc/token",
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": assertion,
            },
        )


def test_keys_fetched_cached_and_rotated(transport, make_client, keys_server, settings):
    settings.BAWABA_OIDC_JWKS_URI_MIN_REFETCH = 1
    first = _key("agency-2026-1")
    keys_server.publish(first)
    client, secret = make_client(auth_method="private_key_jwt", jwks_uri=keys_server.uri)
    assert secret is None
    # a standard client library, signing with the published key
    with OAuth2Client(
        client.client_id,
        first,
        token_endpoint_auth_method=PrivateKeyJWT(TOKEN, alg="ES256", headers={"kid": "agency-2026-1"}),
        transport=transport,
    ) as c:
        assert c.fetch_token(TOKEN, grant_type="client_credentials")["access_token"]
    assert keys_server.hits == 1
    assert _grant(transport, client.client_id, first, "agency-2026-1").status_code == 200
    assert keys_server.hits == 1  # kept, not fetched per request

    # the agency rotates (later than the minimum interval): the new key id is fetched at once...
    second = _key("agency-2026-2")
    keys_server.publish(second)
    time.sleep(1.1)
    r = _grant(transport, client.client_id, second, "agency-2026-2")
    assert r.status_code == 200, r.text
    assert keys_server.hits == 2
    # ...the retired key no longer works...
    r = _grant(transport, client.client_id, first, "agency-2026-1")
    assert r.status_code in (400, 401) and r.json()["error"] == "invalid_client"
    # ...and made-up key ids do not make us fetch again and again
    for n in range(5):
        r = _grant(transport, client.client_id, _key(f"made-up-{n}"), f"made-up-{n}")
        assert r.status_code in (400, 401) and r.json()["error"] == "invalid_client"
        assert "access_token" not in r.json()
    assert keys_server.hits <= 3


def test_keys_kept_when_the_server_fails(transport, make_client, keys_server, settings):
    key = _key("k1")
    keys_server.publish(key)
    client, _ = make_client(auth_method="private_key_jwt", jwks_uri=keys_server.uri)
    assert _grant(transport, client.client_id, key, "k1").status_code == 200
    settings.BAWABA_OIDC_JWKS_URI_CACHE_SECONDS = 0  # expired: the next request fetches
    settings.BAWABA_OIDC_JWKS_URI_MIN_REFETCH = 0
    keys_server.publish(status=503, raw=b"down for maintenance")
    r = _grant(transport, client.client_id, key, "k1")
    assert r.status_code == 200, r.text  # the keys of the last good fetch
    assert keys_server.hits == 2


@pytest.mark.parametrize(
    "status,raw",
    [
        (500, b"{}"),
        (404, b""),
        (200, b"<html>not json</html>"),
        (200, b'{"keys": []}'),
        (200, b'{"keys": "nope"}'),
        (200, b'{"keys": [{"kty": "EC", "crv": "P-256", "x": "bad"}]}'),
        (200, b'{"keys": [{"kty": "oct", "k": "c2VjcmV0LXNoYXJlZC1rZXk"}]}'),
        ("huge", None),
        ("private", None),
    ],
)
def test_unusable_published_keys_authenticate_nobody(transport, make_client, keys_server, status, raw):
    key = _key("k1")
    if status == "private":  # a set that carries the private key itself
        private = json.dumps({"keys": [key.as_dict(private=True)]}).encode()
        keys_server.publish(raw=private)
    elif status == "huge":  # the right key, in a body beyond the size limit
        body = {"keys": [key.as_dict(private=False)], "padding": "x" * (70 * 1024)}
        keys_server.publish(raw=json.dumps(body).encode())
    else:
        keys_server.publish(status=status, raw=raw)
    client, _ = make_client(auth_method="private_key_jwt", jwks_uri=keys_server.uri)
    r = _grant(transport, client.client_id, key, "k1")
    assert r.status_code in (400, 401) and r.json()["error"] == "invalid_client"
    assert "access_token" not in r.json()


def test_unreachable_keys_authenticate_nobody(transport, make_client, keys_server):
    key = _key("k1")
    keys_server.shutdown()
    keys_server.server_close()
    client, _ = make_client(auth_method="private_key_jwt", jwks_uri=keys_server.uri)
    r = _grant(transport, client.client_id, key, "k1")
    assert r.status_code in (400, 401) and r.json()["error"] == "invalid_client"
    r = _grant(transport, client.client_id, key, "k1")
    assert r.status_code in (400, 401)


@pytest.mark.parametrize(
    "kw,field",
    [
        ({"auth_method": "client_secret_basic", "jwks_uri": "https://keys.agency.gov.jo/jwks"}, "jwks_uri"),
        (
            {
                "auth_method": "private_key_jwt",
                "jwks_uri": "https://keys.agency.gov.jo/jwks",
                "jwks": {"keys": [_key("a").as_dict(private=False)]},
            },
            "jwks",
        ),
        ({"auth_method": "private_key_jwt", "jwks_uri": "http://keys.agency.gov.jo/jwks"}, "jwks_uri"),
        ({"auth_method": "private_key_jwt", "jwks_uri": "ftp://keys.agency.gov.jo/jwks"}, "jwks_uri"),
        ({"auth_method": "private_key_jwt"}, "jwks"),
    ],
)
def test_registration_refuses_bad_key_settings(make_client, settings, kw, field):
    settings.DEBUG = False
    settings.DEMO_MODE = False
    with pytest.raises(ValidationError) as exc:
        make_client(**kw)
    assert exc.value.field == field


def test_cli_registers_a_client_with_a_jwks_uri(db, demo, capsys):
    from bawaba.sso.models import Client

    call_command(
        "oidc_client",
        "create",
        "--name",
        "Customs declarations",
        "--redirect-uri",
        "https://customs.example.jo/cb",
        "--auth-method",
        "private_key_jwt",
        "--jwks-uri",
        "https://customs.example.jo/.well-known/jwks.json",
    )
    out = json.loads(capsys.readouterr().out)
    assert not out.get("client_secret")
    client = Client.objects.get(client_id=out["client_id"])
    assert client.jwks_uri == "https://customs.example.jo/.well-known/jwks.json" and client.jwks == {}
