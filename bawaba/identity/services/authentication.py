"""Password login, the second-factor step and password reset."""

from __future__ import annotations

import inspect
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import load_backend, user_login_failed
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bawaba.core.audit import audit_record
from bawaba.core.digits import ascii_digits
from bawaba.core.errors import AuthenticationFailed, RateLimited, ValidationError
from bawaba.core.models import AuditEvent
from bawaba.core.request_context import current_request_context
from bawaba.messaging import services as messaging

from ..models import OneTimeCode, User, prefetched_login_user
from ..passwords import MAX_LENGTH, normalize_password
from . import otp, recovery, throttle, totp

SECOND_FACTOR_KEY = "2fa:{}"


def normalize_identifier(raw: object) -> str:
    if not isinstance(raw, str):
        return ""
    return ascii_digits(raw).strip().replace(" ", "").lower()[:64]


@dataclass
class PasswordCheck:
    user: User
    second_factor_required: bool
    methods: list[str] = field(default_factory=list)


def second_factor_methods(user: User) -> list[str]:
    """The second factors this user can use now, in the order offered."""
    methods = []
    if user.totp_devices.filter(confirmed=True).exists():
        methods.append("totp")
    if user.passkeys.exists():
        methods.append("passkey")
    if user.phone and user.phone_verified:
        methods.append("sms")
    if user.recovery_codes.filter(used_at__isnull=True).exists():
        methods.append("recovery")
    return methods


def second_factor_required(user: User) -> bool:
    return bool(user.is_staff or user.has_strong_factor or user.sms_second_factor)


def login_password(*, identifier: str, password: str) -> PasswordCheck:
    """Check a password. Same answer, same cost, whether or not the account exists."""
    ident = normalize_identifier(identifier)
    ip = current_request_context().ip
    acct_key, addr_key = throttle.account_key(ident), throttle.address_key(ip)
    counters, user_row = _login_reads([acct_key, addr_key], ident)
    counted = throttle.throttle_check(
        (acct_key, throttle.ACCOUNT_POLICY), (addr_key, throttle.ADDRESS_POLICY), counters=counters
    )
    if not isinstance(password, str) or len(password) > MAX_LENGTH * 4:
        password = ""
    if ident and password:
        with prefetched_login_user(ident, user_row) if counters is not None else nullcontext():
            user = _authenticate(ident, password)
    else:
        user = None
    if user is None:
        counter = throttle.throttle_fail(acct_key, throttle.ACCOUNT_POLICY)
        throttle.throttle_fail(addr_key, throttle.ADDRESS_POLICY)
        locked_now = counter.failures == throttle.ACCOUNT_POLICY.lockout_after
        audit_record(
            action="login.password",
            outcome=AuditEvent.Outcome.FAILURE,
            actor_label=ident,
            data={"failures": counter.failures, "locked": locked_now},
        )
        if locked_now:
            _notify_lockout(ident)
        raise AuthenticationFailed(
            _("The login identifier or the password is not correct."), code="invalid_credentials"
        )
    if acct_key in counted:
        throttle.throttle_reset(acct_key)
    if not second_factor_required(user):
        # The login completes at once; `login.success` records it.
        return PasswordCheck(user=user, second_factor_required=False, methods=[])
    audit_record(action="login.password", actor=user, data={"second_factor_required": True})
    return PasswordCheck(user=user, second_factor_required=True, methods=second_factor_methods(user))


def _login_reads(keys: list[str], ident: str) -> tuple[dict | None, tuple | None]:
    """On PostgreSQL, the throttle counters of `keys` and the user row of `ident` in one
    statement (every password login reads both): (counters, row or None). Elsewhere
    (None, None): throttle_check and the backend read them themselves."""
    if connection.vendor != "postgresql":
        return None, None
    attnames, columns = User.objects.login_columns()
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {throttle.counters_sql()}, {', '.join('u.' + c for c in columns)} "  # noqa: S608
            f"FROM (SELECT 1) AS one LEFT JOIN {table} u ON u.{connection.ops.quote_name('username')} = %s",
            [keys, ident],
        )
        row = cursor.fetchone()
    user_row = tuple(row[1:])
    pk_at = attnames.index(User._meta.pk.attname)
    return throttle.counters_from_json(row[0]), (user_row if user_row[pk_at] is not None else None)


@lru_cache(maxsize=1)
def _password_backends(paths: tuple[str, ...]) -> list[tuple[object, str]]:
    """The configured backends that take a username and a password, as Django picks them on
    each call (a backend whose authenticate() does not accept these credentials is skipped)."""
    backends: list[tuple[object, str]] = []
    for path in paths:
        backend = load_backend(path)
        try:
            inspect.signature(backend.authenticate).bind(None, username="", password="")  # type: ignore[attr-defined]
        except TypeError:
            continue
        backends.append((backend, path))
    return backends


def _authenticate(ident: str, password: str) -> User | None:
    """django.contrib.auth.authenticate for a login identifier and password, with the
    configured backends loaded once (Django imports and instantiates each backend and
    inspects its signature on every call: about 2 % of a login flow's server time outside the
    hash). Same contract: the first backend that answers with a user wins, the user carries
    its backend's path, a backend raising PermissionDenied ends the search, and a failure
    sends user_login_failed (with the password masked)."""
    for backend, path in _password_backends(tuple(settings.AUTHENTICATION_BACKENDS)):
        try:
            user = backend.authenticate(None, username=ident, password=password)  # type: ignore[attr-defined]
        except PermissionDenied:
            break
        if user is not None:
            user.backend = path
            return user  # type: ignore[no-any-return]
    user_login_failed.send(
        sender=__name__, credentials={"username": ident, "password": "********************"}, request=None
    )
    return None


