"""The production command itself (``scripts/serve.sh``), started as an operator starts it, on a
database of its own: its deployment checks pass, its static files come with far-future cache
headers, its health page and error pages are the site's, in French, its logs are JSON lines, and a
database that stops answering gives the 503 page, then the site again once it is back.

One server for the module (starting it migrates a new database and collects the static files, about
a minute), so its tests run in one pytest-xdist worker (``xdist_group``, scripts/test.sh runs with
``--dist loadgroup``). The test that stops the database comes last.
"""

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

pytestmark = pytest.mark.xdist_group("production_server")

REPOSITORY = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 300
ONE_YEAR = 365 * 24 * 3600


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode()


def fetch(url, headers=None, data=None, timeout=20):
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Response(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers, error.read())


class Database:
    """A database of the server's own, on the engine the suite runs on, and a way to make it stop
    answering new connections and answer again, as a restart or a failover does."""

    def __init__(self, directory):
        engine = settings.DATABASES["default"]["ENGINE"]
        self.postgres = "postgis" in engine or "postgresql" in engine
        if self.postgres:
            default = settings.DATABASES["default"]
            self.name = f"percolateur_serve_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
            self.admin = {
                "host": default["HOST"] or "127.0.0.1",
                "port": default["PORT"] or 5432,
                "user": default["USER"],
                "password": default["PASSWORD"] or None,
                "dbname": "postgres",
                "autocommit": True,
            }
            self._sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)', f'CREATE DATABASE "{self.name}"')
            credentials = default["USER"] + (f":{default['PASSWORD']}" if default["PASSWORD"] else "")
            self.url = f"postgis://{credentials}@{self.admin['host']}:{self.admin['port']}/{self.name}"
        else:
            self.folder = directory / "database"
            self.folder.mkdir()
            self.url = f"spatialite:///{self.folder / 'percolateur.sqlite3'}"

    def _sql(self, *statements):
        with psycopg.connect(**self.admin) as connection:
            for statement in statements:
                connection.execute(statement)

    def stop_answering(self):
        if self.postgres:
            self._sql(
                f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS false',
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                f"WHERE datname = '{self.name}' AND pid <> pg_backend_pid()",
            )
        else:
            self.folder.rename(self.folder.with_name("database-away"))

    def answer_again(self):
        if self.postgres:
            self._sql(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS true')
        else:
            self.folder.with_name("database-away").rename(self.folder)

    def drop(self):
        if self.postgres:
            self._sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("production")
    database = Database(directory)
    port = free_port()
    # The production settings (config.settings.base), not the tests', nor what the browser tests set
    # for themselves (Django's async safety is lifted in their process only).
    left_out = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environment = {name: value for name, value in os.environ.items() if name not in left_out}
    environment.update(
        DATABASE_URL=database.url,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on 127.0.0.1, where a proxy would redirect to HTTPS.
        SECURE_SSL_REDIRECT="off",
        STATIC_ROOT=str(directory / "static"),
        PORT=str(port),
        WEB_CONCURRENCY="2",
        # A new connection for every request, so that the database's state is seen at once.
        CONN_MAX_AGE="0",
    )
    log_path = directory / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            ["bash", "scripts/serve.sh"],
            cwd=REPOSITORY,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"scripts/serve.sh stopped ({process.returncode}):\n{log_path.read_text()}")
            try:
                if fetch(f"{base}/sante/", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"scripts/serve.sh took over {STARTUP_SECONDS} s to answer:\n{log_path.read_text()}"
                )
            time.sleep(0.5)
        yield type("Server", (), {"url": base, "database": database, "log": log_path})
    finally:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
        database.drop()
        shutil.rmtree(directory / "static", ignore_errors=True)


def test_the_deployment_checks_pass_and_the_static_files_are_collected(server):
    log = server.log.read_text()
    assert "System check identified no issues" in log
    # Every stylesheet under a name that carries its hash, with its compressed versions.
    static = Path(server.log).parent / "static" / "css"
    assert any(re.fullmatch(r"site\.[0-9a-f]{12}\.css", path.name) for path in static.iterdir())
    assert any(path.name.endswith(".css.gz") for path in static.iterdir())


def test_static_files_are_served_compressed_with_far_future_cache_headers(server):
    page = fetch(f"{server.url}/")
    assert page.status == 200
    [stylesheet] = re.findall(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page.text)

    for encoding in ("br", "gzip"):
        answer = fetch(server.url + stylesheet, headers={"Accept-Encoding": encoding})
        assert answer.status == 200
        assert answer.headers["Content-Encoding"] == encoding
        cache_control = answer.headers["Cache-Control"]
        assert "immutable" in cache_control and "public" in cache_control
        assert int(re.search(r"max-age=(\d+)", cache_control).group(1)) >= ONE_YEAR

    # The same file under its plain name is served too, but kept only briefly: it may change.
    plain = fetch(f"{server.url}/static/css/site.css")
    assert plain.status == 200
    assert int(re.search(r"max-age=(\d+)", plain.headers["Cache-Control"]).group(1)) < 24 * 3600


def test_the_health_page_says_the_database_answers(server):
    answer = fetch(f"{server.url}/sante/")
    assert answer.status == 200
    body = json.loads(answer.body)
    assert body["status"] == "ok"
    assert body["databases"] == {"default": "ok"}
    assert "no-store" in answer.headers["Cache-Control"]


def test_the_error_pages_are_the_sites_own_in_french(server):
    missing = fetch(f"{server.url}/cette-page-n-existe-pas/")
    assert missing.status == 404
    assert "<title>Page introuvable · Percolateur</title>" in missing.text
    assert 'href="/"' in missing.text

    # A host that the site does not serve: Django refuses it with its 400 page.
    refused_host = fetch(f"{server.url}/", headers={"Host": "ailleurs.example"})
    assert refused_host.status == 400
    assert "Requête incomprise" in refused_host.text

    # A form sent without its token (the language switch here).
    forged = fetch(f"{server.url}/i18n/setlang/", data=b"language=en")
    assert forged.status == 403
    assert "Le formulaire a expiré" in forged.text
    assert "Traceback" not in forged.text + missing.text + refused_host.text


def test_each_request_is_logged_as_a_json_line(server):
    fetch(f"{server.url}/sante/?journal=1")
    time.sleep(0.5)
    records = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
    health = [record for record in records if record.get("path") == "/sante/"][-1]
    assert health["status"] == 200
    assert health["logger"] == "percolateur.requests"
    assert isinstance(health["duration_ms"], float)
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", health["time"])


def test_a_database_that_stops_answering_gives_the_503_page_then_the_site_again(server):
    assert fetch(f"{server.url}/").status == 200
    server.database.stop_answering()
    try:
        page = fetch(f"{server.url}/")
        health = fetch(f"{server.url}/sante/")
    finally:
        server.database.answer_again()

    assert page.status == 503
    assert page.headers["Retry-After"] == "5"
    assert "Momentanément indisponible" in page.text
    assert "Traceback" not in page.text and "Internal Server Error" not in page.text
    assert health.status == 503
    assert json.loads(health.body)["databases"] == {"default": "unavailable"}

    # Back by itself: no restart of the server.
    deadline = time.monotonic() + 10
    while fetch(f"{server.url}/").status != 200:
        assert time.monotonic() < deadline, "the site did not come back within 10 s"
        time.sleep(0.2)
    assert fetch(f"{server.url}/sante/").status == 200
