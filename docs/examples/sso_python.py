"""Integrating with Bawaba single sign-on from Python, with Authlib (a standard OpenID
Connect client library). Framework-neutral: call these from your web framework's views.

    pip install authlib httpx joserfc

Tested against the running provider by bawaba/sso/tests/test_docs_example.py."""

from __future__ import annotations

import secrets

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet


class BawabaLogin:
    def __init__(self, issuer: str, client_id: str, client_secret: str, redirect_uri: str, **http_options):
        self.http_options = http_options  # e.g. transport=..., verify=...
        with httpx.Client(**http_options) as http:
            self.metadata = http.get(f"{issuer}/.well-known/openid-configuration").json()
            self.jwks = KeySet.import_key_set(http.get(self.metadata["jwks_uri"]).json())
        self.issuer = self.metadata["issuer"]
        self.client = OAuth2Client(
            client_id, client_secret, redirect_uri=redirect_uri, scope="openid profile phone", **http_options
        )

    def login_url(self, session: dict, acr: str = "loa-low") -> str:
        """Step 1: send the person here. Keep `session` server-side (your session store)."""
        session["verifier"] = secrets.token_urlsafe(48)
        session["nonce"] = secrets.token_urlsafe(24)
        url, session["state"] = self.client.create_authorization_url(
            self.metadata["authorization_endpoint"],
            nonce=session["nonce"],
            code_challenge=create_s256_code_challenge(session["verifier"]),
            code_challenge_method="S256",
            acr_values=acr,
        )
        return url

    def callback(self, session: dict, query: dict) -> dict:
        """Step 2: on your redirect URI. Returns the validated ID token claims."""
        if query.get("state") != session.get("state"):
            raise ValueError("state mismatch")
        if "error" in query:
            raise ValueError(query["error"])
        token = self.client.fetch_token(
            self.metadata["token_endpoint"], code=query["code"], code_verifier=session["verifier"]
        )
        claims = jwt.decode(token["id_token"], self.jwks).claims
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.client.client_id},
            exp={"essential": True},
            nonce={"essential": True, "value": session["nonce"]},
        ).validate(claims)
        session["token"] = token
        session["id_token"] = token["id_token"]  # keep it: logout needs it as id_token_hint
        return claims

    def userinfo(self) -> dict:
        return self.client.get(self.metadata["userinfo_endpoint"]).json()

    def refresh(self, session: dict) -> dict:
        """Refresh tokens rotate: always keep the new one (the old one is now invalid)."""
        session["token"] = self.client.refresh_token(
            self.metadata["token_endpoint"], refresh_token=session["token"]["refresh_token"]
        )
        return session["token"]

    def logout_url(self, session: dict, post_logout_redirect_uri: str) -> str:
        from urllib.parse import urlencode

        params = {"id_token_hint": session["id_token"], "post_logout_redirect_uri": post_logout_redirect_uri}
        return f"{self.metadata['end_session_endpoint']}?{urlencode(params)}"


def service_token(issuer: str, client_id: str, client_secret: str, **http_options) -> str:
    """An agency's system calling APIs on its own behalf (client credentials)."""
    with OAuth2Client(client_id, client_secret, **http_options) as client:
        return client.fetch_token(f"{issuer}/oidc/token", grant_type="client_credentials")["access_token"]
