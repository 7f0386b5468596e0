import re

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bawaba.core.session_store import SessionStore


def _session_writes(queries) -> list[str]:
    """The statements that write a django_session row (alone, or as part of a larger one)."""
    return [q["sql"] for q in queries if re.search(r'(INSERT INTO|UPDATE) "django_session"', q["sql"])]


def test_a_new_session_is_written_once_with_its_data(db):
    store = SessionStore()
    store["a"] = 1
    store.cycle_key()  # as login() does
    key = store.session_key
    assert key and not Session.objects.filter(session_key=key).exists()  # no empty row yet
    store["b"] = 2
    with CaptureQueriesContext(connection) as ctx:
        store.save()
    assert len(_session_writes(ctx.captured_queries)) == 1
    again = SessionStore(session_key=key)
    assert again["a"] == 1 and again["b"] == 2
    # Later saves update the same row.
    again["c"] = 3
    again.save()
    assert SessionStore(session_key=key)["c"] == 3
    assert Session.objects.filter(session_key=key).count() == 1


def test_a_taken_key_is_replaced_before_the_row_is_written(db, monkeypatch):
    taken = SessionStore()
    taken["owner"] = "someone else"
    taken.save()
    keys = iter([taken.session_key, "k" * 32])
    store = SessionStore()
    monkeypatch.setattr(store, "_get_new_session_key", lambda: next(keys))
    store["mine"] = True
    store.save()
    assert store.session_key == "k" * 32
    assert SessionStore(session_key=taken.session_key)["owner"] == "someone else"
    assert SessionStore(session_key="k" * 32)["mine"] is True


def test_login_writes_the_session_row_once(client, demo):
    page = client.get("/en/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    with CaptureQueriesContext(connection) as ctx:
        r = client.post(
            "/en/login/",
            {"username": "2000112345", "password": "Bawaba-Demo-2026", "csrfmiddlewaretoken": token},
        )
    assert r.status_code == 302
    assert len(_session_writes(ctx.captured_queries)) == 1
    assert client.get("/en/account/").status_code == 200


def test_a_row_inserted_by_a_callers_statement_is_not_written_again(db):
    """insert_statement: the login writes the new session's row in its own statement; the
    save at the end of the request then writes nothing if the data did not change, and
    updates the row if it did. (SQLite: no early insert; save() inserts as usual.)"""
    store = SessionStore()
    store["a"] = 1
    store.cycle_key()
    statement = store.insert_statement()
    if connection.vendor != "postgresql":
        assert statement is None
        store.save()
        assert SessionStore(session_key=store.session_key)["a"] == 1
        return
    cte, params = statement
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {cte} SELECT count(*) FROM django_session_row", params)
        store.inserted_early(cursor.fetchone()[0])
    with CaptureQueriesContext(connection) as ctx:
        store.save()
    assert _session_writes(ctx.captured_queries) == []
    assert SessionStore(session_key=store.session_key)["a"] == 1
    store["b"] = 2
    with CaptureQueriesContext(connection) as ctx:
        store.save()
    assert len(_session_writes(ctx.captured_queries)) == 1
    assert SessionStore(session_key=store.session_key)["b"] == 2
    assert Session.objects.filter(session_key=store.session_key).count() == 1


def test_an_early_insert_that_found_the_key_taken_leaves_the_insert_to_save(db):
    if connection.vendor != "postgresql":
        assert SessionStore().insert_statement() is None
        return
    taken = SessionStore()
    taken["owner"] = "someone else"
    taken.save()
    store = SessionStore()
    store["mine"] = True
    store.cycle_key()
    cte, params = store.insert_statement()
    params[0] = taken.session_key  # as if the key drawn had been taken meanwhile
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {cte} SELECT count(*) FROM django_session_row", params)
        store.inserted_early(cursor.fetchone()[0])
    store.save()
    assert SessionStore(session_key=store.session_key)["mine"] is True
    assert SessionStore(session_key=taken.session_key)["owner"] == "someone else"
