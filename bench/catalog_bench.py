"""Portal catalogue and search benchmark (issue 4).

    .venv/bin/python bench/catalog_bench.py [--db sqlite|postgres|both] [--seconds 12]

For each database: builds a fresh catalogue of 2,000 published services (the 85 demo
services plus generated ones from realistic Arabic/English words), starts gunicorn (the
production server, DEBUG off) and drives it from separate load processes over
127.0.0.1 for a bounded time:
  1. service pages + catalogue listing pages (anonymous visitors) — req/s and p95;
  2. search over a mix of realistic queries (Arabic, English, typos, partial words) — q/s and p95;
  3. page weight: HTML + CSS + JS bytes of a service page (uncompressed).
PostgreSQL uses the database `bawaba_bench_catalog` (created and dropped) at
BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres)."""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PORT = int(os.environ.get("BENCH_PORT", "8741"))
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
    print(*a, flush=True)


def env_for(db: str, data_dir: Path) -> dict:
    env = os.environ.copy()
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bawaba.settings.dev",
            "BAWABA_DATA_DIR": str(data_dir),
            "BAWABA_DEMO": "1",
            "BAWABA_DEBUG": "0",
            "BAWABA_LOG_LEVEL": "WARNING",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + "/" + PG_DB
    return env


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
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DB}")
        pg_admin(f"CREATE DATABASE {PG_DB}")
    subprocess.run([BIN / "bawaba", "setup", "--demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    code = GENERATE.format(ar=AR_WORDS, en=EN_WORDS, n=N_SERVICES)
    subprocess.run([BIN / "bawaba", "shell", "-c", code], env=env, check=True)
    return env


def start_server(env: dict, workers: int) -> subprocess.Popen:
    env = dict(env)
    env["BAWABA_BIND"] = f"127.0.0.1:{PORT}"
    env["BAWABA_WEB_WORKERS"] = str(workers)
    proc = subprocess.Popen(
        [BIN / "gunicorn", "-c", "python:bawaba.gunicorn_conf", "bawaba.wsgi"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def worker(paths: list[str], seconds: float, seed: int, out: mp.Queue, zipf: bool = False) -> None:
    rnd = random.Random(seed)
    if zipf:
        # Visits follow a Zipf law over the addresses (most-visited first), as web traffic does.
        cum, total = [], 0.0
        for rank in range(1, len(paths) + 1):
            total += 1.0 / rank
            cum.append(total)
        pick = lambda: rnd.choices(paths, cum_weights=cum)[0]  # noqa: E731
    else:
        pick = lambda: rnd.choice(paths)  # noqa: E731
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    lat: list[float] = []
    errors = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        path = pick()
        t0 = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Connection": "keep-alive"})
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                errors += 1
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        lat.append(time.perf_counter() - t0)
    out.put((lat, errors))


def load(paths: list[str], seconds: float, clients: int, zipf: bool = False) -> dict:
    q: mp.Queue = mp.Queue()
    procs = [mp.Process(target=worker, args=(paths, seconds, i, q, zipf)) for i in range(clients)]
    t0 = time.monotonic()
    for p in procs:
        p.start()
    results = [q.get() for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.monotonic() - t0
    lat = sorted(x for r in results for x in r[0])
    n = len(lat)
    return {
        "requests": n,
        "errors": sum(r[1] for r in results),
        "rps": round(n / seconds, 1),
        "p50_ms": round(lat[n // 2] * 1000, 1) if n else None,
        "p95_ms": round(lat[int(n * 0.95)] * 1000, 1) if n else None,
        "elapsed_s": round(elapsed, 1),
    }


def page_weight(slug: str) -> dict:
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    c.request("GET", f"/services/{slug}/")
    html = c.getresponse().read()
    total = len(html)
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    for a in assets:
        c.request("GET", a.decode())
        total += len(c.getresponse().read())
    return {"html_bytes": len(html), "assets": [a.decode() for a in assets], "total_bytes": total}


def run(db: str, seconds: float) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="bawaba-bench-catalog-"))
    try:
        log(f"== {db}: building a catalogue of {N_SERVICES} services")
        env = prepare(db, data_dir)
        slugs_out = subprocess.run(
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
        slugs = json.loads(slugs_out.strip().splitlines()[-1])
        pages = ["/", "/en/", "/services/", "/en/services/"]
        for s in slugs:  # most popular first
            pages += [f"/services/{s}/", f"/en/services/{s}/"]
        pages += [f"/services/?page={i}" for i in range(2, 100)] + [
            f"/en/services/?page={i}" for i in range(2, 100)
        ]
        searches = [f"/services/search/?q={urllib.parse.quote(q)}" for q in QUERIES_AR]
        searches += [f"/en/services/search/?q={urllib.parse.quote(q)}" for q in QUERIES_EN]
        # Varied pages of results and unique typos so search is not only served from memory.
        rnd = random.Random(7)
        for _ in range(400):
            w = rnd.choice(EN_WORDS)
            typo = w[:2] + w[3:] if len(w) > 5 else w
            searches.append(f"/en/services/search/?q={urllib.parse.quote(rnd.choice(EN_WORDS) + ' ' + typo)}")
            a = rnd.choice(AR_WORDS)
            searches.append(f"/services/search/?q={urllib.parse.quote(a + ' ' + rnd.choice(AR_WORDS))}")
        workers = int(os.environ.get("BENCH_WORKERS", "3"))
        clients = int(os.environ.get("BENCH_CLIENTS", "4"))
        server = start_server(env, workers)
        try:
            load(pages[:50] + searches[:20], 2, 2)  # warm up
            result = {"db": db, "services": len(slugs), "gunicorn_workers": workers, "clients": clients}
            log(f"   pages ({len(pages)} addresses, Zipf-distributed visits) for {seconds}s")
            result["pages"] = load(pages, seconds, clients, zipf=True)
            log("  ", result["pages"])
            log(f"   pages, every address equally likely (mostly uncached) for {seconds / 2}s")
            result["pages_uniform"] = load(pages, seconds / 2, clients)
            log("  ", result["pages_uniform"])
            log(f"   search ({len(searches)} distinct queries) for {seconds}s")
            result["search"] = load(searches, seconds, clients)
            log("  ", result["search"])
            result["weight"] = page_weight("dvld-licence-renewal-private")
            log("  ", result["weight"])
            return result
        finally:
            server.terminate()
            server.wait(10)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if db == "postgres":
            try:
                pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            except Exception as exc:  # noqa: BLE001
                log("could not drop the benchmark database:", exc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--seconds", type=float, default=12.0)
    args = ap.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [run(db, min(args.seconds, 25.0)) for db in dbs]
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    sys.exit(main())
