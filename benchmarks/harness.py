"""What the benchmarks share: databases created and dropped for them (PostGIS, or a SpatiaLite
file) and brought to the site's set-up (``prepare``), ``manage.py`` and ``runserver`` in subprocesses
with production-like settings (their static files collected once per run, ``static_root``), a
benchmark's own functions run inside the project (``in_project``, answering with ``answer``), a
timer and a log.

The project's code runs in those subprocesses only, from the repository's root, so that a benchmark
measures the site as a worker of a production server runs it.
"""

import atexit
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg

REPOSITORY = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SETTINGS = "config.settings.base"


def environment(database_url, settings=SETTINGS):
    """The environment of the project's subprocesses: the site's settings with DEBUG off, as in
    production, and the static files collected for them (``static_root``)."""
    return {**_settings_environment(database_url, settings), "STATIC_ROOT": static_root(database_url)}


def _settings_environment(database_url, settings=SETTINGS):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": settings,
        "DEBUG": "off",
        "SECRET_KEY": "benchmark-only-secret-key-not-used-anywhere-else",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "off",
    }


_static_root = None
# collectstatic's storage for the benchmarks: the same hashed names and manifest as the site's
# (WhiteNoise's CompressedManifestStaticFilesStorage reads it), without the gzip and Brotli copies
# of every file, which take minutes to make and which no measured page reads.
_BENCHMARK_STATIC_STORAGES = {
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
}


