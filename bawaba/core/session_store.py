"""Database sessions, with fewer writes than Django's database store.

- No existence query before each new key: Django's store asks whether a freshly drawn
  32-character key exists before inserting it, then inserts with `must_create` anyway (which
  fails and retries on a collision). The insert alone is enough: a collision among 36^32
  keys is not a practical event, and when it happens the insert fails and a new key is
  drawn, as before.
- A new session (a login's `cycle_key()`, or a first write) gets its key at once but its row
  only when the session is saved at the end of the request, with its data: one INSERT
  instead of an INSERT of an empty session followed by an UPDATE. A request that fails
  (the session middleware saves nothing on a 500) therefore leaves no empty row behind. On
  PostgreSQL that INSERT is one plain statement (ON CONFLICT DO NOTHING tells a taken key)."""

from django.contrib.sessions.backends.base import CreateError
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import connections, router

from .crypto import random_string

VALID_KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


class SessionStore(DbSessionStore):
    _pending_insert = False
    # (key, encoded data) of the row a caller's statement inserted (`insert_statement`)
    _written: tuple[str, str] | None = None
    _early: tuple[str, str] | None = None

    def _get_new_session_key(self) -> str:
        return random_string(32, VALID_KEY_CHARS)

    def create(self) -> None:
        # The key now (callers read it, e.g. to list the session); the row at save().
        self._session_key = self._get_new_session_key()
        self._pending_insert = True
        self._written = self._early = None
        self.modified = True

    def insert_statement(self) -> tuple[str, list] | None:
        """A new session's row, on PostgreSQL, as a common table expression for a caller's
        own statement (the login writes it with the session's other rows, one round trip):
        `django_session_row AS (INSERT … ON CONFLICT DO NOTHING RETURNING 1)`, and its
        parameters. The caller then reports with `inserted_early(n)` how many rows the CTE
        returned. None when there is no new session to insert, or not on PostgreSQL.

        The row holds the data as it is now; when the session is saved at the end of the
        request with the same data, nothing more is written; with other data, the row is
        updated as usual. A taken key (CTE returns nothing) leaves the insert to save(),
        which draws a new key."""
        connection = connections[router.db_for_write(self.model)]
        if not self._pending_insert or connection.vendor != "postgresql":
            return None
        obj = self.create_model_instance(self._get_session(no_load=True))
        self._early = (obj.session_key, obj.session_data)
        return (
            f"django_session_row AS (INSERT INTO {connection.ops.quote_name(self.model._meta.db_table)} "  # noqa: S608
            "(session_key, session_data, expire_date) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING RETURNING 1)",
            [obj.session_key, obj.session_data, obj.expire_date],
        )

    def inserted_early(self, rows: int) -> None:
        if rows == 1 and self._early is not None and self._early[0] == self.session_key:
            self._pending_insert = False
            self._written = self._early
        self._early = None

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            self.create()
        if self._written is not None and not self._pending_insert and not must_create:
            written, self._written = self._written, None
            data = self.encode(self._get_session(no_load=False))
            if written == (self.session_key, data):
                return  # the row already holds exactly this (inserted by the login's statement)
        if not self._pending_insert:
            super().save(must_create=must_create)
            return
        while True:
            try:
                self._insert()
            except CreateError:
                self._session_key = self._get_new_session_key()  # taken: draw again
                continue
            break
        self._pending_insert = False

    def _insert(self) -> None:
        """The new session's row. On PostgreSQL one INSERT … ON CONFLICT DO NOTHING (a taken
        key inserts nothing), instead of the ORM's savepoint, INSERT and release."""
        using = router.db_for_write(self.model)
        connection = connections[using]
        if connection.vendor != "postgresql":
            super().save(must_create=True)
            return
        obj = self.create_model_instance(self._get_session(no_load=True))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(self.model._meta.db_table)} "  # noqa: S608
                "(session_key, session_data, expire_date) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                [obj.session_key, obj.session_data, obj.expire_date],
            )
            if cursor.rowcount != 1:
                raise CreateError
