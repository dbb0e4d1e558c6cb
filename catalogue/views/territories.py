"""A territory's page: its figures and official classifications, its parents and children, the
published initiatives inside it with the list's filters, charts of them, and comparable territories."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from territories.forms import PlaceField
from territories.models import Territory

from .. import cached_pages, territory_figures
from ..facets import counted_facets
from ..filters import InitiativeFilterSet
from ..models import FacetValue, Initiative

PAGE_SIZE = 20
CHART_TITLES = {"type": _("By kind"), "forme": _("By legal form"), "etape": _("By stage")}
# An EPCI's communes shown, the most populous first (the largest have about 150).
MAX_CHILDREN = 200


class ThisTerritory(PlaceField):
    """The ``territoire`` filter of a territory page: always the page's territory, whatever the
    query string says."""

    def __init__(self, territory, **kwargs):
        super().__init__(**kwargs)
        self.territory = territory

    def clean(self, value):
        self.found = self.territory
        return self.territory


class TerritoryFilterSet(InitiativeFilterSet):
    """The catalogue's one FilterSet, with its territory filter set to the page's territory."""

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.form.fields["territoire"]
        self.form.fields["territoire"] = ThisTerritory(territory, label=field.label, required=False)


class CountedPaginator(Paginator):
    """A paginator told its number of results (counted in advance) rather than counting them."""

    def __init__(self, *args, count, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__["count"] = count


class TerritoryDetailView(TemplateView):
    """``/territoires/<kind>/<code>/``: 404 for an unknown kind or code. A bounded number of queries
    whatever the number of initiatives: every count is a GROUP BY (see ``territory_figures``)."""

    template_name = "catalogue/territory_detail.html"

    @cached_property
    def territory(self):
        kind = self.kwargs["kind"]
        if kind not in Territory.Kind.values:
            raise Http404
        territories = Territory.objects.select_related("region", "departement", "epci").defer(
            "contour", "region__contour", "departement__contour", "epci__contour"
        )
        return get_object_or_404(territories, kind=kind, code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        territory = self.territory
        published = Initiative.objects.published()
        filterset = TerritoryFilterSet(
            data=self.request.GET, request=self.request, queryset=published, territory=territory
        )
        results = filterset.sorted_qs().for_card()
        narrowed = bool(set(filterset.active) - {"territoire"})
        counts = cached_pages.facet_counts(filterset, self.request)
        if narrowed:
            inside = published.filter(pk__in=FacetValue.objects.initiatives_in(territory))
            charts, total = territory_figures.charts(inside), inside.count()
            paginator = Paginator(results, PAGE_SIZE)
        else:
            # The results are every initiative inside: the facets' counts are the charts' and the
            # number inside is kept in advance.
            total = territory_figures.initiatives_inside(territory)
            charts = territory_figures.charts_of(counts)
            paginator = CountedPaginator(results, PAGE_SIZE, count=total)
        page = paginator.get_page(self.request.GET.get("page"))
        context.update(
            territory=territory,
            parents=[p for p in (territory.epci, territory.departement, territory.region) if p],
            children=self.children(),
            filterset=filterset,
            form=filterset.form,
            facets=counted_facets(filterset, counts),
            filter_errors=filterset.not_understood(),
            narrowed=narrowed,
            page_obj=page,
            initiatives=page.object_list,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            charts=[(CHART_TITLES[param], chart) for param, chart in charts.items()],
            total=total,
            comparables=territory_figures.comparable_territories(territory),
            map_filter=territory_figures.map_filter_value(territory),
        )
        return context

    def children(self):
        """(kind label, territories shown, how many there are) of the territories directly inside."""
        territory = self.territory
        Kind = Territory.Kind
        children = Territory.objects.only("kind", "code", "name", "population")
        if territory.kind == Kind.REGION:
            rows = children.filter(kind=Kind.DEPARTEMENT, region=territory).order_by("code")
        elif territory.kind == Kind.DEPARTEMENT:
            rows = children.filter(kind=Kind.EPCI, departement=territory).order_by("name")
        elif territory.kind == Kind.EPCI:
            rows = children.filter(kind=Kind.COMMUNE, epci=territory).order_by("-population", "name")
        else:
            return None
        shown = list(rows[: MAX_CHILDREN + 1])
        if len(shown) > MAX_CHILDREN:
            return shown[:MAX_CHILDREN], rows.count()
        return shown, len(shown)
