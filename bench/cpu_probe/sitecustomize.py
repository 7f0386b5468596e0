"""Per-request CPU probe for the production server, used to split a login flow's server CPU
(docs/benchmarks.md, "Single sign-on"). Not part of the application: Python imports this
module at start-up only when its directory is on PYTHONPATH, e.g.

    PYTHONPATH=bench/cpu_probe BENCH_CPU_PROBE=/tmp/probe \\
        .venv/bin/python bench/sso_bench.py --only login --login-clients 1

Each Granian worker then writes /tmp/probe.<pid> (JSON, rewritten every 150 requests): for
each "METHOD path", [requests, mean thread CPU ms without the Argon2id verification]; under
"hash", [verifications, mean thread CPU ms]; for the password POST, the CPU before and after
the verification; for each request, the CPU spent in psycopg's execute (sending the statement,
waiting is not CPU, reading the result) and the statements' count. BENCH_CPU_PROBE_SWEEP_MIB=19 also writes and reads that many MiB after each
verification (to tell a plain memory sweep's effect on the caches from the hash's)."""

import json
import os
import time

if os.environ.get("BENCH_CPU_PROBE"):
    import argon2
    import psycopg
    from django.core.handlers import wsgi as _wsgi

    _verify, _call = argon2.PasswordHasher.verify, _wsgi.WSGIHandler.__call__
    _execute = psycopg.Cursor.execute
    _stats: dict[str, list] = {}
    _now: dict[str, float] = {}
    _sweep = int(os.environ.get("BENCH_CPU_PROBE_SWEEP_MIB", "0")) << 20

    def _add(key: str, seconds: float) -> None:
        entry = _stats.setdefault(key, [0, 0.0])
        entry[0] += 1
        entry[1] += seconds

    def verify(self, hash, password):  # type: ignore[no-untyped-def]
        c0 = time.thread_time()
        _now["before"] = c0 - _now.get("start", c0)
        try:
            return _verify(self, hash, password)
        finally:
            if _sweep:
                buf = bytearray(_sweep)
                buf[:] = b"\x01" * _sweep
                sum(buf[::4096])
                del buf
            spent = time.thread_time() - c0
            _add("hash", spent)
            _now["hash"] = _now.get("hash", 0.0) + spent
            _now["hash_end"] = time.thread_time()

    def execute(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        c0 = time.thread_time()
        try:
            return _execute(self, *args, **kwargs)
        finally:
            _now["db"] = _now.get("db", 0.0) + time.thread_time() - c0
            _now["db_n"] = _now.get("db_n", 0) + 1

    def call(self, environ, start_response):  # type: ignore[no-untyped-def]
        _now.update(start=time.thread_time(), hash=0.0, db=0.0, db_n=0)
        _now.pop("hash_end", None)
        try:
            return _call(self, environ, start_response)
        finally:
            end = time.thread_time()
            key = f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}"
            _add(key, end - _now["start"] - _now["hash"])
            _add(f"{key}: in psycopg execute", _now["db"])
            _add(f"{key}: statements", _now["db_n"] / 1000)  # shown as a count per request
            if "hash_end" in _now:
                _add("POST before the verification", _now["before"])
                _add("POST after the verification", end - _now["hash_end"])
            _now["requests"] = _now.get("requests", 0) + 1
            if _now["requests"] % 150 == 0:
                out = {k: [n, round(s * 1000 / n, 3)] for k, (n, s) in _stats.items()}
                with open(f"{os.environ['BENCH_CPU_PROBE']}.{os.getpid()}", "w") as f:
                    json.dump(out, f)

    argon2.PasswordHasher.verify = verify
    psycopg.Cursor.execute = execute
    _wsgi.WSGIHandler.__call__ = call
