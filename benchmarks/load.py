"""Measures the site under load and under faults, through the production server (scripts/serve.sh),
beside a tutorial's deployment of the same site and beside the floors of the server and of the
database. On 127.0.0.1 only; it stops by itself.

    .venv/bin/python benchmarks/load.py                               # 100,000 initiatives, 50 clients, 60 s
    .venv/bin/python benchmarks/load.py --count 2000 --duration 10    # a quick look
    .venv/bin/python benchmarks/load.py --keep                        # keep the database, then:
    .venv/bin/python benchmarks/load.py --reuse                       # no set-up, no generation

1. Its own PostGIS database (``--database``, percolateur_load: created, migrated, the territories and
   the seed loaded, ``generate_demo`` up to ``--count`` demo initiatives, compacted; dropped at the
   end unless ``--keep``; ``--reuse`` takes the one that ``--keep`` left). Then ``scripts/serve.sh``
   on a free port of 127.0.0.1, as in production (gunicorn, its workers from the CPU count, the cache
   in Redis database 7, which is flushed first), until ``/sante/`` answers. The API's rate limit is
   lifted (every client has the same address), logs are kept at WARNING.
2. The clients are asyncio tasks sharing one httpx client, each with its own connection, asking for
   a weighted mix of pages (``WEIGHTS``): the list with filters, searches, map data for viewports of
   every size from France to a few streets, fiches and the API, drawn at random from the data (so
   that the cache cannot answer everything: the output says what share of the URLs asked repeated
   an earlier one). Two kinds of client:
   - **closed loop** (``--clients``, 50): each asks again as soon as it has its answer, with no
     think time. They keep the server saturated, so they measure its throughput; their latency is
     mostly queueing, set by Little's law (clients ÷ throughput), not what a visitor feels.
   - **users** (as many): each reads for 1 to 3 seconds between pages, as people do. Their latency
     is what a visitor feels at that many visitors at once; the goal (p95 < 300 ms, no error) is
     judged on them.
   Each phase: requests, requests per second, p50, p95, p99 and max of the answers' times, errors by
   kind (HTTP status, timeout, connection), and the times per kind of page.
3. Phases, after a warm-up that is not counted: the floor of the server (``/sante/``, one
   ``SELECT 1``, under the closed-loop clients), one client alone (each page's own time, no queue:
   what dominates the latency), the closed-loop load, the users, the cache stopped
   (Redis shut down, the closed-loop load again, Redis restarted in any case), PostgreSQL restarted
   in the middle of a closed-loop load (``pg_ctlcluster … restart``: every answer that is not a 200
   must be the site's 503 page, and the site must answer again within seconds by itself). The
   restart is skipped, saying why, when another database of the server is in use (other people's
   tests), unless ``--restart-postgres-anyway``; the same for Redis when clients use another of its
   databases, unless ``--stop-redis-anyway``.
4. The ratios: the same closed-loop mix against the tutorial's deployment of the same code (``gunicorn
   config.wsgi`` with gunicorn's defaults: one sync worker, Django's default cache, the local memory
   of that process, and a new database connection per request, ``CONN_MAX_AGE=0``), for a third of
   the time; and the database's floor of the pages, ``benchmarks/database_floor.py`` (``EXPLAIN
   ANALYZE`` of each page's queries, with no cache) on a sample of the mix.
5. A Markdown table on stdout, ready for the README (``--json PATH`` for the figures); progress on
   stderr.

The clients run on the same two cores as the server and PostgreSQL: their own CPU time is reported.
"""

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import httpx
from catalogue_budgets import bring_demo_data_to
from harness import (
    REPOSITORY,
    PostGIS,
    connect,
    count_queries,
    environment,
    free_port,
    keep_or_drop,
    log,
    prepare,
    stop_on_sigterm,
    timed,
)

DEFAULT_DATABASE = "postgis://postgres@127.0.0.1:5432/percolateur_load"
CACHE_URL = "redis://127.0.0.1:6379/7"
REDIS_PORT = "6379"
REDIS_DATABASE = "7"
# How this machine starts its Redis server.
REDIS_START = shlex.split(
    f'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port {REDIS_PORT} --save "" --appendonly no '
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)
GOAL_P95_MS = 300
FRANCE = "-5.5,41.2,9.8,51.2"
# The mix: of a hundred requests, how many of each kind. A visit to the map asks for map data at
# each move, hence its weight.
WEIGHTS = {"list": 25, "search": 15, "map": 30, "fiche": 20, "API": 10}
THINK_SECONDS = (1.0, 3.0)
WARM_UP_SECONDS = 10
SERVER_START_SECONDS = 900  # serve.sh collects and compresses the static files first: minutes here
RESTART_COMMAND_SECONDS = 120
# PostgreSQL and Redis are stopped only once nobody else has used them for this long.
QUIET_SECONDS = 10
# PostgreSQL is restarted after this long under load; the phase goes on until the site has answered
# again for as long, and stops anyway after --restart-window seconds.
RESTART_AFTER_SECONDS = 5
ERROR_PAGE_WORDS = ("Traceback", "Internal Server Error", "Server Error (500)")


