#!/usr/bin/env bash
# The whole test suite: on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set
# or a PostgreSQL server answers on 127.0.0.1:5432. Called by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONDONTWRITEBYTECODE=1

# Browser tests need Chromium. Install it when we can (root, Debian); otherwise fail loudly:
# a browser test that silently skips is not a pass.
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Chromium for the browser tests"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "ERROR: Chromium is needed for the browser tests: sudo apt-get install chromium" >&2
    exit 1
  fi
fi

# The Node.js single sign-on example (docs/examples/sso-node) is run by a test against a live
# provider: it needs node and npm, and its locked dependencies installed. Same rule as above:
# install when we can, otherwise fail loudly (the test fails, never skips, without node).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Node.js for the single sign-on example test"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "ERROR: Node.js and npm are needed for the single sign-on example test: sudo apt-get install nodejs npm" >&2
    exit 1
  fi
fi
NODE_EXAMPLE=docs/examples/sso-node
if [ ! -f "$NODE_EXAMPLE/node_modules/.package-lock.json" ] \
   || [ "$NODE_EXAMPLE/package-lock.json" -nt "$NODE_EXAMPLE/node_modules/.package-lock.json" ]; then
  echo "== npm ci in $NODE_EXAMPLE"
  npm ci --prefix "$NODE_EXAMPLE" --no-audit --no-fund
fi

WORKERS="${BAWABA_TEST_WORKERS:-2}"
echo "== tests on SQLite"
env -u TEST_DATABASE_URL "$BIN/pytest" -n "$WORKERS" -q "$@"

PG_URL="${TEST_DATABASE_URL:-}"
if [ -z "$PG_URL" ] && "$BIN/python" - <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1)
sys.exit(0 if s.connect_ex(("127.0.0.1", 5432)) == 0 else 1)
PY
then
  PG_URL="postgres://postgres@127.0.0.1:5432/postgres"
fi
if [ -n "$PG_URL" ]; then
  echo "== tests on PostgreSQL ($PG_URL)"
  TEST_DATABASE_URL="$PG_URL" "$BIN/pytest" -n "$WORKERS" -q "$@"
else
  echo "== PostgreSQL not reachable on 127.0.0.1:5432 and TEST_DATABASE_URL unset: SQLite only"
fi
