"""Measures the sitemap's budget, 100,000 URLs in under a second, beside Django's own sitemap view,
the way a tutorial writes a sitemap, and the database's floor.

    .venv/bin/python benchmarks/sitemap.py                    # PostGIS, 100,000 demo initiatives
    .venv/bin/python benchmarks/sitemap.py --count 10000 --repeat 3 --keep
    .venv/bin/python benchmarks/sitemap.py --reuse            # the database that --keep left

1. A PostGIS database of its own (``--postgis``, created, then dropped at the end, also on an error
   or Ctrl-C, unless ``--keep``): ``migrate``, ``load_territories``, ``load_seed``, then
   ``generate_demo --count`` (100,000). The sitemap never lists demonstration entries, so they are
   then **made real** in that database (``UPDATE … SET is_demo = false``: made-up entries standing
   for a catalogue of that size, about 95 % of them published), and ``VACUUM FULL`` and ``ANALYZE``
   as in service.
2. Inside ``manage.py shell`` (``measure``), Django's test client (no HTTP), the median of
   ``--repeat`` requests after one to warm up, each answer read to its end:
   - **ours**: the first page of the fiches' section (``/sitemap-initiatives-1.xml``, 50,000 URLs),
     and the whole sitemap: ``/sitemap.xml`` and every page it lists; the SQL queries counted, the
     peak of Python's memory during one request (``tracemalloc``, apart from the timed runs);
   - **Django's view, our sections**: ``django.contrib.sitemaps.views.index`` and ``sitemap`` (the
     template ``sitemap.xml``) over the same sections (``catalogue.sitemaps.SECTIONS``), which are
     Django ``Sitemap`` classes: what the site would do with Django's views;
   - **the tutorial's way**: the baseline, written below (``TutorialInitiatives``): a ``Sitemap``
     whose ``items()`` are ``Initiative.objects.published()`` (model instances, in the model's
     order) and whose ``location()`` is ``get_absolute_url()``, through Django's views; the whole
     sitemap is that section with our other sections (territories, toolbox, pages);
   - **the floor**: the SQL statements of ours, replayed by ``database_floor.floor``
     (``EXPLAIN (ANALYZE, TIMING OFF)``, planning and execution summed, best of three), and the
     section's rows read by one query (``LIMIT 50000``) the same way.
3. Ours through HTTP as well (``manage.py runserver --nothreading``, as one worker of a
   production server; the first page and the whole sitemap, median of ``--repeat``): the budget.
4. A Markdown table with the ratios: Django's view ÷ ours, tutorial ÷ ours, ours ÷ floor.

Figures depend on the machine and on what else runs on it: run it on the one you report for; the
table gives the load average. Progress goes to stderr, the table to stdout.
"""

import argparse
import os
import re
import statistics
import sys
import time

from catalogue_budgets import fetch
from harness import PostGIS, connect, keep_or_drop, log, manage, prepare, server, stop_on_sigterm, timed
from harness import answer as harness_answer
from harness import in_project as harness_in_project

BUDGET_SECONDS = 1.0
SECTION_PAGE = "/sitemap-initiatives-1.xml"
DJANGO_PREFIX = "/django"
TUTORIAL_PREFIX = "/tutoriel"
LOC = re.compile(rb"<loc>([^<]+)</loc>")


def main():
    arguments = parse_arguments()
    stop_on_sigterm()
    started = time.perf_counter()
    database = PostGIS(arguments.postgis)
    try:
        generation = set_up(database, arguments)
        report = in_project(database, "measure", BENCH_REPEAT=arguments.repeat)
        log("ours through HTTP…")
        report["http"] = measure_http(database, arguments.repeat)
        print_table(database, arguments, generation, report)
    finally:
        keep_or_drop(database, arguments.keep)
    log(f"done in {time.perf_counter() - started:.0f} s")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgis",
        default=os.environ.get(
            "BENCH_SITEMAP_DATABASE_URL", "postgis://postgres@127.0.0.1:5432/percolateur_bench_sitemap"
        ),
        help="a database URL whose database this script may create and drop",
    )
    parser.add_argument(
        "--count", type=int, default=100_000, help="demo initiatives generated (default: %(default)s)"
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="requests per measure, median (default: %(default)s)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end, to look into it")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the database that --keep left, as it is"
    )
    arguments = parser.parse_args()
    if arguments.count < 1 or arguments.repeat < 1:
        parser.error("--count and --repeat must be at least 1")
    return arguments


