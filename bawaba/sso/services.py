"""Every write of the single sign-on app: relying parties, codes, token families, refresh
rotation, consents, provider sessions and logout. Keyword-only, one transaction each."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import math
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from functools import cache, partial
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core.audit import audit_record
from bawaba.core.errors import NotFound, RateLimited, ValidationError
from bawaba.core.http import outbound_client
from bawaba.identity import selectors as identity_selectors
from bawaba.identity import services as identity_services

from . import client_keys, tokens
from .claims import ACR_VALUES, CLAIM_FIELDS, subject_for
from .clients import USER_SCOPES, OidcClient, client_cache_clear, client_get
from .models import (
    AuthorizationCode,
    Client,
    CodeInterface,
    Consent,
    PushedRequest,
    RefreshToken,
    RevokedAccessToken,
    SessionClient,
    TokenFamily,
    UsedAssertion,
)

log = logging.getLogger(__name__)

AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt", "none")


# -- relying parties ------------------------------------------------------------------
def _check_uri(uri: str, field: str = "redirect_uris") -> str:
    parts = urlsplit(uri)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.fragment:
        raise ValidationError(_("%(uri)s is not an absolute http(s) address.") % {"uri": uri}, field=field)
    if (
        parts.scheme == "http"
        and parts.hostname not in ("127.0.0.1", "localhost", "testserver")
        and not settings.DEBUG
    ):
        if not settings.DEMO_MODE:
            message = (
                _("Redirect addresses must use https.")
                if field == "redirect_uris"
                else _("%(uri)s must use https.") % {"uri": uri}
            )
            raise ValidationError(message, field=field)
    return uri


def client_keys_validate(*, auth_method: str, jwks: dict | None, jwks_uri: str) -> None:
    """private_key_jwt needs the client's public keys: registered (`jwks`) or published at an
    https address (`jwks_uri`), one or the other (OpenID Connect Dynamic Registration 2)."""
    if jwks_uri and auth_method != "private_key_jwt":
        raise ValidationError(_("A JWKS URI is only for private_key_jwt clients."), field="jwks_uri")
    if jwks_uri:
        if (jwks or {}).get("keys"):
            raise ValidationError(
                _("Give the public keys or their address (JWKS URI), not both."), field="jwks"
            )
        if len(jwks_uri) > 500:
            raise ValidationError(_("The JWKS URI is too long."), field="jwks_uri")
        _check_uri(jwks_uri, field="jwks_uri")
    elif auth_method == "private_key_jwt" and not (jwks or {}).get("keys"):
        raise ValidationError(
            _("private_key_jwt needs the client's public keys (JWKS) or their address (JWKS URI)."),
            field="jwks",
        )


def default_grant_types(auth_method: str) -> list[str]:
    """A client's grant types when none are given: the code flow with refresh tokens, and
    client credentials for a confidential client."""
    return ["authorization_code", "refresh_token", *([] if auth_method == "none" else ["client_credentials"])]


def client_registration_validate(
    *,
    auth_method: str,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str],
    backchannel_logout_uri: str,
    scopes: str,
    jwks: dict | None,
    jwks_uri: str,
    grant_types: list[str] | None,
) -> None:
    """The checks of a relying party's registration, for `client_create` and for the back
    office's form (a new client or an edited one)."""
    if auth_method not in AUTH_METHODS:
        raise ValidationError(_("Unknown client authentication method."), field="token_endpoint_auth_method")
    if not redirect_uris:
        raise ValidationError(_("At least one redirect address is needed."), field="redirect_uris")
    for uri in redirect_uris:
        _check_uri(uri)
    for uri in post_logout_redirect_uris:
        _check_uri(uri, field="post_logout_redirect_uris")
    if backchannel_logout_uri:
        _check_uri(backchannel_logout_uri, field="backchannel_logout_uri")
    unknown = set(scopes.split()) - set(USER_SCOPES)
    if unknown or "openid" not in scopes.split():
        raise ValidationError(
            _("Scopes must include openid and be among: %(s)s.") % {"s": " ".join(USER_SCOPES)},
            field="scopes",
        )
    client_keys_validate(auth_method=auth_method, jwks=jwks, jwks_uri=jwks_uri)
    if grant_types is not None:
        if set(grant_types) - {"authorization_code", "refresh_token", "client_credentials"}:
            raise ValidationError(_("Unknown grant type."), field="grant_types")
        if auth_method == "none" and "client_credentials" in grant_types:
            raise ValidationError(_("Public clients cannot use client credentials."), field="grant_types")


def client_update(*, client: Client, changed: list[str], actor: Any = None) -> None:
    """Save a relying party edited in the back office (checked by its form with
    `client_registration_validate`): audited with the names of the fields changed, and
    every cache of it dropped so the change applies within this process at once. Made
    inactive, its refresh tokens are revoked, as by `client_set_active`."""
    with transaction.atomic():
        client.save()
        data: dict[str, Any] = {"changed": sorted(changed)}
        if "is_active" in changed and not client.is_active:  # as `client_set_active`
            data["families_revoked"] = _families_revoke(client)
        audit_record(
            action="sso.client.update",
            actor=actor,
            object_type="oidc_client",
            object_id=client.client_id,
            data=data,
        )
    client_cache_clear(client.client_id)
    if client.jwks_uri:
        client_keys.cache_clear(client.jwks_uri)  # fetched afresh after an edit


