"""Exports of what a person filtered: CSV for a spreadsheet and GeoJSON for a GIS.

Both read the catalogue's FilterSet, so an export holds exactly the results of the page it was
asked from, in the same order. Rows are read a batch at a time and streamed, so that exporting the
whole catalogue neither holds it in memory nor makes the person wait for the first byte.

Both files are written from one list of columns (``export_columns.CATALOGUE`` unless ``columns=``
names another): a column with a heading is in the CSV, one with a key is in the GeoJSON, and the
rows read only the fields and labels that the columns read.

The CSV is what a French spreadsheet opens as it is: ``;`` between fields, UTF-8 with a byte order
mark (without it, Excel reads UTF-8 as Windows-1252 and "Écoconstruction" comes out garbled),
decimal commas, ISO dates.
"""

import csv
import json
import re
from io import StringIO

from .export_columns import CATALOGUE, COMPUTED, FicheUrls, Row
from .labels import RELATIONS, labels_of
from .models import Initiative

BATCH_SIZE = 1000
_NUMBER = re.compile(r"^-?[0-9]+(,[0-9]+)?$")
BYTE_ORDER_MARK = "\ufeff"


def csv_lines(initiatives, absolute_url, *, columns=CATALOGUE, read=None):
    """The CSV, line by line (as strings), starting with the byte order mark and the headings. Its
    rows are ``read(initiatives, absolute_url, columns)`` (by default ``rows`` below: what the
    columns read of the initiatives and their labels)."""
    read = read or rows
    chosen = [column for column in columns if column.heading is not None]
    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([str(column.heading) for column in chosen])
    yield BYTE_ORDER_MARK + flush()
    for row in read(initiatives, absolute_url, chosen):
        writer.writerow([spreadsheet_cell(column.format.csv(column.value(row))) for column in chosen])
        yield flush()


def geojson_chunks(initiatives, absolute_url, *, columns=CATALOGUE):
    """The GeoJSON FeatureCollection, in pieces: initiatives without a location have a null
    geometry, as GeoJSON allows, so that the export holds every result."""
    chosen = [column for column in columns if column.key is not None]
    yield '{"type":"FeatureCollection","features":['
    separator = ""
    for row in rows(initiatives, absolute_url, chosen, also=("lng", "lat")):
        geometry = (
            {"type": "Point", "coordinates": [round(row["lng"], 6), round(row["lat"], 6)]}
            if row["lng"] is not None
            else None
        )
        properties = {column.key: column.format.json(column.value(row)) for column in chosen}
        feature = {"type": "Feature", "id": row["pk"], "geometry": geometry, "properties": properties}
        yield separator + json.dumps(feature, ensure_ascii=False, separators=(",", ":"), default=str)
        separator = ","
    yield "]}"


def rows(initiatives, absolute_url, columns, also=()):
    """Each initiative as a ``Row`` of what ``columns`` read (and the fields ``also`` names), in the
    order of ``initiatives``; one query per batch of BATCH_SIZE, and one per relation read,
    whatever the number of kinds or entities."""
    reads = dict.fromkeys(name for column in columns for name in column.reads)
    relations = [name for name in reads if name in RELATIONS]
    fields = dict.fromkeys(["pk", *(name for name in reads if name not in RELATIONS), *also])
    ids = list(initiatives.values_list("pk", flat=True))
    fiche_urls = FicheUrls(absolute_url)
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        read = Initiative.objects.filter(pk__in=batch).annotate(
            **{name: expression for name, expression in COMPUTED.items() if name in fields}
        )
        found = {row["pk"]: row for row in read.values(*fields)}
        labels = {relation: labels_of(relation, batch) for relation in relations}
        for pk in batch:
            row = Row(found[pk], absolute_url, fiche_urls)
            for relation in relations:
                row[relation] = labels[relation].get(pk, [])
            yield row


def spreadsheet_cell(text):
    """Cells that a spreadsheet would run as a formula (=, +, -, @) are written as text: curators'
    text must not become a formula in an official's spreadsheet."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.match(text):
        return "'" + text
    return text
