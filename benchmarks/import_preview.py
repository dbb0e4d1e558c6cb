"""Measures the import preview's budget, a file of 10,000 rows previewed in under a minute, beside the
same preview written the way a tutorial would, and beside the database's own floor.

    .venv/bin/python benchmarks/import_preview.py                     # PostGIS, 10,000 rows, 10,000 entries
    .venv/bin/python benchmarks/import_preview.py --rows 2000 --catalogue 1000 --keep
    .venv/bin/python benchmarks/import_preview.py --reuse --repeat 5 --profile
    .venv/bin/python benchmarks/import_preview.py --spatialite        # a SpatiaLite file as well

1. A database of its own: a PostGIS database (``--postgis``, created, then dropped at the end, also on
   an error or Ctrl-C, unless ``--keep``) and, with ``--spatialite``, a SpatiaLite file as well
   (``--spatialite-file``); ``migrate``, ``load_territories``, ``load_seed``, then ``generate_demo``
   until the catalogue holds ``--catalogue`` demo initiatives (10,000), so that the duplicates are
   looked for in a catalogue of a realistic size; ``VACUUM FULL`` and ``ANALYZE`` as in service.
2. A network's file of ``--rows`` rows (10,000), written from that database (``write_file``, inside
   the project): CSV in Windows-1252 with ``;``, French headings (Identifiant;Nom;Adresse;Code
   postal;Ville;Code INSEE;Latitude;Longitude;Site web;Courriel;SIRET;Type), real communes of the
   territories table. In random order: most rows new, placed at a point inside their commune's
   contour (with a decimal point or a French decimal comma) or by their commune alone (INSEE code,
   or postcode and name); some repeating a catalogue entry (its name, or its name in capitals, within
   300 m; or another name with its website; or its SIREN, which updates it); some refused (INSEE
   code 99999 and no coordinates, or a SIREN whose check digit is wrong); a few carrying two or three
   structures on one point (identifiers joined by ``;``, names on separate lines); some with kinds
   the catalogue does not know (a warning, not a refusal).
3. Inside ``manage.py shell`` (``measure``), with the site's settings:
   - **ours**: ``read_table``, ``checked_mapping`` and ``plan_import(..., known_ids={})``, the calls
     of ``contributions.imports.preview`` for a first import of a source; the median of ``--repeat``
     runs in one process (a worker answering the preview page again), their SQL queries counted by
     ``database_floor.Recorder`` (an execute wrapper, as ``CaptureQueriesContext`` counts them, but
     keeping the parameters apart for the floor), and the plan's counts;
   - **the tutorial's way**: the baseline, written below in this script (``tutorial_preview``): the
     file read with ``csv.DictReader``, then for each row a query for its commune, one for each of
     its kinds, one to tell whether its point is in France (when the régions have contours), one for
     its SIREN, and ``find_duplicates`` (one to three queries a row) — what one writes without the
     territories read once (``catalogue.importers.places.Places``) and the catalogue's in-memory
     index (``DuplicateIndex``). Run once, on the first ``--naive-rows`` rows (500): its time and queries
     are extrapolated linearly to the whole file, and the table says so;
   - **the floor**: the SQL statements of ours' last run replayed by ``database_floor.floor``
     (PostgreSQL: ``EXPLAIN (ANALYZE, TIMING OFF)``, planning and execution summed; SQLite: each
     SELECT run again with ``fetchall()``; best of three each).
4. A Markdown table per database, with the ratios tutorial ÷ ours and ours ÷ floor, and the budget
   (``< 60 s`` for the preview, whatever the database).

``--profile`` runs ours once more under cProfile and writes its 25 most expensive functions
(cumulative time) to stderr. Figures depend on the machine: run it on the one you report for.
Progress goes to stderr, the tables to stdout.
"""

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from catalogue_budgets import bring_demo_data_to
from harness import REPOSITORY, PostGIS, SpatiaLite, log, prepare, stop_on_sigterm, timed
from harness import answer as harness_answer
from harness import in_project as harness_in_project

