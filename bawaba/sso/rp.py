"""A small relying-party helper for Bawaba's own pages (the portal): they log people in
through the national OpenID Connect provider like any agency would, with a standard
client (Authlib's OAuth2Client over httpx), authorization code + PKCE.

Usage in a view module::

    from bawaba.sso.rp import oidc_login_required, rp_login

    @oidc_login_required(acr="loa-substantial")
    def my_applications(request):
        login = rp_login(request)          # {"sub", "acr", "amr", "claims", ...}
        ...

`oidc_login_required` starts the flow as the first-party public client "bawaba-portal"
(created on first use, redirect URI BAWABA_BASE_URL + /oidc/rp/callback) when this
browser has no RP login meeting `acr`; `/oidc/rp/callback` finishes it and returns to the
page. `rp_logout_url(request)` gives the RP-initiated logout address."""

from __future__ import annotations

import functools
import secrets
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from . import tokens
from .claims import ACR_RANK

PORTAL_CLIENT_ID = "bawaba-portal"
SESSION_LOGIN = "bawaba_rp_login"
SESSION_PENDING = "bawaba_rp_pending"
CALLBACK_PATH = "/oidc/rp/callback"


class _InProcessWSGI:
    """Calls this Django application in-process for the back-channel requests (token,
    JWKS, userinfo). The inner request must not close the outer request's DB connection."""

    _app = None
    _lock = threading.Lock()

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        if _InProcessWSGI._app is None:
            from bawaba.wsgi import application  # protocol endpoints take the lean handler

            _InProcessWSGI._app = application
        lang = translation.get_language()
        started = request_started.disconnect(close_old_connections)
        finished = request_finished.disconnect(close_old_connections)
        try:
            result = list(_InProcessWSGI._app(environ, start_response))
        finally:
            if started:
                request_started.connect(close_old_connections)
            if finished:
                request_finished.connect(close_old_connections)
            translation.activate(lang)
        return result


def http_client(**kwargs: Any) -> OAuth2Client:
    """A standard OAuth 2 client for talking to the provider's back channel."""
    if settings.BAWABA_SSO_RP_TRANSPORT == "wsgi":
        kwargs["transport"] = httpx.WSGITransport(app=_InProcessWSGI())
    return OAuth2Client(timeout=10.0, **kwargs)


class RelyingParty:
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str | None,
        redirect_uri: str,
        session_prefix: str,
        auth_method: str = "none",
        scope: str = "openid profile",
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.pending_key = f"{session_prefix}_pending"
        self.login_key = f"{session_prefix}_login"
        self.auth_method = auth_method
        self.scope = scope

    @property
    def issuer(self) -> str:
        return tokens.issuer()

    def _client(self) -> OAuth2Client:
        return http_client(
            client_id=self.client_id,
            client_secret=self.client_secret,
            token_endpoint_auth_method=self.auth_method,
            redirect_uri=self.redirect_uri,
            scope=self.scope,
        )

    def start(
        self,
        request: HttpRequest,
        *,
        acr: str | None,
        next_url: str,
        prompt: str | None = None,
        dpop: bool = False,
    ) -> HttpResponse:
        """Send the browser to the provider. With `dpop`, a key pair is made for this login
        (kept in the server-side session): the code is bound to it (`dpop_jkt`) and so are
        the tokens (DPoP, RFC 9449)."""
        verifier = secrets.token_urlsafe(48)
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        extra: dict[str, str] = {
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
            "ui_locales": translation.get_language() or "ar",
        }
        if acr:
            extra["acr_values"] = acr
        if prompt:
            extra["prompt"] = prompt
        key = ECKey.generate_key("P-256") if dpop else None
        if key is not None:
            extra["dpop_jkt"] = key.thumbprint()
        with self._client() as client:
            url, _state = client.create_authorization_url(
                f"{self.issuer}/oidc/authorize", state=state, **extra
            )
        pending = request.session.get(self.pending_key, {})
        pending[state] = {"verifier": verifier, "nonce": nonce, "next": next_url}
        if key is not None:
            pending[state]["dpop_key"] = key.as_dict(private=True)
        # keep only the latest few (several tabs may log in at once)
        request.session[self.pending_key] = dict(list(pending.items())[-5:])
        return HttpResponseRedirect(url)

    def finish(self, request: HttpRequest) -> tuple[dict[str, Any], str]:
        """Exchange the code, validate the ID token; returns (login record, next URL).
        Raises ValueError on any failure."""
        state = request.GET.get("state", "")
        pending = request.session.get(self.pending_key, {}).pop(state, None)
        request.session.modified = True
        if pending is None:
            raise ValueError("unknown state")
        if request.GET.get("error"):
            raise ValueError(request.GET["error"])
        if request.GET.get("iss") not in (None, self.issuer):
            raise ValueError("wrong issuer")
        key = pending.get("dpop_key")
        token_url = f"{self.issuer}/oidc/token"
        with self._client() as client:
            token = client.fetch_token(
                token_url,
                grant_type="authorization_code",
                code=request.GET.get("code", ""),
                code_verifier=pending["verifier"],
                headers={"DPoP": dpop_proof(key, "POST", token_url)} if key else None,
            )
            if "error" in token:
                raise ValueError(token["error"])
            keyset = KeySet.import_key_set(
                client.request("GET", f"{self.issuer}/oidc/jwks", withhold_token=True).json()
            )
        claims = validate_id_token(
            token["id_token"],
            keyset=keyset,
            issuer=self.issuer,
            client_id=self.client_id,
            nonce=pending["nonce"],
        )
        login = {
            "sub": claims["sub"],
            "acr": claims.get("acr", ""),
            "amr": claims.get("amr", []),
            "sid": claims.get("sid", ""),
            "claims": claims,
            "id_token": token["id_token"],
            "access_token": token.get("access_token", ""),
            "token_type": token.get("token_type", ""),
        }
        if key:
            login["dpop_key"] = key  # private: the session is kept server-side
        request.session[self.login_key] = login
        return login, pending["next"]

    def logout_url(self, request: HttpRequest, post_logout_redirect_uri: str | None = None) -> str:
        login = request.session.get(self.login_key) or {}
        params = {"client_id": self.client_id}
        if login.get("id_token"):
            params["id_token_hint"] = login["id_token"]
        if post_logout_redirect_uri:
            params["post_logout_redirect_uri"] = post_logout_redirect_uri
        return f"{self.issuer}/oidc/logout?" + urlencode(params)


