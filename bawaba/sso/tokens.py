"""Signed JWTs the provider issues: access tokens (RFC 9068), logout tokens, and their
verification. Opaque secrets (codes, refresh tokens, client secrets) are stored as SHA-256."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.conf import settings
from joserfc import jwt
from joserfc.errors import JoseError

from . import keys

AT_TYP = "at+jwt"
LOGOUT_TYP = "logout+jwt"
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def issuer() -> str:
    return settings.BAWABA_OIDC_ISSUER or settings.BASE_URL


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


@lru_cache(maxsize=32)
def _header(alg: str, kid: str, typ: str) -> bytes:
    return b64url(json.dumps({"alg": alg, "kid": kid, "typ": typ}, separators=(",", ":")).encode())


def sign(claims: dict[str, Any], *, alg: str = "ES256", typ: str = "JWT") -> str:
    """Compact JWS (RFC 7515) with the active key. Done directly with `cryptography`
    on the hot path; verification (and the ID token) go through joserfc, and the tests
    check these tokens with independent libraries."""
    key = keys.signing_key(alg)
    signing_input = (
        _header(alg, key.kid, typ) + b"." + b64url(json.dumps(claims, separators=(",", ":")).encode())
    )
    private = key.jwk.private_key
    if alg == "ES256":
        r, s = decode_dss_signature(private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    elif alg == "RS256":
        signature = private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:  # pragma: no cover
        raise ValueError(alg)
    return (signing_input + b"." + b64url(signature)).decode()


def access_token(
    *,
    client_id: str,
    sub: str,
    scope: str,
    family: str | None = None,
    sid: str = "",
    acr: str = "",
    auth_time: int | None = None,
    jkt: str = "",
) -> tuple[str, int]:
    """A JWT access token (RFC 9068); bound to a DPoP key when `jkt` (its JWK thumbprint)
    is given (RFC 9449 section 6: `cnf.jkt`)."""
    now = int(time.time())
    ttl = settings.BAWABA_OIDC_ACCESS_TOKEN_TTL
    claims: dict[str, Any] = {
        "iss": issuer(),
        "sub": sub,
        "aud": client_id,
        "client_id": client_id,
        "iat": now,
        "exp": now + ttl,
        "jti": uuid.uuid4().hex,
        "scope": scope,
    }
    if family:
        claims["fid"] = family
    if sid:
        claims["sid"] = sid
    if acr:
        claims["acr"] = acr
    if auth_time:
        claims["auth_time"] = auth_time
    if jkt:
        claims["cnf"] = {"jkt": jkt}
    return sign(claims, typ=AT_TYP), ttl


def bound_key(claims: dict[str, Any]) -> str:
    """The thumbprint of the DPoP key an access token is bound to (`cnf.jkt`), "" if none."""
    cnf = claims.get("cnf")
    jkt = cnf.get("jkt") if isinstance(cnf, dict) else None
    return jkt if isinstance(jkt, str) else ""


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


def decode(token: str, *, typ: str | None = None) -> dict[str, Any] | None:
    """Verify a JWT this provider signed (any published key). None when invalid/expired."""
    claims, _problem = decode_checked(token, typ=typ)
    return claims


def decode_checked(token: str, *, typ: str | None = None) -> tuple[dict[str, Any] | None, str]:
    """As `decode`, saying why a token is refused: (claims, "") or (None, "invalid" |
    "expired"). "expired" only for a token that is otherwise good."""
    claims = _signed_claims(token, typ=typ)
    if claims is None:
        return None, "invalid"
    exp = claims.get("exp")
    if not isinstance(exp, int | float):
        return None, "invalid"
    if exp < time.time():
        return None, "expired"
    return claims, ""


def _signed_claims(token: str, *, typ: str | None) -> dict[str, Any] | None:
    """The claims of a JWT signed with one of this provider's published keys and naming it
    as issuer (its expiry not checked), else None."""
    try:
        obj = jwt.decode(token, keys.public_keyset(), algorithms=list(keys.ALGORITHMS))
    except (JoseError, ValueError, TypeError, KeyError):
        return None
    if typ and obj.header.get("typ") != typ:
        return None
    claims = dict(obj.claims)
    return claims if claims.get("iss") == issuer() else None


def id_token_hint_subject(hint: object, *, client_id: str) -> str | None:
    """The `sub` of an ID token this provider issued to `client_id`, given back as a hint
    (OpenID Connect Core 3.1.2.1 `id_token_hint`): expired is fine (it names a person, it
    grants nothing), anything else — another service's token, an access token, a forgery —
    is None."""
    if not isinstance(hint, str) or len(hint) > 8192 or not looks_like_jwt(hint):
        return None
    claims = _signed_claims(hint, typ="JWT")
    if claims is None:
        return None
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    sub = claims.get("sub")
    if client_id not in audiences or not isinstance(sub, str) or not sub or "auth_time" not in claims:
        return None  # (every ID token has auth_time; this provider's other JWTs do not)
    return sub


def logout_token(*, client_id: str, sub: str, sid: str, alg: str = "ES256") -> str:
    now = int(time.time())
    claims = {
        "iss": issuer(),
        "aud": client_id,
        "iat": now,
        "exp": now + settings.BAWABA_OIDC_LOGOUT_TOKEN_TTL,
        "jti": uuid.uuid4().hex,
        "sub": sub,
        "sid": sid,
        "events": {BACKCHANNEL_EVENT: {}},
    }
    return sign(claims, alg=alg, typ=LOGOUT_TYP)
