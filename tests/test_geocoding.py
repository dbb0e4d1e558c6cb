"""Geocoding: the offline territories table, then local servers on 127.0.0.1 that answer like the
Base Adresse Nationale and like Nominatim, their failures, the rate limit and the cache."""

import logging
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

from catalogue.geocoding import LocateResult, Source, geocode_address, locate_initiative
from catalogue.models import Initiative, Territory
from tests.ban_server import ban_feature, serve_ban
from tests.factories import CommuneFactory, InitiativeFactory
from tests.nominatim_server import nominatim_place, serve_nominatim

ADDRESS = "12 rue de la Gare, 62550 Pernes"
PERNES_STATION = ban_feature(2.4101, 50.4842, "12 Rue de la Gare 62550 Pernes", citycode="62652")
PERNES_STATION_OSM = nominatim_place(
    2.4105, 50.4840, "12, Rue de la Gare, Pernes, Saint-Pol-sur-Ternoise, Pas-de-Calais, France"
)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ban(settings, db):
    # db: a query that names a commune is answered from the territories table first.
    with serve_ban(settings, timeout=0.5) as server:
        yield server


@pytest.fixture
def nominatim(settings, db):
    with serve_nominatim(settings) as server:
        yield server


def commune(code):
    return Territory.objects.get(kind=Territory.Kind.COMMUNE, code=code)


# The territories of France are in the test database (tests/conftest.py): Pernes (62652, postcode
# 62550, which serves 18 other communes too) and Lille (59350) are the real ones.
@pytest.fixture
def pernes(territories):
    return commune("62652")


@pytest.fixture
def lille(territories):
    return commune("59350")


def fail(server, how):
    """Make a local service fail: "timeout", an HTTP status, or "nothing" (an empty answer)."""
    if how == "timeout":
        server.slow_down(5)
    elif how == "nothing":
        server.answer()
    else:
        server.fail(how)


# What the BAN may answer that is not to be trusted for Pernes's station.
UNTRUSTED_BAN_ANSWERS = {
    "low score": ban_feature(2.41, 50.48, "Rue de la Gare 62550 Pernes", score=0.31, kind="street"),
    "elsewhere": ban_feature(3.06, 50.63, "12 Rue de la Gare 59000 Lille", citycode="59350"),
}


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

    assert geocode_address("12 rue de la Gare", citycode="62652") is None


def test_the_first_match_inside_the_commune_wins_over_a_better_one_elsewhere(ban):
    ban.answer(
        ban_feature(3.06, 50.63, "12 Rue de la Gare 59000 Lille", citycode="59350", score=0.95),
        PERNES_STATION,
    )

    place = geocode_address("12 rue de la Gare", citycode="62652")

    assert place.label == "12 Rue de la Gare 62550 Pernes"


def test_an_arrondissement_of_paris_counts_as_paris(ban):
    ban.answer(ban_feature(2.37, 48.86, "10 Rue Oberkampf 75011 Paris", citycode="75111"))

    assert geocode_address("10 rue Oberkampf Paris", citycode="75056") is not None


def test_a_low_score_is_not_trusted(ban):
    ban.answer(ban_feature(2.41, 50.48, "Rue de la Gare 62550 Pernes", score=0.31, kind="street"))

    assert geocode_address("zzz rue introuvable Pernes") is None


def test_a_commune_level_answer_has_commune_precision(ban):
    ban.answer(ban_feature(2.41, 50.48, "Pernes", kind="municipality", score=0.6))

    place = geocode_address("lieu-dit des Prés, Pernes")

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


# --- Nominatim, when the BAN fails or finds nothing -----------------------------------------------


def test_nominatim_is_not_asked_when_the_ban_finds_the_address(ban, nominatim):
    ban.answer(PERNES_STATION)
    nominatim.answer(PERNES_STATION_OSM)

    assert geocode_address(ADDRESS).source == Source.BAN
    assert nominatim.queries == []


