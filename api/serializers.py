"""What the API writes of each object: the public facts, as the fiche shows them, and nothing that only
curators see (who wrote an entry, its status, its history).

A list item (``InitiativeSummarySerializer``, and its GeoJSON twin ``InitiativeFeatureSerializer``) holds
what a card or a map popup needs; the detail (``InitiativeDetailSerializer``) holds every public fact:
the legal set-up, the partners, the funding lines, the trajectory, the levers and obstacles. Choices are
written twice, as their stable value and as their label in the language asked for (``Accept-Language``).
"""

from urllib.parse import quote, urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from catalogue.models import Initiative
from catalogue.rendering import render_markdown
from territories.labels import territory_label


class LookupSerializer(serializers.Serializer):
    """A value of a vocabulary: its code, which the filters take, and its label."""

    slug = serializers.SlugField(help_text=_("The code, as the filters take it: ?type=tiers-lieu."))
    label = serializers.CharField()


class CommuneSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("The commune's INSEE code."))
    name = serializers.CharField()


class TerritoryReferenceSerializer(serializers.Serializer):
    """A territory named from elsewhere, with the address of its own description in the API."""

    kind = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    label = serializers.SerializerMethodField(help_text=_("As the place filters take it: “Lille (59)”."))
    url = serializers.SerializerMethodField()

    def get_label(self, territory) -> str:
        return territory_label(territory.kind, territory.name, territory.code)

    def get_url(self, territory) -> str:
        return _absolute(self, "api:territory-detail", kind=territory.kind, code=territory.code)