def client_create(
    *,
    name_en: str,
    name_ar: str = "",
    redirect_uris: list[str],
    public: bool = False,
    auth_method: str = "client_secret_basic",
    scopes: str = "openid profile",
    first_party: bool = False,
    agency_code: str = "",
    post_logout_redirect_uris: list[str] | None = None,
    backchannel_logout_uri: str = "",
    jwks: dict | None = None,
    jwks_uri: str = "",
    grant_types: list[str] | None = None,
    subject_type: str = "pairwise",
    id_token_alg: str = "ES256",  # noqa: S107 (an algorithm name)
    require_par: bool = False,
    dpop_bound_access_tokens: bool = False,
    default_acr: str = "",
    client_id: str | None = None,
    secret: str | None = None,
    actor: Any = None,
) -> tuple[Client, str | None]:
    """Register a relying party. Returns the client and its secret (shown once; only its
    SHA-256 is stored), or None for public and private_key_jwt clients."""
    if public:
        auth_method = "none"
    client_registration_validate(
        auth_method=auth_method,
        redirect_uris=redirect_uris,
        post_logout_redirect_uris=post_logout_redirect_uris or [],
        backchannel_logout_uri=backchannel_logout_uri,
        scopes=scopes,
        jwks=jwks,
        jwks_uri=jwks_uri,
        grant_types=grant_types,
    )
    if id_token_alg not in ("ES256", "RS256"):
        raise ValidationError(_("ID tokens are signed with ES256 or RS256."), field="id_token_alg")
    if default_acr and default_acr not in ACR_VALUES:
        raise ValidationError(_("Unknown assurance level."), field="default_acr")
    if grant_types is None:
        grant_types = default_grant_types(auth_method)
    plain_secret = None
    secret_hash = ""
    if auth_method in ("client_secret_basic", "client_secret_post"):
        plain_secret = secret or tokens.new_secret(32)
        secret_hash = tokens.sha256(plain_secret)
    agency = None
    if agency_code:
        agency = identity_selectors.agency_get(agency_code)
        if agency is None:
            raise ValidationError(_("Unknown agency code."), field="agency")
    with transaction.atomic():
        client = Client(
            client_id=client_id or f"bw-{uuid.uuid4().hex[:20]}",
            name_en=name_en,
            name_ar=name_ar or name_en,
            agency=agency,
            client_secret_hash=secret_hash,
            token_endpoint_auth_method=auth_method,
            jwks=jwks or {},
            jwks_uri=jwks_uri,
            redirect_uris=list(redirect_uris),
            post_logout_redirect_uris=list(post_logout_redirect_uris or []),
            backchannel_logout_uri=backchannel_logout_uri,
            scopes=" ".join(dict.fromkeys(scopes.split())),
            grant_types=grant_types,
            subject_type=subject_type,
            id_token_signed_response_alg=id_token_alg,
            first_party=first_party,
            require_par=require_par,
            dpop_bound_access_tokens=dpop_bound_access_tokens,
            default_acr=default_acr,
        )
        try:
            with transaction.atomic():
                client.save(force_insert=True)
        except IntegrityError:
            raise ValidationError(_("This client ID is already registered."), field="client_id")
        audit_record(
            action="sso.client.create",
            actor=actor,
            object_type="oidc_client",
            object_id=client.client_id,
            data={
                "auth_method": auth_method,
                "scopes": client.scopes,
                "first_party": first_party,
                **({"jwks_uri": jwks_uri} if jwks_uri else {}),
            },
        )
    client_cache_clear(client.client_id)
    return client, plain_secret


def client_secret_regenerate(*, client_id: str, actor: Any = None, secret: str | None = None) -> str:
    plain = secret or tokens.new_secret(32)
    with transaction.atomic():
        client = Client.objects.select_for_update().filter(client_id=client_id).first()
        if client is None:
            raise NotFound(_("No such client."))
        if client.token_endpoint_auth_method not in ("client_secret_basic", "client_secret_post"):
            raise ValidationError(_("This client does not use a secret."))
        client.client_secret_hash = tokens.sha256(plain)
        client.save(update_fields=["client_secret_hash", "updated_at"])
        audit_record(
            action="sso.client.secret_regenerate", actor=actor, object_type="oidc_client", object_id=client_id
        )
    client_cache_clear(client_id)
    return plain


def _families_revoke(client: Client) -> int:
    return TokenFamily.objects.filter(client=client, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason="client_deactivated"
    )


def client_set_active(*, client_id: str, active: bool, actor: Any = None) -> int:
    """Deactivate a relying party (or activate it again). Deactivated: its secret and
    assertions are refused at once in every process (checked against the database), its
    refresh tokens are revoked (returns how many token families), and people can no longer
    be sent to it; its access tokens end with their short lifetime. Audited."""
    with transaction.atomic():
        client = Client.objects.select_for_update().filter(client_id=client_id).first()
        if client is None:
            raise NotFound(_("No such client."))
        revoked = 0
        if client.is_active != active:
            client.is_active = active
            client.save(update_fields=["is_active", "updated_at"])
            if not active:
                revoked = _families_revoke(client)
            audit_record(
                action="sso.client.activate" if active else "sso.client.deactivate",
                actor=actor,
                object_type="oidc_client",
                object_id=client_id,
                data={"families_revoked": revoked} if not active else {},
            )
    client_cache_clear(client_id)
    return revoked


# -- authorization codes --------------------------------------------------------------
def code_save(
    *,
    code: str,
    client: OidcClient,
    user_id: Any,
    redirect_uri: str,
    scope: str,
    nonce: str,
    code_challenge: str,
    code_challenge_method: str,
    sid: str,
    auth_time: int,
    acr: str,
    amr: list[str],
    dpop_jkt: str = "",
) -> None:
    """Store an authorization code (hashed) and note that `client` takes part in the
    provider session `sid` (for back-channel logout): on PostgreSQL one statement.
    `dpop_jkt`: the DPoP key the code is bound to (RFC 9449 section 10), "" if none."""
    now = timezone.now()
    expires = now + dt.timedelta(seconds=settings.BAWABA_OIDC_CODE_TTL)
    if connection.vendor == "postgresql":
        values = [
            tokens.sha256(code),
            client.pk,
            user_id,
            redirect_uri,
            scope,
            nonce[:255],
            code_challenge,
            code_challenge_method,
            sid,
            auth_time,
            acr,
            json.dumps(amr),
            now,
            expires,
            dpop_jkt,
        ]
        sql = (
            f"INSERT INTO {_table(AuthorizationCode)} (code_hash, client_id, user_id, redirect_uri, scope, "  # noqa: S608
            "nonce, code_challenge, code_challenge_method, sid, auth_time, acr, amr, created_at, expires_at, "
            "dpop_jkt) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s)"
        )
        if sid:
            sql = (
                f"WITH c AS ({sql}) INSERT INTO {_table(SessionClient)} (sid, user_id, client_id, created_at) "  # noqa: S608
                "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING"
            )
            values += [sid, user_id, client.pk, now]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
        return
    with transaction.atomic():
        AuthorizationCode.objects.create(
            code_hash=tokens.sha256(code),
            client_id=client.pk,
            user_id=user_id,
            redirect_uri=redirect_uri,
            scope=scope,
            nonce=nonce[:255],
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            sid=sid,
            auth_time=auth_time,
            acr=acr,
            amr=amr,
            created_at=now,
            expires_at=expires,
            dpop_jkt=dpop_jkt,
        )
        session_client_record(sid=sid, user_id=user_id, client=client)