def main():
    arguments = parse_arguments()
    stop_on_sigterm()
    started = time.perf_counter()
    database = PostGIS(arguments.database)
    report = {
        "count": arguments.count,
        "clients": arguments.clients,
        "duration": arguments.duration,
        "floor_sample": arguments.floor_sample,
    }
    redis_stopped = [False]
    try:
        prepare(database, arguments.reuse)
        generation = bring_demo_data_to(database, arguments.count)
        if generation:
            log(f"compacted and analysed in {timed(database.compact):.1f} s")
        report["versions"] = database.versions()
        mix = Mix.from_database(database, random.Random(arguments.seed))
        report["published"] = len(mix.slugs)
        report["error_page_title"] = error_page_title(database)
        report["load_before"] = os.getloadavg()
        asyncio.run(measure_production(database, mix, arguments, report, redis_stopped))
        asyncio.run(measure_tutorial(database, mix, arguments, report))
        report["floor"] = database_floor(database, mix, arguments.floor_sample)
        report["load_after"] = os.getloadavg()
        print_report(report, arguments)
        if arguments.json:
            Path(arguments.json).write_text(json.dumps(plain(report), indent=2, default=str))
    finally:
        if redis_stopped[0] or not redis_answers():
            start_redis()
        check_postgresql(database)
        keep_or_drop(database, arguments.keep)
        log(f"done in {time.perf_counter() - started:.0f} s")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default=DEFAULT_DATABASE, help="a PostGIS URL whose database this script may drop"
    )
    parser.add_argument("--count", type=int, default=100_000, help="demo initiatives (default: %(default)s)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default: %(default)s)")
    parser.add_argument(
        "--duration", type=float, default=60, help="seconds of each load phase (default: %(default)s)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30,
        help="seconds before a request is a timeout (default: %(default)s)",
    )
    parser.add_argument(
        "--restart-window",
        type=float,
        default=90,
        help="the PostgreSQL restart's phase stops after this many seconds anyway (default: %(default)s)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=60,
        help="before stopping PostgreSQL or Redis, wait this long at most for their other users to "
        "finish (default: %(default)s)",
    )
    parser.add_argument("--restart-postgres-anyway", action="store_true")
    parser.add_argument("--stop-redis-anyway", action="store_true")
    parser.add_argument("--skip-faults", action="store_true", help="no PostgreSQL restart, no Redis stop")
    parser.add_argument(
        "--floor-sample", type=int, default=4, help="URLs of each kind for the database floor (default: 4)"
    )
    parser.add_argument("--seed", type=int, default=15, help="of the random URLs (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--reuse", action="store_true", help="take the database that --keep left")
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args()


# --- The mix of URLs --------------------------------------------------------------------------------


class Mix:
    """Random URLs of each kind of page, drawn from the data of the database."""

    def __init__(self, rng, slugs, points, facets, departements, towns, words):
        self.rng = rng
        self.slugs = slugs
        self.points = points
        self.facets = facets  # {param: [values]}
        self.departements = departements
        self.towns = towns
        self.words = words

    @classmethod
    def from_database(cls, database, rng):
        with connect(database.url) as connection:

            def column(query):
                return [row[0] for row in connection.execute(query)]

            published = "FROM catalogue_initiative WHERE status = 'published'"
            slugs = column(f"SELECT slug {published} ORDER BY id")
            points = connection.execute(
                f"SELECT ST_X(location), ST_Y(location) {published} AND location IS NOT NULL "
                "ORDER BY md5(slug) LIMIT 5000"
            ).fetchall()
            facets = {
                "type": column("SELECT slug FROM catalogue_kind"),
                "theme": column("SELECT slug FROM catalogue_theme"),
                "forme": column("SELECT slug FROM catalogue_legalform"),
                "densite": column(
                    "SELECT DISTINCT density_class FROM territories_territory WHERE density_class <> ''"
                ),
            }
            departements = column(
                "SELECT name || ' (' || code || ')' FROM territories_territory WHERE kind = 'departement'"
            )
            towns = column(
                "SELECT t.name || ' (' || d.code || ')' FROM territories_territory t "
                "JOIN territories_territory d ON d.id = t.departement_id "
                "WHERE t.kind = 'commune' AND t.population > 20000"
            )
            words = column(
                "SELECT word FROM catalogue_searchword WHERE initiatives >= 3 AND length(word) >= 4 "
                "ORDER BY md5(word) LIMIT 400"
            )
        if not slugs:
            raise SystemExit("no published initiative in the database")
        return cls(rng, slugs, points, facets, departements, towns, words)

    def draw(self):
        """(kind, path) of one request."""
        kind = self.rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        return kind, getattr(self, f"_{kind.lower()}")()

    def _filters(self, most):
        pairs = []
        for _ in range(self.rng.randint(0, most)):
            param = self.rng.choice([*self.facets, "territoire", "pres_de"])
            if param == "territoire":
                pairs.append((param, self.rng.choice(self.departements)))
            elif param == "pres_de":
                pairs += [(param, self.rng.choice(self.towns)), ("rayon", self.rng.choice([10, 20, 50]))]
            else:
                pairs.append((param, self.rng.choice(self.facets[param])))
        return pairs

    def _query(self, pairs):
        return "?" + urllib.parse.urlencode(pairs) if pairs else ""

    def _list(self):
        pairs = self._filters(3)
        if not pairs and self.rng.random() < 0.3:  # (a filtered list may have fewer pages: a 404)
            pairs.append(("page", self.rng.randint(2, 4)))
        return "/" + self._query(pairs)

    def _search(self):
        words = self.rng.sample(self.words, self.rng.choice([1, 1, 2]))
        if self.rng.random() < 0.15:  # a typo: two letters swapped
            word = words[0]
            at = self.rng.randrange(len(word) - 1)
            words[0] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        pairs = [("q", " ".join(words)), *self._filters(1)]
        return "/" + self._query(pairs)

    def _map(self):
        if self.rng.random() < 0.15:
            bbox = FRANCE  # the view every visitor of the map gets first
        else:
            x, y = self.rng.choice(self.points)
            width = self.rng.choice([4.0, 1.0, 0.25, 0.06, 0.015])
            height = width / 1.6
            bbox = ",".join(f"{value:.4f}" for value in (x - width, y - height, x + width, y + height))
        pairs = [("bbox", bbox)]
        if self.rng.random() < 0.25:
            param = self.rng.choice(["type", "forme", "theme"])
            pairs.append((param, self.rng.choice(self.facets[param])))
        return "/carte.geojson" + self._query(pairs)

    def _fiche(self):
        return f"/initiatives/{self.rng.choice(self.slugs)}/"

    def _api(self):
        if self.rng.random() < 0.5:
            return f"/api/v1/initiatives/{self.rng.choice(self.slugs)}/"
        pairs = self._filters(1)
        if not pairs and self.rng.random() < 0.3:
            pairs.append(("page", self.rng.randint(2, 5)))
        return "/api/v1/initiatives.geojson" + self._query(pairs)

    def sample(self, per_kind):
        """``per_kind`` paths of each kind, for the database floor."""
        return {kind: [getattr(self, f"_{kind.lower()}")() for _ in range(per_kind)] for kind in WEIGHTS}


