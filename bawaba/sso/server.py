"""The OpenID Connect provider built on Authlib: Authlib's authorization server, grants
(authorization code + PKCE + OpenID Connect, refresh token, client credentials), client
authentication (incl. RFC 7523 private_key_jwt), revocation (RFC 7009), introspection
(RFC 7662), UserInfo and RP-initiated logout, extended where a national deployment needs
more: PKCE S256 only, refresh rotation with reuse detection, code replay revocation,
pairwise subjects, acr/amr from the identity session, JWT access tokens (RFC 9068)."""

from __future__ import annotations

import time
from collections import defaultdict
from contextvars import ContextVar
from typing import Any

from authlib.common.encoding import json_dumps
from authlib.common.security import UNICODE_ASCII_CHARACTER_SET
from authlib.integrations.django_oauth2 import AuthorizationServer
from authlib.integrations.django_oauth2 import ResourceProtector as DjangoResourceProtector
from authlib.integrations.django_oauth2.requests import DjangoOAuth2Request
from authlib.oauth2.rfc6749 import (
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Payload,
    OAuth2Request,
    grants,
)
from authlib.oauth2.rfc6749.hooks import hooked
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge, create_s256_code_challenge
from authlib.oauth2.rfc7636.challenge import CODE_VERIFIER_PATTERN
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oidc.core import OpenIDCode, UserInfoEndpoint
from authlib.oidc.core.grants.util import create_half_hash
from authlib.oidc.rpinitiated import EndSessionEndpoint
from django.conf import settings
from django.http import HttpResponse
from joserfc.jwk import KeySet

from bawaba.core.crypto import random_string
from bawaba.identity import selectors as identity_selectors

from . import client_keys, dpop, keys, selectors, services, tokens
from .claims import amr_out, subject_for, user_claims
from .clients import OidcClient, client_get
from .models import TokenFamily

ALL_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]
CONFIDENTIAL_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]


class ParamsPayload(OAuth2Payload):
    """Authorization request parameters from a dict (the query, or a pushed request)."""

    def __init__(self, params: dict[str, str], datalist: dict[str, list[str]] | None = None) -> None:
        self._data = params
        self._datalist = defaultdict(list, datalist or {k: [v] for k, v in params.items()})

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list]:
        return self._datalist


def authorization_request(django_request: Any, params: dict[str, str], datalist=None) -> OAuth2Request:  # type: ignore[no-untyped-def]
    req = DjangoOAuth2Request(django_request)
    req.payload = ParamsPayload(params, datalist)
    return req


# -- client authentication ---------------------------------------------------------------
_assertion_kid: ContextVar[str | None] = ContextVar("bawaba_assertion_kid", default=None)


class PrivateKeyJWT(JWTBearerClientAssertion):
    """RFC 7523 client authentication ("private_key_jwt"): the client signs a short-lived
    assertion with its private key; `jti` is single use."""

    CLIENT_AUTH_METHOD = "private_key_jwt"
    MAX_LIFETIME = 3600  # what standard clients (Authlib, openid-client) default to

    def get_audiences(self) -> list[str]:
        iss = tokens.issuer()
        return [iss, iss + "/oidc/token", iss + "/oidc/par", iss + "/oidc/revoke", iss + "/oidc/introspect"]

    def extract_assertion(self, assertion: str) -> tuple[dict, dict]:
        headers, claims = super().extract_assertion(assertion)
        kid = headers.get("kid")
        _assertion_kid.set(kid if isinstance(kid, str) else None)
        return headers, claims

    def resolve_client_public_key(self, client: OidcClient) -> KeySet:
        """The client's registered keys, or those published at its jwks_uri (client_keys);
        the assertion's key id, noted by `extract_assertion` just before on this request,
        tells whether published keys are to be fetched again (a rotation)."""
        try:
            return client_keys.client_public_keys(
                jwks=client.jwks, jwks_uri=client.jwks_uri, kid=_assertion_kid.get()
            )
        except client_keys.KeysUnavailable:
            from authlib.oauth2.rfc6749 import InvalidClientError

            raise InvalidClientError(description="The client's public keys could not be fetched.") from None

    def verify_claims(self, claims: Any) -> None:
        exp, iat = claims.get("exp"), claims.get("iat", time.time())
        if isinstance(exp, int | float) and isinstance(iat, int | float) and exp - iat > self.MAX_LIFETIME:
            from authlib.oauth2.rfc6749 import InvalidClientError

            raise InvalidClientError(description="Assertion lifetime is too long.")
        super().verify_claims(claims)

    def validate_jti(self, claims: Any, jti: str) -> bool:
        return services.assertion_jti_use(client_id=claims["sub"], jti=jti, exp=claims["exp"])


