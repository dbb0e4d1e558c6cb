"""Place suggestions for search boxes: what ``Territory.objects.search()`` finds, as short JSON rows.

Each row says what a person needs to pick the right place among homonyms: its kind, its
département, its intercommunality or région, and the postcode that matched; and the URL of its page.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from .labels import territory_label
from .models import Territory

DEFAULT_LIMIT = 8
MAX_LIMIT = 20
# What the rows need, read in one query without the contours.
FIELDS = (
    "pk",
    "kind",
    "code",
    "name",
    "epci_type",
    "population",
    "postcodes",
    "departement__name",
    "departement__code",
    "region__name",
    "epci__name",
)


def suggestions(query, limit=DEFAULT_LIMIT, kind=None):
    """The best territories for what was typed, as dictionaries ready for JSON; only those of
    ``kind`` (a ``Territory.Kind``) when it is given, for a field that takes only communes."""
    limit = max(1, min(limit, MAX_LIMIT))
    territories = Territory.objects.only("pk")
    if kind:
        territories = territories.filter(kind=kind)
    found = territories.best_matches(query, limit)
    rows = Territory.objects.filter(pk__in=[t.pk for t in found]).values(*FIELDS)
    order = {t.pk: position for position, t in enumerate(found)}
    rows = sorted(rows, key=lambda row: order[row["pk"]])
    typed = query.strip()
    return [_suggestion(row, typed) for row in rows]


def _suggestion(row, typed):
    kind = row["kind"]
    return {
        "id": row["pk"],
        "kind": kind,
        "code": row["code"],
        "name": row["name"],
        "label": territory_label(kind, row["name"], row["code"]),
        "context": " · ".join(part for part in _context(row, typed) if part),
        "population": row["population"],
        # The territory's page (served by the catalogue: a URL name, not an import).
        "url": reverse("catalogue:territory-detail", kwargs={"kind": kind, "code": row["code"]}),
    }


def _context(row, typed):
    kind = row["kind"]
    if kind == Territory.Kind.COMMUNE:
        postcodes = row["postcodes"] or []
        # The postcode typed, when it is one of the commune's; otherwise its first.
        postcode = typed if typed in postcodes else (postcodes[0] if postcodes else "")
        departement = row["departement__name"] and f"{row['departement__name']} ({row['departement__code']})"
        return [_("Commune"), postcode, departement, row["epci__name"]]
    if kind == Territory.Kind.EPCI:
        kind_label = str(
            Territory.EpciType(row["epci_type"]).label if row["epci_type"] else _("Intercommunality")
        )
        departement = row["departement__name"] and f"{row['departement__name']} ({row['departement__code']})"
        # Only the first letter: "communauté de communes (CC)" keeps its capitals.
        return [kind_label[:1].upper() + kind_label[1:], departement]
    if kind == Territory.Kind.DEPARTEMENT:
        return [_("Département"), row["region__name"]]
    return [_("Région")]
