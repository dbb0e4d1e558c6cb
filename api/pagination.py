"""Pages of results: numbered, 50 to a page by default, in the stable order of the catalogue's sort
(its last key is the id, so that no initiative is skipped or repeated from one page to the next).

Each page also says which filter values were not understood (``filter_errors``, as the list page
reports them): those filters are left out, the others apply.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

FILTER_ERRORS_SCHEMA = {
    "type": "object",
    "description": _(
        "The filters whose value was not understood, with the reason: they were left out, the others "
        "applied. Empty when every filter was understood."
    ),
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {},
}


class CataloguePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "par_page"
    page_size_query_description = _("The number of results per page (50 by default, 200 at most).")
    max_page_size = 200

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "filter_errors": self.request.filter_errors,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["filter_errors"] = FILTER_ERRORS_SCHEMA
        return paginated


class GeoJsonCataloguePagination(CataloguePagination):
    """The same page as a GeoJSON FeatureCollection; the counts and links are foreign members, which
    GeoJSON readers ignore."""

    def get_paginated_response(self, data):
        return Response(
            {
                "type": "FeatureCollection",
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "filter_errors": self.request.filter_errors,
                "features": data["features"],
            }
        )

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        properties = paginated["properties"]
        # drf-spectacular gives the FeatureCollection's component ("InitiativeFeatureList"): its
        # features are the Feature's ("InitiativeFeature").
        properties["features"] = {"type": "array", "items": {"$ref": schema["$ref"].removesuffix("List")}}
        del properties["results"]
        paginated["properties"] = {"type": {"type": "string", "enum": ["FeatureCollection"]}, **properties}
        return paginated
