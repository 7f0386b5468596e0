#!/usr/bin/env bash
# Every benchmark, one after the other. Figures go to standard output (JSON per measure);
# copy them into docs/benchmarks.md with the machine line each prints.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bawaba_bench}"

pg_ready() { "$PY" - <<'PYEOF'
import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", 5432)) == 0 else 1)
PYEOF
}

echo "== login rate (SQLite)"
"$PY" bench/login_rate.py
if pg_ready; then
  echo "== login rate (PostgreSQL)"
  "$PY" bench/pg_db.py recreate "$PG"
  "$PY" bench/login_rate.py --database-url "$PG"
  "$PY" bench/pg_db.py drop "$PG"
fi
for script in bench/sso_bench.py bench/idle_cost.py bench/catalog_bench.py bench/portal_pages.py; do
  if [ -f "$script" ]; then echo "== $script"; "$PY" "$script"; fi
done