def _absolute(serializer, name, **kwargs):
    """The absolute address of the URL ``name`` for ``kwargs``. It is reversed once per answer, with
    placeholders, then filled for each item: reversing it for each of 50 items took a fifth of a
    page's time."""
    templates = serializer.context.setdefault("url_templates", {})
    key = (name, *sorted(kwargs))
    if key not in templates:
        path = reverse(name, kwargs={argument: f"--{argument}--" for argument in kwargs})
        request = serializer.context.get("request")
        templates[key] = request.build_absolute_uri(path) if request is not None else path
    url = templates[key]
    for argument, value in kwargs.items():
        url = url.replace(f"--{argument}--", quote(str(value), safe=""))
    return url


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {
            "type": {"type": "string", "enum": ["Point"]},
            "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
        },
    }
)
class PointField(serializers.Field):
    """The initiative's location as a GeoJSON Point (longitude, latitude), or null, from the
    coordinates the query computed (``lng``, ``lat``): no geometry is decoded per item."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, initiative):
        if initiative.lng is None:
            return None
        return {"type": "Point", "coordinates": [initiative.lng, initiative.lat]}


class SummaryFields(serializers.Serializer):
    """The fields of an initiative in a list, for the JSON and the GeoJSON alike."""

    fiche = serializers.SerializerMethodField(help_text=_("The initiative's public page on the site."))
    url = serializers.SerializerMethodField(help_text=_("Its detail in the API."))
    # Read by api.views.with_vocabularies.
    kinds = LookupSerializer(source="listed.kinds", many=True, read_only=True)
    themes = LookupSerializer(source="listed.themes", many=True, read_only=True)
    legal_forms = LookupSerializer(source="listed.legal_forms", many=True, read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    commune = CommuneSerializer(read_only=True, allow_null=True)
    distance_km = serializers.SerializerMethodField(
        help_text=_("From the place of the “pres_de” filter, when it is given.")
    )

    def get_fiche(self, initiative) -> str:
        return _absolute(self, "catalogue:initiative-detail", slug=initiative.slug)

    def get_url(self, initiative) -> str:
        return _absolute(self, "api:initiative-detail", slug=initiative.slug)

    def get_distance_km(self, initiative) -> float | None:
        distance = getattr(initiative, "distance", None)
        return None if distance is None else round(distance.km, 2)


SUMMARY_FIELDS = (
    "slug",
    "name",
    "summary",
    "fiche",
    "url",
    "kinds",
    "themes",
    "legal_forms",
    "stage",
    "stage_label",
    "started_year",
    "opened_year",
    "commune",
    "website",
    "verified_on",
    "updated_at",
    "distance_km",
)


class InitiativeSummarySerializer(SummaryFields, serializers.ModelSerializer):
    # Computed by the query (``api.views.COORDINATES``).
    latitude = serializers.FloatField(source="lat", read_only=True, allow_null=True)
    longitude = serializers.FloatField(source="lng", read_only=True, allow_null=True)

    class Meta:
        model = Initiative
        fields = ("id", *SUMMARY_FIELDS, "latitude", "longitude")


class InitiativeFeatureSerializer(SummaryFields, GeoFeatureModelSerializer):
    """The same, as a GeoJSON Feature: the location is its geometry (null when it has none)."""

    location = PointField()

    class Meta:
        model = Initiative
        geo_field = "location"
        fields = ("id", *SUMMARY_FIELDS, "location")


# --- The detail ---------------------------------------------------------------------------------


class NetworkReferenceSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    website = serializers.URLField()


class LegalEntitySerializer(serializers.Serializer):
    name = serializers.CharField()
    legal_form = LookupSerializer()
    role = serializers.CharField()
    role_label = serializers.CharField(source="get_role_display")
    siren = serializers.CharField()
    rna = serializers.CharField()
    note = serializers.CharField()


class OrganizationSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    website = serializers.URLField()
    siren = serializers.CharField()


class PartnershipSerializer(serializers.Serializer):
    organization = OrganizationSerializer()
    role = serializers.CharField()
    role_label = serializers.CharField(source="get_role_display")
    stage = serializers.CharField()
    stage_label = serializers.CharField(source="get_stage_display")
    note = serializers.CharField()


class FundingSerializer(serializers.Serializer):
    tool = LookupSerializer(allow_null=True)
    funder = serializers.CharField(source="funder.name", allow_null=True, default=None)
    amount_eur = serializers.IntegerField(source="amount", allow_null=True)
    year = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()


class MilestoneSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    date = serializers.DateField(allow_null=True)
    stage = serializers.CharField()
    stage_label = serializers.CharField(source="get_stage_display")
    title = serializers.CharField()
    text = serializers.CharField()
    public_action = serializers.CharField(help_text=_("What the local authority did."))


class LeverUseSerializer(serializers.Serializer):
    slug = serializers.SlugField(source="lever.slug")
    label = serializers.CharField(source="lever.label")
    note = serializers.CharField()


class ObstacleMetSerializer(serializers.Serializer):
    slug = serializers.SlugField(source="obstacle.slug")
    label = serializers.CharField(source="obstacle.label")
    note = serializers.CharField()


class InitiativeDetailSerializer(InitiativeSummarySerializer):
    """Every public fact of an initiative (the fiche's), read in a bounded number of queries."""

    description_html = serializers.SerializerMethodField(
        help_text=_("The description (Markdown) as the fiche shows it: sanitised HTML.")
    )
    location_precision_label = serializers.CharField(source="get_location_precision_display", read_only=True)
    territories_served = TerritoryReferenceSerializer(many=True, read_only=True)
    networks = NetworkReferenceSerializer(many=True, read_only=True)
    legal_entities = LegalEntitySerializer(many=True, read_only=True)
    partners = PartnershipSerializer(source="partnerships", many=True, read_only=True)
    fundings = FundingSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    levers = LeverUseSerializer(source="initiativelever_set", many=True, read_only=True)
    obstacles = ObstacleMetSerializer(source="initiativeobstacle_set", many=True, read_only=True)
    image = serializers.SerializerMethodField()
    comparables = serializers.SerializerMethodField(
        help_text=_("The projects most like this one, in the API.")
    )

    class Meta(InitiativeSummarySerializer.Meta):
        fields = (
            *InitiativeSummarySerializer.Meta.fields,
            "description",
            "description_html",
            "address",
            "location_precision",
            "location_precision_label",
            "territories_served",
            "surface_m2",
            "investment_eur",
            "annual_budget_eur",
            "jobs_fte",
            "volunteers",
            "public_email",
            "phone",
            "image",
            "image_alt",
            "networks",
            "legal_entities",
            "partners",
            "fundings",
            "milestones",
            "levers",
            "obstacles",
            "sources",
            "created_at",
            "comparables",
        )

    def get_description_html(self, initiative) -> str:
        return render_markdown(initiative.description)

    @extend_schema_field(OpenApiTypes.URI)
    def get_image(self, initiative):
        if not initiative.image:
            return None
        request = self.context.get("request")
        url = initiative.image.url
        return request.build_absolute_uri(url) if request is not None else url

    def get_comparables(self, initiative) -> str:
        return _absolute(self, "api:initiative-comparables", slug=initiative.slug)


class ComparableSerializer(serializers.Serializer):
    """A comparable project: the initiative, how alike and why, in words."""

    initiative = InitiativeSummarySerializer()
    score = serializers.FloatField(
        help_text=_("The sum of the weights of what the two share: the higher, the more alike.")
    )
    reasons = serializers.ListField(child=serializers.CharField())
    distance_km = serializers.FloatField(allow_null=True)


# --- Territories and vocabularies ---------------------------------------------------------------


class TerritorySuggestionSerializer(serializers.Serializer):
    """A territory found for what was typed, best first."""

    kind = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    label = serializers.CharField(help_text=_("As the place filters take it: “Lille (59)”."))
    context = serializers.CharField(help_text=_("What tells it from its namesakes."))
    population = serializers.IntegerField(allow_null=True)
    url = serializers.URLField(help_text=_("Its description in the API."))


class TerritoryDetailSerializer(TerritoryReferenceSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    population = serializers.IntegerField(allow_null=True)
    postcodes = serializers.ListField(child=serializers.CharField())
    density_class = serializers.CharField()
    density_class_label = serializers.CharField(source="get_density_class_display")
    region = TerritoryReferenceSerializer(allow_null=True)
    departement = TerritoryReferenceSerializer(allow_null=True)
    epci = TerritoryReferenceSerializer(allow_null=True)
    latitude = serializers.SerializerMethodField()
    longitude = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField(help_text=_("The territory's page on the site."))
    initiatives = serializers.SerializerMethodField(help_text=_("The initiatives in it or serving it."))

    def get_latitude(self, territory) -> float | None:
        return territory.centre.y if territory.centre else None

    def get_longitude(self, territory) -> float | None:
        return territory.centre.x if territory.centre else None

    def get_page(self, territory) -> str:
        return _absolute(self, "catalogue:territory-detail", kind=territory.kind, code=territory.code)

    def get_initiatives(self, territory) -> str:
        url = _absolute(self, "api:initiative-list")
        return f"{url}?{urlencode({'territoire': self.get_label(territory)})}"


class VocabularyValueSerializer(serializers.Serializer):
    """A value of a vocabulary, with the address of the initiatives that have it."""

    slug = serializers.SlugField(help_text=_("The code, as the filter takes it."))
    label = serializers.CharField()
    description = serializers.CharField()
    initiatives = serializers.SerializerMethodField(
        help_text=_("The initiatives with this value, in the API (none when no filter takes it).")
    )

    def get_initiatives(self, value) -> str | None:
        param = self.context.get("param")
        if not param:
            return None
        return f"{_absolute(self, 'api:initiative-list')}?{urlencode({param: value.slug})}"


class NetworkSerializer(VocabularyValueSerializer):
    label = serializers.CharField(source="name")
    website = serializers.URLField()
