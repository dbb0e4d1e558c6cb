"""Whatever its query string, a public URL of the catalogue answers properly.

People share, bookmark and hand-edit these URLs; robots try injections on them. Property-based tests
(Hypothesis) send query strings made of the catalogue's real parameters, unknown names and hostile
values to the page, the map data and the exports: the page is always a 200 that reports what it did
not understand, the map data a FeatureCollection or a 400 that says why, an export a whole file.
(Only more parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS are refused by Django itself, with its own
400.) Example-based tests below pin the nastiest inputs found or feared.

The query strings reach Django exactly as written (``QUERY_STRING``), as a server passes on what a
client sent: percent-escapes that decode to nothing valid, raw non-ASCII characters, NUL bytes.
"""

import csv
import io
import json
from html import unescape
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.limits import MAX_AMOUNT, MAX_RADIUS_KM
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

# The parameters of InitiativeFilterSet, then those that the views read themselves.
FILTERS = [
    "q",
    "type",
    "theme",
    "etape",
    "forme",
    "outil",
    "levier",
    "partenaire",
    "reseau",
    "territoire",
    "pres_de",
    "rayon",
    "densite",
    "population",
    "surface_min",
    "surface_max",
    "budget_min",
    "budget_max",
    "annee_min",
    "annee_max",
    "zone",
    "tri",
]
PARAMETERS = [*FILTERS, "page", "bbox", "etendue"]
# The whole-number filters and their bounds.
WHOLE_NUMBERS = {
    "rayon": (1, MAX_RADIUS_KM),
    "surface_min": (0, MAX_AMOUNT),
    "surface_max": (0, MAX_AMOUNT),
    "budget_min": (0, MAX_AMOUNT),
    "budget_max": (0, MAX_AMOUNT),
    "annee_min": (1800, 2100),
    "annee_max": (1800, 2100),
}
# Echoed unescaped, this would run in the visitor's browser.
SCRIPT = "<script>alert(1)</script>"
HOSTILE = [
    "",
    " ",
    "\x00",
    "caf\x00e",
    "%",
    "%%",
    "%00",
    "%zz",
    "%E9",
    "1e400",
    "-1e400",
    "9" * 50,
    "9" * 5000,
    "-1",
    "0",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "1_000",
    "12,5",
    "12.5",
    "١٢",
    "1,2,3",
    "a,b,c,d",
    "10,10,0,0",
    "nan,0,1,1",
    "inf,0,1,1",
    "-1000,-1000,1000,1000",
    "0,0,0,0",
    "1,2,3,4,5",
    ",,,",
    "' OR 1=1 --",
    "1; DROP TABLE catalogue_initiative; --",
    '" OR ""="',
    "\\",
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "é" * 5000,
    "x" * 100_000,
    "Lille (59)",
    "Nord (59)",
    "Pernes",
    "Hauts-de-France",
    "200069672",
    "2A",
    "62550",
    "(59)",
    "Saint",
    "scic",
    "tiers-lieu",
    "culture",
    "works",
    "dense",
    "moins-2000",
    "local_authority",
    "nom",
    "distance",
    "pertinence",
    "recent",
    "2.3,48.8,2.4,48.9",
    "2.0,50.0,3.5,51.0",
]

names = st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=12))
numbers = st.one_of(
    st.integers(min_value=-(10**60), max_value=10**60).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
boxes = st.lists(st.one_of(numbers, st.sampled_from(["", "nan", "x", "1e400"])), max_size=6).map(",".join)
values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    numbers,
    boxes,
    st.text(min_size=1, max_size=3).map(lambda text: text * 2000),
)
pairs = st.lists(st.tuples(names, values), max_size=8)
# The same key several times, as a form of checkboxes sends it.
repeated = st.tuples(names, st.lists(values, min_size=2, max_size=5)).map(
    lambda item: [(item[0], value) for value in item[1]]
)
# What someone may type after the "?": stray "&", "=", "%", unencoded bytes.
raw = st.text(
    alphabet=st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from("&=%;+?#[]")),
    max_size=80,
)
named_raw = st.lists(st.tuples(st.sampled_from(PARAMETERS), raw), min_size=1, max_size=5).map(
    lambda items: "&".join(f"{name}={value}" for name, value in items)
)
query_strings = st.one_of(
    pairs.map(urlencode),
    st.tuples(pairs, repeated).map(lambda both: urlencode(both[0] + both[1])),
    raw,
    named_raw,
)


