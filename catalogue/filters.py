"""The one FilterSet of the public catalogue: the list, the map data and the exports all read it.

Every parameter has a short French name, since people share these URLs: ``?forme=scic&densite=rural``.
A value that cannot be understood never gives an error page: the form reports it and that filter is
left out, the others still apply (see ``InitiativeFilterSet.errors``).

Within one facet the values add up (SCIC *or* SCOP); facets narrow each other (SCIC *and* rural).
Relations are filtered through ``pk IN (subquery)`` rather than joins, so that an initiative with two
matching partners is listed once without a costly DISTINCT.
"""

import math

import django_filters
from django import forms
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Network
from territories.forms import PlaceField
from territories.models import DensityClass

from . import search
from .models import (
    FundingTool,
    Initiative,
    Kind,
    LegalForm,
    Lever,
    Organization,
    Stage,
    Theme,
)

# A few hundred kilometres is already most of France; more only makes the query slower.
MAX_RADIUS_KM = 300
DEFAULT_RADIUS_KM = 10
MAX_AMOUNT = 10**12

# Population bands of the commune, in the words of the people who use them.
POPULATION_BANDS = {
    "moins-2000": (_("fewer than 2,000 inhabitants"), None, 2000),
    "2000-10000": (_("2,000 to 10,000 inhabitants"), 2000, 10000),
    "10000-50000": (_("10,000 to 50,000 inhabitants"), 10000, 50000),
    "50000-200000": (_("50,000 to 200,000 inhabitants"), 50000, 200000),
    "plus-200000": (_("more than 200,000 inhabitants"), 200000, None),
}


def parse_bbox(text):
    """``"west,south,east,north"`` in degrees → a Polygon, or ValidationError with a message a
    person can read. Latitudes are clamped to the Web Mercator range; a box crossing the antimeridian
    is refused (France's overseas départements do not need one)."""
    parts = str(text).split(",")
    if len(parts) != 4:
        raise ValidationError(_("An area is four numbers: west, south, east, north."))
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise ValidationError(_("An area is four numbers: west, south, east, north.")) from None
    if not all(math.isfinite(value) for value in (west, south, east, north)):
        raise ValidationError(_("An area is four numbers: west, south, east, north."))
    west, east = max(west, -180.0), min(east, 180.0)
    south, north = max(south, -85.06), min(north, 85.06)
    if west >= east or south >= north:
        raise ValidationError(
            _("This area is empty: its west must lie west of its east, its south south of its north.")
        )
    return Polygon.from_bbox((west, south, east, north))


class BoundingBoxField(forms.CharField):
    def clean(self, value):
        text = super().clean(value)
        return parse_bbox(text) if text else None


class IntegerFilter(django_filters.NumberFilter):
    """A whole number within bounds: "1e400", "NaN" or "12,5" are reported, never sent to SQL."""

    field_class = forms.IntegerField


