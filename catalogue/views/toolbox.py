"""The workshop's toolbox on the public site: a page for each funding tool, public-action lever,
obstacle and curating network, with the published initiatives that it funded, that used it, met it
or that the network curates; and their index, « Leviers et outils de l'action publique ».

Each page lists at most ``LISTED`` initiatives, real ones before demonstration entries, in a fixed
number of queries; where the catalogue has a facet on the same vocabulary, the page links to the
list filtered by it, which has them all.
"""

from urllib.parse import urlencode

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, TemplateView

from accounts.models import Network, NetworkResource

from ..facets import catalogue_facets
from ..models import (
    FacetTotal,
    Funding,
    FundingTool,
    Initiative,
    InitiativeLever,
    InitiativeObstacle,
    Lever,
    Obstacle,
)

# The most initiatives a page lists: the list filtered by the tool, lever or network has the rest.
LISTED = 50


def published_count(path):
    """Counts, for each row of a vocabulary, the published initiatives that ``path`` (from the row
    to the initiatives) leads to, each once."""
    return Count(path, filter=Q(**{f"{path}__in": Initiative.objects.published()}), distinct=True)


def filtered_list_url(path, slug):
    """The catalogue's list filtered by one value of the facet on ``path`` (``/?outil=dla``), or
    None when the catalogue has no facet on it."""
    for facet in catalogue_facets():
        if facet.path == path:
            return f"{reverse('catalogue:map')}?{urlencode({facet.param: slug})}"
    return None


def listed_initiatives(ids, *prefetches):
    """The published initiatives among ``ids`` (a subquery of initiative ids) as cards, real ones
    first, at most ``LISTED``, with their number: (count, initiatives)."""
    initiatives = Initiative.objects.published().filter(pk__in=ids)
    cards = initiatives.for_card().prefetch_related(*prefetches).order_by("is_demo", "name", "pk")
    return initiatives.count(), list(cards[:LISTED])


class ToolboxIndexView(TemplateView):
    """Every funding tool (grouped by nature), lever, obstacle and network, with the number of
    published initiatives of each: the facets' totals kept in advance where the catalogue has a
    facet on them (tools, levers, networks), one GROUP BY otherwise (obstacles)."""

    template_name = "catalogue/toolbox/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obstacles = (
            InitiativeObstacle.objects.filter(initiative__status=Initiative.Status.PUBLISHED)
            .order_by()
            .values_list("obstacle__slug")
            .annotate(n=Count("initiative_id", distinct=True))
        )
        context.update(
            tool_groups=tools_by_nature(
                counted(FundingTool.objects.order_by("label"), "fundings__tool", "fundings__initiative")
            ),
            levers=counted(Lever.objects.order_by("position", "label"), "levers", "initiatives"),
            obstacles=counted(Obstacle.objects.order_by("position", "label"), counts=dict(obstacles)),
            networks=counted(Network.objects.order_by("name"), "networks", "initiatives"),
        )
        return context


def counted(rows, path=None, reverse_path=None, counts=None):
    """The rows of a vocabulary, each with ``initiative_count``: from ``counts`` ({slug: n}), or
    the totals of the catalogue's facet on ``path`` (from an initiative to the vocabulary), or,
    when the catalogue has no such facet, counted through ``reverse_path`` (from the row to its
    initiatives)."""
    if counts is None:
        params = [facet.param for facet in catalogue_facets() if facet.path == path]
        if not params:
            return list(rows.annotate(initiative_count=published_count(reverse_path)))
        counts = dict(FacetTotal.objects.filter(facet=params[0]).values_list("value", "count"))
    rows = list(rows)
    for row in rows:
        row.initiative_count = counts.get(row.slug, 0)
    return rows


def tools_by_nature(tools):
    """[(nature's label, [tools])] in the order of the natures, the tools whose nature is not given
    last."""
    natures = [*FundingTool.Nature.values, ""]
    groups = {nature: [] for nature in natures}
    for tool in tools:
        groups.setdefault(tool.nature, []).append(tool)
    labels = {**dict(FundingTool.Nature.choices), "": _("Nature not given")}
    return [(labels.get(nature, nature), rows) for nature, rows in groups.items() if rows]


class FundingToolDetailView(DetailView):
    """A funding tool: who operates and co-funds it, what it is, and the published initiatives it
    funded with their funding lines (funder, amount, year, note)."""

    template_name = "catalogue/toolbox/funding_tool.html"
    context_object_name = "tool"

    def get_queryset(self):
        return FundingTool.objects.select_related("operator").prefetch_related("co_funders")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tool = self.object
        lines = Funding.objects.filter(tool=tool).select_related("funder").order_by("year", "pk")
        count, initiatives = listed_initiatives(
            Funding.objects.filter(tool=tool).values("initiative_id"),
            Prefetch("fundings", queryset=lines, to_attr="tool_fundings"),
        )
        context.update(
            initiative_count=count,
            initiatives=initiatives,
            list_url=filtered_list_url("fundings__tool", tool.slug),
        )
        return context


class WorkshopTermView(DetailView):
    """A lever or an obstacle of the workshop: what the workshop said of it, and the published
    initiatives that used or met it, each with what the source says of it there (the note of its
    row)."""

    template_name = "catalogue/toolbox/workshop_term.html"
    context_object_name = "term"
    rows = None  # the model of the initiatives' rows: InitiativeLever, InitiativeObstacle
    facet_path = ""  # the path of the catalogue's facet on this vocabulary, if it has one
    # Words of the page.
    kind_label = ""
    initiatives_heading = ""
    none_yet = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        term = self.object
        rows = self.rows.objects.filter(**{self.rows.lookup: term})
        count, initiatives = listed_initiatives(
            rows.values("initiative_id"),
            Prefetch(
                self.rows._meta.get_field("initiative").remote_field.get_accessor_name(),
                queryset=rows.order_by("pk"),
                to_attr="term_rows",
            ),
        )
        context.update(
            initiative_count=count,
            initiatives=initiatives,
            list_url=filtered_list_url(self.facet_path, term.slug),
            kind_label=self.kind_label,
            initiatives_heading=self.initiatives_heading,
            none_yet=self.none_yet,
        )
        return context


class LeverDetailView(WorkshopTermView):
    model = Lever
    rows = InitiativeLever
    facet_path = "levers"
    kind_label = _("Public-action lever")
    initiatives_heading = _("Initiatives that used this lever")
    none_yet = _("No published initiative says it used this lever yet.")


class ObstacleDetailView(WorkshopTermView):
    model = Obstacle
    rows = InitiativeObstacle
    facet_path = "obstacles"
    kind_label = _("Obstacle")
    initiatives_heading = _("Initiatives that met this obstacle")
    none_yet = _("No published initiative says it met this obstacle yet.")


class NetworkDetailView(DetailView):
    """A curating network: what it is, its website, the resources it offers and the published
    initiatives it curates."""

    template_name = "catalogue/toolbox/network.html"
    context_object_name = "network"

    def get_queryset(self):
        return Network.objects.prefetch_related(
            Prefetch("resources", queryset=NetworkResource.objects.order_by("position", "title"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        network = self.object
        count, initiatives = listed_initiatives(
            Initiative.networks.through.objects.filter(network=network).values("initiative_id")
        )
        context.update(
            initiative_count=count,
            initiatives=initiatives,
            list_url=filtered_list_url("networks", network.slug),
        )
        return context
