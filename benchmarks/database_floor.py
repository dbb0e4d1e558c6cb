"""Run inside ``manage.py shell`` by ``catalogue_budgets.py``: each page's SQL queries, counted on one
request, and the database floor of the site's pages (the time the database itself needs for them).

    manage.py shell -c "from benchmarks.database_floor import main; main()"

Reads its orders from the environment: ``BENCH_PATHS`` (a JSON list of paths, where ``{fiche}`` is
the slug of the demo initiative with the most partners and funding lines, or of ``BENCH_FICHE``),
``BENCH_REQUESTS`` (requests per page, the last one counted: 2 for a warm worker, the default),
``BENCH_FLOOR`` ("1": measure the floor) and ``BENCH_OUTPUT`` (where its JSON answer goes).

The queries are recorded by ``connection.execute_wrapper`` as Django sends them to the driver, SQL
and parameters apart. (``CaptureQueriesContext`` only keeps the SQL as text: on PostgreSQL the very
text that psycopg sent, its parameters bound client-side, but on SQLite a rendering of the
parameters that Django writes for people to read; it also keeps at most 9,000 queries, fewer than a
tutorial's export makes.) Each page's last request is counted, and its queries replayed at once,
the data still warm:

- **PostgreSQL**: each SELECT as ``EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON)`` with its parameters,
  through the same Django connection; the floor is the sum of "Planning Time" and "Execution Time",
  the planning reported apart as well (Django does not prepare statements: every request pays
  both). ``TIMING OFF`` leaves out the clock readings of each plan node, which would add to the
  execution time; the total is still measured. A SET is run again as it is, other statements are
  left out.
- **SQLite**: no EXPLAIN ANALYZE there; each SELECT is run again with its parameters through the
  connection's cursor, with ``fetchall()``, and the floor is the sum of their times.

Each statement's time is its best of ``FLOOR_RUNS`` runs (one run when it takes longer than
``SLOW_STATEMENT_MS``: its best of three would differ little).

What neither counts: the network between the site and the database, and turning rows into Python
values, which are the site's cost. What EXPLAIN ANALYZE adds: even with ``TIMING OFF`` it counts
the rows through every plan node, so a statement that reads hundreds of thousands of rows can take
longer explained than run (at 100,000 initiatives, some of the site's slow list queries had a
floor above the page's own median: a ratio ours ÷ floor under 1 means that).
"""

import csv
import io
import json
import os
import time

from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import setup_test_environment

from catalogue.models import Initiative

FLOOR_RUNS = 3
# A statement that takes longer than this is not run again: its best of three would differ little.
SLOW_STATEMENT_MS = 1000
# A page slower than this in process is counted on its first request.
SLOW_SECONDS = 5


class Recorder:
    """An execute wrapper that counts the statements and keeps their SQL and parameters."""

    def __init__(self, keep):
        self.keep = keep
        self.count = 0
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.count += 1  # an executemany is one query, as Django counts them
        if self.keep and not many:
            self.statements.append((sql, params))
        return execute(sql, params, many, context)


def main():
    setup_test_environment()  # for response.context
    paths = json.loads(os.environ["BENCH_PATHS"])
    requests = int(os.environ.get("BENCH_REQUESTS", "2"))
    with_floor = os.environ.get("BENCH_FLOOR") == "1"
    fiche = os.environ.get("BENCH_FICHE") or richest_fiche()
    # A page that fails (a tutorial's statement timeout) is a 500 to report, not the end of the run.
    client = Client(raise_request_exception=False)
    pages = {
        template: measure(client, template.format(fiche=fiche), requests, with_floor) for template in paths
    }
    answer = {"fiche": fiche, "published": Initiative.objects.published().count(), "pages": pages}
    with open(os.environ["BENCH_OUTPUT"], "w") as output:
        json.dump(answer, output)


def richest_fiche():
    """The slug of the published demo initiative with the most partners, then funding lines."""
    return (
        Initiative.objects.published()
        .filter(is_demo=True)
        .annotate(partners=Count("partnerships", distinct=True), lines=Count("fundings", distinct=True))
        .order_by("-partners", "-lines", "slug")
        .values_list("slug", flat=True)
        .first()
    )


