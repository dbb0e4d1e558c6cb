#!/usr/bin/env bash
# Sets up and runs the whole test suite twice: on SpatiaLite (the embedded default) and on
# PostgreSQL + PostGIS. Starts PostgreSQL when it is not running. Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test || exit 1

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
PG_URL=${TEST_DATABASE_URL:-postgis://postgres@127.0.0.1:5432/percolateur}

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  say "Starting PostgreSQL"
  for version in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }
fi

say "Checking that the migrations match the models"
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null || {
  echo "The models changed without a migration: run manage.py makemigrations" >&2; exit 1; }

status=0
say "Tests on SpatiaLite"
env -u DATABASE_URL .venv/bin/python -m pytest "$@" || status=1
say "Tests on PostgreSQL + PostGIS ($PG_URL)"
DATABASE_URL=$PG_URL .venv/bin/python -m pytest "$@" || status=1

if [ $status = 0 ]; then say "All tests passed on SpatiaLite and on PostGIS."; else say "Some tests failed."; fi
exit $status