# -- grants -------------------------------------------------------------------------------
class DPoPBinding:
    """Token endpoint, every grant: once the client is authenticated, the request's DPoP
    proof (RFC 9449) is checked and the thumbprint of its key noted as `request.dpop_jkt`
    ("" without a proof), for the grant to bind what it issues. A client registered with
    `dpop_bound_access_tokens` must send one. Checked before the grant looks at its code or
    refresh token, so a refused proof uses nothing up."""

    request: Any

    def authenticate_token_endpoint_client(self):  # type: ignore[no-untyped-def]
        client = super().authenticate_token_endpoint_client()  # type: ignore[misc]
        proof = dpop.proof_from(self.request.headers)
        if proof is None:
            if client.dpop_bound_access_tokens:
                raise dpop.InvalidDPoPProof("This client must send a DPoP proof with each token request.")
            self.request.dpop_jkt = ""
        else:
            self.request.dpop_jkt = dpop.proof_check(proof, htm="POST", htu=dpop.endpoint_url("/oidc/token"))
        return client


class S256Only(CodeChallenge):
    """PKCE with S256 only: `plain` is refused; public clients must send a challenge."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant, redirect_uri):  # type: ignore[no-untyped-def]
        data = grant.request.payload.data
        if data.get("code_challenge") and not data.get("code_challenge_method"):
            raise InvalidRequestError("code_challenge_method must be S256.")
        if grant.request.client.is_public and not data.get("code_challenge"):
            raise InvalidRequestError("Public clients must use PKCE (code_challenge with S256).")
        return super().validate_code_challenge(grant, redirect_uri)


class AuthorizationCodeGrant(DPoPBinding, grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ALL_AUTH_METHODS

    def generate_authorization_code(self) -> str:
        # Authlib's generate_token draws each of the 48 characters with its own system
        # call; the same alphabet and length, from one (core.crypto.random_string).
        return random_string(self.AUTHORIZATION_CODE_LENGTH, UNICODE_ASCII_CHARACTER_SET)

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        ctx = request.bawaba  # type: ignore[attr-defined]
        data = request.payload.data
        services.code_save(
            code=code,
            client=request.client,
            user_id=request.user.pk,
            redirect_uri=request.payload.redirect_uri,
            scope=request.scope,
            nonce=data.get("nonce") or "",
            code_challenge=data.get("code_challenge") or "",
            code_challenge_method=data.get("code_challenge_method") or "",
            sid=ctx["sid"],
            auth_time=ctx["auth_time"],
            acr=ctx["acr"],
            amr=ctx["amr"],
            dpop_jkt=data.get("dpop_jkt") or "",
        )

    def validate_authorization_request(self):  # type: ignore[no-untyped-def]
        redirect_uri = super().validate_authorization_request()
        jkt = self.request.payload.data.get("dpop_jkt")
        if jkt is not None and not dpop.JKT_PATTERN.fullmatch(jkt):
            raise InvalidRequestError(  # back to the service, as Authlib's own checks do
                "dpop_jkt must be the JWK SHA-256 thumbprint of a key (RFC 7638).",
                state=self.request.payload.state,
                redirect_uri=redirect_uri,
            )
        return redirect_uri

    def query_authorization_code(self, code: str, client: OidcClient):  # type: ignore[no-untyped-def]
        """The code, used up at once: a services.CodeRow whose `person` carries the claim
        fields (the ID token needs no further query). On PostgreSQL the same statement
        issues the token family when the code matches what the checks that follow (the
        redirect_uri here, the PKCE verifier in S256Only) will want of it; those checks
        still run and decide. A code the authorization request bound to a DPoP key
        (`dpop_jkt`) is exchanged only with a proof of that key; presented without one, it
        is used up all the same (whoever holds it without the key is not its client)."""
        row = services.code_consume(code=code, client=client, issue=self._code_issue(client))
        if row is not None and row.dpop_jkt and row.dpop_jkt != self.request.dpop_jkt:
            raise dpop.InvalidDPoPProof("The authorization code is bound to another DPoP key.")
        return row

    def _code_issue(self, client: OidcClient) -> services.CodeIssue | None:
        """What the code's stored values must be for this request to pass the redirect_uri
        check of validate_token_request and S256Only.validate_code_verifier (Authlib's
        CodeChallenge, required); None when the request fails those whatever the code, and
        when the family is to be bound to the request's DPoP key (a public client's)."""
        if client.is_public and self.request.dpop_jkt:
            return None  # its family is bound to the DPoP key: issued by tokens_issue_for_code
        verifier = self.request.form.get("code_verifier")
        if verifier:
            if not CODE_VERIFIER_PATTERN.match(verifier):
                return None
            challenge = create_s256_code_challenge(verifier)
        elif self.request.auth_method == "none":
            return None  # a public client without a verifier: refused
        else:
            challenge = ""  # the code must have been issued without a challenge
        return services.CodeIssue(
            redirect_uri=self.request.payload.redirect_uri,
            code_challenge=challenge,
            with_refresh=client.check_grant_type("refresh_token"),
        )

    def delete_authorization_code(self, authorization_code) -> None:  # type: ignore[no-untyped-def]
        pass  # consumed (marked used) in query_authorization_code

    def authenticate_user(self, authorization_code):  # type: ignore[no-untyped-def]
        return authorization_code.person

    @hooked
    def create_token_response(self):  # type: ignore[no-untyped-def]
        client = self.request.client
        code = self.request.authorization_code
        self.request.user = code.person
        token = services.tokens_issue_for_code(
            client=client,
            code=code,
            scope=code.scope,
            with_refresh=client.check_grant_type("refresh_token"),
            jkt=self.request.dpop_jkt,
        )
        return 200, token, self.TOKEN_RESPONSE_HEADER


def id_token_for(
    *,
    client: OidcClient,
    user: Any,
    scope: str,
    auth_time: int,
    acr: str,
    amr: list[str] | tuple[str, ...],
    sid: str,
    access_token: str,
    nonce: str = "",
) -> str:
    """An ID token for `client`, signed with its algorithm (ES256 default, RS256 on
    request), with the subject for that client (public or pairwise), acr, amr, auth_time and
    sid of the authentication, at_hash, and the claims of the scope."""
    alg = client.id_token_signed_response_alg
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": tokens.issuer(),
        "aud": client.client_id,
        "iat": now,
        "exp": now + settings.BAWABA_OIDC_ID_TOKEN_TTL,
        "sub": subject_for(user_id=user.pk, subject_type=client.subject_type, sector=client.sector),
        "auth_time": auth_time,
        "acr": acr,
        "amr": amr_out(amr),
        "azp": client.client_id,
    }
    if nonce:
        claims["nonce"] = nonce
    if sid:
        claims["sid"] = sid
    at_hash = create_half_hash(access_token, alg)
    if at_hash is not None:
        claims["at_hash"] = at_hash.decode()
    claims.update(user_claims(user, set(scope.split())))
    return tokens.sign(claims, alg=alg, typ="JWT")  # header {"alg", "kid", "typ": "JWT"}


class OpenIDCodeExtension(OpenIDCode):
    """The ID token of the code exchange (`id_token_for`), with the request's nonce."""

    def exists_nonce(self, nonce, request):  # type: ignore[no-untyped-def]
        return False  # nonces are the relying party's to check; codes are single use

    def encode_id_token(self, token, request):  # type: ignore[no-untyped-def]
        code = request.authorization_code
        return id_token_for(
            client=request.client,
            user=code.person,
            scope=code.scope,
            auth_time=code.auth_time,
            acr=code.acr,
            amr=code.amr,
            sid=code.sid,
            access_token=token["access_token"],
            nonce=code.nonce,
        )


