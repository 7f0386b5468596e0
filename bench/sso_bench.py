"""Single sign-on benchmark (issue 3): on PostgreSQL, with the production server
(gunicorn, bawaba.gunicorn_conf), load from wrk (and Python for the login flow) over
127.0.0.1. Each measure runs a bounded time (default 10 s).

    .venv/bin/python bench/sso_bench.py [--seconds 10]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and wrk (installed with apt-get if
missing and we are root). Creates and drops the database bawaba_bench_sso.

"Per core" figures divide the requests served by the CPU time the gunicorn workers
used in the same window (utime+stime from /proc), i.e. requests per CPU-second of the
server; the load generator's own CPU is excluded. Totals are plain requests/second."""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
DB = "bawaba_bench_sso"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
CLK = os.sysconf("SC_CLK_TCK")


def sh(*args, env=None, **kw):
    r = subprocess.run(args, env=env, text=True, capture_output=True, **kw)
    if r.returncode:
        sys.exit(f"{args} failed:\n{r.stderr[-3000:]}")
    return r


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
        path = shutil.which("wrk")
    if not path:
        sys.exit("wrk is needed: apt-get install wrk")
    return path


def pg(sql: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(sql)


def worker_pids(master: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                fields = (p / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                out.append(int(p.name))
    return out


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLK


def run_wrk(
    wrk: str,
    url: str,
    seconds: int,
    script: str | None = None,
    args: list[str] | None = None,
    threads=2,
    conns=16,
) -> dict:
    cmd = [wrk, f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "--latency"]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    if args:
        cmd += ["--", *args]
    out = subprocess.run(cmd, check=True, text=True, capture_output=True).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*", out)
    p50 = re.search(r"50%\s+(\S+)", out).group(1)
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    return {
        "requests": total,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
        "p50": p50,
        "p99": p99,
    }


def measure(master: int, fn):
    pids = worker_pids(master)
    c0, t0 = cpu_seconds(pids), time.perf_counter()
    result = fn()
    c1, t1 = cpu_seconds(pids), time.perf_counter()
    ok = result["requests"] - result.get("non_2xx", 0)
    result.update(
        wall_s=round(t1 - t0, 2),
        server_cpu_s=round(c1 - c0, 2),
        per_second=round(ok / (t1 - t0)),
        per_server_cpu_second=round(ok / max(c1 - c0, 1e-9)),
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

LUA_REFRESH = """
local counter = 0
local threads = {}
setup = function(thread) thread:set("tid", counter); counter = counter + 1; table.insert(threads, thread) end
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


def login_flows(args) -> int:
    """One process: complete browser-less logins (authorize -> login -> code -> token)."""
    seconds, rp_id, rp_secret = args
    import hashlib

    import httpx

    done = 0
    end = time.time() + seconds
    while time.time() < end:
        with httpx.Client(base_url=BASE, follow_redirects=False, timeout=30) as c:
            verifier = secrets.token_urlsafe(48)
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            )
            params = {
                "response_type": "code",
                "client_id": rp_id,
                "redirect_uri": "http://127.0.0.1:9/cb",
                "scope": "openid profile",
                "state": "s",
                "nonce": "n",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
            r = c.get("/oidc/authorize", params=params)
            login_url = r.headers["location"]
            page = c.get(login_url)
            m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            if not m:
                raise RuntimeError(f"login page {login_url}: {page.status_code} {page.text[:300]}")
            csrf = m.group(1)
            nxt = parse_qs(urlsplit(login_url).query)["next"][0]
            r = c.post(
                login_url,
                data={
                    "username": "2000112345",
                    "password": "Bawaba-Demo-2026",
                    "next": nxt,
                    "csrfmiddlewaretoken": csrf,
                },
            )
            if r.status_code != 302:
                raise RuntimeError(f"login: {r.status_code} {r.text[:2000]}")
            r = c.get(r.headers["location"])
            code = parse_qs(urlsplit(r.headers["location"]).query)["code"][0]
            r = c.post(
                "/oidc/token",
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": "http://127.0.0.1:9/cb",
                    "code_verifier": verifier,
                },
                auth=(rp_id, rp_secret),
            )
            if r.status_code == 200 and "id_token" in r.json():
                done += 1
    return done


def argon2_rate(seconds: float) -> dict:
    sys.path.insert(0, str(ROOT))
    from argon2 import PasswordHasher

    from bawaba.settings import base

    ph = PasswordHasher(
        time_cost=base.ARGON2_TIME_COST,
        memory_cost=base.ARGON2_MEMORY_COST,
        parallelism=base.ARGON2_PARALLELISM,
    )
    h = ph.hash("Bawaba-Demo-2026")
    n, c0, t0 = 0, time.process_time(), time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        ph.verify(h, "Bawaba-Demo-2026")
        n += 1
    return {
        "params": {
            "time_cost": base.ARGON2_TIME_COST,
            "memory_kib": base.ARGON2_MEMORY_COST,
            "parallelism": base.ARGON2_PARALLELISM,
        },
        "verifies": n,
        "per_cpu_second": round(n / (time.process_time() - c0), 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--keep-db", action="store_true")
    opts = ap.parse_args()
    wrk = ensure_wrk()
    tmp = Path(tempfile.mkdtemp(prefix="bawaba-bench-sso-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "BAWABA_DATA_DIR": str(tmp),
        "DJANGO_SETTINGS_MODULE": "bawaba.settings.dev",
        "BAWABA_DEMO": "1",
        "BAWABA_DEBUG": "0",
        "BAWABA_BASE_URL": BASE,
        "PORT": str(PORT),
        "BAWABA_LOG_LEVEL": "WARNING",
        "BAWABA_DB_CONN_MAX_AGE": "600",
    }
    pg(f"DROP DATABASE IF EXISTS {DB}")
    pg(f"CREATE DATABASE {DB}")
    server = None
    try:
        sh(str(VENV / "bawaba"), "migrate", "-v0", env=env)
        sh(str(VENV / "bawaba"), "collectstatic", "--noinput", "-v0", env=env)
        sh(str(VENV / "bawaba"), "load_demo_data", env=env)
        setup = json.loads(
            sh(str(VENV / "python"), str(ROOT / "bench" / "sso_setup.py"), "6000", env=env, cwd=ROOT).stdout
        )
        token_file = tmp / "refresh.txt"
        token_file.write_text("\n".join(setup["refresh_tokens"]) + "\n")
        (tmp / "disc.lua").write_text(LUA_DISCOVERY)
        (tmp / "cc.lua").write_text(LUA_CC)
        (tmp / "refresh.lua").write_text(LUA_REFRESH)
        server = subprocess.Popen(
            [str(VENV / "gunicorn"), "-c", "python:bawaba.gunicorn_conf", "bawaba.wsgi"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(tmp / "gunicorn.log", "w"),  # noqa: SIM115
        )
        import httpx

        for _ in range(100):
            try:
                if httpx.get(f"{BASE}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        # warm every worker (keys, client cache)
        for _ in range(30):
            httpx.get(f"{BASE}/oidc/jwks")
        cc_auth = base64.b64encode(f"{setup['cc_id']}:{setup['cc_secret']}".encode()).decode()
        rp_auth = base64.b64encode(f"{setup['rp_id']}:{setup['rp_secret']}".encode()).decode()
        s = opts.seconds
        results = {
            "machine": machine(),
            "workers": len(worker_pids(server.pid)),
            "discovery_jwks": measure(server.pid, lambda: run_wrk(wrk, BASE, s, str(tmp / "disc.lua"))),
            "client_credentials": measure(
                server.pid, lambda: run_wrk(wrk, BASE, s, str(tmp / "cc.lua"), [cc_auth])
            ),
            "refresh_token": measure(
                server.pid,
                lambda: run_wrk(wrk, BASE, s, str(tmp / "refresh.lua"), [rp_auth, str(token_file), "2"]),
            ),
        }
        print(json.dumps(results, indent=2), flush=True)
        results["argon2_raw"] = argon2_rate(min(s, 8))

        def flows():
            with multiprocessing.Pool(2) as pool:
                n = sum(pool.map(login_flows, [(s + 5, setup["rp_id"], setup["rp_secret"])] * 2))
            return {"requests": n}

        results["login_flow"] = measure(server.pid, flows)
        results["login_flow"]["ratio_to_argon2_per_core"] = round(
            results["login_flow"]["per_server_cpu_second"] / results["argon2_raw"]["per_cpu_second"], 3
        )
        print(json.dumps(results, indent=2))
    finally:
        if server:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        if not opts.keep_db:
            pg(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)


def machine() -> dict:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return {"nproc": os.cpu_count(), "cpu": model, "memory_gib": round(int(mem) / 1024 / 1024, 1)}


if __name__ == "__main__":
    main()
