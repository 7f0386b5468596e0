"""Portal catalogue and search benchmark (issue 4).

    .venv/bin/python bench/catalog_bench.py [--db sqlite|postgres|both] [--seconds 10]
                                            [--workers N] [--threads N] [--connections N]

For each database: builds a fresh catalogue of 2,000 published services (the 85 demo
services plus generated ones from realistic Arabic/English words), starts the production
server (Granian, bench/_server.py `server()`, DEBUG off, PROMETHEUS_MULTIPROC_DIR set as
`bawaba serve` does) and drives it with wrk (bench/_wrk.py) over 127.0.0.1, each measure
bounded in time:
  0. baseline: /healthz (no database, no template) - the server + middleware floor;
  1. service pages + catalogue listing pages (anonymous visitors), visits Zipf-distributed
     by popularity, then every address equally likely - req/s and p95;
  2. search: realistic queries (Arabic, English, typos, partial words; repeated, so mostly
     answered from the page cache) and all-distinct queries (every request a query not
     seen before: the search engine's real cost) - q/s and p95;
  3. page weight: HTML + CSS + JS bytes of a service page (uncompressed).
PostgreSQL uses the database `bawaba_bench_catalog` (created and dropped) at
BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres)."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _wrk  # noqa: E402
from _server import BIN, bench_env, machine, server, temp_data_dir  # noqa: E402

N_SERVICES = 2000
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "bawaba_bench_catalog"

AR_WORDS = (
    "تصريح رخصة شهادة تسجيل تجديد إصدار بدل فاقد طلب اعتراض دعم منحة تأمين ضريبة رسوم مركبة عقار أرض "
    "شقة سجل تجاري مؤسسة شركة عامل إقامة تأشيرة جواز بطاقة مدرسة جامعة معادلة مياه كهرباء نفايات بلدية "
    "مزرعة ثروة حيوانية صحي مستشفى دواء صيدلية سياحة فندق مطعم نقل حافلة شاحنة بناء هدم إفراز ميراث"
).split()
EN_WORDS = (
    "permit licence certificate registration renewal issue replacement lost request objection support grant "
    "insurance tax fee vehicle property land apartment commercial register establishment company worker "
    "residence visa passport card school university equivalence water electricity waste municipal farm "
    "livestock health hospital medicine pharmacy tourism hotel restaurant transport bus truck building "
    "demolition subdivision inheritance"
).split()
QUERIES_AR = [
    "شهادة ميلاد",
    "جواز السفر",
    "تجديد رخصة القيادة",
    "ضريبة الدخل",
    "شهدة ميلاد",
    "إقامة",
    "عدم محكومية",
    "تسجيل شركة",
    "الضمان الاجتماعي",
    "رخصة مهن",
    "ترخيص مركبة",
    "بدل فاقد",
    "كهرباء",
    "مياه",
    "تصريح عمل",
    "سند تسجيل",
    "معادلة شهادة",
    "التوجيهي",
    "نقل ملكية",
    "دفع المخالفات",
    "تامين صحي",
    "جواز",
    "رخص",
]
QUERIES_EN = [
    "birth certificate",
    "passport renewal",
    "renewing licences",
    "income tax",
    "pasport",
    "residence permit",
    "non conviction",
    "company registration",
    "social security",
    "vocational licence",
    "vehicle licence",
    "lost passport",
    "electricity",
    "water bill",
    "work permit",
    "title deed",
    "degree equivalence",
    "tawjihi",
    "ownership transfer",
    "traffic fines",
    "health insurance",
    "driving lic",
    "tax clearance",
]


def log(*a):  # type: ignore[no-untyped-def]
    print(*a, flush=True, file=sys.stderr)


def env_for(db: str, data_dir: Path) -> dict:
    url = PG_URL.rsplit("/", 1)[0] + "/" + PG_DB if db == "postgres" else None
    prom = data_dir / "prometheus"
    prom.mkdir(parents=True, exist_ok=True)
    return bench_env(data_dir, url, BAWABA_DEBUG="0", PROMETHEUS_MULTIPROC_DIR=str(prom))


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)


GENERATE = r"""
import random, datetime
from django.db import transaction
from bawaba.catalog.models import Service, Agency, LifeEvent, Fee
from bawaba.catalog.services import search_index_rebuild
AR = {ar!r}; EN = {en!r}
rnd = random.Random(4)
agencies = list(Agency.objects.all()); events = list(LifeEvent.objects.all())
have = Service.objects.count(); todo = {n} - have
with transaction.atomic():
    objs = []
    for i in range(todo):
        k = rnd.sample(range(min(len(AR), len(EN))), 3)
        ag = rnd.choice(agencies)
        objs.append(Service(slug=f"gen-{{i:04d}}-{{EN[k[0]]}}-{{EN[k[1]]}}", status="published", agency=ag,
            name_ar=" ".join(AR[j] for j in k), name_en=" ".join(EN[j] for j in k).capitalize(),
            summary_ar="خدمة " + " ".join(rnd.choice(AR) for _ in range(14)) + ".",
            summary_en="A service for " + " ".join(rnd.choice(EN) for _ in range(14)) + ".",
            description_ar=" ".join(rnd.choice(AR) for _ in range(40)), description_en=" ".join(rnd.choice(EN) for _ in range(40)),
            eligibility_ar="المواطنون والمقيمون", eligibility_en="Citizens and residents",
            documents_ar=["بطاقة الأحوال المدنية", "طلب خطي"], documents_en=["Civil status ID card", "Written request"],
            steps_ar=["راجع مركز الخدمة", "ادفع الرسوم"], steps_en=["Visit a service centre", "Pay the fee"],
            processing_time_ar="يوم واحد", processing_time_en="One day", channels=["service_centre", "online"],
            popularity=rnd.randint(0, 60), last_reviewed=datetime.date(2026, 11, 1)))
    Service.objects.bulk_create(objs, batch_size=500)
    gen = list(Service.objects.filter(slug__startswith="gen-"))
    through = Service.life_events.through
    through.objects.bulk_create([through(service_id=s.pk, lifeevent_id=rnd.choice(events).pk) for s in gen])
    Fee.objects.bulk_create([Fee(service=s, label_ar="رسم الخدمة", label_en="Service fee", amount_fils=rnd.choice([0, 1000, 5000, 34700, None])) for s in gen])
