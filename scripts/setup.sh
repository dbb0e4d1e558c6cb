#!/usr/bin/env bash
# Prepares this machine and the project for running (default) or testing (--test):
#   1. the Debian packages (installed when we are root or have sudo, otherwise listed exactly);
#   2. a virtual environment in .venv, made with a Python that can load SQLite extensions
#      (SpatiaLite needs it; pyenv and some other builds cannot);
#   3. the Python requirements, and the compiled translations.
#   4. with --test, the npm packages the browser tests use (axe-core), as package-lock.json pins them.
# It is idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var

mode=run
[ "${1:-}" = "--test" ] && mode=test

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf '\033[31mError: %s\033[0m\n' "$*" >&2; exit 1; }

# --- 1. Debian packages ------------------------------------------------------------------------
packages=(libsqlite3-mod-spatialite gdal-bin gettext python3-venv)
if [ "$mode" = test ]; then
  # PostgreSQL's PostGIS package is named after the server's major version: the installed
  # server's, or else the version Debian's "postgresql" package would bring.
  pg_major=""
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_major=$(pg_lsclusters --no-header 2>/dev/null | awk 'NR==1 {print $1}')
  fi
  if [ -z "$pg_major" ]; then
    packages+=(postgresql)
    pg_major=$(apt-cache depends postgresql 2>/dev/null | sed -n 's/.*Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -n1)
    pg_major=${pg_major:-15}
  fi
  packages+=("postgresql-${pg_major}-postgis-3" chromium chromium-driver redis-server)
  # Debian's npm is large: only when no npm is here already (Node.js may come from elsewhere).
  command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
fi

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then apt=(apt-get); elif command -v sudo >/dev/null 2>&1; then apt=(sudo apt-get); else apt=(); fi
    if [ ${#apt[@]} -eq 0 ]; then
      fail "these Debian packages are missing: ${missing[*]}
Install them as root, then run this command again:
  apt-get update && apt-get install -y ${missing[*]}"
    fi
    say "Installing Debian packages: ${missing[*]}"
    "${apt[@]}" update -qq
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq "${missing[@]}" >/dev/null
  fi
else
  say "Not a Debian-like system: make sure SpatiaLite, GDAL, GEOS, PROJ and gettext are installed."
fi

# --- 2. A Python that can load SpatiaLite ------------------------------------------------------
can_load_spatialite() {
  "$1" - <<'PY' >/dev/null 2>&1
import ensurepip, sqlite3, sys, venv
assert sys.version_info >= (3, 10)
connection = sqlite3.connect(":memory:")
connection.enable_load_extension(True)
connection.load_extension("mod_spatialite")
PY
}

if [ -x .venv/bin/python ] && ! can_load_spatialite .venv/bin/python; then
  say "The existing .venv cannot load SpatiaLite: making it again."
  rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  python=""
  for candidate in ${PYTHON:-} /usr/bin/python3.13 /usr/bin/python3.12 /usr/bin/python3.11 /usr/bin/python3 python3; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    if can_load_spatialite "$candidate"; then python=$candidate; break; fi
  done
  [ -n "$python" ] || fail "no Python 3.10+ here can load SQLite extensions (which SpatiaLite needs) and make a
virtual environment (Debian: package python3-venv).
Debian's own interpreter can (/usr/bin/python3, packages python3 and python3-venv). Interpreters built by pyenv usually
cannot: rebuild them with PYTHON_CONFIGURE_OPTS=--enable-loadable-sqlite-extensions, or point PYTHON
at a suitable one: PYTHON=/path/to/python3 $0"
  say "Creating .venv with $python ($("$python" --version))"
  "$python" -m venv .venv
fi

# --- 3. Requirements and translations ----------------------------------------------------------
requirements=requirements.txt
[ "$mode" = test ] && requirements=requirements-test.txt
stamp=.venv/.installed-$(cat requirements.txt "$requirements" | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  say "Installing Python requirements ($requirements)"
  # Some machines list local mirrors that do not exist; pip's warnings about them are noise.
  quiet_pip() { .venv/bin/python -m pip "$@" 2> >(grep -v "it is neither a file nor a directory" >&2); }
  quiet_pip install --quiet --upgrade pip
  quiet_pip install --quiet -r "$requirements"
  touch "$stamp"
fi
# The test settings need no secret, so this step works before any configuration.
.venv/bin/python manage.py compilemessages --settings=config.settings.test --ignore=.venv --verbosity 0

# --- 4. npm packages for the browser tests -----------------------------------------------------
# npm writes node_modules/.package-lock.json on each install: an older one means the lock changed since.
if [ "$mode" = test ] && { [ ! -d node_modules/axe-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  command -v npm >/dev/null 2>&1 || fail "npm is missing: install Node.js and npm, then run this command again."
  say "Installing npm packages (package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