class RefreshTokenGrant(DPoPBinding, grants.RefreshTokenGrant):
    """Rotation on every use; presenting a used refresh token revokes the whole family.
    Without a `scope` parameter (the usual case) the check and the rotation are one
    statement (`services.refresh_exchange`); a narrowed scope is checked first.

    When the original grant had the openid scope, the response carries a new ID token
    (OpenID Connect Core 12.2): same iss, sub, aud and azp, the original authentication's
    auth_time, acr, amr and sid, a new iat, and no nonce."""

    TOKEN_ENDPOINT_AUTH_METHODS = ALL_AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = True

    def validate_token_request(self):  # type: ignore[no-untyped-def]
        client = self._validate_request_client()
        self.request.client = client
        presented = self.request.form.get("refresh_token")
        if not presented:
            raise InvalidRequestError("Missing 'refresh_token' in request.")
        self.request.refresh_token = None
        scope = self.request.payload.scope
        if not scope:
            return  # checked and rotated at once in create_token_response
        try:
            row = services.refresh_lookup(refresh_token=presented, client=client, jkt=self.request.dpop_jkt)
        except services.RefreshRefused as exc:
            raise InvalidGrantError(f"The refresh token is not valid ({exc}).")
        if not set(scope.split()) <= set(row.scope.split()):
            raise InvalidScopeError()
        self.request.refresh_token = row

    @hooked
    def create_token_response(self):  # type: ignore[no-untyped-def]
        row = self.request.refresh_token
        client = self.request.client
        if row is None:
            try:
                token, row = services.refresh_exchange(
                    refresh_token=self.request.form["refresh_token"], client=client, jkt=self.request.dpop_jkt
                )
            except services.RefreshRefused as exc:
                raise InvalidGrantError(f"The refresh token is not valid ({exc}).")
        else:
            try:
                token = services.refresh_rotate(
                    row=row,
                    client=client,
                    scope=self.request.payload.scope or row.scope,
                    jkt=self.request.dpop_jkt,
                )
            except services.RefreshRefused:
                services.family_revoke(
                    family_id=row.family_id, reason="refresh_reuse", client_id=client.client_id
                )
                raise InvalidGrantError("The refresh token is not valid (reused).")
        if "openid" in row.scope.split():
            user = row.person if row.person is not None else identity_selectors.user_get(row.user_id)
            if user is not None:  # (deactivated since: its tokens are refused from now on)
                token["id_token"] = id_token_for(
                    client=client,
                    user=user,
                    scope=token["scope"],
                    auth_time=row.auth_time,
                    acr=row.acr,
                    amr=row.amr,
                    sid=row.sid,
                    access_token=token["access_token"],
                )
        return 200, token, self.TOKEN_RESPONSE_HEADER