# Column names from claims.CLAIM_FIELDS (constants of our own), for the statements that
# return the person's claims with the code or the refresh token (code_consume, refresh_exchange).
_CLAIM_COLUMNS = ", ".join(f"u.{name}" for name in CLAIM_FIELDS)


@dataclass(frozen=True)
class CodeRow(CodeInterface):
    """An authorization code as the token endpoint sees it: one row (the code joined with
    its person), no ORM model building. Answers what Authlib's grant and the PKCE and
    OpenID Connect extensions ask of a code."""

    id: int
    client_pk: Any
    user_id: Any
    redirect_uri: str
    scope: str
    nonce: str
    code_challenge: str
    code_challenge_method: str
    sid: str
    auth_time: int
    acr: str
    amr: tuple[str, ...]
    expires_at: dt.datetime
    # The person: `pk` and the claim fields (claims.CLAIM_FIELDS) read with the code.
    person: Any
    # The token family (and first refresh token) the statement that used the code issued
    # with it (PostgreSQL, `CodeIssue`); None: not issued yet (tokens_issue_for_code does).
    family_id: Any = None
    refresh_token: str | None = None
    # The DPoP key (thumbprint) the authorization request bound the code to; "" if none.
    dpop_jkt: str = ""

    @property
    def pk(self) -> int:
        return self.id


# The code's columns CodeRow is built from, then u.is_active and the claim columns.
_CODE_COLUMNS = (
    "c.id, c.user_id, c.redirect_uri, c.scope, c.nonce, c.code_challenge, c.code_challenge_method, "
    "c.sid, c.auth_time, c.acr, c.amr, c.expires_at, u.is_active, c.dpop_jkt"
)


@dataclass(frozen=True)
class CodeIssue:
    """What a code must match for the statement that uses it to issue its tokens at once
    (PostgreSQL): what the token endpoint checks next, from the request. The redirect_uri
    of the request (the code's, when it has one, must be the same) and the PKCE challenge
    of the request's code_verifier ("" without one: the code must then have none). The
    endpoint's own checks still decide: a code that matches here passes them, one that
    does not gets no tokens from the statement and goes through them as usual."""

    redirect_uri: str | None
    code_challenge: str
    with_refresh: bool


def _person(user_id: Any, values: Any) -> SimpleNamespace:
    """The person's claim fields (claims.CLAIM_FIELDS, in that order) as user_claims()
    reads them."""
    person = SimpleNamespace(pk=user_id, **dict(zip(CLAIM_FIELDS, values, strict=True)))
    if isinstance(person.date_of_birth, str):  # SQLite without the column's converter
        person.date_of_birth = dt.date.fromisoformat(person.date_of_birth)
    return person


@cache
def _code_use_sql(issue: bool, with_refresh: bool) -> str:
    """code_consume's statement on PostgreSQL (built once: names are our own constants).
    Parameters: now, code hash, client; with `issue`: family id, client, now, now,
    redirect_uri, code challenge; with `with_refresh`: refresh token hash, now, expiry."""
    from django.contrib.auth import get_user_model

    use = (
        f"UPDATE {_table(AuthorizationCode)} c SET used_at = %s FROM {_table(get_user_model())} u "  # noqa: S608
        "WHERE c.code_hash = %s AND c.client_id = %s AND c.used_at IS NULL AND u.id = c.user_id "
        f"RETURNING {_CODE_COLUMNS}, {_CLAIM_COLUMNS}"
    )
    if not issue:
        return use
    sql = (
        f"WITH used AS ({use}), "  # noqa: S608
        f"fam AS (INSERT INTO {_table(TokenFamily)} "
        "(id, client_id, user_id, code_id, scope, sid, auth_time, acr, amr, created_at, revoked_reason) "
        "SELECT %s, %s, used.user_id, used.id, used.scope, used.sid, used.auth_time, used.acr, "
        "used.amr, %s, '' FROM used WHERE used.expires_at >= %s AND used.is_active AND used.dpop_jkt = '' "
        "AND (used.redirect_uri = '' OR used.redirect_uri = %s) AND used.code_challenge = %s "
        "AND (used.code_challenge = '' OR used.code_challenge_method = 'S256') RETURNING id)"
    )
    if with_refresh:
        sql += (
            f", fresh AS (INSERT INTO {_table(RefreshToken)} "  # noqa: S608
            "(token_hash, family_id, created_at, expires_at) SELECT %s, fam.id, %s, %s FROM fam)"
        )
    return sql + " SELECT used.*, EXISTS (SELECT 1 FROM fam) FROM used"  # noqa: S608


