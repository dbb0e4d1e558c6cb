"""Geocoding: the offline territories table, then local servers on 127.0.0.1 that answer like the
Base Adresse Nationale and like Nominatim, their failures, the rate limit and the cache."""

import logging
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import pytest
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

from geocoding import Precision, Source, geocode_address
from tests.ban_server import ban_feature
from tests.factories import CommuneFactory, commune
from tests.geocoding.answers import ADDRESS, PERNES_STATION, PERNES_STATION_OSM, UNTRUSTED_BAN_ANSWERS, fail
from tests.nominatim_server import nominatim_place, serve_nominatim

pytestmark = pytest.mark.usefixtures("empty_cache")


def test_an_address_found_by_the_ban_gives_its_point_and_label(ban):
    ban.answer(PERNES_STATION)

    place = geocode_address("12 rue de la Gare, 62550 Pernes")

    assert place.point.srid == 4326
    assert (place.point.x, place.point.y) == pytest.approx((2.4101, 50.4842))
    assert place.label == "12 Rue de la Gare 62550 Pernes"
    assert place.score == pytest.approx(0.92)
    assert place.precision == Precision.ADDRESS


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

    assert place.precision == Precision.COMMUNE


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

    with caplog.at_level(logging.WARNING, logger="geocoding"):
        assert geocode_address("12 rue de la Gare, 62550 Pernes") is None

    assert "GeocoderTimedOut" in caplog.text


@pytest.mark.parametrize(("status", "error"), [(429, "GeocoderRateLimited"), (500, "GeocoderServiceError")])
def test_a_ban_error_is_not_found_and_logged(ban, caplog, status, error):
    ban.fail(status)

    with caplog.at_level(logging.WARNING, logger="geocoding"):
        assert geocode_address("12 rue de la Gare, 62550 Pernes") is None

    assert error in caplog.text


def test_an_unreachable_ban_is_not_found(db, caplog):
    # The test settings point the BAN (and Nominatim, whose failure is logged too) at a closed port.
    with caplog.at_level(logging.WARNING, logger="geocoding"):
        assert geocode_address("12 rue de la Gare, 62550 Pernes") is None
    assert "BAN geocoding of '12 rue de la Gare, 62550 Pernes' failed: " in caplog.text


def test_a_malformed_answer_is_not_found(ban):
    ban.answer({"type": "Feature", "geometry": {"type": "Point", "coordinates": []}, "properties": {}})

    assert geocode_address("12 rue de la Gare, 62550 Pernes") is None


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
    assert place.precision == Precision.ADDRESS
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

    with caplog.at_level(logging.WARNING, logger="geocoding"):
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

    with caplog.at_level(logging.WARNING, logger="geocoding"):
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

    assert place.precision == Precision.COMMUNE
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
    assert place.precision == Precision.COMMUNE
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
    settings.CACHES = {"default": {"BACKEND": "tests.geocoding.test_geocoding.UnreachableCache"}}
    ban.answer(PERNES_STATION)

    with caplog.at_level(logging.WARNING, logger="geocoding"):
        assert geocode_address(ADDRESS).source == Source.BAN

    assert "The geocoding cache could not be read" in caplog.text
    assert "The geocoding cache could not be written" in caplog.text
