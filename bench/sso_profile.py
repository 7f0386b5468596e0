"""CPU cost of each single sign-on hot path, in-process (no HTTP server, no load generator):
the WSGI application (bawaba.wsgi) is called directly, so the figure is the application's own
cost per request, with every middleware, on the database of DATABASE_URL.

    .venv/bin/python bench/sso_profile.py [--n 2000] [--profile token_refresh] [--database-url …]

Creates a throw-away data directory and (for PostgreSQL) recreates the database given.
`--profile NAME` prints a cProfile of that path (sorted by cumulative time)."""

from __future__ import annotations

import argparse
import base64
import cProfile
import html
import io
import json
import os
import pstats
import re
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._server import (  # noqa: E402
    bench_env,
    manage,
    pkce_authorization_query,
    settings_argon2,
    temp_data_dir,
)


class WsgiClient:
    """A minimal cookie-keeping client that calls the WSGI application in-process."""

    def __init__(self, app, host: str) -> None:
        self.app, self.host, self.cookies = app, host, {}

    def request(self, method: str, url: str, body: bytes = b"", headers: dict | None = None):
        parts = urlsplit(url)
        env = {
            "REQUEST_METHOD": method,
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": self.host.rsplit(":", 1)[1],
            "HTTP_HOST": self.host,
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_USER_AGENT": "bench",
        }
        for k, v in (headers or {}).items():
            key = k.upper().replace("-", "_")
            env[key if key in ("CONTENT_TYPE",) else "HTTP_" + key] = v
        if self.cookies:
            env["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status_headers: list = []

        def start_response(status, hdrs, exc_info=None):
            status_headers[:] = [status, hdrs]

        chunks = self.app(env, start_response)
        data = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        status, hdrs = status_headers
        for k, v in hdrs:
            if k.lower() == "set-cookie":
                c = SimpleCookie()
                c.load(v)
                for name, morsel in c.items():
                    self.cookies[name] = morsel.value
        return int(status.split()[0]), dict(hdrs), data


def form(data: dict) -> tuple[bytes, dict]:
    return urlencode(data).encode(), {"Content-Type": "application/x-www-form-urlencoded"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bawaba_bench_sso_prof")
    ap.add_argument("--profile", default="", help="discovery|jwks|cc|refresh|flow")
    ap.add_argument("--only", default="")
    ap.add_argument(
        "--sql", action="store_true", help="print the SQL statements of one login flow, then stop"
    )
    ap.add_argument("--restrict", default="", help="regex: print only matching functions in the profile")
    ap.add_argument("--dump", default="", help="also write the --profile statistics to this file (pstats)")
    opts = ap.parse_args()
    url = opts.database_url
    if url.startswith("postgres"):
        subprocess.run([sys.executable, str(ROOT / "bench" / "pg_db.py"), "recreate", url], check=True)  # noqa: S603
    try:
        with temp_data_dir("bawaba-sso-prof-") as tmp:
            host = "127.0.0.1:8999"
            env = bench_env(
                tmp, url, BAWABA_DEBUG="0", BAWABA_BASE_URL=f"http://{host}", BAWABA_DB_CONN_MAX_AGE="600"
            )
            manage(env, "migrate", "-v0")
            manage(env, "collectstatic", "--noinput", "-v0")
            manage(env, "load_demo_data")
            setup = json.loads(
                subprocess.run(  # noqa: S603
                    [sys.executable, str(ROOT / "bench" / "sso_setup.py"), str(opts.n + 10)],
                    env=env,
                    cwd=ROOT,
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
            os.environ.update(env)
            from bawaba.wsgi import application

            run(application, host, setup, opts)
    finally:
        if url.startswith("postgres"):
            subprocess.run([sys.executable, str(ROOT / "bench" / "pg_db.py"), "drop", url], check=True)  # noqa: S603


def run(app, host: str, setup: dict, opts) -> None:
    c = WsgiClient(app, host)
    cc_auth = "Basic " + base64.b64encode(f"{setup['cc_id']}:{setup['cc_secret']}".encode()).decode()
    rp_auth = "Basic " + base64.b64encode(f"{setup['rp_id']}:{setup['rp_secret']}".encode()).decode()
    refresh = list(setup["refresh_tokens"])

    def discovery():
        assert c.request("GET", "/.well-known/openid-configuration")[0] == 200

    def jwks():
        assert c.request("GET", "/oidc/jwks")[0] == 200

    def cc():
        body, h = form({"grant_type": "client_credentials", "scope": "openid"})
        st, _, data = c.request("POST", "/oidc/token", body, {**h, "Authorization": cc_auth})
        assert st == 200, data

    def do_refresh():
        body, h = form({"grant_type": "refresh_token", "refresh_token": refresh.pop()})
        st, _, data = c.request("POST", "/oidc/token", body, {**h, "Authorization": rp_auth})
        assert st == 200, data
        refresh.append(json.loads(data)["refresh_token"])

    steps: dict[str, float] = {}

    # --profile flow-sso: the provider's steps; --profile flow:<text>: the steps whose name has <text>
    step_prof = (
        cProfile.Profile(time.process_time)
        if opts.profile.startswith("flow-sso") or opts.profile.startswith("flow:")
        else None
    )
    step_match = opts.profile.split(":", 1)[1] if opts.profile.startswith("flow:") else ""

    sql_seen: list[str] = []
    measuring = [False]  # the step profile leaves the warm-up's flows (imports, first compiles) out

    def sql_spy(execute, sql, params, many, context):  # --sql: the statements of the flow's steps
        sql_seen.append(sql)
        return execute(sql, params, many, context)

    def timed(name, fn, *a):
        if opts.sql:
            from django.db import connection

            sql_seen.clear()
            with connection.execute_wrapper(sql_spy):
                out = fn(*a)
            print(f"-- {name}: {len(sql_seen)} statements")
            for q in sql_seen:
                print("   ", q[:160])
            return out
        t = time.process_time()
        sso_step = (
            step_prof is not None
            and measuring[0]
            and ((step_match in name) if step_match else ("authorize" in name or "token" in name))
        )
        if sso_step:
            step_prof.enable()
        out = fn(*a)
        if sso_step:
            step_prof.disable()
        steps[name] = steps.get(name, 0.0) + time.process_time() - t
        return out

    device: dict[str, str] = {}

    def flow():
        # A returning browser: no session, but the device cookie of an earlier login kept
        # (as in bench/login_rate.py), so the new-device SMS is not sent every time.
        b = WsgiClient(app, host)
        b.cookies.update(device)
        verifier, q = pkce_authorization_query(setup["rp_id"])
        # The authorization endpoint shows the login form; its POST answers with the code.
        st, _, page = timed("1 authorize (form)", b.request, "GET", "/oidc/authorize?" + q)
        assert st == 200, page[:500]
        csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        action = html.unescape(re.search(rb'<form method="post" action="([^"]+)"', page).group(1).decode())
        body, fh = form(
            {"username": "2000112345", "password": "Bawaba-Demo-2026", "csrfmiddlewaretoken": csrf}
        )
        st, h, data = timed("2 login POST (code)", b.request, "POST", action, body, fh)
        assert st == 302, data[:500]
        code = parse_qs(urlsplit(h["Location"]).query)["code"][0]
        body, fh = form(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": "http://127.0.0.1:9/cb",
                "code_verifier": verifier,
            }
        )
        st, _, data = timed(
            "3 token (code)", b.request, "POST", "/oidc/token", body, {**fh, "Authorization": rp_auth}
        )
        assert st == 200 and b"id_token" in data, data
        if "bawaba_device" in b.cookies:
            device["bawaba_device"] = b.cookies["bawaba_device"]

    paths = {"discovery": discovery, "jwks": jwks, "cc": cc, "refresh": do_refresh, "flow": flow}
    only = opts.only.split(",") if opts.only else list(paths)
    from django.conf import settings

    ph, _params = settings_argon2(settings)
    h = ph.hash("x")
    t0 = time.process_time()
    for _ in range(50):
        ph.verify(h, "x")
    print(f"argon2id verify: {(time.process_time() - t0) / 50 * 1000:.2f} ms CPU")
    if opts.sql:
        flow()  # warm up
        print("== one login flow")
        flow()
        return
    for name in only:
        fn = paths[name]
        n = max(20, opts.n // 20) if name == "flow" else opts.n
        for _ in range(10):
            fn()
        steps.clear()  # warm-up (imports, first connections) is not part of the figures
        measuring[0] = True
        prof = cProfile.Profile(time.process_time) if opts.profile == name else None  # CPU, not wall
        t0 = time.process_time()
        if prof:
            prof.enable()
        for _ in range(n):
            fn()
        if prof:
            prof.disable()
        cpu = (time.process_time() - t0) / n
        print(f"{name:10s} {cpu * 1000:7.3f} ms CPU per request ({1 / cpu:,.0f}/CPU-second)", flush=True)
        if name == "flow":
            for step, total in sorted(steps.items()):
                print(f"    {step:20s} {total / n * 1000:7.3f} ms")
            if step_prof is not None:
                for order in ("cumulative", "tottime"):
                    s = io.StringIO()
                    pstats.Stats(step_prof, stream=s).sort_stats(order).print_stats(50)
                    print(s.getvalue())
        if prof:
            if opts.dump:
                prof.dump_stats(opts.dump)
            s = io.StringIO()
            pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(
                *[r for r in [opts.restrict] if r], 60
            )
            print(s.getvalue())
            s = io.StringIO()
            pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(30)
            print(s.getvalue())


if __name__ == "__main__":
    main()