@st.composite
def bad_whole_numbers(draw):
    """A whole-number filter and a value that it must refuse: not a number, or out of its bounds."""
    name = draw(st.sampled_from(sorted(WHOLE_NUMBERS)))
    low, high = WHOLE_NUMBERS[name]
    value = draw(
        st.one_of(
            st.sampled_from(["1e400", "NaN", "inf", "-inf", "12,5", "12.5", "9" * 50, "' OR 1=1 --", "\x00"]),
            st.integers(max_value=low - 1).map(str),
            st.integers(min_value=high + 1).map(str),
            st.tuples(st.text(max_size=8), st.sampled_from("abcxyzAEZ"), st.text(max_size=8)).map("".join),
        )
    )
    return name, value


def fetch(client, url_name, query):
    """The response to a GET of ``url_name`` with exactly ``query`` as its query string, and its
    whole body (an export's stream is read to the end)."""
    # The server hands the query string to Django as bytes read as Latin-1 (WSGI).
    wsgi_query = query.encode("utf-8").decode("latin-1")
    # A savepoint per request: on PostgreSQL, a failed query would otherwise abort the test's
    # transaction, and every later example would fail with it, hiding the one that broke.
    with transaction.atomic():
        response = client.get(reverse(url_name), QUERY_STRING=wsgi_query)
        if response.streaming:
            body = b"".join(response.streaming_content)
        else:
            body = response.content
    return response, body


examples = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- Properties ----------------------------------------------------------------------------------


@examples
@given(query=query_strings)
def test_the_page_always_answers_with_a_page(client, seed, query):
    response, body = fetch(client, "catalogue:map", query)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = body.decode()
    assert 'id="results"' in html
    assert SCRIPT not in html


@examples
@given(bad=bad_whole_numbers(), others=pairs)
def test_the_page_reports_a_whole_number_it_cannot_read(client, seed, bad, others):
    query = urlencode([*others, bad])

    response, body = fetch(client, "catalogue:map", query)

    assert response.status_code == 200
    assert 'class="filters__errors"' in body.decode()


@examples
@given(query=query_strings)
def test_map_data_is_a_feature_collection_or_says_what_is_wrong(client, seed, query):
    response, body = fetch(client, "catalogue:map-data", query)

    assert response.status_code in (200, 400)
    data = json.loads(body)
    if response.status_code == 200:
        assert response["Content-Type"] == "application/geo+json"
        assert data["type"] == "FeatureCollection"
        assert isinstance(data["features"], list)
    else:
        assert isinstance(data["error"], str) and data["error"]


@examples
@given(query=query_strings)
def test_the_csv_export_is_always_a_whole_file(client, seed, query):
    response, body = fetch(client, "catalogue:export-csv", query)

    assert response.status_code == 200
    headings, *rows = csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";")
    assert all(len(row) == len(headings) for row in rows)


@examples
@given(query=query_strings)
def test_the_geojson_export_is_always_a_whole_file(client, seed, query):
    response, body = fetch(client, "catalogue:export-geojson", query)

    assert response.status_code == 200
    assert json.loads(body)["type"] == "FeatureCollection"


# --- The nastiest inputs, one by one -------------------------------------------------------------