BUDGET_SECONDS = 60
HEADINGS = [
    "Identifiant",
    "Nom",
    "Adresse",
    "Code postal",
    "Ville",
    "Code INSEE",
    "Latitude",
    "Longitude",
    "Site web",
    "Courriel",
    "SIRET",
    "Type",
]
# The share of each kind of row in the file; the rest are new rows placed by their commune alone.
SHARES = {
    "new, a point in its commune": 0.60,
    "repeats a catalogue entry's name nearby": 0.08,
    "another name with a catalogue entry's website": 0.02,
    "a catalogue entry's SIREN": 0.01,
    "unknown INSEE code 99999": 0.02,
    "invalid SIREN": 0.01,
    "several structures on one point": 0.005,
}
BENCH_USER = "bench-import@example.org"


def main():
    arguments = parse_arguments()
    stop_on_sigterm()
    started = time.perf_counter()
    for database in arguments.databases:
        measure_database(database, arguments)
    log(f"done in {time.perf_counter() - started:.0f} s")


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgis",
        default=os.environ.get(
            "BENCH_IMPORT_DATABASE_URL", "postgis://postgres@127.0.0.1:5432/perc_bench_import"
        ),
        help="a database URL whose database this script may create and drop",
    )
    parser.add_argument(
        "--spatialite", action="store_true", help="measure on a SpatiaLite file too, after PostGIS"
    )
    parser.add_argument(
        "--spatialite-file",
        type=Path,
        default=REPOSITORY / "var" / "bench-import.sqlite3",
        help="a SpatiaLite file this script may create and delete (default: var/bench-import.sqlite3)",
    )
    parser.add_argument(
        "--catalogue",
        type=int,
        default=10_000,
        help="demo initiatives in the catalogue (default: %(default)s)",
    )
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the file (default: %(default)s)")
    parser.add_argument(
        "--naive-rows",
        type=int,
        default=500,
        help="rows the tutorial's way reads, extrapolated to --rows when fewer (default: %(default)s)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of our preview, median (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the file (default: %(default)s)")
    parser.add_argument("--profile", action="store_true", help="profile one more run of ours (cProfile)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the databases and the files at the end, to look into them"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the databases that --keep left (no set-up; demo data added or replaced to size)",
    )
    arguments = parser.parse_args()
    if arguments.rows < 1 or arguments.repeat < 1 or arguments.naive_rows < 1:
        parser.error("--rows, --repeat and --naive-rows must be at least 1")
    arguments.databases = [PostGIS(arguments.postgis)]
    if arguments.spatialite:
        arguments.databases.append(SpatiaLite(arguments.spatialite_file))
    return arguments


def measure_database(database, arguments):
    """Set-up, the file, the measures and the table, on one database; dropped at the end unless --keep."""
    started = time.perf_counter()
    path = REPOSITORY / "var" / f"bench-import-{database.key}.csv"
    try:
        prepare(database, arguments.reuse)
        generation = bring_demo_data_to(database, arguments.catalogue)
        log(f"{database.name}: compacted and analysed in {timed(database.compact):.1f} s")
        log(f"set-up done in {time.perf_counter() - started:.0f} s")
        path.parent.mkdir(parents=True, exist_ok=True)
        made = in_project(
            database, "write_file", BENCH_FILE=str(path), BENCH_ROWS=arguments.rows, BENCH_SEED=arguments.seed
        )
        log(f"{path.name}: {made['rows']:,} rows, {path.stat().st_size / 1e6:.1f} MB, {made['kinds']}")
        report = in_project(
            database,
            "measure",
            BENCH_FILE=str(path),
            BENCH_REPEAT=arguments.repeat,
            BENCH_NAIVE_ROWS=arguments.naive_rows,
            BENCH_PROFILE=int(arguments.profile),
        )
        print_table(database, arguments, generation, made, report)
    finally:
        if arguments.keep:
            log(f"kept {database} and {path}")
        else:
            database.drop()
            path.unlink(missing_ok=True)


def in_project(database, function, **orders):
    """The JSON answer of ``function`` of this module, run inside the project (``harness.in_project``)."""
    return harness_in_project(database, "import_preview", function, **orders)


# --- Inside the project (manage.py shell): the file ---------------------------------------------
# Django and the project are imported in the functions below only: the script itself runs outside.

