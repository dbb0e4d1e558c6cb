"""Measures the public catalogue's budgets, beside the same pages built the way a Django tutorial
would, and beside the database's own floor.

    .venv/bin/python benchmarks/catalogue_budgets.py                  # PostGIS, 10,000 and 100,000
    .venv/bin/python benchmarks/catalogue_budgets.py --sizes 10000 --repeat 30 --keep
    .venv/bin/python benchmarks/catalogue_budgets.py --spatialite     # SpatiaLite only, 10,000
    .venv/bin/python benchmarks/catalogue_budgets.py --databases postgis,spatialite

The goal: each page at least 20 times faster than the tutorial's way (tutorial ÷ ours ≥ 20, of the
medians), and within 3 times of the floor, what the database itself needs for the page's queries
(ours ÷ floor ≤ 3). The table marks each ratio ✓ or ✗ against the goal, and each page against its
budget.

1. A database of its own, on each of ``--databases``: a PostGIS database (created, then dropped at
   the end, also on an error or Ctrl-C, unless ``--keep``), or a SpatiaLite file (``--spatialite-file``,
   deleted at the end unless ``--keep``); ``migrate``, ``load_territories``, ``load_seed``.
2. For each size N (``--sizes``; by default 10,000 and 100,000 on PostGIS, 10,000 on SpatiaLite):
   ``manage.py generate_demo`` until there are N demo initiatives, then ``VACUUM FULL`` of the
   initiatives and ``VACUUM ANALYZE`` (PostGIS) or ``ANALYZE`` (SQLite), then for each page below:
   - **ours**: its SQL queries, counted once in process (``database_floor.py`` inside
     ``manage.py shell``, the second of two requests, as a warm worker answers it); through HTTP
     (``manage.py runserver --nothreading``, one request at a time, as one worker of a production
     server), after a warm-up: median and 95th percentile over ``--repeat`` requests (fewer when a
     page takes longer than ``--seconds`` in all), the time to the first byte (read apart, then the
     rest as it streams), and the answer's size, raw and gzipped here with ``gzip.compress`` (the
     server itself does not compress);
   - **the tutorial's twin**: the same path and query string under ``/tutoriel/``, served by a
     second runserver with ``benchmarks.tutorial.settings`` (the site's settings, with the
     tutorial's pages added: see ``tutorial/views.py`` for how they are built), measured the same
     way, its queries counted on one request;
   - **the floor**: the queries of our page's counted request, replayed at once by ``database_floor.py``
     (PostgreSQL: ``EXPLAIN ANALYZE`` of each SELECT, planning and execution; SQLite: each statement
     run again with ``fetchall()``; the best of three each).
3. A Markdown table per database and size, checked against the budgets below (medians through
   HTTP, at whatever size PostGIS is run at):

   | page                                             | PostGIS                  | SpatiaLite |
   |--------------------------------------------------|--------------------------|------------|
   | list with facet counts, any filters              | < 100 ms                 | < 200 ms   |
   | search, words or typos, with facet counts        | < 100 ms                 | < 200 ms   |
   | map data, any viewport incl. all France, filters | < 60 ms, < 50 KB gzipped | < 120 ms   |
   | fiche with its five comparable projects          | < 100 ms                 | < 200 ms   |
   | "comme le mien": ten comparable projects         | < 150 ms                 | < 300 ms   |
   | comparison of four initiatives                   | < 100 ms                 | < 200 ms   |
   | territory page with its charts                   | < 150 ms                 | < 300 ms   |
   | place suggestions                                | < 20 ms                  | < 20 ms    |
   | CSV export (~18,000 rows at 100,000)             | first byte < 300 ms, whole < 3 s | –  |
   | API list, 50 items (JSON or GeoJSON), filters    | < 80 ms                  | < 160 ms   |
   | API detail of an initiative                      | < 50 ms                  | < 100 ms   |

   ``--only API`` measures the pages whose name holds "API" alone (any text; several, comma-separated).
   The API's rate limit is lifted for the run (``API_RATE_LIMIT``), or its 429s would be measured.

Nothing in this script grows faster than the pages it measures, so ``--sizes 1000000`` works,
slowly: the tutorial's pages then take minutes (its map data holds a million model instances in
memory). On PostgreSQL, once the ids of its facet counts' ``IN (subquery)`` no longer fit a hash in
``work_mem``, the subquery is scanned again for each row counted (quadratic): a tutorial statement
stops after ``BENCH_TUTORIAL_STATEMENT_TIMEOUT`` (120 s by default), and the page is reported as
failed after that long, its ratio as "≥". (Not tried at 1,000,000.)
Figures depend on the machine: run it on the one you report for, and write the tables in the README.
Progress goes to stderr, the tables to stdout.
"""

