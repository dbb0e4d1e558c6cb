"""The tutorial's pages under ``/tutoriel/``, at the same paths as the site's, then the site itself."""

from django.urls import include, path

from . import api, views

tutorial_patterns = [
    path("", views.InitiativeListView.as_view(), name="list"),
    path("carte.geojson", views.map_data, name="map-data"),
    path("export/initiatives.csv", views.export_csv, name="export-csv"),
    path("initiatives/<slug:slug>/", views.InitiativeDetailView.as_view(), name="detail"),
    path("territoires/<str:kind>/<str:code>/", views.TerritoryView.as_view(), name="territory"),
    path("comparer/", views.ComparisonView.as_view(), name="compare"),
    path("comparables/", views.ComparablesView.as_view(), name="comparables"),
    path("territoires/suggestions.json", views.place_suggestions, name="suggestions"),
    path("api/v1/initiatives/", api.InitiativeList.as_view(), name="api-list"),
    path("api/v1/initiatives.geojson", api.InitiativeGeoJsonList.as_view(), name="api-geojson"),
    path("api/v1/initiatives/<slug:slug>/", api.InitiativeDetail.as_view(), name="api-detail"),
]

urlpatterns = [
    path("tutoriel/", include((tutorial_patterns, "tutorial"))),
    path("", include("config.urls")),
]