# --- The clients ------------------------------------------------------------------------------------


class Answer(NamedTuple):
    kind: str
    path: str
    started: float  # time.monotonic()
    ms: float
    status: int | None  # None: no HTTP answer
    error: str  # "" for a 200; else "HTTP 503", "timeout", "connection (ConnectError)"…
    clean: bool  # for an answer that is not a 200: the site's own page (the 503 page for a 503)


async def run_clients(base, mix, clients, until, think=None, timeout=30, paths=None, title=""):
    """The answers of ``clients`` tasks asking for URLs of ``mix`` (or ``paths``, cycled) until the
    awaitable ``until`` is done; each waits ``think`` (a range of seconds) between its requests
    when given. Requests still running then get ``timeout`` seconds to finish."""
    answers = []
    stopping = asyncio.ensure_future(until)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits) as http:

        async def client(number):
            rng = random.Random(number)
            if think:  # people arrive one by one, not all in the same instant
                await asyncio.wait([stopping], timeout=rng.uniform(0, think[1]))
            while not stopping.done():
                kind, path = mix.draw() if paths is None else ("floor", rng.choice(paths))
                answers.append(await ask(http, kind, path, title))
                if think:
                    await asyncio.wait([stopping], timeout=rng.uniform(*think))

        tasks = [asyncio.create_task(client(number)) for number in range(clients)]
        await asyncio.wait([stopping])
        if stopping.exception() is not None:
            log(f"  the phase stopped on {stopping.exception()!r}")
        done, pending = await asyncio.wait(tasks, timeout=timeout + 5)
        for task in pending:
            task.cancel()
        for task in done:
            task.result()  # a bug in a client is not hidden
    return answers


async def ask(http, kind, path, title):
    started = time.monotonic()
    try:
        response = await http.get(path)
    except httpx.TimeoutException:
        return Answer(kind, path, started, 1000 * (time.monotonic() - started), None, "timeout", False)
    except httpx.TransportError as error:
        ms = 1000 * (time.monotonic() - started)
        return Answer(kind, path, started, ms, None, f"connection ({type(error).__name__})", False)
    ms = 1000 * (time.monotonic() - started)
    if response.status_code == 200:
        return Answer(kind, path, started, ms, 200, "", True)
    return Answer(
        kind,
        path,
        started,
        ms,
        response.status_code,
        f"HTTP {response.status_code}",
        is_site_page(response, title),
    )


def is_site_page(response, title):
    """Whether a failed answer is the site's own page rather than a traceback or a server's bare
    error: for a 503, the 503 page (its title, and Retry-After)."""
    body = response.text
    if any(words in body for words in ERROR_PAGE_WORDS):
        return False
    if response.status_code == 503:
        return title in body and "retry-after" in response.headers
    return "<html" in body.lower()


def after(seconds):
    return asyncio.sleep(seconds)


class Phase(NamedTuple):
    """The figures of a phase's answers."""

    name: str
    clients: str
    seconds: float
    requests: int
    per_second: float
    p50: float | None
    p95: float | None
    p99: float | None
    max: float | None
    errors: dict
    kinds: dict  # {kind: {"share", "p50", "p95", "max"}}
    repeated: float  # share of requests whose URL had been asked before in the phase
    client_cpu: float  # share of one core used by this process (the clients)