import argparse
import gzip
import os
import statistics
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple

from harness import (
    REPOSITORY,
    PostGIS,
    SpatiaLite,
    count_queries,
    keep_or_drop,
    log,
    manage,
    prepare,
    server,
    stop_on_sigterm,
    timed,
)

TUTORIAL_SETTINGS = "benchmarks.tutorial.settings"
TUTORIAL_PREFIX = "/tutoriel"
# The goal of every page, against the tutorial's and against the floor.
FASTER_THAN_TUTORIAL = 20
WITHIN_FLOOR = 3


class Budget(NamedTuple):
    """A budget on one database: a median in milliseconds, and for some pages a gzipped size or a
    time to the first byte (median too)."""

    ms: float
    gzip_kb: float | None = None
    first_byte_ms: float | None = None

    def __str__(self):
        text = f"< {self.ms:g} ms"
        if self.first_byte_ms is not None:
            text = f"first byte < {self.first_byte_ms:g} ms, whole {text}"
        if self.gzip_kb is not None:
            text += f", < {self.gzip_kb:g} KB gz"
        return text

    def met(self, median_ms, gzip_bytes, first_byte_ms):
        return (
            median_ms < self.ms
            and (self.gzip_kb is None or gzip_bytes < self.gzip_kb * 1000)
            and (self.first_byte_ms is None or first_byte_ms < self.first_byte_ms)
        )


class Budgets(NamedTuple):
    """A page's budget on each database (``Database.key``); None: no budget there."""

    postgis: Budget | None
    spatialite: Budget | None


LIST = Budgets(Budget(100), Budget(200))
SEARCH = Budgets(Budget(100), Budget(200))
MAP = Budgets(Budget(60, gzip_kb=50), Budget(120))
FICHE = Budgets(Budget(100), Budget(200))
COMPARABLES = Budgets(Budget(150), Budget(300))
COMPARISON = Budgets(Budget(100), Budget(200))
TERRITORY = Budgets(Budget(150), Budget(300))
SUGGESTIONS = Budgets(Budget(20), Budget(20))
EXPORT = Budgets(Budget(3000, first_byte_ms=300), None)
API_LIST = Budgets(Budget(80), Budget(160))
API_DETAIL = Budgets(Budget(50), Budget(100))
FRANCE = "-5.5,41.2,9.8,51.2"

