"""Each facet is declared once (``catalogue.facets``): a facet added to the settings filters the list,
the map data and the exports, is counted and gets its box, with nothing else to write."""

import json

import pytest
from django.urls import reverse

from catalogue.facets import FACETS, Facet, catalogue_facets
from catalogue.filters import InitiativeFilterSet
from catalogue.models import Initiative, InitiativeObstacle
from tests.catalogue.test_filters import facet_count, listed
from tests.factories import InitiativeFactory, ObstacleFactory

pytestmark = pytest.mark.django_db

OBSTACLE_FACET = Facet("frein", "Frein rencontré", "obstacles", opened=True)


@pytest.fixture
def with_obstacle_facet(settings):
    settings.CATALOGUE_FACETS = [*FACETS, OBSTACLE_FACET]
    yield
    # The settings fixture puts the facets back after the test; the filters follow them.


@pytest.fixture
def obstacles():
    """Two initiatives that met different obstacles, and a third that met none."""
    silos = ObstacleFactory(slug="silos", label="Silos et hiérarchie")
    timescales = ObstacleFactory(slug="temporalites", label="Temporalités différentes")
    for name, met in (("Ferme des Possibles", [silos, timescales]), ("Atelier du Bourg", [timescales])):
        initiative = InitiativeFactory(name=name)
        for obstacle in met:
            InitiativeObstacle.objects.create(initiative=initiative, obstacle=obstacle)
    InitiativeFactory(name="Café des Sources")
    return silos, timescales


def test_a_facet_added_in_the_settings_gets_its_box_with_its_counts(client, with_obstacle_facet, obstacles):
    names, html = listed(client)

    assert names == ["Atelier du Bourg", "Café des Sources", "Ferme des Possibles"]
    box = html.split('id="facet-frein"', 1)[1].split("</details>", 1)[0]
    assert box.startswith(" open>\n  <summary>Frein rencontré</summary>")
    assert facet_count(html, "frein", "Silos et hiérarchie") == 1
    assert facet_count(html, "frein", "Temporalités différentes") == 2


def test_a_facet_added_in_the_settings_filters_the_list_the_map_and_the_exports(
    client, with_obstacle_facet, obstacles
):
    names, html = listed(client, frein="silos")

    assert names == ["Ferme des Possibles"]
    assert 'name="frein" value="silos" id="id_frein_0" checked' in html
    # The other values still count among the results of the other filters.
    assert facet_count(html, "frein", "Temporalités différentes") == 2
    features = json.loads(client.get(reverse("catalogue:map-data"), {"frein": "temporalites"}).content)
    assert features["features"][0]["properties"]["count"] == 2
    rows = b"".join(client.get(reverse("catalogue:export-csv"), {"frein": "silos"}).streaming_content)
    assert [line.split(";")[0] for line in rows.decode("utf-8-sig").splitlines()[1:]] == [
        "Ferme des Possibles"
    ]


def test_an_unknown_value_of_an_added_facet_is_reported_and_left_out(client, with_obstacle_facet, obstacles):
    names, html = listed(client, frein="inconnu")

    assert names == ["Atelier du Bourg", "Café des Sources", "Ferme des Possibles"]
    assert "Frein rencontré : Sélectionnez un choix valide. inconnu n’en fait pas partie." in html


def test_without_the_setting_the_page_has_the_declared_facets_only(client, obstacles):
    names, html = listed(client, frein="silos")

    assert 'id="facet-frein"' not in html
    assert names == ["Atelier du Bourg", "Café des Sources", "Ferme des Possibles"]
    assert [facet.param for facet in catalogue_facets()] == [
        "type",
        "theme",
        "etape",
        "forme",
        "outil",
        "levier",
        "partenaire",
        "reseau",
        "densite",
        "population",
    ]


def test_every_facet_has_its_filter_and_the_filters_follow_the_settings(settings):
    assert {facet.param for facet in FACETS} <= set(InitiativeFilterSet.base_filters)
    assert "frein" not in InitiativeFilterSet.base_filters

    settings.CATALOGUE_FACETS = [*FACETS, OBSTACLE_FACET]

    assert "frein" in InitiativeFilterSet.base_filters
    filterset = InitiativeFilterSet({"frein": ["silos"]}, queryset=Initiative.objects.none())
    assert filterset.form.fields["frein"].label == "Frein rencontré"


@pytest.mark.parametrize("facet", FACETS, ids=lambda facet: facet.param)
def test_each_facet_opens_as_its_spec_says_when_nothing_is_ticked(client, facet):
    html = listed(client)[1]

    opening = html.split(f'id="facet-{facet.param}"', 1)[1].split(">", 1)[0]
    assert opening == (" open" if facet.opened else "")
