"""The curators' spreadsheets of initiatives: a CSV for a French Excel, and an XLSX.

The admin's list exports its selection with them (``catalogue.admin.exports``). Their columns
(``CURATORS``) are the public CSV's (``export_columns.CATALOGUE``), in its order, after the entry's
id and before what only curators read: its status, networks and admin page, its contacts, sources
and dates, and each part of its set-up (legal entities, partners, funding lines, trajectory, levers,
obstacles) in one cell, its rows joined by " | " ("Région Hauts-de-France (financeur) | Commune de
Pernes (soutien politique)"). Nothing secret is in them: no account, no curator's name or e-mail,
only the entry's public contacts.

The rows are read as the public export reads them (``exports.rows``, a batch at a time); what it
does not read — the networks, the territories served and the parts — is read for each batch too, one
query each, whatever the number of entries and of their rows.

Both files open in a French spreadsheet as they are, and in neither can a curator's text run as a
formula (``exports.spreadsheet_cell``, as the public CSV): the CSV is written by the public one's
writer (``;``, a byte order mark, CRLF, decimal commas, ISO dates); the XLSX holds numbers and days
as such, a bold header row frozen at the top, an autofilter, and columns as wide as what they hold.
"""

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from itertools import chain, islice

from django.urls import reverse
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from territories.labels import territory_label

from . import exports
from .export_columns import CATALOGUE, DATE, LIST, NUMBER, Column, Format, choice, column
from .exports import BATCH_SIZE, spreadsheet_cell
from .exports import rows as catalogue_rows
from .models import Initiative
from .models.parts import ROWS

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The most characters an Excel cell holds (its "specifications and limits"): a longer text is cut.
XLSX_MAX_CELL = 32_767
# Column widths, in characters: a long text (a description, the partners) must not push every
# other column off the screen.
MIN_WIDTH, MAX_WIDTH = 8, 60


# --- What the public export does not read: one query per batch each ----------------------------


def _grouped(pairs):
    """``(initiative id, text)`` pairs as the texts of each initiative, in the pairs' order."""
    texts = defaultdict(list)
    for initiative_id, text in pairs:
        texts[initiative_id].append(text)
    return texts


def _networks(ids):
    links = Initiative.networks.through.objects.filter(initiative_id__in=ids)
    return _grouped(links.order_by("network__name").values_list("initiative_id", "network__name"))


def _territories_served(ids):
    # Their labels from three fields: a territory's contour is not read.
    links = (
        Initiative.territories_served.through.objects.filter(initiative_id__in=ids)
        .order_by("territory__name", "territory__code")
        .values_list("initiative_id", "territory__kind", "territory__name", "territory__code")
    )
    return _grouped((initiative_id, territory_label(*territory)) for initiative_id, *territory in links)


def _legal_entity(entity):
    """ "Association Cirqu'en-Cavale (association loi 1901, porteur du projet, RNA W623001234)"."""
    details = [str(entity.legal_form), entity.get_role_display()]
    details += [f"SIREN {entity.siren}"] * bool(entity.siren) + [f"RNA {entity.rna}"] * bool(entity.rna)
    return f"{entity.name} ({', '.join(details)})"


def _partnership(partnership):
    """ "Région Hauts-de-France (financeur, préfiguration)": the stage, when it is known."""
    details = [partnership.get_role_display()] + [partnership.get_stage_display()] * bool(partnership.stage)
    return f"{partnership.organization.name} ({', '.join(details)})"


def _funding(funding):
    """ "DLA · France Active · 10 000 € · 2018"; the note when it is all the line says."""
    details = [str(part) for part in (funding.tool, funding.funder) if part is not None]
    if funding.amount is not None:
        details.append(f"{formats.number_format(funding.amount, force_grouping=True)} €")
    if funding.year:
        details.append(str(funding.year))
    if funding.tool is None and funding.funder is None and funding.note:
        details.append(funding.note)
    return " · ".join(details)


def _milestone(milestone):
    """ "2016 · Préfiguration", or the exact date when it is known."""
    return f"{milestone.date.isoformat() if milestone.date else milestone.year} · {milestone.title}"


# How one row of each part reads in its cell; a lever or an obstacle is its label.
DESCRIBED = {
    "LegalEntity": _legal_entity,
    "Partnership": _partnership,
    "Funding": _funding,
    "Milestone": _milestone,
    "InitiativeLever": str,
    "InitiativeObstacle": str,
}


def _part_reader(part):
    describe = DESCRIBED[part.model_name]

    def read(ids):
        found = part.model.objects.filter(initiative_id__in=ids).select_related(*part.related)
        return _grouped((row.initiative_id, describe(row)) for row in found)

    return read