@pytest.mark.parametrize("failure", ["timeout", 429, 500, "nothing", "low score", "elsewhere"])
def test_nominatim_answers_when_the_ban_fails_or_finds_nothing_trustworthy(ban, nominatim, pernes, failure):
    if failure in UNTRUSTED_BAN_ANSWERS:
        ban.answer(UNTRUSTED_BAN_ANSWERS[failure])
    else:
        fail(ban, failure)
    nominatim.answer(PERNES_STATION_OSM)

    place = geocode_address(ADDRESS, citycode="62652")

    assert place.source == Source.NOMINATIM
    assert (place.point.x, place.point.y) == pytest.approx((2.4105, 50.4840))
    assert place.point.srid == 4326
    # A short label in the BAN's manner, not the whole display_name.
    assert place.label == "12 Rue de la Gare 62550 Pernes"
    assert place.precision == Initiative.LocationPrecision.ADDRESS
    # Nominatim gives no INSEE code for an address: the territories table finds the commune.
    assert place.citycode == "62652"
    assert len(ban.queries) == 1
    assert nominatim.queries[-1]["q"] == ADDRESS


def test_nominatim_is_asked_with_our_user_agent_and_in_france_only(ban, nominatim, settings):
    ban.answer()
    nominatim.answer(PERNES_STATION_OSM)

    geocode_address(ADDRESS)

    (request,) = nominatim.requests
    assert request.headers["User-Agent"] == settings.GEOCODING["USER_AGENT"]
    assert request.headers["User-Agent"].startswith("Percolateur/")
    assert request.query["countrycodes"] == "fr"
    assert request.query["q"] == ADDRESS


def test_nominatim_is_asked_at_most_once_per_delay_even_from_several_threads(ban, settings):
    ban.answer()
    with serve_nominatim(settings, min_delay=0.2) as nominatim:
        nominatim.answer()
        queries = [f"{number} rue du Moulin, 62550 Pernes" for number in (1, 2, 3)]
        with ThreadPoolExecutor(max_workers=3) as pool:
            assert list(pool.map(geocode_address, queries)) == [None, None, None]

    times = sorted(request.received_at for request in nominatim.requests)
    assert len(times) == 3
    # Measured where the requests arrive; the margin is for opening a connection, which can take
    # longer for one request than for the next.
    assert all(later - earlier >= 0.18 for earlier, later in pairwise(times))


def test_a_nominatim_failure_is_logged_with_its_reason(ban, nominatim, caplog):
    ban.fail(500)
    nominatim.fail(429)

    with caplog.at_level(logging.WARNING, logger="catalogue.geocoding"):
        assert geocode_address(ADDRESS) is None

    assert "BAN geocoding of '12 rue de la Gare, 62550 Pernes' failed: GeocoderServiceError" in caplog.text
    assert "Nominatim geocoding of '12 rue de la Gare, 62550 Pernes' failed: GeocoderRateLimited" in (
        caplog.text
    )


@pytest.mark.parametrize("failure", ["timeout", 429, 503, "nothing"])
def test_when_neither_service_answers_nothing_is_found(ban, nominatim, failure):
    fail(ban, failure)
    fail(nominatim, failure)

    assert geocode_address(ADDRESS) is None
    assert (len(ban.queries), len(nominatim.queries)) == (1, 1)


def test_a_malformed_nominatim_answer_is_not_found_and_logged(ban, nominatim, caplog):
    ban.answer()
    nominatim.answer({"lat": "nord", "lon": "est", "display_name": "?"})

    with caplog.at_level(logging.WARNING, logger="catalogue.geocoding"):
        assert geocode_address(ADDRESS) is None

    assert "Nominatim geocoding of '12 rue de la Gare, 62550 Pernes' returned a malformed answer" in (
        caplog.text
    )


def test_a_nominatim_answer_that_is_not_json_is_not_found(ban, nominatim):
    ban.answer()
    nominatim.answer_raw(b"<html>Bad gateway</html>")

    assert geocode_address(ADDRESS) is None


# What Nominatim says about a commune: an OSM boundary, with its INSEE code among the extra tags.
PERNES_OSM = nominatim_place(
    2.4130,
    50.4850,
    "Pernes, Saint-Pol-sur-Ternoise, Pas-de-Calais, Hauts-de-France, France métropolitaine, 62550, France",
    category="boundary",
    kind="administrative",
    addresstype="village",
    importance=0.35,
    address={"village": "Pernes", "county": "Pas-de-Calais", "postcode": "62550", "country_code": "fr"},
    extratags={"ref:INSEE": "62652", "population": "1520"},
)


