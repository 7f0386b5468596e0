"""What a pause before each piece of work costs on this machine: the same work, in-process,
back to back and then with a sleep between one call and the next (as a server thread waits
for its next request). Why the login measure of bench/sso_bench.py keeps its server busy
on a core of its own (docs/benchmarks.md, "Single sign-on").

    .venv/bin/python bench/idle_cost.py [--calls 3000] [--pauses 0,0.2,1,5]

Three kinds of work: a request to the production WSGI application (GET /healthz, the full
middleware stack, no database), a small pure-Python job (JSON out and back), and one raw
Argon2id verification with the settings' parameters. For each pause (milliseconds) it
prints the CPU time per call (process CPU, so the sleeping is not counted) and its ratio to
the back-to-back figure. Runs on one CPU (the first the process may use) so the work does
not move between cores."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._server import bench_env, machine, settings_argon2, temp_data_dir  # noqa: E402


def per_call(fn, calls: int, pause_ms: float) -> float:
    """Mean CPU microseconds of `fn()` over `calls` calls, each after a pause of `pause_ms`."""
    for _ in range(min(calls, 200)):  # warm
        fn()
    total = 0.0
    for _ in range(calls):
        if pause_ms:
            time.sleep(pause_ms / 1000)
        c0 = time.process_time()
        fn()
        total += time.process_time() - c0
    return total / calls * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=3000)
    ap.add_argument("--pauses", default="0,0.2,1,5", help="milliseconds, separated by commas")
    opts = ap.parse_args()
    pauses = [float(p) for p in opts.pauses.split(",")]
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with temp_data_dir("bawaba-idle-") as tmp:
        os.environ.update(bench_env(tmp, None, BAWABA_DEBUG="0", BAWABA_BASE_URL="http://127.0.0.1:8999"))
        from django.conf import settings

        from bawaba.wsgi import application

        def healthz() -> None:
            env = {
                "REQUEST_METHOD": "GET",
                "PATH_INFO": "/healthz",
                "QUERY_STRING": "",
                "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "8999",
                "HTTP_HOST": "127.0.0.1:8999",
                "REMOTE_ADDR": "127.0.0.1",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "wsgi.url_scheme": "http",
                "wsgi.input": io.BytesIO(b""),
                "wsgi.errors": sys.stderr,
            }
            status: list = []
            body = application(env, lambda s, h, e=None: status.append(s))
            b"".join(body)
            body.close()
            assert status[0].startswith("200"), status

        doc = {"claims": [{"name": f"claim-{i}", "value": "x" * 20, "n": i} for i in range(40)]}

        def small_python() -> None:
            assert json.loads(json.dumps(doc)) == doc

        ph, params = settings_argon2(settings)
        stored = ph.hash("Bawaba-Demo-2026")

        def argon2_verify() -> None:
            ph.verify(stored, "Bawaba-Demo-2026")

        print(json.dumps({"machine": machine(), "argon2": params, "calls": opts.calls}), flush=True)
        for name, fn, calls in (
            ("GET /healthz (WSGI, full middleware)", healthz, opts.calls),
            ("JSON out and back (pure Python)", small_python, opts.calls),
            ("Argon2id verification", argon2_verify, max(20, opts.calls // 60)),
        ):
            base = None
            row: dict = {"work": name}
            for pause in pauses:
                us = per_call(fn, calls, pause)
                base = base or us
                row[f"pause {pause:g} ms"] = {"cpu_us": round(us, 1), "ratio": round(us / base, 2)}
            print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
