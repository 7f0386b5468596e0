"""Raw Argon2id verification cost with three kinds of working memory (docs/benchmarks.md,
"Single sign-on", checks of 2026-11-27 12:00 UTC):

* stock: argon2-cffi's `verify` (libargon2 mallocs its buffer: 16-byte aligned, 4 KiB pages);
* private: the same computation through `argon2_ctx` with a persistent page-aligned buffer
  supplied by an allocation callback;
* huge: as private, 2 MiB aligned and advised for transparent huge pages (MADV_HUGEPAGE).

    .venv/bin/python bench/argon2_memory.py [--rounds 300] [--processes 1|2]

The three are interleaved one verification at a time (so the host's drift hits them alike),
in one worker process or handed alternately to two (as a server's workers take turns); each
verification's thread CPU time is recorded and the 10th percentile, median and mean printed
per kind. With --processes 2 each process has its own buffers."""

from __future__ import annotations

import argparse
import base64
import hmac
import json
import mmap
import multiprocessing as mp
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
HUGE = 2 << 20


def _verifier():  # type: ignore[no-untyped-def]
    from argon2.low_level import ffi, lib

    from bawaba.settings import base
    from bench._server import settings_argon2

    ph, params = settings_argon2(base)
    encoded = ph.hash("x")
    parts = encoded.split("$")
    salt, want = (base64.b64decode(p + "=" * (-len(p) % 4)) for p in parts[4:6])
    size = params["memory_cost"] * 1024
    private = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    big = mmap.mmap(-1, size + HUGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    base_big = ffi.cast("uint8_t *", ffi.from_buffer(big))
    big.madvise(mmap.MADV_HUGEPAGE)
    buffers = {
        "private": ffi.cast("uint8_t *", ffi.from_buffer(private)),
        "huge": base_big + (-int(ffi.cast("uintptr_t", base_big))) % HUGE,
    }
    current = [buffers["private"]]

    @ffi.callback("int(uint8_t **, size_t)")
    def alloc(memory, n):  # type: ignore[no-untyped-def]
        memory[0] = current[0]
        return 0

    @ffi.callback("void(uint8_t *, size_t)")
    def free(memory, n):  # type: ignore[no-untyped-def]
        pass

    def verify(kind: str) -> None:
        if kind == "stock":
            ph.verify(encoded, "x")
            return
        current[0] = buffers[kind]
        out, pwd, csalt = (
            ffi.new("uint8_t[]", len(want)),
            ffi.new("uint8_t[]", b"x"),
            ffi.new("uint8_t[]", salt),
        )
        ctx = ffi.new(
            "argon2_context *",
            {
                "out": out, "outlen": len(want), "pwd": pwd, "pwdlen": 1, "salt": csalt, "saltlen": len(salt),
                "secret": ffi.NULL, "secretlen": 0, "ad": ffi.NULL, "adlen": 0,
                "t_cost": params["time_cost"], "m_cost": params["memory_cost"], "lanes": params["parallelism"],
                "threads": params["parallelism"], "version": 19, "allocate_cbk": alloc, "free_cbk": free,
                "flags": lib.ARGON2_DEFAULT_FLAGS,
            },
        )  # fmt: skip
        if lib.argon2_ctx(ctx, lib.Argon2_id) != lib.ARGON2_OK:
            raise RuntimeError("argon2_ctx failed")
        if not hmac.compare_digest(bytes(ffi.buffer(out, len(want))), want):
            raise RuntimeError("not the stored hash")

    return verify, (private, big, alloc, free), params


def _worker(jobs, results) -> None:  # type: ignore[no-untyped-def]
    verify, _keep, _params = _verifier()
    while kind := jobs.get():
        t0 = time.thread_time()
        verify(kind)
        results.put(time.thread_time() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--processes", type=int, default=1, choices=(1, 2))
    opts = ap.parse_args()
    queues = [(mp.Queue(), mp.Queue()) for _ in range(opts.processes)]
    procs = [mp.Process(target=_worker, args=q) for q in queues]
    for p in procs:
        p.start()
    kinds = ("stock", "private", "huge")
    times: dict[str, list[float]] = {k: [] for k in kinds}
    i = 0
    for r in range(opts.rounds + 2):
        for kind in kinds:
            jobs, results = queues[i % opts.processes]
            jobs.put(kind)
            cpu = results.get()
            i += 1
            if r >= 2:  # the first rounds fault the buffers in
                times[kind].append(cpu)
    for jobs, _ in queues:
        jobs.put(None)
    for p in procs:
        p.join()

    def q(v: list[float], p: float) -> float:
        return round(sorted(v)[int(len(v) * p)] * 1000, 2)

    print(
        json.dumps(
            {
                "processes": opts.processes,
                "verifications_each": opts.rounds,
                "ms_cpu": {
                    k: {"p10": q(v, 0.1), "p50": q(v, 0.5), "mean": round(statistics.mean(v) * 1000, 2)}
                    for k, v in times.items()
                },
            }
        )
    )


if __name__ == "__main__":
    main()
