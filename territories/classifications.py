"""Loading the official classifications of the communes: INSEE's density grid, the ANCT/INRAE
centralities, the typology of rural areas, the mountain massifs, and the national programmes
(Petites villes de demain, Action cœur de ville, Villages d'avenir).

The files are those INSEE and the ANCT publish (``../shared/data/territoires/README.md``, beside the
repository, describes their shape): CSV files ``insee_com,lib_com,niveau_…`` (UTF-8 with a
byte-order mark, values with a leading space) and, for the programmes, GeoJSON files of one point
per commune whose ``liste_geo`` reads "Name (INSEE code)" ("Béthune (62119); Bruay-la-Buissière
(62178)" for a pair of towns). A file is recognised by its columns (CSV) or its name
(``programme-pvd.geojson``).

Each file is the whole list of its classification: a commune it does not name has none (it left the
mountain list, or the programme), and loses the value stored before. A line that cannot be read is
reported with its number and changes nothing for its commune; a code that names no commune of the
table is reported too. Each file is written in one transaction, by a few UPDATEs of all the communes
that take the same value, so that the 34,875 communes of France load in seconds; loading the same file
again changes nothing.
"""

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .models import Centrality, DensityGrid, Programme, Territory
from .signals import territories_changed

COMMUNE_CODE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
# "Béthune (62119)": the INSEE codes between brackets of a programme's ``liste_geo``.
CODE_IN_BRACKETS = re.compile(r"\((\d{5}|2[AB]\d{3})\)")
# The number that the ANCT puts before a massif's name: "02 - Massif du Jura".
MASSIF_NUMBER = re.compile(r"^\d+\s*-\s*")
BATCH_SIZE = 2000
SUFFIXES = (".csv", ".geojson", ".json")
MAX_REPORTED = 20

# INSEE's labels of the density grid, as the files write them, to the grid's codes.
DENSITY_LEVELS = {
    "grands centres urbains": DensityGrid.MAJOR_URBAN_CENTRES,
    "centres urbains intermédiaires": DensityGrid.INTERMEDIATE_URBAN_CENTRES,
    "ceintures urbaines": DensityGrid.URBAN_BELTS,
    "petites villes": DensityGrid.SMALL_TOWNS,
    "bourgs ruraux": DensityGrid.RURAL_TOWNS,
    "rural à habitat dispersé": DensityGrid.DISPERSED_RURAL,
    "rural à habitat très dispersé": DensityGrid.VERY_DISPERSED_RURAL,
}
# Values of the files that say "no classification here" rather than naming one.
NO_VALUE = ("- undefined", "undefined", "hors champ", "commune dont le périmètre a changé")


def _none_or(value):
    return "" if value.lower().startswith(NO_VALUE) else value


def _density(value):
    if value.isdigit() and value in DensityGrid.values:  # a file that gives the level's number
        return value
    try:
        return DENSITY_LEVELS[value.lower()]
    except KeyError:
        raise ValueError(f"unknown level of the density grid {value!r}.") from None


def _centrality(value):
    value = _none_or(value)
    if value and value not in Centrality.values:
        raise ValueError(f"unknown level of centrality {value!r}.")
    return value


def _rurality(value):
    return _none_or(value)[:100]


def _massif(value):
    return MASSIF_NUMBER.sub("", _none_or(value))[:100]


@dataclass(frozen=True)
class Classification:
    """A CSV file of one classification: the column that holds it, the field it fills, and how a
    value of the file becomes the stored value (ValueError for one that cannot be understood)."""

    column: str
    field: str
    label: str
    parse: object


CLASSIFICATIONS = (
    Classification("niveau_densite", "density_grid", "density grid", _density),
    Classification("niveau_centralite", "centrality", "centrality", _centrality),
    Classification("niveau_ruralite", "rural_typology", "rural typology", _rurality),
    Classification("niveau_montagne", "massif", "mountain massif", _massif),
)
# "programme-pvd.geojson", "pvd.geojson", "programme_acv_2024.json".
PROGRAMME_FILE = re.compile(r"(?:^|[-_.])(" + "|".join(Programme.values) + r")(?:[-_.]|$)")


@dataclass
class FileReport:
    """What the load of one file did."""

    path: Path
    what: str = ""
    read: int = 0  # communes named by the file's readable lines
    with_value: int = 0  # communes of the table that the file gives a value
    changed: int = 0  # communes whose stored value this load changed
    unknown_codes: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # "line 12: …", or what kept the file from loading
    # Communes whose line names them but could not be read: they keep what they had.
    unreadable_codes: set = field(default_factory=set)
    changed_pks: set = field(default_factory=set)

    def lines(self):
        """The report as lines of text, for the command's output."""
        name = self.path.name
        if not self.what:
            return [f"{name}: not a file of a known classification, skipped."]
        head = (
            f"{name} ({self.what}): {self.read} communes read, {self.with_value} with a value, "
            f"{self.changed} changed."
        )
        lines = [head]
        if self.unknown_codes:
            shown = ", ".join(self.unknown_codes[:MAX_REPORTED])
            more = len(self.unknown_codes) - MAX_REPORTED
            lines.append(
                f"  {len(self.unknown_codes)} codes name no commune of the table: {shown}"
                + (f" … and {more} more." if more > 0 else ".")
            )
        for problem in self.problems[:MAX_REPORTED]:
            lines.append(f"  {problem}")
        if len(self.problems) > MAX_REPORTED:
            lines.append(f"  … and {len(self.problems) - MAX_REPORTED} more problems.")
        return lines


