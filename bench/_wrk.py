"""Load generation with wrk (C, epoll, keep-alive): far cheaper per request than a Python
client, so the load generator leaves the two cores to the server under test.

`run(base, paths, seconds=…, connections=…)` drives GETs over a list of addresses (each wrk
thread walks the list from its own offset, in order, wrapping around), optionally with
extra headers (e.g. a session cookie), and returns requests/s, latency percentiles from
wrk's own histogram (p50/p90/p95/p99, via the Lua `done` hook), errors, and the CPU
seconds used by the server's processes and by wrk itself during the window."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _server import cpu_seconds, process_tree  # noqa: E402  (bench/ is on sys.path)

LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_usec; } bawaba_timeval;
int gettimeofday(bawaba_timeval *tv, void *tz);
]]
local tv = ffi.new("bawaba_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end
-- Paced mode (WRK_RATE = requests per second for this thread): requests start on a fixed
-- schedule, one every 1000/rate ms, whichever connection is free takes the next slot; a
-- late slot is sent at once (the schedule never resets), so a slow server is not let off by
-- the load generator waiting for it.
local interval = 0
local next_at = nil
local paths = {}
local n = 0
local i = 0
local headers = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

function init(args)
  for line in io.lines(args[1]) do
    n = n + 1
    paths[n] = line
  end
  local threads = tonumber(args[2])
  for k = 3, #args do
    local name, value = args[k]:match("^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
  i = math.floor(n * tid / threads)
  local rate = tonumber(os.getenv("WRK_RATE") or "0")
  if rate > 0 then interval = 1000 * threads / rate end
end

function delay()
  if interval <= 0 then return 0 end
  local t = now_ms()
  if next_at == nil then next_at = t end
  local d = next_at - t
  next_at = next_at + interval
  if d < 0 then return 0 end
  return math.floor(d)
end

function request()
  i = i % n + 1
  return wrk.format("GET", paths[i], headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\"requests\": %d, \"duration_us\": %d, \"p50_us\": %d, \"p90_us\": %d, \"p95_us\": %d, " ..
    "\"p99_us\": %d, \"max_us\": %d, \"non_2xx_3xx\": %d, \"connect\": %d, \"read\": %d, \"write\": %d, " ..
    "\"timeout\": %d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max, e.status, e.connect, e.read,
    e.write, e.timeout))
end
"""


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)  # noqa: S607
        path = shutil.which("wrk")
    if not path:
        sys.exit("wrk is needed: apt-get install wrk")
    return path


def loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def run(
    base: str,
    paths: list[str],
    *,
    seconds: float,
    connections: int = 16,
    threads: int = 1,
    headers: list[str] | None = None,
    server_pid: int | None = None,
    rate: float | None = None,
) -> dict:
    """`rate`: paced mode, requests started on a fixed schedule of `rate` per second in total
    (latency at a given load, the way wrk2 measures it) instead of as fast as the server
    answers (throughput at saturation, where the queue sets the latency)."""
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="bawaba-wrk-") as tmp:
        script = Path(tmp) / "rotate.lua"
        script.write_text(LUA)
        plist = Path(tmp) / "paths.txt"
        plist.write_text("\n".join(paths) + "\n")
        cmd = [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,
            "--",
            str(plist),
            str(threads),
            *(headers or []),
        ]
        pids = process_tree(server_pid) if server_pid else []
        c0 = cpu_seconds(pids)
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        env = {**os.environ, "WRK_RATE": str(rate or 0)}
        out = subprocess.run(cmd, check=True, text=True, capture_output=True, env=env).stdout  # noqa: S603
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        c1 = cpu_seconds(pids)
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line[len("WRKJSON ") :])
    secs = data["duration_us"] / 1e6
    errors = data["non_2xx_3xx"] + data["connect"] + data["read"] + data["write"] + data["timeout"]
    result = {
        "requests": data["requests"],
        "rps": round(data["requests"] / secs, 1),
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p90_ms": round(data["p90_us"] / 1000, 1),
        "p95_ms": round(data["p95_us"] / 1000, 1),
        "p99_ms": round(data["p99_us"] / 1000, 1),
        "max_ms": round(data["max_us"] / 1000, 1),
        "errors": errors,
        "connections": connections,
        "paced_rate": rate,
        "wrk_cpu_s": round((r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime), 2),
        "loadavg_1m_after": loadavg(),
    }
    if server_pid:
        result["server_cpu_s"] = round(c1 - c0, 2)
        result["per_server_cpu_s"] = round(data["requests"] / max(c1 - c0, 1e-9))
    result["wall_s"] = round(wall, 1)
    return result