def set_up(database, arguments):
    """The database, its territories, seed and made-up entries; returns how long generate_demo took."""
    prepare(database, arguments.reuse)
    if arguments.reuse:
        return 0.0
    started = time.perf_counter()
    log(f"generate_demo --count {arguments.count}…")
    generation = timed(manage, database.url, "generate_demo", "--count", str(arguments.count))
    log(f"generate_demo: {generation:.1f} s")
    with connect(database.url) as connection:
        made_real = connection.execute(
            "UPDATE catalogue_initiative SET is_demo = false WHERE is_demo"
        ).rowcount
    log(f"{made_real:,} demo initiatives made real for the sitemap")
    log(f"compacted and analysed in {timed(database.compact):.1f} s")
    log(f"set-up done in {time.perf_counter() - started:.0f} s")
    return generation


def in_project(database, function, **orders):
    """The JSON answer of ``function`` of this module, run inside the project (``harness.in_project``)."""
    return harness_in_project(database, "sitemap", function, **orders)


def measure_http(database, repeat):
    """Ours through HTTP: {"page": [ms…], "whole": [ms…], "urls": n}, after one request to warm up."""
    with server(database.url) as base:
        fetch(base + SECTION_PAGE, keep_body=False)
        whole_once(base)
        page = [fetch(base + SECTION_PAGE, keep_body=False)[1] for _ in range(repeat)]
        wholes = [whole_once(base) for _ in range(repeat)]
    return {"page": page, "whole": [ms for ms, _urls in wholes], "urls": wholes[-1][1]}


def whole_once(base):
    """(ms, URLs): the index and every page it lists, one after the other, as a crawler reads them."""
    started = time.perf_counter()
    _first, _total, _size, index = fetch(base + "/sitemap.xml", keep_body=True)
    urls = 0
    for location in LOC.findall(index):
        _first, _total, _size, body = fetch(location.decode(), keep_body=True)
        urls += body.count(b"<url>")
    return 1000 * (time.perf_counter() - started), urls


# --- Inside the project (manage.py shell) --------------------------------------------------------
# Django and the project are imported in the functions below only: the script itself runs outside.


def tutorial_section():
    """THE BASELINE, not the project's code: the fiches' section as Django's documentation and
    tutorials write it, model instances and ``get_absolute_url()``."""
    from django.contrib.sitemaps import Sitemap

    from catalogue.models import Initiative

    class TutorialInitiatives(Sitemap):
        def items(self):
            return Initiative.objects.published()

        def lastmod(self, initiative):
            return initiative.updated_at

    return TutorialInitiatives


def urlconf():
    """The site's URLs, with Django's sitemap views over our sections under DJANGO_PREFIX and over
    the tutorial's under TUTORIAL_PREFIX."""
    import types

    from django.contrib.sitemaps import views
    from django.urls import include, path

    from catalogue.sitemaps import SECTIONS

    tutorial = {**SECTIONS, "initiatives": tutorial_section()}
    module = types.ModuleType("sitemap_benchmark_urls")
    module.urlpatterns = [
        path(f"{DJANGO_PREFIX[1:]}/sitemap.xml", views.index, {"sitemaps": SECTIONS}),
        path(
            f"{DJANGO_PREFIX[1:]}/sitemap-<section>.xml",
            views.sitemap,
            {"sitemaps": SECTIONS},
            name="django.contrib.sitemaps.views.sitemap",
        ),
        path(
            f"{TUTORIAL_PREFIX[1:]}/sitemap.xml",
            views.index,
            {"sitemaps": tutorial, "sitemap_url_name": "tutorial-sitemap"},
        ),
        path(
            f"{TUTORIAL_PREFIX[1:]}/sitemap-<section>.xml",
            views.sitemap,
            {"sitemaps": tutorial},
            name="tutorial-sitemap",
        ),
        path("", include("config.urls")),
    ]
    return module


