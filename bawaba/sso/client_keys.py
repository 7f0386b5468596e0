"""Public keys of the relying parties that authenticate with private_key_jwt: the keys
registered with the client, or those the client publishes at its `jwks_uri` (as Singpass
and eSignet ask of relying parties, so that an agency rotates its keys without asking us).

Published keys are fetched with the platform's outbound HTTP client (timeouts, no
redirects) and kept per process for BAWABA_OIDC_JWKS_URI_CACHE_SECONDS. An assertion signed
with a key id that is not among them triggers one early fetch (a rotation), but no address
is fetched more than once per BAWABA_OIDC_JWKS_URI_MIN_REFETCH seconds, whatever the
assertions say: made-up key ids cannot make us hammer an agency's server. When a fetch fails
the keys fetched before stay in use; with none, the client cannot authenticate."""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from bawaba.core.http import outbound_client

log = logging.getLogger(__name__)

MAX_BYTES = 64 * 1024
# Members that only a private or symmetric key has: never accepted from a published set.
PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


class KeysUnavailable(Exception):
    """The client's published keys could not be fetched or are not a public JWKS."""


FETCH_TIMEOUT = httpx.Timeout(5.0, connect=2.0)  # inside a token request: short

_cache: dict[str, tuple[float, KeySet]] = {}
_last_fetch: dict[str, float] = {}
_locks: dict[str, threading.Lock] = {}
_lock = threading.Lock()  # guards the three dicts' membership


def _lock_for(jwks_uri: str) -> threading.Lock:
    """One fetch per address at a time; a slow agency server holds up only its own client."""
    with _lock:
        lock = _locks.get(jwks_uri)
        if lock is None:
            if len(_locks) > 10_000:
                _locks.clear()
            lock = _locks[jwks_uri] = threading.Lock()
        return lock


def client_public_keys(*, jwks: dict, jwks_uri: str, kid: str | None = None) -> KeySet:
    """The keys to check a client's assertion with (`kid`: the assertion's key id)."""
    if not jwks_uri:
        return KeySet.import_key_set(jwks or {"keys": []})
    now = time.monotonic()
    hit = _cache.get(jwks_uri)
    if hit is not None:
        fresh = now - hit[0] < settings.BAWABA_OIDC_JWKS_URI_CACHE_SECONDS
        if fresh and (kid is None or any(key.kid == kid for key in hit[1].keys)):
            return hit[1]
    with _lock_for(jwks_uri):  # one fetch per address at a time, and not too often
        hit = _cache.get(jwks_uri)
        if now - _last_fetch.get(jwks_uri, -1e9) < settings.BAWABA_OIDC_JWKS_URI_MIN_REFETCH:
            if hit is not None:
                return hit[1]
            raise KeysUnavailable("fetched moments ago without success")
        _last_fetch[jwks_uri] = now
        try:
            keys = fetch(jwks_uri)
        except KeysUnavailable as exc:
            log.warning("client keys at %s: %s", jwks_uri, exc)
            if hit is not None:
                return hit[1]  # the keys of the last good fetch, rather than none
            raise
        with _lock:
            if len(_cache) > 10_000:
                _cache.clear()
            _cache[jwks_uri] = (now, keys)
        return keys


def fetch(jwks_uri: str) -> KeySet:
    """GET a JWK Set (RFC 7517, section 5) of public signing keys."""
    host = urlsplit(jwks_uri).hostname or ""
    try:
        with outbound_client(base_url=jwks_uri, extra_allowed_hosts=(host,), timeout=FETCH_TIMEOUT) as http:
            with http.stream("GET", jwks_uri, headers={"Accept": "application/json"}) as response:
                if response.status_code != 200:
                    raise KeysUnavailable(f"HTTP {response.status_code}")
                body = b""
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_BYTES:
                        raise KeysUnavailable(f"larger than {MAX_BYTES} bytes")
    except KeysUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 (network errors, refused hosts: all mean "unavailable")
        raise KeysUnavailable(f"{type(exc).__name__}: {exc}") from exc
    return parse(body)


def parse(body: bytes) -> KeySet:
    try:
        data: Any = json.loads(body)
    except ValueError as exc:
        raise KeysUnavailable("not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list) or not data["keys"]:
        raise KeysUnavailable("not a JWK Set with keys")
    for key in data["keys"]:
        if not isinstance(key, dict):
            raise KeysUnavailable("a key is not a JSON object")
        if PRIVATE_MEMBERS & set(key):
            raise KeysUnavailable("the set holds private or symmetric key material")
    try:
        return KeySet.import_key_set(data)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise KeysUnavailable(f"a key cannot be read: {exc}") from exc


def cache_clear(jwks_uri: str | None = None) -> None:
    with _lock:
        if jwks_uri:
            _cache.pop(jwks_uri, None)
            _last_fetch.pop(jwks_uri, None)
        else:
            _cache.clear()
            _last_fetch.clear()
