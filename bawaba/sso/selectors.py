"""Reads of the single sign-on app."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone

from bawaba.core.auth import BearerCheck

from . import tokens
from .clients import OidcClient, client_get
from .models import Client, Consent, PushedRequest, RevokedAccessToken, SessionClient, TokenFamily


def clients_all() -> list[Client]:
    """Every relying party, active or not, by name (for operators: `bawaba oidc_client list`)."""
    return list(Client.objects.select_related("agency").order_by("name_en", "client_id"))


def client_by_id(client_id: str) -> Client | None:
    """One relying party's registration as stored, active or not (not the protocol's cached
    view: `clients.client_get`)."""
    return Client.objects.select_related("agency").filter(client_id=client_id).first()


def pushed_request_get(*, client: OidcClient, request_uri: str) -> dict[str, str] | None:
    prefix = "urn:ietf:params:oauth:request_uri:"
    if not request_uri.startswith(prefix):
        return None
    row = PushedRequest.objects.filter(
        handle_hash=tokens.sha256(request_uri[len(prefix) :]),
        client_id=client.pk,
        used_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()
    return row.params if row else None


def consent_covers(*, user: Any, client: OidcClient, scopes: list[str]) -> bool:
    consent = Consent.objects.filter(user=user, client_id=client.pk).values_list("scopes", flat=True).first()
    return consent is not None and set(scopes) <= set(consent)


def consents_for(user: Any) -> list[Consent]:
    return list(
        Consent.objects.filter(user=user).select_related("client", "client__agency").order_by("-updated_at")
    )


def clients_by_session(sids: list[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for row in SessionClient.objects.filter(sid__in=sids).select_related("client").order_by("created_at"):
        out.setdefault(row.sid, []).append(row.client)
    return out


def _family_state(fid: Any) -> tuple[Any, bool, Any] | None:
    """(revoked_at, person is active, person's id) of a token family, None if unknown."""
    try:
        return (
            TokenFamily.objects.filter(pk=fid).values_list("revoked_at", "user__is_active", "user_id").first()
        )
    except (ValueError, TypeError, DjangoValidationError):
        return None


def access_token_revoked(claims: dict[str, Any], family: tuple[Any, bool, Any] | None) -> bool:
    """Whether a well-signed, unexpired access token was revoked since: on its own (RFC
    7009), with its token family (client revocation, logout, refresh-token reuse), or by
    deactivating its person. `family` is its family's (revoked_at, person is active,
    person's id). Introspection, UserInfo and the JSON API apply this one rule."""
    if RevokedAccessToken.objects.filter(jti=str(claims.get("jti", ""))[:64]).exists():
        return True
    if not claims.get("fid"):
        return False
    return family is None or family[0] is not None or not family[1]


def access_token_check(
    token: str, *, scheme: str = "bearer", proof: str | None = None, method: str = "GET", url: str = ""
) -> BearerCheck:
    """What a resource server (the JSON API) needs to know of an access token this provider
    issued: whether it may be used and, if so, for whom, by which client and with which
    scopes. Checks the signature, issuer, type (RFC 9068 `at+jwt`) and expiry, then whether
    the client is still active (cached) and revocation (two small reads).

    A token bound to a DPoP key (RFC 9449) must come with `scheme` "dpop" and a `proof`
    (the request's DPoP header) made with that key for this request (`method`, `url`) and
    this token: "dpop_required" when sent as a bearer token, "dpop_proof" when the proof is
    missing, wrong or replayed; the DPoP scheme with an unbound token is "invalid"."""
    claims, problem = tokens.decode_checked(token, typ=tokens.AT_TYP)
    if claims is None:
        return BearerCheck(problem=problem or "invalid")
    bound = tokens.bound_key(claims)
    if scheme == "dpop":
        if not bound:
            return BearerCheck(problem="invalid")
        from . import dpop

        try:
            if proof is None:
                raise dpop.InvalidDPoPProof("no proof")
            if dpop.proof_check(proof, htm=method, htu=url, access_token=token) != bound:
                raise dpop.InvalidDPoPProof("another key")
        except dpop.InvalidDPoPProof:
            return BearerCheck(problem="dpop_proof")
    elif bound:
        return BearerCheck(problem="dpop_required")
    client_id = str(claims.get("client_id") or "")
    if client_get(client_id) is None:
        return BearerCheck(problem="revoked", client_id=client_id)
    fid = claims.get("fid")
    family = _family_state(fid) if fid else None
    if access_token_revoked(claims, family):
        return BearerCheck(problem="revoked", client_id=client_id)
    if family is None:
        return BearerCheck(problem="no_person", client_id=client_id)  # a client-credentials token
    scope = claims.get("scope")
    return BearerCheck(
        user_id=family[2],
        client_id=client_id,
        scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
        acr=str(claims.get("acr") or ""),
        jti=str(claims.get("jti") or ""),
    )
