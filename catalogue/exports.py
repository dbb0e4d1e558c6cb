"""Exports of what a person filtered: CSV for a spreadsheet and GeoJSON for a GIS.

Both read the catalogue's FilterSet, so an export holds exactly the results of the page it was
asked from, in the same order. Rows are read a batch at a time and streamed, so that exporting the
whole catalogue neither holds it in memory nor makes the person wait for the first byte.

The CSV is what a French spreadsheet opens as it is: ``;`` between fields, UTF-8 with a byte order
mark (without it, Excel reads UTF-8 as Windows-1252 and "Écoconstruction" comes out garbled),
decimal commas, ISO dates.
"""

import csv
import json
import re
from collections import defaultdict
from io import StringIO

from django.utils.translation import gettext as _

from .models import Initiative, LegalEntity

BATCH_SIZE = 1000
_NUMBER = re.compile(r"^-?[0-9]+(,[0-9]+)?$")
BYTE_ORDER_MARK = "\ufeff"


def columns():
    """(heading, function of a row) of the CSV, headings in the current language."""
    return [
        (_("Name"), lambda row: row["name"]),
        (_("Fiche"), lambda row: row["url"]),
        (_("Summary"), lambda row: row["summary"]),
        (_("Kinds"), lambda row: ", ".join(row["kinds"])),
        (_("Themes"), lambda row: ", ".join(row["themes"])),
        (_("Legal forms"), lambda row: ", ".join(row["legal_forms"])),
        (_("Stage"), lambda row: row["stage"]),
        (_("Year started"), lambda row: row["started_year"]),
        (_("Year opened"), lambda row: row["opened_year"]),
        (_("Commune"), lambda row: row["commune__name"]),
        (_("INSEE code"), lambda row: row["commune__code"]),
        (_("Département"), lambda row: row["commune__departement__name"]),
        (_("Address"), lambda row: row["address"]),
        (_("Surface (m²)"), lambda row: row["surface_m2"]),
        (_("Investment (€)"), lambda row: row["investment_eur"]),
        (_("Annual budget (€)"), lambda row: row["annual_budget_eur"]),
        (_("Jobs (full-time equivalent)"), lambda row: _decimal(row["jobs_fte"])),
        (_("Website"), lambda row: row["website"]),
        (_("Longitude"), lambda row: _decimal(row["longitude"])),
        (_("Latitude"), lambda row: _decimal(row["latitude"])),
        (_("Verified on"), lambda row: row["verified_on"].isoformat() if row["verified_on"] else ""),
        (_("Last updated"), lambda row: row["updated_at"].date().isoformat()),
        (_("Demonstration data"), lambda row: _("yes") if row["is_demo"] else ""),
    ]


def csv_lines(initiatives, absolute_url):
    """The CSV, line by line (as strings), starting with the byte order mark and the headings."""
    chosen = columns()
    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([heading for heading, _value in chosen])
    yield BYTE_ORDER_MARK + flush()
    for row in rows(initiatives, absolute_url):
        writer.writerow([_cell(value(row)) for _heading, value in chosen])
        yield flush()


def geojson_chunks(initiatives, absolute_url):
    """The GeoJSON FeatureCollection, in pieces: initiatives without a location have a null
    geometry, as GeoJSON allows, so that the export holds every result."""
    yield '{"type":"FeatureCollection","features":['
    separator = ""
    for row in rows(initiatives, absolute_url):
        geometry = (
            {"type": "Point", "coordinates": [round(row["longitude"], 6), round(row["latitude"], 6)]}
            if row["longitude"] is not None
            else None
        )
        properties = {
            "name": row["name"],
            "url": row["url"],
            "summary": row["summary"],
            "kinds": row["kinds"],
            "themes": row["themes"],
            "legal_forms": row["legal_forms"],
            "stage": row["stage"],
            "started_year": row["started_year"],
            "opened_year": row["opened_year"],
            "commune": row["commune__name"],
            "insee_code": row["commune__code"],
            "surface_m2": row["surface_m2"],
            "investment_eur": row["investment_eur"],
            "annual_budget_eur": row["annual_budget_eur"],
            "website": row["website"],
            "verified_on": row["verified_on"].isoformat() if row["verified_on"] else None,
            "updated_at": row["updated_at"].isoformat(),
            "demo": row["is_demo"],
        }
        feature = {"type": "Feature", "id": row["pk"], "geometry": geometry, "properties": properties}
        yield separator + json.dumps(feature, ensure_ascii=False, separators=(",", ":"), default=str)
        separator = ","
    yield "]}"


def rows(initiatives, absolute_url):
    """Each initiative as a dict of plain values, with its labels; a handful of queries per batch
    of BATCH_SIZE, whatever the number of kinds or entities."""
    ids = list(initiatives.values_list("pk", flat=True))
    stages = dict(Initiative._meta.get_field("stage").choices)
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        found = {
            row["pk"]: row
            for row in Initiative.objects.filter(pk__in=batch).values(
                "pk",
                "name",
                "slug",
                "summary",
                "stage",
                "started_year",
                "opened_year",
                "commune__name",
                "commune__code",
                "commune__departement__name",
                "address",
                "surface_m2",
                "investment_eur",
                "annual_budget_eur",
                "jobs_fte",
                "website",
                "location",
                "verified_on",
                "updated_at",
                "is_demo",
            )
        }
        kinds = _labels(Initiative.kinds.through, batch, "kind")
        themes = _labels(Initiative.themes.through, batch, "theme")
        forms = defaultdict(list)
        for initiative_id, label in (
            LegalEntity.objects.filter(initiative_id__in=batch)
            .order_by("legal_form__position", "legal_form__label")
            .values_list("initiative_id", "legal_form__label")
            .distinct()
        ):
            forms[initiative_id].append(label)
        for pk in batch:
            row = found[pk]
            location = row.pop("location")
            row.update(
                url=absolute_url(Initiative(slug=row["slug"]).get_absolute_url()),
                stage=str(stages.get(row["stage"], "")),
                kinds=kinds.get(pk, []),
                themes=themes.get(pk, []),
                legal_forms=forms.get(pk, []),
                longitude=location.x if location else None,
                latitude=location.y if location else None,
            )
            yield row


def _labels(through, ids, target):
    labels = defaultdict(list)
    for initiative_id, label in (
        through.objects.filter(initiative_id__in=ids)
        .order_by(f"{target}__position", f"{target}__label")
        .values_list("initiative_id", f"{target}__label")
    ):
        labels[initiative_id].append(label)
    return labels


def _decimal(value):
    """A French spreadsheet reads "1,5" as a number and "1.5" as text."""
    return "" if value is None else str(value).replace(".", ",")


def _cell(value):
    """Cells that a spreadsheet would run as a formula (=, +, -, @) are written as text: curators'
    text must not become a formula in an official's spreadsheet."""
    if value is None:
        return ""
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _NUMBER.match(text):
        return "'" + text
    return text
