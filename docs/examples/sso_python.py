"""Integrating with Bawaba single sign-on from Python, with Authlib (a standard OpenID
Connect client library). Framework-neutral: call these from your web framework's views.

    pip install authlib httpx joserfc

Tested against the running provider by bawaba/sso/tests/test_docs_example.py."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet


class DPoPKey:
    """A key pair for DPoP (RFC 9449): tokens issued against its proofs are bound to it and
    useless without it. Keep one per session or installation; every request gets a new
    proof (method, address, time, and the access token's hash at a resource)."""

    def __init__(self) -> None:
        self.key = ECKey.generate_key("P-256")

    def proof(self, method: str, url: str, access_token: str | None = None) -> str:
        claims = {"jti": secrets.token_urlsafe(16), "htm": method, "htu": url, "iat": int(time.time())}
        if access_token:
            digest = hashlib.sha256(access_token.encode()).digest()
            claims["ath"] = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": self.key.as_dict(private=False)}
        return jwt.encode(header, claims, self.key)


class BawabaLogin:
    def __init__(
        self,
        issuer: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        dpop: DPoPKey | None = None,
        **http_options,
    ):
        self.http_options = http_options  # e.g. transport=..., verify=...
        self.dpop = dpop  # with a DPoPKey, the tokens are bound to it
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
            self.metadata["token_endpoint"],
            code=query["code"],
            code_verifier=session["verifier"],
            headers=self._dpop_header("POST", self.metadata["token_endpoint"]),
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

    def userinfo(self, session: dict) -> dict:
        url, token = self.metadata["userinfo_endpoint"], session["token"]["access_token"]
        if self.dpop is None:
            return self.client.get(url).json()
        # a DPoP-bound token: the DPoP scheme, and a proof for this request and this token
        headers = {"Authorization": f"DPoP {token}", **self._dpop_header("GET", url, token)}
        with httpx.Client(**self.http_options) as http:
            response = http.get(url, headers=headers)
        response.raise_for_status()
        return response.json()

    def refresh(self, session: dict) -> dict:
        """Refresh tokens rotate: always keep the new one (the old one is now invalid)."""
        session["token"] = self.client.refresh_token(
            self.metadata["token_endpoint"],
            refresh_token=session["token"]["refresh_token"],
            headers=self._dpop_header("POST", self.metadata["token_endpoint"]),
        )
        return session["token"]

    def _dpop_header(self, method: str, url: str, access_token: str | None = None) -> dict:
        return {"DPoP": self.dpop.proof(method, url, access_token)} if self.dpop else {}

    def logout_url(self, session: dict, post_logout_redirect_uri: str) -> str:
        from urllib.parse import urlencode

        params = {"id_token_hint": session["id_token"], "post_logout_redirect_uri": post_logout_redirect_uri}
        return f"{self.metadata['end_session_endpoint']}?{urlencode(params)}"


def service_token(issuer: str, client_id: str, client_secret: str, **http_options) -> str:
    """An agency's system calling APIs on its own behalf (client credentials)."""
    with OAuth2Client(client_id, client_secret, **http_options) as client:
        return client.fetch_token(f"{issuer}/oidc/token", grant_type="client_credentials")["access_token"]
