"""The tutorial's pages: what a Django tutorial writes for the catalogue's list, map data, CSV export,
fiche and place suggestions, with nothing of what the site does to make them fast.

- **List** (``FilterView``, paginated by 20 with Django's ``Paginator``): rendered as HTML by a
  minimal template (``tutorial/initiative_list.html``: the filter form, the facet counts, the page of
  results, each reading its commune and kinds lazily). Each facet is counted by one query over its
  vocabulary, ``annotate(n=Count("initiatives", filter=Q(initiatives__in=filtered), distinct=True))``,
  or for the stage, the density and the partners' kinds by ``values().annotate(Count)`` on the
  results; the counts are among all the filtered results (the site counts each facet among the
  results of the *other* filters, which is more work).
- **Map data**: ``serializers.serialize("geojson")`` of every filtered initiative inside ``bbox``,
  one feature each, no clusters.
- **CSV export**: ``csv.writer`` over the filtered queryset, streamed as the Django documentation
  shows, with the commune, the département, the kinds, the themes and the legal forms read per row
  (N+1 queries).
- **Fiche**: a ``DetailView`` without ``select_related`` or ``prefetch_related``, whose template
  reads every relation lazily.
- **Place suggestions**: ``name__icontains``, the most populous first.
- **Comparable projects** (the fiche's five, and the "comme le mien" page's ten): every published
  initiative read with its parts prefetched (``prefetch_related``, six queries over the whole
  catalogue), each scored in Python by the site's own scorer (``similarity.terms``), then sorted:
  the same ranking, without narrowing the candidates in SQL first.
- **Territory page** (``/territoires/<kind>/<code>/``): the initiatives inside by an ``OR`` of the
  commune's levels and the territories served (``distinct()``), paginated by 20, each chart a
  ``values().annotate(Count)`` over them, the comparable territories each counted by one query.
- **Comparison** (``/comparer/?i=…``): the initiatives fetched by slug, the template reading every
  relation of each lazily, without ``select_related`` or ``prefetch_related``.
"""

import csv

from django.contrib.gis.geos import Polygon
from django.core import serializers
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from accounts.models import Network
from catalogue import similarity
from catalogue.forms import ProjectForm
from catalogue.limits import FRANCE_BBOX
from catalogue.models import FundingTool, Initiative, Kind, LegalForm, Lever, Theme
from territories.models import Territory

from .filters import InitiativeFilter


def published():
    return Initiative.objects.filter(status=Initiative.Status.PUBLISHED)


def facet_counts(filtered):
    """[(legend, rows), …], each facet's rows one query: a vocabulary's, annotated with ``n``, or
    ``values()`` rows with ``n`` (their ``order_by()`` as Django's documentation says: without it
    the model's ordering, the name, would join the GROUP BY of a DISTINCT query)."""
    return [
        (
            "Kind",
            Kind.objects.annotate(n=Count("initiatives", filter=Q(initiatives__in=filtered), distinct=True)),
        ),
        (
            "Theme",
            Theme.objects.annotate(n=Count("initiatives", filter=Q(initiatives__in=filtered), distinct=True)),
        ),
        ("Stage", filtered.order_by().values("stage").annotate(n=Count("pk", distinct=True))),
        (
            "Legal form",
            LegalForm.objects.annotate(
                n=Count("entities__initiative", filter=Q(entities__initiative__in=filtered), distinct=True)
            ),
        ),
        (
            "Funding tool",
            FundingTool.objects.annotate(
                n=Count("fundings__initiative", filter=Q(fundings__initiative__in=filtered), distinct=True)
            ),
        ),
        (
            "Lever",
            Lever.objects.annotate(n=Count("initiatives", filter=Q(initiatives__in=filtered), distinct=True)),
        ),
        (
            "Kind of partner",
            filtered.order_by()
            .values("partnerships__organization__kind")
            .annotate(n=Count("pk", distinct=True)),
        ),
        (
            "Network",
            Network.objects.annotate(
                n=Count("initiatives", filter=Q(initiatives__in=filtered), distinct=True)
            ),
        ),
        (
            "Density",
            filtered.order_by().values("commune__density_class").annotate(n=Count("pk", distinct=True)),
        ),
    ]


class InitiativeListView(FilterView):
    filterset_class = InitiativeFilter
    queryset = published()
    paginate_by = 20
    template_name = "tutorial/initiative_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["facets"] = [
            (legend, [label_and_count(row) for row in rows])
            for legend, rows in facet_counts(self.object_list)
        ]
        return context


def label_and_count(row):
    """(label, count) of a vocabulary's row, or of a ``values()`` row."""
    if isinstance(row, dict):
        count = row.pop("n")
        (value,) = row.values()
        return value or "—", count
    return str(row), row.n