# (what, path, budgets); "{fiche}" is the slug of the demo initiative with the most partners. Each
# has its tutorial twin at TUTORIAL_PREFIX + path.
PAGES = [
    ("list, no filter", "/", LIST),
    ("list, legal form", "/?forme=scic", LIST),
    ("list, density and kind", "/?densite=sparse&type=tiers-lieu", LIST),
    ("list, kind, theme and legal form", "/?type=tiers-lieu&theme=culture&forme=association", LIST),
    ("list, territory", "/?territoire=Nord%20(59)", LIST),
    ("list, near a place", "/?pres_de=Lyon%20(69)&rayon=20", LIST),
    ("search", "/?q=tiers%20lieu", SEARCH),
    ("search", "/?q=cafe%20associatif", SEARCH),
    ("search, typo", "/?q=recylerie", SEARCH),
    ("search, words and a word begun", "/?q=bazar%20saint%20so", SEARCH),
    ("search and legal form", "/?q=cafe%20associatif&forme=association", SEARCH),
    ("map, France", f"/carte.geojson?bbox={FRANCE}", MAP),
    ("map, France, legal form", f"/carte.geojson?bbox={FRANCE}&forme=scic", MAP),
    ("map, France, search", f"/carte.geojson?bbox={FRANCE}&q=tiers%20lieu", MAP),
    ("map, Lyon", "/carte.geojson?bbox=4.78,45.70,4.92,45.80", MAP),
    # Narrower than map_data.DETAIL_SPAN (0.02°): every initiative on its own, no clusters.
    ("map, a few streets of Paris", "/carte.geojson?bbox=2.315,48.85,2.33,48.862", MAP),
    ("fiche with its comparables", "/initiatives/{fiche}/", FICHE),
    (
        "comme le mien, a commune",
        "/comparables/?lieu=Pernes%20(62)&type=tiers-lieu&forme=association&forme=scic",
        COMPARABLES,
    ),
    (
        "comme le mien, an EPCI, all of it",
        "/comparables/?lieu=200069672&type=tiers-lieu&type=fab-lab&forme=scic&outil=dla&levier=ami"
        "&etape=emergence&surface=800&investissement=1000000",
        COMPARABLES,
    ),
    (
        "comme le mien, near me",
        "/comparables/?lieu=Lyon%20(69)&type=cafe-associatif&portee=pres&rayon=50",
        COMPARABLES,
    ),
    ("territory page, a commune", "/territoires/commune/69123/", TERRITORY),
    ("territory page, an EPCI", "/territoires/epci/200069672/", TERRITORY),
    ("territory page, a département", "/territoires/departement/59/", TERRITORY),
    ("territory page, a région", "/territoires/region/84/", TERRITORY),
    (
        "comparison of 4",
        "/comparer/?i={fiche}&i=cirquen-cavale&i=saint-so-bazaar&i=la-passerelle",
        COMPARISON,
    ),
    ("place suggestions", "/territoires/suggestions.json?q=lille", SUGGESTIONS),
    # About 18 % of the demo initiatives have a SCIC: some 18,000 rows at 100,000.
    ("CSV export, legal form", "/export/initiatives.csv?forme=scic", EXPORT),
    ("API, GeoJSON, 50", "/api/v1/initiatives.geojson", API_LIST),
    ("API, GeoJSON, 50, legal form", "/api/v1/initiatives.geojson?forme=scic", API_LIST),
    ("API, JSON, 50, territory", "/api/v1/initiatives/?territoire=Nord%20(59)", API_LIST),
    ("API, JSON, 50, search", "/api/v1/initiatives/?q=moulin", API_LIST),
    ("API, detail", "/api/v1/initiatives/{fiche}/", API_DETAIL),
]
WARM_UP = 3
DEFAULT_SIZES = {"postgis": [10_000, 100_000], "spatialite": [10_000]}


def main():
    arguments = parse_arguments()
    # The servers below inherit it: the API's rate limit would otherwise answer the repeats with 429s.
    os.environ["API_RATE_LIMIT"] = "1000000/min"
    stop_on_sigterm()
    started = time.perf_counter()
    for database in arguments.databases:
        measure_database(database, arguments)
    log(f"done in {time.perf_counter() - started:.0f} s")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--databases",
        type=lambda text: text.split(","),
        default=["postgis"],
        help="postgis, spatialite or both, comma-separated (default: postgis)",
    )
    parser.add_argument(
        "--spatialite", action="store_true", help="SpatiaLite only: the same as --databases spatialite"
    )
    parser.add_argument(
        "--postgis",
        default=os.environ.get(
            "BENCH_CATALOGUE_DATABASE_URL", "postgis://postgres@127.0.0.1:5432/percolateur_bench_catalogue"
        ),
        help="a database URL whose database this script may create and drop",
    )
    parser.add_argument(
        "--spatialite-file",
        type=Path,
        default=REPOSITORY / "var" / "bench-catalogue.sqlite3",
        help="a SpatiaLite file this script may create and delete (default: var/bench-catalogue.sqlite3)",
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(size) for size in text.split(",")],
        help="numbers of demo initiatives, comma-separated "
        "(default: 10000,100000 on PostGIS, 10000 on SpatiaLite)",
    )
    parser.add_argument("--repeat", type=int, default=40, help="requests per page (default: %(default)s)")
    parser.add_argument(
        "--seconds",
        type=float,
        default=20,
        help="measure a page for at most this long, then stop short of --repeat (default: %(default)s)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases at the end, to look into them"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the databases that --keep left (no set-up; demo data added or replaced to each size)",
    )
    parser.add_argument(
        "--only",
        type=lambda text: [word.lower() for word in text.split(",")],
        help="only the pages whose name holds one of these texts, comma-separated (e.g. API)",
    )
    arguments = parser.parse_args()
    only = arguments.only
    arguments.pages = [page for page in PAGES if not only or any(word in page[0].lower() for word in only)]
    if not arguments.pages:
        parser.error("--only: no page's name holds that")
    names = ["spatialite"] if arguments.spatialite else arguments.databases
    unknown = set(names) - set(DEFAULT_SIZES)
    if unknown:
        parser.error(f"unknown database {', '.join(sorted(unknown))}: postgis or spatialite")
    makers = {
        "postgis": lambda: PostGIS(arguments.postgis),
        "spatialite": lambda: SpatiaLite(arguments.spatialite_file),
    }
    arguments.databases = [makers[name]() for name in names]
    return arguments


