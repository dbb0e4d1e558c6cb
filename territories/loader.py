"""Loading the shipped territories files (``fixtures/territories/``) into the database.

Reading and writing are two steps: ``read_territory_files`` checks every file against the manifest
(presence, SHA-256, columns, every row) and raises ``TerritoryFileError`` naming the file and line of
each problem before anything is written; ``write_territories`` then creates or updates, in one
transaction, only the rows that differ. Loading the same files twice changes nothing.

The communes' contours (``communes-contours.csv.xz``) make ``Territory.objects.commune_at()`` exact
near borders; a load without them (``--without-contours``) leaves those already stored as they are.
"""

import csv
import gzip
import hashlib
import io
import json
import lzma
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Point, Polygon
from django.db import connection, transaction

from .models import Territory, TerritoryCode
from .signals import territories_changed

DEFAULT_DIRECTORY = Path(settings.BASE_DIR) / "fixtures" / "territories"
FILES = {
    Territory.Kind.REGION: "regions.csv.gz",
    Territory.Kind.DEPARTEMENT: "departements.csv.gz",
    Territory.Kind.EPCI: "epci.csv.gz",
    Territory.Kind.COMMUNE: "communes.csv.gz",
}
# The communes' contours: optional (``--without-contours`` skips them), 3.7 MB of coordinates.
CONTOURS_FILE = "communes-contours.csv.xz"
# Parents first: a commune's row refers to its département, région and EPCI by code.
ORDER = (Territory.Kind.REGION, Territory.Kind.DEPARTEMENT, Territory.Kind.EPCI, Territory.Kind.COMMUNE)
CODE_PATTERNS = {
    Territory.Kind.REGION: re.compile(r"^\d{2}$"),
    Territory.Kind.DEPARTEMENT: re.compile(r"^(?:\d{2}|2[AB]|97\d)$"),
    Territory.Kind.EPCI: re.compile(r"^\d{9}$"),
    Territory.Kind.COMMUNE: re.compile(r"^(?:\d{5}|2[AB]\d{3})$"),
}
POSTCODE = re.compile(r"^\d{5}$")
MAX_REPORTED_ERRORS = 20
BATCH_SIZE = 2000
# Computed from the others by Territory.fill_derived_fields().
DERIVED_FIELDS = ("density", "density_class", "search_name")


class TerritoryFileError(Exception):
    """The files cannot be loaded; ``problems`` lists each one with its file and line."""

    def __init__(self, problems):
        self.problems = problems
        shown = problems[:MAX_REPORTED_ERRORS]
        more = len(problems) - len(shown)
        text = "\n".join(shown) + (f"\n… and {more} more problems." if more > 0 else "")
        super().__init__(text)


# Contours that were not read (a load without them) are left untouched in the database.
NOT_READ = object()


@dataclass
class TerritoryRow:
    kind: str
    code: str
    name: str
    epci_type: str = ""
    region: str = ""
    departement: str = ""
    epci: str = ""
    postcodes: list = field(default_factory=list)
    population: int | None = None
    area_km2: float | None = None
    centre: tuple | None = None  # (longitude, latitude)
    # A MultiPolygon, None for a commune without one, or NOT_READ: the load leaves it as it is.
    contour: object = NOT_READ


@dataclass
class LoadReport:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)
    unchanged: dict = field(default_factory=dict)
    # Territories in the database that the files no longer list (a commune merged into another…):
    # kept, since initiatives may refer to them.
    not_in_files: int = 0
    # The primary keys of the territories whose stored facts this load changed.
    changed_pks: set = field(default_factory=set)

    def total(self, counts):
        return sum(counts.values())


