"""The public API's endpoints, read-only: the published initiatives (as JSON and as GeoJSON, through
the catalogue's own filters), an initiative's detail and its comparable projects, the territories
(search and detail), and the vocabularies the filters take (kinds, themes, legal forms, funding
tools, levers, obstacles, networks).

Every endpoint answers GET only, to any site (CORS), within a rate limit per address; nothing of a
draft or an archived entry is ever read.
"""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.models import Network
from catalogue import similarity
from catalogue.export_columns import COMPUTED
from catalogue.models import FundingTool, Initiative, Kind, LegalEntity, LegalForm, Lever, Obstacle, Theme
from territories.models import Territory
from territories.suggestions import DEFAULT_LIMIT, MAX_LIMIT, suggestions
from territories.text import MIN_PLACE_LENGTH

from . import serializers
from .filtering import PublicFiltersMixin, filter_parameters
from .pagination import CataloguePagination, GeoJsonCataloguePagination


class GeoJsonRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


# The lists' parameters, described once: both lists take the catalogue's filters.
FILTER_PARAMETERS = filter_parameters()

# What a list item reads, and nothing of the wide text fields.
SUMMARY_COLUMNS = (
    "pk",
    "slug",
    "name",
    "summary",
    "stage",
    "started_year",
    "opened_year",
    "commune__code",
    "commune__name",
    "website",
    "verified_on",
    "updated_at",
)
# The coordinates, as numbers computed by the database: decoding each item's geometry took a fifth
# of a page's time.
COORDINATES = {"lng": COMPUTED["lng"], "lat": COMPUTED["lat"]}


def summaries(queryset):
    """``queryset`` with what a list item reads of the initiative itself, its commune joined; its
    vocabularies come from ``with_vocabularies``, once the page is cut."""
    return queryset.select_related("commune").only(*SUMMARY_COLUMNS).annotate(**COORDINATES)


def with_vocabularies(initiatives):
    """Each of ``initiatives`` (a page, a list) with its kinds, themes and legal forms as plain
    ``{"slug", "label"}`` lists (``initiative.listed``), in their vocabularies' order: three queries
    for the page. Django's prefetching builds a queryset per item and relation, which took half of a
    page's time."""
    by_pk = {initiative.pk: initiative for initiative in initiatives}
    for initiative in initiatives:
        initiative.listed = {"kinds": [], "themes": [], "legal_forms": []}
    reads = {
        "kinds": (Initiative.kinds.through.objects, "kind"),
        "themes": (Initiative.themes.through.objects, "theme"),
        "legal_forms": (LegalEntity.objects, "legal_form"),
    }
    for name, (rows, value) in reads.items():
        found = (
            rows.filter(initiative_id__in=by_pk)
            .order_by(f"{value}__position", f"{value}__label")
            .values_list("initiative_id", f"{value}__slug", f"{value}__label")
        )
        for pk, slug, label in found:
            listed = by_pk[pk].listed[name]
            if not listed or all(item["slug"] != slug for item in listed):  # a form held twice, once
                listed.append({"slug": slug, "label": label})
    return initiatives


@extend_schema_view(
    get=extend_schema(
        operation_id="initiatives_list",
        summary=_("Published initiatives"),
        description=_(
            "The published initiatives, filtered by the same parameters as the catalogue's page and in "
            "the same order (by name unless `tri` says otherwise), 50 to a page."
        ),
        parameters=FILTER_PARAMETERS,
        tags=["initiatives"],
    )
)
class InitiativeListView(PublicFiltersMixin, generics.ListAPIView):
    serializer_class = serializers.InitiativeSummarySerializer
    pagination_class = CataloguePagination

    def get_queryset(self):
        return summaries(self.filterset.sorted_qs())

    def paginate_queryset(self, queryset):
        return with_vocabularies(super().paginate_queryset(queryset))


@extend_schema_view(
    get=extend_schema(
        operation_id="initiatives_geojson",
        summary=_("Published initiatives, as GeoJSON"),
        description=_(
            "The same results as a GeoJSON FeatureCollection, for a map or a GIS: one Feature per "
            "initiative, its point as the geometry (null when it has no location)."
        ),
        parameters=FILTER_PARAMETERS,
        tags=["initiatives"],
    )
)
class InitiativeGeoJsonView(InitiativeListView):
    serializer_class = serializers.InitiativeFeatureSerializer
    pagination_class = GeoJsonCataloguePagination
    # GeoJSON's own media type, unless the client asks for plain JSON.
    renderer_classes = [GeoJsonRenderer, JSONRenderer]


@extend_schema_view(
    get=extend_schema(operation_id="initiative_detail", summary=_("An initiative"), tags=["initiatives"])
)
class InitiativeDetailView(generics.RetrieveAPIView):
    """Every public fact of a published initiative: its fiche, as data."""

    serializer_class = serializers.InitiativeDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return Initiative.objects.published().for_fiche().annotate(**COORDINATES)

    def get_object(self):
        return with_vocabularies([super().get_object()])[0]