def code_consume(*, code: str, client: OidcClient, issue: CodeIssue | None = None) -> CodeRow | None:
    """Use an authorization code once. A second use fails and revokes every token issued
    with it (RFC 6749 4.1.2); an expired code, or one whose person has been deactivated,
    fails (and is used up); another client's code fails and is left alone.

    On PostgreSQL the happy path is one statement, one round trip: an UPDATE … FROM …
    RETURNING that marks the code used only if it is not used yet (`used_at IS NULL`),
    joined with the person's row for the ID token's claims; with `issue`, the INSERTs of
    the token family and its first refresh token follow in data-modifying CTEs, made only
    when the code is unexpired, its person active and it matches `issue` (the returned
    row's family_id and refresh_token then say so). Two concurrent uses cannot both match:
    the second UPDATE waits for the first to commit, then finds used_at set; and as the
    winner's family was committed with the code's use, the loser's replay revokes it.
    Elsewhere the same check is a SELECT then a conditional UPDATE (one wins: the other
    updates no row), and tokens_issue_for_code issues."""
    code_hash = tokens.sha256(code)
    now = timezone.now()
    family_id, refresh_plain = None, None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            params: list[Any] = [now, code_hash, client.pk]
            if issue is not None:
                family_id = uuid.uuid4()
                params += [family_id, client.pk, now, now, issue.redirect_uri, issue.code_challenge]
                if issue.with_refresh:
                    refresh_plain = tokens.new_secret(32)
                    params += [
                        tokens.sha256(refresh_plain),
                        now,
                        now + dt.timedelta(seconds=settings.BAWABA_OIDC_REFRESH_TOKEN_TTL),
                    ]
            cursor.execute(_code_use_sql(issue is not None, refresh_plain is not None), params)
            found = cursor.fetchone()
            won = found is not None
            if not won:  # unknown, another client's, or used: which?
                cursor.execute(
                    f"SELECT id FROM {_table(AuthorizationCode)} WHERE code_hash = %s AND client_id = %s",  # noqa: S608
                    [code_hash, client.pk],
                )
                used = cursor.fetchone()
                code_id = used[0] if used else None
            elif issue is not None and not found[-1]:
                family_id, refresh_plain = None, None  # not issued: the checks that follow say why
        else:
            from django.contrib.auth import get_user_model

            ac = _table(AuthorizationCode)
            cursor.execute(
                f"SELECT {_CODE_COLUMNS}, {_CLAIM_COLUMNS} FROM {ac} c "  # noqa: S608
                f"JOIN {_table(get_user_model())} u ON u.id = c.user_id "
                "WHERE c.code_hash = %s AND c.client_id = %s",
                [code_hash, Client._meta.pk.get_db_prep_value(client.pk, connection)],
            )
            found = cursor.fetchone()
            if found is None:
                return None
            code_id = found[0]
            cursor.execute(
                f"UPDATE {ac} SET used_at = %s WHERE id = %s AND used_at IS NULL",  # noqa: S608
                [connection.ops.adapt_datetimefield_value(now), code_id],
            )
            won = cursor.rowcount == 1
    if not won:
        if code_id is not None:
            _code_replayed(code_id=code_id, client=client, now=now)
        return None
    (
        cid,
        user_id,
        redirect_uri,
        scope,
        nonce,
        challenge,
        method,
        sid,
        auth_time,
        acr,
        amr,
        expires_at,
        active,
    ) = found[:13]
    if _aware(expires_at) < now or not active:
        return None
    user_id = _uuid(user_id)
    return CodeRow(
        cid,
        client.pk,
        user_id,
        redirect_uri,
        scope,
        nonce,
        challenge,
        method,
        sid,
        auth_time,
        acr,
        _json_list(amr),
        _aware(expires_at),
        _person(user_id, found[14 : 14 + len(CLAIM_FIELDS)]),
        family_id,
        refresh_plain,
        found[13] or "",
    )


def _code_replayed(*, code_id: int, client: OidcClient, now: dt.datetime) -> None:
    """A used code presented again: revoke the token families issued with it."""
    with transaction.atomic():
        revoked = TokenFamily.objects.filter(code_id=code_id, revoked_at__isnull=True).update(
            revoked_at=now, revoked_reason="code_replay"
        )
        audit_record(
            action="sso.code.replay",
            outcome="failure",
            object_type="oidc_client",
            object_id=client.client_id,
            data={"families_revoked": revoked},
        )


# -- tokens ---------------------------------------------------------------------------
def _refresh_new(family_id: Any) -> str:
    plain = tokens.new_secret(32)
    RefreshToken.objects.create(
        token_hash=tokens.sha256(plain),
        family_id=family_id,
        expires_at=timezone.now() + dt.timedelta(seconds=settings.BAWABA_OIDC_REFRESH_TOKEN_TTL),
    )
    return plain


def tokens_issue_for_code(
    *, client: OidcClient, code: CodeRow, scope: str, with_refresh: bool, jkt: str = ""
) -> dict[str, Any]:
    """The token family of an authorization code and its first refresh token. Usually
    stored already, by the statement that used the code (code_consume with `issue`, on
    PostgreSQL): only the response is built here. Otherwise, on PostgreSQL one statement
    (the refresh token's INSERT in a CTE after the family's), so one round trip and atomic
    by itself; elsewhere one transaction, two INSERTs.

    With `jkt` (the thumbprint of the request's DPoP key) the access token is bound to that
    key, and so is the family's refresh token when the client is public (RFC 9449
    section 5); such a family is never issued by the code's statement (the grant sees to
    it: `AuthorizationCodeGrant._code_issue`)."""
    family_jkt = jkt if client.is_public else ""
    if (
        code.family_id is not None
        and scope == code.scope
        and with_refresh == (code.refresh_token is not None)
    ):
        issued = SimpleNamespace(
            pk=code.family_id, scope=scope, sid=code.sid, acr=code.acr, auth_time=code.auth_time
        )
        token = _token_body(client=client, user_id=code.user_id, family=issued, jkt=jkt)
        if code.refresh_token is not None:
            token["refresh_token"] = code.refresh_token
        return token
    plain = tokens.new_secret(32) if with_refresh else None
    if connection.vendor == "postgresql" and plain is not None:
        now = timezone.now()
        family = SimpleNamespace(
            pk=uuid.uuid4(), scope=scope, sid=code.sid, acr=code.acr, auth_time=code.auth_time
        )
        fam_sql = (
            f"INSERT INTO {_table(TokenFamily)} (id, client_id, user_id, code_id, scope, sid, auth_time, acr, "  # noqa: S608
            "amr, created_at, revoked_reason, dpop_jkt) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, '', %s) RETURNING id"
        )
        sql = (
            f"WITH fam AS ({fam_sql}) INSERT INTO {_table(RefreshToken)} "  # noqa: S608
            "(token_hash, family_id, created_at, expires_at) SELECT %s, fam.id, %s, %s FROM fam"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [
                    family.pk,
                    client.pk,
                    code.user_id,
                    code.pk,
                    scope,
                    code.sid,
                    code.auth_time,
                    code.acr,
                    json.dumps(list(code.amr)),
                    now,
                    family_jkt,
                    tokens.sha256(plain),
                    now,
                    now + dt.timedelta(seconds=settings.BAWABA_OIDC_REFRESH_TOKEN_TTL),
                ],
            )
        token = _token_body(client=client, user_id=code.user_id, family=family, jkt=jkt)
        token["refresh_token"] = plain
        return token
    model = TokenFamily(
        client_id=client.pk,
        user_id=code.user_id,
        code_id=code.pk,
        scope=scope,
        sid=code.sid,
        auth_time=code.auth_time,
        acr=code.acr,
        amr=list(code.amr),
        dpop_jkt=family_jkt,
    )
    with transaction.atomic():
        model.save(force_insert=True)
        token = _token_body(client=client, user_id=code.user_id, family=model, jkt=jkt)
        if with_refresh:
            token["refresh_token"] = _refresh_new(model.pk)
    return token