class ClientCredentialsGrant(DPoPBinding, grants.ClientCredentialsGrant):
    """For agencies' systems: a JWT access token, no database write."""

    TOKEN_ENDPOINT_AUTH_METHODS = CONFIDENTIAL_AUTH_METHODS

    def validate_requested_scope(self):  # type: ignore[no-untyped-def]
        if self.request.client.get_allowed_scope(self.request.payload.scope) is None:
            raise InvalidScopeError()

    @hooked
    def create_token_response(self):  # type: ignore[no-untyped-def]
        client = self.request.client
        scope = client.get_allowed_scope(self.request.payload.scope) or ""
        jkt = self.request.dpop_jkt
        at, ttl = tokens.access_token(client_id=client.client_id, sub=client.client_id, scope=scope, jkt=jkt)
        body = {"token_type": "DPoP" if jkt else "Bearer", "access_token": at, "expires_in": ttl}
        if scope:
            body["scope"] = scope
        return 200, body, self.TOKEN_RESPONSE_HEADER


# -- tokens as the endpoints see them --------------------------------------------------
class AccessToken:
    def __init__(self, claims: dict[str, Any], raw: str = "") -> None:
        self.claims = claims
        self.raw = raw
        self.client_id = claims.get("client_id")
        self.scope = claims.get("scope", "")
        self._family: TokenFamily | None = None
        self._family_loaded = False

    @property
    def family(self) -> TokenFamily | None:
        if not self._family_loaded:
            fid = self.claims.get("fid")
            self._family = TokenFamily.objects.select_related("user").filter(pk=fid).first() if fid else None
            self._family_loaded = True
        return self._family

    def check_client(self, client: OidcClient) -> bool:
        return self.client_id == client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int(self.claims["exp"] - time.time())

    def is_expired(self) -> bool:
        return self.claims["exp"] < time.time()

    def is_revoked(self) -> bool:
        fam = self.family if self.claims.get("fid") else None
        state = (fam.revoked_at, fam.user.is_active, fam.user_id) if fam else None
        return selectors.access_token_revoked(self.claims, state)

    def get_client(self) -> OidcClient | None:
        return client_get(self.client_id)

    def get_user(self):  # type: ignore[no-untyped-def]
        fam = self.family
        return fam.user if fam else None