def dpop_proof(key: dict[str, Any], method: str, url: str, access_token: str | None = None) -> str:
    """A DPoP proof (RFC 9449) for one request, signed with the private JWK `key`."""
    import base64
    import hashlib
    import time

    signer = ECKey.import_key(key)
    claims: dict[str, Any] = {
        "jti": secrets.token_urlsafe(16),
        "htm": method,
        "htu": url,
        "iat": int(time.time()),
    }
    if access_token:
        digest = hashlib.sha256(access_token.encode()).digest()
        claims["ath"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": signer.as_dict(private=False)}
    return jwt.encode(header, claims, signer)


def validate_id_token(
    id_token: str, *, keyset: KeySet, issuer: str, client_id: str, nonce: str
) -> dict[str, Any]:
    try:
        obj = jwt.decode(id_token, keyset, algorithms=["ES256", "RS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(obj.claims)
    except (JoseError, ValueError) as exc:
        raise ValueError(f"invalid ID token: {exc}") from exc
    return dict(obj.claims)


def portal_rp() -> RelyingParty:
    from . import services

    services.portal_client_ensure()
    return RelyingParty(
        client_id=PORTAL_CLIENT_ID,
        client_secret=None,
        redirect_uri=settings.BASE_URL + CALLBACK_PATH,
        session_prefix="bawaba_rp",
        scope="openid profile phone email",
    )


def rp_login(request: HttpRequest) -> dict[str, Any] | None:
    return request.session.get(SESSION_LOGIN)


def rp_logout_url(request: HttpRequest, post_logout_redirect_uri: str | None = None) -> str:
    return portal_rp().logout_url(request, post_logout_redirect_uri)


def oidc_login_required(view: Callable | None = None, *, acr: str = "loa-low") -> Callable:
    def decorator(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            login = rp_login(request)
            if (
                login
                and ACR_RANK.get(login.get("acr", ""), 0) >= ACR_RANK[acr]
                and request.user.is_authenticated
            ):
                return func(request, *args, **kwargs)
            return portal_rp().start(request, acr=acr, next_url=request.get_full_path())

        return wrapper

    return decorator(view) if view is not None else decorator


def rp_callback(request: HttpRequest) -> HttpResponse:
    try:
        _login, next_url = portal_rp().finish(request)
    except ValueError:
        return render(request, "sso/rp_error.html", status=400)
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = "/"
    return HttpResponseRedirect(next_url)
