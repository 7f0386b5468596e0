"""Logged-in sessions: starting them (with the methods used), listing, ending.
These functions take the request because a session is bound to it."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import uuid
from contextlib import nullcontext
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core.audit import AuditFields, audit_append_statement, audit_record
from bawaba.core.auth import SECOND_FACTOR_METHODS, SESSION_AMR, SESSION_AUTH_TIME
from bawaba.core.errors import NotFound
from bawaba.core.request_context import current_request_context
from bawaba.messaging import services as messaging

from ..models import KnownDevice, User, UserSession
from ..signals import session_ended

DEVICE_COOKIE = "bawaba_device"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600
SESSION_ACTING_AS = "bawaba_acting_as"
SESSION_SEEN = "bawaba_seen"  # when the session's 'last seen' was last written (see middleware)
DEVICE_TOUCH_EVERY = timedelta(days=1)


def _device_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_start(request: HttpRequest, *, user: User, amr: list[str]) -> UserSession:
    """Log `user` in on this request: new session key, methods recorded, session listed,
    audited. On PostgreSQL the writes (session row, last_login, audit event, the new Django
    session's row) are one statement, which also reads whether this browser is one the
    account knows (for `remember_device`); elsewhere they are a transaction."""
    ctx = current_request_context()
    amr = sorted(set(amr) | ({"mfa"} if set(amr) & SECOND_FACTOR_METHODS and "pwd" in amr else set()))
    pg = connection.vendor == "postgresql"
    with transaction.atomic() if not pg else nullcontext():
        # login() gives the session a new key (and stores it); the values set here are
        # written once, when the response is sent. last_login is written below, with the
        # session's row (identity.apps: the signal's own UPDATE is skipped for this request).
        request.bawaba_login_recorded = True  # type: ignore[attr-defined]
        django_login(request, user, backend="bawaba.identity.backends.IdentityBackend")
        now = time.time()
        request.session[SESSION_AMR] = amr
        request.session[SESSION_AUTH_TIME] = int(now)
        request.session[SESSION_SEEN] = now
        at = timezone.now()
        tracked = UserSession(
            user=user,
            session_key=request.session.session_key or "",
            created_at=at,
            last_seen_at=at,
            ip=ctx.ip or None,
            user_agent=ctx.user_agent[:400],
            amr=amr,
        )
        user.last_login = at
        request.bawaba_session_id = str(tracked.id)  # type: ignore[attr-defined]
        audit: AuditFields = {
            "action": "login.success",
            "actor": user,
            "object_type": "session",
            "object_id": tracked.id,
            "data": {"amr": amr},
        }
        if pg:
            _session_start_pg(request, tracked, audit)
        else:
            tracked.save(force_insert=True)
            User.objects.filter(pk=tracked.user_id).update(last_login=at)
            audit_record(**audit)
    return tracked


def _session_start_pg(request: HttpRequest, tracked: UserSession, audit: AuditFields) -> None:
    """The session's row, the user's last_login, the audit event and the new Django session's
    row in one statement (atomic without a transaction: one round trip instead of six),
    which also looks up the browser's device cookie among the account's known devices."""
    append = audit_append_statement(**audit)
    token = _device_token(request)
    digest = _device_hash(token) if token else ""
    sessions, users, devices = (
        connection.ops.quote_name(m._meta.db_table) for m in (UserSession, User, KnownDevice)
    )
    # The new Django session's row too, with the data it has now (core.session_store).
    early = getattr(request.session, "insert_statement", None)
    session_row = early() if early is not None else None
    session_cte, session_params, session_count = (
        (f"{session_row[0]}, ", session_row[1], "(SELECT count(*) FROM django_session_row)")
        if session_row
        else ("", [], "0")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH s AS (INSERT INTO {sessions} (id, user_id, session_key, created_at, last_seen_at, ip, "  # noqa: S608
            "user_agent, amr) VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb)), "
            f"u AS (UPDATE {users} SET last_login = %s WHERE id = %s), {session_cte}{append.ctes} "
            f"SELECT {append.columns}, d.id, d.last_seen_at, {session_count} FROM audit_event "
            f"LEFT JOIN {devices} d ON d.user_id = %s AND d.device_hash = %s",
            [
                tracked.id,
                tracked.user_id,
                tracked.session_key,
                tracked.created_at,
                tracked.last_seen_at,
                tracked.ip,
                tracked.user_agent,
                json.dumps(tracked.amr),
                tracked.created_at,
                tracked.user_id,
                *session_params,
                *append.params,
                tracked.user_id,
                digest,
            ],
        )
        row = cursor.fetchone()
    append.finish(row)
    if session_row:
        request.session.inserted_early(row[6])  # type: ignore[attr-defined]
    tracked._state.adding = False
    if digest:
        device = (row[4], row[5]) if row[4] is not None else None
        request.bawaba_known_device = (digest, device)  # type: ignore[attr-defined]


def _device_token(request: HttpRequest) -> str:
    """The browser's device cookie, when it has a plausible one ("" otherwise)."""
    token = request.COOKIES.get(DEVICE_COOKIE, "")
    return token if 20 <= len(token) <= 100 else ""


def session_add_methods(request: HttpRequest, *, user: User, methods: list[str]) -> list[str]:
    """Step-up: record further methods in the current session (for single sign-on's acr)."""
    amr = set(request.session.get(SESSION_AMR, [])) | set(methods)
    if amr & SECOND_FACTOR_METHODS and "pwd" in amr or "hwk" in amr:
        amr.add("mfa")
    new = sorted(amr)
    request.session[SESSION_AMR] = new
    request.session[SESSION_AUTH_TIME] = int(time.time())
    UserSession.objects.filter(session_key=request.session.session_key).update(amr=new)
    audit_record(action="login.step_up", actor=user, data={"methods": methods, "amr": new})
    return new


def remember_device(request: HttpRequest, response: HttpResponse, *, user: User) -> bool:
    """Recognise the browser; on a browser never seen for this account (and not the first
    ever), tell the user by SMS. Returns True when the device is new."""
    token = _device_token(request) or secrets.token_urlsafe(32)
    digest = _device_hash(token)
    ctx = current_request_context()
    # Looked up already by this request's session_start (on PostgreSQL), or now.
    prefetched = getattr(request, "bawaba_known_device", None)
    if prefetched is not None and prefetched[0] == digest:
        known = prefetched[1]
    else:
        known = _known_device(user.pk, digest)
    if known is not None:
        device_pk, last_seen, created = known[0], known[1], False
    else:
        device, created = KnownDevice.objects.get_or_create(
            user=user, device_hash=digest, defaults={"user_agent": ctx.user_agent[:400]}
        )
        device_pk, last_seen = device.pk, device.last_seen_at
    now = timezone.now()
    if not created and now - last_seen > DEVICE_TOUCH_EVERY:
        KnownDevice.objects.filter(pk=device_pk).update(last_seen_at=now)
    had_devices = created and KnownDevice.objects.filter(user=user).exclude(pk=device_pk).exists()
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
    if created and had_devices:
        when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        audit_record(action="login.new_device", actor=user, data={"user_agent": ctx.user_agent[:200]})
        if user.phone and user.phone_verified:
            messaging.sms_send(
                to=user.phone,
                body=_(
                    "Bawaba: a new device logged in to your account on %(when)s. If this was not you, change your password now."
                )
                % {"when": when},
                purpose="new_device",
                user_id=str(user.pk),
            )
        return True
    return False


def _known_device(user_id: Any, digest: str) -> tuple[Any, Any] | None:
    """(id, last_seen_at) of a browser this account logged in from before; on PostgreSQL a
    plain statement (every login of a returning browser reads it). None: not known (or
    not looked up here), and the caller's get_or_create decides."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, last_seen_at FROM {connection.ops.quote_name(KnownDevice._meta.db_table)} "  # noqa: S608
            "WHERE user_id = %s AND device_hash = %s",
            [user_id, digest],
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def active_sessions(user: User):  # type: ignore[no-untyped-def]
    live_keys = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, ended_at__isnull=True, session_key__in=live_keys).order_by(
        "-last_seen_at"
    )


def session_end(*, user: User, session_id: uuid.UUID | str, reason: str = "user") -> None:
    with transaction.atomic():
        tracked = (
            UserSession.objects.select_for_update()
            .filter(user=user, id=session_id, ended_at__isnull=True)
            .first()
        )
        if tracked is None:
            raise NotFound(_("This session does not exist or has already ended."))
        Session.objects.filter(session_key=tracked.session_key).delete()
        tracked.ended_at = timezone.now()
        tracked.save(update_fields=["ended_at"])
        audit_record(
            action="session.end",
            actor=user,
            object_type="session",
            object_id=tracked.id,
            data={"reason": reason},
        )
        session_ended.send(sender=UserSession, user=user, session_ids=[str(tracked.id)], reason=reason)


def sessions_end_all(*, user: User, except_key: str | None = None, reason: str = "user") -> int:
    ended = 0
    for tracked in active_sessions(user):
        if tracked.session_key != except_key:
            session_end(user=user, session_id=tracked.id, reason=reason)
            ended += 1
    return ended


def session_rekey(*, old_key: str | None, new_key: str | None) -> None:
    """The session got a new key (Django cycles it, e.g. after a password change): keep
    the session listed and revocable under its new key."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key, ended_at__isnull=True).update(session_key=new_key)


def session_logout(request: HttpRequest) -> None:
    """Log this browser out (the "Log out" button, single sign-on's logout endpoint)."""
    user = request.user
    key = request.session.session_key
    with transaction.atomic():
        if user.is_authenticated and key:
            ids = [
                str(i)
                for i in UserSession.objects.filter(session_key=key, ended_at__isnull=True).values_list(
                    "id", flat=True
                )
            ]
            UserSession.objects.filter(id__in=ids).update(ended_at=timezone.now())
            audit_record(action="logout", actor=user)
            if ids:
                session_ended.send(sender=UserSession, user=user, session_ids=ids, reason="logout")
        django_logout(request)


def session_is_recent(request: HttpRequest, *, seconds: int) -> bool:
    auth_time = request.session.get(SESSION_AUTH_TIME, 0)
    return time.time() - auth_time <= seconds


def session_stale_cutoff() -> timedelta:
    return timedelta(seconds=settings.SESSION_COOKIE_AGE)
