"""Public URLs of the catalogue."""

from django.urls import path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", views.CatalogueView.as_view(), name="map"),
    path("carte.geojson", views.MapDataView.as_view(), name="map-data"),
    path("export/initiatives.csv", views.CsvExportView.as_view(), name="export-csv"),
    path("export/initiatives.geojson", views.GeoJsonExportView.as_view(), name="export-geojson"),
    path("initiatives/<slug:slug>/", views.InitiativeDetailView.as_view(), name="initiative-detail"),
    path("territoires/<str:kind>/<str:code>/", views.TerritoryDetailView.as_view(), name="territory-detail"),
]