def _token_body(*, client: OidcClient, user_id: Any, family: Any, jkt: str = "") -> dict[str, Any]:
    sub = subject_for(user_id=user_id, subject_type=client.subject_type, sector=client.sector)
    at, ttl = tokens.access_token(
        client_id=client.client_id,
        sub=sub,
        scope=family.scope,
        family=str(family.pk),
        sid=family.sid,
        acr=family.acr,
        auth_time=family.auth_time,
        jkt=jkt,
    )
    token_type = "DPoP" if jkt else "Bearer"
    return {"token_type": token_type, "access_token": at, "expires_in": ttl, "scope": family.scope}


class RefreshRefused(Exception):
    pass


@dataclass(frozen=True)
class RefreshRow:
    """The refresh token's hot-path view: one joined row, no ORM model building."""

    id: int
    family_id: Any
    client_pk: Any
    user_id: Any
    scope: str  # the family's (the original grant's) scope
    sid: str
    auth_time: int
    acr: str
    amr: tuple[str, ...] = ()
    # The person's claim fields (claims.CLAIM_FIELDS) when the statement returned them.
    person: Any = None

    @property
    def pk(self) -> Any:  # the family's id, for the access token's `fid`
        return self.family_id


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def refresh_lookup(*, refresh_token: str, client: OidcClient, jkt: str = "") -> RefreshRow:
    """One query (token, family and person joined). Presenting a used token revokes the
    whole family (reuse detection). A family bound to a DPoP key is refused unless `jkt`
    (the thumbprint of the request's DPoP key) is that key."""
    from django.contrib.auth import get_user_model

    sql = (
        f"SELECT r.id, r.used_at, r.expires_at, f.id, f.client_id, f.user_id, f.scope, f.sid, f.auth_time, "  # noqa: S608
        f"f.acr, f.revoked_at, u.is_active, f.amr, f.dpop_jkt FROM {_table(RefreshToken)} r "
        f"JOIN {_table(TokenFamily)} f ON f.id = r.family_id "
        f"JOIN {_table(get_user_model())} u ON u.id = f.user_id WHERE r.token_hash = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [tokens.sha256(refresh_token)])
        found = cursor.fetchone()
    if found is None:
        raise RefreshRefused("unknown")
    (
        rid,
        used_at,
        expires_at,
        fid,
        client_pk,
        user_id,
        scope,
        sid,
        auth_time,
        acr,
        revoked_at,
        active,
        amr,
    ) = found[:13]
    bound_to = found[13]
    fid = _uuid(fid)
    if _uuid(client_pk) != client.pk:
        raise RefreshRefused("unknown")
    if revoked_at is not None:
        raise RefreshRefused("revoked")
    if used_at is not None:
        family_revoke(family_id=fid, reason="refresh_reuse", client_id=client.client_id)
        raise RefreshRefused("reused")
    if _aware(expires_at) < timezone.now() or not active:
        raise RefreshRefused("expired")
    if bound_to and bound_to != jkt:
        raise RefreshRefused("bound to another DPoP key" if jkt else "bound to a DPoP key: send a DPoP proof")
    return RefreshRow(rid, fid, client.pk, _uuid(user_id), scope, sid, auth_time, acr, _json_list(amr))


def _json_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):  # SQLite returns JSON columns as text
        value = json.loads(value)
    return tuple(value or ())


def _uuid(value: Any) -> Any:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _aware(value: Any) -> dt.datetime:
    if isinstance(value, str):  # SQLite
        value = dt.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


def refresh_rotate(*, row: RefreshRow, client: OidcClient, scope: str, jkt: str = "") -> dict[str, Any]:
    """Mark the presented refresh token used and issue a new one in the same family: one
    transaction, two writes. A concurrent second use loses the race and counts as reuse.
    On PostgreSQL the commit is asynchronous (synchronous_commit off for this transaction
    only): a crash can lose the last milliseconds of rotations, which leaves the previous
    token valid, never a stolen one usable."""
    now = timezone.now()
    plain = tokens.new_secret(32)
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
            cursor.execute(
                f"UPDATE {_table(RefreshToken)} SET used_at = %s WHERE id = %s AND used_at IS NULL",  # noqa: S608
                [now, row.id],
            )
            if cursor.rowcount != 1:
                raise RefreshRefused("reused")
            RefreshToken.objects.bulk_create(
                [
                    RefreshToken(
                        token_hash=tokens.sha256(plain),
                        family_id=row.family_id,
                        created_at=now,
                        expires_at=now + dt.timedelta(seconds=settings.BAWABA_OIDC_REFRESH_TOKEN_TTL),
                    )
                ]
            )
    token = _token_body(
        client=client, user_id=row.user_id, family=dataclasses.replace(row, scope=scope), jkt=jkt
    )
    token["refresh_token"] = plain
    return token