def test_a_commune_found_by_nominatim_has_commune_precision_and_its_insee_code(ban, nominatim, pernes):
    ban.answer()
    nominatim.answer(PERNES_OSM)

    place = geocode_address("lieu-dit des Prés, Pernes", citycode="62652")

    assert place.precision == Initiative.LocationPrecision.COMMUNE
    assert place.citycode == "62652"
    assert place.label == "62550 Pernes"
    assert place.score == pytest.approx(0.35)


def test_an_insee_code_the_territories_table_does_not_know_gives_way_to_the_point(ban, nominatim, pernes):
    # A commune déléguée keeps its own code in OpenStreetMap, not in the table of current communes.
    ban.answer()
    nominatim.answer({**PERNES_OSM, "extratags": {"ref:INSEE": "62999"}})

    assert geocode_address("lieu-dit des Prés, Pernes", citycode="62652").citycode == "62652"


def test_a_nominatim_answer_larger_than_a_commune_is_not_trusted(ban, nominatim):
    ban.answer()
    nominatim.answer(
        nominatim_place(
            2.3, 50.5, "Pas-de-Calais, Hauts-de-France, France", addresstype="county", kind="administrative"
        )
    )

    assert geocode_address("rue du Pas-de-Calais") is None


LILLE_STATION_OSM = nominatim_place(3.0700, 50.6310, "12, Rue de la Gare, Lille, Nord, France")


def test_a_nominatim_answer_in_another_commune_is_refused_when_the_commune_is_known(
    ban, nominatim, pernes, lille
):
    ban.answer()
    nominatim.answer(LILLE_STATION_OSM)

    assert geocode_address("12 rue de la Gare", citycode="62652") is None


def test_the_first_nominatim_answer_inside_the_commune_wins(ban, nominatim, pernes, lille):
    ban.answer()
    nominatim.answer(LILLE_STATION_OSM, PERNES_STATION_OSM)

    assert geocode_address("12 rue de la Gare", citycode="62652").citycode == "62652"
    # Without a commune to check, Nominatim's first answer is taken.
    assert geocode_address("12 rue de la Gare").citycode == "59350"


# --- The offline territories table ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "citycode", "code"),
    [
        ("Lille", None, "59350"),
        ("LILLE", None, "59350"),
        ("59000", None, "59350"),
        ("59800", None, "59350"),
        ("59000 Lille", None, "59350"),
        ("pont a marcq", None, "59466"),
        ("Pont-à-Marcq", None, "59466"),
        ("62550 Pernes", None, "62652"),
        ("Pernes 62550", None, "62652"),
        ("pernes", "62652", "62652"),
        # A postcode of several communes, a name of several communes: the initiative's commune.
        ("62550", "62652", "62652"),
        ("Beaumont", "07029", "07029"),
        # Too short a query for the BAN, not for the table.
        ("Eu", None, "76255"),
    ],
)
def test_a_commune_or_a_postcode_is_answered_without_the_network(
    ban, nominatim, territories, query, citycode, code
):
    expected = commune(code)

    place = geocode_address(query, citycode=citycode)

    assert place.source == Source.TERRITORIES
    assert place.precision == Initiative.LocationPrecision.COMMUNE
    assert place.point == expected.centre
    assert (place.label, place.citycode) == (expected.name, expected.code)
    assert ban.queries == []
    assert nominatim.queries == []


@pytest.mark.parametrize(
    ("query", "citycode"),
    [
        ("62550", None),  # serves Pernes, Sachin, Tangry…
        ("Beaumont", None),  # in the Ardèche, the Puy-de-Dôme, the Yonne…
        ("62550 Lille", None),  # the postcode and the name disagree
        ("Lil", None),  # not an exact name
        ("Lille", "62652"),  # not the initiative's commune
        (ADDRESS, "62652"),  # an address
        ("Rue de la Gare 62550", None),
    ],
)
def test_anything_but_one_commune_goes_to_the_ban(ban, nominatim, territories, query, citycode):
    ban.answer()
    nominatim.answer()

    assert geocode_address(query, citycode=citycode) is None
    assert [request["q"] for request in ban.queries] == [query]


