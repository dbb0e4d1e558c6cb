"""Admin of the French territories (communes, EPCI, départements, régions).

The table is loaded offline for the whole of France, so this admin is above all a search that the
initiative form's autocomplete fields rely on.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin

from ..models import Territory


@admin.register(Territory)
class TerritoryAdmin(LeafletGeoAdmin):
    list_display = ("name", "code", "kind", "departement", "population", "density", "density_class")
    list_filter = ("kind", "density_class")
    list_select_related = ("departement",)
    # The exact code, not a substring: "62" should find the Pas-de-Calais, not every commune in 62xxx.
    search_fields = ("name", "=code")
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
        "centre",
        "has_contour",
    )
    readonly_fields = ("density", "density_class", "has_contour")
    show_full_result_count = False

    @admin.display(description=_("contour"), boolean=True)
    def has_contour(self, territory):
        return territory.contour is not None
