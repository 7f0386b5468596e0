"""Benchmark: the citizen's application form, dashboard and application page, and a
submission, against the production server (gunicorn via `bawaba serve`), over 127.0.0.1.

Baseline measured in the same run: /healthz (no database, no template) — the server's floor.
Each measure runs for a bounded time (default 8 s) with N concurrent clients.

    .venv/bin/python bench/portal_pages.py [--seconds 8] [--clients 4] [--port 8731]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pyotp

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


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
    print(
        f"{name:38s} {res['requests']:6d} req  {res['rps']:7.1f} req/s  p50 {res['p50_ms']:6.1f} ms  p95 {res['p95_ms']:6.1f} ms  errors {errors}"
    )
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--port", type=int, default=8731)
    args = ap.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bawaba-bench-portal-"))
    env = {
        **os.environ,
        "BAWABA_DATA_DIR": str(data_dir),
        "PORT": str(args.port),
        "DJANGO_SETTINGS_MODULE": "bawaba.settings.dev",
    }
    subprocess.run([str(BIN / "bawaba"), "setup", "--demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [str(BIN / "bawaba"), "serve", "--port", str(args.port), "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        first = login(base)  # one login (a TOTP code is single-use); its session is shared
        sessions = [first]
        for _ in range(args.clients - 1):
            c = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
            c.cookies.update(first.cookies)
            sessions.append(c)
        # One application to show on the dashboard.
        c = sessions[0]
        page = c.get("/en/services/moj-non-conviction-certificate/apply/").text
        token = re.search(r'name="token" value="([^"]+)"', page).group(1)
        r = c.post(
            "/en/services/moj-non-conviction-certificate/apply/",
            data={
                "token": token,
                "version": "1",
                "action": "submit",
                "purpose": "study",
                "csrfmiddlewaretoken": c.cookies.get("bawaba_csrf"),
            },
            headers={"Referer": base},
        )
        detail = r.headers["location"]
        anon = [httpx.Client(base_url=base, timeout=30) for _ in range(args.clients)]
        counter = iter(range(10**9))

        def session_for(i):
            return sessions[i]

        def anon_for(i):
            return anon[i]

        def get(path, clients_for):
            def fn(client):
                return client.get(path).status_code == 200

            fn.__self_client__ = clients_for
            return fn

        def submit(client):
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
            next(counter)
            return r.status_code == 302

        submit.__self_client__ = session_for
        results = [
            run("baseline GET /healthz", get("/healthz", anon_for), args.seconds, args.clients),
            run(
                "GET application form (logged in)",
                get("/en/services/moj-non-conviction-certificate/apply/", session_for),
                args.seconds,
                args.clients,
            ),
            run("GET dashboard", get("/en/dashboard/", session_for), args.seconds, args.clients),
            run("GET application page", get(detail, session_for), args.seconds, args.clients),
            run("GET form + POST submission", submit, args.seconds, args.clients),
        ]
        assert all(r["errors"] == 0 for r in results), results
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
