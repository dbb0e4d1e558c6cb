"""The one FilterSet of the public catalogue: the list, the map data and the exports all read it.

Every parameter has a short French name, since people share these URLs: ``?forme=scic&densite=rural``.
A value that cannot be understood never gives an error page: the form reports it and that filter is
left out, the others still apply (see ``InitiativeFilterSet.not_understood``).

The facets (kinds, legal forms, funding tools…) are declared in ``catalogue.facets``, which gives
their filters; the search, the places, the figures and the map's area are declared here. Within one
facet the values add up (SCIC *or* SCOP); facets narrow each other (SCIC *and* rural). Relations
are filtered through ``pk IN (subquery)`` rather than joins, so that an initiative with two matching
partners is listed once without a costly DISTINCT.

The radius (``rayon``), the sort (``tri``) and "the words as typed" (``tel_quel``) are plain fields
of the form: they narrow nothing, the place filter, ``sorted_qs()`` and the search read them.
"""

import math

import django_filters
from django import forms
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db.models import F, TextChoices
from django.dispatch import receiver
from django.urls import reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from territories.forms import PlaceField
from territories.text import MIN_PLACE_LENGTH

from . import indexing, limits, search
from .facets import catalogue_facets
from .models import FacetValue, Initiative
from .models.constraints import plausible_year


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
    south, north = max(south, -limits.MAX_LATITUDE), min(north, limits.MAX_LATITUDE)
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


class PlaceFilter(django_filters.Filter):
    field_class = PlaceField


class TerritoryFilter(PlaceFilter):
    """A territory: the published initiatives in it or serving it, read from the facet values'
    table (one index range), which the facet counts narrow their rows with as well."""

    def initiatives(self, territory):
        return FacetValue.objects.initiatives_in(territory) if territory is not None else None


class BoundingBoxFilter(django_filters.Filter):
    field_class = BoundingBoxField


def _range(field_name, label_from, label_to, lowest, highest):
    """The "from" and "to" filters of a number, both bounded."""
    return tuple(
        IntegerFilter(
            field_name=field_name,
            lookup_expr=lookup,
            label=label,
            min_value=lowest,
            max_value=highest,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )
        for lookup, label in (("gte", label_from), ("lte", label_to))
    )


def _place_input(placeholder):
    """A text box for a place, which the page's script fills with suggestions."""
    return forms.TextInput(
        attrs={
            "class": "place-input",
            "autocomplete": "off",
            "placeholder": placeholder,
            "data-suggestions": reverse_lazy("territories:suggestions"),
            "data-min-length": MIN_PLACE_LENGTH,
        }
    )


class Sort(TextChoices):
    """The orders of the results, by their name in the URL (``?tri=nom``)."""

    RELEVANCE = "pertinence", _("relevance")
    NAME = "nom", _("name")
    DISTANCE = "distance", _("distance")
    UPDATED = "recent", _("last updated")


class CatalogueForm(forms.Form):
    """The fields of the catalogue's form that filter nothing themselves."""

    rayon = forms.IntegerField(
        label=_("Within (km)"),
        required=False,
        min_value=limits.MIN_RADIUS_KM,
        max_value=limits.MAX_RADIUS_KM,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": limits.DEFAULT_RADIUS_KM}),
    )
    tri = forms.ChoiceField(label=_("Sort by"), required=False, choices=Sort.choices)
    # Set by the link "search for the words as typed" that follows a corrected search.
    tel_quel = forms.BooleanField(
        label=_("Search the words as typed"), required=False, widget=forms.HiddenInput
    )


class SearchFilter(django_filters.CharFilter):
    """The search box: ``InitiativeFilterSet.filter_text`` filters the results; the facet counts
    narrow their rows with :meth:`initiatives`, which reads the search texts alone."""

    def initiatives(self, value):
        """The matching initiatives as a subquery, or None when the box holds only spaces."""
        return search.matching_ids(self.parent.search_query) if value.strip() else None


