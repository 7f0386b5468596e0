"""Single sign-on benchmark (issue 3): on PostgreSQL, with the production server (Granian,
bawaba/server.py, started by bench/_server.py `server()`), load from wrk (and Python for the
login flow) over 127.0.0.1. Each measure runs a bounded time (default 10 s).

    .venv/bin/python bench/sso_bench.py [--seconds 10] [--workers 2] [--threads 2]
                                        [--only discovery,cc,refresh,login] [--runs 1]
                                        [--login-clients 2]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres; BENCH_DATABASE_URL to change) and wrk
(installed with apt-get if missing and we are root). Creates and drops the database
bawaba_bench_sso.

"Per core" figures divide the requests served by the CPU time the server used in the same
window (utime+stime from /proc of the Granian main process and every worker process below
it), i.e. requests per CPU-second of the server; the load generator's own CPU is excluded.
Totals are plain requests per wall-clock second.

The login flow is compared with the raw Argon2id verification rate measured in the same run
twice: one thread on an otherwise idle machine ("per core", the issue's yardstick), and one
process per core at once ("all cores", what each core manages when all of them hash).

By default (`--login-core own`) the login flow is measured on a core of its own: a server
started for that measure (`--login-workers 1 --login-threads 1`: one core, one worker) has
all its threads pinned to CPU 0, the login clients (and, left to the scheduler, PostgreSQL)
run on the other CPUs, and the raw Argon2id rate is measured on CPU 0 too. That is how a
load test keeps the load generator off the server it measures; on a two-core machine it can
only be done by pinning. `--login-core shared` measures as before 2026-11-27 15:00 UTC: the login
clients against the main server, every process free to run on any core (docs/benchmarks.md
says what the difference is and why)."""

from __future__ import annotations

import argparse
import base64
import html
import json
import multiprocessing
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _wrk import ensure_wrk, loadavg  # noqa: E402  (bench/ is the script's directory)

from bench._server import (  # noqa: E402
    bench_env,
    cpu_seconds,
    free_port,
    machine,
    manage,
    minor_faults,
    pkce_authorization_query,
    process_tree,
    server,
    settings_argon2,
    temp_data_dir,
)

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bawaba_bench_sso")
BASE = ""  # set in main(); read by the login-flow processes (fork)


def pg_admin(sql: str) -> None:
    import psycopg

    admin = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def db_name() -> str:
    return DB_URL.rsplit("/", 1)[1]


def pin_process_tree(main_pid: int, cpus: set[int]) -> None:
    """Every thread of the server (the main process and its workers) on `cpus`. Threads and
    workers started later inherit the affinity of the thread that starts them."""
    for pid in process_tree(main_pid):
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                os.sched_setaffinity(int(tid), cpus)
            except ProcessLookupError:  # a thread that just ended
                pass


def _pin_self(cpus: set[int] | None) -> None:
    if cpus:
        os.sched_setaffinity(0, cpus)


def run_wrk(
    wrk: str,
    url: str,
    seconds: int,
    script: str | None = None,
    args: list[str] | None = None,
    threads: int = 1,
    conns: int = 8,
) -> dict:
    cmd = [wrk, f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "--latency"]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    if args:
        cmd += ["--", *args]
    out = subprocess.run(cmd, check=True, text=True, capture_output=True).stdout  # noqa: S603
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*", out)
    return {
        "requests": total,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
        "p50": re.search(r"50%\s+(\S+)", out).group(1),
        "p99": re.search(r"99%\s+(\S+)", out).group(1),
    }


def measure(main_pid: int, fn) -> dict:
    pids = process_tree(main_pid)
    load0 = loadavg()
    f0, c0, t0 = minor_faults(pids), cpu_seconds(pids), time.perf_counter()
    result = fn()
    f1, c1, t1 = minor_faults(pids), cpu_seconds(pids), time.perf_counter()
    ok = result["requests"] - result.get("non_2xx", 0)
    result.update(
        wall_s=round(t1 - t0, 2),
        server_cpu_s=round(c1 - c0, 2),
        total_per_second=round(ok / (t1 - t0)),
        per_server_cpu_second=round(ok / max(c1 - c0, 1e-9), 1),
        server_minor_faults_per_request=round((f1 - f0) / max(result["requests"], 1)),
        loadavg_before=load0,
        loadavg_after=loadavg(),
    )
    return result


