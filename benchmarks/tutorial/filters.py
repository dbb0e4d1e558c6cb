"""The tutorial's FilterSet: declared plainly on the model, each facet a filter joined through its
relation (``distinct=True``, so that an initiative with two matching rows is listed once), the
search as ``icontains`` on three fields, a place as an ``OR`` of every way an initiative can be in it.

The parameters are the site's (``q``, ``type``, ``theme``, ``etape``, ``forme``, ``outil``,
``levier``, ``partenaire``, ``reseau``, ``densite``, ``territoire``, ``pres_de`` with ``rayon``), so
that every page of the site has its twin at the same query string.
"""

import re

import django_filters
from django.contrib.gis.measure import D
from django.db.models import Q

from accounts.models import Network
from catalogue.models import FundingTool, Initiative, Kind, LegalForm, Lever, Organization, Stage, Theme
from territories.models import DensityClass, Territory

DEFAULT_RADIUS_KM = 10


def find_territory(text):
    """The territory a text names: "Nord (59)" or "Lyon" by its name, "59" or "69123" by its code;
    the most populous when several share it."""
    name = re.sub(r"\s*\([^)]*\)$", "", text.strip())
    return (
        Territory.objects.filter(Q(name__iexact=name) | Q(code=text.strip())).order_by("-population").first()
    )


class InitiativeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search")
    type = django_filters.ModelMultipleChoiceFilter(
        field_name="kinds__slug", to_field_name="slug", queryset=Kind.objects.all(), distinct=True
    )
    theme = django_filters.ModelMultipleChoiceFilter(
        field_name="themes__slug", to_field_name="slug", queryset=Theme.objects.all(), distinct=True
    )
    etape = django_filters.MultipleChoiceFilter(field_name="stage", choices=Stage.choices)
    forme = django_filters.ModelMultipleChoiceFilter(
        field_name="legal_entities__legal_form__slug",
        to_field_name="slug",
        queryset=LegalForm.objects.all(),
        distinct=True,
    )
    outil = django_filters.ModelMultipleChoiceFilter(
        field_name="fundings__tool__slug",
        to_field_name="slug",
        queryset=FundingTool.objects.all(),
        distinct=True,
    )
    levier = django_filters.ModelMultipleChoiceFilter(
        field_name="levers__slug", to_field_name="slug", queryset=Lever.objects.all(), distinct=True
    )
    partenaire = django_filters.MultipleChoiceFilter(
        field_name="partnerships__organization__kind", choices=Organization.Kind.choices, distinct=True
    )
    reseau = django_filters.ModelMultipleChoiceFilter(
        field_name="networks__slug", to_field_name="slug", queryset=Network.objects.all(), distinct=True
    )
    densite = django_filters.MultipleChoiceFilter(
        field_name="commune__density_class", choices=DensityClass.choices
    )
    territoire = django_filters.CharFilter(method="in_territory")
    pres_de = django_filters.CharFilter(method="near")

    class Meta:
        model = Initiative
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(summary__icontains=value) | Q(description__icontains=value)
        )

    def in_territory(self, queryset, name, value):
        territory = find_territory(value)
        if territory is None:
            return queryset.none()
        return queryset.filter(
            Q(commune=territory)
            | Q(commune__epci=territory)
            | Q(commune__departement=territory)
            | Q(commune__region=territory)
            | Q(territories_served=territory)
            | Q(territories_served__epci=territory)
            | Q(territories_served__departement=territory)
            | Q(territories_served__region=territory)
        ).distinct()

    def near(self, queryset, name, value):
        territory = find_territory(value)
        if territory is None or territory.centre is None:
            return queryset.none()
        km = float(self.data.get("rayon") or DEFAULT_RADIUS_KM)
        return queryset.filter(location__distance_lte=(territory.centre, D(km=km)))