def refresh_exchange(
    *, refresh_token: str, client: OidcClient, jkt: str = ""
) -> tuple[dict[str, Any], RefreshRow]:
    """The refresh grant's hot path (no narrowed scope): check the presented token, mark it
    used and issue its successor in the same family.

    On PostgreSQL this is one statement, one round trip: an UPDATE … FROM … RETURNING that
    matches only an unused, unexpired token of this client whose family is not revoked and
    whose person is active, with the INSERT of the new token in a data-modifying CTE. Two
    concurrent uses of one token cannot both match (the second UPDATE waits for the first
    and then finds used_at set). When nothing matches, `refresh_lookup` says why, and a
    used token revokes its whole family (reuse detection), as before. The commit is
    asynchronous (see `refresh_rotate`). Other databases take the two-step path. Returns the
    token response and the family's row (for the new ID token). `jkt`: the thumbprint of the
    request's DPoP key ("" without a proof): the new access token is bound to it, and a
    family bound to a key matches only a proof made with that key."""
    if connection.vendor != "postgresql":
        row = refresh_lookup(refresh_token=refresh_token, client=client, jkt=jkt)
        try:
            return refresh_rotate(row=row, client=client, scope=row.scope, jkt=jkt), row
        except RefreshRefused:  # used concurrently since the lookup: reuse
            family_revoke(family_id=row.family_id, reason="refresh_reuse", client_id=client.client_id)
            raise
    from django.contrib.auth import get_user_model

    now = timezone.now()
    plain = tokens.new_secret(32)
    rt, fam, usr = _table(RefreshToken), _table(TokenFamily), _table(get_user_model())
    sql = (
        f"WITH used AS (UPDATE {rt} r SET used_at = %s FROM {fam} f, {usr} u "  # noqa: S608
        "WHERE r.token_hash = %s AND r.used_at IS NULL AND r.expires_at > %s "
        "AND f.id = r.family_id AND f.client_id = %s AND f.revoked_at IS NULL "
        "AND u.id = f.user_id AND u.is_active AND (f.dpop_jkt = '' OR f.dpop_jkt = %s) "
        "RETURNING r.id, f.id AS family_id, f.user_id, f.scope, f.sid, f.auth_time, f.acr, f.amr, "
        + _CLAIM_COLUMNS
        + "), "  # noqa: S608 - column names are our own constants
        f"fresh AS (INSERT INTO {rt} (token_hash, family_id, created_at, expires_at) "
        "SELECT %s, used.family_id, %s, %s FROM used) "
        "SELECT * FROM used"
    )
    params = [
        now,
        tokens.sha256(refresh_token),
        now,
        client.pk,
        jkt,
        tokens.sha256(plain),
        now,
        now + dt.timedelta(seconds=settings.BAWABA_OIDC_REFRESH_TOKEN_TTL),
    ]
    # Asynchronous commit for this statement only, in the same round trip (a multi-statement
    # simple query is one implicit transaction). Inside a caller's transaction: not touched.
    async_commit = not connection.in_atomic_block and not connection.settings_dict.get("OPTIONS", {}).get(
        "server_side_binding"
    )
    with connection.cursor() as cursor:
        if async_commit:
            cursor.execute("SET LOCAL synchronous_commit TO OFF; " + sql, params)
            cursor.nextset()
        else:
            cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        refresh_lookup(refresh_token=refresh_token, client=client, jkt=jkt)  # raises with the reason
        raise RefreshRefused("reused")  # valid when looked at again: it lost a race
    rid, fid, user_id, scope, sid, auth_time, acr, amr = found[:8]
    person = _person(_uuid(user_id), found[8:])
    row = RefreshRow(
        rid, _uuid(fid), client.pk, _uuid(user_id), scope, sid, auth_time, acr, _json_list(amr), person
    )
    token = _token_body(client=client, user_id=row.user_id, family=row, jkt=jkt)
    token["refresh_token"] = plain
    return token, row


def family_revoke(*, family_id: Any, reason: str, client_id: str = "") -> int:
    with transaction.atomic():
        n = TokenFamily.objects.filter(pk=family_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=reason
        )
        if n and reason == "refresh_reuse":
            audit_record(
                action="sso.refresh.reuse",
                outcome="failure",
                object_type="oidc_client",
                object_id=client_id,
                data={"family": str(family_id)},
            )
    return n


def access_token_revoke(*, jti: str, exp: int) -> None:
    RevokedAccessToken.objects.get_or_create(
        jti=jti[:64], defaults={"expires_at": dt.datetime.fromtimestamp(exp, tz=dt.UTC)}
    )


def assertion_jti_use(*, client_id: str, jti: str, exp: int) -> bool:
    """Record a private_key_jwt assertion id; False when it was already used (replay)."""
    if not isinstance(jti, str) or not jti or len(jti) > 255:
        return False
    try:
        with transaction.atomic():
            UsedAssertion.objects.create(
                client_id=client_id, jti=jti, expires_at=dt.datetime.fromtimestamp(int(exp), tz=dt.UTC)
            )
    except IntegrityError:
        return False
    return True


# -- pushed authorization requests ---------------------------------------------------
def pushed_request_save(*, client: OidcClient, params: dict[str, str]) -> tuple[str, int]:
    handle = tokens.new_secret(32)
    ttl = settings.BAWABA_OIDC_PAR_TTL
    PushedRequest.objects.create(
        handle_hash=tokens.sha256(handle),
        client_id=client.pk,
        params=params,
        expires_at=timezone.now() + dt.timedelta(seconds=ttl),
    )
    return f"urn:ietf:params:oauth:request_uri:{handle}", ttl


def pushed_request_use(*, request_uri: str) -> None:
    handle = request_uri.rsplit(":", 1)[-1]
    PushedRequest.objects.filter(handle_hash=tokens.sha256(handle)).update(used_at=timezone.now())


# -- consent --------------------------------------------------------------------------
def consent_grant(*, user: Any, client: OidcClient, scopes: list[str]) -> None:
    with transaction.atomic():
        consent, created = Consent.objects.select_for_update().get_or_create(
            user=user, client_id=client.pk, defaults={"scopes": sorted(set(scopes))}
        )
        if not created:
            consent.scopes = sorted(set(consent.scopes) | set(scopes))
            consent.updated_at = timezone.now()
            consent.save(update_fields=["scopes", "updated_at"])
        audit_record(
            action="sso.consent.grant",
            actor=user,
            object_type="oidc_client",
            object_id=client.client_id,
            data={"scopes": sorted(set(scopes))},
        )


def consent_revoke(*, user: Any, consent_id: Any) -> None:
    """Withdraw consent: the service's tokens for this person are revoked too."""
    with transaction.atomic():
        consent = Consent.objects.select_related("client").filter(user=user, id=consent_id).first()
        if consent is None:
            raise NotFound(_("This connected service does not exist."))
        TokenFamily.objects.filter(user=user, client_id=consent.client_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason="consent_revoked"
        )
        consent.delete()
        audit_record(
            action="sso.consent.revoke",
            actor=user,
            object_type="oidc_client",
            object_id=consent.client.client_id,
        )


