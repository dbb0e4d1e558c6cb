"""The facets of the catalogue, each declared once: "Forme juridique : SCIC (12), SCOP (3)…".

A facet is a URL parameter whose values add up (SCIC *or* SCOP) while facets narrow each other
(SCIC *and* rural). Its spec below says everything about it: the parameter, the legend, the path
from an initiative to its value, and whether its box opens when nothing in it is ticked. From the
spec come the FilterSet's filter (``Facet.filter()``, see ``catalogue.filters``), the values that
the facet values' table holds (``Facet.values_of()``) and the box of the page
(``templates/catalogue/partials/facet.html``).

What the values are follows from the path: the rows of the vocabulary it ends on (their slugs), or
the choices of the field it ends on.

Filters and counts read a narrow table, ``FacetValue``: one row per (published initiative, facet,
value), which ``catalogue.indexing`` fills from each facet's path (``Facet.values_of``), so that an
initiative with two SCIC entities counts once. Counts are computed among the results of every
*other* filter, so that ticking SCIC still shows how many SCOP there are to add: every count of a
page in one query (``facet_counts``), whatever the number of results or values.

The facets shown are ``FACETS``, unless the ``CATALOGUE_FACETS`` setting lists others: adding a
facet is one entry. This module imports no model, so that a settings module can import it.
"""

from dataclasses import dataclass, field

import django_filters
from django import forms
from django.apps import apps
from django.conf import settings
from django.db.models import Case, CharField, Count, Q, Value, When
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


def _initiative():
    return apps.get_model("catalogue", "Initiative")


def _facet_values():
    return apps.get_model("catalogue", "FacetValue")


class FacetFilterMixin:
    """Filters with ``pk IN (the initiatives of these values)``, read from the facet values' table
    (one index range per value), never by joining the wide tables."""

    facet = ""  # the facet's parameter, set by Facet.filter()

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(pk__in=self.initiatives(value))

    def initiatives(self, value):
        """The published initiatives that have one of the values ``value``, as a subquery."""
        values = [getattr(item, "slug", item) for item in value]
        return _facet_values().objects.filter(facet=self.facet, value__in=values).values("initiative_id")


class VocabularyFilter(FacetFilterMixin, django_filters.ModelMultipleChoiceFilter):
    pass


class ChoicesFilter(FacetFilterMixin, django_filters.MultipleChoiceFilter):
    pass


@dataclass(frozen=True)
class Facet:
    """A facet on the field that ``path`` leads to: a vocabulary (kinds, legal forms…), whose slugs
    are the values, in the vocabulary's order; or a field with choices (the stage), in their order."""

    param: str  # in the URL: ?forme=scic
    label: Promise  # the legend of its box, and the filter's label in error messages
    path: str  # from an initiative to the value: "legal_entities__legal_form", "stage"
    opened: bool = False  # whether its box is open when nothing in it is ticked
    # The section of the toolbox's index (``/leviers-et-outils/#leviers``) that says what its
    # values are, for a facet on a vocabulary that has a page per value.
    about: str = ""

    def _fields(self):
        """The fields the path goes through, the initiative's first."""
        model, fields = _initiative(), []
        for name in self.path.split("__"):
            fields.append(model._meta.get_field(name))
            model = fields[-1].related_model
        return fields

    # --- The filter -----------------------------------------------------------------------------

    def filter(self):
        """The django-filter filter of this facet, for ``InitiativeFilterSet``."""
        options = {"field_name": self.path, "label": self.label, "widget": forms.CheckboxSelectMultiple}
        vocabulary = self._fields()[-1].related_model
        if vocabulary is not None:
            facet_filter = VocabularyFilter(
                to_field_name="slug", queryset=vocabulary.objects.all(), **options
            )
        else:
            facet_filter = ChoicesFilter(choices=self.choices(), **options)
        facet_filter.facet = self.param
        return facet_filter

    def choices(self):
        """(value, label) of a facet without a vocabulary."""
        return self._fields()[-1].choices

    # --- What the facet values' table holds ---------------------------------------------------

    def values_of(self, ids):
        """(initiative id, value) of each value that the initiatives ``ids`` have, once each."""
        # A vocabulary's values are its slugs.
        slug = "__slug" if self._fields()[-1].related_model is not None else ""
        rows = _initiative().objects.filter(pk__in=ids).values_list("pk", self.path + slug)
        return {(pk, value) for pk, value in rows.order_by() if value not in (None, "")}

    # --- The values -----------------------------------------------------------------------------

    def options(self, form_field):
        """(value, label) of every value of the facet, in order, from the form's own field (whose
        vocabulary is read once per request)."""
        if isinstance(form_field, forms.ModelMultipleChoiceField):
            return [(row.slug, str(row)) for row in form_field.queryset]
        return [(value, str(label)) for value, label in form_field.choices]


@dataclass(frozen=True)
class Band:
    """A band of numbers, from ``low`` (included) up to ``high`` (excluded); None is open."""

    key: str
    label: Promise
    low: int | None
    high: int | None

    def condition(self, path):
        condition = Q(**{f"{path}__isnull": False})
        if self.low is not None:
            condition &= Q(**{f"{path}__gte": self.low})
        if self.high is not None:
            condition &= Q(**{f"{path}__lt": self.high})
        return condition


