"""Side-by-side comparison of a few published initiatives: which ones the URL asks for, and the rows
that every column shows.

:func:`read_selection` turns the ``i=<slug>`` values of a query string into a :class:`Selection`:
the published initiatives found (in the order asked, each once, read in a bounded number of
queries) and what was left out and why (unknown or unpublished, garbage, asked twice). Between
``MIN_COMPARED`` and ``MAX_COMPARED`` initiatives make a comparison; the page says what to do with
fewer or more.

:data:`ROWS` are the comparison's lines, declared once for the page and the CSV: each says its
heading and, for an initiative, its value as a list of :class:`Line` (an empty list: not known). A
number row also says how the CSV writes it (digits and a decimal comma, which a spreadsheet reads as
a number) while the page writes it with its unit ("4 500 m²", "5 000 000 €").
"""

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from io import StringIO

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from territories.models import Territory

from .exports import BYTE_ORDER_MARK, spreadsheet_cell
from .models import Initiative
from .templatetags.catalogue_tags import euros, grouped, square_metres
from .views.fiche import partners_by_role

MIN_COMPARED = 2
MAX_COMPARED = 4
# The URL parameter: ``/comparer/?i=saint-so-bazaar&i=la-passerelle``.
PARAMETER = "i"
# More values than this are not looked up at all: the page asks to choose fewer.
MAX_VALUES = 20
# A value that is no slug is named in the message, shortened to this.
MAX_SHOWN_LENGTH = 60
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,200}$")


@dataclass
class Selection:
    """What a comparison URL asks for: the initiatives found and what was left out."""

    initiatives: list = field(default_factory=list)
    # Values that name no published initiative (unknown, draft or archived, or no slug at all),
    # shortened for display.
    not_found: list = field(default_factory=list)
    # Slugs asked for more than once (compared once).
    repeated: list = field(default_factory=list)
    # More values than MAX_VALUES: none was looked up.
    too_many_values: bool = False

    @property
    def slugs(self):
        return [initiative.slug for initiative in self.initiatives]

    @property
    def comparable(self):
        return MIN_COMPARED <= len(self.initiatives) <= MAX_COMPARED


def read_selection(values, queryset=None):
    """The :class:`Selection` that the ``i=`` values of a query string ask for, among ``queryset``
    (the published initiatives by default)."""
    selection = Selection()
    if len(values) > MAX_VALUES:
        selection.too_many_values = True
        return selection
    wanted = []
    for raw in values:
        value = raw.strip()
        if value in wanted:
            if value not in selection.repeated:
                selection.repeated.append(value)
        elif _SLUG.match(value):
            wanted.append(value)
        elif value:
            selection.not_found.append(_shown(value))
    if queryset is None:
        queryset = Initiative.objects.published()
    found = {initiative.slug: initiative for initiative in queryset.filter(slug__in=wanted)} if wanted else {}
    for slug in wanted:
        if slug in found:
            selection.initiatives.append(found[slug])
        else:
            selection.not_found.append(slug)
    return selection


def selected_slugs(query):
    """The slugs that a query string's ``i=`` values name (well-formed ones, each once, at most
    MAX_COMPARED + 1 of them: enough for the page to say there are too many), without looking them
    up: what the list and the fiche tick and carry."""
    slugs = []
    for raw in query.getlist(PARAMETER)[:MAX_VALUES]:
        value = raw.strip()
        if _SLUG.match(value) and value not in slugs:
            slugs.append(value)
    return slugs[: MAX_COMPARED + 1]


def _shown(value):
    """A value as a message may quote it: printable characters only, not too long."""
    printable = "".join(character if character.isprintable() else "\ufffd" for character in value)
    if len(printable) > MAX_SHOWN_LENGTH:
        return printable[: MAX_SHOWN_LENGTH - 1] + "…"
    return printable


# --- The rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of a cell: its text and, maybe, a note in smaller print (a milestone's "what the
    local authority did")."""

    text: str
    note: str = ""

    def __str__(self):
        return f"{self.text} — {self.note}" if self.note else self.text


@dataclass(frozen=True)
class Row:
    """One row of the comparison: its heading, and each initiative's value in it."""

    key: str
    heading: str
    lines: Callable[[Initiative, "Context"], list]
    # For a number row: the number itself, which the CSV writes bare, under a heading with its unit.
    number: Callable[[Initiative], object] | None = None
    csv_heading: str | None = None

    def csv_cell(self, initiative, context):
        """The cell as the CSV writes it: a bare number, or the lines one under the other."""
        if self.number is not None:
            value = self.number(initiative)
            return "" if value is None else str(value).replace(".", ",")
        return "\n".join(str(line) for line in self.lines(initiative, context))


class Context:
    """What the rows read besides the initiatives' own prefetched parts: the territories they
    serve, with their figures, read in one query for all the columns."""

    def __init__(self, initiatives):
        served_ids = {
            territory.pk for initiative in initiatives for territory in initiative.territories_served.all()
        }
        self.served = (
            {
                territory.pk: territory
                for territory in Territory.objects.filter(pk__in=served_ids).select_related("departement")
            }
            if served_ids
            else {}
        )

    def served_of(self, initiative, kind):
        """The first territory of ``kind`` that the initiative serves, with its figures."""
        for territory in initiative.territories_served.all():
            if territory.kind == kind and territory.pk in self.served:
                return self.served[territory.pk]
        return None

    def territory(self, initiative, kind):
        """The initiative's commune, intercommunality or département: its commune's, or else the
        territory it serves (La Passerelle has no commune but serves the CC Pévèle-Carembault)."""
        commune = initiative.commune
        if kind == Territory.Kind.COMMUNE:
            return commune
        if kind == Territory.Kind.EPCI:
            return (commune.epci if commune else None) or self.served_of(initiative, kind)
        if commune and commune.departement:
            return commune.departement
        epci = self.territory(initiative, Territory.Kind.EPCI)
        return (epci.departement if epci else None) or self.served_of(initiative, kind)