# -- provider sessions and logout ------------------------------------------------------
def session_client_record(*, sid: str, user_id: Any, client: OidcClient) -> None:
    if not sid:
        return
    # One INSERT … ON CONFLICT DO NOTHING (the pair is unique), not a SELECT then INSERT.
    SessionClient.objects.bulk_create(
        [SessionClient(sid=sid, client_id=client.pk, user_id=user_id, created_at=timezone.now())],
        ignore_conflicts=True,
    )


def provider_session_ended(*, user: Any, sid: str, reason: str = "logout") -> int:
    """A provider session (identity login session `sid`) ended: revoke its token families,
    mark its clients logged out, and send back-channel logout tokens (on commit, as tasks)
    to those of its clients not yet told that registered a back-channel URI. Called by the
    receiver of `identity.signals.session_ended`, inside identity's transaction. Returns
    how many clients will be told; a session no service took part in leaves no trace here."""
    if not sid:
        return 0
    now = timezone.now()
    with transaction.atomic():
        families = TokenFamily.objects.filter(sid=sid, revoked_at__isnull=True).update(
            revoked_at=now, revoked_reason=reason[:40]
        )
        rows = list(
            SessionClient.objects.select_related("client").filter(sid=sid, logged_out_at__isnull=True)
        )
        if not rows and not families:
            return 0
        SessionClient.objects.filter(sid=sid, logged_out_at__isnull=True).update(logged_out_at=now)
        targets = [r for r in rows if r.client.backchannel_logout_uri]
        audit_record(
            action="sso.session.end",
            actor=user,
            object_type="sso_session",
            object_id=sid,
            data={"reason": reason, "backchannel": [r.client.client_id for r in targets]},
        )
        from .tasks import backchannel_logout_deliver

        for r in targets:
            sub = subject_for(
                user_id=user.pk,
                subject_type=r.client.subject_type,
                sector=OidcClient.from_model(r.client).sector,
            )
            transaction.on_commit(partial(backchannel_logout_deliver.enqueue, str(r.client.pk), sub, sid))
    return len(targets)


# Back-channel logout deliveries that fail for a reason that may pass (the service down, a
# timeout, a 5xx) are tried again after these delays, each time with a new logout token;
# a 4xx is the service's answer and is not retried.
BACKCHANNEL_RETRY_DELAYS = (
    dt.timedelta(seconds=10),
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
)


def backchannel_logout_deliver(*, client_pk: str, sub: str, sid: str, attempt: int = 1) -> str:
    """POST a logout token to the client's registered back-channel URI (OpenID Connect
    Back-Channel Logout 1.0, section 2.5). Idempotent for the client. Each attempt is
    audited; a transient failure is queued again (BACKCHANNEL_RETRY_DELAYS) when the task
    backend can defer tasks."""
    client = Client.objects.filter(pk=client_pk).first()
    if client is None or not client.backchannel_logout_uri:
        return "no-uri"
    token = tokens.logout_token(
        client_id=client.client_id, sub=sub, sid=sid, alg=client.id_token_signed_response_alg
    )
    uri = client.backchannel_logout_uri
    host = urlsplit(uri).hostname or ""
    try:
        with outbound_client(base_url=uri, extra_allowed_hosts=(host,)) as http:
            response = http.post(uri, data={"logout_token": token})
        status = str(response.status_code)
    except Exception as exc:  # a client being down never breaks logout  # noqa: BLE001
        log.warning("back-channel logout to %s failed: %s", client.client_id, exc)
        status = "error"
    transient = status == "error" or status.startswith("5")
    retry_in = (
        BACKCHANNEL_RETRY_DELAYS[attempt - 1]
        if transient and attempt <= len(BACKCHANNEL_RETRY_DELAYS)
        else None
    )
    if retry_in is not None and not _backchannel_retry(client_pk, sub, sid, attempt + 1, retry_in):
        retry_in = None
    audit_record(
        action="sso.backchannel_logout",
        outcome="success" if status.startswith("2") else "failure",
        object_type="oidc_client",
        object_id=client.client_id,
        data={
            "sid": sid,
            "status": status,
            "attempt": attempt,
            **({"retry_in_seconds": int(retry_in.total_seconds())} if retry_in is not None else {}),
        },
    )
    return status


def _backchannel_retry(client_pk: str, sub: str, sid: str, attempt: int, delay: dt.timedelta) -> bool:
    from .tasks import backchannel_logout_deliver as task

    if not task.get_backend().supports_defer:
        return False  # e.g. the immediate backend of the tests: one attempt only
    task.using(run_after=timezone.now() + delay).enqueue(client_pk, sub, sid, attempt)
    return True


def provider_logout(request: Any, *, except_client_id: str = "") -> None:
    """End the provider session of this browser (RP-initiated logout, or a forced fresh
    login). Identity ends the session and tells us (`provider_session_ended`); the client
    that asked for the logout (`except_client_id`) is marked first so it is not told."""
    sid = identity_selectors.session_id_for_key(request.session.session_key) or ""
    with transaction.atomic():
        if sid and except_client_id:
            SessionClient.objects.filter(
                sid=sid, client__client_id=except_client_id, logged_out_at__isnull=True
            ).update(logged_out_at=timezone.now())
        identity_services.session_logout(request)


# -- refused client authentication ----------------------------------------------------------
# Addresses that must wait, as this process learnt on a refusal: requests from them are
# answered 429 without being looked at (and without a query) until the time noted.
_client_auth_waiting: dict[str, float] = {}


def client_auth_wait(ip: str | None) -> int:
    """Seconds the address must still wait before its requests to the token, PAR,
    revocation or introspection endpoints are looked at again (0: none)."""
    until = _client_auth_waiting.get(ip or "unknown")
    if until is None:
        return 0
    left = until - time.monotonic()
    if left <= 0:
        _client_auth_waiting.pop(ip or "unknown", None)
        return 0
    return math.ceil(left)


def client_auth_waits_clear() -> None:
    _client_auth_waiting.clear()


def client_auth_refused(*, endpoint: str, client_id: str, ip: str | None) -> None:
    """A client authentication failed at `endpoint` (invalid_client): counted for the
    address and audited (`sso.client_auth_refused`, with the client ID as presented).
    Raises RateLimited while the address must wait; this process then refuses it at once
    (`client_auth_wait`) for that long."""
    try:
        identity_services.refusal_record(
            kind="oidc-client",
            action="sso.client_auth_refused",
            ip=ip,
            data={"endpoint": endpoint, "client_id": client_id[:100]},
        )
    except RateLimited as exc:
        if len(_client_auth_waiting) > 10_000:
            _client_auth_waiting.clear()
        _client_auth_waiting[ip or "unknown"] = time.monotonic() + exc.retry_after
        raise