def static_root(database_url):
    """A temporary STATIC_ROOT with the static files collected, once per benchmark run (deleted
    when it ends); ``database_url`` only for the settings to load. With DEBUG off, the site's
    ``{% static %}`` reads the collected manifest: without it every page fails ("Missing
    staticfiles manifest entry")."""
    global _static_root
    if _static_root is None:
        directory = tempfile.mkdtemp(prefix="percolateur-bench-static-")
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        started = time.perf_counter()
        collect = (
            "from django.conf import settings\n"
            "from django.core.management import call_command\n"
            "from django.test.utils import override_settings\n"
            f"storages = {{**settings.STORAGES, **{_BENCHMARK_STATIC_STORAGES!r}}}\n"
            "with override_settings(STORAGES=storages):\n"
            "    call_command('collectstatic', interactive=False, verbosity=0)\n"
        )
        subprocess.run(
            [PYTHON, "manage.py", "shell", "--verbosity", "0", "-c", collect],
            cwd=REPOSITORY,
            # No database is read (it may not exist yet): the settings only need its URL.
            env={**_settings_environment(database_url), "STATIC_ROOT": directory},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        _static_root = directory
        log(f"static files collected in {time.perf_counter() - started:.1f} s")
    return _static_root


def manage(database_url, *command, **extra_environment):
    subprocess.run(
        [PYTHON, "manage.py", *command],
        cwd=REPOSITORY,
        env={**environment(database_url), **extra_environment},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def stop_on_sigterm():
    """A SIGTERM (a job stopped, a terminal closed) ends the benchmark as Ctrl-C does: its servers
    stopped and its databases dropped by the ``finally`` that holds them."""
    signal.signal(signal.SIGTERM, lambda number, _frame: sys.exit(128 + number))


def prepare(database, reuse=False):
    """``database`` as the site's set-up leaves it: created, migrated, with every territory and the
    seed; with ``reuse``, the one that ``--keep`` left, as it is."""
    if reuse:
        if not database.exists():
            raise SystemExit(f"--reuse: there is no {database} to reuse (run once with --keep)")
        log(f"reusing {database}")
        return
    started = time.perf_counter()
    log(f"creating {database}")
    database.create()
    for command in (("migrate", "--noinput"), ("load_territories",), ("load_seed",)):
        log(f"{' '.join(command)}: {timed(manage, database.url, *command):.1f} s")
    log(f"set-up done in {time.perf_counter() - started:.0f} s")


def in_project(database, module, function, **orders):
    """The JSON answer of ``function`` of the benchmark ``module``, run inside ``manage.py shell`` on
    ``database`` with ``orders`` in its environment (this directory on its path); ``function``
    gives it with ``answer``."""
    with tempfile.NamedTemporaryFile(suffix=".json") as output:
        manage(
            database.url,
            "shell",
            "--verbosity",
            "0",
            "-c",
            f"from {module} import {function}; {function}()",
            PYTHONPATH=str(Path(__file__).resolve().parent),
            BENCH_OUTPUT=output.name,
            **{name: str(value) for name, value in orders.items()},
        )
        return json.loads(Path(output.name).read_text())


def count_queries(database, paths, requests, floor=False, settings=None, fiche=None, **orders):
    """database_floor.py's answer for ``paths``, ``requests`` each, run inside ``manage.py shell``
    (with ``settings``, and ``fiche`` for the fiche's slug, when given; ``orders`` go to its
    environment too): see its docstring."""
    environment = {"BENCH_PATHS": json.dumps(paths), "BENCH_REQUESTS": requests, "BENCH_FLOOR": int(floor)}
    if settings:
        environment["DJANGO_SETTINGS_MODULE"] = settings
    if fiche:
        environment["BENCH_FICHE"] = fiche
    return in_project(database, "database_floor", "main", **environment, **orders)


def keep_or_drop(database, keep):
    """At a benchmark's end: its database kept for ``--reuse`` (``--keep``), or dropped."""
    if keep:
        log(f"kept {database}")
    else:
        database.drop()


def answer(result):
    """What a function run by ``in_project`` gives back."""
    with open(os.environ["BENCH_OUTPUT"], "w") as output:
        json.dump(result, output)


def timed(function, *arguments):
    started = time.perf_counter()
    function(*arguments)
    return time.perf_counter() - started


def connect(database_url, dbname=None):
    """A connection to the database of ``database_url``, or to ``dbname`` on the same server."""
    parts = urllib.parse.urlsplit(database_url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname=dbname or parts.path.lstrip("/"),
        autocommit=True,
    )


def _admin_connection(database_url):
    return connect(database_url, "postgres"), urllib.parse.urlsplit(database_url).path.lstrip("/")


def recreate_database(database_url):
    connection, name = _admin_connection(database_url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(database_url):
    connection, name = _admin_connection(database_url)
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PostGIS:
    """A PostGIS database of the server that ``url`` names, which the benchmark may create and drop."""

    name = "PostGIS"
    key = "postgis"

    def __init__(self, url):
        self.url = url

    def __str__(self):
        return self.url

    def create(self):
        recreate_database(self.url)

    def drop(self):
        drop_database(self.url)

    def exists(self):
        connection, name = _admin_connection(self.url)
        with connection:
            return (
                connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
                is not None
            )

    def value(self, query):
        """The first column of the first row of ``query``."""
        with connect(self.url) as connection:
            return connection.execute(query).fetchone()[0]

    def compact(self):
        """Tables rewritten compactly and statistics refreshed, as a database in service has them."""
        with connect(self.url) as connection:
            # generate_demo writes each initiative, then its search text, then its search vector:
            # three versions of each row, and a table twice the size it would be in service (351 MB
            # instead of 183 MB at 100,000), which every full scan would pay for. FULL rewrites it.
            connection.execute("VACUUM FULL catalogue_initiative")
            connection.execute("VACUUM ANALYZE")

    def versions(self):
        with connect(self.url) as connection:
            postgresql, postgis = connection.execute(
                "SELECT current_setting('server_version'), postgis_lib_version()"
            ).fetchone()
        return f"PostgreSQL {postgresql.split()[0]}, PostGIS {postgis}"


class SpatiaLite:
    """A SpatiaLite file at ``path`` (absolute), which the benchmark may create and delete."""

    name = "SpatiaLite"
    key = "spatialite"

    def __init__(self, path):
        self.path = Path(path).resolve()
        self.url = f"spatialite:///{self.path}"  # four slashes before an absolute path

    def __str__(self):
        return str(self.path)

    def create(self):
        """An empty file's place: ``migrate`` creates the file and SpatiaLite's own tables."""
        self.drop()
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def drop(self):
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def exists(self):
        return self.path.exists()

    def _connect(self):
        connection = sqlite3.connect(self.path)
        # The spatial tables' triggers and virtual tables call SpatiaLite's functions.
        connection.enable_load_extension(True)
        connection.load_extension(os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite"))
        return connection

    def value(self, query):
        connection = self._connect()
        try:
            return connection.execute(query).fetchone()[0]
        finally:
            connection.close()

    def compact(self):
        """Statistics for the query planner (SQLite's planner reads them from sqlite_stat1)."""
        connection = self._connect()
        try:
            connection.execute("ANALYZE")
        finally:
            connection.close()

    def versions(self):
        connection = self._connect()
        try:
            sqlite, spatialite = connection.execute(
                "SELECT sqlite_version(), spatialite_version()"
            ).fetchone()
        finally:
            connection.close()
        return f"SQLite {sqlite}, SpatiaLite {spatialite}"


def free_port():
    """A TCP port of 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class server:
    """``manage.py runserver`` on a free port of 127.0.0.1, for the duration of a ``with``; with the
    site's settings unless ``settings`` names another module."""

    def __init__(self, database_url, settings=SETTINGS):
        self.database_url = database_url
        self.settings = settings

    @staticmethod
    def address(port):
        return f"127.0.0.1:{port}"

    def __enter__(self):
        port = free_port()
        self.process = subprocess.Popen(
            # One thread, as one worker of a production server: its database connection is reused.
            [
                PYTHON,
                "manage.py",
                "runserver",
                "--noreload",
                "--nothreading",
                "--skip-checks",
                self.address(port),
            ],
            cwd=REPOSITORY,
            env=environment(self.database_url, self.settings),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/territoires/suggestions.json?q=lille", timeout=1)
                return base
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("runserver did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait()
