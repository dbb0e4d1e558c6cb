"""A file as a table: its column headings and its rows, each with the line a curator would look at.

CSV is read with the standard library's ``csv`` module, after finding the encoding (UTF-8 with or
without BOM, else Windows-1252, of which Latin-1 is nearly a subset) and the delimiter (the one of
``;``, ``,`` and tab that the heading line holds most of). XLSX is read with openpyxl, from the first
sheet or a named one. GeoJSON features become rows whose columns are their properties, with their
point. The line of a row is the file's line for CSV and XLSX (the heading is line 1), and the
feature's number, from 1, for GeoJSON.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

# A file beyond these is refused before it is read: the preview and the import hold it in memory.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
DELIMITERS = (";", ",", "\t")


class UnreadableFile(Exception):
    """The file cannot be read as a table; the message says why, for the curator."""


@dataclass
class SourceRow:
    line: int
    values: dict[str, str]
    point: Point | None = None
    # Why a geometry could not be used as a point, if it could not.
    geometry_problem: str = ""


@dataclass
class Table:
    headings: list[str]
    rows: list[SourceRow] = field(default_factory=list)
    format: str = ""
    # What was found of the file, for the preview: "UTF-8, ;", "feuille « Lieux »"…
    description: str = ""


FORMATS = ("csv", "xlsx", "geojson")


def format_of(file_name, content):
    """The format of a file, from its name, or from its first bytes when the name says nothing."""
    suffix = PurePath(file_name or "").suffix.lower().lstrip(".")
    if suffix in ("csv", "tsv", "txt"):
        return "csv"
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("geojson", "json"):
        return "geojson"
    if suffix in ("xls", "ods", "odt", "doc", "docx", "pdf"):
        raise UnreadableFile(
            _("A .%(suffix)s file cannot be imported: save it as CSV or Excel (XLSX) first.")
            % {"suffix": suffix}
        )
    if content[:2] == b"PK":
        return "xlsx"
    if content.lstrip()[:1] == b"{":
        return "geojson"
    return "csv"


def read_table(file_name, content, sheet=""):
    """The table of ``content`` (bytes), named ``file_name``. Raises ``UnreadableFile``."""
    if not content:
        raise UnreadableFile(_("The file is empty."))
    if len(content) > MAX_FILE_BYTES:
        raise UnreadableFile(
            _("The file is larger than %(size)d MB: split it into smaller files.")
            % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    kind = format_of(file_name, content)
    table = {"csv": _read_csv, "xlsx": _read_xlsx, "geojson": _read_geojson}[kind](content, sheet)
    table.format = kind
    if not table.headings:
        raise UnreadableFile(_("The file has no column headings on its first line."))
    if len(table.rows) > MAX_ROWS:
        raise UnreadableFile(
            _("The file has more than %(count)d rows: split it into smaller files.") % {"count": MAX_ROWS}
        )
    return table


def _decode(content):
    for encoding, label in (("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            return content.decode(encoding), label
        except UnicodeDecodeError:
            continue
    raise AssertionError("Latin-1 decodes any bytes")  # pragma: no cover


def _headings(cells):
    """Headings as given, stripped; an empty or repeated heading gets a name so that no column is lost.
    A line without any heading is not a heading line: no names are made up for it."""
    if not any(str(cell if cell is not None else "").strip() for cell in cells):
        return []
    headings, seen = [], set()
    for number, cell in enumerate(cells, start=1):
        heading = str(cell if cell is not None else "").strip() or _("column %(number)d") % {"number": number}
        base, n = heading, 2
        while heading in seen:
            heading, n = f"{base} ({n})", n + 1
        seen.add(heading)
        headings.append(heading)
    return headings


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(content, sheet):
    if b"\x00" in content[:4096]:
        raise UnreadableFile(_("This file is not text: save it as CSV, Excel (XLSX) or GeoJSON."))
    text, encoding = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        heading_cells = next(reader, [])
        headings = _headings(heading_cells)
        rows = []
        # A row's line is the one it starts on: a quoted cell may hold line breaks.
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            rows.append(SourceRow(line=line, values=_values(headings, cells)))
    except csv.Error as error:
        raise UnreadableFile(
            _("Line %(line)d cannot be read as CSV: %(error)s") % {"line": reader.line_num, "error": error}
        ) from error
    shown = {";": ";", ",": ",", "\t": _("tab")}[delimiter]
    return Table(headings=headings, rows=rows, description=f"{encoding}, « {shown} »")


def _values(headings, cells):
    values = {heading: _cell(cell) for heading, cell in zip(headings, cells, strict=False)}
    for heading in headings[len(cells) :]:
        values[heading] = ""
    return values


def _read_xlsx(content, sheet):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile(_("This file cannot be read as an Excel (XLSX) workbook.")) from error
    try:
        if sheet:
            if sheet not in workbook.sheetnames:
                raise UnreadableFile(
                    _("The workbook has no sheet “%(sheet)s”; its sheets: %(sheets)s.")
                    % {"sheet": sheet, "sheets": ", ".join(workbook.sheetnames)}
                )
            worksheet = workbook[sheet]
        else:
            worksheet = workbook.worksheets[0]
        lines = worksheet.iter_rows(values_only=True)
        headings = _headings(next(lines, ()) or ())
        rows = []
        for line, cells in enumerate(lines, start=2):
            if not any(_cell(cell) for cell in cells):
                continue
            rows.append(SourceRow(line=line, values=_values(headings, [_cell(cell) for cell in cells])))
    finally:
        workbook.close()
    return Table(
        headings=headings, rows=rows, description=_("sheet “%(sheet)s”") % {"sheet": worksheet.title}
    )


def _read_geojson(content, sheet):
    text, _encoding = _decode(content)
    try:
        document = json.loads(text)
    except ValueError as error:
        raise UnreadableFile(
            _("This file cannot be read as GeoJSON: %(error)s") % {"error": error}
        ) from error
    if isinstance(document, dict) and document.get("type") == "Feature":
        features = [document]
    elif isinstance(document, dict) and isinstance(document.get("features"), list):
        features = document["features"]
    else:
        raise UnreadableFile(_("This GeoJSON file holds no feature collection."))
    headings, seen = [], set()
    for feature in features:
        for key in _properties(feature):
            if key not in seen:
                seen.add(key)
                headings.append(key)
    rows = []
    for number, feature in enumerate(features, start=1):
        properties = _properties(feature)
        feature = feature if isinstance(feature, dict) else {}
        values = {heading: _geojson_value(properties.get(heading)) for heading in headings}
        point, problem = _point(feature.get("geometry"))
        rows.append(SourceRow(line=number, values=values, point=point, geometry_problem=problem))
    return Table(headings=headings, rows=rows, description=_("%(count)d features") % {"count": len(rows)})


def _properties(feature):
    """A feature's properties; a malformed feature has none."""
    properties = feature.get("properties") if isinstance(feature, dict) else None
    return properties if isinstance(properties, dict) else {}


def _geojson_value(value):
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return _cell(value)


def _point(geometry):
    """The point of a feature's geometry: a Point, the first point of a MultiPoint, or of a
    collection of points. Other geometries are not places the catalogue can show."""
    if not geometry:
        return None, ""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind == "GeometryCollection":
        points = [
            g for g in geometry.get("geometries") or () if isinstance(g, dict) and g.get("type") == "Point"
        ]
        return _point(points[0]) if points else (None, _("its geometry holds no point"))
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "MultiPoint" and coordinates:
        coordinates, kind = coordinates[0], "Point"
    if kind != "Point":
        return None, _("its geometry is a %(kind)s, not a point") % {"kind": kind or "?"}
    try:
        longitude, latitude = float(coordinates[0]), float(coordinates[1])
    except (TypeError, ValueError, IndexError):
        return None, _("its point has no readable coordinates")
    return Point(longitude, latitude, srid=4326), ""
