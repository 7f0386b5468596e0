"""Signing keys of the provider: PEM files under KEYS_DIR/oidc with a small JSON state.

Each algorithm (ES256, the default; RS256 for clients that ask for it) has:
  * one `active` key: signs ID tokens, access tokens and logout tokens;
  * one `next` key: already published in the JWKS, so relying parties have cached it
    before it starts signing;
  * `retired` keys: still published until `retire_after` (when the last token they
    signed has expired), then dropped.
`bawaba oidc_rotate_keys` moves active -> retired, next -> active and makes a new next.
The files can move to an HSM later behind the same `signing_key()` / `public_jwks()`."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.conf import settings
from joserfc.jwk import ECKey, KeySet, RSAKey

ALGORITHMS = ("ES256", "RS256")
CHECK_EVERY = 2.0  # seconds between looks at the state file (rotation by another process)


@dataclass(frozen=True)
class SigningKey:
    kid: str
    alg: str
    status: str
    jwk: ECKey | RSAKey
    retire_after: float | None


_lock = threading.Lock()
_cache: dict = {"checked": 0.0, "mtime": None, "keys": [], "jwks_bytes": b""}


def keys_dir() -> Path:
    return Path(settings.KEYS_DIR) / "oidc"


def _state_path() -> Path:
    return keys_dir() / "state.json"


@contextlib.contextmanager
def _file_lock():
    d = keys_dir()
    d.mkdir(parents=True, exist_ok=True)
    with open(d / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _new_key(alg: str, status: str) -> dict:
    if alg == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
    else:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = f"{alg.lower()}-{time.strftime('%Y%m%d')}-{secrets.token_hex(4)}"
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path = keys_dir() / f"{kid}.pem"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return {"kid": kid, "alg": alg, "status": status, "created": int(time.time()), "retire_after": None}


def _read_state() -> dict:
    try:
        return json.loads(_state_path().read_text())
    except FileNotFoundError:
        return {"keys": []}


def _write_state(state: dict) -> None:
    tmp = _state_path().with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2))
    os.replace(tmp, _state_path())


def _complete(state: dict) -> bool:
    """Every algorithm needs an active and a next key. Returns True when keys were added."""
    changed = False
    for alg in ALGORITHMS:
        statuses = [k["status"] for k in state["keys"] if k["alg"] == alg]
        if "active" not in statuses:
            state["keys"].append(_new_key(alg, "active"))
            changed = True
        if "next" not in statuses:
            state["keys"].append(_new_key(alg, "next"))
            changed = True
    return changed


def ensure_keys() -> None:
    with _file_lock():
        state = _read_state()
        if _complete(state):
            _write_state(state)
    _cache["checked"] = 0.0


def max_token_lifetime() -> int:
    return max(
        settings.BAWABA_OIDC_ID_TOKEN_TTL,
        settings.BAWABA_OIDC_ACCESS_TOKEN_TTL,
        settings.BAWABA_OIDC_LOGOUT_TOKEN_TTL,
    )


def rotate_keys() -> dict:
    """Rotate every algorithm's keys. Returns {alg: new active kid}."""
    now = time.time()
    result = {}
    with _file_lock():
        state = _read_state()
        _complete(state)
        for alg in ALGORITHMS:
            for k in state["keys"]:
                if k["alg"] != alg:
                    continue
                if k["status"] == "active":
                    k["status"] = "retired"
                    k["retire_after"] = int(now + max_token_lifetime() + 60)
            for k in state["keys"]:
                if k["alg"] == alg and k["status"] == "next":
                    k["status"] = "active"
                    result[alg] = k["kid"]
        # drop retired keys whose tokens have all expired
        kept = []
        for k in state["keys"]:
            if k["status"] == "retired" and k["retire_after"] and k["retire_after"] < now:
                with contextlib.suppress(FileNotFoundError):
                    (keys_dir() / f"{k['kid']}.pem").unlink()
                continue
            kept.append(k)
        state["keys"] = kept
        _complete(state)
        _write_state(state)
    _cache["checked"] = 0.0
    return result


def _load() -> list[SigningKey]:
    now = time.time()
    # The cache belongs to one directory (tests point KEYS_DIR elsewhere); compared as the
    # setting's value, so that the fast path builds no Path (every token signs twice).
    where = settings.KEYS_DIR
    if now - _cache["checked"] < CHECK_EVERY and _cache["keys"] and _cache.get("dir") == where:
        return _cache["keys"]
    with _lock:
        try:
            mtime = _state_path().stat().st_mtime_ns
        except FileNotFoundError:
            ensure_keys()
            mtime = _state_path().stat().st_mtime_ns
        if mtime != _cache["mtime"] or not _cache["keys"] or _cache.get("dir") != where:
            state = _read_state()
            if not state["keys"]:
                ensure_keys()
                state = _read_state()
            loaded = []
            for k in state["keys"]:
                if k["status"] == "retired" and k["retire_after"] and k["retire_after"] < now:
                    continue
                pem = (keys_dir() / f"{k['kid']}.pem").read_bytes()
                cls = ECKey if k["alg"] == "ES256" else RSAKey
                jwk = cls.import_key(pem, {"kid": k["kid"], "alg": k["alg"], "use": "sig"})
                loaded.append(SigningKey(k["kid"], k["alg"], k["status"], jwk, k["retire_after"]))
            _cache["keys"] = loaded
            _cache["mtime"] = mtime
            _cache["dir"] = where
            _cache["jwks_bytes"] = json.dumps(
                {"keys": [k.jwk.as_dict(private=False) for k in loaded]}, separators=(",", ":")
            ).encode()
        _cache["checked"] = now
        return _cache["keys"]


def signing_key(alg: str = "ES256") -> SigningKey:
    for k in _load():
        if k.alg == alg and k.status == "active":
            return k
    ensure_keys()
    _cache["mtime"] = None
    return next(k for k in _load() if k.alg == alg and k.status == "active")


def public_jwks_bytes() -> bytes:
    _load()
    return _cache["jwks_bytes"]


def public_keyset() -> KeySet:
    return KeySet([k.jwk for k in _load()])


def published_kids() -> list[tuple[str, str]]:
    return [(k.kid, k.status) for k in _load()]