# -- housekeeping ---------------------------------------------------------------------
# Client assertions are accepted up to 60 s after their `exp` (clock leeway): their `jti`
# is kept a while longer than that, so a replay is refused for as long as it could pass.
ASSERTION_KEEP_AFTER_EXPIRY = dt.timedelta(minutes=5)


def oidc_purge(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what can no longer be used (periodic task and `bawaba oidc_purge`):

    * authorization codes: unused ones once expired; used ones when expired longer than the
      retention period (until then a replayed code still revokes the tokens issued with it);
    * pushed authorization requests once expired;
    * token families revoked longer than the retention period, or whose refresh tokens all
      expired longer ago than that (so are their access tokens), with their refresh tokens;
      refresh tokens used or expired longer than the retention period (until then presenting
      a used one still revokes its family);
    * the list of revoked access tokens, past their expiry plus the retention period;
    * private_key_jwt assertion ids, once their assertion could no longer be accepted;
    * the record of which services took part in a session, once logged out longer than the
      retention period.

    Idempotent. Deletes in batches of PURGE_BATCH rows, one short transaction each (no long
    lock, bounded memory, however much there is); returns how many rows of each kind."""
    now = now or timezone.now()
    # Never shorter than an access token's life: a family is deleted only when no access
    # token of it can still be valid (tokens of a deleted family count as revoked anyway).
    cutoff = now - max(
        dt.timedelta(days=settings.BAWABA_OIDC_RETENTION_DAYS),
        dt.timedelta(seconds=settings.BAWABA_OIDC_ACCESS_TOKEN_TTL),
    )
    live_refresh = RefreshToken.objects.filter(family=OuterRef("pk"), expires_at__gte=cutoff)
    families = _delete_in_batches(
        TokenFamily.objects.filter(
            Q(revoked_at__lt=cutoff)
            | (Q(created_at__lt=cutoff, revoked_at__isnull=True) & ~Exists(live_refresh))
        )
    )
    counts = {
        "authorization_codes": _delete_in_batches(
            AuthorizationCode.objects.filter(
                Q(used_at__isnull=True, expires_at__lt=now) | Q(expires_at__lt=cutoff)
            )
        )[AuthorizationCode._meta.label],
        "pushed_requests": _delete_in_batches(PushedRequest.objects.filter(expires_at__lt=now))[
            PushedRequest._meta.label
        ],
        "token_families": families[TokenFamily._meta.label],
        "refresh_tokens": families[RefreshToken._meta.label]
        + _delete_in_batches(RefreshToken.objects.filter(Q(used_at__lt=cutoff) | Q(expires_at__lt=cutoff)))[
            RefreshToken._meta.label
        ],
        "revoked_access_tokens": _delete_in_batches(RevokedAccessToken.objects.filter(expires_at__lt=cutoff))[
            RevokedAccessToken._meta.label
        ],
        "client_assertions": _delete_in_batches(
            UsedAssertion.objects.filter(expires_at__lt=now - ASSERTION_KEEP_AFTER_EXPIRY)
        )[UsedAssertion._meta.label],
        "session_clients": _delete_in_batches(SessionClient.objects.filter(logged_out_at__lt=cutoff))[
            SessionClient._meta.label
        ],
    }
    # Never logged out, but the login session has ended (expired) long ago.
    while True:
        old_sids = list(
            SessionClient.objects.filter(logged_out_at__isnull=True, created_at__lt=cutoff)
            .values_list("sid", flat=True)
            .distinct()
            .order_by("sid")[:PURGE_BATCH]
        )
        ended = identity_selectors.session_ids_ended(old_sids) if old_sids else set()
        if not ended:
            break
        counts["session_clients"] += SessionClient.objects.filter(
            sid__in=ended, logged_out_at__isnull=True
        ).delete()[0]
        if len(old_sids) < PURGE_BATCH:
            break
    if any(counts.values()):
        audit_record(action="sso.purge", object_type="sso", data=counts)
    return counts


PURGE_BATCH = 2000


def _delete_in_batches(queryset: Any) -> Counter[str]:
    """Delete what `queryset` matches, PURGE_BATCH rows at a time; rows deleted per model
    (cascades included)."""
    deleted: Counter[str] = Counter()
    model = queryset.model
    while True:
        pks = list(queryset.values_list("pk", flat=True)[:PURGE_BATCH])
        if not pks:
            return deleted
        with transaction.atomic():
            deleted.update(model.objects.filter(pk__in=pks).delete()[1])
        if len(pks) < PURGE_BATCH:
            return deleted


# -- first-party relying parties -------------------------------------------------------
def portal_client_ensure() -> None:
    """The portal's own client ("bawaba-portal"): public (PKCE), first-party, registered
    for BAWABA_BASE_URL. Created on first use; follows a change of base URL."""
    from .rp import CALLBACK_PATH, PORTAL_CLIENT_ID

    redirect = settings.BASE_URL + CALLBACK_PATH
    cached = client_get(PORTAL_CLIENT_ID)
    if cached is not None and cached.redirect_uris == (redirect,):
        return
    client = Client.objects.filter(client_id=PORTAL_CLIENT_ID).first()
    if client is None:
        try:
            client_create(
                client_id=PORTAL_CLIENT_ID,
                name_en="Bawaba portal",
                name_ar="بوابة الخدمات الحكومية",
                redirect_uris=[redirect],
                post_logout_redirect_uris=[settings.BASE_URL + "/"],
                public=True,
                scopes="openid profile phone email national_id",
                first_party=True,
                subject_type="public",
            )
        except ValidationError:
            pass  # created concurrently
    elif client.redirect_uris != [redirect]:
        client.redirect_uris = [redirect]
        client.post_logout_redirect_uris = [settings.BASE_URL + "/"]
        client.save(update_fields=["redirect_uris", "post_logout_redirect_uris", "updated_at"])
        client_cache_clear(PORTAL_CLIENT_ID)