class RefreshTokenView:
    def __init__(self, row: Any) -> None:
        self.row = row
        self.client_id = row.family.client.client_id

    def check_client(self, client: OidcClient) -> bool:
        return self.client_id == client.client_id

    def get_scope(self) -> str:
        return self.row.family.scope

    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.row.expires_at < timezone.now()

    def is_revoked(self) -> bool:
        return self.row.used_at is not None or self.row.family.revoked_at is not None


def find_token(token_string: str, hint: str | None) -> AccessToken | RefreshTokenView | None:
    from .models import RefreshToken

    if not token_string or len(token_string) > 8000:
        return None
    if tokens.looks_like_jwt(token_string) and hint != "refresh_token":
        claims = tokens.decode(token_string, typ=tokens.AT_TYP)
        return AccessToken(claims, token_string) if claims else None
    row = (
        RefreshToken.objects.select_related("family", "family__client", "family__user")
        .filter(token_hash=tokens.sha256(token_string))
        .first()
    )
    return RefreshTokenView(row) if row else None


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ALL_AUTH_METHODS

    def query_token(self, token_string, token_type_hint):  # type: ignore[no-untyped-def]
        return find_token(token_string, token_type_hint)

    def revoke_token(self, token, request):  # type: ignore[no-untyped-def]
        if isinstance(token, AccessToken):
            services.access_token_revoke(jti=token.claims["jti"], exp=token.claims["exp"])
        else:
            services.family_revoke(family_id=token.row.family_id, reason="revoked_by_client")


class Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = CONFIDENTIAL_AUTH_METHODS

    def query_token(self, token_string, token_type_hint):  # type: ignore[no-untyped-def]
        return find_token(token_string, token_type_hint)

    def check_permission(self, token, client, request):  # type: ignore[no-untyped-def]
        return token.check_client(client) or client.can_introspect

    def introspect_token(self, token):  # type: ignore[no-untyped-def]
        if isinstance(token, AccessToken):
            c = token.claims
            body = {
                "token_type": "DPoP" if tokens.bound_key(c) else "Bearer",
                "client_id": c.get("client_id"),
                "scope": c.get("scope", ""),
                "sub": c.get("sub"),
                "aud": c.get("aud"),
                "iss": c.get("iss"),
                "exp": c.get("exp"),
                "iat": c.get("iat"),
                "jti": c.get("jti"),
            }
            for k in ("acr", "auth_time", "sid"):
                if k in c:
                    body[k] = c[k]
            if tokens.bound_key(c):
                body["cnf"] = {"jkt": tokens.bound_key(c)}
            return body
        fam = token.row.family
        client = client_get(token.client_id)
        return {
            "token_type": "refresh_token",
            "client_id": token.client_id,
            "scope": fam.scope,
            "sub": subject_for(user_id=fam.user_id, subject_type=client.subject_type, sector=client.sector)
            if client
            else None,
            "exp": int(token.row.expires_at.timestamp()),
            "iat": int(token.row.created_at.timestamp()),
            "iss": tokens.issuer(),
            "acr": fam.acr,
            **({"cnf": {"jkt": fam.dpop_jkt}} if fam.dpop_jkt else {}),
        }


class JWTAccessTokenValidator(BearerTokenValidator):
    def authenticate_token(self, token_string):  # type: ignore[no-untyped-def]
        claims = (
            tokens.decode(token_string, typ=tokens.AT_TYP) if tokens.looks_like_jwt(token_string) else None
        )
        return AccessToken(claims, token_string) if claims else None

    def validate_token(self, token, scopes, request):  # type: ignore[no-untyped-def]
        if token is not None and tokens.bound_key(
            token.claims
        ):  # RFC 9449 7.2: a bound token is no bearer token
            raise dpop.DPoPTokenError(
                "invalid_token",
                "This access token is bound to a DPoP key: send it with the DPoP scheme and a proof.",
            )
        super().validate_token(token, scopes, request)


