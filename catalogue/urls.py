"""Public URLs of the catalogue."""

from django.urls import path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", views.MapView.as_view(), name="map"),
    path("carte.geojson", views.MapDataView.as_view(), name="map-data"),
    path("initiatives/<slug:slug>/", views.InitiativeDetailView.as_view(), name="initiative-detail"),
    path("territoires/suggestions.json", views.PlaceSuggestionsView.as_view(), name="place-suggestions"),
]
