"""The place suggestions of the search boxes, as JSON."""

from django.http import JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.generic import View

from . import suggestions
from .models import Territory
from .text import MAX_PLACE_LENGTH


class PlaceSuggestionsView(View):
    """``?q=`` → the territories that match, best first, as JSON for a search box; ``&kind=commune``
    (or another kind) keeps only those of that kind.

    Whatever the query string, the answer is a 200 with a (possibly empty) list: a search box
    should never show an error while someone types.
    """

    def get(self, request):
        query = request.GET.get("q", "")[:MAX_PLACE_LENGTH]
        try:
            limit = int(request.GET.get("limit", suggestions.DEFAULT_LIMIT))
        except ValueError:
            limit = suggestions.DEFAULT_LIMIT
        # An unknown kind is ignored, as the search boxes ignore what they do not understand.
        kind = request.GET.get("kind", "")
        kind = kind if kind in Territory.Kind.values else None
        response = JsonResponse(
            {"query": query, "results": suggestions.suggestions(query, limit, kind=kind)},
            json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
        )
        # Territories change once a year: a browser may keep an answer for an hour. The labels are
        # translated, so the answer varies with the language.
        patch_cache_control(response, public=True, max_age=3600)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response
