"""Measures the public catalogue's budgets on PostGIS with 10,000 and 100,000 generated initiatives.

    .venv/bin/python benchmarks/catalogue_budgets.py
    .venv/bin/python benchmarks/catalogue_budgets.py --sizes 10000 --repeat 30 --keep

1. A PostGIS database of its own (created, then dropped at the end, also on an error or Ctrl-C,
   unless ``--keep``): ``migrate``, ``load_territories``, ``load_seed``.
2. For each size N: ``manage.py generate_demo`` until there are N demo initiatives, ``VACUUM FULL``
   of the initiatives and ``VACUUM ANALYZE``, then for each page below:
   - its SQL queries, counted once with Django's test client inside ``manage.py shell`` (the
     second of two requests, as a warm worker answers it);
   - through HTTP (``manage.py runserver --nothreading``, one request at a time, as one worker of a
     production server), after a warm-up: median and 95th percentile over ``--repeat`` requests
     (fewer when a page takes longer than ``--seconds`` in all), and the answer's size, raw and
     gzipped here with ``gzip.compress`` (the server itself does not compress).
3. A Markdown table per size, checked against the budgets of DESIGN.md (medians): the list page
   with its facet counts under 100 ms, the map data under 60 ms and 50 KB gzipped, a fiche under
   100 ms, place suggestions under 20 ms. Exports have no budget: measured once, for information.

Figures depend on the machine: run it on the one you report for, and write the tables in the README.
Progress goes to stderr, the tables to stdout.
"""

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import NamedTuple

from harness import connect, drop_database, manage, recreate_database, server, timed


class Budget(NamedTuple):
    """A budget of DESIGN.md: a median in milliseconds, and a gzipped size for the map data."""

    ms: float
    gzip_kb: float | None = None

    def __str__(self):
        return f"< {self.ms:g} ms" + (f", < {self.gzip_kb:g} KB gz" if self.gzip_kb else "")

    def met(self, median_ms, gzip_bytes):
        return median_ms < self.ms and (self.gzip_kb is None or gzip_bytes < self.gzip_kb * 1000)


LIST = Budget(100)
MAP = Budget(60, 50)
FICHE = Budget(100)
SUGGESTIONS = Budget(20)
FRANCE = "-5.5,41.2,9.8,51.2"

# (what, path, budget); "{fiche}" is the slug of the demo initiative with the most partners.
PAGES = [
    ("list, no filter", "/", LIST),
    ("list, legal form", "/?forme=scic", LIST),
    ("list, density and kind", "/?densite=sparse&type=tiers-lieu", LIST),
    ("list, territory", "/?territoire=Nord%20(59)", LIST),
    ("list, near a place", "/?pres_de=Lyon%20(69)&rayon=20", LIST),
    ("search", "/?q=tiers%20lieu", LIST),
    ("search", "/?q=cafe%20associatif", LIST),
    ("search, typo", "/?q=recylerie", LIST),
    ("map, France", f"/carte.geojson?bbox={FRANCE}", MAP),
    ("map, France, legal form", f"/carte.geojson?bbox={FRANCE}&forme=scic", MAP),
    ("map, Lyon", "/carte.geojson?bbox=4.78,45.70,4.92,45.80", MAP),
    # Narrower than map_data.DETAIL_SPAN (0.02°): every initiative on its own, no clusters.
    ("map, a few streets of Paris", "/carte.geojson?bbox=2.315,48.85,2.33,48.862", MAP),
    ("fiche", "/initiatives/{fiche}/", FICHE),
    ("place suggestions", "/territoires/suggestions.json?q=lille", SUGGESTIONS),
]
# Not budgeted: timed once, for information.
EXPORTS = [("CSV export, legal form", "/export/initiatives.csv?forme=scic", None)]
WARM_UP = 3