def read_territory_files(directory=DEFAULT_DIRECTORY, departements=None, contours=True):
    """The rows of the four files, by kind, checked; ``departements`` keeps only those départements,
    their communes, the intercommunalities those belong to and their régions. With ``contours``, the
    communes' rows carry their contour (from the fifth file, when the manifest lists it)."""
    directory = Path(directory)
    manifest = _read_manifest(directory)
    problems, rows = [], {}
    for kind in ORDER:
        name = FILES[kind]
        rows[kind] = _read_file(directory / name, kind, manifest.get(name), problems)
    if not problems:
        _check_references(rows, problems)
    if not problems and contours and CONTOURS_FILE in manifest:
        _read_contours(directory / CONTOURS_FILE, manifest[CONTOURS_FILE], rows, problems)
    if problems:
        raise TerritoryFileError(problems)
    if departements:
        rows = _only_departements(rows, set(departements))
    return rows


def _read_manifest(directory):
    path = directory / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        return {name: entry for name, entry in manifest["files"].items()}
    except FileNotFoundError:
        raise TerritoryFileError([f"{path}: file missing."]) from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise TerritoryFileError([f"{path}: not a valid manifest ({error})."]) from None


def _checked_text(path, expected, problems):
    """The file's text once its digest matches the manifest's, or None (and a problem)."""
    if expected is None:
        problems.append(f"{path.name}: not listed in manifest.json.")
        return None
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problems.append(f"{path}: file missing.")
        return None
    if hashlib.sha256(data).hexdigest() != expected.get("sha256"):
        problems.append(
            f"{path}: its content does not match manifest.json (damaged or edited by hand); "
            "rebuild it with scripts/build_territories.py or restore it from the repository."
        )
        return None
    try:
        decompress = lzma.decompress if path.suffix == ".xz" else gzip.decompress
        return decompress(data).decode("utf-8")
    except (OSError, EOFError, zlib.error, lzma.LZMAError, UnicodeDecodeError) as error:
        problems.append(f"{path}: cannot be read ({error}).")
        return None


def _read_file(path, kind, expected, problems):
    text = _checked_text(path, expected, problems)
    if text is None:
        return []
    reader = csv.DictReader(io.StringIO(text))
    rows = []
    for row in reader:
        try:
            rows.append(_parse_row(kind, row))
        except ValueError as error:
            problems.append(f"{path.name}, line {reader.line_num}: {error}")
    if len(rows) != expected.get("rows") and not problems:
        problems.append(
            f"{path.name}: {len(rows)} rows where manifest.json announces {expected.get('rows')}."
        )
    return rows


def _parse_row(kind, row):
    if None in row or None in row.values():
        raise ValueError("wrong number of columns.")
    code = row.get("code", "")
    if not CODE_PATTERNS[kind].match(code):
        raise ValueError(f"{code!r} is not a valid code for a {kind}.")
    name = row.get("name", "").strip()
    if not name:
        raise ValueError(f"{code}: the name is empty.")
    postcodes = row.get("postcodes", "").split()
    if any(not POSTCODE.match(postcode) for postcode in postcodes):
        raise ValueError(f"{code}: invalid postcodes {row['postcodes']!r}.")
    epci_type = row.get("epci_type", "")
    if kind == Territory.Kind.EPCI and epci_type not in Territory.EpciType.values:
        raise ValueError(f"{code}: unknown kind of intercommunality {epci_type!r}.")
    return TerritoryRow(
        kind=kind,
        code=code,
        name=name,
        epci_type=epci_type,
        region=row.get("region", ""),
        departement=row.get("departement", ""),
        epci=row.get("epci", ""),
        postcodes=postcodes,
        population=_number(row, "population", int, code),
        area_km2=_number(row, "area_km2", float, code, positive=True),
        centre=_centre(row, code),
    )


def _number(row, column, kind, code, positive=False):
    text = row.get(column, "")
    if text == "":
        return None
    try:
        value = kind(text)
    except ValueError:
        raise ValueError(f"{code}: {column} {text!r} is not a number.") from None
    if value < 0 or (positive and value == 0):
        raise ValueError(f"{code}: {column} {text!r} is out of range.")
    return value


def _centre(row, code):
    longitude, latitude = row.get("longitude", ""), row.get("latitude", "")
    if longitude == "" and latitude == "":
        return None
    try:
        point = (float(longitude), float(latitude))
    except ValueError:
        raise ValueError(
            f"{code}: the centre ({longitude!r}, {latitude!r}) is not a pair of numbers."
        ) from None
    if not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
        raise ValueError(f"{code}: the centre {point} is outside the Earth's coordinates.")
    return point


