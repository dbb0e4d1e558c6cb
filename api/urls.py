"""URLs of the public API, version 1, under /api/v1/: the endpoints, their OpenAPI description and
its readable page (Swagger UI, served from this site’s static files: no CDN)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .conditional import cached, initiative_last_modified

app_name = "api"
urlpatterns = [
    path("initiatives/", cached(views.InitiativeListView.as_view()), name="initiative-list"),
    path("initiatives.geojson", cached(views.InitiativeGeoJsonView.as_view()), name="initiative-geojson"),
    path(
        "initiatives/<slug:slug>/",
        cached(views.InitiativeDetailView.as_view(), last_modified=initiative_last_modified),
        name="initiative-detail",
    ),
    path(
        "initiatives/<slug:slug>/comparables/",
        cached(views.ComparablesView.as_view()),
        name="initiative-comparables",
    ),
    path("territoires/", cached(views.TerritorySearchView.as_view()), name="territory-search"),
    path(
        "territoires/<str:kind>/<str:code>/",
        cached(views.TerritoryDetailView.as_view()),
        name="territory-detail",
    ),
    *(
        path(f"{slug}/", cached(views.vocabulary(*spec)), name=f"vocabulary-{slug}")
        for slug, spec in views.VOCABULARIES.items()
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "documentation/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", title=_("Percolateur API")),
        name="documentation",
    ),
]