@dataclass(frozen=True)
class BandsFacet(Facet):
    """A facet on a number cut into named bands (the commune's population)."""

    bands: tuple[Band, ...] = field(default=())

    def choices(self):
        return [(band.key, band.label) for band in self.bands]

    def values_of(self, ids):
        band = Case(
            *(When(band.condition(self.path), then=Value(band.key)) for band in self.bands),
            default=Value(""),
            output_field=CharField(),
        )
        rows = _initiative().objects.filter(pk__in=ids).annotate(band=band).values_list("pk", "band")
        return {(pk, value) for pk, value in rows.order_by() if value}


# Population bands of the commune, in the words of the people who use them.
POPULATION_BANDS = (
    Band("moins-2000", _("fewer than 2,000 inhabitants"), None, 2000),
    Band("2000-10000", _("2,000 to 10,000 inhabitants"), 2000, 10000),
    Band("10000-50000", _("10,000 to 50,000 inhabitants"), 10000, 50000),
    Band("50000-200000", _("50,000 to 200,000 inhabitants"), 50000, 200000),
    Band("plus-200000", _("more than 200,000 inhabitants"), 200000, None),
)

FACETS = (
    Facet("type", _("Kind"), "kinds", opened=True),
    Facet("theme", _("Theme"), "themes"),
    Facet("etape", _("Stage"), "stage"),
    Facet("forme", _("Legal form"), "legal_entities__legal_form", opened=True),
    Facet("outil", _("Funding tool"), "fundings__tool", about="financements"),
    Facet("levier", _("Public-action lever"), "levers", about="leviers"),
    Facet("partenaire", _("Kind of partner"), "partnerships__organization__kind"),
    Facet("reseau", _("Network"), "networks", about="reseaux"),
    Facet("densite", _("Density"), "commune__density_class"),
    BandsFacet("population", _("Population of the commune"), "commune__population", bands=POPULATION_BANDS),
)


def catalogue_facets():
    """The facets of the catalogue, in the order the page shows them."""
    return tuple(getattr(settings, "CATALOGUE_FACETS", FACETS))


# --- What the page shows ------------------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    count: int
    checked: bool


@dataclass
class CountedFacet:
    """A facet's box on the page: its values with their counts, and which are ticked."""

    spec: Facet
    options: list

    @property
    def name(self):
        return self.spec.param

    @property
    def legend(self):
        return str(self.spec.label)

    @property
    def checked_count(self):
        return sum(option.checked for option in self.options)

    @property
    def opened(self):
        return self.spec.opened or bool(self.checked_count)

    @property
    def about_url(self):
        """Where the toolbox says what the values are, or "" (see ``Facet.about``)."""
        return f"{reverse('catalogue:toolbox')}#{self.spec.about}" if self.spec.about else ""


def facet_counts(filterset):
    """{facet parameter: {value: count}} of every facet of ``filterset``, each counted among the
    results of the *other* filters, in one query: a UNION ALL of one GROUP BY on the facet values'
    table per set of results (the facets that no filter ticks share the page's results; each ticked
    facet has its own).

    The table holds the published initiatives only, so the facets ticked and the search narrow it
    by themselves (their filters' ``initiatives()``): the initiatives table is read only for the
    other filters (a place, a figure, the map's area). Results
    that nothing narrows are every published initiative, whose counts are kept in advance
    (``FacetTotal``)."""
    facets = [spec.param for spec in filterset.facets]
    active = set(filterset.active)
    groups = [([param], active - {param}) for param in facets if param in active]
    untouched = [param for param in facets if param not in active]
    if untouched:
        groups.append((untouched, active))
    queries = [_counted(filterset, params, narrowing) for params, narrowing in groups]
    counts = {param: {} for param in facets}
    if queries:
        for param, value, n in queries[0].union(*queries[1:], all=True):
            counts[param][value] = n
    return counts


def _counted(filterset, params, narrowing):
    """The (facet, value, count) of the facets ``params`` among the results of the filters
    ``narrowing``."""
    if not narrowing:
        totals = apps.get_model("catalogue", "FacetTotal").objects.filter(facet__in=params)
        return totals.order_by().values_list("facet", "value", "count")
    rows = _facet_values().objects.filter(facet__in=params)
    others = set()
    for name in narrowing:
        narrowing_filter = filterset.filters[name]
        if hasattr(narrowing_filter, "initiatives"):  # the facets and the search
            initiatives = narrowing_filter.initiatives(filterset.cleaned[name])
            if initiatives is not None:
                rows = rows.filter(initiative_id__in=initiatives)
        else:
            others.add(name)
    if others:
        results = filterset.filtered_by(others)
        rows = rows.filter(initiative_id__in=results.values("pk"))
    return rows.order_by().values_list("facet", "value").annotate(n=Count("initiative_id"))


def counted_facets(filterset, all_counts=None):
    """The facets of the page, each with its values, their counts (``facet_counts``, unless given)
    and whether they are ticked."""
    cleaned = filterset.cleaned
    if all_counts is None:
        all_counts = facet_counts(filterset)
    result = []
    for spec in filterset.facets:
        counts = all_counts[spec.param]
        ticked = {getattr(value, "slug", value) for value in cleaned.get(spec.param) or ()}
        options = [
            Option(value=value, label=label, count=counts.get(value, 0), checked=value in ticked)
            for value, label in spec.options(filterset.form.fields[spec.param])
        ]
        result.append(CountedFacet(spec=spec, options=options))
    return result
