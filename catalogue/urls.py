"""Public URLs of the catalogue."""

from django.urls import path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", views.CatalogueView.as_view(), name="map"),
    path("carte.geojson", views.MapDataView.as_view(), name="map-data"),
    # The map that other sites embed, and the page that builds its snippet.
    path("carte/integree/", views.EmbeddedMapView.as_view(), name="embedded-map"),
    path("integrer/", views.EmbedBuilderView.as_view(), name="embed"),
    path("export/initiatives.csv", views.CsvExportView.as_view(), name="export-csv"),
    path("export/initiatives.geojson", views.GeoJsonExportView.as_view(), name="export-geojson"),
    # The same results in the national schemas.
    path(
        "export/lieux-de-mediation-numerique.csv",
        views.MediationNumeriqueExportView.as_view(),
        name="export-mediation-numerique",
    ),
    path(
        "export/data-inclusion-structures.json",
        views.DataInclusionExportView.as_view(),
        name="export-data-inclusion",
    ),
    path("comparables/", views.ComparablesView.as_view(), name="comparables"),
    path("comparer/", views.ComparisonView.as_view(), name="compare"),
    path("comparer.csv", views.ComparisonCsvView.as_view(), name="compare-csv"),
    path("initiatives/<slug:slug>/", views.InitiativeDetailView.as_view(), name="initiative-detail"),
    # The workshop's toolbox.
    path("leviers-et-outils/", views.ToolboxIndexView.as_view(), name="toolbox"),
    path(
        "leviers-et-outils/financements/<slug:slug>/",
        views.FundingToolDetailView.as_view(),
        name="funding-tool",
    ),
    path("leviers-et-outils/leviers/<slug:slug>/", views.LeverDetailView.as_view(), name="lever"),
    path("leviers-et-outils/freins/<slug:slug>/", views.ObstacleDetailView.as_view(), name="obstacle"),
    path("reseaux/<slug:slug>/", views.NetworkDetailView.as_view(), name="network"),
    path("territoires/<str:kind>/<str:code>/", views.TerritoryDetailView.as_view(), name="territory-detail"),
]