def files_in(paths):
    """The files to load: the paths given, a directory standing for the files it holds."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(child for child in sorted(path.iterdir()) if child.suffix.lower() in SUFFIXES)
        else:
            found.append(path)
    return found


def load_classifications(paths):
    """Loads each file of ``paths`` (a directory standing for its files) and returns their reports.
    ``territories_changed`` is sent once, at the end, with every commune that a file changed: the
    catalogue refreshes their initiatives once, not once per file."""
    reports = [load_classification_file(path, notify=False) for path in files_in(paths)]
    changed = set().union(*(report.changed_pks for report in reports))
    if changed:
        territories_changed.send(sender=Territory, pks=sorted(changed))
    return reports


def load_classification_file(path, notify=True):
    """Reads one official file and writes what it says into the communes; returns its FileReport.
    Never raises for what the file holds: an unreadable file or line is a problem of the report.
    With ``notify``, sends ``territories_changed`` with the communes it changed."""
    path = Path(path)
    report = FileReport(path=path)
    try:
        if path.suffix.lower() == ".csv":
            values = _read_csv(path, report)
        else:
            values = _read_programme(path, report)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        report.problems.append(f"cannot be read ({error}).")
        return report
    if not values:
        # Not a known file, or not one line of it could be read: that is no list, change nothing.
        return report
    with transaction.atomic():
        if report.what in Programme.values:
            _write_programme(report, values)
        else:
            _write_field(report, values)
    if notify and report.changed_pks:
        territories_changed.send(sender=Territory, pks=sorted(report.changed_pks))
    return report


def _read_csv(path, report):
    """{commune code: stored value} of a classification's CSV file, or None if it is none."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file)
        columns = [name.strip() for name in reader.fieldnames or []]
        reader.fieldnames = columns
        classification = next((c for c in CLASSIFICATIONS if c.column in columns), None)
        if classification is None or "insee_com" not in columns:
            return None
        report.what = classification.field
        values = {}
        for row in reader:
            line = reader.line_num
            code = (row.get("insee_com") or "").strip()
            try:
                values[code] = _csv_value(row, code, classification)
            except ValueError as error:
                report.problems.append(f"line {line}: {error}")
                report.unreadable_codes.add(code)
        report.read = len(values)
        return values


def _csv_value(row, code, classification):
    if None in row or None in row.values():
        raise ValueError("wrong number of columns.")
    if not COMMUNE_CODE.match(code):
        raise ValueError(f"{code!r} is not an INSEE code of a commune.")
    return classification.parse(row[classification.column].strip())


def _read_programme(path, report):
    """{commune code: True} of the communes of a programme's GeoJSON file, or None if it is none."""
    match = PROGRAMME_FILE.search(path.stem.lower())
    if match is None:
        return None
    report.what = match[1]
    try:
        features = json.loads(path.read_text(encoding="utf-8-sig"))["features"]
        if not isinstance(features, list):
            raise TypeError("features is not a list")
    except (ValueError, KeyError, TypeError) as error:
        report.problems.append(f"not a GeoJSON collection of features ({error}).")
        return None
    values = {}
    for number, feature in enumerate(features, start=1):
        try:
            text = str(feature["properties"]["liste_geo"] or "")
        except (KeyError, TypeError):
            report.problems.append(f"feature {number}: no liste_geo property.")
            continue
        codes = CODE_IN_BRACKETS.findall(text)
        if not codes:
            report.problems.append(f"feature {number}: no INSEE code in liste_geo {text[:100]!r}.")
            continue
        values.update(dict.fromkeys(codes, True))
    report.read = len(values)
    return values


def _communes(field_name):
    """{code: (pk, stored value)} of every commune."""
    rows = Territory.objects.communes().order_by().values_list("code", "pk", field_name)
    return {code: (pk, value) for code, pk, value in rows.iterator(chunk_size=BATCH_SIZE)}


def _write_field(report, values):
    """Sets the field from the file's values; the communes the file does not name get none, except
    those whose line could not be read (nothing is known of them)."""
    communes = _communes(report.what)
    report.unknown_codes = sorted(code for code in values if code not in communes)
    by_value = {}
    for code, (pk, stored) in communes.items():
        if code in report.unreadable_codes and code not in values:
            continue
        wanted = values.get(code, "")
        if wanted:
            report.with_value += 1
        if wanted != stored:
            by_value.setdefault(wanted, []).append(pk)
    for value, pks in by_value.items():
        _update(pks, **{report.what: value})
        report.changed_pks.update(pks)
    report.changed = sum(len(pks) for pks in by_value.values())


def _write_programme(report, values):
    """Adds the programme to the communes of the file and takes it from the others."""
    code = report.what
    communes = _communes("programmes")
    report.unknown_codes = sorted(c for c in values if c not in communes)
    order = Programme.values
    by_value = {}
    for commune_code, (pk, stored) in communes.items():
        stored = list(stored or [])
        kept = [p for p in stored if p != code]
        wanted = sorted({*kept, code}, key=order.index) if commune_code in values else kept
        if commune_code in values:
            report.with_value += 1
        if wanted != stored:
            by_value.setdefault(tuple(wanted), []).append(pk)
    for value, pks in by_value.items():
        _update(pks, programmes=list(value))
        report.changed_pks.update(pks)
    report.changed = sum(len(pks) for pks in by_value.values())


def _update(pks, **values):
    for start in range(0, len(pks), BATCH_SIZE):
        Territory.objects.filter(pk__in=pks[start : start + BATCH_SIZE]).update(**values)
