"""Admin of the French territories (communes, EPCI, départements, régions).

The table is loaded offline for the whole of France, so this admin is above all a search that the
initiative form's autocomplete fields rely on.
"""

from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from .models import Territory


@admin.register(Territory)
class TerritoryAdmin(LeafletGeoAdmin):
    list_display = ("name", "code", "kind", "departement", "population", "density", "density_class")
    list_filter = ("kind", "density_class")
    list_select_related = ("departement",)
    # Searched with the place search (see get_search_results): names whatever the accents,
    # postcodes, INSEE and SIREN codes, département numbers.
    search_fields = ("name",)
    search_help_text = _("A name, a postcode, an INSEE or SIREN code, or a département number.")
    autocomplete_fields = ("region", "departement", "epci")
    # A contour holds thousands of vertices: shown as a yes/no rather than as text or on a map.
    fields = (
        ("kind", "code"),
        "name",
        "epci_type",
        ("region", "departement", "epci"),
        "postcodes",
        ("population", "area_km2"),
        ("density", "density_class"),
        # Loaded from INSEE's and the ANCT's files by manage.py load_classifications.
        ("density_grid", "centrality"),
        ("rural_typology", "massif"),
        "programmes",
        "centre",
        "has_contour",
    )
    readonly_fields = (
        "density",
        "density_class",
        "density_grid",
        "centrality",
        "rural_typology",
        "massif",
        "programmes",
        "has_contour",
    )
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        """The place search for the list and for every autocomplete that points here (the
        initiative's commune, territories served…): best match first, larger population first."""
        if not search_term.strip():
            return queryset, False
        results = queryset.search(search_term)
        if ORDER_VAR in request.GET:  # the curator sorted by a column: that order wins
            results = results.order_by(*queryset.query.order_by)
        return results, False

    @admin.display(description=_("contour"), boolean=True)
    def has_contour(self, territory):
        return territory.contour is not None