# Run by ``manage.py shell -c``: picks the fiche, then counts each page's queries, their time in the
# database and the page's results.
# Reads BENCH_PATHS (a JSON list), writes its JSON answer to BENCH_OUTPUT.
COUNT_QUERIES = """
import csv, io, json, os, time
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from catalogue.models import Initiative

setup_test_environment()  # for response.context
published = Initiative.objects.published()
fiche = (
    published.filter(is_demo=True)
    .annotate(partners=Count("partnerships", distinct=True), lines=Count("fundings", distinct=True))
    .order_by("-partners", "-lines", "slug")
    .values_list("slug", flat=True)
    .first()
)
client = Client()
pages = {}
for template in json.loads(os.environ["BENCH_PATHS"]):
    for _ in range(2):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(template.format(fiche=fiche))
            body = b"".join(response.streaming_content) if response.streaming else response.content
        elapsed = time.perf_counter() - started
        if elapsed > 5:
            break  # a slow page once is enough
    page = {
        "elapsed_ms": 1000 * elapsed,
        "status": response.status_code,
        "queries": len(queries),
        "sql_ms": 1000 * sum(float(query["time"]) for query in queries),
        "results": "",
        "errors": [],
    }
    kind = response.get("Content-Type", "")
    if response.context is not None and response.context.get("paginator") is not None:
        page["results"] = f"{response.context['paginator'].count:,} results"
        page["errors"] = [name for name, _label, _errors in response.context.get("filter_errors") or ()]
    elif "geo+json" in kind:
        features = json.loads(body)["features"]
        total = sum(feature["properties"].get("count", 1) for feature in features)
        page["results"] = f"{len(features):,} features, {total:,} initiatives"
    elif "csv" in kind:
        page["results"] = f"{len(list(csv.reader(io.StringIO(body.decode())))) - 1:,} rows"
    elif "json" in kind:
        page["results"] = f"{len(json.loads(body)['results'])} places"
    pages[template] = page
with open(os.environ["BENCH_OUTPUT"], "w") as output:
    json.dump({"fiche": fiche, "published": published.count(), "pages": pages}, output)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgis",
        default=os.environ.get(
            "BENCH_CATALOGUE_DATABASE_URL", "postgis://postgres@127.0.0.1:5432/percolateur_bench_catalogue"
        ),
        help="a database URL whose database this script may create and drop",
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(size) for size in text.split(",")],
        default=[10_000, 100_000],
        help="numbers of demo initiatives, comma-separated (default: 10000,100000)",
    )
    parser.add_argument("--repeat", type=int, default=40, help="requests per page (default: %(default)s)")
    parser.add_argument(
        "--seconds",
        type=float,
        default=20,
        help="measure a page for at most this long, then stop short of --repeat (default: %(default)s)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end, to look into it")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database that --keep left (no set-up; demo data added or replaced to each size)",
    )
    arguments = parser.parse_args()
    database = arguments.postgis
    started = time.perf_counter()

    try:
        if arguments.reuse:
            log(f"reusing {database}")
        else:
            log(f"creating {database}")
            recreate_database(database)
            for command in (("migrate", "--noinput"), ("load_territories",), ("load_seed",)):
                log(f"{' '.join(command)}: {timed(manage, database, *command):.1f} s")
            log(f"set-up done in {time.perf_counter() - started:.0f} s")
        for size in arguments.sizes:
            generation = bring_demo_data_to(database, size)
            log(f"VACUUM (FULL) ANALYZE: {timed(vacuum_analyze, database):.1f} s")
            report = measure_all(database, arguments.repeat, arguments.seconds)
            print_table(size, generation, report, arguments.repeat, versions(database))
    finally:
        if arguments.keep:
            log(f"kept {database}")
        else:
            drop_database(database)
        log(f"done in {time.perf_counter() - started:.0f} s")


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def sql(database_url, query):
    with connect(database_url) as connection:
        return connection.execute(query).fetchone()


def vacuum_analyze(database_url):
    with connect(database_url) as connection:
        # generate_demo writes each initiative, then its search text, then its search vector: three
        # versions of each row, and a table twice the size it would be in service (351 MB instead
        # of 183 MB at 100,000), which every full scan would pay for. FULL rewrites it compactly.
        connection.execute("VACUUM FULL catalogue_initiative")
        connection.execute("VACUUM ANALYZE")


def versions(database_url):
    postgresql, postgis = sql(database_url, "SELECT current_setting('server_version'), postgis_lib_version()")
    return f"PostgreSQL {postgresql.split()[0]}, PostGIS {postgis}"


def bring_demo_data_to(database_url, size):
    """Adds demo initiatives until there are ``size`` (or replaces them, when there are more);
    returns how long generate_demo took."""
    (existing,) = sql(database_url, "SELECT count(*) FROM catalogue_initiative WHERE is_demo")
    if existing == size:
        return 0.0
    command = ["generate_demo", "--count", str(size - existing)]
    if existing > size:
        command = ["generate_demo", "--delete", "--count", str(size)]
    log(f"{' '.join(command)} ({existing:,} demo initiatives there)…")
    seconds = timed(manage, database_url, *command)
    log(f"generate_demo: {seconds:.1f} s")
    return seconds


class Row(NamedTuple):
    what: str
    path: str
    budget: Budget | None
    results: str
    queries: int
    sql_ms: float
    times: list
    size: int
    gzip_size: int
    error: str


def measure_all(database_url, repeat, seconds):
    """Every page's queries (test client), then its times and sizes (HTTP)."""
    log("counting SQL queries per page…")
    counted = count_queries(database_url, [path for _what, path, _budget in PAGES + EXPORTS])
    fiche = counted["fiche"]
    rows = []
    with server(database_url) as base:
        for what, template, budget in PAGES + EXPORTS:
            path = template.format(fiche=fiche)
            page = counted["pages"][template]
            error = "" if page["status"] == 200 else f"HTTP {page['status']}"
            if page["errors"]:
                error = f"filter not understood: {', '.join(page['errors'])}"
            if budget is None:
                times, body = fetch_times(base + path, warm_up=0, repeat=1, seconds=0)
            elif page["elapsed_ms"] > seconds * 1000 / 4:
                # Already slow in the test client, which warmed the database's cache: spare the warm-up.
                times, body = fetch_times(base + path, warm_up=0, repeat=repeat, seconds=seconds)
            else:
                times, body = fetch_times(base + path, WARM_UP, repeat, seconds)
            if isinstance(body, Exception):
                times, body, error = [], b"", str(body)
            median = f"{statistics.median(times):.1f} ms" if times else "—"
            log(f"{what:<28} {path[:56]:<56} {median:>10}  ({len(times)} requests)")
            rows.append(
                Row(
                    what,
                    path,
                    budget,
                    page["results"],
                    page["queries"],
                    page["sql_ms"],
                    times,
                    len(body),
                    len(gzip.compress(body)),
                    error,
                )
            )
    return {"published": counted["published"], "rows": rows, "load": os.getloadavg()}