def test_a_postcode_is_not_mistaken_for_an_insee_code(ban, nominatim, pernes):
    # 62550 is Pernes's postcode and the INSEE code of Marconnelle, whose postcode is 62140.
    assert commune("62550").name == "Marconnelle"
    ban.answer()
    nominatim.answer()

    assert geocode_address("62550", citycode="62652").citycode == "62652"
    assert geocode_address("62550", citycode="62550") is None
    assert [request["q"] for request in ban.queries] == ["62550"]


def test_a_commune_without_a_centre_is_left_to_the_ban(ban, nominatim, db):
    CommuneFactory(name="Sans-Centre-sur-Essai", postcodes=["99999"], centre=None)
    ban.answer(ban_feature(2.41, 50.48, "Sans-Centre-sur-Essai", kind="municipality", score=0.9))

    assert geocode_address("Sans-Centre-sur-Essai").source == Source.BAN


# --- The cache -----------------------------------------------------------------------------------


def test_the_same_question_is_answered_from_the_cache(ban, nominatim):
    ban.answer(PERNES_STATION)
    first = geocode_address(ADDRESS, citycode="62652")

    # Spaces and capitals do not make it another question.
    second = geocode_address("12 RUE de la Gare,\n 62550 pernes", citycode="62652")

    assert second == first
    assert second.source == Source.BAN
    assert len(ban.queries) == 1
    assert nominatim.queries == []


def test_the_same_address_in_another_commune_is_another_question(ban, nominatim):
    ban.answer(PERNES_STATION)

    geocode_address("12 rue de la Gare", citycode="62652")
    geocode_address("12 rue de la Gare", citycode="59350")

    assert len(ban.queries) == 2


def test_an_answer_from_nominatim_is_cached(ban, nominatim, pernes):
    ban.answer()
    nominatim.answer(PERNES_STATION_OSM)

    assert geocode_address(ADDRESS).source == Source.NOMINATIM
    assert geocode_address(ADDRESS).source == Source.NOMINATIM

    assert (len(ban.queries), len(nominatim.queries)) == (1, 1)


def test_nothing_found_is_cached_too(ban, nominatim):
    ban.answer()
    nominatim.answer()

    assert geocode_address(ADDRESS) is None
    assert geocode_address(ADDRESS) is None

    assert (len(ban.queries), len(nominatim.queries)) == (1, 1)


@pytest.mark.parametrize(
    ("ban_failure", "nominatim_failure"), [(500, 503), (429, "nothing"), ("nothing", 429)]
)
def test_a_failure_is_not_cached(ban, nominatim, ban_failure, nominatim_failure):
    fail(ban, ban_failure)
    fail(nominatim, nominatim_failure)
    assert geocode_address(ADDRESS) is None

    ban.answer(PERNES_STATION)

    assert geocode_address(ADDRESS).source == Source.BAN
    assert len(ban.queries) == 2


def test_an_answer_found_while_the_ban_failed_is_kept_no_longer_than_nothing_found(ban, nominatim, settings):
    settings.GEOCODING = {**settings.GEOCODING, "CACHE_NOT_FOUND_TIMEOUT": 0}  # 0: not kept at all
    ban.fail(500)
    nominatim.answer(PERNES_STATION_OSM)
    assert geocode_address(ADDRESS).source == Source.NOMINATIM

    ban.answer(PERNES_STATION)

    assert geocode_address(ADDRESS).source == Source.BAN
    assert geocode_address(ADDRESS).source == Source.BAN
    assert len(ban.queries) == 2


class UnreachableCache(BaseCache):
    """A cache whose server is down: reading and writing fail, as with memcached or Redis."""

    def __init__(self, location, params):
        super().__init__(params)

    def get(self, key, default=None, version=None):
        raise ConnectionRefusedError("cache server down")

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        raise ConnectionRefusedError("cache server down")

    def clear(self):
        pass


def test_a_cache_that_is_down_does_not_stop_geocoding(ban, nominatim, settings, caplog):
    settings.CACHES = {"default": {"BACKEND": "tests.test_geocoding.UnreachableCache"}}
    ban.answer(PERNES_STATION)

    with caplog.at_level(logging.WARNING, logger="catalogue.geocoding"):
        assert geocode_address(ADDRESS).source == Source.BAN

    assert "The geocoding cache could not be read" in caplog.text
    assert "The geocoding cache could not be written" in caplog.text
