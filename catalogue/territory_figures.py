"""What a territory page counts: its published initiatives by kind, legal form and stage (the charts),
and the comparable territories that have published initiatives.

Every count is a GROUP BY in the database, whatever the number of initiatives: the charts read the
facet values' table (``FacetValue``, which holds the published initiatives only), the comparable
territories the counts of initiatives per territory kept in advance (``FacetTotal``, facet "lieu").
"""

import math
from dataclasses import dataclass

from django.db.models import CharField, Count
from django.db.models.functions import Cast

from territories.labels import territory_label
from territories.models import Territory

from .models import FacetTotal, FacetValue, Kind, LegalForm, Stage
from .models.indexes import PLACE_FACET

# Within a factor of 2 of the territory's population, either way: the same band on a log scale.
POPULATION_FACTOR = 2
COMPARABLE_LIMIT = 6

# The charts, by facet parameter (see catalogue.facets): a vocabulary's slugs or the stage's values.
CHARTS = (
    ("type", Kind),
    ("forme", LegalForm),
    ("etape", Stage),
)
BAR_WIDTH = 240  # the longest bar, in the SVG's units
ROW_HEIGHT = 34


@dataclass
class Bar:
    label: str
    count: int
    width: int  # in the SVG's units
    y: int  # of the row's label; its bar lies below it


@dataclass
class Chart:
    param: str
    bars: list

    @property
    def height(self):
        return len(self.bars) * ROW_HEIGHT

    @property
    def bar_width(self):
        return BAR_WIDTH


def charts(initiatives):
    """The charts of ``initiatives`` (a queryset of published initiatives) by kind, legal form and
    stage: {param: Chart}, each bar a value with its count, the largest first. An initiative with
    two kinds counts once for each. Three queries: the counts, the kinds' and legal forms' labels."""
    params = [param for param, _vocabulary in CHARTS]
    rows = (
        FacetValue.objects.filter(facet__in=params, initiative_id__in=initiatives.values("pk"))
        .order_by()
        .values_list("facet", "value")
        .annotate(n=Count("initiative_id"))
    )
    counts = {param: {} for param in params}
    for param, value, n in rows:
        counts[param][value] = n
    return charts_of(counts)


def charts_of(counts):
    """The charts of counts already made ({param: {value: n}}, such as the facet counts of the
    territory's own initiatives): only the labels are read."""
    counts = {param: counts.get(param, {}) for param, _vocabulary in CHARTS}
    result = {}
    for param, vocabulary in CHARTS:
        labels = _labels(vocabulary, counts[param])
        ordered = sorted(counts[param].items(), key=lambda item: (-item[1], labels.get(item[0], item[0])))
        largest = max(counts[param].values(), default=0)
        result[param] = Chart(
            param=param,
            bars=[
                Bar(
                    label=labels.get(value, value),
                    count=n,
                    width=max(1, round(n * BAR_WIDTH / largest)),
                    y=position * ROW_HEIGHT,
                )
                for position, (value, n) in enumerate(ordered)
            ],
        )
    return result


def _labels(vocabulary, counts):
    if not counts:
        return {}
    if vocabulary is Stage:
        return {value: str(label)[:1].upper() + str(label)[1:] for value, label in Stage.choices}
    return dict(vocabulary.objects.filter(slug__in=list(counts)).values_list("slug", "label"))


@dataclass
class Comparable:
    territory: Territory
    initiatives: int


def initiatives_inside(territory):
    """How many published initiatives lie in or serve ``territory``: counted in advance."""
    row = FacetTotal.objects.filter(facet=PLACE_FACET, value=str(territory.pk)).values_list(
        "count", flat=True
    )
    return row.first() or 0


def comparable_territories(territory, limit=COMPARABLE_LIMIT):
    """Other territories of the same kind, of the same density class and within a factor of 2 of its
    population, that have published initiatives: those with the most first. A territory of the same
    kind is never one of its children or parents, so "elsewhere" needs no other rule. Two queries."""
    if not territory.population:
        return []
    candidates = (
        Territory.objects.filter(
            kind=territory.kind,
            density_class=territory.density_class,
            population__gte=math.floor(territory.population / POPULATION_FACTOR),
            population__lte=math.ceil(territory.population * POPULATION_FACTOR),
        )
        .exclude(pk=territory.pk)
        .values("pk")
    )
    # The published initiatives of each territory are counted in advance (the places' totals).
    counts = (
        FacetTotal.objects.filter(
            facet=PLACE_FACET,
            value__in=candidates.annotate(id_text=Cast("pk", CharField())).values("id_text"),
        )
        .order_by("-count", "value")
        .values_list("value", "count")[:limit]
    )
    counts = [(int(value), n) for value, n in counts]
    found = Territory.objects.defer("contour").in_bulk([pk for pk, _n in counts])
    return [Comparable(found[pk], n) for pk, n in counts if pk in found]


def map_filter_value(territory):
    """What the list's ``territoire`` filter reads back to this very territory: a commune's label
    ("Pernes (62)", which tells homonyms apart), a département's number, an EPCI's SIREN number, a
    région's name (its code would be read as a département's)."""
    if territory.kind in (Territory.Kind.DEPARTEMENT, Territory.Kind.EPCI):
        return territory.code
    return territory_label(territory.kind, territory.name, territory.code)
