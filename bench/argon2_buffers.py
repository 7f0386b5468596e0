"""Raw Argon2id verifications per CPU-second when consecutive verifications use one memory
buffer or rotate between several (docs/benchmarks.md, "Single sign-on", 2026-11-27 10:20).

    .venv/bin/python bench/argon2_buffers.py [--rounds 3] [--n 80]

libargon2 allocates its memory with malloc, and glibc gives each thread its own arena, so a
thread reuses its own buffer. The raw rate (one thread, one buffer, `sso_bench.argon2_rate`)
is the best case: the 19 MiB buffer stays in the 32 MiB L3 between verifications. The
production server's verifications run in 2 workers x 2 threads, i.e. up to four buffers used
in turn. Here the verifications are handed, one at a time, to 1, 2 or 4 threads in turn
(never two at once), and each thread's CPU time is what is counted."""

from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rate(hasher, digest: str, threads: int, n: int) -> float:
    jobs: list[queue.Queue] = [queue.Queue() for _ in range(threads)]
    cpu: list[float] = []

    def worker(q: queue.Queue) -> None:
        while (done := q.get()) is not None:
            t0 = time.thread_time()
            hasher.verify(digest, "x")
            cpu.append(time.thread_time() - t0)
            done.set()

    pool = [threading.Thread(target=worker, args=(q,)) for q in jobs]
    for t in pool:
        t.start()
    for i in range(n + threads):
        done = threading.Event()
        jobs[i % threads].put(done)
        done.wait()
    for q in jobs:
        q.put(None)
    for t in pool:
        t.join()
    measured = cpu[threads:]  # each thread's first verification allocates its buffer
    return round(len(measured) / sum(measured), 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--n", type=int, default=80, help="verifications per measure")
    opts = ap.parse_args()
    from bawaba.settings import base
    from bench._server import settings_argon2

    hasher, _params = settings_argon2(base)
    digest = hasher.hash("x")
    for r in range(1, opts.rounds + 1):  # alternately, so the host's drift hits each alike
        line = {"round": r}
        for threads in (1, 2, 4):
            line[f"{threads}_buffers_per_cpu_second"] = rate(hasher, digest, threads, opts.n)
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