def map_data(request):
    filtered = InitiativeFilter(request.GET, queryset=published()).qs
    bbox = request.GET.get("bbox") or ",".join(str(value) for value in FRANCE_BBOX)
    bbox = Polygon.from_bbox([float(value) for value in bbox.split(",")])
    bbox.srid = 4326
    data = serializers.serialize(
        "geojson",
        filtered.filter(location__within=bbox),
        geometry_field="location",
        fields=["name", "slug"],
    )
    return HttpResponse(data, content_type="application/geo+json")


class Echo:
    """A file whose ``write`` returns what it was given: csv.writer's rows, one by one."""

    def write(self, value):
        return value


def export_csv(request):
    filtered = InitiativeFilter(request.GET, queryset=published()).qs
    writer = csv.writer(Echo())

    def rows():
        yield writer.writerow(
            ["name", "url", "summary", "kinds", "themes", "legal forms", "stage", "started", "opened"]
            + ["commune", "INSEE code", "département", "address", "surface", "investment", "website"]
            + ["longitude", "latitude", "updated"]
        )
        for initiative in filtered:
            commune = initiative.commune
            yield writer.writerow(
                [
                    initiative.name,
                    request.build_absolute_uri(initiative.get_absolute_url()),
                    initiative.summary,
                    ", ".join(kind.label for kind in initiative.kinds.all()),
                    ", ".join(theme.label for theme in initiative.themes.all()),
                    ", ".join(entity.legal_form.label for entity in initiative.legal_entities.all()),
                    initiative.get_stage_display(),
                    initiative.started_year,
                    initiative.opened_year,
                    commune.name if commune else "",
                    commune.code if commune else "",
                    commune.departement.name if commune and commune.departement else "",
                    initiative.address,
                    initiative.surface_m2,
                    initiative.investment_eur,
                    initiative.website,
                    initiative.location.x if initiative.location else "",
                    initiative.location.y if initiative.location else "",
                    initiative.updated_at.date().isoformat(),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="initiatives.csv"'
    return response


def comparables(reference, limit):
    """The ``limit`` published initiatives most like ``reference``: every one scored in Python."""
    others = (
        published()
        .select_related("commune__epci")
        .prefetch_related(
            "kinds",
            "themes",
            "legal_entities__legal_form",
            "fundings__tool",
            "initiativelever_set__lever",
            "territories_served",
        )
    )
    if reference.pk is not None:
        others = others.exclude(pk=reference.pk)
    scored = []
    for other in others:
        terms = similarity.terms(reference, similarity.Profile.of_initiative(other))
        if terms and terms[0].value >= similarity.MIN_REASON:
            scored.append((sum(term.value for term in terms), other.name, other))
    scored.sort(key=lambda row: (-row[0], row[1]))
    return [other for _score, _name, other in scored[:limit]]


class InitiativeDetailView(DetailView):
    queryset = published()
    template_name = "tutorial/initiative_detail.html"
    context_object_name = "initiative"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["comparables"] = comparables(similarity.Profile.of_initiative(self.object), 5)
        return context


class ComparisonView(TemplateView):
    template_name = "tutorial/comparison.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        slugs = self.request.GET.getlist("i")[:4]
        context["initiatives"] = [published().get(slug=slug) for slug in slugs]
        return context


class TerritoryView(TemplateView):
    template_name = "tutorial/territory.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        territory = Territory.objects.get(kind=self.kwargs["kind"], code=self.kwargs["code"])
        inside = (
            published()
            .filter(
                Q(commune=territory)
                | Q(commune__epci=territory)
                | Q(commune__departement=territory)
                | Q(commune__region=territory)
                | Q(territories_served=territory)
            )
            .distinct()
        )
        context["territory"] = territory
        context["page_obj"] = Paginator(inside.order_by("name"), 20).get_page(self.request.GET.get("page"))
        context["kinds"] = inside.values("kinds__label").annotate(n=Count("pk")).order_by("-n")
        context["forms"] = (
            inside.values("legal_entities__legal_form__label").annotate(n=Count("pk")).order_by("-n")
        )
        context["stages"] = inside.values("stage").annotate(n=Count("pk")).order_by("-n")
        others = Territory.objects.filter(kind=territory.kind, density_class=territory.density_class).exclude(
            pk=territory.pk
        )
        if territory.population:
            others = others.filter(
                population__gte=territory.population // 2, population__lte=territory.population * 2
            )
        context["comparables"] = [
            (
                other,
                published()
                .filter(
                    Q(commune=other)
                    | Q(commune__epci=other)
                    | Q(commune__departement=other)
                    | Q(commune__region=other)
                )
                .count(),
            )
            for other in others[:6]
        ]
        return context


class ComparablesView(TemplateView):
    template_name = "tutorial/comparables.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ProjectForm(self.request.GET or None)
        if form.is_bound and form.is_valid():
            context["comparables"] = comparables(form.profile(), 10)
        context["form"] = form
        return context


def place_suggestions(request):
    places = Territory.objects.filter(name__icontains=request.GET.get("q", "")).order_by("-population")[:8]
    return JsonResponse({"results": [{"label": str(place), "kind": place.kind} for place in places]})
