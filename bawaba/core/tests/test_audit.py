"""The audit log: append-only, hash-chained, and `bawaba audit_verify` finds any change."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bawaba.core.audit import GENESIS, audit_record, audit_verify_chain, compute_hash
from bawaba.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    for i in range(5):
        audit_record(action=f"test.event{i}", actor_label="tester", data={"i": i, "text": "نص عربي"})
    return list(AuditEvent.objects.order_by("seq"))


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def broken() -> CommandError:
    with pytest.raises(CommandError) as info:
        verify()
    assert info.value.returncode == 1
    return info.value


def test_intact_chain(chain):
    assert "audit chain intact: 5 records verified" in verify()
    assert chain[0].prev_hash == GENESIS
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1


def test_empty_log_is_intact(db):
    assert "intact: 0 records" in verify()


def test_altered_row_is_found(chain):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = %s WHERE seq = %s", ["test.forged", 3])
    error = broken()
    assert "#3" in str(error) and "altered" in str(error)


def test_altered_data_field_is_found(chain):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET actor_label = %s WHERE seq = %s", ["someone else", 4])
    assert "#4" in str(broken())


def test_rehashed_row_breaks_the_next_link(chain):
    """A forger who also recomputes the row's own hash still breaks the link to the next."""
    from bawaba.core.audit import compute_hash

    event = AuditEvent.objects.get(seq=2)
    event.action = "test.forged"
    new_hash = compute_hash(event)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET action = %s, hash = %s WHERE seq = %s", ["test.forged", new_hash, 2]
        )
    error = broken()
    assert "#3" in str(error) and "link" in str(error)


def test_deleted_middle_row_is_found(chain):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = %s", [3])
    error = broken()
    assert "#3" in str(error) and "missing" in str(error)


def test_deleted_tail_is_found(chain):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq >= %s", [4])
    error = broken()
    assert "#4" in str(error) and "end of the log" in str(error)
    checked, problem = audit_verify_chain()
    assert checked == 3 and problem is not None


def test_deleted_first_row_is_found(chain):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE seq = %s", [1])
    assert "#1" in str(broken())


def test_rows_cannot_be_changed_or_deleted_through_the_orm(chain):
    event = chain[0]
    event.action = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(seq=1).update(action="changed")
    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(seq=1).delete()
    assert "intact: 5 records" in verify()


def test_audit_record_fields(chain, rf):
    from bawaba.core.request_context import RequestContext, reset_request_context, set_request_context

    token = set_request_context(RequestContext(request_id="r1", ip="127.0.0.5", user_agent="UA" * 300))
    try:
        event = audit_record(action="x" * 500, actor_label="y" * 500, object_id="z" * 500)
    finally:
        reset_request_context(token)
    assert event.ip == "127.0.0.5"
    assert len(event.user_agent) == 400 and len(event.action) == 100 and len(event.actor_label) == 200
    assert "intact: 6 records" in verify()


def test_chain_survives_a_rolled_back_transaction(chain):
    from django.db import transaction

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit_record(action="test.rolled_back")
        1 / 0  # noqa: B018
    audit_record(action="test.after")
    assert "intact: 6 records" in verify()


def test_appended_events_are_the_rows_stored(db):
    """What audit_record returns is the row as stored (the PostgreSQL path writes with its
    own statements), each linked to the one before, the head following the last."""
    from bawaba.core.models import AuditHead

    events = [
        audit_record(action="x.test", data={"n": i, "ä": ["é", 1.5, None]}, ip=ip)
        for i, ip in enumerate(["10.0.0.1", "", None, "2001:db8::1"])
    ]
    for before, event in zip(events, events[1:], strict=False):
        assert event.seq == before.seq + 1 and event.prev_hash == before.hash
    for event in events:
        row = AuditEvent.objects.get(pk=event.pk)
        assert (row.seq, row.hash, row.prev_hash, row.data) == (
            event.seq,
            event.hash,
            event.prev_hash,
            event.data,
        )
        assert compute_hash(row) == row.hash
    head = AuditHead.objects.get(id=1)
    assert (head.seq, head.hash) == (events[-1].seq, events[-1].hash)
    assert audit_verify_chain() == (len(events), None)


def test_hash_of_awkward_text_matches_the_verifier(db):
    """On PostgreSQL the hash is computed by the database from the canonical bytes; text
    that JSON escapes (quotes, backslashes, control characters), non-Latin scripts and
    characters outside the BMP must hash exactly as compute_hash does in Python."""
    awkward = 'quote " backslash \\ newline \n tab \t bell \x07 عربي 😀 \u2028 %s %(x)s'
    events = [
        audit_record(
            action="test.awkward",
            actor_label=awkward,
            object_id=awkward,
            user_agent=awkward,
            data={awkward: [awkward, {"z": 1, "a": -0.5, "ñ": None}], "n": 10**20},
        )
        for _ in range(3)
    ]
    for event in events:
        row = AuditEvent.objects.get(pk=event.pk)
        assert row.hash == event.hash == compute_hash(row)
        assert row.actor_label == awkward
    assert events[0].seq == 1 and events[0].prev_hash == GENESIS
    assert audit_verify_chain() == (3, None)


def test_concurrent_writers_make_one_unbroken_chain(transactional_db):
    """Writers in several threads (each with its own database connection) at once: every
    event gets its own sequence number, each links to the one before, no fork, no gap."""
    import threading

    from django.db import connections

    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(15):
                audit_record(action=f"test.thread{n}", data={"i": i})
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 61))
    assert audit_verify_chain() == (60, None)
