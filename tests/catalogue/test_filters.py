"""The public catalogue's filters, facet counts, search and sort, as a person sees them on the page."""

import re
from html import unescape
from urllib.parse import parse_qsl

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import Initiative, Organization
from catalogue.search import normalise_query, stem
from territories.models import Territory
from tests.factories import InitiativeFactory, KindFactory, LegalEntityFactory, LegalFormFactory

pytestmark = pytest.mark.django_db

CARD_NAME = re.compile(r'class="initiative-card__name"><a href="[^"]+">([^<]+)</a>')


def listed(client, **params):
    """The names on the page's list, in order, and the page's HTML."""
    response = client.get(reverse("catalogue:map"), params)
    assert response.status_code == 200
    html = response.content.decode()
    return [unescape(name) for name in CARD_NAME.findall(html)], html


def facet_count(html, facet, label):
    """The count printed beside ``label`` in the facet ``facet``."""
    block = html.split(f'id="facet-{facet}"', 1)[1].split("</details>", 1)[0]
    match = re.search(re.escape(label) + r" <span class=\"facet__count\">\((\d+)\)</span>", unescape(block))
    assert match, f"{label} not in facet {facet}"
    return int(match[1])


# --- Search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["cirque en cavale", "Cirqu'en-Cavale", "CIRQU EN CAVALE", "cirqu’en cavale", "cavale"],
)
def test_search_forgives_case_apostrophes_and_hyphens(client, seed, query):
    names, _html = listed(client, q=query)

    assert names == ["Cirqu'en-Cavale"]


def test_search_for_tiers_lieu_finds_the_hyphenated_word(client, seed):
    names, _html = listed(client, q="tiers lieu")

    assert {"Cirqu'en-Cavale", "Saint So Bazaar"} <= set(names)
    assert "La Passerelle" not in names


def test_search_ignores_accents_both_ways(client, seed):
    assert "Centres Sociaux Connectés" in listed(client, q="connectes")[0]
    assert "Cirqu'en-Cavale" in listed(client, q="écoconstruction")[0]
    assert "Cirqu'en-Cavale" in listed(client, q="ECOCONSTRUCTION")[0]


def test_search_reads_partners_funders_and_communes(client, seed):
    # A partner (Chambre de commerce), a funder (Initiatives et Cité), a commune (Pernes).
    assert listed(client, q="chambre de commerce")[0] == ["La Passerelle"]
    assert "Saint So Bazaar" in listed(client, q="initiatives et cite")[0]
    assert listed(client, q="pernes")[0] == ["Cirqu'en-Cavale"]


def test_search_follows_a_partner_renamed_by_a_curator(client, seed):
    chambre = Organization.objects.get(name__startswith="Chambre de commerce")
    chambre.name = "CCI Grand Lille"
    chambre.save()

    assert listed(client, q="grand lille")[0] == ["La Passerelle"]


def test_search_with_nothing_to_search_matches_nothing_and_says_so(client, seed):
    names, html = listed(client, q="%%% !!!")

    assert names == []
    assert (
        '<p class="results__empty">Aucune initiative ne correspond à ces filtres. Retirez-en un, ou '
        "cherchez avec d'autres mots.</p>"
    ) in unescape(html)


def test_search_ranks_by_relevance_by_default(client, seed):
    InitiativeFactory(name="Recyclerie du Ternois", summary="Une recyclerie.")
    InitiativeFactory(name="Atelier vélo", summary="Répare des vélos, à côté d'une recyclerie.")

    names, html = listed(client, q="recyclerie")

    assert set(names) == {"Recyclerie du Ternois", "Atelier vélo"}
    if connection.vendor == "postgresql":
        assert names[0] == "Recyclerie du Ternois"
    else:  # no ranking on SQLite: every match is as relevant, then comes the name
        assert names == ["Atelier vélo", "Recyclerie du Ternois"]
    assert '<option value="pertinence" selected>' in html


def test_a_typo_still_finds_the_initiative(client, seed):
    names, html = listed(client, q="cirque en cavalle")

    assert names == ["Cirqu'en-Cavale"]
    assert "Résultats pour « cirque en cavale »" in unescape(html)