# For a name that a column reads and that is not a field of the initiative, what reads it for a
# batch of initiatives (their ids): the texts of each, by id.
READERS = {
    "networks": _networks,
    "territories_served": _territories_served,
    **{part.accessor: _part_reader(part) for part in ROWS},
}


def rows(initiatives, absolute_url, columns):
    """Each initiative as an ``export_columns.Row`` of what ``columns`` read, in the order of
    ``initiatives``: what ``READERS`` read (a list of texts) besides what the public export reads."""
    read_here = list(dict.fromkeys(name for column in columns for name in column.reads if name in READERS))
    elsewhere = [
        replace(column, reads=tuple(name for name in column.reads if name not in READERS))
        for column in columns
    ]
    read = catalogue_rows(initiatives, absolute_url, elsewhere)
    while batch := list(islice(read, BATCH_SIZE)):
        ids = [row["pk"] for row in batch]
        texts = {name: READERS[name](ids) for name in read_here}
        for row in batch:
            for name in read_here:
                row[name] = texts[name].get(row["pk"], [])
            yield row


# --- The columns ------------------------------------------------------------------------------

# A part's rows in one cell; in a JSON, a list.
JOINED = Format(csv=" | ".join, json=list)


def _label(name):
    """The heading of a field of the initiative: its own (translated) name."""
    return capfirst(Initiative._meta.get_field(name).verbose_name)


def admin_page(heading):
    """A column that is the address of the initiative's page in the admin."""
    return Column(
        heading,
        None,
        ("pk",),
        lambda row: row.absolute_url(reverse("admin:catalogue_initiative_change", args=[row["pk"]])),
    )


ADMIN_PAGE = admin_page(_("Admin page"))

CURATORS = (
    column(_label("id"), None, "pk", NUMBER),
    *(public for public in CATALOGUE if public.heading is not None),
    choice(_label("status"), None, "status"),
    column(_label("networks"), None, "networks", LIST),
    ADMIN_PAGE,
    choice(_label("location_precision"), None, "location_precision"),
    column(_label("territories_served"), None, "territories_served", LIST),
    column(_label("volunteers"), None, "volunteers", NUMBER),
    column(_label("public_email"), None, "public_email"),
    column(_label("phone"), None, "phone"),
    column(_label("description"), None, "description"),
    column(_label("sources"), None, "sources"),
    column(_label("created_at"), None, "created_at", DATE),
    *(column(capfirst(part.model._meta.verbose_name_plural), None, part.accessor, JOINED) for part in ROWS),
)


# --- The files --------------------------------------------------------------------------------


def csv_lines(initiatives, absolute_url, *, columns=CURATORS):
    """The CSV, line by line (as strings), written as the public one, with the rows read here."""
    return exports.csv_lines(initiatives, absolute_url, columns=columns, read=rows)


def xlsx_bytes(initiatives, absolute_url, *, columns=CURATORS):
    """The XLSX file, whole: one sheet, the headings in its first row.

    The sheet is written as it goes (openpyxl's write-only mode), so that a large selection does
    not hold a cell object per value; the column widths, which come before the rows in the file,
    are measured on the first batch of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(capfirst(Initiative._meta.verbose_name_plural)))
    headings = [str(column.heading) for column in columns]
    lines = (
        [_xlsx_value(column, row) for column in columns] for row in rows(initiatives, absolute_url, columns)
    )
    first = list(islice(lines, BATCH_SIZE))
    for index, width in enumerate(_widths(headings, first), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"

    bold = Font(bold=True)
    header = []
    for heading in headings:
        cell = WriteOnlyCell(sheet, value=heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for line in chain(first, lines):
        sheet.append(line)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(column, row):
    """A cell of the XLSX: numbers and days as such (a spreadsheet sums and sorts them), the rest as
    the CSV's text, without the control characters that XML cannot hold."""
    value = column.value(row)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = spreadsheet_cell(ILLEGAL_CHARACTERS_RE.sub("", column.format.csv(value)))
    if len(text) > XLSX_MAX_CELL:
        text = text[: XLSX_MAX_CELL - 1] + "…"
    return text or None


def _widths(headings, lines):
    """Each column's width: its heading's or its longest line's, within MIN_WIDTH and MAX_WIDTH."""
    for index, heading in enumerate(headings):
        longest = max((_length(line[index]) for line in lines), default=0)
        yield min(max(len(heading), longest, MIN_WIDTH) + 2, MAX_WIDTH)


def _length(value):
    if value is None:
        return 0
    if isinstance(value, date):
        return len("2018-05-15")
    return max(len(line) for line in str(value).splitlines() or [""])