def _read_contours(path, expected, rows, problems):
    """Sets the contour of each commune row from the contours file (None where it has none)."""
    text = _checked_text(path, expected, problems)
    if text is None:
        return
    communes = {row.code: row for row in rows[Territory.Kind.COMMUNE]}
    for row in communes.values():
        row.contour = None
    reader = csv.DictReader(io.StringIO(text))
    count = 0
    for line in reader:
        count += 1
        code = line.get("code") or ""
        try:
            if code not in communes:
                raise ValueError(f"{code!r} is not a commune of {FILES[Territory.Kind.COMMUNE]}.")
            communes[code].contour = _multipolygon(line.get("contour") or "", code)
        except ValueError as error:
            problems.append(f"{path.name}, line {reader.line_num}: {error}")
    if count != expected.get("rows") and not problems:
        problems.append(f"{path.name}: {count} rows where manifest.json announces {expected.get('rows')}.")


def _multipolygon(text, code):
    try:
        shape = GEOSGeometry(text, srid=4326)
    except (GEOSException, ValueError, TypeError):
        raise ValueError(f"{code}: the contour is not a valid WKT geometry.") from None
    if isinstance(shape, Polygon):
        shape = MultiPolygon(shape, srid=4326)
    if not isinstance(shape, MultiPolygon) or shape.empty:
        raise ValueError(f"{code}: the contour is not a polygon.")
    return shape


def _check_references(rows, problems):
    known = {kind: {row.code for row in rows[kind]} for kind in ORDER}
    references = (
        (Territory.Kind.DEPARTEMENT, "region", Territory.Kind.REGION),
        (Territory.Kind.EPCI, "departement", Territory.Kind.DEPARTEMENT),
        (Territory.Kind.EPCI, "region", Territory.Kind.REGION),
        (Territory.Kind.COMMUNE, "departement", Territory.Kind.DEPARTEMENT),
        (Territory.Kind.COMMUNE, "region", Territory.Kind.REGION),
        (Territory.Kind.COMMUNE, "epci", Territory.Kind.EPCI),
    )
    for kind, attribute, parent_kind in references:
        for line, row in enumerate(rows[kind], start=2):
            parent = getattr(row, attribute)
            if parent and parent not in known[parent_kind]:
                problems.append(
                    f"{FILES[kind]}, line {line}: {row.code} refers to an unknown {attribute} {parent!r}."
                )
            elif not parent and attribute != "epci":
                problems.append(f"{FILES[kind]}, line {line}: {row.code} has no {attribute}.")


def _only_departements(rows, departements):
    communes = [row for row in rows[Territory.Kind.COMMUNE] if row.departement in departements]
    epcis = {row.epci for row in communes}
    chosen = [row for row in rows[Territory.Kind.DEPARTEMENT] if row.code in departements]
    regions = {row.region for row in chosen}
    return {
        Territory.Kind.REGION: [row for row in rows[Territory.Kind.REGION] if row.code in regions],
        Territory.Kind.DEPARTEMENT: chosen,
        Territory.Kind.EPCI: [row for row in rows[Territory.Kind.EPCI] if row.code in epcis],
        Territory.Kind.COMMUNE: communes,
    }


def write_territories(rows, report_missing=True) -> LoadReport:
    """Create the territories the database lacks and update those that differ, in one transaction."""
    report = LoadReport()
    with transaction.atomic():
        pks = {}
        for kind in ORDER:
            pks[kind] = _write_kind(kind, rows[kind], pks, report)
            if report_missing:
                listed = {row.code for row in rows[kind]}
                report.not_in_files += Territory.objects.filter(kind=kind).exclude(code__in=listed).count()
        _write_codes(rows, pks)
    if report.changed_pks:
        territories_changed.send(sender=Territory, pks=sorted(report.changed_pks))
    if connection.vendor == "postgresql":
        # Fresh statistics, so that the planner uses the search indexes on a table that just grew.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Territory._meta.db_table}, {TerritoryCode._meta.db_table}")
    return report


