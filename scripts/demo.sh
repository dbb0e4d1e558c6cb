#!/usr/bin/env bash
# Sets up and runs the site on its embedded default (SpatiaLite in var/), with the seed's entries
# and a demo curator account. Stop it with Ctrl-C. HOST and PORT change where it listens.
set -euo pipefail
cd "$(dirname "$0")/.."
# The quick start is a local demonstration: DEBUG on, in a .env file that is never committed
# (the settings are safe without it: DEBUG off, and a SECRET_KEY required).
[ -f .env ] || printf '# Local demonstration settings, written by scripts/demo.sh.\nDEBUG=on\n' > .env
bash scripts/setup.sh
mkdir -p var
manage() { .venv/bin/python manage.py "$@"; }

printf '\033[1m==> %s\033[0m\n' "Preparing the database (var/percolateur.sqlite3)"
# A new database needs the territories again, whatever the stamp says.
[ -f var/percolateur.sqlite3 ] || rm -f var/territories.loaded
manage migrate --noinput --verbosity 0
# Every territory of France, from the files shipped in fixtures/territories/ (no network; about
# 20 s). Skipped at the next starts while the files stay the same (the stamp is their manifest's
# digest); a load after they change only writes what differs.
stamp=$(sha256sum fixtures/territories/manifest.json | cut -c1-64)
if [ "$(cat var/territories.loaded 2>/dev/null)" != "$stamp" ]; then
  manage load_territories
  echo "$stamp" > var/territories.loaded
fi
manage load_seed
manage create_demo_curator

exec .venv/bin/python manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