class ComparablesView(generics.GenericAPIView):
    serializer_class = serializers.ComparableSerializer
    pagination_class = None

    @extend_schema(
        operation_id="initiative_comparables",
        summary=_("Projects comparable to an initiative"),
        description=_("The five published initiatives most like this one, best first, with the reasons."),
        responses=serializers.ComparableSerializer(many=True),
        tags=["initiatives"],
    )
    def get(self, request, slug):
        initiative = get_object_or_404(Initiative.objects.published().for_fiche(), slug=slug)
        found = similarity.comparables_of(initiative)
        # The comparables are read again as list items: the same fields as everywhere in the API.
        items = summaries(Initiative.objects.published()).in_bulk([c.initiative.pk for c in found])
        with_vocabularies(list(items.values()))
        data = [
            {
                "initiative": items[comparable.initiative.pk],
                "score": round(comparable.score, 3),
                "reasons": [str(reason) for reason in comparable.reasons],
                "distance_km": None if comparable.distance_km is None else round(comparable.distance_km, 1),
            }
            for comparable in found
            if comparable.initiative.pk in items
        ]
        return Response(self.get_serializer(data, many=True).data)


# --- Territories --------------------------------------------------------------------------------


class TerritorySearchView(generics.GenericAPIView):
    serializer_class = serializers.TerritorySuggestionSerializer
    pagination_class = None

    @extend_schema(
        operation_id="territories_search",
        summary=_("Find a territory"),
        description=_(
            "The communes, intercommunalities, départements and régions that best match what was typed "
            "(a name, a postcode, an INSEE code), best first."
        ),
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, required=True, description=_("What was typed.")),
            OpenApiParameter(
                "type",
                OpenApiTypes.STR,
                enum=Territory.Kind.values,
                description=_("Only territories of this kind."),
            ),
            OpenApiParameter(
                "nombre",
                {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                description=format_lazy(_("How many to give ({default} by default)."), default=DEFAULT_LIMIT),
            ),
        ],
        responses=serializers.TerritorySuggestionSerializer(many=True),
        tags=["territories"],
    )
    def get(self, request):
        query = request.GET.get("q", "").strip()
        errors = {}
        if len(query) < MIN_PLACE_LENGTH:
            errors["q"] = [_("Type at least %(count)d characters.") % {"count": MIN_PLACE_LENGTH}]
        kind = request.GET.get("type") or None
        if kind is not None and kind not in Territory.Kind.values:
            kinds = ", ".join(Territory.Kind.values)
            errors["type"] = [_("The kinds of territory: %(kinds)s.") % {"kinds": kinds}]
        limit = request.GET.get("nombre") or str(DEFAULT_LIMIT)
        if not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
            errors["nombre"] = [_("A whole number from 1 to %(max)d.") % {"max": MAX_LIMIT}]
        if errors:
            raise ValidationError(errors)
        found = suggestions(query, limit=int(limit), kind=kind)
        for item in found:
            path = reverse("api:territory-detail", kwargs={"kind": item["kind"], "code": item["code"]})
            item["url"] = request.build_absolute_uri(path)
        return Response(self.get_serializer(found, many=True).data)


@extend_schema_view(
    get=extend_schema(operation_id="territory_detail", summary=_("A territory"), tags=["territories"])
)
class TerritoryDetailView(generics.RetrieveAPIView):
    serializer_class = serializers.TerritoryDetailSerializer

    def get_object(self):
        return get_object_or_404(
            Territory.objects.select_related("region", "departement", "epci").defer("contour"),
            kind=self.kwargs["kind"],
            code=self.kwargs["code"],
        )


# --- Vocabularies -------------------------------------------------------------------------------


class VocabularyView(generics.ListAPIView):
    """The values of one vocabulary, in its own order, each with the address of its initiatives
    (``param`` is the catalogue filter that takes its codes)."""

    serializer_class = serializers.VocabularyValueSerializer
    pagination_class = None
    model = None
    param = ""

    def get_queryset(self):
        return self.model.objects.all()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "param": self.param}


def vocabulary(model, param, label, serializer_class=serializers.VocabularyValueSerializer):
    """The view of a vocabulary, documented."""
    view = type(
        f"{model.__name__}VocabularyView",
        (VocabularyView,),
        {"model": model, "param": param, "serializer_class": serializer_class},
    )
    return extend_schema_view(get=extend_schema(summary=label, tags=["vocabularies"]))(view).as_view()


VOCABULARIES = {
    "types": (Kind, "type", _("Kinds of initiative")),
    "thematiques": (Theme, "theme", _("Themes")),
    "formes-juridiques": (LegalForm, "forme", _("Legal forms")),
    "outils-de-financement": (FundingTool, "outil", _("Funding tools")),
    "leviers": (Lever, "levier", _("Public-action levers")),
    # No filter takes the obstacles: their values have no list of initiatives.
    "freins": (Obstacle, "", _("Obstacles")),
    "reseaux": (Network, "reseau", _("Networks"), serializers.NetworkSerializer),
}
