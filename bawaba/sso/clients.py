"""Relying parties as the protocol code sees them: an immutable view of a Client row,
cached in-process for a few seconds (BAWABA_OIDC_CLIENT_CACHE_SECONDS). Only a client
secret is always checked against the database, so that a regenerated one takes effect at
once everywhere; the rest (redirect URIs, scopes…) may be that many seconds old."""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import ClientMixin
from django.conf import settings
from django.db import connection

from .models import Client
from .tokens import sha256

USER_SCOPES = ("openid", "profile", "phone", "email", "national_id", "applications")


@dataclass(frozen=True)
class OidcClient(ClientMixin):
    pk: Any
    client_id: str
    name_ar: str
    name_en: str
    agency_ar: str
    agency_en: str
    secret_hash: str
    token_endpoint_auth_method: str
    jwks: dict
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]
    backchannel_logout_uri: str
    scopes: frozenset[str]
    grant_types: frozenset[str]
    subject_type: str
    sector: str
    id_token_signed_response_alg: str
    first_party: bool
    require_par: bool
    can_introspect: bool
    default_acr: str
    jwks_uri: str = ""
    dpop_bound_access_tokens: bool = False
    client_metadata: dict = field(default_factory=dict, compare=False)

    @classmethod
    def from_model(cls, c: Client) -> OidcClient:
        sector = c.sector_identifier or (urlsplit(c.redirect_uris[0]).hostname if c.redirect_uris else "")
        return cls(
            pk=c.pk,
            client_id=c.client_id,
            name_ar=c.name_ar,
            name_en=c.name_en,
            agency_ar=c.agency.name_ar if c.agency_id else "",
            agency_en=c.agency.name_en if c.agency_id else "",
            secret_hash=c.client_secret_hash,
            token_endpoint_auth_method=c.token_endpoint_auth_method,
            jwks=c.jwks or {},
            redirect_uris=tuple(c.redirect_uris or ()),
            post_logout_redirect_uris=tuple(c.post_logout_redirect_uris or ()),
            backchannel_logout_uri=c.backchannel_logout_uri,
            scopes=frozenset(c.scopes.split()),
            grant_types=frozenset(c.grant_types or ()),
            subject_type=c.subject_type,
            sector=sector or "",
            id_token_signed_response_alg=c.id_token_signed_response_alg,
            first_party=c.first_party,
            require_par=c.require_par,
            can_introspect=c.can_introspect,
            default_acr=c.default_acr,
            jwks_uri=c.jwks_uri,
            dpop_bound_access_tokens=c.dpop_bound_access_tokens,
            client_metadata={"post_logout_redirect_uris": list(c.post_logout_redirect_uris or ())},
        )

    # -- authlib ClientMixin -------------------------------------------------------
    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # A redirect_uri is always required (OpenID Connect Core 3.1.2.1).
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        """The requested scope if the client may have every part of it, else None
        (invalid_scope): we never silently narrow a request."""
        if not scope:
            return ""
        wanted = scope.split()
        if not set(wanted) <= self.scopes:
            return None
        return " ".join(dict.fromkeys(wanted))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris  # exact match, no patterns

    def check_client_secret(self, client_secret: str) -> bool:
        """Checked against the secret stored now, not the cached one: a regenerated secret
        (or a deactivated client) stops working at once in every process. One indexed
        query, only for the requests that authenticate with a secret."""
        if not self.secret_hash or not client_secret:
            return False
        current = client_secret_hash_current(self.pk)
        if current != self.secret_hash:
            client_cache_clear(self.client_id)  # changed since cached: reload the rest too
        return bool(current) and hmac.compare_digest(current, sha256(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.token_endpoint_auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types

    @property
    def is_public(self) -> bool:
        return self.token_endpoint_auth_method == "none"

    def name(self, lang: str) -> str:
        return (self.name_en or self.name_ar) if lang == "en" else (self.name_ar or self.name_en)

    def agency(self, lang: str) -> str:
        return (self.agency_en or self.agency_ar) if lang == "en" else (self.agency_ar or self.agency_en)


_cache: dict[str, tuple[float, OidcClient | None]] = {}
_cache_lock = threading.Lock()


def client_get(client_id: str | None) -> OidcClient | None:
    if not client_id or not isinstance(client_id, str) or len(client_id) > 100:
        return None
    now = time.monotonic()
    hit = _cache.get(client_id)
    if hit and now - hit[0] < settings.BAWABA_OIDC_CLIENT_CACHE_SECONDS:
        return hit[1]
    row = Client.objects.select_related("agency").filter(client_id=client_id, is_active=True).first()
    value = OidcClient.from_model(row) if row else None
    with _cache_lock:
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[client_id] = (now, value)
    return value


def client_secret_hash_current(pk: Any) -> str:
    """The SHA-256 of the client's secret as stored now ("" when inactive or gone). A plain
    cursor: on the token endpoint's hot path the ORM's query building would cost four times
    the query itself (about 0.08 ms of CPU on PostgreSQL)."""
    table = connection.ops.quote_name(Client._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT client_secret_hash FROM {table} WHERE id = %s AND is_active",  # noqa: S608
            [Client._meta.pk.get_db_prep_value(pk, connection)],
        )
        row = cursor.fetchone()
    return row[0] if row else ""


def client_cache_clear(client_id: str | None = None) -> None:
    with _cache_lock:
        if client_id:
            _cache.pop(client_id, None)
        else:
            _cache.clear()
        _origins.clear()


def web_origin(url: str) -> str:
    """The origin (RFC 6454: scheme://host[:port], lower case, default port left out) of
    an address, as a browser sends it in `Origin`; "" when it has none."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        return ""
    if ":" in host:
        host = f"[{host}]"
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


_origins: dict[str, tuple[float, frozenset[str]]] = {}


def web_origins_registered() -> frozenset[str]:
    """The origins of every active relying party's redirect URIs (Keycloak's default "web
    origins"): the sites whose pages may read the answers of the token, userinfo and
    revocation endpoints in a browser (CORS). Cached like the clients."""
    now = time.monotonic()
    hit = _origins.get("all")
    if hit and now - hit[0] < settings.BAWABA_OIDC_CLIENT_CACHE_SECONDS:
        return hit[1]
    found = frozenset(
        o
        for uris in Client.objects.filter(is_active=True).values_list("redirect_uris", flat=True)
        for o in map(web_origin, uris or ())
        if o
    )
    with _cache_lock:
        _origins["all"] = (now, found)
    return found