def _territory_lines(kind):
    def lines(initiative, context):
        territory = context.territory(initiative, kind)
        if territory is None:
            return []
        figures = []
        if territory.population is not None:
            figures.append(
                gettext("%(population)s inhabitants") % {"population": grouped(territory.population)}
            )
        if territory.density is not None:
            figures.append(gettext("%(density)s inhab./km²") % {"density": grouped(round(territory.density))})
        if territory.density_class:
            figures.append(territory.get_density_class_display())
        return [Line(str(territory), " · ".join(figures))]

    return lines


def _served(initiative, context):
    return [Line(str(territory)) for territory in initiative.territories_served.all()]


def _kinds(initiative, context):
    return [Line(kind.label) for kind in initiative.kinds.all()]


def _stage(initiative, context):
    return [Line(initiative.get_stage_display().capitalize())] if initiative.stage else []


def _legal_setup(initiative, context):
    return [
        Line(entity.name, f"{entity.legal_form.label} · {entity.get_role_display()}")
        for entity in initiative.legal_entities.all()
    ]


def _partners(initiative, context):
    return [
        Line(
            gettext("%(role)s: %(names)s")
            % {
                "role": str(role).capitalize(),
                "names": ", ".join(partnership.organization.name for partnership in group),
            }
        )
        for role, group in partners_by_role(initiative.partnerships.all())
    ]


def _fundings(initiative, context):
    lines = []
    for funding in initiative.fundings.all():
        parts = [
            funding.tool.label if funding.tool else "",
            funding.funder.name if funding.funder else "",
            euros(funding.amount) if funding.amount is not None else "",
            str(funding.year) if funding.year else "",
        ]
        lines.append(
            Line(
                " · ".join(part for part in parts if part) or funding.note, funding.note if any(parts) else ""
            )
        )
    return lines


def _milestones(initiative, context):
    lines = []
    for milestone in initiative.milestones.all():
        note = (
            gettext("What the local authority did: %(action)s") % {"action": milestone.public_action}
            if milestone.public_action
            else ""
        )
        lines.append(Line(f"{milestone.year} · {milestone.title}", note))
    return lines


def _levers(initiative, context):
    return [Line(item.lever.label) for item in initiative.initiativelever_set.all()]


def _obstacles(initiative, context):
    return [Line(item.obstacle.label) for item in initiative.initiativeobstacle_set.all()]


def _figure(name, write):
    def lines(initiative, context):
        value = getattr(initiative, name)
        return [] if value is None else [Line(write(value))]

    return lines


def _number(name):
    return lambda initiative: getattr(initiative, name)


ROWS = (
    Row("commune", _("Commune"), _territory_lines(Territory.Kind.COMMUNE)),
    Row("epci", _("Intercommunality (EPCI)"), _territory_lines(Territory.Kind.EPCI)),
    Row("departement", _("Département"), _territory_lines(Territory.Kind.DEPARTEMENT)),
    Row("served", _("Territories served"), _served),
    Row("kinds", _("Kinds"), _kinds),
    Row("stage", _("Stage"), _stage),
    Row("legal", _("Legal set-up"), _legal_setup),
    Row("partners", _("Partners"), _partners),
    Row("fundings", _("Funding"), _fundings),
    Row(
        "surface",
        _("Surface"),
        _figure("surface_m2", square_metres),
        _number("surface_m2"),
        _("Surface (m²)"),
    ),
    Row(
        "investment",
        _("Investment"),
        _figure("investment_eur", euros),
        _number("investment_eur"),
        _("Investment (€)"),
    ),
    Row("jobs", _("Jobs (full-time equivalent)"), _figure("jobs_fte", grouped), _number("jobs_fte")),
    Row("trajectory", _("Trajectory"), _milestones),
    Row("levers", _("Levers used"), _levers),
    Row("obstacles", _("Obstacles met"), _obstacles),
)


def table(initiatives):
    """The comparison as ``(row, [lines of each initiative])`` pairs, in the order of ``ROWS``."""
    context = Context(initiatives)
    return [(row, [row.lines(initiative, context) for initiative in initiatives]) for row in ROWS]


def csv_text(initiatives, absolute_url):
    """The comparison as the text of a CSV for a French spreadsheet, as ``catalogue.exports``
    writes its files (``;``, a byte order mark, decimal commas, no cell run as a formula): the
    initiatives as columns, their name and fiche's address first, then ``ROWS`` as lines, each
    cell's lines one under the other."""
    context = Context(initiatives)
    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    lines = [
        [gettext("Initiative"), *(initiative.name for initiative in initiatives)],
        [gettext("Fiche"), *(absolute_url(initiative.get_absolute_url()) for initiative in initiatives)],
        *(
            [
                str(row.csv_heading or row.heading),
                *(row.csv_cell(initiative, context) for initiative in initiatives),
            ]
            for row in ROWS
        ),
    ]
    for line in lines:
        writer.writerow([spreadsheet_cell(cell) for cell in line])
    return BYTE_ORDER_MARK + buffer.getvalue()