def _write_kind(kind, rows, pks, report):
    existing = {territory.code: territory for territory in Territory.objects.filter(kind=kind)}
    # Parents may be missing from a partial load (--departement): such links are left empty.
    region_pks, departement_pks = pks.get(Territory.Kind.REGION, {}), pks.get(Territory.Kind.DEPARTEMENT, {})
    epci_pks = pks.get(Territory.Kind.EPCI, {})
    to_create, to_update = [], []
    for row in rows:
        values = {
            "name": row.name,
            "epci_type": row.epci_type,
            "region_id": region_pks.get(row.region),
            "departement_id": departement_pks.get(row.departement),
            "epci_id": epci_pks.get(row.epci),
            "postcodes": row.postcodes,
            "population": row.population,
            "area_km2": row.area_km2,
            "centre": Point(*row.centre, srid=4326) if row.centre else None,
        }
        if row.contour is not NOT_READ:
            values["contour"] = row.contour
        territory = existing.get(row.code)
        if territory is None:
            territory = Territory(kind=kind, code=row.code, **values)
            territory.fill_derived_fields()
            to_create.append(territory)
            continue
        changes = _changes(territory, values)
        if changes:
            to_update.append((territory.pk, changes))
    Territory.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    # One UPDATE per changed row, of its changed columns only: a new year changes populations
    # everywhere, and Django's bulk_update (one CASE per column over 500 rows) takes minutes there.
    for pk, changes in to_update:
        Territory.objects.filter(pk=pk).update(**changes)
    report.changed_pks.update(pk for pk, _changes in to_update)
    report.created[kind] = len(to_create)
    report.updated[kind] = len(to_update)
    report.unchanged[kind] = len(rows) - len(to_create) - len(to_update)
    return dict(Territory.objects.filter(kind=kind).values_list("code", "pk"))


def _changes(territory, values):
    """The columns of a stored territory that the files change, with their new values; the derived
    ones (density, class, search key) included. Empty when the row is up to date."""
    changes = {
        name: value for name, value in values.items() if _differs(name, getattr(territory, name), value)
    }
    before = {name: getattr(territory, name) for name in DERIVED_FIELDS}
    for name, value in changes.items():
        setattr(territory, name, value)
    territory.fill_derived_fields()
    changes.update(
        {
            name: getattr(territory, name)
            for name in DERIVED_FIELDS
            if getattr(territory, name) != before[name]
        }
    )
    return changes


def _differs(name, current, value):
    if name in ("centre", "contour"):
        if (current is None) != (value is None):
            return True
        if current is None:
            return False
        if name == "centre":
            return (round(current.x, 6), round(current.y, 6)) != (round(value.x, 6), round(value.y, 6))
        return not current.equals_exact(value, tolerance=1e-7)
    if name == "area_km2" and current is not None and value is not None:
        return abs(current - value) > 1e-9
    return current != value


def _write_codes(rows, pks):
    """The codes and postcodes of the loaded territories, in the table the place search reads."""
    wanted = set()
    for kind in ORDER:
        for row in rows[kind]:
            territory = Territory(kind=kind, code=row.code, postcodes=row.postcodes)
            wanted.update((pks[kind][row.code], code) for code in territory.codes_to_search())
    loaded = {pks[kind][row.code] for kind in ORDER for row in rows[kind]}
    stored = {
        (territory_id, code)
        for territory_id, code in TerritoryCode.objects.values_list("territory_id", "code").iterator()
        if territory_id in loaded
    }
    stale = stored - wanted
    if stale:
        for territory_id, code in stale:
            TerritoryCode.objects.filter(territory_id=territory_id, code=code).delete()
    TerritoryCode.objects.bulk_create(
        (TerritoryCode(territory_id=pk, code=code) for pk, code in sorted(wanted - stored)),
        batch_size=BATCH_SIZE,
    )
