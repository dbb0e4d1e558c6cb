#!/usr/bin/env bash
# Sets up and runs the whole test suite twice: on SpatiaLite (the embedded default) and on
# PostgreSQL + PostGIS. Starts PostgreSQL when it is not running. Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test || exit 1

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else "$@"; fi; }
export DJANGO_SETTINGS_MODULE=config.settings.test

# --- PostgreSQL + PostGIS ------------------------------------------------------------------------
# TEST_DATABASE_URL names another server; otherwise the local one, started here when needed.
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  PG_URL=$TEST_DATABASE_URL
else
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    say "Starting PostgreSQL"
    for version in $(ls /etc/postgresql 2>/dev/null); do
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }
  fi
  # The tests create the postgis extension, which needs a superuser. Where 127.0.0.1 trusts local
  # connections (as on CI) the postgres role is used; elsewhere (Debian's default asks for a
  # password) a local test-only role is made once through the postgres system account.
  if psql -h 127.0.0.1 -U postgres -d postgres -w -tAc "select 1" >/dev/null 2>&1; then
    PG_URL=postgis://postgres@127.0.0.1:5432/percolateur
  else
    say "Creating the local test role 'percolateur_test' in PostgreSQL"
    as_root runuser -u postgres -- psql -q -d postgres -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'percolateur_test') THEN
        CREATE ROLE percolateur_test LOGIN SUPERUSER PASSWORD 'percolateur_test';
      END IF; END \$\$;" || { echo "Could not create the PostgreSQL test role" >&2; exit 1; }
    PG_URL=postgis://percolateur_test:percolateur_test@127.0.0.1:5432/percolateur
  fi
fi

# --- Redis ---------------------------------------------------------------------------------------
# The cache's tests use Redis on 127.0.0.1:6379 when it is there (they skip, saying why, when it is
# not): started here when it is installed but not running, keeping nothing on disk.
if command -v redis-server >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  say "Starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "${TMPDIR:-/tmp}" --logfile "$PWD/var/redis-tests.log" >/dev/null || true
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi

# --- Checks that need no database ----------------------------------------------------------------
say "Checking the code style (ruff), which way the apps depend (import-linter) and the migrations"
.venv/bin/ruff check . || exit 1
.venv/bin/lint-imports --no-cache >/dev/null || { .venv/bin/lint-imports --no-cache; exit 1; }
.venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --check .; exit 1; }
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "The models changed without a migration: run manage.py makemigrations" >&2; exit 1; }

# --- The tests, on both databases ----------------------------------------------------------------
# One pytest-xdist worker per core (PYTEST_WORKERS to change it; 0 runs them in this process): each
# worker has its own test database, with the territories loaded once in it.
# The tests of one group (the production server's, which share one server) run in one worker.
workers=${PYTEST_WORKERS:-$(nproc)}
[ "$workers" = 0 ] || set -- --dist loadgroup "$@"
status=0
say "Tests on SpatiaLite ($workers workers)"
DATABASE_URL="spatialite:///$PWD/var/test.sqlite3" .venv/bin/python -m pytest -n "$workers" "$@" || status=1
say "Tests on PostgreSQL + PostGIS (${PG_URL%%:*}://…@${PG_URL#*@}, $workers workers)"
DATABASE_URL=$PG_URL .venv/bin/python -m pytest -n "$workers" "$@" || status=1

if [ $status = 0 ]; then say "All tests passed on SpatiaLite and on PostGIS."; else say "Some tests failed."; fi
exit $status
