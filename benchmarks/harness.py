"""What the benchmarks share: databases created and dropped for them, ``manage.py`` and
``runserver`` in subprocesses with production-like settings, and a timer.

The project's code runs in those subprocesses only, from the repository's root, so that a benchmark
measures the site as a worker of a production server runs it.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg

REPOSITORY = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


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
