"""Writing and verifying the audit log (the hash chain)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Required, TypedDict, Unpack

from django.db import connection, transaction
from django.utils import timezone

from .models import AuditEvent, AuditHead
from .request_context import current_request_context

GENESIS = "0" * 64


def _canonical_middle(event: AuditEvent) -> str:
    """The canonical form's fields between the sequence number and the previous hash, as
    they appear inside its JSON array (no brackets)."""
    created = event.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = [
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
    ]
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))[1:-1]


def _canonical(event: AuditEvent) -> bytes:
    """The JSON array [seq, time, actor id, actor, action, object type, object id, ip,
    user agent, outcome, data, previous hash] (keys sorted, no spaces, UTF-8) that is hashed.
    Built from its middle so that PostgreSQL can put the same bytes together around a
    sequence number and previous hash it reads under the head's lock (`_append_sql`);
    json.dumps writes an integer and a hex string exactly as they are concatenated there."""
    return f"[{int(event.seq)},{_canonical_middle(event)},{json.dumps(event.prev_hash)}]".encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


class AuditFields(TypedDict, total=False):
    """What a caller says about an event (audit_record, audit_append_statement). `actor`: the
    user who acted (its id and username are recorded); `ip` and `user_agent` default to the
    current request's."""

    action: Required[str]
    outcome: str
    actor: Any
    actor_label: str
    object_type: str
    object_id: Any
    data: dict[str, Any] | None
    ip: str | None
    user_agent: str | None


def _new_event(**fields: Unpack[AuditFields]) -> AuditEvent:
    ctx = current_request_context()
    actor = fields.get("actor")
    actor_label = fields.get("actor_label", "")
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id = str(actor.pk)
        actor_label = actor_label or str(actor.get_username())
    else:
        actor_id = ""
    ip, user_agent = fields.get("ip"), fields.get("user_agent")
    return AuditEvent(
        created_at=timezone.now(),
        actor_id=actor_id,
        actor_label=actor_label[:200],
        action=fields["action"][:100],
        object_type=fields.get("object_type", "")[:100],
        object_id=str(fields.get("object_id", ""))[:100],
        ip=ip if ip is not None else ctx.ip,
        user_agent=(user_agent if user_agent is not None else ctx.user_agent)[:400],
        outcome=str(fields.get("outcome", AuditEvent.Outcome.SUCCESS)),
        data=json.loads(json.dumps(fields.get("data") or {}, default=str)),
    )


def audit_record(**fields: Unpack[AuditFields]) -> AuditEvent:
    """Append one event (see AuditFields). Runs inside the caller's transaction (or on its
    own), so an action and its audit record commit or roll back together."""
    event = _new_event(**fields)
    if connection.vendor == "postgresql":
        # One statement (`audit_append_statement`): atomic on its own, so no transaction of
        # its own is needed; inside the caller's, it shares its fate.
        append = AuditAppend(event)
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {append.ctes} SELECT {append.columns} FROM audit_event", append.params)  # noqa: S608
            append.finish(cursor.fetchone())
        return event
    # savepoint=False: inside a caller's transaction the event shares its fate, without the
    # cost of a savepoint; on its own it runs in a transaction of its own.
    with transaction.atomic(savepoint=False):
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        event.seq, event.prev_hash = head.seq + 1, head.hash
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.seq, head.prev_hash, head.hash = event.seq, event.prev_hash, event.hash
        head.save(update_fields=["seq", "prev_hash", "hash"])
    return event


# The hash of the canonical form (see _canonical) around a sequence number and previous hash,
# in SQL; %s is the canonical middle.
_SQL_HASH = (
    "encode(sha256(convert_to('[' || ({seq})::text || ',' || %s || ',\"' || {prev} || '\"]', 'UTF8')), 'hex')"
)


class AuditAppend:
    """One audit event's append, on PostgreSQL, as two common table expressions that a
    caller puts in a statement of its own, so that an action and its audit record are one
    statement (atomic without a transaction, one round trip):

        WITH <the action's CTEs>, {append.ctes} SELECT {append.columns} FROM audit_event

    The statement's parameters are the action's, then `append.params`; `append.finish(row)`
    takes the selected columns (first in the row) into the event. The head row is upserted:
    its lock orders concurrent writers (under READ COMMITTED the update sees the latest
    head), the first event ever creates it, and it keeps the previous hash, which the event
    row needs and RETURNING could not give otherwise. The hash is computed by PostgreSQL from
    the same canonical bytes as compute_hash (audit_verify_chain recomputes it in Python)."""

    columns = "audit_event.id, audit_event.seq, audit_event.prev_hash, audit_event.hash"

    def __init__(self, event: AuditEvent) -> None:
        self.event = event
        middle = _canonical_middle(event)
        first = _SQL_HASH.format(seq="1", prev=f"'{GENESIS}'")
        next_ = _SQL_HASH.format(seq="h.seq + 1", prev="h.hash")
        self.ctes = (
            f"audit_head AS (INSERT INTO {_HEAD} AS h (id, seq, prev_hash, hash) "  # noqa: S608
            f"VALUES (1, 1, '{GENESIS}', {first}) ON CONFLICT (id) DO UPDATE "
            f"SET seq = h.seq + 1, prev_hash = h.hash, hash = {next_} RETURNING seq, prev_hash, hash), "
            f"audit_event AS (INSERT INTO {_EVENTS} (seq, created_at, actor_id, actor_label, action, "
            "object_type, object_id, ip, user_agent, outcome, data, prev_hash, hash) "
            "SELECT audit_head.seq, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, "
            "audit_head.prev_hash, audit_head.hash FROM audit_head RETURNING id, seq, prev_hash, hash)"
        )
        self.params: list[Any] = [
            middle,
            middle,
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
        ]

    def finish(self, row: Any) -> AuditEvent:
        event = self.event
        event.pk, event.seq, event.prev_hash, event.hash = row[0], row[1], row[2], row[3]
        event._state.adding = False
        return event


def audit_append_statement(**fields: Unpack[AuditFields]) -> AuditAppend:
    """audit_record's event as an AuditAppend, for a caller that writes its action and the
    event in one PostgreSQL statement (see AuditAppend). PostgreSQL only."""
    return AuditAppend(_new_event(**fields))


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
