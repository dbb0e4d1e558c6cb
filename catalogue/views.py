"""Public pages of the catalogue: the map with its list, the map data, an initiative's fiche, and the
place suggestions of the search boxes."""

from django.http import JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.generic import DetailView, ListView, View

from . import map_data, places
from .models import Initiative, Partnership

# Longer queries are cut: no French place name is longer (Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson
# has 45 characters).
MAX_QUERY_LENGTH = 100


class MapView(ListView):
    """The home page: the map of published initiatives, and the same initiatives as a plain list
    so that the page works without JavaScript or map tiles."""

    template_name = "catalogue/map.html"
    context_object_name = "initiatives"
    paginate_by = 100

    def get_queryset(self):
        return (
            Initiative.objects.published()
            .select_related("commune")
            .prefetch_related("kinds")
            .only("name", "slug", "summary", "commune__name")
        )


class MapDataView(View):
    """The GeoJSON that the map's script fetches."""

    def get(self, request):
        return JsonResponse(
            map_data.published_feature_collection(),
            content_type="application/geo+json",
            json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
        )


class PlaceSuggestionsView(View):
    """``?q=`` → the territories that match, best first, as JSON for a search box.

    Whatever the query string, the answer is a 200 with a (possibly empty) list: a search box
    should never show an error while someone types.
    """

    def get(self, request):
        query = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
        try:
            limit = int(request.GET.get("limit", places.DEFAULT_LIMIT))
        except ValueError:
            limit = places.DEFAULT_LIMIT
        response = JsonResponse(
            {"query": query, "results": places.suggestions(query, limit)},
            json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
        )
        # Territories change once a year: a browser may keep an answer for an hour. The labels are
        # translated, so the answer varies with the language.
        patch_cache_control(response, public=True, max_age=3600)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


class InitiativeDetailView(DetailView):
    """The fiche of a published initiative: every fact we hold about it, in a bounded number of
    queries whatever the number of partners, funding lines or milestones."""

    template_name = "catalogue/initiative_detail.html"
    context_object_name = "initiative"

    def get_queryset(self):
        return Initiative.objects.published().for_fiche()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        initiative = self.object
        context["partners_by_role"] = partners_by_role(initiative.partnerships.all())
        if initiative.location:
            context["location"] = {"lat": initiative.location.y, "lng": initiative.location.x}
        return context


def partners_by_role(partnerships):
    """The partnerships grouped under their role's label, roles in the order the model lists them."""
    order = {role: position for position, role in enumerate(Partnership.Role.values)}
    groups = {}
    for partnership in sorted(partnerships, key=lambda p: order.get(p.role, len(order))):
        groups.setdefault(partnership.get_role_display(), []).append(partnership)
    return list(groups.items())
