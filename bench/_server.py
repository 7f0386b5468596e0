"""Helpers shared by the benchmarks: a throw-away data directory, the production server
(Granian, bawaba/server.py) on a free loopback port, a keep-alive HTTP client, and the machine's description."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def settings_argon2(settings) -> tuple:  # type: ignore[no-untyped-def]
    """The platform's password hasher (Argon2id) with the parameters of `settings` (Django's
    settings, or the module bawaba.settings.base): (hasher, parameters as a dict)."""
    from argon2 import PasswordHasher, Type

    params = {
        "time_cost": settings.ARGON2_TIME_COST,
        "memory_cost": settings.ARGON2_MEMORY_COST,
        "parallelism": settings.ARGON2_PARALLELISM,
    }
    return PasswordHasher(type=Type.ID, **params), params


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        m = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
        mem = f"{int(m.group(1)) / 1024 / 1024:.1f} GiB" if m else ""
    return f"{os.cpu_count()} cores, {cpu}, {mem} RAM, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def bench_env(data_dir: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="bawaba.settings.dev",
        BAWABA_DATA_DIR=str(data_dir),
        BAWABA_DEMO="1",
        BAWABA_LOG_LEVEL="WARNING",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run([str(BIN / "bawaba"), *args], env=env, check=True, capture_output=True, text=True)  # noqa: S603
    return out.stdout


@contextlib.contextmanager
def temp_data_dir(prefix: str):
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def server(env: dict[str, str], *, workers: int, threads: int | None = None, port: int | None = None):
    """Start the production server (Granian, bawaba/server.py); yield (port, main pid)."""
    sys.path.insert(0, str(ROOT))
    from bawaba.server import granian_command

    port = port or free_port()
    cmd = granian_command(host="127.0.0.1", port=port, workers=workers, threads=threads)
    # Experiments with the server's own settings (docs/benchmarks.md): extra Granian flags,
    # placed before the application's target.
    cmd[-1:-1] = shlex.split(os.environ.get("BENCH_GRANIAN_ARGS", ""))
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(
                "the server did not start: " + (proc.stderr.read(2000).decode() if proc.stderr else "")
            )
        yield port, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)  # noqa: S603,S607
    return [int(p) for p in out.stdout.split()]


def rss_mib(pid: int) -> float:
    m = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(m.group(1)) / 1024 if m else 0.0


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name, or None when the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def process_tree(root: int) -> list[int]:
    """The process and all its descendants (e.g. Granian's main process and its workers)."""
    parents: dict[int, list[int]] = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            fields = _stat(int(p.name))
            if fields:
                parents.setdefault(int(fields[1]), []).append(int(p.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, []))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time consumed so far by these processes (children not included)."""
    ticks = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def minor_faults(pids: list[int]) -> int:
    """Minor page faults taken so far by these processes (each one maps and zeroes a page)."""
    return sum(int(f[7]) for f in map(_stat, pids) if f)


def pkce_authorization_query(client_id: str, redirect_uri: str = "http://127.0.0.1:9/cb") -> tuple[str, str]:
    """A fresh code-flow authorization request with PKCE (S256) for the login-flow benchmarks:
    (code_verifier, query string for /oidc/authorize)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid profile",
            "state": "s",
            "nonce": "n",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return verifier, query