print("indexed", search_index_rebuild())
"""


def prepare(db: str, data_dir: Path) -> dict:
    env = env_for(db, data_dir)
    if db == "postgres":
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        pg_admin(f"CREATE DATABASE {PG_DB}")
    subprocess.run([BIN / "bawaba", "setup", "--demo"], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    code = GENERATE.format(ar=AR_WORDS, en=EN_WORDS, n=N_SERVICES)
    subprocess.run([BIN / "bawaba", "shell", "-c", code], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    # What the task worker does after a publication: every catalogue page rendered into the
    # shared page store (BAWABA_PAGE_STORE_DIR, here under the temporary data directory).
    t0 = time.perf_counter()
    out = subprocess.run(  # noqa: S603
        [BIN / "bawaba", "catalogue_prerender"], env=env, check=True, capture_output=True, text=True
    ).stdout
    log(f"   prerendered in {time.perf_counter() - t0:.1f} s: {out.strip().splitlines()[-1]}")
    return env


def published_slugs(env: dict) -> list[str]:
    out = subprocess.run(  # noqa: S603
        [
            BIN / "bawaba",
            "shell",
            "-c",
            "from bawaba.catalog.models import Service; import json; "
            "print(json.dumps(list(Service.objects.filter(status='published').order_by('-popularity', 'slug')"
            ".values_list('slug', flat=True))))",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def page_addresses(slugs: list[str]) -> list[str]:
    """Home, catalogue listing pages and every service page, in both languages, most
    visited first (popular services, then the listing's first pages)."""
    pages = ["/", "/en/", "/services/", "/en/services/"]
    for s in slugs:  # most popular first
        pages += [f"/services/{s}/", f"/en/services/{s}/"]
    pages += [f"/services/?page={i}" for i in range(2, 100)]
    pages += [f"/en/services/?page={i}" for i in range(2, 100)]
    return pages


def zipf_sample(paths: list[str], n: int, seed: int = 1) -> list[str]:
    """n visits following a Zipf law over the addresses (rank 1 most visited), as web traffic does."""
    rnd = random.Random(seed)
    weights = [1.0 / rank for rank in range(1, len(paths) + 1)]
    return rnd.choices(paths, weights=weights, k=n)


def uniform_sample(paths: list[str], n: int, seed: int = 2) -> list[str]:
    rnd = random.Random(seed)
    return [rnd.choice(paths) for _ in range(n)]


def _typo(word: str, rnd: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rnd.randrange(1, len(word) - 1)
    kind = rnd.randrange(3)
    if kind == 0:  # a letter left out
        return word[:i] + word[i + 1 :]
    if kind == 1:  # two letters swapped
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # a letter doubled


def realistic_searches() -> list[str]:
    out = [f"/services/search/?q={urllib.parse.quote(q)}" for q in QUERIES_AR]
    out += [f"/en/services/search/?q={urllib.parse.quote(q)}" for q in QUERIES_EN]
    return out


def distinct_searches(n: int, seed: int = 7) -> list[str]:
    """n different queries (never repeated, so never answered from a page cache): the
    realistic ones, then one to three catalogue words per query with typos (a third of
    the queries) and words still being typed (a fifth), in Arabic and English."""
    rnd = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    for url in realistic_searches():
        seen.add(url)
        out.append(url)
    vocab = {"ar": AR_WORDS + [w for q in QUERIES_AR for w in q.split()], "en": EN_WORDS}
    while len(out) < n:
        lang = rnd.choice(("ar", "en"))
        words = rnd.sample(vocab[lang], rnd.choice((1, 2, 2, 2, 3)))
        if rnd.random() < 0.33:
            k = rnd.randrange(len(words))
            words[k] = _typo(words[k], rnd)
        if rnd.random() < 0.2 and len(words[-1]) > 4:
            words[-1] = words[-1][: rnd.randrange(3, len(words[-1]))]
        prefix = "" if lang == "ar" else "/en"
        url = f"{prefix}/services/search/?q={urllib.parse.quote(' '.join(words))}"
        if url not in seen:
            seen.add(url)
            out.append(url)
    rnd.shuffle(out)
    return out


def page_weight(port: int, slug: str) -> dict:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", f"/services/{slug}/")
    html = c.getresponse().read()
    total = len(html)
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    for a in assets:
        c.request("GET", a.decode())
        total += len(c.getresponse().read())
    return {"html_bytes": len(html), "assets": [a.decode() for a in assets], "total_bytes": total}


def measure_all(env: dict, slugs: list[str], args: argparse.Namespace, workers: int, threads: int) -> dict:
    s = args.seconds
    pages = page_addresses(slugs)
    zipf = zipf_sample(pages, 200_000)
    uniform = uniform_sample(pages, 200_000)
    realistic = realistic_searches()
    distinct = distinct_searches(args.distinct)
    result: dict = {"workers": workers, "threads": threads, "connections": args.connections}
    with server(env, workers=workers, threads=threads) as (port, pid):
        base = f"http://127.0.0.1:{port}"

        def load(
            name: str,
            paths: list[str],
            seconds: float,
            connections: int | None = None,
            rate: float | None = None,
        ) -> None:
            r = _wrk.run(
                base,
                paths,
                seconds=seconds,
                connections=connections or args.connections,
                server_pid=pid,
                rate=rate,
            )
            result[name] = r
            log(
                f"   {name:22s} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:6.1f}  p95 {r['p95_ms']:6.1f}  "
                f"p99 {r['p99_ms']:6.1f} ms  errors {r['errors']}  server CPU {r['server_cpu_s']} s  "
                f"wrk CPU {r['wrk_cpu_s']} s  load {r['loadavg_1m_after']}"
            )

        # Load the code and templates in every worker (a few addresses only: page caches stay cold).
        _wrk.run(base, ["/healthz", "/", "/en/services/", realistic[0]], seconds=2, connections=4)
        if not args.only or "baseline" in args.only:
            load("baseline_healthz", ["/healthz"], s / 2)
        if not args.only or "pages" in args.only:
            # Right after a start (or a publication): every worker renders each page once.
            load("pages_zipf_cold", zipf, s)
            # The same stream of visits, continued where it stopped: caches warmer, as on a
            # server that has been running.
            load("pages_zipf_warm", zipf[result["pages_zipf_cold"]["requests"] :], s)
            load("pages_uniform", uniform, s)
            # Latency at the target load: 1,000 requests started per second on a fixed
            # schedule (wrk2-style), enough connections that none waits for a free one.
            done = sum(result[k]["requests"] for k in ("pages_zipf_cold", "pages_zipf_warm"))
            load("pages_paced_1000", zipf[done:], s, connections=64, rate=args.page_rate)
        if not args.only or "search" in args.only:
            load("search_realistic", realistic, s / 2)
            # Distinct queries right after a start (vocabulary, index and the list items of
            # each service rendered once per worker), then more distinct queries, warm.
            load("search_distinct_cold", distinct, s / 2)
            done = result["search_distinct_cold"]["requests"]
            load("search_distinct", distinct[done:], s)
            done += result["search_distinct"]["requests"]
            load("search_paced_300", distinct[done:], s, connections=64, rate=args.search_rate)
        result["weight"] = page_weight(port, "dvld-licence-renewal-private")
    return result


def run(db: str, args: argparse.Namespace) -> dict:
    with temp_data_dir("bawaba-bench-catalog-") as data_dir:
        try:
            log(f"== {db}: building a catalogue of {N_SERVICES} services")
            env = prepare(db, data_dir)
            slugs = published_slugs(env)
            out: dict = {"db": db, "services": len(slugs), "machine": machine(), "runs": []}
            for config in args.configs:
                workers, threads = (int(x) for x in config.split("x"))
                for n in range(args.repeat):
                    if args.compare_store:
                        # Baseline in the same run: the same pages with per-process caches
                        # only (the shared page store switched off).
                        log(f"== {db}: Granian {workers}x{threads}, page store OFF (baseline), run {n + 1}")
                        base_args = argparse.Namespace(**{**vars(args), "only": ["pages"]})
                        off = measure_all(
                            {**env, "BAWABA_PAGE_STORE_DIR": ""}, slugs, base_args, workers, threads
                        )
                        off["page_store"] = False
                        out["runs"].append(off)
                    log(f"== {db}: Granian {workers} workers x {threads} threads, run {n + 1}")
                    on = measure_all(env, slugs, args, workers, threads)
                    on["page_store"] = True
                    out["runs"].append(on)
            return out
        finally:
            if db == "postgres":
                try:
                    pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
                except Exception as exc:  # noqa: BLE001
                    log("could not drop the benchmark database:", exc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--seconds", type=float, default=10.0, help="per measure (at most 25)")
    ap.add_argument(
        "--configs",
        default=os.environ.get("BENCH_CONFIGS", "2x2"),  # the production default on 2 cores
        help="comma-separated Granian WORKERSxTHREADS to measure, e.g. 1x4,2x2,2x4",
    )
    ap.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    ap.add_argument("--page-rate", type=float, default=1000.0, help="paced page load, requests/s")
    ap.add_argument("--search-rate", type=float, default=300.0, help="paced distinct-search load, queries/s")
    ap.add_argument(
        "--no-compare-store",
        dest="compare_store",
        action="store_false",
        help="skip the baseline pages run with the shared page store off",
    )
    ap.add_argument("--repeat", type=int, default=1, help="runs per configuration")
    ap.add_argument("--distinct", type=int, default=30_000, help="how many distinct search queries")
    ap.add_argument("--only", default="", help="comma-separated subset: baseline,pages,search")
    args = ap.parse_args()
    args.seconds = min(args.seconds, 25.0)
    args.configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    args.only = [c.strip() for c in args.only.split(",") if c.strip()]
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(json.dumps([run(db, args) for db in dbs], indent=1))


if __name__ == "__main__":
    sys.exit(main())
