"""The domain's rules, enforced by the database and explained by the forms in French."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import translation

from catalogue.models import Initiative
from catalogue.validators import luhn_is_valid, validate_rna, validate_siren
from territories.models import DensityClass
from tests.factories import (
    CommuneFactory,
    FundingFactory,
    InitiativeFactory,
    LegalEntityFactory,
    LegalFormFactory,
    MilestoneFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db


def _refused_by_database(save):
    # PostgreSQL refuses a value too long for its column with a DataError, SQLite with the CHECK.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        save()


class TestDatabaseConstraints:
    def test_two_initiatives_cannot_share_a_slug(self):
        InitiativeFactory(name="Le Bazar", slug="le-bazar")
        _refused_by_database(lambda: Initiative.objects.create(name="Autre", slug="le-bazar"))

    def test_negative_funding_amount_is_refused(self):
        funding = FundingFactory()
        funding.amount = -5
        _refused_by_database(funding.save)

    def test_negative_surface_and_budget_are_refused(self):
        initiative = InitiativeFactory()
        for field in ("surface_m2", "investment_eur", "annual_budget_eur", "volunteers"):
            setattr(initiative, field, -1)
            _refused_by_database(initiative.save)
            setattr(initiative, field, None)

    def test_negative_jobs_are_refused(self):
        initiative = InitiativeFactory()
        initiative.jobs_fte = Decimal("-1.5")
        _refused_by_database(initiative.save)

    @pytest.mark.parametrize("year", [1500, 2300])
    def test_implausible_years_are_refused(self, year):
        initiative = InitiativeFactory()
        initiative.started_year = year
        _refused_by_database(initiative.save)
        milestone = MilestoneFactory()
        milestone.year = year
        _refused_by_database(milestone.save)

    def test_an_initiative_cannot_open_before_it_started(self):
        initiative = InitiativeFactory(started_year=2016)
        initiative.opened_year = 2014
        _refused_by_database(initiative.save)

    @pytest.mark.parametrize("siren", ["12345678", "1234567890", "12345678A"])
    def test_siren_must_have_nine_digits(self, siren):
        entity = LegalEntityFactory()
        entity.siren = siren
        _refused_by_database(entity.save)
        organization = OrganizationFactory()
        organization.siren = siren
        _refused_by_database(organization.save)

    @pytest.mark.parametrize("rna", ["623001234", "X623001234", "W62300123", "W6230012345"])
    def test_rna_must_be_w_and_nine_characters(self, rna):
        entity = LegalEntityFactory()
        entity.rna = rna
        _refused_by_database(entity.save)

    def test_valid_identifiers_are_stored(self):
        entity = LegalEntityFactory(siren="200035442", rna="W2A1000123")
        entity.refresh_from_db()
        assert (entity.siren, entity.rna) == ("200035442", "W2A1000123")

    def test_territory_codes_are_unique_per_kind(self):
        CommuneFactory(code="99999")
        _refused_by_database(lambda: CommuneFactory(code="99999"))


class TestFrenchMessages:
    """What a curator reads when a form refuses a value."""

    def test_invalid_siren_is_explained_in_french(self):
        entity = LegalEntityFactory.build(
            initiative=InitiativeFactory(), legal_form=LegalFormFactory(), siren="123456789"
        )
        with translation.override("fr"), pytest.raises(ValidationError) as refused:
            entity.full_clean()
        assert refused.value.message_dict == {
            "siren": [
                "Ce numéro SIREN n’est pas valide : son chiffre de contrôle ne correspond pas. Vérifiez "
                "qu’il n’y a pas de faute de frappe."
            ]
        }

    def test_malformed_siren_is_explained_in_french(self):
        with translation.override("fr"), pytest.raises(ValidationError) as refused:
            validate_siren("12 345")
        assert refused.value.messages == [
            "Un numéro SIREN compte exactement 9 chiffres, sans espace (par exemple 200035442)."
        ]

    def test_impossible_year_is_explained_in_french(self):
        initiative = InitiativeFactory.build(commune=None, started_year=1500)
        with translation.override("fr"), pytest.raises(ValidationError) as refused:
            initiative.full_clean()
        assert refused.value.message_dict == {
            "started_year": ["Assurez-vous que cette valeur est supérieure ou égale à 1800."]
        }

    def test_opening_before_start_is_explained_in_french(self):
        initiative = InitiativeFactory.build(commune=None, started_year=2018, opened_year=2016)
        with translation.override("fr"), pytest.raises(ValidationError) as refused:
            initiative.full_clean()
        assert refused.value.message_dict == {
            "opened_year": ["L’année d’ouverture ne peut pas précéder l’année de démarrage du projet."]
        }

    def test_negative_amount_is_explained_in_french(self):
        funding = FundingFactory.build(initiative=InitiativeFactory(), tool=None, note="x", amount=-10)
        with translation.override("fr"), pytest.raises(ValidationError) as refused:
            funding.full_clean()
        assert refused.value.message_dict == {
            "amount": ["Assurez-vous que cette valeur est supérieure ou égale à 0."]
        }


class TestIdentifiers:
    @pytest.mark.parametrize("siren", ["200035442", "245900410", "356000000"])
    def test_real_sirens_are_accepted(self, siren):
        validate_siren(siren)

    def test_luhn(self):
        assert luhn_is_valid("200035442")
        assert not luhn_is_valid("200035443")

    @pytest.mark.parametrize("rna", ["W623001234", "W2B1000123", "W9M1000123"])
    def test_real_rna_shapes_are_accepted(self, rna):
        validate_rna(rna)


class TestInitiative:
    def test_slug_is_made_from_the_name_and_kept_unique(self):
        first = InitiativeFactory(name="Cirqu'en-Cavale")
        second = InitiativeFactory(name="Cirqu'en Cavale")
        assert first.slug == "cirquen-cavale"
        assert second.slug == "cirquen-cavale-2"

    def test_published_is_the_only_public_status(self):
        published = InitiativeFactory(status=Initiative.Status.PUBLISHED)
        for status in (Initiative.Status.DRAFT, Initiative.Status.REVIEW, Initiative.Status.ARCHIVED):
            InitiativeFactory(status=status)
        assert list(Initiative.objects.published()) == [published]

    def test_changes_are_kept_in_history(self):
        initiative = InitiativeFactory(name="Avant")
        initiative.name = "Après"
        initiative.save()
        assert [h.name for h in initiative.history.order_by("history_date")] == ["Avant", "Après"]


class TestTerritory:
    def test_density_and_class_follow_population_and_area(self):
        commune = CommuneFactory(population=38500, area_km2=634)
        assert commune.density == pytest.approx(60.7)
        assert commune.density_class == DensityClass.SPARSE

    @pytest.mark.parametrize(
        "density, expected",
        [
            (None, ""),
            (10, DensityClass.VERY_SPARSE),
            (25, DensityClass.SPARSE),
            (300, DensityClass.INTERMEDIATE),
            (1500, DensityClass.DENSE),
        ],
    )
    def test_density_thresholds(self, density, expected):
        assert DensityClass.for_density(density) == expected

    def test_density_is_unknown_without_an_area(self):
        commune = CommuneFactory(area_km2=None)
        commune.refresh_from_db()
        assert commune.density is None and commune.density_class == ""
