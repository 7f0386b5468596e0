"""Throttling failed attempts with growing delays and temporary lockout.

Keys are built from what was *submitted* (a hash of the identifier, the client address),
never from whether an account exists, so unknown and known users are treated alike."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bawaba.core.audit import audit_record
from bawaba.core.errors import RateLimited
from bawaba.core.models import AuditEvent

from ..models import AttemptCounter


@dataclass(frozen=True)
class Policy:
    free_failures: int  # failures allowed before delays start
    lockout_after: int  # failures after which the key is locked
    lockout: timedelta
    max_delay: timedelta
    window: timedelta  # failures older than this are forgotten


ACCOUNT_POLICY = Policy(3, 10, timedelta(minutes=15), timedelta(minutes=5), timedelta(hours=1))
ADDRESS_POLICY = Policy(20, 100, timedelta(minutes=30), timedelta(minutes=5), timedelta(hours=1))
CODE_POLICY = Policy(5, 5, timedelta(minutes=30), timedelta(0), timedelta(hours=1))
# Registrations started from one address: 20 an hour freely, then slower, then stop.
REGISTRATION_POLICY = Policy(20, 60, timedelta(hours=1), timedelta(minutes=2), timedelta(hours=1))
# Refused bearer access tokens presented to the JSON API from one address (as for failed
# logins per address): 20 freely, then growing delays, locked for 30 minutes after 100.
BEARER_POLICY = Policy(20, 100, timedelta(minutes=30), timedelta(minutes=5), timedelta(hours=1))


def account_key(identifier: str) -> str:
    return "acct:" + hashlib.sha256(identifier.strip().lower().encode()).hexdigest()[:40]


def address_key(ip: str | None) -> str:
    return f"ip:{ip or 'unknown'}"


def _retry_after(counter: AttemptCounter, policy: Policy) -> int:
    now = timezone.now()
    if counter.locked_until and counter.locked_until > now:
        return math.ceil((counter.locked_until - now).total_seconds())
    if counter.last_failure_at is None or now - counter.last_failure_at > policy.window:
        return 0
    extra = counter.failures - policy.free_failures
    if extra <= 0:
        return 0
    delay = min(timedelta(seconds=2 ** (extra - 1)), policy.max_delay)
    wait = (counter.last_failure_at + delay - now).total_seconds()
    return max(0, math.ceil(wait))


def throttle_check(
    *keys_policies: tuple[str, Policy], counters: dict[str, AttemptCounter] | None = None
) -> set[str]:
    """Raise RateLimited when any key must still wait. Returns the keys that have a
    counter (so a caller resets only what exists). `counters`: the keys' counters as the
    caller has just read them (`counters_sql`), instead of reading them here."""
    if counters is None:
        counters = _counters([k for k, _ in keys_policies])
    wait = 0
    for key, policy in keys_policies:
        counter = counters.get(key)
        if counter:
            wait = max(wait, _retry_after(counter, policy))
    if wait:
        raise RateLimited(
            ngettext(
                "Too many attempts. Please wait %(seconds)d second and try again.",
                "Too many attempts. Please wait %(seconds)d seconds and try again.",
                wait,
            )
            % {"seconds": wait},
            retry_after=wait,
        )
    return set(counters)


def _counters(keys: list[str]) -> dict[str, AttemptCounter]:
    """The counters of these keys (usually none: nobody failed lately). Read on every login,
    so on PostgreSQL with a plain statement rather than a query built by the ORM."""
    if connection.vendor != "postgresql":
        return {c.key: c for c in AttemptCounter.objects.filter(key__in=keys)}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, key, failures, first_failure_at, last_failure_at, locked_until FROM {_TABLE} "  # noqa: S608
            "WHERE key = ANY(%s)",
            [keys],
        )
        rows = cursor.fetchall()
    return {
        key: AttemptCounter(
            id=pk,
            key=key,
            failures=failures,
            first_failure_at=first,
            last_failure_at=last,
            locked_until=until,
        )
        for pk, key, failures, first, last, until in rows
    }


_TABLE = f'"{AttemptCounter._meta.db_table}"'


def counters_sql() -> str:
    """PostgreSQL: a scalar subquery (one parameter: the list of keys) whose JSON value
    `counters_from_json` turns into the keys' counters, for a caller that reads them with
    something else in one statement (the password login reads the user with them)."""
    return (
        "(SELECT json_agg(json_build_array(id, key, failures, first_failure_at, last_failure_at, "  # noqa: S608
        f"locked_until)) FROM {_TABLE} WHERE key = ANY(%s))"
    )


def counters_from_json(value: list | None) -> dict[str, AttemptCounter]:
    def when(text: str | None):  # type: ignore[no-untyped-def]
        return datetime.fromisoformat(text) if text else None

    return {
        key: AttemptCounter(
            id=pk,
            key=key,
            failures=failures,
            first_failure_at=when(first),
            last_failure_at=when(last),
            locked_until=when(until),
        )
        for pk, key, failures, first, last, until in value or []
    }


def throttle_fail(key: str, policy: Policy) -> AttemptCounter:
    """Count one failure; lock the key when the policy says so. Returns the counter."""
    now = timezone.now()
    with transaction.atomic():
        counter, _created = AttemptCounter.objects.select_for_update().get_or_create(key=key)
        if (
            counter.last_failure_at
            and now - counter.last_failure_at > policy.window
            and not (counter.locked_until and counter.locked_until > now)
        ):
            counter.failures = 0
            counter.first_failure_at = None
        counter.failures += 1
        counter.first_failure_at = counter.first_failure_at or now
        counter.last_failure_at = now
        if counter.failures >= policy.lockout_after:
            counter.locked_until = now + policy.lockout
        counter.save()
    return counter


def throttle_reset(key: str) -> None:
    AttemptCounter.objects.filter(key=key).delete()


def is_locked(key: str) -> bool:
    return AttemptCounter.objects.filter(key=key, locked_until__gt=timezone.now()).exists()


def locked_message() -> str:
    return _("Too many failed attempts. Please wait and try again later.")


def bearer_refusal_record(problem: str, ip: str | None) -> None:
    """A refused access token was presented to the JSON API from `ip`: count it for the
    address and audit it. Raises RateLimited (nothing counted) while the address must wait.
    Its own key, so a flood of bad tokens never locks the address out of logging in."""
    refusal_record(kind="bearer", action="api.bearer_refused", ip=ip, data={"problem": problem})


def refusal_record(*, kind: str, action: str, ip: str | None, data: dict) -> None:
    """A refused credential of `kind` (a bearer token, a relying party's client
    authentication…) was presented from `ip`: count it for the address (BEARER_POLICY: 20
    freely, then growing delays, locked 30 minutes after 100 in an hour) and audit it as
    `action`. Raises RateLimited, counting and auditing nothing, while the address must
    wait. Each kind has its own counter, so none locks the address out of logging in."""
    key = f"{kind}-ip:{ip or 'unknown'}"
    throttle_check((key, BEARER_POLICY))
    counter = throttle_fail(key, BEARER_POLICY)
    audit_record(
        action=action,
        outcome=AuditEvent.Outcome.FAILURE,
        data={**data, "failures": counter.failures},
        ip=ip,
    )
