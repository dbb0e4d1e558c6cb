"""The catalogue's list page with its map, the map data and the exports of the results, all read from
the one public FilterSet. The facet counts and the map data are kept in the shared cache, and the map
data and the exports answer with an ETag (``catalogue.cached_pages``)."""

import json

from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.generic import ListView, View
from django_filters.views import FilterMixin

from .. import cached_pages, exports, filters, limits, map_data
from ..facets import counted_facets
from ..filters import InitiativeFilterSet
from ..models import Initiative


class PublicFiltersMixin(FilterMixin):
    """The one way to build the public FilterSet: the catalogue's filters, over the published
    initiatives only, bound to the query string (an empty one is no filter, not an unbound form)."""

    filterset_class = InitiativeFilterSet

    def get_filterset_kwargs(self, filterset_class):
        return {"data": self.request.GET, "request": self.request, "queryset": Initiative.objects.published()}

    @cached_property
    def filterset(self):
        return self.get_filterset(self.filterset_class)


class CatalogueView(PublicFiltersMixin, ListView):
    """The home page: the filters with their counts, the list of results and the map, all three
    read from the same FilterSet and the same URL. Works as a plain GET form without JavaScript."""

    template_name = "catalogue/catalogue.html"
    context_object_name = "initiatives"
    paginate_by = 20

    def get_queryset(self):
        return self.filterset.sorted_qs().for_card()

    def paginate_queryset(self, queryset, page_size):
        # A page number that is not one ("abc", "999") shows the nearest real page, never an error.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        counts = cached_pages.facet_counts(filterset, self.request)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filterset=filterset,
            form=filterset.form,
            facets=counted_facets(filterset, counts),
            sort=filterset.sort,
            sort_choices=filterset.sort_choices(),
            querystring=query.urlencode(),
            has_filters=bool(filterset.active),
            filter_errors=filterset.not_understood(),
            show_distance=filterset.near_point is not None,
            # "Résultats pour « recyclerie »", when a typo was corrected.
            search_correction=filterset.search_query if filterset.search_query.corrected else None,
            map_limits=map_limits(),
        )
        return context


def map_limits():
    """France's box and the highest latitude, for the map's script, as text: the template would
    write "85,06" in French."""
    return {
        "france": ",".join(str(value) for value in limits.FRANCE_BBOX),
        "max_latitude": str(limits.MAX_LATITUDE),
    }


@method_decorator(cached_pages.conditional, name="get")
class MapDataView(PublicFiltersMixin, View):
    """The GeoJSON that the map's script fetches: the filtered initiatives in the map's view
    (``bbox=west,south,east,north``), clustered by the database and kept in the cache by URL. A
    broken ``bbox`` is a 400 with its reason; unknown filter values are left out, as on the page."""

    def get(self, request):
        raw_bbox = request.GET.get("bbox", "")
        try:
            bbox = filters.parse_bbox(raw_bbox) if raw_bbox else Polygon.from_bbox(limits.FRANCE_BBOX)
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        body = cached_pages.kept("map", request, lambda: self.geojson(bbox))
        return HttpResponse(body, content_type="application/geo+json")

    def geojson(self, bbox):
        filterset = self.filterset
        collection = map_data.feature_collection(filterset.qs, bbox, narrowed=bool(filterset.active))
        if self.request.GET.get("etendue"):
            collection["bbox"] = map_data.extent(filterset.qs)
        text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)
        return text.encode()


@method_decorator(cached_pages.conditional, name="get")
class ExportView(PublicFiltersMixin, View):
    """The results of the page's filters, whole (not one page), as a file to download; asked again
    with its ETag while nothing changed, a 304."""

    content_type = ""
    extension = ""

    def get(self, request):
        response = StreamingHttpResponse(
            self.chunks(self.filterset.sorted_qs(), request.build_absolute_uri),
            content_type=self.content_type,
        )
        filename = f"percolateur-initiatives-{timezone.localdate().isoformat()}.{self.extension}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class CsvExportView(ExportView):
    content_type = "text/csv; charset=utf-8"
    extension = "csv"
    chunks = staticmethod(exports.csv_lines)


class GeoJsonExportView(ExportView):
    content_type = "application/geo+json"
    extension = "geojson"
    chunks = staticmethod(exports.geojson_chunks)