LUA_DISCOVERY = """
local i = 0
request = function()
  i = i + 1
  if i % 2 == 0 then return wrk.format("GET", "/oidc/jwks") end
  return wrk.format("GET", "/.well-known/openid-configuration")
end
"""

LUA_CC = """
local auth = nil
init = function(args) auth = "Basic " .. args[1] end
request = function()
  return wrk.format("POST", "/oidc/token", {["Authorization"] = auth, ["Content-Type"] = "application/x-www-form-urlencoded"}, "grant_type=client_credentials&scope=openid")
end
"""

# Each refresh token is presented once; the new one from the response is queued again,
# so every request rotates. Tokens are split between wrk threads.
LUA_REFRESH = """
local counter = 0
setup = function(thread) thread:set("tid", counter); counter = counter + 1 end
local pool = {}
local auth = nil
init = function(args)
  auth = "Basic " .. args[1]
  local n, i = tonumber(args[3]), 0
  for line in io.lines(args[2]) do
    if i % n == tid then table.insert(pool, line) end
    i = i + 1
  end
end
request = function()
  local t = table.remove(pool, 1) or "exhausted"
  return wrk.format("POST", "/oidc/token", {["Authorization"] = auth, ["Content-Type"] = "application/x-www-form-urlencoded"}, "grant_type=refresh_token&refresh_token=" .. t)
end
response = function(status, headers, body)
  if status == 200 then
    local t = body:match('"refresh_token"%s*:%s*"([^"]+)"')
    if t then table.insert(pool, t) end
  end
end
"""