def measure(client, path, requests, with_floor):
    """The page's status, queries, results, the filters it did not understand, and its floor."""
    for _ in range(requests):
        recorder = Recorder(keep=with_floor)
        started = time.perf_counter()
        with connection.execute_wrapper(recorder):
            response = client.get(path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        elapsed = time.perf_counter() - started
        if elapsed > SLOW_SECONDS:
            break  # a slow page once is enough
    page = {
        "elapsed_ms": 1000 * elapsed,
        "status": response.status_code,
        "queries": recorder.count,
        "results": results(response, body),
        "errors": filter_errors(response, body),
    }
    if with_floor and response.status_code == 200:
        page.update(floor(recorder.statements))
    return page


def filter_errors(response, body):
    """The filters a page did not understand: from its context, or from an API answer's body."""
    context = response.context
    if context and context.get("filter_errors"):
        return [name for name, _label, _errors in context["filter_errors"]]
    if response.status_code == 200 and "json" in response.get("Content-Type", ""):
        answer = json.loads(body)
        if isinstance(answer, dict):
            return list(answer.get("filter_errors") or ())
    return []


def results(response, body):
    """What the page found, in words: "1,234 results", "56 features, 789 initiatives"…"""
    kind = response.get("Content-Type", "")
    if response.context is not None and response.context.get("paginator") is not None:
        return f"{response.context['paginator'].count:,} results"
    if response.status_code != 200:
        return ""
    answer = json.loads(body) if "json" in kind else None
    if isinstance(answer, dict) and "count" in answer:  # a page of the API
        items = answer.get("features", answer.get("results", []))
        if isinstance(items, dict):  # DRF's pages of a GeoJSON serializer: a FeatureCollection within
            items = items.get("features", [])
        return f"{len(items)} of {answer['count']:,} results"
    if isinstance(answer, dict) and "slug" in answer:  # an initiative of the API
        return "one initiative"
    if "geo+json" in kind:
        features = json.loads(body)["features"]
        total = sum(feature["properties"].get("count", 1) for feature in features)
        return f"{len(features):,} features, {total:,} initiatives"
    if "csv" in kind:
        text = body.decode("utf-8-sig")
        delimiter = ";" if ";" in text.partition("\n")[0] else ","
        return f"{sum(1 for _row in csv.reader(io.StringIO(text), delimiter=delimiter)) - 1:,} rows"
    if "json" in kind:
        return f"{len(json.loads(body)['results'])} places"
    return ""


def floor(statements):
    """{"floor_ms", "planning_ms" (None on SQLite), "replayed"}: see the module's docstring."""
    if connection.vendor == "postgresql":
        return _explained_floor(statements)
    return _replayed_floor(statements)


def _is_select(sql):
    return sql.lstrip(" (").upper().startswith(("SELECT", "WITH"))


def _explained_floor(statements):
    planning = execution = 0.0
    replayed = 0
    with connection.cursor() as cursor:
        for sql, params in statements:
            if not _is_select(sql):
                if sql.lstrip().upper().startswith("SET "):
                    cursor.execute(sql, params)
                continue
            runs = []
            while len(runs) < FLOOR_RUNS and (not runs or runs[-1][0] < SLOW_STATEMENT_MS):
                cursor.execute(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {sql}", params)
                (plan,) = cursor.fetchone()
                plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]
                runs.append((plan["Planning Time"] + plan["Execution Time"], plan["Planning Time"]))
            total, planned = min(runs)
            planning += planned
            execution += total - planned
            replayed += 1
    return {"floor_ms": planning + execution, "planning_ms": planning, "replayed": replayed}


def _replayed_floor(statements):
    total = 0.0
    replayed = 0
    with connection.cursor() as cursor:
        for sql, params in statements:
            if not _is_select(sql):
                continue
            runs = []
            while len(runs) < FLOOR_RUNS and (not runs or runs[-1] < SLOW_STATEMENT_MS):
                started = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                runs.append(1000 * (time.perf_counter() - started))
            total += min(runs)
            replayed += 1
    return {"floor_ms": total, "planning_ms": None, "replayed": replayed}