def test_query_normalisation_and_light_stemming():
    assert normalise_query("  Cirqu'en-Cavale  ") == "cirqu en cavale"
    assert normalise_query("x" * 500) == "x" * 200
    assert stem("lieux") == "lieu"
    assert stem("cirque") == "cirqu"
    assert stem("de") == "de"


# --- Facets and filters -------------------------------------------------------------------------


def test_legal_form_filter_and_its_counts(client, seed):
    names, html = listed(client, forme="scic")

    assert names == ["Cirqu'en-Cavale"]
    # Ticking SCIC keeps showing how many entries the other forms would add.
    assert facet_count(html, "forme", "SCIC") == 1
    assert facet_count(html, "forme", "SCI") == 1
    assert 'name="forme" value="scic" id="id_forme_1" checked' in html
    # Other facets count within the SCIC results.
    assert facet_count(html, "type", "Tiers-lieu") == 1


def test_values_of_one_facet_add_up_and_facets_narrow_each_other(client, seed):
    sci_or_scic = listed(client, forme=["scic", "sci"])[0]
    assert sci_or_scic == ["Cirqu'en-Cavale"]

    lille = KindFactory(label="Ressourcerie", slug="ressourcerie")
    form = LegalFormFactory(label="SCOP test", slug="scop-test")
    other = InitiativeFactory(name="Ressourcerie coopérative", kinds=[lille])
    LegalEntityFactory(initiative=other, legal_form=form)

    assert listed(client, forme=["scic", "scop-test"])[0] == ["Cirqu'en-Cavale", "Ressourcerie coopérative"]
    assert listed(client, forme=["scic", "scop-test"], type="ressourcerie")[0] == ["Ressourcerie coopérative"]


def test_an_entry_with_two_matching_entities_is_listed_once(client, seed):
    cirque = Initiative.objects.get(name="Cirqu'en-Cavale")
    LegalEntityFactory(
        initiative=cirque, legal_form=cirque.legal_entities.get(legal_form__slug="scic").legal_form
    )

    names, html = listed(client, forme="scic")

    assert names == ["Cirqu'en-Cavale"]
    assert facet_count(html, "forme", "SCIC") == 1


def test_funding_tool_partner_kind_and_stage_filters(client, seed):
    assert listed(client, outil="bail-emphyteotique")[0] == ["Saint So Bazaar"]
    assert listed(client, partenaire="consular")[0] == ["La Passerelle"]
    assert listed(client, etape="works")[0] == ["Saint So Bazaar"]


def test_territory_filter_by_name_by_label_and_by_departement(client, seed):
    assert listed(client, territoire="Pernes")[0] == ["Cirqu'en-Cavale"]
    names, html = listed(client, territoire="pas de calais")
    assert names == ["Cirqu'en-Cavale"]
    # The field shows the place it understood, as a label that means the same place when shared.
    assert 'name="territoire" value="Pas-de-Calais (62)"' in html
    assert '<p class="field__help">Filtre sur : Pas-de-Calais (62)</p>' in html
    assert listed(client, territoire="Pas-de-Calais (62)")[0] == ["Cirqu'en-Cavale"]
    assert "Saint So Bazaar" in listed(client, territoire="Lille (59)")[0]


def test_a_label_names_one_homonym_among_several(client, seed):
    # Twelve communes are called Sainte-Colombe; the one in the Gironde is not the largest.
    gironde = Territory.objects.get(kind="commune", code="33390")
    InitiativeFactory(name="Café de Gironde", commune=gironde, location=gironde.centre)

    assert listed(client, territoire=str(gironde))[0] == ["Café de Gironde"]


def test_an_unknown_place_is_reported_and_left_out(client, seed):
    names, html = listed(client, territoire="Zzyzx-sur-Mer")

    assert len(names) == 5
    assert "<li>Territoire : Aucune commune ni aucun territoire ne correspond à « Zzyzx-sur-Mer ».</li>" in (
        unescape(html)
    )


