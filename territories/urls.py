"""Public URLs of the territories: the place suggestions of the search boxes."""

from django.urls import path

from . import views

app_name = "territories"
urlpatterns = [
    path("territoires/suggestions.json", views.PlaceSuggestionsView.as_view(), name="suggestions"),
]
