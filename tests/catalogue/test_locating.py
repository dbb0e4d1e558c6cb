"""Placing an initiative from its address (``catalogue.locating``): the geocoders through local
servers on 127.0.0.1, the commune's centre from the territories table, and a point already there
that is never made less precise."""

import pytest
from django.contrib.gis.geos import Point

from catalogue.locating import LOCATION_PRECISION, LocateResult, locate_initiative
from catalogue.models import Initiative
from geocoding import Precision, Source
from tests.ban_server import ban_feature
from tests.factories import CommuneFactory, InitiativeFactory, commune
from tests.geocoding.answers import PERNES_STATION, PERNES_STATION_OSM, fail

pytestmark = pytest.mark.usefixtures("empty_cache")


# --- locate_initiative ---------------------------------------------------------------------------


def test_an_initiative_is_located_at_its_address(ban, pernes):
    ban.answer(PERNES_STATION)
    initiative = InitiativeFactory.build(address="12 rue de la Gare", commune=pernes, location=None)

    outcome = locate_initiative(initiative)

    assert outcome.result is LocateResult.ADDRESS
    assert outcome.place.label == "12 Rue de la Gare 62550 Pernes"
    assert (initiative.location.x, initiative.location.y) == pytest.approx((2.4101, 50.4842))
    assert initiative.location_precision == Initiative.LocationPrecision.ADDRESS
    # The address is completed with the commune's postcode and name, and nothing is saved.
    assert ban.queries[-1]["q"] == "12 rue de la Gare, 62550 Pernes"
    assert initiative.pk is None


def test_an_initiative_without_a_commune_takes_the_one_the_ban_names(ban, pernes):
    ban.answer(PERNES_STATION)
    initiative = InitiativeFactory.build(
        address="12 rue de la Gare, 62550 Pernes", commune=None, location=None
    )

    assert locate_initiative(initiative).result is LocateResult.ADDRESS
    assert initiative.commune == pernes


def test_an_address_in_an_arrondissement_gives_the_commune_of_paris(ban, territories):
    ban.answer(ban_feature(2.3703, 48.8655, "10 Rue Oberkampf 75011 Paris", citycode="75111", city="Paris"))
    initiative = InitiativeFactory.build(address="10 rue Oberkampf, Paris", commune=None, location=None)

    locate_initiative(initiative)

    assert initiative.commune == commune("75056")


def test_an_address_the_ban_cannot_find_falls_back_to_the_commune_centre(ban, pernes):
    ban.answer()
    initiative = InitiativeFactory.build(address="chemin inconnu", commune=pernes, location=None)

    outcome = locate_initiative(initiative)

    assert outcome.result is LocateResult.COMMUNE_CENTRE
    assert (initiative.location.x, initiative.location.y) == pytest.approx(pernes.centre.coords)
    assert initiative.location_precision == Initiative.LocationPrecision.COMMUNE


def test_an_unreachable_ban_falls_back_to_the_commune_centre(pernes):
    initiative = InitiativeFactory.build(address="12 rue de la Gare", commune=pernes, location=None)

    outcome = locate_initiative(initiative)

    assert outcome.result is LocateResult.COMMUNE_CENTRE
    assert initiative.location_precision == Initiative.LocationPrecision.COMMUNE


def test_without_an_address_the_commune_centre_is_used_without_asking_the_ban(ban, pernes):
    initiative = InitiativeFactory.build(address="", commune=pernes, location=None)

    outcome = locate_initiative(initiative)

    assert outcome.result is LocateResult.COMMUNE_CENTRE
    assert ban.queries == []


def test_nothing_found_and_no_commune_centre_leaves_the_initiative_as_it_was(ban, db):
    ban.answer()
    commune = CommuneFactory(centre=None)
    before = Point(1.0, 45.0, srid=4326)
    initiative = InitiativeFactory.build(address="nulle part", commune=commune, location=before)

    outcome = locate_initiative(initiative)

    # The point already there is kept (it would be even with a commune centre: see below).
    assert outcome.result is LocateResult.KEPT
    assert not outcome.found
    assert initiative.location == before


def test_nothing_found_without_a_point_or_a_commune_centre_is_not_found(ban, db):
    ban.answer()
    initiative = InitiativeFactory.build(
        address="nulle part", commune=CommuneFactory(centre=None), location=None
    )

    outcome = locate_initiative(initiative)

    assert outcome.result is LocateResult.NOT_FOUND
    assert not outcome.found
    assert initiative.location is None


# --- A point already there is never made less precise --------------------------------------------

BY_HAND = Point(2.4188, 50.4791, srid=4326)


