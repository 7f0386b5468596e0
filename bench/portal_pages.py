"""Benchmark: the citizen's application form, dashboard and application page, and a
submission, against the production server (Granian, bench/_server.py `server()`), over
127.0.0.1, on SQLite and PostgreSQL.

Baseline measured in the same run: /healthz (no database, no template) - the server's floor.
Pages are driven by wrk (bench/_wrk.py) with the demo citizen's session cookie (one login;
a TOTP code is single-use); form + POST submission by Python clients (each submission
needs the form's one-time token). Each measure runs for a bounded time (default 8 s).

    .venv/bin/python bench/portal_pages.py [--db sqlite|postgres|both] [--seconds 8]
                                           [--connections 8] [--workers N] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyotp

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _wrk  # noqa: E402
from _server import BIN, bench_env, machine, server, temp_data_dir  # noqa: E402

SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "bawaba_bench_portal"


def login(base: str) -> httpx.Client:
    c = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
    c.get("/en/login/")
    csrf = c.cookies.get("bawaba_csrf")
    r = c.post(
        "/en/login/",
        data={"username": "9861001234", "password": "Bawaba-Demo-2026", "csrfmiddlewaretoken": csrf},
        headers={"Referer": base + "/en/login/"},
    )
    assert r.status_code == 302, r.status_code
    r = c.post(
        "/en/login/verify/",
        data={"otp": pyotp.TOTP(SECRET).now(), "csrfmiddlewaretoken": c.cookies.get("bawaba_csrf")},
        headers={"Referer": base + "/en/login/verify/"},
    )
    assert r.status_code == 302, (r.status_code, r.text[:500])
    return c


def run(name: str, fn, seconds: float, clients: int) -> dict:
    lat: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker(i: int) -> None:
        nonlocal errors
        client = fn.__self_client__(i) if hasattr(fn, "__self_client__") else None
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            ok = fn(client)
            dt = time.perf_counter() - t0
            with lock:
                lat.append(dt)
                errors += 0 if ok else 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    lat.sort()
    res = {
        "name": name,
        "requests": len(lat),
        "rps": len(lat) / elapsed,
        "p50_ms": 1000 * statistics.median(lat),
        "p95_ms": 1000 * lat[int(0.95 * (len(lat) - 1))],
        "errors": errors,
    }
    log(
        f"{name:38s} {res['requests']:6d} req  {res['rps']:7.1f} req/s  p50 {res['p50_ms']:6.1f} ms  p95 {res['p95_ms']:6.1f} ms  errors {errors}"
    )
    return res


def pg_url() -> str:
    return PG_URL.rsplit("/", 1)[0] + "/" + PG_DB


def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def show(name: str, r: dict) -> None:
    log(
        f"{name:38s} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  "
        f"errors {r['errors']}  server CPU {r.get('server_cpu_s', '-')} s"
    )


def measure(db: str, args: argparse.Namespace) -> dict:
    with temp_data_dir("bawaba-bench-portal-") as data_dir:
        prom = data_dir / "prometheus"
        prom.mkdir()
        url = pg_url() if db == "postgres" else None
        if url:
            subprocess.run(
                [str(BIN / "python"), str(Path(__file__).with_name("pg_db.py")), "recreate", url], check=True
            )  # noqa: S603
        try:
            env = bench_env(data_dir, url, BAWABA_DEBUG="0", PROMETHEUS_MULTIPROC_DIR=str(prom))
            subprocess.run(
                [str(BIN / "bawaba"), "setup", "--demo"], env=env, check=True, stdout=subprocess.DEVNULL
            )  # noqa: S603
            with server(env, workers=args.workers, threads=args.threads) as (port, pid):
                return run_all(f"http://127.0.0.1:{port}", pid, db, args)
        finally:
            if url:
                subprocess.run(
                    [str(BIN / "python"), str(Path(__file__).with_name("pg_db.py")), "drop", url], check=False
                )  # noqa: S603


def run_all(base: str, pid: int, db: str, args: argparse.Namespace) -> dict:
    first = login(base)  # one login (a TOTP code is single-use); its session is shared
    cookie = "Cookie: " + "; ".join(f"{k}={v}" for k, v in first.cookies.items())
    # One application to show on the dashboard.
    page = first.get("/en/services/moj-non-conviction-certificate/apply/").text
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    r = first.post(
        "/en/services/moj-non-conviction-certificate/apply/",
        data={
            "token": token,
            "version": "1",
            "action": "submit",
            "purpose": "study",
            "csrfmiddlewaretoken": first.cookies.get("bawaba_csrf"),
        },
        headers={"Referer": base},
    )
    detail = r.headers["location"]
    form = "/en/services/moj-non-conviction-certificate/apply/"
    for path in (form, "/en/dashboard/", detail):  # the session sees these pages
        assert first.get(path).status_code == 200, path
    results: dict = {"db": db, "workers": args.workers, "threads": args.threads, "machine": machine()}
    s = args.seconds
    c = args.connections
    _wrk.run(base, ["/healthz", form], seconds=1, connections=2, headers=[cookie])  # warm up
    for name, paths, headers in (
        ("baseline GET /healthz", ["/healthz"], []),
        ("GET application form (logged in)", [form], [cookie]),
        ("GET dashboard", ["/en/dashboard/"], [cookie]),
        ("GET application page", [detail], [cookie]),
    ):
        results[name] = _wrk.run(base, paths, seconds=s, connections=c, headers=headers, server_pid=pid)
        show(name, results[name])

    sessions = [first]
    for _ in range(args.clients - 1):
        client = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
        client.cookies.update(first.cookies)
        sessions.append(client)

    def submit(client: httpx.Client) -> bool:
        html = client.get("/en/services/cspd-e-certificate/apply/").text
        tok = re.search(r'name="token" value="([^"]+)"', html).group(1)
        r = client.post(
            "/en/services/cspd-e-certificate/apply/",
            data={
                "token": tok,
                "version": "1",
                "action": "submit",
                "certificate": "birth",
                "copies": "1",
                "delivery": "pickup",
                "csrfmiddlewaretoken": client.cookies.get("bawaba_csrf"),
            },
            headers={"Referer": base},
        )
        return r.status_code == 302

    submit.__self_client__ = lambda i: sessions[i]  # type: ignore[attr-defined]
    results["GET form + POST submission"] = run("GET form + POST submission", submit, s, args.clients)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--connections", type=int, default=8, help="wrk keep-alive connections")
    ap.add_argument("--clients", type=int, default=4, help="Python clients for the submission measure")
    ap.add_argument("--workers", type=int, default=int(os.environ.get("BAWABA_WEB_WORKERS", "2")))
    ap.add_argument("--threads", type=int, default=int(os.environ.get("BAWABA_WEB_THREADS", "2")))
    args = ap.parse_args()
    args.seconds = min(args.seconds, 25.0)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(json.dumps([measure(db, args) for db in dbs], indent=1))


if __name__ == "__main__":
    sys.exit(main())
