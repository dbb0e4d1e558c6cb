"""The tutorial's API: what Django REST framework's tutorial and djangorestframework-gis's README
write for the catalogue's API, with nothing of what the site does to make it fast.

- **Lists** (``/api/v1/initiatives/`` and ``.geojson``): a ``ListAPIView`` over the published
  initiatives, ``DjangoFilterBackend`` with the tutorial's FilterSet (``filters.InitiativeFilter``,
  the site's parameters), DRF's ``PageNumberPagination`` by 50; a ``ModelSerializer`` (and a
  ``GeoFeatureModelSerializer``) whose commune, kinds, themes and legal forms are nested serializers
  read per item (N+1 queries), ordered by name.
- **Detail** (``/api/v1/initiatives/<slug>/``): a ``RetrieveAPIView`` with every part nested
  (``ModelSerializer``s), without ``select_related`` or ``prefetch_related``.
"""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import generics, pagination, serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from catalogue.models import Funding, Initiative, Kind, LegalEntity, Milestone, Partnership, Theme
from territories.models import Territory

from .filters import InitiativeFilter

FIELDS = ("id", "slug", "name", "summary", "stage", "kinds", "themes", "legal_entities", "commune", "website")


class KindSerializer(serializers.ModelSerializer):
    class Meta:
        model = Kind
        fields = ("slug", "label")


class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ("slug", "label")


class CommuneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Territory
        fields = ("code", "name")


class LegalEntitySerializer(serializers.ModelSerializer):
    legal_form = serializers.StringRelatedField()

    class Meta:
        model = LegalEntity
        fields = ("name", "legal_form", "role", "siren", "rna")


class InitiativeSerializer(serializers.ModelSerializer):
    kinds = KindSerializer(many=True)
    themes = ThemeSerializer(many=True)
    legal_entities = LegalEntitySerializer(many=True)
    commune = CommuneSerializer()

    class Meta:
        model = Initiative
        fields = FIELDS


class InitiativeFeatureSerializer(GeoFeatureModelSerializer):
    kinds = KindSerializer(many=True)
    themes = ThemeSerializer(many=True)
    legal_entities = LegalEntitySerializer(many=True)
    commune = CommuneSerializer()

    class Meta:
        model = Initiative
        geo_field = "location"
        fields = (*FIELDS, "location")


class PartnershipSerializer(serializers.ModelSerializer):
    organization = serializers.StringRelatedField()

    class Meta:
        model = Partnership
        fields = ("organization", "role", "stage", "note")


class FundingSerializer(serializers.ModelSerializer):
    tool = serializers.StringRelatedField()
    funder = serializers.StringRelatedField()

    class Meta:
        model = Funding
        fields = ("tool", "funder", "amount", "year", "note")


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ("year", "date", "stage", "title", "text", "public_action")


class InitiativeDetailSerializer(InitiativeSerializer):
    territories_served = CommuneSerializer(many=True)
    partnerships = PartnershipSerializer(many=True)
    fundings = FundingSerializer(many=True)
    milestones = MilestoneSerializer(many=True)
    networks = serializers.StringRelatedField(many=True)
    levers = serializers.StringRelatedField(many=True)
    obstacles = serializers.StringRelatedField(many=True)

    class Meta:
        model = Initiative
        exclude = ("created_by", "updated_by", "status", "image")


class Pages(pagination.PageNumberPagination):
    page_size = 50


class InitiativeList(generics.ListAPIView):
    queryset = Initiative.objects.filter(status=Initiative.Status.PUBLISHED).order_by("name")
    serializer_class = InitiativeSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = InitiativeFilter
    pagination_class = Pages


class InitiativeGeoJsonList(InitiativeList):
    serializer_class = InitiativeFeatureSerializer


class InitiativeDetail(generics.RetrieveAPIView):
    queryset = Initiative.objects.filter(status=Initiative.Status.PUBLISHED)
    serializer_class = InitiativeDetailSerializer
    lookup_field = "slug"
