"""Counts per value of each facet of the catalogue's filters: "SCIC (12)".

A facet counts its values among the results of every *other* filter, so that ticking SCIC still
shows how many SCOP there are to add. One GROUP BY query per facet, whatever the number of
results or values; the values come in the facet's own order, with their labels.
"""

from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, Value, When

from accounts.models import Network

from .filters import POPULATION_BANDS, InitiativeFilterSet
from .models import FundingTool, Initiative, Kind, LegalEntity, LegalForm, Lever, Partnership, Theme
from .models.funding import Funding


@dataclass
class Option:
    value: str
    label: str
    count: int
    checked: bool


@dataclass
class Facet:
    name: str
    legend: str
    options: list = field(default_factory=list)

    @property
    def checked_count(self):
        return sum(option.checked for option in self.options)


def _through_counts(relation, target):
    """Counts for a many-to-many relation of Initiative, by the related row's slug."""
    through = Initiative._meta.get_field(relation).remote_field.through

    def count(initiatives):
        rows = (
            through.objects.filter(initiative_id__in=initiatives.values("pk"))
            .values_list(f"{target}__slug")
            .annotate(n=Count("initiative_id"))
            .order_by()
        )
        return dict(rows)

    return count


def _related_counts(model, value_path):
    """Counts for rows that hang from an initiative (entities, partnerships, funding lines): an
    initiative with two SCIC entities counts once."""

    def count(initiatives):
        rows = (
            model.objects.filter(initiative_id__in=initiatives.values("pk"))
            .values_list(value_path)
            .annotate(n=Count("initiative_id", distinct=True))
            .order_by()
        )
        return dict(rows)

    return count


def _field_counts(path):
    def count(initiatives):
        return dict(initiatives.order_by().values_list(path).annotate(n=Count("pk")))

    return count


def _population_counts(initiatives):
    band = Case(
        *(
            When(
                **{
                    **({"commune__population__gte": low} if low is not None else {}),
                    **({"commune__population__lt": high} if high is not None else {}),
                    "commune__population__isnull": False,
                },
                then=Value(key),
            )
            for key, (_label, low, high) in POPULATION_BANDS.items()
        ),
        default=Value(""),
        output_field=CharField(),
    )
    return dict(initiatives.order_by().annotate(band=band).values_list("band").annotate(n=Count("pk")))


COUNTERS = {
    "type": _through_counts("kinds", "kind"),
    "theme": _through_counts("themes", "theme"),
    "etape": _field_counts("stage"),
    "forme": _related_counts(LegalEntity, "legal_form__slug"),
    "outil": _related_counts(Funding, "tool__slug"),
    "levier": _through_counts("levers", "lever"),
    "partenaire": _related_counts(Partnership, "organization__kind"),
    "reseau": _through_counts("networks", "network"),
    "densite": _field_counts("commune__density_class"),
    "population": _population_counts,
}

# The values of the lookup-table facets, read once per request (they are a few dozen rows).
LOOKUPS = {
    "type": Kind,
    "theme": Theme,
    "forme": LegalForm,
    "outil": FundingTool,
    "levier": Lever,
    "reseau": Network,
}


def facets(filterset: InitiativeFilterSet):
    """The facets of the page, each with its values, their counts and whether they are ticked."""
    cleaned = filterset.cleaned
    result = []
    for name in InitiativeFilterSet.FACETS:
        counts = COUNTERS[name](filterset.without(name))
        ticked = {_value_key(value) for value in cleaned.get(name) or ()}
        filter_field = filterset.form.fields[name]
        if name in LOOKUPS:
            choices = [(row.slug, str(row)) for row in filter_field.queryset]
        else:
            choices = [(value, str(label)) for value, label in filter_field.choices]
        result.append(
            Facet(
                name=name,
                legend=str(filter_field.label),
                options=[
                    Option(value=value, label=label, count=counts.get(value, 0), checked=value in ticked)
                    for value, label in choices
                ],
            )
        )
    return result


def _value_key(value):
    return getattr(value, "slug", value)