def test_an_address_the_ban_cannot_find_keeps_the_point_already_there(ban, pernes):
    ban.answer()
    initiative = InitiativeFactory.build(
        address="chemin inconnu", commune=pernes, location=BY_HAND, location_precision="address"
    )

    outcome = locate_initiative(initiative)

    assert outcome.result is LocateResult.KEPT
    assert not outcome.found
    assert (initiative.location, initiative.location_precision) == (BY_HAND, "address")


def test_an_unreachable_ban_keeps_the_point_already_there(pernes):
    initiative = InitiativeFactory.build(address="12 rue de la Gare", commune=pernes, location=BY_HAND)

    assert locate_initiative(initiative).result is LocateResult.KEPT
    assert initiative.location == BY_HAND


def test_without_an_address_the_point_already_there_is_kept_without_asking_the_ban(ban, pernes):
    initiative = InitiativeFactory.build(address="", commune=pernes, location=BY_HAND)

    assert locate_initiative(initiative).result is LocateResult.KEPT
    assert initiative.location == BY_HAND
    assert ban.queries == []


def test_a_commune_level_answer_does_not_replace_the_point_already_there(ban, pernes):
    ban.answer(ban_feature(2.41, 50.48, "Pernes", kind="municipality", score=0.6))
    initiative = InitiativeFactory.build(address="lieu-dit des Prés", commune=pernes, location=BY_HAND)

    assert locate_initiative(initiative).result is LocateResult.KEPT
    assert initiative.location == BY_HAND


def test_a_commune_level_answer_places_an_initiative_without_a_point(ban, pernes):
    ban.answer(ban_feature(2.41, 50.48, "Pernes", kind="municipality", score=0.6))
    initiative = InitiativeFactory.build(address="lieu-dit des Prés", commune=pernes, location=None)

    outcome = locate_initiative(initiative)

    assert outcome.result is LocateResult.COMMUNE_CENTRE
    assert (initiative.location.x, initiative.location.y) == pytest.approx((2.41, 50.48))
    assert initiative.location_precision == Initiative.LocationPrecision.COMMUNE


def test_an_address_the_ban_finds_replaces_the_point_already_there(ban, pernes):
    ban.answer(PERNES_STATION)
    initiative = InitiativeFactory.build(address="12 rue de la Gare", commune=pernes, location=BY_HAND)

    assert locate_initiative(initiative).result is LocateResult.ADDRESS
    assert (initiative.location.x, initiative.location.y) == pytest.approx((2.4101, 50.4842))


def test_with_the_ban_down_an_address_found_by_nominatim_places_the_initiative(ban, nominatim, pernes):
    ban.fail(503)
    nominatim.answer(PERNES_STATION_OSM)
    initiative = InitiativeFactory.build(address="12 rue de la Gare", commune=pernes, location=BY_HAND)

    outcome = locate_initiative(initiative)

    assert outcome.result is LocateResult.ADDRESS
    assert outcome.place.source == Source.NOMINATIM
    assert (initiative.location.x, initiative.location.y) == pytest.approx((2.4105, 50.4840))
    assert initiative.location_precision == Initiative.LocationPrecision.ADDRESS


@pytest.mark.parametrize("failure", ["timeout", 429, 500])
def test_with_both_services_failing_the_point_already_there_is_kept(ban, nominatim, pernes, failure):
    fail(ban, failure)
    fail(nominatim, failure)
    initiative = InitiativeFactory.build(
        address="12 rue de la Gare", commune=pernes, location=BY_HAND, location_precision="address"
    )

    outcome = locate_initiative(initiative)

    assert outcome.result is LocateResult.KEPT
    assert (initiative.location, initiative.location_precision) == (BY_HAND, "address")
    assert (len(ban.queries), len(nominatim.queries)) == (1, 1)


def test_with_both_services_failing_and_no_commune_centre_nothing_is_found(ban, nominatim, db):
    ban.fail(500)
    nominatim.fail(500)
    initiative = InitiativeFactory.build(
        address="12 rue de la Gare", commune=CommuneFactory(centre=None), location=None
    )

    assert locate_initiative(initiative).result is LocateResult.NOT_FOUND
    assert initiative.location is None


def test_no_address_and_no_commune_is_not_found(ban, db):
    initiative = InitiativeFactory.build(address="", commune=None, location=None)

    assert locate_initiative(initiative).result is LocateResult.NOT_FOUND
    assert initiative.location is None


def test_every_precision_of_the_geocoders_is_a_precision_of_an_initiative():
    assert set(LOCATION_PRECISION) == set(Precision)
    assert {str(value) for value in LOCATION_PRECISION.values()} == {"address", "commune"}
    assert all(value in Initiative.LocationPrecision.values for value in LOCATION_PRECISION.values())
