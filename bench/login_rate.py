"""Password logins per second per core vs. the raw Argon2id verification rate.

Run: `make bench-login` (or `.venv/bin/python bench/login_rate.py [--database-url postgres://...]`).

1. Baseline: Argon2id `verify` of one hash in a loop, in this process, on one core, with the
   parameters the platform is configured with (settings ARGON2_*).
2. Ours: one server worker process with one thread (so one core) serving the real login form; client processes
   POST /en/login/ with the demo citizen 2000112345 (password only), each login starting
   without a session, as a returning browser (device cookie kept, so no SMS each time).
3. The worker's resident memory after the run.
The target: logins/s/core >= 80 % of the raw rate; worker RSS <= 150 MB.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import re
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._server import (  # noqa: E402
    bench_env,
    children,
    cpu_seconds,
    machine,
    manage,
    rss_mib,
    server,
    settings_argon2,
    temp_data_dir,
)

USERNAME, PASSWORD = "2000112345", "Bawaba-Demo-2026"


def raw_argon2_rate(seconds: float) -> tuple[float, dict]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bawaba.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    ph, params = settings_argon2(settings)
    encoded = ph.hash(PASSWORD)
    n, start, cpu0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        ph.verify(encoded, PASSWORD)
        n += 1
    return n / (time.process_time() - cpu0), n / (time.perf_counter() - start), params


def _client(port: int, seconds: float, out: mp.Queue) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/en/login/")
    resp = conn.getresponse()
    resp.read()
    jar = SimpleCookie()
    for header in resp.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    csrf = jar["bawaba_csrf"].value
    device = ""
    ok = failed = 0
    latencies = []
    body = f"username={USERNAME}&password={PASSWORD}&csrfmiddlewaretoken={csrf}"
    deadline = time.time() + seconds
    while time.time() < deadline:
        cookie = f"bawaba_csrf={csrf}" + (f"; bawaba_device={device}" if device else "")
        t0 = time.perf_counter()
        conn.request(
            "POST",
            "/en/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
                "Referer": f"http://127.0.0.1:{port}/en/login/",
            },
        )
        resp = conn.getresponse()
        resp.read()
        latencies.append(time.perf_counter() - t0)
        if resp.status == 302 and "/account/" in (resp.headers.get("Location") or ""):
            ok += 1
            for header in resp.headers.get_all("Set-Cookie") or []:
                m = re.match(r"bawaba_device=([^;]+)", header)
                if m:
                    device = m.group(1)
                m = re.match(r"bawaba_csrf=([^;]+)", header)
                if m:
                    csrf = m.group(1)
                    body = f"username={USERNAME}&password={PASSWORD}&csrfmiddlewaretoken={csrf}"
        else:
            failed += 1
    out.put((ok, failed, latencies))


def login_rate(database_url: str | None, seconds: float, clients: int) -> dict:
    with temp_data_dir("bawaba-bench-login-") as data_dir:
        env = bench_env(data_dir, database_url)
        manage(env, "setup", "--demo")
        with server(env, workers=1, threads=1) as (port, master):
            q: mp.Queue = mp.Queue()
            # warm up the worker (imports, first queries)
            warm = mp.Process(target=_client, args=(port, 2.0, q))
            warm.start()
            q.get()
            warm.join()
            procs = [mp.Process(target=_client, args=(port, seconds, q)) for _ in range(clients)]
            server_pids = [master, *children(master)]
            cpu0 = cpu_seconds(server_pids)
            t0 = time.perf_counter()
            for p in procs:
                p.start()
            results = [q.get() for _ in procs]
            elapsed = time.perf_counter() - t0
            server_cpu = cpu_seconds(server_pids) - cpu0
            for p in procs:
                p.join()
            workers = children(master)
            rss = max(rss_mib(pid) for pid in workers) if workers else 0.0
    ok = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    lat = sorted(x for r in results for x in r[2])
    return {
        "logins": ok,
        "failed": failed,
        "seconds": round(elapsed, 2),
        "rate": ok / elapsed,
        "rate_per_cpu_second": ok / server_cpu if server_cpu else 0.0,
        "server_cpu_seconds": round(server_cpu, 2),
        "p50_ms": round(lat[len(lat) // 2] * 1000, 1) if lat else 0,
        "p95_ms": round(lat[int(len(lat) * 0.95)] * 1000, 1) if lat else 0,
        "worker_rss_mib": round(rss, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None, help="postgres://… (default: SQLite in a temp dir)")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()
    # The baseline is measured before and after the server run and averaged, so that drift in
    # the machine's speed during the run affects both sides alike.
    before_cpu, before_wall, params = raw_argon2_rate(min(args.seconds, 10.0) / 2)
    ours = login_rate(args.database_url, args.seconds, args.clients)
    after_cpu, after_wall, _params = raw_argon2_rate(min(args.seconds, 10.0) / 2)
    raw_cpu, raw_wall = (before_cpu + after_cpu) / 2, (before_wall + after_wall) / 2
    # Per core = per CPU-second of the process doing the work: robust to other load on the
    # machine (the wall-clock figures are printed too).
    ratio = ours["rate_per_cpu_second"] / raw_cpu
    report = {
        "machine": machine(),
        "database": "PostgreSQL" if args.database_url else "SQLite",
        "argon2": params,
        "raw_argon2_verify_per_cpu_second": round(raw_cpu, 2),
        "raw_argon2_before_after": [round(before_cpu, 2), round(after_cpu, 2)],
        "raw_argon2_verify_per_s_wall": round(raw_wall, 2),
        "logins_per_server_cpu_second": round(ours["rate_per_cpu_second"], 2),
        "logins_per_s_wall_one_worker": round(ours["rate"], 2),
        "load_average": os.getloadavg()[0],
        "ratio": round(ratio, 3),
        **{k: v for k, v in ours.items() if k not in ("rate", "rate_per_cpu_second")},
        "target_ratio_met": ratio >= 0.8,
        "target_rss_met": ours["worker_rss_mib"] <= 150,
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if ours["failed"]:
        sys.exit("some logins failed")


if __name__ == "__main__":
    main()