def figures(name, clients, answers, seconds, cpu_seconds):
    times = [answer.ms for answer in answers if answer.status is not None]
    errors = Counter(answer.error for answer in answers if answer.error)
    kinds = {}
    for kind in sorted(
        {answer.kind for answer in answers},
        key=lambda kind: list(WEIGHTS).index(kind) if kind in WEIGHTS else 99,
    ):
        own = [answer.ms for answer in answers if answer.kind == kind and answer.status is not None]
        kinds[kind] = {
            "share": sum(answer.kind == kind for answer in answers) / len(answers),
            "p50": percentile(own, 50),
            "p95": percentile(own, 95),
            "max": max(own, default=None),
            "errors": sum(bool(answer.error) for answer in answers if answer.kind == kind),
        }
    seen, repeats = set(), 0
    for answer in answers:
        repeats += answer.path in seen
        seen.add(answer.path)
    return Phase(
        name,
        clients,
        seconds,
        len(answers),
        len(answers) / seconds,
        percentile(times, 50),
        percentile(times, 95),
        percentile(times, 99),
        max(times, default=None),
        dict(errors),
        kinds,
        repeats / len(answers) if answers else 0.0,
        cpu_seconds / seconds,
    )


def percentile(values, rank):
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[rank - 1]


async def phase(name, base, mix, arguments, seconds, think=None, paths=None, title="", clients=None):
    """A load of ``seconds`` by ``clients`` (by default ``--clients``) and its figures."""
    clients = clients or arguments.clients
    label = f"{clients} " + ("users" if think else "closed loop")
    log(f"phase {name}: {label}, {seconds:.0f} s…")
    cpu, started = time.process_time(), time.monotonic()
    answers = await run_clients(base, mix, clients, after(seconds), think, arguments.timeout, paths, title)
    result = figures(name, label, answers, time.monotonic() - started, time.process_time() - cpu)
    log(
        f"  {result.requests} requests, {result.per_second:.1f}/s, p50 {_ms(result.p50)}, "
        f"p95 {_ms(result.p95)}, errors {result.errors or 0}"
    )
    return result


# --- The servers ------------------------------------------------------------------------------------


class served:
    """A server started by ``command`` in its own process group, for the duration of a ``with``,
    ready once ``/sante/`` answers 200; its output written to ``log_path``. Stopped (TERM, then KILL)
    at the end, whatever happened."""

    def __init__(self, command, port, env, log_path, start_seconds):
        self.command, self.port, self.env = command, port, env
        self.log_path, self.start_seconds = log_path, start_seconds

    def __enter__(self):
        self.output = open(self.log_path, "w")
        self.process = subprocess.Popen(
            self.command,
            cwd=REPOSITORY,
            env=self.env,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + self.start_seconds
        try:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.command[0]} stopped: {self.tail()}")
                try:
                    if httpx.get(f"{base}/sante/", timeout=2).status_code == 200:
                        return base
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            raise RuntimeError(f"{' '.join(self.command)} did not answer in {self.start_seconds} s")
        except BaseException:
            self.__exit__()
            raise

    def tail(self):
        self.output.flush()
        return Path(self.log_path).read_text()[-2000:]

    def __exit__(self, *exc):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.output.close()


def production_server(database, log_path):
    port = free_port()
    env = {
        **environment(database.url),
        # check --deploy wants 50 characters at least, of many kinds.
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CACHE_URL": CACHE_URL,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "API_RATE_LIMIT": "1000000/min",
    }
    return served(["bash", "scripts/serve.sh"], port, env, log_path, SERVER_START_SECONDS)


