"""Measures the territories' budgets: loading the whole of France, and the place suggestions.

    .venv/bin/python benchmarks/territories_budgets.py
    .venv/bin/python benchmarks/territories_budgets.py --postgis postgis://postgres@127.0.0.1:5432/percolateur_bench

1. ``manage.py load_territories`` into a fresh database, then a second time (nothing to change), on
   SpatiaLite (a file under var/) and on PostGIS (a database created, then dropped, for the purpose).
2. ``/territoires/suggestions.json`` on PostGIS through HTTP (``manage.py runserver --nothreading``,
   one request at a time, as one worker of a production server): median and 95th percentile per
   query over ``--repeat`` requests, and the answer's size.

The database and server plumbing is in ``harness.py``, shared with the catalogue's benchmark.
Figures depend on the machine: run it on the one you report for, and write the table in the README.
The budget (DESIGN.md): place suggestions under 20 ms.
"""

import argparse
import json
import os
import statistics
import time
import urllib.parse
import urllib.request

from harness import REPOSITORY, drop_database, manage, recreate_database, server, timed

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
