"""Writing and verifying the audit log (the hash chain)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEvent, AuditHead
from .request_context import current_request_context

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    created = event.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = [
        event.seq,
        created,
        event.actor_id,
        event.actor_label,
        event.action,
        event.object_type,
        event.object_id,
        event.ip or "",
        event.user_agent,
        event.outcome,
        event.data,
        event.prev_hash,
    ]
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def audit_record(
    *,
    action: str,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    actor: Any = None,
    actor_label: str = "",
    object_type: str = "",
    object_id: Any = "",
    data: dict[str, Any] | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> AuditEvent:
    """Append one event. Runs inside the caller's transaction (or its own), so an action
    and its audit record commit or roll back together."""
    ctx = current_request_context()
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id = str(actor.pk)
        actor_label = actor_label or str(actor.get_username())
    else:
        actor_id = ""
    event = AuditEvent(
        created_at=timezone.now(),
        actor_id=actor_id,
        actor_label=actor_label[:200],
        action=action[:100],
        object_type=object_type[:100],
        object_id=str(object_id)[:100],
        ip=ip if ip is not None else ctx.ip,
        user_agent=(user_agent if user_agent is not None else ctx.user_agent)[:400],
        outcome=str(outcome),
        data=json.loads(json.dumps(data or {}, default=str)),
    )
    # savepoint=False: inside a caller's transaction the event shares its fate, without the
    # cost of a savepoint; on its own it runs in a transaction of its own.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql" and _append_pg(event):
            return event
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        event.seq, event.prev_hash = head.seq + 1, head.hash
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


def _append_pg(event: AuditEvent) -> bool:
    """On PostgreSQL, two statements instead of three: the head row is locked and advanced
    by one UPDATE … RETURNING (the previous hash comes back with the new sequence number),
    then the event is inserted and the head's hash set in one statement. False when there
    is no head row yet (the first event ever): the caller creates it."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_HEAD} SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")  # noqa: S608
        row = cursor.fetchone()
        if row is None:
            return False
        event.seq, event.prev_hash = row
        event.hash = compute_hash(event)
        cursor.execute(
            f"WITH ev AS (INSERT INTO {_EVENTS} (seq, created_at, actor_id, actor_label, action, "  # noqa: S608
            "object_type, object_id, ip, user_agent, outcome, data, prev_hash, hash) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s) RETURNING id) "
            f"UPDATE {_HEAD} SET hash = %s WHERE id = 1 RETURNING (SELECT id FROM ev)",
            [
                event.seq,
                event.created_at,
                event.actor_id,
                event.actor_label,
                event.action,
                event.object_type,
                event.object_id,
                event.ip or None,
                event.user_agent,
                event.outcome,
                json.dumps(event.data),
                event.prev_hash,
                event.hash,
                event.hash,
            ],
        )
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    return True


_HEAD = f'"{AuditHead._meta.db_table}"'
_EVENTS = f'"{AuditEvent._meta.db_table}"'


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def audit_verify_chain(batch_size: int = 2000) -> tuple[int, ChainBreak | None]:
    """Walk the chain in order. Returns (events checked, first break or None)."""
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    for event in _iter_events(batch_size):
        if event.seq != expected_seq:
            return checked, ChainBreak(expected_seq, "missing record (sequence gap)")
        if event.prev_hash != expected_prev:
            return checked, ChainBreak(event.seq, "previous-hash link broken")
        if compute_hash(event) != event.hash:
            return checked, ChainBreak(event.seq, "record altered (hash mismatch)")
        expected_prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(id=1).first()
    if head and (head.seq != expected_seq - 1 or head.hash != expected_prev):
        return checked, ChainBreak(expected_seq, "records removed from the end of the log")
    return checked, None


def _iter_events(batch_size: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