def _notify_lockout(ident: str) -> None:
    user = User.objects.filter(username=ident, is_active=True).first()
    if user and user.phone and user.phone_verified:
        messaging.sms_send(
            to=user.phone,
            body=_(
                "Bawaba: your account was locked for 15 minutes after several wrong passwords. If this was not you, reset your password."
            ),
            purpose="lockout",
            user_id=str(user.pk),
        )


def login_send_sms_code(*, user: User) -> str:
    if not (user.phone and user.phone_verified):
        raise ValidationError(_("Your account has no verified mobile number."), code="no_phone")
    otp.otp_issue(
        subject=f"user:{user.pk}", purpose=OneTimeCode.Purpose.LOGIN, phone=user.phone, user_id=str(user.pk)
    )
    return user.phone


def login_second_factor(*, user: User, code: str) -> str:
    """Check a second factor typed in the `otp` field: an authenticator-app code, an SMS
    code or a recovery code. Returns the method's AMR value ("otp", "sms" or "rec")."""
    key = SECOND_FACTOR_KEY.format(user.pk)
    if throttle.is_locked(key):
        raise RateLimited(
            throttle.locked_message(), retry_after=int(throttle.CODE_POLICY.lockout.total_seconds())
        )
    value = ascii_digits((code or "").strip()).replace(" ", "")
    method = None
    if value.isdigit() and len(value) == 6:
        if totp.totp_verify(user=user, code=value):
            method = "otp"
        else:
            try:
                otp.otp_verify(subject=f"user:{user.pk}", purpose=OneTimeCode.Purpose.LOGIN, code=value)
                method = "sms"
            except ValidationError:
                method = None
    elif 8 <= len(value.replace("-", "")) <= 12 and recovery.recovery_code_use(user=user, code=value):
        method = "rec"
    if method is None:
        throttle.throttle_fail(key, throttle.CODE_POLICY)
        audit_record(action="login.second_factor", outcome=AuditEvent.Outcome.FAILURE, actor=user)
        raise ValidationError(_("The code is not correct or has expired."), code="code_invalid", field="otp")
    throttle.throttle_reset(key)
    audit_record(action="login.second_factor", actor=user, data={"method": method})
    return method


# --- password reset through the verified mobile number -------------------------------


def password_reset_start(*, identifier: str) -> None:
    """Send a reset code to the account's verified mobile. Says nothing about whether the
    account exists: the caller shows the same page either way."""
    ident = normalize_identifier(identifier)
    user = User.objects.filter(username=ident, is_active=True).first() if ident else None
    if user is None or not (user.phone and user.phone_verified):
        audit_record(action="password_reset.request", outcome=AuditEvent.Outcome.FAILURE, actor_label=ident)
        return
    try:
        otp.otp_issue(
            subject=f"reset:{user.pk}",
            purpose=OneTimeCode.Purpose.RESET,
            phone=user.phone,
            user_id=str(user.pk),
        )
    except RateLimited:
        audit_record(action="password_reset.request", outcome=AuditEvent.Outcome.DENIED, actor=user)
        return
    audit_record(action="password_reset.request", actor=user)


def password_reset_complete(*, identifier: str, code: str, new_password: str) -> User:
    ident = normalize_identifier(identifier)
    user = User.objects.filter(username=ident, is_active=True).first() if ident else None
    subject = f"reset:{user.pk}" if user else f"reset-unknown:{throttle.account_key(ident)}"
    if user is None:
        # Same checks and errors as for a real account: wrong code, counted, throttled.
        otp.otp_verify(subject=subject, purpose=OneTimeCode.Purpose.RESET, code=code)
        raise ValidationError(_("The code is not correct."), code="code_invalid", field="otp")
    password = normalize_password(new_password or "")
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(" ".join(exc.messages), code="password_invalid", field="password")
    otp.otp_verify(subject=subject, purpose=OneTimeCode.Purpose.RESET, code=code)
    with transaction.atomic():
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        from .sessions import sessions_end_all

        sessions_end_all(user=user, reason="password_reset")
        throttle.throttle_reset(throttle.account_key(ident))
        audit_record(action="password_reset.complete", actor=user)
        messaging.sms_send(
            to=user.phone,
            body=_(
                "Bawaba: your password was changed and you were logged out everywhere. If this was not you, call 06 500 8080."
            ),
            purpose="password_changed",
            user_id=str(user.pk),
        )
    return user


def password_change(
    *, user: User, current_password: str, new_password: str, keep_session_key: str | None
) -> None:
    if not user.check_password(normalize_password(current_password or "")):
        audit_record(action="password.change", outcome=AuditEvent.Outcome.FAILURE, actor=user)
        raise ValidationError(
            _("Your current password is not correct."), code="password_wrong", field="current_password"
        )
    password = normalize_password(new_password or "")
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(" ".join(exc.messages), code="password_invalid", field="new_password")
    with transaction.atomic():
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        from .sessions import sessions_end_all

        sessions_end_all(user=user, except_key=keep_session_key, reason="password_change")
        audit_record(action="password.change", actor=user)
        if user.phone and user.phone_verified:
            messaging.sms_send(
                to=user.phone,
                body=_("Bawaba: your password was changed. If this was not you, call 06 500 8080."),
                purpose="password_changed",
                user_id=str(user.pk),
            )
