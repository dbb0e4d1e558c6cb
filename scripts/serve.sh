#!/usr/bin/env bash
# Runs the site in production: gunicorn with a worker count from the CPU count, the static files
# collected (hashed names, gzip and Brotli) and served by WhiteNoise, the migrations applied and
# Django's deployment checks passed, logs as JSON lines on the standard error.
#
# Reads its settings from the environment (or .env): at least SECRET_KEY, ALLOWED_HOSTS and, for a
# real site, DATABASE_URL=postgis://user:password@host:5432/name and CACHE_URL=redis://host:6379/0.
# HOST and PORT say where it listens (127.0.0.1:8000); WEB_CONCURRENCY how many workers (2 per core
# plus one). It does not load the territories or the seed: run manage.py load_territories once.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
bash scripts/setup.sh
manage() { .venv/bin/python manage.py "$@"; }

export LOG_FORMAT=${LOG_FORMAT:-json}
export LOG_LEVEL=${LOG_LEVEL:-INFO}

say "Checking the settings for production (manage.py check --deploy)"
# --fail-level WARNING: a warning that is not accepted in the settings (SILENCED_SYSTEM_CHECKS,
# each with its reason) stops the start.
manage check --deploy --fail-level WARNING

say "Applying the migrations"
manage migrate --noinput --verbosity 0

say "Collecting the static files"
manage collectstatic --noinput --verbosity 0

workers=${WEB_CONCURRENCY:-$(( 2 * $(nproc) + 1 ))}
say "Serving on ${HOST:-127.0.0.1}:${PORT:-8000} with $workers workers"
exec .venv/bin/gunicorn config.wsgi:application \
  --config python:config.gunicorn \
  --bind "${HOST:-127.0.0.1}:${PORT:-8000}" \
  --workers "$workers"