NASTY_QUERIES = [
    "q=caf%00e",
    "q=%00",
    "q=\x00",
    "territoire=Lil%00le",
    "pres_de=%00&rayon=5",
    "forme=%00",
    "type=sc%00ic&theme=%00",
    "etape=%00&densite=%00&population=%00&tri=%00",
    "zone=nan,0,1,1",
    "zone=%00",
    "bbox=nan,0,1,1",
    "bbox=0,0,0,%00",
    "page=" + "9" * 40,
    "page=-" + "9" * 40,
    "rayon=0&pres_de=Lille+%2859%29",
    "rayon=100000&pres_de=Lille+%2859%29",
    "pres_de=Lille+%2859%29",
    "pres_de=Lille+%2859%29&tri=distance&rayon=" + "9" * 40,
    "annee_min=1e400",
    "surface_min=" + "9" * 5000,
    "q=" + "%C3%A9" * 5000,
    "q=%27+OR+1%3D1+--&territoire=%27+OR+1%3D1+--",
    "%=%&&==&%zz=%E9",
]
TARGETS = ["catalogue:map", "catalogue:map-data", "catalogue:export-csv", "catalogue:export-geojson"]


@pytest.mark.parametrize("url_name", TARGETS)
def test_a_nasty_query_string_is_never_a_server_error(client, seed, url_name):
    # One test per target rather than per query: each test loads the seed again.
    for query in NASTY_QUERIES:
        try:
            response, body = fetch(client, url_name, query)
        except Exception as error:
            raise AssertionError(f"{reverse(url_name)}?{query!r} raised {error!r}") from error
        if url_name == "catalogue:map-data" and query.startswith("bbox="):
            assert response.status_code == 400, query
            assert json.loads(body)["error"], query
        else:
            assert response.status_code == 200, query


def test_the_page_says_which_filter_it_left_out_and_applies_the_others(client, seed):
    for query in [
        "annee_min=1e400",
        "surface_min=abc",
        "surface_min=-1",
        "budget_max=" + "9" * 40,
        "zone=nan,0,1,1",
    ]:
        _response, body = fetch(client, "catalogue:map", query + "&forme=scic")

        html = unescape(body.decode())
        assert 'class="filters__errors"' in html, query
        assert "Cirqu'en-Cavale" in html, query
        assert "Saint So Bazaar" not in html, query


def test_a_radius_out_of_bounds_is_reported_and_the_default_radius_applies(client, seed):
    for radius in ["0", "100000", "-5", "1e400"]:
        _response, body = fetch(client, "catalogue:map", f"pres_de=Lille+%2859%29&rayon={radius}")

        html = unescape(body.decode())
        assert 'class="filters__errors"' in html, radius
        results = html.split('id="results"', 1)[1]
        assert "Saint So Bazaar" in results, radius
        assert "Cirqu'en-Cavale" not in results, radius  # Pernes is about 50 km from Lille


def test_a_page_number_of_forty_digits_shows_the_last_page(client, seed):
    for number in range(25):
        InitiativeFactory(name=f"Lieu {number:02d}")

    _response, body = fetch(client, "catalogue:map", "page=" + "9" * 40)

    results = unescape(body.decode()).split('id="results"', 1)[1]
    # 30 initiatives by name: the second page holds "Lieu 16" to "Saint So Bazaar".
    assert "Lieu 16" in results and "Saint So Bazaar" in results
    assert "Cirqu'en-Cavale" not in results and "Lieu 15" not in results


def test_near_a_place_without_a_radius_uses_the_default_radius(client, seed):
    _response, body = fetch(client, "catalogue:map", "pres_de=Lille+%2859%29")

    html = body.decode()
    assert 'class="filters__errors"' not in html
    assert "Saint So Bazaar" in html
    assert "Pernes" not in html.split('id="results"', 1)[1]
    assert '<option value="distance" selected>' in html


def test_map_data_refuses_a_box_with_nan_and_clamps_a_box_bigger_than_the_world(client, seed):
    response, body = fetch(client, "catalogue:map-data", "bbox=nan,0,1,1")
    assert response.status_code == 400
    assert json.loads(body)["error"]

    response, body = fetch(client, "catalogue:map-data", "bbox=-1000,-1000,1000,1000")
    assert response.status_code == 200
    assert json.loads(body)["features"]


@pytest.mark.parametrize("url_name", TARGETS)
def test_too_many_parameters_are_a_bad_request_not_a_server_error(client, url_name):
    # Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS parameters before any view runs.
    query = "&".join(
        f"forme=f{number}" for number in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)
    )

    response, _body = fetch(client, url_name, query)

    assert response.status_code == 400
