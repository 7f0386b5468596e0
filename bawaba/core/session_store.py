"""Database sessions without the existence query before each new key.

Django's database store asks whether a freshly drawn 32-character key exists before
inserting it, then inserts with `must_create` anyway (which fails and retries on a
collision). The insert alone is enough: a collision among 36^32 keys is not a practical
event, and when it happens the insert fails and a new key is drawn, as before."""

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.utils.crypto import get_random_string

VALID_KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


class SessionStore(DbSessionStore):
    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)