class DPoPAccessTokenValidator(JWTAccessTokenValidator):
    """`Authorization: DPoP <token>` with a `DPoP` proof (RFC 9449 section 7): the token
    must be bound to the key that signed the proof, and the proof name this request and
    carry the token's hash (`ath`)."""

    TOKEN_TYPE = "dpop"

    def validate_token(self, token, scopes, request):  # type: ignore[no-untyped-def]
        if token is None or token.is_expired() or token.is_revoked():
            raise dpop.DPoPTokenError("invalid_token", "The access token is not valid.")
        bound = tokens.bound_key(token.claims)
        if not bound:
            raise dpop.DPoPTokenError("invalid_token", "This access token is not bound to a DPoP key.")
        path = "/oidc/userinfo"
        try:
            proof = dpop.proof_from(request.headers)
            if proof is None:
                raise dpop.InvalidDPoPProof("A DPoP proof is required with a DPoP-bound access token.")
            jkt = dpop.proof_check(
                proof, htm=request.method, htu=dpop.endpoint_url(path), access_token=token.raw
            )
        except dpop.InvalidDPoPProof as exc:
            raise dpop.DPoPTokenError("invalid_dpop_proof", exc.description) from None
        if jkt != bound:
            raise dpop.DPoPTokenError(
                "invalid_dpop_proof", "The DPoP proof is not made with the key the access token is bound to."
            )
        if self.scope_insufficient(token.get_scope(), scopes):
            from authlib.oauth2.rfc6750 import InsufficientScopeError

            raise InsufficientScopeError()


class UserInfo(UserInfoEndpoint):
    def __call__(self, request):  # type: ignore[no-untyped-def]
        token = self.resource_protector.acquire_token(request._request, ["openid"])
        client = token.get_client()
        user = token.get_user()
        if client is None or user is None:
            from authlib.oauth2.rfc6750 import InvalidTokenError

            raise InvalidTokenError()
        scopes = set(token.scope.split())
        info = {"sub": token.claims["sub"], **user_claims(user, scopes)}
        return 200, info, [("Content-Type", "application/json"), ("Cache-Control", "no-store")]


class EndSession(EndSessionEndpoint):
    def get_server_jwks(self) -> KeySet:
        return keys.public_keyset()

    def end_session(self, end_session_request) -> None:  # type: ignore[no-untyped-def]
        django_request = end_session_request.request._request
        client = end_session_request.client
        services.provider_logout(django_request, except_client_id=client.client_id if client else "")

    def _is_valid_post_logout_redirect_uri(self, client, post_logout_redirect_uri):  # type: ignore[no-untyped-def]
        return post_logout_redirect_uri in client.post_logout_redirect_uris


class BawabaAuthorizationServer(AuthorizationServer):
    def __init__(self) -> None:
        super().__init__(client_model=None, token_model=None)

    def query_client(self, client_id):  # type: ignore[no-untyped-def]
        return client_get(client_id)

    def save_token(self, token, request):  # type: ignore[no-untyped-def]
        pass  # tokens are stored by the grants (services) as they issue them

    def send_signal(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        pass

    def create_oauth2_request(self, request):  # type: ignore[no-untyped-def]
        if isinstance(request, OAuth2Request):
            return request
        return DjangoOAuth2Request(request)

    def handle_response(self, status_code, payload, headers):  # type: ignore[no-untyped-def]
        if isinstance(payload, dict):
            payload = json_dumps(payload)
        resp = HttpResponse(payload, status=status_code)
        for k, v in headers:
            resp[k] = v
        if status_code != 302:
            resp["Cache-Control"] = "no-store"
        return resp


def build_server() -> BawabaAuthorizationServer:
    server = BawabaAuthorizationServer()
    server.register_client_auth_method("private_key_jwt", PrivateKeyJWT())
    server.register_grant(
        AuthorizationCodeGrant, [S256Only(required=True), OpenIDCodeExtension(require_nonce=False)]
    )
    server.register_grant(RefreshTokenGrant)
    server.register_grant(ClientCredentialsGrant)
    server.register_endpoint(Revocation)
    server.register_endpoint(Introspection)
    protector = DjangoResourceProtector()
    protector.register_token_validator(JWTAccessTokenValidator())
    protector.register_token_validator(DPoPAccessTokenValidator())
    server.register_endpoint(UserInfo(resource_protector=protector))
    server.register_endpoint(EndSession)
    return server


server = build_server()
resource_protector = server._endpoints["userinfo"][0].resource_protector