def count_queries(database_url, paths):
    with tempfile.NamedTemporaryFile(suffix=".json") as output:
        manage(
            database_url,
            "shell",
            "-c",
            COUNT_QUERIES,
            BENCH_PATHS=json.dumps(paths),
            BENCH_OUTPUT=output.name,
        )
        return json.loads(Path(output.name).read_text())


def fetch_times(url, warm_up, repeat, seconds):
    """Milliseconds per request, and the last body (or the error that stopped the requests).

    A slow page gets fewer requests: the warm-up stops after a quarter of ``seconds``, the
    measure after ``seconds``, each after one request at least."""
    times, body = [], b""
    try:
        begun = time.perf_counter()
        for _ in range(warm_up):
            fetch(url)
            if time.perf_counter() - begun > seconds / 4:
                break
        begun = time.perf_counter()
        while len(times) < repeat and (not times or time.perf_counter() - begun < seconds):
            started = time.perf_counter()
            body = fetch(url)
            times.append((time.perf_counter() - started) * 1000)
    except (urllib.error.URLError, OSError) as error:
        return times, error
    return times, body


def fetch(url):
    with urllib.request.urlopen(url, timeout=1800) as response:
        return response.read()


def print_table(size, generation, report, repeat, versions):
    rows = report["rows"]
    load = ", ".join(f"{value:.1f}" for value in report["load"])
    print(
        f"\n### {size:,} demo initiatives ({report['published']:,} published, seed entries included)\n\n"
        f"{time.strftime('%Y-%m-%d')}, {versions}; `runserver --nothreading`, {repeat} requests per page "
        f"after {WARM_UP} to warm up (fewer for a slow page: n); generate_demo took {generation:.0f} s; "
        f"load average after the measures {load}. SQL: the queries of one request, and their time in "
        "the database (test client, measured apart).\n"
    )
    print("| what | URL | results | median | p95 | n | KB (gzip) | SQL (ms) | budget | |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        if row.times:
            median = statistics.median(row.times)
            p95 = f"{statistics.quantiles(row.times, n=20)[-1]:.1f} ms" if len(row.times) > 1 else "—"
            timing = f"{median:.1f} ms | {p95} | {len(row.times)}"
        else:
            timing = "— | — | 0"
        if row.error:
            verdict = f"✗ {row.error}"
        elif row.budget is None:
            verdict = ""
        else:
            verdict = "✓" if row.budget.met(median, row.gzip_size) else "✗"
        print(
            f"| {row.what} | `{row.path}` | {row.results} | {timing} | "
            f"{row.size / 1000:.1f} ({row.gzip_size / 1000:.1f}) | {row.queries} ({row.sql_ms:.0f}) | "
            f"{row.budget or 'none'} | {verdict} |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