def measure():
    """Ours, Django's view over our sections and the tutorial's way, in process; the floor of
    ours. See the module's docstring."""
    from database_floor import Recorder, floor
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    from catalogue.models import Initiative
    from catalogue.sitemaps import InitiativeSection

    setup_test_environment()  # the test client's host
    repeat = int(os.environ["BENCH_REPEAT"])
    client = Client()
    answer = {
        "published": Initiative.objects.published().count(),
        "indexable": Initiative.objects.published().filter(is_demo=False).count(),
    }
    with override_settings(ROOT_URLCONF=urlconf()):
        ways = {"ours": "", "django": DJANGO_PREFIX, "tutorial": TUTORIAL_PREFIX}
        for way, prefix in ways.items():
            page = f"{prefix}/sitemap-initiatives.xml" if prefix else SECTION_PAGE
            log(f"{way}: the first page of the fiches…")
            answer[way] = {"page": measure_url(client, page, repeat)}
            log(f"{way}: {statistics.median(answer[way]['page']['times']):,.0f} ms; the whole sitemap…")
            answer[way]["whole"] = measure_whole(client, f"{prefix}/sitemap.xml", repeat)
            log(f"{way}: {statistics.median(answer[way]['whole']['times']):,.0f} ms")
        # The floor: our page's statements replayed, then the section's rows read by one query.
        recorder = Recorder(keep=True)
        with connection.execute_wrapper(recorder):
            read(client, SECTION_PAGE)
        answer["ours"]["page"]["floor"] = floor(recorder.statements)
        recorder = Recorder(keep=True)
        with connection.execute_wrapper(recorder):
            list(InitiativeSection().items()[: InitiativeSection.limit])
        answer["one_query_floor"] = floor(recorder.statements)
    answer["load"] = os.getloadavg()
    harness_answer(answer)


def read(client, url):
    """The whole body of ``url``, which must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return b"".join(response.streaming_content) if response.streaming else response.content


def measure_url(client, url, repeat):
    """{"times", "queries", "urls", "bytes", "peak_mb"} of ``url``: ``repeat`` timed requests after
    one to warm up, then one under tracemalloc for the peak of Python's memory."""
    import tracemalloc

    from database_floor import Recorder
    from django.db import connection

    read(client, url)
    times = []
    for _ in range(repeat):
        recorder = Recorder(keep=False)
        started = time.perf_counter()
        with connection.execute_wrapper(recorder):
            body = read(client, url)
        times.append(1000 * (time.perf_counter() - started))
    tracemalloc.start()
    read(client, url)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "times": times,
        "queries": recorder.count,
        "urls": body.count(b"<url>"),
        "bytes": len(body),
        "peak_mb": peak / 1e6,
    }


def measure_whole(client, index_url, repeat):
    """{"times", "queries", "urls", "files"}: the index and every page it lists, ``repeat`` times."""
    from urllib.parse import urlsplit

    from database_floor import Recorder
    from django.db import connection

    def once():
        recorder = Recorder(keep=False)
        started = time.perf_counter()
        with connection.execute_wrapper(recorder):
            index = read(client, index_url)
            locations = [urlsplit(location.decode()) for location in LOC.findall(index)]
            urls = sum(
                read(client, f"{where.path}?{where.query}" if where.query else where.path).count(b"<url>")
                for where in locations
            )
        return 1000 * (time.perf_counter() - started), recorder.count, urls, len(locations)

    once()
    runs = [once() for _ in range(repeat)]
    _ms, queries, urls, files = runs[-1]
    return {"times": [run[0] for run in runs], "queries": queries, "urls": urls, "files": files}


