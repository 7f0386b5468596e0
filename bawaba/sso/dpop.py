"""DPoP (RFC 9449): sender-constrained tokens. A client that sends a `DPoP` proof (a JWT
signed with a key it holds, the public half in the header) to the token endpoint gets
access tokens bound to that key (`cnf.jkt`, `token_type` "DPoP"); whoever presents such a
token must prove possession of the key again with each request, so a stolen token is of
no use alone. Refresh tokens issued to public clients are bound the same way.

The proof's JWS is checked with joserfc; what DPoP itself asks of it (RFC 9449 section 4.3)
is here: `typ`, an asymmetric `alg`, a public `jwk`, `htm` and `htu` naming this request,
a recent `iat`, a single-use `jti`, and `ath` (the token's hash) at resource endpoints.
Server-provided nonces (section 8) are not used: the `jti` store and the short window do
their work."""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from authlib.oauth2.rfc6749 import OAuth2Error
from django.conf import settings
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import import_key
from joserfc.jws import JWSRegistry

from . import services, tokens

PROOF_TYP = "dpop+jwt"
ALGORITHMS = ("ES256", "ES384", "RS256", "PS256", "EdDSA")
_KEY_TYPES = {"ES256": "EC", "ES384": "EC", "RS256": "RSA", "PS256": "RSA", "EdDSA": "OKP"}
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
MAX_PROOF_LENGTH = 8192
JKT_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")  # base64url of a SHA-256 (RFC 7638 thumbprint)


class _ProofRegistry(JWSRegistry):
    max_header_length = 4096  # the header carries the key: an RSA one passes joserfc's 512


_REGISTRY = _ProofRegistry(algorithms=list(ALGORITHMS))


class InvalidDPoPProof(OAuth2Error):
    """RFC 9449 section 5 / 7.1: `invalid_dpop_proof`."""

    error = "invalid_dpop_proof"
    status_code = 400


class DPoPTokenError(OAuth2Error):
    """At a resource endpoint (section 7.1): 401 with a `WWW-Authenticate: DPoP` challenge."""

    status_code = 401

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description=description)
        self.error = error

    def get_headers(self) -> list[tuple[str, str]]:
        headers = super().get_headers()
        algs = " ".join(ALGORITHMS)
        description = str(self.description).replace('"', "'").replace("\\", "")
        headers.append(
            (
                "WWW-Authenticate",
                f'DPoP error="{self.error}", error_description="{description}", algs="{algs}"',
            )
        )
        return headers


def endpoint_url(path: str) -> str:
    """The `htu` a proof for this provider's endpoint `path` must carry."""
    return tokens.issuer().rstrip("/") + path


def _normal_url(url: str) -> str:
    """Scheme and host in lower case, default port dropped, no query or fragment
    (RFC 9449 section 4.3, with RFC 3986's syntax-based normalisation)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((parts.scheme == "https" and port == 443) or (parts.scheme == "http" and port == 80)):
        host = f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", "", ""))


def access_token_hash(access_token: str) -> str:
    return tokens.b64url(hashlib.sha256(access_token.encode("ascii", "replace")).digest()).decode()


_CURVES = {"ES256": "P-256", "ES384": "P-384", "EdDSA": "Ed25519"}


def _key_size_ok(alg: str, jwk: dict[str, Any]) -> bool:
    """The curve the algorithm names, or an RSA key of a usual size: a proof is checked
    before anything else of the request, so its key must not be made costly to verify (a
    huge modulus or public exponent)."""
    if alg in _CURVES:
        return jwk.get("crv") == _CURVES[alg]
    n, e = jwk.get("n"), jwk.get("e")
    if not isinstance(n, str) or e != "AQAB":
        return False
    bits = len(n.rstrip("=")) * 6  # base64url: 6 bits a character (up to 7 bits of padding)
    return 2048 <= bits < 4096 + 8


def proof_from(headers: Any) -> str | None:
    """The request's one DPoP proof; None without a DPoP header. Two headers (joined with a
    comma by the server) or an empty one are refused."""
    value = headers.get("DPoP")
    if value is None:
        return None
    if not value or "," in value or len(value) > MAX_PROOF_LENGTH:
        raise InvalidDPoPProof("Exactly one DPoP proof is expected in the DPoP header.")
    return str(value.strip())


def proof_check(proof: str, *, htm: str, htu: str, access_token: str | None = None) -> str:
    """Check a DPoP proof for a request with method `htm` to `htu` (and, at a resource
    endpoint, the access token it accompanies). Returns the JWK SHA-256 thumbprint (RFC
    7638) of the proof's key; raises InvalidDPoPProof saying what is wrong. The proof's
    `jti` is recorded: the same proof is refused a second time."""
    try:
        header = jws.extract_compact(proof.encode(), registry=_REGISTRY).protected
    except (JoseError, ValueError, TypeError, UnicodeError):
        raise InvalidDPoPProof("The DPoP proof is not a JWS in compact form.") from None
    if header.get("typ") != PROOF_TYP:
        raise InvalidDPoPProof("The DPoP proof's typ must be dpop+jwt.")
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise InvalidDPoPProof(f"The DPoP proof's algorithm must be one of {', '.join(ALGORITHMS)}.")
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or jwk.get("kty") != _KEY_TYPES[alg]:
        raise InvalidDPoPProof("The DPoP proof's header must carry the public key (jwk) of its algorithm.")
    if any(m in jwk for m in _PRIVATE_MEMBERS):
        raise InvalidDPoPProof("The DPoP proof's jwk must not contain private key material.")
    if not _key_size_ok(alg, jwk):
        raise InvalidDPoPProof(
            "The DPoP proof's key must be P-256 (ES256), P-384 (ES384), Ed25519 (EdDSA), "
            "or RSA of 2048 to 4096 bits with the exponent 65537."
        )
    try:
        key = import_key(jwk)
        claims = dict(jwt.decode(proof, key, algorithms=[alg], registry=_REGISTRY).claims)
    except (JoseError, ValueError, TypeError, KeyError):
        raise InvalidDPoPProof("The DPoP proof's signature does not verify with its jwk.") from None
    if key.is_private:
        raise InvalidDPoPProof("The DPoP proof's jwk must not contain private key material.")
    jti, iat = claims.get("jti"), claims.get("iat")
    if not isinstance(jti, str) or not jti or len(jti) > 200:
        raise InvalidDPoPProof("The DPoP proof must have a jti.")
    if claims.get("htm") != htm:
        raise InvalidDPoPProof(f"The DPoP proof's htm must be {htm}.")
    htu_claim = claims.get("htu")
    if not isinstance(htu_claim, str) or _normal_url(htu_claim) != _normal_url(htu):
        raise InvalidDPoPProof(f"The DPoP proof's htu must be {htu}.")
    now = time.time()
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise InvalidDPoPProof("The DPoP proof must have an iat.")
    max_age, leeway = settings.BAWABA_OIDC_DPOP_MAX_AGE, settings.BAWABA_OIDC_DPOP_LEEWAY
    if iat < now - max_age - leeway or iat > now + leeway:
        raise InvalidDPoPProof("The DPoP proof was not made just now (check the client's clock).")
    if access_token is not None:
        if claims.get("ath") != access_token_hash(access_token):
            raise InvalidDPoPProof("The DPoP proof's ath is not the hash of the access token sent with it.")
    jkt = str(key.thumbprint())
    if not services.assertion_jti_use(client_id=f"dpop:{jkt}", jti=jti, exp=int(iat) + max_age + 2 * leeway):
        raise InvalidDPoPProof("This DPoP proof was used before: make a new one for each request.")
    return jkt