def _send(conn, cookies: dict, method: str, url: str, body=None, headers=None):  # type: ignore[no-untyped-def]
    """One request on `conn` with the cookies of `cookies`, which takes the Set-Cookie answers."""
    h = dict(headers or {})
    if cookies:
        h["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    conn.request(method, url, body=body, headers=h)
    resp = conn.getresponse()
    data = resp.read()
    for header in resp.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        cookies[name] = rest.split(";", 1)[0]
    return resp, data.decode()


def login_flows(args) -> int:
    """One process: complete browser-less logins (authorize, which shows the login form ->
    the form's POST, which answers with the code -> token). Each flow is a returning
    browser: a new connection and no session, only the device cookie of its last login
    kept (so the new-device SMS is not sent every time). A plain http.client client: the
    load generator shares the server's two cores, so it should cost as little as it can."""
    seconds, base, rp_id, rp_secret = args
    import http.client

    host, port = urlsplit(base).hostname or "127.0.0.1", urlsplit(base).port or 80
    basic = "Basic " + base64.b64encode(f"{rp_id}:{rp_secret}".encode()).decode()
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    done = 0
    device = ""
    end = time.time() + seconds
    while time.time() < end:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            verifier, query = pkce_authorization_query(rp_id)
            cookies = {"bawaba_device": device} if device else {}

            # The authorization endpoint shows the login form; its POST answers with the code.
            resp, page = _send(conn, cookies, "GET", "/oidc/authorize?" + query)
            m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            act = re.search(r'<form method="post" action="([^"]+)"', page)
            if resp.status != 200 or not (m and act):
                raise RuntimeError(f"login form: {resp.status} {page[:300]}")
            body = urlencode(
                {"username": "2000112345", "password": "Bawaba-Demo-2026", "csrfmiddlewaretoken": m.group(1)}
            )
            resp, text = _send(conn, cookies, "POST", html.unescape(act.group(1)), body, form_type)
            if resp.status != 302:
                raise RuntimeError(f"login: {resp.status} {text[:2000]}")
            code = parse_qs(urlsplit(resp.headers["Location"]).query)["code"][0]
            body = urlencode(
                {
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": "http://127.0.0.1:9/cb",
                    "code_verifier": verifier,
                }
            )
            resp, text = _send(
                conn, cookies, "POST", "/oidc/token", body, {**form_type, "Authorization": basic}
            )
            if resp.status == 200 and '"id_token"' in text:
                done += 1
            device = cookies.get("bawaba_device", device)
        finally:
            conn.close()
    return done


def argon2_rate(seconds: float, cpus: set[int] | None = None) -> dict:
    """Raw Argon2id verifications per CPU-second of one thread, with the settings' parameters
    (on `cpus` when given: the core the server's login measure runs on)."""
    from bawaba.settings import base

    ph, params = settings_argon2(base)
    h = ph.hash("Bawaba-Demo-2026")
    saved = os.sched_getaffinity(0)
    _pin_self(cpus)
    try:
        n, c0, t0 = 0, time.process_time(), time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            ph.verify(h, "Bawaba-Demo-2026")
            n += 1
        cpu = time.process_time() - c0
    finally:
        os.sched_setaffinity(0, saved)
    return {"params": params, "verifies": n, "per_cpu_second": round(n / cpu, 2)}


def _argon2_rate_job(seconds: float) -> dict:
    return argon2_rate(seconds)


def argon2_rate_all_cores(seconds: float) -> dict:
    """The same verification, one process per core at once: the per-core rate when every
    core hashes (what a saturated server's cores can do at best)."""
    n = os.cpu_count() or 1
    with multiprocessing.Pool(n) as pool:
        rates = pool.map(_argon2_rate_job, [seconds] * n)
    return {"processes": n, "per_cpu_second": round(sum(r["per_cpu_second"] for r in rates) / n, 2)}


def login_windows(
    main_pid: int,
    opts,
    target: tuple,
    server_cpus: set[int] | None = None,
    client_cpus: set[int] | None = None,
) -> tuple[dict, dict]:
    """The login-flow measure: `--login-windows` windows of flows, each between two short
    raw Argon2id measures (the same thread-rate as `argon2_rate`). The machine's speed drifts
    over a run (turbo, neighbours on the host: the raw rate moved by up to 20 % between two
    measures 20 s apart), so each window is compared with the raw rate measured right
    around it: ratio = flows / (server CPU-seconds x raw verifications per CPU-second),
    summed over the windows. The median of the windows' own ratios is reported beside it."""
    k = max(1, opts.login_windows)
    w = opts.seconds / k
    raws = [argon2_rate(opts.raw_seconds, server_cpus)]
    windows = []
    with multiprocessing.Pool(opts.login_clients, initializer=_pin_self, initargs=(client_cpus,)) as pool:
        for _ in range(k):

            def flows() -> dict:
                args = (w, *target)
                return {"requests": sum(pool.map(login_flows, [args] * opts.login_clients))}

            windows.append(measure(main_pid, flows))
            raws.append(argon2_rate(opts.raw_seconds, server_cpus))
    ratios, expected = [], 0.0
    for i, win in enumerate(windows):
        raw = (raws[i]["per_cpu_second"] + raws[i + 1]["per_cpu_second"]) / 2
        ratios.append(round(win["per_server_cpu_second"] / raw, 3))
        expected += win["server_cpu_s"] * raw
    flows_done = sum(win["requests"] for win in windows)
    cpu = sum(win["server_cpu_s"] for win in windows)
    rates = [r["per_cpu_second"] for r in raws]
    raw_summary = {
        "params": raws[0]["params"],
        "verifies": sum(r["verifies"] for r in raws),
        "measures": len(raws),
        "per_cpu_second": round(sum(rates) / len(rates), 2),
        "min_per_cpu_second": min(rates),
        "max_per_cpu_second": max(rates),
    }
    flow = {
        "requests": flows_done,
        "windows": k,
        "window_s": round(w, 2),
        "wall_s": round(sum(win["wall_s"] for win in windows), 2),
        "server_cpu_s": round(cpu, 2),
        "total_per_second": round(flows_done / max(sum(win["wall_s"] for win in windows), 1e-9), 1),
        "per_server_cpu_second": round(flows_done / max(cpu, 1e-9), 1),
        "server_minor_faults_per_request": round(
            sum(win["server_minor_faults_per_request"] * win["requests"] for win in windows)
            / max(flows_done, 1)
        ),
        "login_clients": opts.login_clients,
        "ratio_to_argon2_per_core": round(flows_done / max(expected, 1e-9), 3),
        "ratio_windows": ratios,
        "ratio_median": sorted(ratios)[len(ratios) // 2]
        if len(ratios) % 2
        else round(sum(sorted(ratios)[len(ratios) // 2 - 1 : len(ratios) // 2 + 1]) / 2, 3),
        # the server's share of one core over the windows: near 1 when it was kept busy
        "server_busy": round(cpu / max(sum(win["wall_s"] for win in windows), 1e-9), 2),
        "loadavg_before": windows[0]["loadavg_before"],
        "loadavg_after": windows[-1]["loadavg_after"],
    }
    return raw_summary, flow


def login_warm_up(opts, target: tuple, client_cpus: set[int] | None = None) -> None:
    """Warm-up, not measured: the first flows in each worker import modules, compile
    templates and fill caches once; the figure is the steady state."""
    with multiprocessing.Pool(opts.login_clients, initializer=_pin_self, initargs=(client_cpus,)) as pool:
        pool.map(login_flows, [(3, *target)] * opts.login_clients)


def login_results(
    main_pid: int,
    opts,
    target: tuple,
    server_cpus: set[int] | None = None,
    client_cpus: set[int] | None = None,
) -> dict:
    results: dict = {"argon2_raw_all_cores": argon2_rate_all_cores(min(opts.seconds, 8))}
    results["argon2_raw"], results["login_flow"] = login_windows(
        main_pid, opts, target, server_cpus, client_cpus
    )
    results["login_flow"]["ratio_to_argon2_all_cores"] = round(
        results["login_flow"]["per_server_cpu_second"] / results["argon2_raw_all_cores"]["per_cpu_second"], 3
    )
    return results


def main() -> None:
    global BASE
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--workers", type=int, default=None, help="Granian workers (default: bawaba/server.py)")
    ap.add_argument("--threads", type=int, default=None, help="Granian blocking threads per worker")
    ap.add_argument("--conns", type=int, default=8, help="wrk connections")
    ap.add_argument("--wrk-threads", type=int, default=1)
    ap.add_argument("--only", default="discovery,cc,refresh,login")
    ap.add_argument(
        "--login-clients",
        type=int,
        default=2,
        help="processes running login flows at once (1: one flow at a time, no queueing)",
    )
    ap.add_argument(
        "--login-windows",
        type=int,
        default=5,
        help="the login flows' --seconds are split into this many windows, each between two raw Argon2id measures",
    )
    ap.add_argument("--raw-seconds", type=float, default=2.0, help="length of each raw Argon2id measure")
    ap.add_argument(
        "--login-core",
        choices=("own", "shared"),
        default="own" if len(os.sched_getaffinity(0)) >= 2 else "shared",
        help="own: the login flow on a server pinned to a core of its own, the clients on the "
        "others (default with 2 or more CPUs); shared: against the main server, no pinning",
    )
    ap.add_argument("--login-workers", type=int, default=1, help="workers of the --login-core own server")
    ap.add_argument("--login-threads", type=int, default=1, help="threads per worker of that server")
    ap.add_argument("--runs", type=int, default=1, help="repeat the measures against the same server")
    ap.add_argument(
        "--matrix",
        default="",
        help="server settings to compare, WORKERSxTHREADS separated by commas (e.g. 1x1,2x1,2x2,3x1)",
    )
    opts = ap.parse_args()
    only = set(opts.only.split(","))
    wrk = ensure_wrk()
    configs = [tuple(int(x) for x in c.split("x")) for c in opts.matrix.split(",") if c] or [
        (opts.workers, opts.threads)
    ]
    n_refresh = 12000 * opts.runs * len(configs)
    pg_admin(f'DROP DATABASE IF EXISTS "{db_name()}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{db_name()}"')
    try:
        with temp_data_dir("bawaba-bench-sso-") as tmp:
            port = free_port()
            BASE = f"http://127.0.0.1:{port}"
            prom = tmp / "prometheus"
            prom.mkdir()
            env = bench_env(
                tmp,
                DB_URL,
                BAWABA_DEBUG="0",
                BAWABA_BASE_URL=BASE,
                PORT=str(port),
                BAWABA_DB_CONN_MAX_AGE="600",
                PROMETHEUS_MULTIPROC_DIR=str(prom),  # as `bawaba serve` runs it
            )
            manage(env, "migrate", "-v0")
            manage(env, "collectstatic", "--noinput", "-v0")
            manage(env, "load_demo_data")
            out = subprocess.run(  # noqa: S603
                [sys.executable, str(ROOT / "bench" / "sso_setup.py"), str(n_refresh)],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            setup = json.loads(out)
            token_file = tmp / "refresh.txt"
            (tmp / "disc.lua").write_text(LUA_DISCOVERY)
            (tmp / "cc.lua").write_text(LUA_CC)
            (tmp / "refresh.lua").write_text(LUA_REFRESH)
            cc_auth = base64.b64encode(f"{setup['cc_id']}:{setup['cc_secret']}".encode()).decode()
            rp_auth = base64.b64encode(f"{setup['rp_id']}:{setup['rp_secret']}".encode()).decode()
            s = opts.seconds
            wrk_kw = {"threads": opts.wrk_threads, "conns": opts.conns}
            chunk = 0
            own_core = "login" in only and opts.login_core == "own"
            shared_login = "login" in only and not own_core
            target = (BASE, setup["rp_id"], setup["rp_secret"])
            main_measures = bool(only & {"discovery", "cc", "refresh"}) or shared_login
            for workers, threads in configs if main_measures else []:
                with server(env, workers=workers, threads=threads, port=port) as (_, main_pid):
                    import httpx

                    with httpx.Client(base_url=BASE) as c:  # warm every worker (keys, client cache)
                        for _ in range(40):
                            c.get("/oidc/jwks")
                            c.get("/.well-known/openid-configuration")
                    from bawaba.server import default_workers

                    header = {
                        "machine": machine(),
                        "server": {
                            "workers": workers or default_workers(),
                            "threads": threads or int(os.environ.get("BAWABA_WEB_THREADS", "2")),
                            "processes": len(process_tree(main_pid)),
                        },
                        "wrk": wrk_kw,
                        "seconds": s,
                    }
                    print(json.dumps(header), flush=True)
                    if shared_login:
                        login_warm_up(opts, target)
                    for run in range(opts.runs):
                        results: dict = {"run": run + 1}
                        if "discovery" in only:
                            results["discovery_jwks"] = measure(
                                main_pid, lambda: run_wrk(wrk, BASE, s, str(tmp / "disc.lua"), **wrk_kw)
                            )
                        if "cc" in only:
                            results["client_credentials"] = measure(
                                main_pid,
                                lambda: run_wrk(wrk, BASE, s, str(tmp / "cc.lua"), [cc_auth], **wrk_kw),
                            )
                        if "refresh" in only:
                            pool = setup["refresh_tokens"][chunk * 12000 : (chunk + 1) * 12000]
                            chunk += 1
                            token_file.write_text("\n".join(pool) + "\n")
                            results["refresh_token"] = measure(
                                main_pid,
                                lambda: run_wrk(
                                    wrk,
                                    BASE,
                                    s,
                                    str(tmp / "refresh.lua"),
                                    [rp_auth, str(token_file), str(opts.wrk_threads)],
                                    **wrk_kw,
                                ),
                            )
                        if shared_login:
                            results.update(login_results(main_pid, opts, target))
                        if len(results) > 1:
                            print(json.dumps(results), flush=True)
            if own_core:
                # The login flow on a core of its own (see the module's docstring).
                cpus = sorted(os.sched_getaffinity(0))
                server_cpus, client_cpus = {cpus[0]}, set(cpus[1:])
                with server(env, workers=opts.login_workers, threads=opts.login_threads, port=port) as (
                    _,
                    main_pid,
                ):
                    pin_process_tree(main_pid, server_cpus)
                    header = {
                        "machine": machine(),
                        "login_core": "own",
                        "server": {
                            "workers": opts.login_workers,
                            "threads": opts.login_threads,
                            "processes": len(process_tree(main_pid)),
                            "cpus": sorted(server_cpus),
                        },
                        "login_clients_cpus": sorted(client_cpus),
                        "seconds": s,
                    }
                    print(json.dumps(header), flush=True)
                    login_warm_up(opts, target, client_cpus)
                    for run in range(opts.runs):
                        results = {"run": run + 1}
                        results.update(login_results(main_pid, opts, target, server_cpus, client_cpus))
                        print(json.dumps(results), flush=True)
    finally:
        pg_admin(f'DROP DATABASE IF EXISTS "{db_name()}" WITH (FORCE)')


if __name__ == "__main__":
    main()
