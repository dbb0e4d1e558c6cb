"""What the API's tests share: a published entry with one of each of its parts."""

import pytest
from django.contrib.gis.geos import Point

from catalogue.models import InitiativeLever, InitiativeObstacle
from tests.factories import (
    FundingFactory,
    FundingToolFactory,
    InitiativeFactory,
    KindFactory,
    LegalEntityFactory,
    LegalFormFactory,
    LeverFactory,
    MilestoneFactory,
    NetworkFactory,
    ObstacleFactory,
    OrganizationFactory,
    PartnershipFactory,
    ThemeFactory,
)


@pytest.fixture
def tiers_lieu(territories, pernes):
    """A published entry of Pernes with one of each of its parts."""
    kind = KindFactory(label="Grange partagée", slug="grange-partagee")
    initiative = InitiativeFactory(
        name="La Grange de Pernes",
        summary="Un tiers-lieu rural.",
        description="Une **grange** rénovée.<script>alert(1)</script>",
        commune=pernes,
        location=Point(2.4098, 50.4843, srid=4326),
        kinds=[kind],
        website="https://grange.example.org/",
        public_email="bonjour@grange.example.org",
        surface_m2=450,
    )
    initiative.themes.set([ThemeFactory(label="Alimentation", slug="alimentation")])
    initiative.territories_served.set([pernes.epci])
    LegalEntityFactory(
        initiative=initiative,
        name="Association La Grange",
        legal_form=LegalFormFactory(label="Association loi 1901", slug="association"),
        siren="",
        rna="W623000001",
    )
    PartnershipFactory(initiative=initiative, organization=OrganizationFactory(name="Commune de Pernes"))
    FundingFactory(
        initiative=initiative, tool=FundingToolFactory(label="Fonds rural", slug="fonds-rural"), amount=25000
    )
    MilestoneFactory(initiative=initiative, year=2019, title="Ouverture de la grange")
    InitiativeLever.objects.create(
        initiative=initiative, lever=LeverFactory(label="Bail rural", slug="bail-rural"), note="3 ans"
    )
    InitiativeObstacle.objects.create(initiative=initiative, obstacle=ObstacleFactory(label="Chauffage"))
    initiative.networks.set([NetworkFactory(name="Réseau des granges", slug="granges")])
    return initiative