def tutorial_server(database, log_path):
    """The tutorial's deployment: ``gunicorn config.wsgi`` and nothing more (one sync worker), Django's
    defaults for the cache (each process's memory) and the connections (one per request)."""
    port = free_port()
    env = {**environment(database.url), "CONN_MAX_AGE": "0", "API_RATE_LIMIT": "1000000/min"}
    env.pop("CACHE_URL", None)
    command = [
        str(REPOSITORY / ".venv" / "bin" / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    return served(command, port, env, log_path, 120)


def workers_of(server):
    """The number of gunicorn workers under the server's process (its children)."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    try:
        return len(children.read_text().split())
    except OSError:
        return None


async def measure_production(database, mix, arguments, report, redis_stopped):
    title = report["error_page_title"]
    with tempfile.TemporaryDirectory(prefix="percolateur-load-") as directory:
        log_path = Path(directory) / "serve.log"
        flush_cache()
        log("starting scripts/serve.sh (setup, check --deploy, migrate, collectstatic, gunicorn)…")
        started = time.monotonic()
        server = production_server(database, log_path)
        with server as base:
            report["server_start_s"] = time.monotonic() - started
            report["workers"] = workers_of(server)
            log(f"serving on {base} with {report['workers']} workers after {report['server_start_s']:.0f} s")
            await phase("warm-up", base, mix, arguments, WARM_UP_SECONDS, title=title)
            phases = report["phases"] = []
            seconds = arguments.duration
            phases.append(
                await phase("floor: /sante/", base, mix, arguments, max(5, seconds / 4), paths=["/sante/"])
            )
            # One request at a time: each page's own time, with no queue.
            one = max(10, seconds / 4)
            phases.append(await phase("one client", base, mix, arguments, one, title=title, clients=1))
            phases.append(await phase("load", base, mix, arguments, seconds, title=title))
            phases.append(
                await phase("users", base, mix, arguments, seconds, think=THINK_SECONDS, title=title)
            )
            if arguments.skip_faults:
                report["cache_stopped"] = report["restart"] = {"skipped": "--skip-faults"}
            else:
                report["cache_stopped"] = await cache_stopped(base, mix, arguments, title, redis_stopped)
                if "phase" in report["cache_stopped"]:
                    phases.append(report["cache_stopped"].pop("phase"))
                report["restart"] = await postgresql_restart(database, base, mix, arguments, title)
                if "phase" in report["restart"]:
                    phases.append(report["restart"].pop("phase"))
            report["log"] = summarise_log(log_path)


async def measure_tutorial(database, mix, arguments, report):
    with tempfile.TemporaryDirectory(prefix="percolateur-load-") as directory:
        log("starting the tutorial's deployment (gunicorn config.wsgi, 1 worker, no shared cache)…")
        with tutorial_server(database, Path(directory) / "gunicorn.log") as base:
            seconds = max(10, arguments.duration / 3)
            title = report["error_page_title"]
            await phase("tutorial: warm-up", base, mix, arguments, WARM_UP_SECONDS / 2, title=title)
            report["phases"].append(await phase("tutorial: load", base, mix, arguments, seconds, title=title))


def summarise_log(log_path):
    """How many lines the production server logged, by logger and level (JSON lines)."""
    lines = Counter()
    for line in Path(log_path).read_text().splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        lines[f"{record.get('logger', '?')} {record.get('level', '?')}"] += 1
    return dict(lines)


# --- The faults -------------------------------------------------------------------------------------


def redis(*command, timeout=10):
    return subprocess.run(
        ["redis-cli", "-p", REDIS_PORT, *command], capture_output=True, text=True, timeout=timeout
    )


def redis_answers():
    try:
        return redis("ping", timeout=3).stdout.strip() == "PONG"
    except (OSError, subprocess.TimeoutExpired):
        return False


def flush_cache():
    """Empties the benchmark's own Redis database, and only it."""
    if redis("-n", REDIS_DATABASE, "flushdb").stdout.strip() != "OK":
        raise SystemExit(f"Redis does not answer on port {REDIS_PORT}")


def start_redis():
    log("starting Redis again")
    subprocess.run(REDIS_START, check=False, timeout=30, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not redis_answers():
        if time.monotonic() > deadline:
            log("✗ Redis did not start again: start it by hand: " + " ".join(REDIS_START))
            return
        time.sleep(0.2)


def other_redis_clients():
    """Redis databases that clients other than ours (the site's database 7, this redis-cli) use."""
    listing = redis("client", "list").stdout
    return sorted(
        {
            match.group(1)
            for match in re.finditer(r"\bdb=(\d+)\b.*\bcmd=(\S+)", listing)
            if match.group(1) != REDIS_DATABASE and not match.group(2).startswith("client")
        }
    )


async def wait_until_alone(find_others, anyway, wait_seconds, what):
    """None once nobody else has used the server for ``QUIET_SECONDS`` on end (looked at twice a
    second, for ``wait_seconds`` at most), else why the phase is skipped (None with ``anyway``). A
    test session may hold no connection for a moment, between two tests: one quiet look is not
    enough."""
    deadline = time.monotonic() + wait_seconds + QUIET_SECONDS
    quiet_since, said = None, 0.0
    while time.monotonic() < deadline:
        others, now = find_others(), time.monotonic()
        if not others:
            quiet_since = quiet_since or now
            if now - quiet_since >= QUIET_SECONDS:
                return None
        else:
            quiet_since = None
            if now - said >= 5:
                log(f"  {what} is used by others ({', '.join(others)}): waiting…")
                said = now
        await asyncio.sleep(0.5)
    if anyway:
        log(f"  {what} is used by others ({', '.join(others)}), going on anyway as asked")
        return None
    return f"{what} was in use by others ({', '.join(others) or 'a moment before'})"


async def cache_stopped(base, mix, arguments, title, redis_stopped):
    """Redis shut down, the closed-loop load, Redis started again (always)."""
    why = await wait_until_alone(
        lambda: [f"db {db}" for db in other_redis_clients()],
        arguments.stop_redis_anyway,
        arguments.quiet_wait,
        "Redis",
    )
    if why:
        log(f"✗ cache stopped: skipped, {why}; --stop-redis-anyway to stop it all the same")
        return {"skipped": why}
    log("stopping Redis (shutdown nosave)")
    redis_stopped[0] = True
    try:
        redis("shutdown", "nosave")
        if redis_answers():
            return {"skipped": "Redis did not stop"}
        result = await phase("cache stopped", base, mix, arguments, arguments.duration, title=title)
        return {"phase": result}
    finally:
        start_redis()
        redis_stopped[0] = not redis_answers()


def postgresql_cluster(database):
    """(version, name) of the cluster that listens on the database's port, from pg_lsclusters."""
    port = str(urllib.parse.urlsplit(database.url).port or 5432)
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True, timeout=10
    )
    for line in listing.stdout.splitlines():
        version, name, cluster_port, *_ = line.split()
        if cluster_port == port:
            return version, name
    raise RuntimeError(f"no PostgreSQL cluster on port {port} in pg_lsclusters")


def other_databases_in_use(database):
    name = urllib.parse.urlsplit(database.url).path.lstrip("/")
    with connect(database.url, "postgres") as connection:
        rows = connection.execute(
            "SELECT datname, count(*) FROM pg_stat_activity WHERE datname IS NOT NULL "
            "AND backend_type = 'client backend' AND datname NOT IN (%s, 'postgres') "
            "AND pid <> pg_backend_pid() GROUP BY datname",
            [name],
        ).fetchall()
    return [f"{datname} ({count})" for datname, count in rows]


async def postgresql_restart(database, base, mix, arguments, title):
    """PostgreSQL restarted in the middle of a closed-loop load; /sante/ asked every tenth of a
    second meanwhile."""
    why = await wait_until_alone(
        lambda: other_databases_in_use(database),
        arguments.restart_postgres_anyway,
        arguments.quiet_wait,
        "PostgreSQL",
    )
    if why:
        log(f"✗ PostgreSQL restart: skipped, {why}; --restart-postgres-anyway to restart it all the same")
        return {"skipped": why}
    version, cluster = postgresql_cluster(database)
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart"]
    marks, probes = {}, []
    recovered = asyncio.Event()

    async def restart():
        await asyncio.sleep(RESTART_AFTER_SECONDS)
        others = other_databases_in_use(database)
        if others and not arguments.restart_postgres_anyway:  # someone came in the meantime
            marks["skipped"] = f"PostgreSQL was in use by others ({', '.join(others)})"
            log(f"✗ PostgreSQL restart: skipped, {marks['skipped']}")
            return
        log(f"  {' '.join(command)}")
        marks["restart"] = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        try:
            _, error = await asyncio.wait_for(process.communicate(), RESTART_COMMAND_SECONDS)
            marks["returncode"] = process.returncode
            marks["stderr"] = error.decode()[-500:]
        except TimeoutError:
            process.kill()
            marks["returncode"] = "timeout"
        marks["postgresql_up"] = time.monotonic()
        log(f"  restarted in {marks['postgresql_up'] - marks['restart']:.1f} s")
        try:
            await asyncio.wait_for(recovered.wait(), arguments.restart_window)
        except TimeoutError:
            return
        await asyncio.sleep(RESTART_AFTER_SECONDS)

    async def probe():
        # Under the closed-loop load, /sante/ waits in the same queue as the pages: a long timeout.
        async with httpx.AsyncClient(base_url=base, timeout=arguments.timeout) as http:
            while True:
                try:
                    status = (await http.get("/sante/")).status_code
                except httpx.HTTPError as error:
                    status = type(error).__name__
                probes.append((time.monotonic(), status))
                if "postgresql_up" in marks and status == 200:
                    recovered.set()
                await asyncio.sleep(0.1)

    cpu, started = time.process_time(), time.monotonic()
    prober = asyncio.create_task(probe())
    deadline = asyncio.wait_for(
        restart(), RESTART_AFTER_SECONDS + RESTART_COMMAND_SECONDS + arguments.restart_window + 10
    )
    log(f"phase PostgreSQL restart: {arguments.clients} closed loop…")
    try:
        answers = await run_clients(
            base, mix, arguments.clients, deadline, None, arguments.timeout, title=title
        )
    finally:
        prober.cancel()
    seconds = time.monotonic() - started
    result = figures(
        "PostgreSQL restarted",
        f"{arguments.clients} closed loop",
        answers,
        seconds,
        time.process_time() - cpu,
    )
    return restart_figures(result, answers, probes, marks)


def restart_figures(result, answers, probes, marks):
    """What the restart did: how the answers failed, and when the site answered again. Times are
    those of the answers' ends, when the server sent them: the start of a request under the
    closed-loop load comes a queue's wait earlier."""
    if "skipped" in marks:
        return {"skipped": marks["skipped"]}
    if "restart" not in marks:
        return {"phase": result, "error": "the restart did not run"}
    restart = marks["restart"]
    up = marks.get("postgresql_up", restart)

    def end(answer):
        return answer.started + answer.ms / 1000

    failed = [answer for answer in answers if answer.error]
    health_failed = [at for at, status in probes if at >= restart and status != 200]
    failures = [end(answer) for answer in failed] + health_failed
    last_failure = max(failures, default=restart)
    health_back = min((at for at, status in probes if at > last_failure and status == 200), default=None)
    pages_back = min(
        (end(answer) for answer in answers if end(answer) > last_failure and not answer.error), default=None
    )
    back = max(health_back, pages_back) if health_back and pages_back else None
    window = [answer for answer in answers if restart <= end(answer) <= (back or last_failure)]
    unclean = [answer for answer in failed if not answer.clean]
    return {
        "phase": result,
        "command_s": up - restart,
        "returncode": marks.get("returncode"),
        "failed_before_restart": sum(end(answer) < restart for answer in failed),
        "first_failure_s": min(failures) - restart if failures else None,
        "last_failure_s": last_failure - restart if failures else None,
        "back_after_restart_s": back - restart if back else None,
        "back_after_postgresql_up_s": back - up if back else None,
        "failed_answers": len(failed),
        "during_restart": dict(Counter(answer.status or answer.error for answer in window)),
        "unclean": len(unclean),
        "unclean_examples": [f"{answer.error} {answer.path}" for answer in unclean[:5]],
        # (seconds from the restart's start to the answer, what, its time in ms, the URL)
        "failures": [
            (round(end(answer) - restart, 2), answer.error, round(answer.ms), answer.path)
            for answer in failed
        ],
        "health": [(round(at - restart, 2), status) for at, status in probes if status != 200],
        "health_failures": len(health_failed),
    }


def check_postgresql(database):
    """PostgreSQL answers at the end; started again if it does not."""
    try:
        database.value("SELECT 1")
        return
    except Exception as error:  # whatever psycopg raises for a server that is down
        log(f"✗ PostgreSQL does not answer ({error}): starting it")
    try:
        version, cluster = postgresql_cluster(database)
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "start"],
            timeout=RESTART_COMMAND_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired, RuntimeError) as error:
        log(f"✗ could not start PostgreSQL: {error}")