class InitiativeFilterSet(django_filters.FilterSet):
    """The filters of the public catalogue. ``queryset`` must already be the public initiatives."""

    q = SearchFilter(
        method="filter_text",
        label=_("Search"),
        max_length=limits.MAX_SEARCH_LENGTH,
        widget=forms.SearchInput(
            attrs={"placeholder": _("A name, a partner, a commune…"), "autocomplete": "off"}
        ),
    )
    territoire = TerritoryFilter(
        method="filter_territory", label=_("Territory"), widget=_place_input(_("Lille, 59000, Ternois…"))
    )
    pres_de = PlaceFilter(
        method="filter_near", label=pgettext_lazy("filter", "Near"), widget=_place_input(_("a commune"))
    )
    surface_min, surface_max = _range(
        "surface_m2", _("Surface from (m²)"), _("Surface up to (m²)"), 0, limits.MAX_AMOUNT
    )
    budget_min, budget_max = _range(
        "investment_eur", _("Investment from (€)"), _("Investment up to (€)"), 0, limits.MAX_AMOUNT
    )
    annee_min, annee_max = _range(
        "started_year",
        _("Started from (year)"),
        _("Started up to (year)"),
        plausible_year.minimum,
        plausible_year.maximum,
    )
    zone = BoundingBoxFilter(
        field_name="location", lookup_expr="contained", label=_("Map area"), widget=forms.HiddenInput
    )

    class Meta:
        model = Initiative
        fields = []
        form = CatalogueForm

    @classmethod
    def get_filters(cls):
        """The declared filters, then one per facet of ``catalogue.facets``."""
        filters = super().get_filters()
        cls.facets = catalogue_facets()
        for facet in cls.facets:
            filters[facet.param] = facet.filter()
        return filters

    # --- Filter methods -----------------------------------------------------------------------

    def filter_text(self, queryset, name, value):
        # Spaces alone are no search; punctuation alone is one that matches nothing.
        if not value.strip():
            return queryset
        return search.matching(queryset, self.search_query)

    @cached_property
    def search_query(self):
        """The search as it runs, its typos corrected unless ``tel_quel`` asks for the words as
        typed: parsed once for the page, not again for each facet that re-applies the filter."""
        return search.parse(self.cleaned.get("q") or "", correct_typos=not self.cleaned.get("tel_quel"))

    def filter_territory(self, queryset, name, territory):
        # The queryset is the published initiatives (see the class): those the table holds.
        return queryset.filter(pk__in=self.filters[name].initiatives(territory)) if territory else queryset

    def filter_near(self, queryset, name, territory):
        if territory is None or territory.centre is None:
            return queryset
        return queryset.near(territory.centre, self.radius_km)

    # --- What the views read ------------------------------------------------------------------

    @property
    def cleaned(self):
        self.form.is_valid()  # validates once; the invalid fields are left out of cleaned_data
        return getattr(self.form, "cleaned_data", {})

    @property
    def radius_km(self):
        return self.cleaned.get("rayon") or limits.DEFAULT_RADIUS_KM

    @property
    def near_point(self):
        place = self.cleaned.get("pres_de")
        return place.centre if place is not None else None

    def possible_sorts(self):
        """The orders that apply to these results: relevance needs a search, distance a place."""
        possible = {Sort.NAME, Sort.UPDATED}
        if self.search_query:
            possible.add(Sort.RELEVANCE)
        if self.near_point is not None:
            possible.add(Sort.DISTANCE)
        return possible

    def sort_choices(self):
        """(value, label) of the orders that apply, for the sort menu."""
        possible = self.possible_sorts()
        return [(value, label) for value, label in Sort.choices if value in possible]

    @property
    def sort(self):
        """The order asked for, or the natural one: relevance for a search, distance near a
        place, otherwise the name. An order that cannot apply falls back to the name."""
        asked, possible = self.cleaned.get("tri"), self.possible_sorts()
        if asked in possible:
            return asked
        for natural in (Sort.RELEVANCE, Sort.DISTANCE):
            if natural in possible:
                return natural
        return Sort.NAME

    def sorted_qs(self):
        """The results in the order asked for, with ``distance`` annotated near a place."""
        queryset = self.qs
        point = self.near_point
        if point is not None:
            queryset = queryset.annotate(distance=Distance("location", point))
        return queryset.order_by(*ORDERINGS[self.sort])

    def filter_queryset(self, queryset):
        return self._filtered(queryset)

    def filtered_by(self, names):
        """The results of the filters ``names`` alone."""
        return self._filtered(self.queryset.all(), only=names)

    def _filtered(self, queryset, leaving_out=None, only=None):
        """``queryset`` through every filter whose value the form understood (the radius and the
        sort are fields of the form, not filters)."""
        for name, value in self.cleaned.items():
            if name in self.filters and name != leaving_out and (only is None or name in only):
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def not_understood(self):
        """(parameter, label, messages) of each filter whose value the form did not understand: left
        out of the results, and reported by every page of them (``partials/filter_errors.html``) and
        by the API."""
        form = self.form
        self.cleaned  # noqa: B018 (validates the form once)
        return [
            (name, form.fields[name].label, errors)
            for name, errors in form.errors.items()
            if name in form.fields
        ]

    @property
    def active(self):
        """The filters that narrow the results (not the sort or the radius), with their values."""
        return {
            name: value for name, value in self.cleaned.items() if name in self.filters and not _empty(value)
        }


ORDERINGS = {
    Sort.RELEVANCE: (F("relevance").desc(), "name", "pk"),
    Sort.NAME: ("name", "pk"),
    Sort.DISTANCE: (F("distance").asc(nulls_last=True), "name", "pk"),
    Sort.UPDATED: ("-updated_at", "pk"),
}


@receiver(setting_changed)
def _facets_changed(setting, **kwargs):
    """A test that declares other facets (``CATALOGUE_FACETS``) gets their filters and their values
    at once."""
    if setting == "CATALOGUE_FACETS":
        InitiativeFilterSet.base_filters = InitiativeFilterSet.get_filters()
        indexing.refresh()


def _empty(value):
    # An empty multiple choice is an empty queryset, which Django answers without a query.
    return value is None or value == "" or (hasattr(value, "__len__") and len(value) == 0)