class SubqueryFilterMixin:
    """Filters on a relation with ``pk IN (…)``: no duplicate rows, no DISTINCT."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(pk__in=Initiative.objects.filter(**{f"{self.field_name}__in": value}).values("pk"))


class RelatedChoiceFilter(SubqueryFilterMixin, django_filters.ModelMultipleChoiceFilter):
    pass


class RelatedValueFilter(SubqueryFilterMixin, django_filters.MultipleChoiceFilter):
    pass


class PlaceFilter(django_filters.Filter):
    field_class = PlaceField


class BoundingBoxFilter(django_filters.Filter):
    field_class = BoundingBoxField


def _range(field_name, label_from, label_to, lowest, highest):
    """The "from" and "to" filters of a number, both bounded."""
    return (
        IntegerFilter(
            field_name=field_name, lookup_expr="gte", label=label_from, min_value=lowest, max_value=highest
        ),
        IntegerFilter(
            field_name=field_name, lookup_expr="lte", label=label_to, min_value=lowest, max_value=highest
        ),
    )


def _checkboxes(**kwargs):
    return {"widget": forms.CheckboxSelectMultiple, **kwargs}


class InitiativeFilterSet(django_filters.FilterSet):
    """The filters of the public catalogue. ``queryset`` must already be the public initiatives."""

    class Sort:
        RELEVANCE = "pertinence"
        NAME = "nom"
        DISTANCE = "distance"
        UPDATED = "recent"

    SORT_CHOICES = [
        (Sort.RELEVANCE, _("relevance")),
        (Sort.NAME, _("name")),
        (Sort.DISTANCE, _("distance")),
        (Sort.UPDATED, _("last updated")),
    ]
    # The facets, in the order the page shows them, with counts per value (see facets.py).
    FACETS = (
        "type",
        "theme",
        "etape",
        "forme",
        "outil",
        "levier",
        "partenaire",
        "reseau",
        "densite",
        "population",
    )

    q = django_filters.CharFilter(method="filter_text", label=_("Search"), max_length=search.MAX_QUERY_LENGTH)
    type = RelatedChoiceFilter(
        field_name="kinds",
        to_field_name="slug",
        queryset=Kind.objects.all(),
        label=_("Kind"),
        **_checkboxes(),
    )
    theme = RelatedChoiceFilter(
        field_name="themes",
        to_field_name="slug",
        queryset=Theme.objects.all(),
        label=_("Theme"),
        **_checkboxes(),
    )
    etape = django_filters.MultipleChoiceFilter(
        field_name="stage", choices=Stage.choices, label=_("Stage"), **_checkboxes()
    )
    forme = RelatedChoiceFilter(
        field_name="legal_entities__legal_form",
        to_field_name="slug",
        queryset=LegalForm.objects.all(),
        label=_("Legal form"),
        **_checkboxes(),
    )
    outil = RelatedChoiceFilter(
        field_name="fundings__tool",
        to_field_name="slug",
        queryset=FundingTool.objects.all(),
        label=_("Funding tool"),
        **_checkboxes(),
    )
    levier = RelatedChoiceFilter(
        field_name="levers",
        to_field_name="slug",
        queryset=Lever.objects.all(),
        label=_("Public-action lever"),
        **_checkboxes(),
    )
    partenaire = RelatedValueFilter(
        field_name="partnerships__organization__kind",
        choices=Organization.Kind.choices,
        label=_("Kind of partner"),
        **_checkboxes(),
    )
    reseau = RelatedChoiceFilter(
        field_name="networks",
        to_field_name="slug",
        queryset=Network.objects.all(),
        label=_("Network"),
        **_checkboxes(),
    )
    territoire = PlaceFilter(method="filter_territory", label=_("Territory"))
    pres_de = PlaceFilter(method="filter_near", label=pgettext_lazy("filter", "Near"))
    rayon = IntegerFilter(
        method="filter_nothing", label=_("Within (km)"), min_value=1, max_value=MAX_RADIUS_KM
    )
    densite = django_filters.MultipleChoiceFilter(
        field_name="commune__density_class", choices=DensityClass.choices, label=_("Density"), **_checkboxes()
    )
    population = django_filters.MultipleChoiceFilter(
        method="filter_population",
        choices=[(key, label) for key, (label, _low, _high) in POPULATION_BANDS.items()],
        label=_("Population of the commune"),
        **_checkboxes(),
    )
    surface_min, surface_max = _range(
        "surface_m2", _("Surface from (m²)"), _("Surface up to (m²)"), 0, MAX_AMOUNT
    )
    budget_min, budget_max = _range(
        "investment_eur", _("Investment from (€)"), _("Investment up to (€)"), 0, MAX_AMOUNT
    )
    annee_min, annee_max = _range(
        "started_year", _("Started from (year)"), _("Started up to (year)"), 1800, 2100
    )
    zone = BoundingBoxFilter(field_name="location", lookup_expr="contained", label=_("Map area"))
    tri = django_filters.ChoiceFilter(
        method="filter_nothing", choices=SORT_CHOICES, label=_("Sort by"), empty_label=None
    )

    class Meta:
        model = Initiative
        fields = []

    # --- Filter methods -----------------------------------------------------------------------

    def filter_text(self, queryset, name, value):
        # Spaces alone are no search; punctuation alone is one that matches nothing.
        if not value.strip():
            return queryset
        # Decided once for the page, not again for each facet that re-applies this filter.
        if getattr(self, "_typos_for", None) != value:
            self._typos_for, self._typos = value, search.needs_typo_matching(self.queryset, value)
        return search.matching(queryset, value, typos=self._typos)

    def filter_territory(self, queryset, name, territory):
        return queryset.in_territory(territory) if territory else queryset

    def filter_near(self, queryset, name, territory):
        if territory is None or territory.centre is None:
            return queryset
        return queryset.near(territory.centre, self.radius_km)

    def filter_population(self, queryset, name, values):
        condition = Q()
        for value in values:
            _label, low, high = POPULATION_BANDS[value]
            band = Q(commune__population__isnull=False)
            if low is not None:
                band &= Q(commune__population__gte=low)
            if high is not None:
                band &= Q(commune__population__lt=high)
            condition |= band
        return queryset.filter(condition) if values else queryset

    def filter_nothing(self, queryset, name, value):
        """For the parameters that other filters read (the radius) or that order (the sort)."""
        return queryset

    # --- What the views read ------------------------------------------------------------------

    @property
    def cleaned(self):
        self.form.is_valid()  # validates once; the invalid fields are left out of cleaned_data
        return getattr(self.form, "cleaned_data", {})

    @property
    def radius_km(self):
        return self.cleaned.get("rayon") or DEFAULT_RADIUS_KM

    @property
    def near_point(self):
        place = self.cleaned.get("pres_de")
        return place.centre if place is not None else None

    def possible_sorts(self):
        """The orders that apply to these results: relevance needs a search, distance a place."""
        possible = {self.Sort.NAME, self.Sort.UPDATED}
        if search.normalise_query(self.cleaned.get("q", "")):
            possible.add(self.Sort.RELEVANCE)
        if self.near_point is not None:
            possible.add(self.Sort.DISTANCE)
        return possible

    def sort_choices(self):
        """(value, label) of the orders that apply, for the sort menu."""
        possible = self.possible_sorts()
        return [(value, label) for value, label in self.SORT_CHOICES if value in possible]

    @property
    def sort(self):
        """The order asked for, or the natural one: relevance for a search, distance near a
        place, otherwise the name. An order that cannot apply falls back to the name."""
        asked, possible = self.cleaned.get("tri"), self.possible_sorts()
        if asked in possible:
            return asked
        for natural in (self.Sort.RELEVANCE, self.Sort.DISTANCE):
            if natural in possible:
                return natural
        return self.Sort.NAME

    def sorted_qs(self):
        """The results in the order asked for, with ``distance`` annotated near a place."""
        queryset = self.qs
        point = self.near_point
        if point is not None:
            queryset = queryset.annotate(distance=Distance("location", point))
        return queryset.order_by(*self.ORDERINGS[self.sort])

    ORDERINGS = {
        Sort.RELEVANCE: (F("relevance").desc(), "name", "pk"),
        Sort.NAME: ("name", "pk"),
        Sort.DISTANCE: (F("distance").asc(nulls_last=True), "name", "pk"),
        Sort.UPDATED: ("-updated_at", "pk"),
    }

    def without(self, name):
        """The results with every filter but ``name``: what a facet counts its values among, so
        that ticking SCIC still shows how many SCOP there are."""
        queryset = self.queryset.all()
        for other, value in self.cleaned.items():
            if other != name:
                queryset = self.filters[other].filter(queryset, value)
        return queryset

    @property
    def active(self):
        """The parameters that narrow the results (not the sort or the radius), with their values."""
        return {
            name: value
            for name, value in self.cleaned.items()
            if name not in ("tri", "rayon") and not _empty(value)
        }


def _empty(value):
    # An empty multiple choice is an empty queryset, which Django answers without a query.
    return value is None or value == "" or (hasattr(value, "__len__") and len(value) == 0)