def measure_database(database, arguments):
    """Set-up, then a table per size, on one database; dropped at the end unless --keep."""
    try:
        prepare(database, arguments.reuse)
        for size in arguments.sizes or DEFAULT_SIZES[database.key]:
            generation = bring_demo_data_to(database, size)
            log(f"{database.name}: compacted and analysed in {timed(database.compact):.1f} s")
            report = measure_all(database, arguments.repeat, arguments.seconds, arguments.pages)
            print_table(database, size, generation, report, arguments.repeat)
    finally:
        keep_or_drop(database, arguments.keep)


def bring_demo_data_to(database, size):
    """Adds demo initiatives until there are ``size`` (or replaces them, when there are more);
    returns how long generate_demo took."""
    existing = database.value("SELECT count(*) FROM catalogue_initiative WHERE is_demo")
    if existing == size:
        return 0.0
    command = ["generate_demo", "--count", str(size - existing)]
    if existing > size:
        command = ["generate_demo", "--delete", "--count", str(size)]
    log(f"{' '.join(command)} ({existing:,} demo initiatives there)…")
    seconds = timed(manage, database.url, *command)
    log(f"generate_demo: {seconds:.1f} s")
    return seconds


class Timings(NamedTuple):
    """Requests to one URL through HTTP: milliseconds in all and to the first byte, per request;
    the last answer's size, raw and gzipped; what stopped the requests, and after how long."""

    times: list
    first_bytes: list
    size: int = 0
    gzip_size: int = 0
    error: str = ""
    failed_after_ms: float | None = None

    @property
    def median(self):
        return statistics.median(self.times) if self.times else None

    @property
    def median_first_byte(self):
        return statistics.median(self.first_bytes) if self.first_bytes else None

    @property
    def p95(self):
        return statistics.quantiles(self.times, n=20)[-1] if len(self.times) > 1 else None


class Row(NamedTuple):
    what: str
    path: str
    budget: Budget | None
    streamed: bool  # whether its time to the first byte is budgeted (on some database)
    ours: Timings
    counted: dict  # database_floor.py's answer for ours
    tutorial: Timings
    tutorial_counted: dict  # and for the tutorial's twin
    error: str