# --- In the project: the 503 page's title, the database floor -------------------------------------


def error_page_title(database):
    return in_project(database, "answer_error_page_title")["title"]


def answer_error_page_title():
    """Run inside the project: the title of the 503 page, in the site's language."""
    from django.template.loader import render_to_string
    from harness import answer

    page = render_to_string("503.html")
    answer({"title": re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()})


def in_project(database, function, **orders):
    from harness import in_project as harness_in_project

    return harness_in_project(database, "load", function, **orders)


def database_floor(database, mix, per_kind):
    """database_floor.py's floor of a sample of the mix's URLs, with no cache: what the database
    needs for each kind of page (mean of the sample), one request at a time."""
    sample = mix.sample(per_kind)
    paths = [path for paths in sample.values() for path in paths]
    log(f"the database's floor of {len(paths)} URLs of the mix (EXPLAIN ANALYZE, no cache)…")
    pages = count_queries(database, paths, 1, floor=True, fiche=mix.slugs[0], CACHE_URL="dummycache://")[
        "pages"
    ]
    floor = {}
    for kind, kind_paths in sample.items():
        counted = [pages[path] for path in kind_paths]
        floor[kind] = {
            "floor_ms": statistics.mean(page["floor_ms"] or 0 for page in counted),
            "queries": statistics.mean(page["queries"] for page in counted),
            "in_process_ms": statistics.mean(page["elapsed_ms"] for page in counted),
            "statuses": sorted({page["status"] for page in counted}),
        }
    return floor