STREETS = [
    "rue de la République",
    "place de l'Église",
    "chemin des Écoliers",
    "avenue Jean-Jaurès",
    "rue du Général-de-Gaulle",
    "boulevard Pasteur",
    "impasse des Tisserands",
    "rue de la Gare",
    "quai de la Fontaine",
    "route de Saint-Étienne",
]
PREFIXES = [
    "Tiers-lieu",
    "La Fabrique",
    "Café associatif",
    "Ressourcerie",
    "Atelier partagé",
    "Fab lab",
    "Espace de coworking",
    "Recyclerie",
    "Jardin partagé",
    "Épicerie solidaire",
]
NOUNS = [
    "Le Moulin",
    "La Grange",
    "L'Établi",
    "La Cour",
    "Le Hangar",
    "La Forge",
    "Les Communs",
    "La Ruche",
    "Le Préau",
    "La Filature",
    "L'Escale",
    "Le Quai",
]
UNKNOWN_KINDS = ["Guinguette", "Autre", "Lieu hybride"]


def write_file():
    """The network's file (see the module's docstring) at ``BENCH_FILE``, ``BENCH_ROWS`` rows,
    from ``BENCH_SEED``; answers how many rows of each kind it holds."""
    from django.contrib.gis.geos import Point

    from accounts.models import User
    from catalogue.models import Initiative, Kind, LegalEntity
    from territories.models import Territory

    rng = random.Random(int(os.environ["BENCH_SEED"]))
    count = int(os.environ["BENCH_ROWS"])
    # The preview's user: an administrator, who may change any entry the file updates.
    User.objects.update_or_create(
        email=BENCH_USER, defaults={"is_superuser": True, "is_staff": True, "is_active": True}
    )
    shares = {what: round(share * count) for what, share in SHARES.items()}
    kinds = list(Kind.objects.values_list("label", flat=True))
    entries = list(
        Initiative.objects.exclude(status=Initiative.Status.ARCHIVED)
        .filter(location__isnull=False, commune__isnull=False)
        .values_list("name", "location", "website", "commune_id")
    )
    with_website = [entry for entry in entries if entry[2]]
    if not with_website:
        shares.pop("another name with a catalogue entry's website")
    sirens = list(
        LegalEntity.objects.exclude(siren="")
        .exclude(initiative__status=Initiative.Status.ARCHIVED)
        .values_list("siren", flat=True)
        .distinct()
    )
    communes = list(Territory.objects.communes().values_list("pk", "code", "name", "postcodes", "centre"))
    by_pk = {commune[0]: commune for commune in communes}
    plan = [what for what, share in shares.items() for _ in range(share)]
    plan += ["new, by its commune"] * (count - len(plan))
    rng.shuffle(plan)
    # The communes of the rows placed by a point, and their contours, read together.
    picked = [rng.choice(communes) for _ in plan]
    with_point = {commune[0] for what, commune in zip(plan, picked, strict=True) if "point" in what}
    contours = dict(
        Territory.objects.filter(pk__in=with_point, contour__isnull=False).values_list("pk", "contour")
    )
    rows = []
    for number, (what, commune) in enumerate(zip(plan, picked, strict=True), start=1):
        row = _new_row(rng, number, commune, kinds)
        if what == "new, a point in its commune":
            _place(rng, row, _point_in(rng, contours.get(commune[0]), commune[4]))
        elif what == "repeats a catalogue entry's name nearby":
            name, location, _website, commune_id = rng.choice(entries)
            row.update(_commune_cells(by_pk[commune_id]))
            row["Nom"] = name.upper() if rng.random() < 0.3 else name
            # Within about 300 m: a degree of latitude is 111 km, of longitude some 75 km in France.
            location = Point(
                location.x + rng.uniform(-0.003, 0.003), location.y + rng.uniform(-0.002, 0.002), srid=4326
            )
            _place(rng, row, location)
            row["Site web"] = row["Courriel"] = row["SIRET"] = ""
        elif what == "another name with a catalogue entry's website":
            row["Site web"] = rng.choice(with_website)[2]
        elif what == "a catalogue entry's SIREN":
            row["SIRET"] = rng.choice(sirens) + f"{rng.randint(0, 99999):05d}"
        elif what == "unknown INSEE code 99999":
            row["Code INSEE"] = "99999"
        elif what == "invalid SIREN":
            valid = _siren(rng)
            row["SIRET"] = valid[:8] + str((int(valid[8]) + 1) % 10)
        elif what == "several structures on one point":
            structures = rng.randint(2, 3)
            row["Identifiant"] = ";".join(f"{row['Identifiant']}-{part}" for part in range(structures))
            row["Nom"] = "\n".join(f"{rng.choice(PREFIXES)} {rng.choice(NOUNS)}" for _ in range(structures))
            _place(rng, row, _point_in(rng, contours.get(commune[0]), commune[4]))
        rows.append(row)
    with open(os.environ["BENCH_FILE"], "w", encoding="cp1252", errors="replace", newline="") as file:
        writer = csv.DictWriter(file, HEADINGS, delimiter=";", lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    harness_answer({"rows": len(rows), "kinds": dict(Counter(plan))})


def _new_row(rng, number, commune, kinds):
    """A new entry's row, placed by its commune (INSEE code and postcode, or postcode and name)."""
    name = f"{rng.choice(PREFIXES)} {rng.choice(NOUNS)}"
    if rng.random() < 0.5:
        name += f" de {commune[2]}"
    slug = f"{name.split()[0].lower().replace('-', '')}{number}"
    kind = rng.choice(kinds) if kinds else ""
    chance = rng.random()
    if chance < 0.1 and len(kinds) > 1:
        kind = ", ".join(rng.sample(kinds, 2))
    elif chance < 0.2:
        kind = rng.choice(UNKNOWN_KINDS)
    row = {
        "Identifiant": f"R{number:06d}",
        "Nom": name,
        "Adresse": f"{rng.randint(1, 120)} {rng.choice(STREETS)}" if rng.random() < 0.8 else "",
        "Latitude": "",
        "Longitude": "",
        "Site web": f"https://www.{slug}.fr" if rng.random() < 0.4 else "",
        "Courriel": f"contact@{slug}.fr" if rng.random() < 0.25 else "",
        "SIRET": _siren(rng) + f"{rng.randint(0, 99999):05d}" if rng.random() < 0.3 else "",
        "Type": kind,
    }
    row.update(_commune_cells(commune))
    if rng.random() < 0.3:
        row["Code INSEE"] = ""  # the postcode and the name tell the commune
    return row


def _commune_cells(commune):
    _pk, code, name, postcodes, _centre = commune
    return {"Code postal": str(postcodes[0]) if postcodes else "", "Ville": name, "Code INSEE": code}


def _place(rng, row, point):
    if point is None:
        return
    latitude, longitude = f"{point.y:.6f}", f"{point.x:.6f}"
    if rng.random() < 0.5:  # as a French spreadsheet writes them
        latitude, longitude = latitude.replace(".", ","), longitude.replace(".", ",")
    row["Latitude"], row["Longitude"] = latitude, longitude


def _point_in(rng, contour, centre):
    """A random point inside ``contour``, or its centre when it has none."""
    from django.contrib.gis.geos import Point

    if contour is None:
        return centre
    west, south, east, north = contour.extent
    for _ in range(50):
        point = Point(rng.uniform(west, east), rng.uniform(south, north), srid=contour.srid)
        if contour.contains(point):
            return point
    return contour.point_on_surface


def _siren(rng):
    """A random SIREN whose last digit is its Luhn check digit."""
    from catalogue.validators import luhn_is_valid

    start = f"{rng.randint(10_000_000, 99_999_999)}"
    return next(start + digit for digit in "0123456789" if luhn_is_valid(start + digit))


# --- Inside the project (manage.py shell): the measures ---------------------------------------


def measure():
    """Ours ``BENCH_REPEAT`` times, the tutorial's way on ``BENCH_NAIVE_ROWS`` rows, and the floor
    of ours' last run, on the file ``BENCH_FILE``: see the module's docstring."""
    from database_floor import Recorder, floor
    from django.db import connection

    from accounts.models import User
    from catalogue.models import Initiative

    path = Path(os.environ["BENCH_FILE"])
    content = path.read_bytes()
    user = User.objects.get(email=BENCH_USER)
    times = []
    for run in range(int(os.environ["BENCH_REPEAT"])):
        recorder = Recorder(keep=True)
        started = time.perf_counter()
        with connection.execute_wrapper(recorder):
            table, plan = our_preview(path.name, content, user)
        times.append(time.perf_counter() - started)
        log(f"ours, run {run + 1}: {times[-1]:.2f} s, {recorder.count} queries")
    answer = {
        "catalogue": Initiative.objects.exclude(status=Initiative.Status.ARCHIVED).count(),
        "format": table.description,
        "ours": {"times": times, "queries": recorder.count, "counts": plan.counts},
    }
    answer["ours"].update(floor(recorder.statements))
    log(f"floor of ours: {answer['ours']['floor_ms'] / 1000:.2f} s")
    if os.environ.get("BENCH_PROFILE") == "1":
        profile(path.name, content, user)
    limit = int(os.environ["BENCH_NAIVE_ROWS"])
    recorder = Recorder(keep=False)
    started = time.perf_counter()
    with connection.execute_wrapper(recorder):
        counts = tutorial_preview(content, limit)
    seconds = time.perf_counter() - started
    log(f"the tutorial's way, {counts['rows']:,} rows: {seconds:.2f} s, {recorder.count:,} queries")
    answer["tutorial"] = {"seconds": seconds, "queries": recorder.count, "counts": counts}
    answer["load"] = os.getloadavg()
    harness_answer(answer)


def our_preview(file_name, content, user):
    """(table, plan): what ``contributions.imports.preview`` does for a first import of a source."""
    from catalogue.importers.mapping import checked_mapping
    from catalogue.importers.planning import plan_import
    from catalogue.importers.reading import read_table

    table = read_table(file_name, content)
    mapping = checked_mapping(table.headings, {})
    return table, plan_import(table, mapping, user, known_ids={})


def profile(file_name, content, user):
    profiler = cProfile.Profile()
    profiler.runcall(our_preview, file_name, content, user)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
    log(f"ours under cProfile:\n{text.getvalue()}")


def tutorial_preview(content, limit):
    """THE BASELINE, not the project's code: the preview as a Django tutorial would write it, for
    the first ``limit`` rows. The same checks as ours (a commune that exists, a point in France, a
    valid SIREN, the kinds, an entry with the same SIREN updated, possible duplicates flagged), each
    asked of the database row by row. Answers the counts, as ``Plan.counts`` names them."""
    from django.contrib.gis.geos import Point
    from django.core.exceptions import ValidationError

    from catalogue.duplicates import Probe, find_duplicates
    from catalogue.models import Kind, LegalEntity
    from catalogue.validators import validate_siren
    from territories.models import Territory

    counts = Counter()
    # Régions without contours (the territories loaded without them) leave every point in France, as
    # in ours; this is asked once, the rest row by row.
    regions = Territory.objects.filter(kind=Territory.Kind.REGION, contour__isnull=False)
    check_regions = regions.exists()
    reader = csv.DictReader(io.StringIO(content.decode("cp1252")), delimiter=";")
    for row in reader:
        if counts["rows"] == limit:
            break
        counts["rows"] += 1
        row = {heading: (value or "").strip() for heading, value in row.items()}
        names = [name.strip() for name in row["Nom"].splitlines() if name.strip()]
        refused = not names
        insee, postcode, town = row["Code INSEE"], row["Code postal"], row["Ville"]
        communes = Territory.objects.filter(kind=Territory.Kind.COMMUNE)
        if insee:
            commune = communes.filter(code=insee).first()
        else:
            commune = next(
                (found for found in communes.filter(name__iexact=town) if postcode in found.postcodes), None
            )
        point = None
        if row["Latitude"] and row["Longitude"]:
            point = Point(
                float(row["Longitude"].replace(",", ".")), float(row["Latitude"].replace(",", ".")), srid=4326
            )
            if check_regions:
                refused = refused or not regions.filter(contour__bbcontains=point).exists()
        refused = refused or (commune is None and point is None)
        siren = row["SIRET"].replace(" ", "")[:9]
        if siren:
            try:
                validate_siren(siren)
            except ValidationError:
                refused = True
        if refused:
            counts["refused"] += 1
            continue
        # The kinds, for the entry to create (an unknown kind is left out, as in ours).
        for value in row["Type"].split(","):
            if value.strip():
                Kind.objects.filter(label__iexact=value.strip()).first()
        if siren and LegalEntity.objects.filter(siren=siren).values("initiative").distinct().count() == 1:
            counts["update"] += len(names)
            continue
        for name in names:
            counts["create"] += 1
            probe = Probe(
                name=name,
                location=point,
                sirens=(siren,) if siren else (),
                website=row["Site web"],
                public_email=row["Courriel"],
            )
            if find_duplicates(probe):
                counts["flagged"] += 1
    return dict(counts)


# --- The table ------------------------------------------------------------------------------------


def print_table(database, arguments, generation, made, report):
    ours, tutorial = report["ours"], report["tutorial"]
    median = statistics.median(ours["times"])
    floor = ours["floor_ms"] / 1000
    sampled = tutorial["counts"]["rows"]
    scale = made["rows"] / sampled
    tutorial_seconds, tutorial_queries = tutorial["seconds"] * scale, tutorial["queries"] * scale
    extrapolated = sampled < made["rows"]
    floor_kind = (
        "`EXPLAIN (ANALYZE, TIMING OFF)` of each SELECT, planning and execution"
        if database.key == "postgis"
        else "each SELECT run again with `fetchall()`"
    )
    print(
        f"\n### Import preview, {database.name}: {made['rows']:,} rows, {report['catalogue']:,} entries "
        f"in the catalogue\n\n"
        f"{time.strftime('%Y-%m-%d')}, {database.versions()}; a CSV file ({report['format']}) of "
        f"{made['rows']:,} rows; generate_demo took {generation:.0f} s; load average after the measures "
        f"{', '.join(f'{value:.1f}' for value in report['load'])}. Ours: median of "
        f"{len(ours['times'])} runs in one process ({', '.join(f'{t:.2f}' for t in ours['times'])} s). "
        f"Tutorial: the per-row baseline of this script, "
        + (
            f"run on the first {sampled:,} rows and **extrapolated linearly** to {made['rows']:,} "
            f"(measured: {tutorial['seconds']:.1f} s, {tutorial['queries']:,} queries). "
            if extrapolated
            else "run on the whole file. "
        )
        + f"Floor: the database's own time for ours' queries, {floor_kind}, best of 3.\n"
    )
    print(
        "| rows | catalogue | ours | ours: queries | tutorial | tutorial: queries | floor "
        "| tutorial ÷ ours | ours ÷ floor | budget |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    mark = " (extrapolated)" if extrapolated else ""
    verdict = "✓" if median < BUDGET_SECONDS else "✗"
    print(
        f"| {made['rows']:,} | {report['catalogue']:,} | {median:,.2f} s | {ours['queries']:,} | "
        f"{tutorial_seconds:,.1f} s{mark} | {tutorial_queries:,.0f}{mark} | {floor:,.3f} s | "
        f"{tutorial_seconds / median:,.1f}× | {median / floor:,.0f}× | < {BUDGET_SECONDS} s {verdict} |"
    )
    counts = ours["counts"]
    print(
        f"\nOurs: {counts['create']:,} to create ({counts['flagged']:,} flagged as possible duplicates, "
        f"of the catalogue or of the file), {counts['update']:,} to update, {counts['keep']:,} unchanged, "
        f"{counts['left_alone']:,} left alone, {counts['refused']:,} rows refused, of {counts['rows']:,}. "
        f"Tutorial, on its {sampled:,} rows: "
        + ", ".join(f"{tutorial['counts'].get(key, 0):,} {key}" for key in ("create", "flagged", "update"))
        + f", {tutorial['counts'].get('refused', 0):,} refused (it does not compare the file's rows "
        f"with each other). The file: "
        + ", ".join(f"{share:,} {what}" for what, share in made["kinds"].items())
        + "."
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