def measure_all(database, repeat, seconds, pages=PAGES):
    """Every page's queries and floor, its tutorial twin's queries (in process), then both pages'
    times and sizes (HTTP), ours then the twin's, page by page."""
    templates = [path for _what, path, _budgets in pages]
    log("counting the SQL queries of each page and measuring their floor…")
    counted = count_queries(database, templates, requests=2, floor=True)
    fiche = counted["fiche"]
    log("counting the SQL queries of each tutorial page…")
    # One request each: the tutorial's pages are slow enough cold.
    twins = count_queries(
        database, [TUTORIAL_PREFIX + path for path in templates], 1, settings=TUTORIAL_SETTINGS, fiche=fiche
    )
    rows = []
    with server(database.url) as ours_base, server(database.url, TUTORIAL_SETTINGS) as tutorial_base:
        for what, template, budgets in pages:
            path = template.format(fiche=fiche)
            page = counted["pages"][template]
            twin = twins["pages"][TUTORIAL_PREFIX + template]
            error = "" if page["status"] == 200 else f"HTTP {page['status']}"
            if page["errors"]:
                error = f"filter not understood: {', '.join(page['errors'])}"
            ours = measure_url(ours_base + path, page, repeat, seconds, keep_body=True)
            if twin["status"] == 200:
                tutorial = measure_url(tutorial_base + TUTORIAL_PREFIX + path, twin, repeat, seconds)
            else:
                # Failed in process already (a statement timeout): once is enough.
                failure = f"HTTP {twin['status']} in process"
                tutorial = Timings([], [], error=failure, failed_after_ms=twin["elapsed_ms"])
            floor = _ms(page.get("floor_ms"))
            log(
                f"{what:<32} {path[:48]:<48} ours {_ms(ours.median):>10}  floor {floor:>9}  tutorial "
                f"{_ms(tutorial.median):>11}  ({len(ours.times)} + {len(tutorial.times)} requests)"
            )
            budget = getattr(budgets, database.key)
            streamed = any(each is not None and each.first_byte_ms is not None for each in budgets)
            rows.append(Row(what, path, budget, streamed, ours, page, tutorial, twin, error or ours.error))
    return {"published": counted["published"], "rows": rows, "load": os.getloadavg()}


def measure_url(url, counted, repeat, seconds, keep_body=False):
    """The timings of ``url``, whose page took ``counted["elapsed_ms"]`` in process: a page already
    slow there (where it warmed the database's cache) is spared the warm-up."""
    warm_up = 0 if counted["elapsed_ms"] > seconds * 1000 / 4 else WARM_UP
    return fetch_times(url, warm_up, repeat, seconds, keep_body)


def fetch_times(url, warm_up, repeat, seconds, keep_body):
    """The timings of ``url`` (see ``Timings``). A slow page gets fewer requests: the warm-up stops
    after a quarter of ``seconds``, the measure after ``seconds``, each after one request at least.
    Only with ``keep_body`` is the last answer kept and gzipped, to tell its compressed size."""
    times, first_bytes, size, body = [], [], 0, b""
    begun = time.perf_counter()
    try:
        for _ in range(warm_up):
            fetch(url, keep_body=False)
            if time.perf_counter() - begun > seconds / 4:
                break
        begun = time.perf_counter()
        while len(times) < repeat and (not times or time.perf_counter() - begun < seconds):
            first_byte, total, size, body = fetch(url, keep_body)
            first_bytes.append(first_byte)
            times.append(total)
    except (urllib.error.URLError, OSError) as error:
        failed_after = 1000 * (time.perf_counter() - begun)
        return Timings(times, first_bytes, error=str(error), failed_after_ms=failed_after)
    return Timings(times, first_bytes, size, len(gzip.compress(body)) if keep_body else 0)


