"""Geocoding against a local server that answers like the Base Adresse Nationale, and its failures."""

import logging

import pytest
from django.contrib.gis.geos import Point

from catalogue.geocoding import LocateResult, geocode_address, locate_initiative
from catalogue.models import Initiative
from tests.ban_server import ban_feature, serve_ban
from tests.factories import CommuneFactory, InitiativeFactory

PERNES_STATION = ban_feature(2.4101, 50.4842, "12 Rue de la Gare 62550 Pernes", citycode="62651")


@pytest.fixture
def ban(settings):
    with serve_ban(settings, timeout=0.5) as server:
        yield server


@pytest.fixture
def pernes(db):
    return CommuneFactory(
        name="Pernes", code="62651", postcodes=["62550"], centre=Point(2.4123, 50.4843, srid=4326)
    )


def test_an_address_found_by_the_ban_gives_its_point_and_label(ban):
    ban.answer(PERNES_STATION)

    place = geocode_address("12 rue de la Gare, 62550 Pernes")

    assert place.point.srid == 4326
    assert (place.point.x, place.point.y) == pytest.approx((2.4101, 50.4842))
    assert place.label == "12 Rue de la Gare 62550 Pernes"
    assert place.score == pytest.approx(0.92)
    assert place.precision == Initiative.LocationPrecision.ADDRESS


def test_the_query_sent_to_the_ban_carries_the_address(ban):
    ban.answer(PERNES_STATION)

    geocode_address("12   rue de la Gare,\n62550 Pernes")

    assert ban.queries[-1]["q"] == "12 rue de la Gare, 62550 Pernes"


def test_a_match_in_another_commune_is_refused_when_the_commune_is_known(ban):
    ban.answer(ban_feature(3.06, 50.63, "12 Rue de la Gare 59000 Lille", citycode="59350"))

    assert geocode_address("12 rue de la Gare", citycode="62651") is None


def test_the_first_match_inside_the_commune_wins_over_a_better_one_elsewhere(ban):
    ban.answer(
        ban_feature(3.06, 50.63, "12 Rue de la Gare 59000 Lille", citycode="59350", score=0.95),
        PERNES_STATION,
    )

    place = geocode_address("12 rue de la Gare", citycode="62651")

    assert place.label == "12 Rue de la Gare 62550 Pernes"


def test_an_arrondissement_of_paris_counts_as_paris(ban):
    ban.answer(ban_feature(2.37, 48.86, "10 Rue Oberkampf 75011 Paris", citycode="75111"))

    assert geocode_address("10 rue Oberkampf Paris", citycode="75056") is not None


def test_a_low_score_is_not_trusted(ban):
    ban.answer(ban_feature(2.41, 50.48, "Rue de la Gare 62550 Pernes", score=0.31, kind="street"))

    assert geocode_address("zzz rue introuvable Pernes") is None


def test_a_commune_level_answer_has_commune_precision(ban):
    ban.answer(ban_feature(2.41, 50.48, "Pernes", kind="municipality", score=0.6))

    place = geocode_address("Pernes")

    assert place.precision == Initiative.LocationPrecision.COMMUNE


def test_an_empty_answer_is_not_found(ban):
    ban.answer()

    assert geocode_address("1 chemin qui n'existe pas, 62550 Pernes") is None
    assert len(ban.queries) == 1


def test_a_too_short_query_is_not_sent(ban):
    assert geocode_address(" a ") is None
    assert ban.queries == []


def test_a_ban_slower_than_the_timeout_is_not_found_and_logged(ban, caplog):
    ban.answer(PERNES_STATION)
    ban.slow_down(5)

    with caplog.at_level(logging.WARNING, logger="catalogue.geocoding"):
        assert geocode_address("12 rue de la Gare, 62550 Pernes") is None

    assert "GeocoderTimedOut" in caplog.text


@pytest.mark.parametrize(("status", "error"), [(429, "GeocoderRateLimited"), (500, "GeocoderServiceError")])
def test_a_ban_error_is_not_found_and_logged(ban, caplog, status, error):
    ban.fail(status)

    with caplog.at_level(logging.WARNING, logger="catalogue.geocoding"):
        assert geocode_address("12 rue de la Gare, 62550 Pernes") is None

    assert error in caplog.text


def test_an_unreachable_ban_is_not_found(db, caplog):
    # The test settings point the BAN at a closed port on 127.0.0.1.
    with caplog.at_level(logging.WARNING, logger="catalogue.geocoding"):
        assert geocode_address("12 rue de la Gare, 62550 Pernes") is None
    assert "failed" in caplog.text


def test_a_malformed_answer_is_not_found(ban):
    ban.answer({"type": "Feature", "geometry": {"type": "Point", "coordinates": []}, "properties": {}})

    assert geocode_address("12 rue de la Gare, 62550 Pernes") is None


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


def test_an_address_the_ban_cannot_find_falls_back_to_the_commune_centre(ban, pernes):
    ban.answer()
    initiative = InitiativeFactory.build(address="chemin inconnu", commune=pernes, location=None)

    outcome = locate_initiative(initiative)

    assert outcome.result is LocateResult.COMMUNE_CENTRE
    assert (initiative.location.x, initiative.location.y) == pytest.approx((2.4123, 50.4843))
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


def test_no_address_and_no_commune_is_not_found(ban, db):
    initiative = InitiativeFactory.build(address="", commune=None, location=None)

    assert locate_initiative(initiative).result is LocateResult.NOT_FOUND
    assert initiative.location is None