# --- The table ------------------------------------------------------------------------------------


def print_table(database, arguments, generation, report):
    ours, django, tutorial, http = report["ours"], report["django"], report["tutorial"], report["http"]
    median = statistics.median
    floor_ms = ours["page"]["floor"]["floor_ms"]
    one_query = report["one_query_floor"]["floor_ms"]
    http_page, http_whole = median(http["page"]), median(http["whole"])
    print(
        f"\n### Sitemap, PostGIS: {arguments.count:,} demo initiatives made real "
        f"({report['indexable']:,} published fiches)\n\n"
        f"{time.strftime('%Y-%m-%d')}, {database.versions()}; generate_demo took {generation:.0f} s; "
        f"load average after the measures {', '.join(f'{value:.1f}' for value in report['load'])} "
        f"(the machine runs other work too). In process: Django's test client, median of "
        f"{arguments.repeat} after one to warm up, each answer read to its end; peak: Python's memory "
        f"during one request (tracemalloc). HTTP: `runserver --nothreading`, median of {arguments.repeat}. "
        f"Floor: our page's {ours['page']['floor']['replayed']} SELECTs replayed with `EXPLAIN (ANALYZE, "
        f"TIMING OFF)`, planning and execution, best of 3 (the section's rows read by one query "
        f"instead: {one_query:,.1f} ms).\n"
    )
    print(
        "| what | URLs | ours, HTTP | ours | queries | peak | Django's view, our sections | peak | "
        "tutorial | peak | floor | Django ÷ ours | tutorial ÷ ours | ours ÷ floor | budget |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for what, key, http_ms in (
        ("fiches, page 1 (`/sitemap-initiatives-1.xml`)", "page", http_page),
        (f"the whole sitemap, index and {ours['whole']['files']} files", "whole", http_whole),
    ):
        ours_ms, django_ms, tutorial_ms = (median(way[key]["times"]) for way in (ours, django, tutorial))
        floor_text = f"{floor_ms:,.0f} ms" if key == "page" else "—"
        floor_ratio = f"{ours_ms / floor_ms:,.1f}×" if key == "page" else "—"
        peak = {
            way_name: way[key].get("peak_mb")
            for way_name, way in (("o", ours), ("d", django), ("t", tutorial))
        }
        peaks = {name: "—" if value is None else f"{value:,.0f} MB" for name, value in peak.items()}
        verdict = "✓" if http_ms < BUDGET_SECONDS * 1000 else "✗"
        budget = f"< 1 s for 100,000 URLs {verdict}" if key == "whole" else "none"
        print(
            f"| {what} | {ours[key]['urls']:,} | {http_ms:,.0f} ms | {ours_ms:,.0f} ms "
            f"| {ours[key]['queries']} "
            f"| {peaks['o']} | {django_ms:,.0f} ms ({django[key]['queries']} queries) | {peaks['d']} "
            f"| {tutorial_ms:,.0f} ms ({tutorial[key]['queries']} queries) | {peaks['t']} | {floor_text} "
            f"| {django_ms / ours_ms:,.1f}× | {tutorial_ms / ours_ms:,.1f}× | {floor_ratio} | {budget} |"
        )
    print(
        f"\nURLs through HTTP: {http['urls']:,} (the index lists {ours['whole']['files']} files). "
        f"Runs (ms): ours page {', '.join(f'{t:,.0f}' for t in ours['page']['times'])}; "
        f"HTTP page {', '.join(f'{t:,.0f}' for t in http['page'])}; "
        f"HTTP whole {', '.join(f'{t:,.0f}' for t in http['whole'])}."
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
