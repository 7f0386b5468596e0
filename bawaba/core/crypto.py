"""Small cryptographic helpers on top of `cryptography`: keyed hashes for stored codes,
encryption at rest for secrets the platform must read back (TOTP seeds), and random strings
for session keys and authorization codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive(purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"bawaba:{purpose}".encode()).derive(
        settings.SECRET_KEY.encode()
    )


@lru_cache(maxsize=16)
def _key(purpose: str, secret: str) -> bytes:
    return _derive(purpose)


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of a short secret (a one-time code) under a key derived for `purpose`."""
    key = _key(purpose, settings.SECRET_KEY)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=8)
def _alphabet_table(alphabet: str) -> tuple[bytes, bytes]:
    n = len(alphabet)
    if not 1 < n <= 256 or not alphabet.isascii() or len(set(alphabet)) != n:
        raise ValueError("the alphabet must be 2 to 256 distinct ASCII characters")
    limit = 256 - 256 % n  # a multiple of n: bytes below it map uniformly onto the alphabet
    table = bytes(ord(alphabet[b % n]) if b < limit else 0 for b in range(256))
    return table, bytes(range(limit, 256))


def random_string(length: int, alphabet: str) -> str:
    """`length` characters drawn independently and uniformly from `alphabet` with the
    operating system's CSPRNG: what django.utils.crypto.get_random_string gives, with one
    system call per string instead of one per character (that function calls
    secrets.choice for each character). Random bytes at or above the largest multiple of
    the alphabet's size are dropped (rejection sampling), so no character is favoured."""
    table, rejected = _alphabet_table(alphabet)
    out = b""
    while len(out) < length:
        out += os.urandom(length + 8).translate(table, rejected)
    return out[:length].decode("ascii")


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _fernet(purpose: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key(purpose, settings.SECRET_KEY)))


def encrypt(value: str, *, purpose: str) -> str:
    return _fernet(purpose).encrypt(value.encode()).decode()


def decrypt(token: str, *, purpose: str) -> str:
    try:
        return _fernet(purpose).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong key or altered data") from exc
