"""Measures the territories' budgets: loading the whole of France, and the place suggestions.

    .venv/bin/python benchmarks/territories.py
    .venv/bin/python benchmarks/territories.py --postgis postgis://postgres@127.0.0.1:5432/percolateur_bench

1. ``manage.py load_territories`` into a fresh database, then a second time (nothing to change), on
   SpatiaLite (a file under var/) and on PostGIS (a database created, then dropped, for the purpose).
2. ``/territoires/suggestions.json`` on PostGIS through HTTP (``manage.py runserver --nothreading``,
   one request at a time, as one worker of a production server): median and 95th percentile per
   query over ``--repeat`` requests, and the answer's size.

Figures depend on the machine: run it on the one you report for, and write the table in the README.
The budget (DESIGN.md): place suggestions under 20 ms.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg

REPOSITORY = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
QUERIES = [
    "Lille",
    "59000",
    "pont a marcq",
    "PEVELE carembault",
    "Nord",
    "Hauts de France",
    "saint",
    "59710",
    "st omer",
    "2A",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgis",
        default=os.environ.get("BENCH_DATABASE_URL", "postgis://postgres@127.0.0.1:5432/percolateur_bench"),
        help="a database URL whose database this script may create and drop",
    )
    parser.add_argument("--repeat", type=int, default=100)
    arguments = parser.parse_args()

    spatialite = REPOSITORY / "var" / "benchmark.sqlite3"
    spatialite.unlink(missing_ok=True)
    rows = []
    try:
        for label, url in (("SpatiaLite", f"spatialite:///{spatialite}"), ("PostGIS", arguments.postgis)):
            if label == "PostGIS":
                recreate_database(url)
            manage(url, "migrate", "--noinput", "--verbosity", "0")
            first = timed(manage, url, "load_territories")
            second = timed(manage, url, "load_territories")
            rows.append((label, first, second))
        print("\nload_territories (36,249 territories)")
        print(f"{'database':<12} {'first load':>12} {'second load':>12}")
        for label, first, second in rows:
            print(f"{label:<12} {first:>10.1f} s {second:>10.1f} s")

        print(f"\n/territoires/suggestions.json on PostGIS, {arguments.repeat} requests per query")
        print(f"{'query':<20} {'median':>9} {'p95':>9} {'results':>8} {'bytes':>7}")
        with server(arguments.postgis) as base:
            for query in QUERIES:
                times, size, count = measure(base, query, arguments.repeat)
                p95 = statistics.quantiles(times, n=20)[-1]
                print(f"{query:<20} {statistics.median(times):>6.1f} ms {p95:>6.1f} ms {count:>8} {size:>7}")
    finally:
        spatialite.unlink(missing_ok=True)
        drop_database(arguments.postgis)


def environment(database_url):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "off",
        "SECRET_KEY": "benchmark-only-secret-key-not-used-anywhere-else",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "off",
    }


def manage(database_url, *command, **extra_environment):
    subprocess.run(
        [PYTHON, "manage.py", *command],
        cwd=REPOSITORY,
        env={**environment(database_url), **extra_environment},
        check=True,
        stdout=subprocess.DEVNULL,
    )


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


class server:
    """``manage.py runserver`` on a free port of 127.0.0.1, for the duration of a ``with``."""

    def __init__(self, database_url):
        self.database_url = database_url

    @staticmethod
    def address(port):
        return f"127.0.0.1:{port}"

    def __enter__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
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
            env=environment(self.database_url),
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


def measure(base, query, repeat):
    url = f"{base}/territoires/suggestions.json?{urllib.parse.urlencode({'q': query})}"
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        with urllib.request.urlopen(url) as response:
            body = response.read()
        times.append((time.perf_counter() - started) * 1000)
    return times, len(body), len(json.loads(body)["results"])


if __name__ == "__main__":
    main()
