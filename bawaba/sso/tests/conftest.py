"""Fixtures for the single sign-on tests: the provider driven over HTTP (in-process WSGI
via httpx) by a standard OpenID Connect client (Authlib's OAuth2Client), and a cookie-
keeping "browser" that fills in the provider's login forms."""

from __future__ import annotations

import html
import http.server
import re
import threading
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from joserfc import jwt
from joserfc.jwk import KeySet

from bawaba.conftest import totp_now

ISSUER = "http://testserver"
RP_CALLBACK = "https://rp.example.jo/callback"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_ACTION_RE = re.compile(r'<form method="post" action="([^"]+)"')


@pytest.fixture
def app(db):
    # As Django's test client does: the requests must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    from bawaba.sso.clients import client_cache_clear

    client_cache_clear()
    from bawaba.wsgi import application

    yield application  # the production entry point: protocol endpoints take the lean handler
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    client_cache_clear()


@pytest.fixture
def transport(app):
    return httpx.WSGITransport(app=app)


class Browser:
    """A person's browser: keeps cookies, fills forms (with their CSRF token)."""

    def __init__(self, transport, base_url=ISSUER):
        # transport None: real HTTP (a live server on loopback)
        self.base_url = base_url
        self.http = httpx.Client(transport=transport, base_url=base_url, follow_redirects=False)

    def get(self, url, **kw):
        return self.http.get(url, **kw)

    def post_form(self, url, data):
        page = self.http.get(url)
        m = CSRF_RE.search(page.text)
        assert m, page.text[:500]
        return self.http.post(url, data={**data, "csrfmiddlewaretoken": m.group(1)})

    def login(self, username="9861001234", password="Bawaba-Demo-2026", otp=True, next_url=None):
        url = "/en/login/" + (f"?next={httpx.QueryParams({'x': next_url})['x']}" if next_url else "")
        if next_url:
            url = "/en/login/?" + str(httpx.QueryParams({"next": next_url}))
        r = self.post_form(
            url, {"username": username, "password": password, **({"next": next_url} if next_url else {})}
        )
        return self._second_factor(r, otp)

    def _second_factor(self, r, otp):
        """After the password: give the authenticator code when asked."""
        if r.status_code == 302 and r.headers["location"].endswith("/login/verify/"):
            assert otp, "second factor asked"
            # several logins in one test within one TOTP step: let the code be used again
            from bawaba.identity.models import TotpDevice

            TotpDevice.objects.update(last_used_step=0)
            r = self.post_form(r.headers["location"], {"otp": totp_now()})
        assert r.status_code == 302, r.text[:500]
        return r

    def login_form(self, page, username="9861001234", password="Bawaba-Demo-2026", otp=True):
        """Fill in the login form that the authorization endpoint shows (`page`), as a
        browser does: POST to the form's action with its CSRF token; give the second factor
        when asked. Returns the answer that follows (a redirect)."""
        assert page.status_code == 200 and 'name="password"' in page.text, page.text[:500]
        action = html.unescape(FORM_ACTION_RE.search(page.text).group(1))
        token = CSRF_RE.search(page.text).group(1)
        r = self.http.post(
            action, data={"username": username, "password": password, "csrfmiddlewaretoken": token}
        )
        return self._second_factor(r, otp)

    def authorize(self, url, **login):
        """Open an authorization request; log in on its form when it shows one."""
        r = self.http.get(url)
        if r.status_code == 200 and 'name="password"' in r.text:
            r = self.login_form(r, **login)
        return r

    def follow(self, response, stop_prefix=RP_CALLBACK, max_hops=10):
        """Follow redirects inside the provider until one leaves for the relying party."""
        for _ in range(max_hops):
            if response.status_code != 302:
                return response
            loc = response.headers["location"]
            if not loc.startswith("/") and not loc.startswith(self.base_url):
                return response
            response = self.http.get(loc)
        raise AssertionError("too many redirects")


@pytest.fixture
def browser(transport, demo):
    return Browser(transport)


def rp_client(transport, client_id, client_secret=None, method="client_secret_basic", **kw):
    return OAuth2Client(
        client_id=client_id,
        client_secret=client_secret,
        token_endpoint_auth_method=method if client_secret or method != "client_secret_basic" else "none",
        redirect_uri=RP_CALLBACK,
        transport=transport,
        base_url=ISSUER,
        **kw,
    )


@pytest.fixture
def make_client(db, demo):
    from bawaba.sso import services

    def make(**kw):
        kw.setdefault("name_en", "Vehicle licensing")
        kw.setdefault("name_ar", "ترخيص المركبات")
        kw.setdefault("redirect_uris", [RP_CALLBACK])
        kw.setdefault("scopes", "openid profile phone national_id")
        kw.setdefault("post_logout_redirect_uris", ["https://rp.example.jo/bye"])
        client, secret = services.client_create(**kw)
        return client, secret

    return make


def pkce_pair():
    import secrets

    verifier = secrets.token_urlsafe(48)
    return verifier, create_s256_code_challenge(verifier)


def authorize_url(rp: OAuth2Client, **params):
    params.setdefault("scope", "openid profile")
    params.setdefault("nonce", "n-0S6_WzA2Mj")
    url, state = rp.create_authorization_url(f"{ISSUER}/oidc/authorize", **params)
    return url, state


def code_from(response):
    assert response.status_code == 302, (response.status_code, response.text[:800])
    loc = response.headers["location"]
    assert loc.startswith(RP_CALLBACK), loc
    q = parse_qs(urlsplit(loc).query)
    return {k: v[0] for k, v in q.items()}


def jwks(transport) -> KeySet:
    with httpx.Client(transport=transport, base_url=ISSUER) as c:
        return KeySet.import_key_set(c.get("/oidc/jwks").json())


def decode_id_token(transport, id_token, client_id, nonce=None):
    obj = jwt.decode(id_token, jwks(transport), algorithms=["ES256", "RS256"])
    reg = {"iss": {"essential": True, "value": ISSUER}, "aud": {"essential": True, "value": client_id}}
    if nonce:
        reg["nonce"] = {"essential": True, "value": nonce}
    jwt.JWTClaimsRegistry(**reg).validate(obj.claims)
    return obj


class _Receiver(http.server.BaseHTTPRequestHandler):
    """A relying party's back-channel logout endpoint on loopback: records what it receives."""

    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        _Receiver.received.append((self.path, parse_qs(body)))
        # /status/NNN/…: answer NNN (a service that is down, or refuses), else 200
        parts = self.path.split("/")
        self.send_response(int(parts[2]) if len(parts) > 2 and parts[1] == "status" else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    """(base URL, list of (path, form) received)."""
    _Receiver.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Receiver)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Receiver.received
    server.shutdown()


def at_once(n, send):
    """Call `send()` from `n` threads released together (a race); returns the responses.
    Each thread closes its own database connection."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(n)
    responses: list = []

    def run() -> None:
        try:
            barrier.wait()
            responses.append(send())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return responses


def client_assertion(key, client_id, *, kid="agency-1", **over):
    """A private_key_jwt client assertion (RFC 7523) for the token endpoint, valid for a
    minute; `over` replaces claims (None drops one)."""
    import time
    import uuid

    from joserfc import jwt

    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": f"{ISSUER}/oidc/token",
        "iat": now,
        "exp": now + 60,
        "jti": uuid.uuid4().hex,
    }
    claims.update(over)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": "ES256", "kid": kid}, claims, key)
