"""Each limit is written once (``catalogue.limits``, the plausible years, the length of a place): the
page's fields carry it, the map's script reads it from the page, and a value beyond it is reported."""

import re

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from catalogue import limits
from catalogue.models import Initiative
from catalogue.models.constraints import plausible_year
from territories.text import MAX_PLACE_LENGTH, MIN_PLACE_LENGTH
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db


def field(html, name):
    """The attributes of the page's input named ``name``."""
    tag = re.search(rf'<input [^>]*name="{name}"[^>]*>', html)
    assert tag, f"no input {name}"
    return dict(re.findall(r'([a-z-]+)="([^"]*)"', tag[0]))


@pytest.fixture
def page(client):
    return client.get(reverse("catalogue:map")).content.decode()


def test_the_search_and_place_fields_carry_their_lengths(page):
    assert field(page, "q")["maxlength"] == str(limits.MAX_SEARCH_LENGTH) == "200"
    for name in ("territoire", "pres_de"):
        attributes = field(page, name)
        assert attributes["maxlength"] == str(MAX_PLACE_LENGTH) == "100"
        assert attributes["data-min-length"] == str(MIN_PLACE_LENGTH) == "2"
        assert attributes["data-suggestions"] == reverse("territories:suggestions")


def test_the_radius_and_the_years_carry_their_bounds(page):
    radius = field(page, "rayon")
    assert (radius["min"], radius["max"], radius["placeholder"]) == ("1", "300", "10")
    for name in ("annee_min", "annee_max"):
        years = field(page, name)
        assert (years["min"], years["max"]) == (str(plausible_year.minimum), str(plausible_year.maximum))
    for name in ("surface_min", "budget_max"):
        assert (field(page, name)["min"], field(page, name)["max"]) == ("0", str(limits.MAX_AMOUNT))


def test_the_map_is_told_the_view_of_france_and_the_latitudes_of_its_tiles(page):
    tag = re.search(r'<div id="initiatives-map"[^>]*>', page, re.DOTALL)[0]

    assert 'data-france="-5.5,41.2,9.8,51.2"' in tag
    assert 'data-max-latitude="85.06"' in tag
    assert limits.FRANCE_BBOX == (-5.5, 41.2, 9.8, 51.2) and limits.MAX_LATITUDE == 85.06


def test_values_beyond_the_limits_are_reported_in_french(client):
    html = client.get(
        reverse("catalogue:map"), {"rayon": "301", "annee_min": "1799", "q": "a" * 201}
    ).content.decode()

    errors = re.findall(r"<li>([^<]+)</li>", html.split('class="filters__errors"', 1)[1].split("</ul>", 1)[0])
    assert errors == [
        "Dans un rayon de (km) : Assurez-vous que cette valeur est inférieure ou égale à 300.",
        "Rechercher : Assurez-vous que cette valeur comporte au plus 200 caractères (actuellement 201).",
        "Lancé à partir de (année) : Assurez-vous que cette valeur est supérieure ou égale à 1800.",
    ]


def test_a_map_area_beyond_the_tiles_latitudes_is_clamped(client):
    InitiativeFactory(name="Près du pôle", location=Point(0, 85.5, srid=4326))
    InitiativeFactory(name="Au bord", location=Point(0, 85.0, srid=4326))

    def names(bbox):
        answer = client.get(reverse("catalogue:map-data"), {"bbox": bbox}).json()
        return sorted(feature["properties"]["name"] for feature in answer["features"])

    assert names("-10,-89,10,89") == names("-10,-85.06,10,85.06") == ["Au bord"]


def test_the_year_bounds_are_written_into_the_constraints_messages():
    constraint = next(
        c for c in Initiative._meta.constraints if c.name == "initiative_started_year_plausible"
    )

    assert (
        str(constraint.violation_error_message)
        == "L’année de démarrage doit être comprise entre 1800 et 2100."
    )