def fetch(url, keep_body):
    """(ms to the first byte of the body, ms to its end, its size, the body if ``keep_body`` or
    b""), reading it as it streams."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=1800) as response:
        chunk = response.read(1)
        first_byte = time.perf_counter()
        size, chunks = 0, []
        while chunk:
            size += len(chunk)
            if keep_body:
                chunks.append(chunk)
            chunk = response.read(1 << 16)
    finished = time.perf_counter()
    return 1000 * (first_byte - started), 1000 * (finished - started), size, b"".join(chunks)


# --- The table ------------------------------------------------------------------------------------


def print_table(database, size, generation, report, repeat):
    rows = report["rows"]
    load = ", ".join(f"{value:.1f}" for value in report["load"])
    floor = (
        "`EXPLAIN (ANALYZE, TIMING OFF)` of each SELECT, planning and execution (planning in brackets)"
        if database.key == "postgis"
        else "each SELECT run again with `fetchall()`"
    )
    print(
        f"\n### {database.name}, {size:,} demo initiatives ({report['published']:,} published, seed entries "
        f"included)\n\n"
        f"{time.strftime('%Y-%m-%d')}, {database.versions()}; `runserver --nothreading`, {repeat} requests "
        f"per page after {WARM_UP} to warm up (fewer for a slow page: n); generate_demo took "
        f"{generation:.0f} s; load average after the measures {load}. Queries: those of one request "
        f"(test client). Floor: the database's own time for our page's queries, {floor}, best of 3. "
        f"Tutorial: the same page built the way a Django tutorial would (benchmarks/tutorial/), "
        f"median (n). Goal: tutorial ÷ ours ≥ {FASTER_THAN_TUTORIAL}, ours ÷ floor ≤ {WITHIN_FLOOR}.\n"
    )
    print(
        "| what | URL | results | median | p95 | n | KB (gzip) | queries | floor | tutorial | "
        "tutorial results | tutorial queries | tutorial ÷ ours | ours ÷ floor | budget | |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    verdicts = {"budget": [], "tutorial": [], "floor": []}
    for row in rows:
        ours, tutorial, counted = row.ours, row.tutorial, row.counted
        median = f"{ours.median:,.1f} ms" if ours.times else "—"
        if row.streamed and ours.times:
            median += f" (first byte {ours.median_first_byte:,.1f} ms)"
        p95 = f"{ours.p95:,.1f} ms" if ours.p95 is not None else "—"
        floor_ms = counted.get("floor_ms")
        floor_text = "—" if floor_ms is None else f"{floor_ms:,.1f} ms"
        if counted.get("planning_ms") is not None:
            floor_text += f" ({counted['planning_ms']:,.1f})"
        bound, tutorial_ratio = ratio_to_tutorial(ours, tutorial)
        floor_ratio = ours.median / floor_ms if ours.times and floor_ms else None
        if tutorial_ratio is not None:
            verdicts["tutorial"].append(tutorial_ratio >= FASTER_THAN_TUTORIAL)
        if floor_ratio is not None:
            verdicts["floor"].append(floor_ratio <= WITHIN_FLOOR)
        tutorial_ratio_text = _ratio(tutorial_ratio, FASTER_THAN_TUTORIAL <= (tutorial_ratio or 0), bound)
        floor_ratio_text = _ratio(floor_ratio, (floor_ratio or 0) <= WITHIN_FLOOR)
        if row.error:
            verdict = f"✗ {row.error}"
        elif row.budget is None or not ours.times:
            verdict = ""
        else:
            met = row.budget.met(ours.median, ours.gzip_size, ours.median_first_byte)
            verdicts["budget"].append(met)
            verdict = "✓" if met else "✗"
        print(
            f"| {row.what} | `{row.path}` | {counted['results']} | {median} | {p95} | {len(ours.times)} | "
            f"{ours.size / 1000:,.1f} ({ours.gzip_size / 1000:,.1f}) | {counted['queries']:,} | "
            f"{floor_text} | "
            f"{tutorial_cell(tutorial)} | {row.tutorial_counted['results']} | "
            f"{row.tutorial_counted['queries']:,} | {tutorial_ratio_text} | {floor_ratio_text} | "
            f"{row.budget or 'none'} | {verdict} |"
        )
    summary = "; ".join(
        f"{label}: {sum(results)} of {len(results)}"
        for label, results in (
            ("budgets met", verdicts["budget"]),
            (f"tutorial ÷ ours ≥ {FASTER_THAN_TUTORIAL}", verdicts["tutorial"]),
            (f"ours ÷ floor ≤ {WITHIN_FLOOR}", verdicts["floor"]),
        )
    )
    print(f"\n{summary}.")
    sys.stdout.flush()


def ratio_to_tutorial(ours, tutorial):
    """("", the tutorial's median ÷ ours), or ("≥ ", …) when the tutorial's page failed after a
    while (a statement timeout): it would have taken longer still. ("", None) when either is missing."""
    if not ours.times:
        return "", None
    if tutorial.times:
        return "", tutorial.median / ours.median
    if tutorial.failed_after_ms:
        return "≥ ", tutorial.failed_after_ms / ours.median
    return "", None


def tutorial_cell(tutorial):
    if tutorial.times:
        return f"{tutorial.median:,.1f} ms ({len(tutorial.times)})"
    if tutorial.failed_after_ms is not None:
        return f"✗ {tutorial.error} after {tutorial.failed_after_ms:,.0f} ms"
    return "—"


def _ratio(ratio, met, bound=""):
    if ratio is None:
        return "—"
    return f"{bound}{ratio:,.1f}× {'✓' if met else '✗'}"


def _ms(value):
    return "—" if value is None else f"{value:,.1f} ms"


if __name__ == "__main__":
    main()
