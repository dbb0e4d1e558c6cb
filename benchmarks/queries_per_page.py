"""SQL queries and median time per public page, in process, on the database DATABASE_URL names:
a quick check that a change did not add queries (the full budgets are benchmarks/catalogue_budgets.py's).

    DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=spatialite:///var/demo.sqlite3 \\
        .venv/bin/python benchmarks/queries_per_page.py

The database must hold the territories and the seed (scripts/demo.sh builds one). Django's test
client, no HTTP: times are the view's, without a server.
"""

import statistics
import sys
import time
from pathlib import Path

import django

# Run as a script, this folder comes first on the path: the project's must, for its apps to import.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGES = [
    "/",
    "/?q=cirque",
    "/?forme=scic",
    "/?territoire=Nord+(59)",
    "/?pres_de=Lille+(59)&rayon=20",
    "/carte.geojson",
    "/initiatives/cirquen-cavale/",
    "/export/initiatives.csv",
    "/territoires/suggestions.json?q=lille",
    "/territoires/region/32/",
    "/territoires/commune/62652/",
]
REPEAT = 15


def main():
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    client = Client()
    for url in PAGES:
        client.get(url)  # warm-up
        times = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
                if response.streaming:
                    b"".join(response.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        print(
            f"{url:42} {response.status_code}  {len(queries.captured_queries):3d} queries  {median:6.1f} ms"
        )


if __name__ == "__main__":
    main()