def test_near_a_place_within_a_radius_sorted_by_distance(client, seed):
    names, html = listed(client, pres_de="Lille (59)", rayon="5")

    assert set(names) == {"Saint So Bazaar", "Friche Fives Cail", "Centres Sociaux Connectés"}
    assert '<option value="distance" selected>' in html
    distances = re.findall(
        r'<a href="[^"]+">([^<]+)</a></h3>.*?<span class="initiative-card__distance">([^<]+)</span>',
        html,
        re.S,
    )
    assert [(unescape(name), distance) for name, distance in distances] == [
        ("Friche Fives Cail", "à 0,0 km"),
        ("Saint So Bazaar", "à 0,0 km"),
        ("Centres Sociaux Connectés", "à 3,0 km"),
    ]

    wider = listed(client, pres_de="Lille (59)", rayon="60")[0]
    assert "Cirqu'en-Cavale" in wider  # Pernes is about 50 km from Lille
    assert wider[-1] == "Cirqu'en-Cavale"


def test_density_and_population_of_the_commune(client, seed):
    # Lille is dense and has more than 200,000 inhabitants; Pernes is a small rural commune.
    assert set(listed(client, densite="dense")[0]) == {"Saint So Bazaar", "Friche Fives Cail"}
    assert listed(client, population="moins-2000")[0] == ["Cirqu'en-Cavale"]
    assert set(listed(client, population=["moins-2000", "plus-200000"])[0]) == {
        "Cirqu'en-Cavale",
        "Saint So Bazaar",
        "Friche Fives Cail",
    }


def test_surface_budget_and_year_ranges(client, seed):
    assert listed(client, surface_min="2000")[0] == ["Saint So Bazaar"]
    assert listed(client, surface_max="2000")[0] == ["La Passerelle"]
    assert listed(client, budget_min="4000000")[0] == ["Saint So Bazaar"]
    InitiativeFactory(name="Ancienne", started_year=1990)
    InitiativeFactory(name="Récente", started_year=2020)
    assert listed(client, annee_min="2000", annee_max="2021")[0] == ["Récente"]


def test_map_area_limits_the_list(client, seed):
    # Around Pernes only.
    names, html = listed(client, zone="2.3,50.4,2.5,50.6")

    assert names == ["Cirqu'en-Cavale"]
    assert 'class="clear-zone">Enlever cette limite</a>' in html


def test_removing_the_map_area_keeps_the_other_filters(client, seed):
    _names, html = listed(client, zone="2.3,50.4,2.5,50.6", forme="scic", page="1")

    link = re.search(r'<a href="([^"]*)" class="clear-zone">', html)[1]
    assert unescape(link) == "?forme=scic"
    assert listed(client, **dict(parse_qsl(unescape(link)[1:])))[0] == listed(client, forme="scic")[0]


def test_sort_by_name_and_by_last_update(client, seed):
    by_name = listed(client, tri="nom")[0]
    assert by_name == sorted(by_name)
    Initiative.objects.get(name="La Passerelle").save()
    assert listed(client, tri="recent")[0][0] == "La Passerelle"
    # A sort that cannot apply (no search, no place) falls back to the name.
    assert listed(client, tri="pertinence")[0] == by_name


def test_demo_entries_are_marked_in_the_list(client, seed):
    InitiativeFactory(name="Tiers-lieu de démonstration")
    Initiative.objects.filter(name="Tiers-lieu de démonstration").update(is_demo=True)

    _names, html = listed(client, q="demonstration")

    assert html.count('<p class="demo-badge">Fiche de démonstration</p>') == 1


def test_pagination_keeps_the_filters(client, territories):
    kind = KindFactory(slug="fab-lab-test", label="Fab-lab test")
    for number in range(25):
        InitiativeFactory(
            name=f"Fab {number:02}", kinds=[kind], location=Point(2 + number / 10, 47, srid=4326)
        )
    InitiativeFactory(name="Autre chose")

    names, html = listed(client, type="fab-lab-test")

    assert len(names) == 20
    assert "?type=fab-lab-test&amp;page=2" in html
    assert listed(client, type="fab-lab-test", page="2")[0] == [f"Fab {number}" for number in range(20, 25)]


def test_a_search_costs_at_most_one_query_more_than_another_filter(client, seed):
    # The facets re-apply the search ten times: whether its words match is asked once per page.
    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("catalogue:map"), params).status_code == 200
        return len(captured)

    assert queries(q="cavale") <= queries(forme="scic") + 1