# --- The report -------------------------------------------------------------------------------------


def print_report(report, arguments):
    phases = {phase.name: phase for phase in report["phases"]}
    load, users = phases["load"], phases["users"]
    print(
        f"\n### Load and faults, {report['count']:,} demo initiatives ({report['published']:,} published)\n\n"
        f"{time.strftime('%Y-%m-%d')}, {report['versions']}, {os.cpu_count()} cores; "
        f"`scripts/serve.sh` (gunicorn, {report['workers']} sync workers, cache in Redis); load average "
        f"{_load(report['load_before'])} before, {_load(report['load_after'])} after. "
        f"Mix of every {sum(WEIGHTS.values())} requests: "
        + ", ".join(f"{weight} {kind}" for kind, weight in WEIGHTS.items())
        + f", URLs drawn at random from the data ({load.repeated:.0%} of the load's requests repeated "
        f"an earlier URL). Closed loop: {arguments.clients} clients asking again at once (throughput; "
        f"their latency is queueing: ≈ clients ÷ req/s). Users: {arguments.clients} clients reading "
        f"{THINK_SECONDS[0]:g}–{THINK_SECONDS[1]:g} s between pages (what a visitor feels). Times "
        f"measured by the clients (httpx, asyncio) on the same machine; their own CPU in the last column.\n"
    )
    print("| phase | clients | s | requests | req/s | p50 | p95 | p99 | max | errors | clients' CPU |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for phase in report["phases"]:
        errors = ", ".join(f"{count} {kind}" for kind, count in sorted(phase.errors.items())) or "0"
        print(
            f"| {phase.name} | {phase.clients} | {phase.seconds:.0f} | {phase.requests:,} | "
            f"{phase.per_second:,.1f} | {_ms(phase.p50)} | {_ms(phase.p95)} | {_ms(phase.p99)} | "
            f"{_ms(phase.max)} | {errors} | {phase.client_cpu:.0%} |"
        )
    goal = users.p95 is not None and users.p95 < GOAL_P95_MS and not users.errors and not load.errors
    print(
        f"\nGoal (users: p95 < {GOAL_P95_MS} ms; no error under load): "
        f"{'✓' if goal else '✗'} (users p95 {_ms(users.p95)}, errors {sum(users.errors.values())} "
        f"users, {sum(load.errors.values())} closed loop).\n"
    )
    print_kinds(report, phases)
    print_faults(report, load)
    print_ratios(report, phases)
    sys.stdout.flush()


def print_kinds(report, phases):
    shown = [
        name for name in ("one client", "load", "users", "cache stopped", "tutorial: load") if name in phases
    ]
    print(
        "| page | share | "
        + " | ".join(f"{name} p50 / p95" for name in shown)
        + " | database floor | queries |"
    )
    print("|---|---|" + "---|" * len(shown) + "---|---|")
    for kind in WEIGHTS:
        cells = []
        for name in shown:
            figures_ = phases[name].kinds.get(kind)
            cells.append(f"{_ms(figures_['p50'])} / {_ms(figures_['p95'])}" if figures_ else "—")
        floor = report["floor"].get(kind, {})
        share = phases["load"].kinds.get(kind, {}).get("share", 0)
        print(
            f"| {kind} | {share:.0%} | "
            + " | ".join(cells)
            + f" | {_ms(floor.get('floor_ms'))} | {floor.get('queries', 0):.1f} |"
        )
    print(
        "\nDatabase floor: `benchmarks/database_floor.py` on "
        f"{report['floor_sample']} URLs of each kind drawn from the mix, "
        "no cache: `EXPLAIN (ANALYZE, TIMING OFF)` of each SELECT, planning included, mean of the sample.\n"
    )


def print_faults(report, load):
    phases = {phase.name: phase for phase in report["phases"]}
    cache = report["cache_stopped"]
    if "skipped" in cache:
        print(f"- **Cache stopped**: skipped ({cache['skipped']}).")
    elif "cache stopped" in phases:
        stopped = phases["cache stopped"]
        errors = sum(stopped.errors.values())
        print(
            f"- **Cache stopped** (Redis shut down for the phase, closed loop): {stopped.per_second:,.1f} "
            f"req/s ({_ratio(stopped.per_second, load.per_second)} the cached load's), p95 "
            f"{_ms(stopped.p95)} ({_ratio(stopped.p95, load.p95)} the cached load's); errors: {errors} "
            f"{'✓' if not errors else '✗'}."
        )
    restart = report["restart"]
    if "skipped" in restart:
        print(f"- **PostgreSQL restarted**: skipped ({restart['skipped']}).")
    elif "error" in restart:
        print(f"- **PostgreSQL restarted**: ✗ {restart['error']}.")
    else:
        print(f"- **PostgreSQL restarted** {restart_sentence(restart)}")
    lines = ", ".join(f"{count} {what}" for what, count in sorted(report["log"].items()))
    print(
        f"- The production server's log (LOG_LEVEL=WARNING), lines by logger and level: {lines or 'none'}.\n"
    )


def restart_sentence(restart):
    during = ", ".join(
        f"{count} × {status}" for status, count in sorted(restart["during_restart"].items(), key=str)
    )
    if restart["unclean"]:
        clean = f"✗ {restart['unclean']} were not: {'; '.join(restart['unclean_examples'])}"
    else:
        clean = "✓"
    back = restart["back_after_restart_s"]
    if not restart["failed_answers"] and not restart["health_failures"]:
        recovery = "no answer failed"
    elif back is None:
        recovery = "✗ the site did not answer 200 again within the phase"
    else:
        recovery = (
            f"answers failed from {restart['first_failure_s']:+.1f} s to {restart['last_failure_s']:+.1f} s "
            f"of the restart's start; /sante/ and the pages answered 200 again {back:.1f} s after it "
            f"({restart['back_after_postgresql_up_s']:+.1f} s from PostgreSQL's being up)"
        )
    return (
        f"in the middle of the closed-loop load (`pg_ctlcluster … restart`, {restart['command_s']:.1f} s): "
        f"answers from the restart until the site answered again: {during}; {restart['failed_answers']} "
        f"failed, each of them the site's 503 page: {clean}; {recovery}."
    )


def print_ratios(report, phases):
    load = phases["load"]
    lines = []
    tutorial = phases.get("tutorial: load")
    if tutorial:
        lines.append(
            "- Against the tutorial's deployment (`gunicorn config.wsgi`: 1 sync worker, each process's "
            "own memory as cache, a connection per request), same code, same mix, closed loop: "
            f"{_ratio(load.per_second, tutorial.per_second)} its throughput, its p95 "
            f"{_ratio(tutorial.p95, load.p95)} ours ({_ms(tutorial.p95)})."
        )
    floor = phases.get("floor: /sante/")
    if floor:
        lines.append(
            "- Against the server's floor (`/sante/`, one `SELECT 1`, same clients): the mix's "
            f"throughput is {_ratio(load.per_second, floor.per_second)} of {floor.per_second:,.0f} req/s."
        )
    weights = sum(WEIGHTS.values())
    weighted = sum(WEIGHTS[kind] * kind_floor["floor_ms"] for kind, kind_floor in report["floor"].items())
    if weighted:
        per_request = weighted / weights
        cores = os.cpu_count()
        bound = cores * 1000 / per_request
        stopped = phases.get("cache stopped")
        served = f"with its cache the site served {load.per_second:,.1f} ({_ratio(load.per_second, bound)})"
        if stopped:
            served += f", without {stopped.per_second:,.1f} ({_ratio(stopped.per_second, bound)})"
        lines.append(
            f"- Against the database's floor: the mix needs {per_request:.1f} ms of the database per "
            f"request without cache, so {bound:,.0f} req/s at most if PostgreSQL had the {cores} cores "
            f"to itself; {served}."
        )
    print("\n".join(lines))


def plain(value):
    """``value`` with its named tuples (the phases) as dictionaries, for JSON."""
    if isinstance(value, Phase):
        return plain(value._asdict())
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def _ratio(value, reference):
    if not value or not reference:
        return "—"
    return f"{value / reference:,.2f}×"


def _ms(value):
    return "—" if value is None else f"{value:,.0f} ms"


def _load(values):
    return ", ".join(f"{value:.1f}" for value in values)


if __name__ == "__main__":
    main()
