"""The columns of the exports, each declared once for both the CSV and the GeoJSON.

A :class:`Column` says what it is called in each file (a CSV heading, a GeoJSON property key: either
may be ``None``, and the column is then left out of that file), what it reads of the initiative, how
its value is computed from what it read, and how that value is written (its :class:`Format`: a CSV
cell is text, a JSON value keeps its type). ``exports.csv_lines`` and ``exports.geojson_chunks``
write any list of columns, reading only what those columns read; ``CATALOGUE`` is the catalogue's
own, in the order of the files.

Another schema (a national one, say) is another list of columns, built with the same helpers and
formats, and passed to the writers as ``columns=``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from urllib.parse import quote

from django.db.models import FloatField, Func
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Initiative


class Row(dict):
    """An initiative as the columns read it: under each name a column reads, the value of that field
    of the initiative (a Django path: ``commune__code``), or, for a relation of
    ``labels.RELATIONS``, the list of its labels. ``absolute_url`` turns a path into an address."""

    def __init__(self, values, absolute_url, fiche_urls=None):
        super().__init__(values)
        self.absolute_url = absolute_url
        self.fiche_urls = fiche_urls or FicheUrls(absolute_url)

    def fiche_url(self):
        """The address of the initiative's public fiche."""
        return self.fiche_urls.of(self["slug"])


class FicheUrls:
    """Fiches' addresses from one address with a placeholder for the slug, built once per export:
    reversing the URL and making it absolute for each of 18,000 rows took a third of the CSV's time."""

    PLACEHOLDER = "--slug--"

    def __init__(self, absolute_url):
        path = reverse("catalogue:initiative-detail", kwargs={"slug": self.PLACEHOLDER})
        self.template = absolute_url(path)

    def of(self, slug):
        return self.template.replace(self.PLACEHOLDER, quote(slug))


@dataclass(frozen=True)
class Format:
    """How a value is written: as the text of a CSV cell, and as a JSON value."""

    csv: Callable[[object], str]
    json: Callable[[object], object]


def _decimal(value):
    """A French spreadsheet reads "1,5" as a number and "1.5" as text."""
    return "" if value is None else str(value).replace(".", ",")


def _day(value):
    """A date, or the day of a moment: a spreadsheet sorts and filters days."""
    if value is None:
        return ""
    return (value.date() if isinstance(value, datetime) else value).isoformat()


# Text as it is; in the CSV, nothing for a value that is not known.
TEXT = Format(csv=lambda value: "" if value is None else str(value), json=lambda value: value)
# A decimal comma in the CSV; a JSON number.
NUMBER = Format(csv=_decimal, json=lambda value: float(value) if isinstance(value, Decimal) else value)
# ISO 8601: the day in the CSV, the date or moment as it is in the JSON.
DATE = Format(csv=_day, json=lambda value: None if value is None else value.isoformat())
# Labels joined by commas in a CSV cell; a JSON list.
LIST = Format(csv=", ".join, json=list)
# "yes" (in the current language) or nothing in the CSV; a JSON boolean.
FLAG = Format(csv=lambda value: gettext("yes") if value else "", json=bool)


@dataclass(frozen=True)
class Column:
    """One column of an export."""

    # The CSV heading, lazily translated; None: the column is not in the CSV.
    heading: str | None
    # The GeoJSON property; None: the column is not in the GeoJSON.
    key: str | None
    # What it reads of the initiative: fields, or relations of ``labels.RELATIONS`` (see ``Row``).
    reads: tuple[str, ...]
    # Its value, from a ``Row`` that holds at least what it reads.
    value: Callable[[Row], object]
    format: Format = TEXT


def column(heading, key, name, format=TEXT):
    """A column whose value is what the row holds under ``name``: a field, or a relation's labels."""
    return Column(heading, key, (name,), itemgetter(name), format)


def choice(heading, key, name):
    """A column whose value is the label of the initiative's choice in field ``name``, in the current
    language (nothing for a value that is not among the choices)."""
    labels = dict(Initiative._meta.get_field(name).choices)
    return Column(heading, key, (name,), lambda row: str(labels.get(row[name], "")))


# What the rows read that is computed by the database: the location's coordinates as plain numbers
# (decoding a geometry per row took a fifth of the CSV's time).
COMPUTED = {
    "lng": Func("location", function="ST_X", output_field=FloatField()),
    "lat": Func("location", function="ST_Y", output_field=FloatField()),
}


def coordinate(heading, key, name):
    """A column that is the longitude (``name`` "lng") or latitude ("lat") of the initiative's
    location, with every decimal it has."""
    return Column(heading, key, (name,), itemgetter(name), NUMBER)


def fiche_url(heading, key):
    """A column that is the address of the initiative's public fiche."""
    return Column(
        heading,
        key,
        ("slug",),
        lambda row: row.fiche_url(),
    )


CATALOGUE = (
    column(_("Name"), "name", "name"),
    fiche_url(_("Fiche"), "url"),
    column(_("Summary"), "summary", "summary"),
    column(_("Kinds"), "kinds", "kinds", LIST),
    column(_("Themes"), "themes", "themes", LIST),
    column(_("Legal forms"), "legal_forms", "legal_forms", LIST),
    choice(_("Stage"), "stage", "stage"),
    column(_("Year started"), "started_year", "started_year"),
    column(_("Year opened"), "opened_year", "opened_year"),
    column(_("Commune"), "commune", "commune__name"),
    column(_("INSEE code"), "insee_code", "commune__code"),
    column(_("Département"), None, "commune__departement__name"),
    column(_("Address"), None, "address"),
    column(_("Surface (m²)"), "surface_m2", "surface_m2", NUMBER),
    column(_("Investment (€)"), "investment_eur", "investment_eur", NUMBER),
    column(_("Annual budget (€)"), "annual_budget_eur", "annual_budget_eur", NUMBER),
    column(_("Jobs (full-time equivalent)"), None, "jobs_fte", NUMBER),
    column(_("Website"), "website", "website"),
    # The GeoJSON has them as its geometry.
    coordinate(_("Longitude"), None, "lng"),
    coordinate(_("Latitude"), None, "lat"),
    column(_("Verified on"), "verified_on", "verified_on", DATE),
    column(_("Last updated"), "updated_at", "updated_at", DATE),
    column(_("Demonstration data"), "demo", "is_demo", FLAG),
)
