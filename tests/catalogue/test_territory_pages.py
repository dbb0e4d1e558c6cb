"""The territory pages (``/territoires/<kind>/<code>/``): a région, a département, an EPCI and a commune
of the seed, with their figures, parents and children, the published initiatives inside them, the
charts and their tables, comparable territories; and what bad input and drafts never do.

The pages are read in French, as the public reads them (``LANGUAGE_CODE``)."""

import re
from collections import Counter
from html import unescape
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from catalogue.models import Initiative
from catalogue.templatetags.catalogue_tags import grouped
from catalogue.territory_figures import map_filter_value
from territories.labels import find_place
from territories.models import Territory
from tests.factories import InitiativeFactory, KindFactory, LegalEntityFactory, LegalFormFactory, commune

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seed")]

Kind = Territory.Kind
TERNOIS = "200069672"  # CC du Ternois, which Cirqu'en-Cavale serves
OFFICIAL = settings.BASE_DIR.parent / "shared" / "data" / "territoires"


def territory(kind, code):
    return Territory.objects.get(kind=kind, code=code)


def page(client, kind, code, **query):
    response = client.get(reverse("catalogue:territory-detail", kwargs={"kind": kind, "code": code}), query)
    assert response.status_code == 200
    return response.content.decode()


def text(html):
    """The page's text as a reader sees it: tags gone, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def card_names(html):
    return [
        unescape(name)
        for name in re.findall(r'class="initiative-card__name"><a href="[^"]+">([^<]+)</a>', html)
    ]


def section(html, css_class):
    start = html.index(f'class="{css_class}"')
    return html[start : html.index("</section>", start)]


def chart_table(html, param):
    """{label: count} of a chart's table."""
    figure = html[html.index(f'id="chart-{param}"') :]
    figure = figure[: figure.index("</figure>")]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="number">(\d+)</td>', figure)
    return {unescape(label): int(count) for label, count in rows}


def published_in(place):
    return Initiative.objects.published().in_territory(place)


# --- Each kind of territory ---------------------------------------------------------------------


def test_a_commune_page_shows_its_figures_parents_and_initiatives(client):
    pernes = commune("62652")

    html = page(client, Kind.COMMUNE, "62652")

    assert "<h1>Pernes (62)</h1>" in html
    words = text(html)
    with translation.override("fr"):
        assert text(f"Population {grouped(pernes.population)} habitants") in words
        assert f"Classe de densité {pernes.get_density_class_display().capitalize()}" in words
    parents = section(html, "territory__header")
    assert f'href="/territoires/epci/{TERNOIS}/"' in parents
    assert 'href="/territoires/departement/62/">Pas-de-Calais (62)</a>' in parents
    assert 'href="/territoires/region/32/">Hauts-de-France</a>' in parents
    assert card_names(html) == ["Cirqu'en-Cavale"]
    assert "1 initiative publiée" in words
    assert 'href="/?territoire=Pernes%20%2862%29"' in html


def test_an_epci_page_lists_its_communes_and_the_initiatives_inside_or_serving_it(client):
    ternois = territory(Kind.EPCI, TERNOIS)

    html = page(client, Kind.EPCI, TERNOIS)

    assert f"<h1>{ternois.name}</h1>" in html
    communes = Territory.objects.communes().filter(epci=ternois)
    assert f"{communes.count()} communes" in text(html)
    assert 'href="/territoires/commune/62652/">Pernes (62)</a>' in html
    assert card_names(html) == ["Cirqu'en-Cavale"]
    # The most populous first: the first commune listed is the largest.
    largest = communes.order_by("-population").first()
    children = html[html.index('class="territory__children"') :]
    assert children.index(largest.get_absolute_url()) < children.index("/territoires/commune/62652/")


def test_a_departement_page_lists_its_intercommunalities_and_only_its_initiatives(client):
    html = page(client, Kind.DEPARTEMENT, "62")

    assert "<h1>Pas-de-Calais (62)</h1>" in html
    assert f'href="/territoires/epci/{TERNOIS}/"' in html
    assert card_names(html) == ["Cirqu'en-Cavale"]
    assert "Saint So Bazaar" not in html
    assert 'href="/?territoire=62"' in html


def test_a_region_page_lists_its_departements_and_every_initiative_inside_it(client):
    region = territory(Kind.REGION, "32")
    expected = sorted(published_in(region).values_list("name", flat=True))

    html = page(client, Kind.REGION, "32")

    assert "<h1>Hauts-de-France</h1>" in html
    assert 'href="/territoires/departement/59/">Nord (59)</a>' in html
    assert 'href="/territoires/departement/62/">Pas-de-Calais (62)</a>' in html
    # La Passerelle and the Centres Sociaux Connectés have no commune: they serve an EPCI of the Nord.
    assert "La Passerelle" in expected and len(expected) == 5
    assert card_names(html) == expected
    assert "5 initiatives publiées" in text(html)


def test_the_map_link_of_each_page_filters_the_map_on_that_very_territory(client):
    for kind, code in (
        (Kind.COMMUNE, "62652"),
        (Kind.EPCI, TERNOIS),
        (Kind.DEPARTEMENT, "62"),
        (Kind.REGION, "32"),
    ):
        place = territory(kind, code)
        assert find_place(map_filter_value(place)) == place

        response = client.get("/", {"territoire": map_filter_value(place)})

        expected = sorted(published_in(place).values_list("name", flat=True))
        assert card_names(response.content.decode()) == expected


# --- Charts -----------------------------------------------------------------------------------


def test_the_charts_tables_count_the_initiatives_by_kind_legal_form_and_stage(client):
    region = territory(Kind.REGION, "32")
    inside = published_in(region).prefetch_related("kinds", "legal_entities__legal_form")
    kinds, forms, stages = Counter(), Counter(), Counter()
    for initiative in inside:
        kinds.update({kind.label for kind in initiative.kinds.all()})
        forms.update({entity.legal_form.label for entity in initiative.legal_entities.all()})
        if initiative.stage:
            stages[initiative.get_stage_display().capitalize()] += 1

    html = page(client, Kind.REGION, "32")

    assert chart_table(html, "type") == dict(kinds)
    assert chart_table(html, "forme") == dict(forms)
    assert {label.lower(): n for label, n in chart_table(html, "etape").items()} == {
        label.lower(): n for label, n in stages.items()
    }
    assert kinds["Tiers-lieu"] >= 2
    charts = section(html, "territory__charts")
    assert charts.count('aria-hidden="true"') == 3
    assert charts.count("<caption>") == 3
    assert "Initiatives par type" in charts


def test_the_bars_are_as_long_as_their_counts(client):
    html = page(client, Kind.REGION, "32")
    figure = html[html.index('id="chart-type"') :]
    bars = [
        int(width)
        for width in re.findall(r'<rect x="0" y="\d+" width="(\d+)"', figure[: figure.index("</svg>")])
    ]
    counts = list(chart_table(html, "type").values())

    assert bars[0] == 240
    assert [round(count * 240 / counts[0]) for count in counts] == bars


# --- No initiative, comparable territories --------------------------------------------------


def test_a_commune_without_initiative_says_so_and_offers_comparable_territories(client):
    pernes = commune("62652")
    # A commune like Pernes (same density class, about its population) that has no initiative.
    twin = (
        Territory.objects.communes()
        .filter(density_class=pernes.density_class, population__gte=pernes.population * 0.8)
        .filter(population__lte=pernes.population * 1.25)
        .exclude(pk=pernes.pk)
        .exclude(initiatives__isnull=False)
        .order_by("code")
        .first()
    )

    html = page(client, Kind.COMMUNE, twin.code)

    words = text(html)
    assert "0 initiative publiée" in words
    assert "Aucune initiative n’a encore été publiée pour ce territoire." in words
    assert card_names(html) == []
    assert 'id="charts-heading"' not in html
    comparables = section(html, "territory__comparables")
    assert "Dans des territoires comparables" in comparables
    assert '<a href="/territoires/commune/62652/">Pernes (62)</a>' in comparables
    assert "1 initiative" in text(comparables)


def test_comparable_territories_are_other_territories_of_the_same_kind_and_size(client):
    # Lille's comparable communes: dense, 119,000 to 477,000 inhabitants, with initiatives: none in
    # the seed (its two entries are in Lille itself), so none is offered and the page says so.
    html = page(client, Kind.COMMUNE, "59350")

    comparables = section(html, "territory__comparables")
    assert "Aucun territoire comparable n’a encore d’initiative publiée." in text(comparables)
    assert "/territoires/commune/59350/" not in comparables


def test_a_comparable_commune_with_initiatives_is_listed_with_its_count(client):
    lille = commune("59350")
    twin = (
        Territory.objects.communes()
        .filter(density_class=lille.density_class, population__gte=lille.population / 2)
        .filter(population__lte=lille.population * 2)
        .exclude(pk=lille.pk)
        .order_by("code")
        .first()
    )
    InitiativeFactory(name="Tiers-lieu voisin", commune=twin)
    InitiativeFactory(name="Autre tiers-lieu voisin", commune=twin)

    comparables = section(page(client, Kind.COMMUNE, "59350"), "territory__comparables")

    assert f'<a href="{twin.get_absolute_url()}">{twin}</a>' in comparables
    assert "2 initiatives" in text(comparables)


# --- Drafts, bad input ----------------------------------------------------------------------------


def test_drafts_and_entries_to_review_never_appear_nor_count(client):
    pernes = commune("62652")
    secret = KindFactory(label="Type secret")
    for status in (Initiative.Status.DRAFT, Initiative.Status.REVIEW, Initiative.Status.ARCHIVED):
        draft = InitiativeFactory(name=f"Brouillon {status}", commune=pernes, status=status, kinds=[secret])
        LegalEntityFactory(initiative=draft, legal_form=LegalFormFactory(label=f"Forme {status}"))

    for kind, code in ((Kind.COMMUNE, "62652"), (Kind.EPCI, TERNOIS), (Kind.DEPARTEMENT, "62")):
        html = page(client, kind, code)
        assert "Brouillon" not in html
        assert "Type secret" not in chart_table(html, "type")
        assert not any(label.startswith("Forme ") for label in chart_table(html, "forme"))
        # The filters offer every kind, as the home page does, counting only what is published.
        assert 'Type secret <span class="facet__count">(0)</span>' in html
        assert card_names(html) == ["Cirqu'en-Cavale"]


@pytest.mark.parametrize(
    "kind, code",
    [
        ("pays", "62652"),
        ("Commune", "62652"),
        ("commune", "00000"),
        ("commune", "62"),
        ("epci", "62652"),
        ("departement", "62652"),
        ("region", "62"),
        ("commune", "x" * 300),
    ],
)
def test_an_unknown_kind_or_code_is_a_404(client, kind, code):
    response = client.get(f"/territoires/{kind}/{code}/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=999999",
        "page=-1",
        "q=%00",
        "q=" + "a" * 5000,
        "type=n-existe-pas&forme=%3Cscript%3E",
        "territoire=Marseille",
        "territoire=%00",
        "surface_min=1e400&surface_max=NaN",
        "annee_min=-5",
        "zone=1,2,3&pres_de=nulle-part&rayon=1e9",
        "tri=%27%3B%20DROP%20TABLE",
        "etape=active&etape=active&etape=zz",
    ],
)
def test_hostile_query_strings_never_give_an_error_page(client, query):
    response = client.get(f"/territoires/departement/62/?{query}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in html.split("</head>", 1)[1].replace('<script type="module"', "")
    # The page's territory wins over a territoire in the query string.
    assert "Saint So Bazaar" not in html


def test_filters_narrow_the_list_within_the_territory(client):
    html = page(client, Kind.REGION, "32", forme="scic")

    assert card_names(html) == ["Cirqu'en-Cavale"]
    assert "1 initiative correspond à ces filtres." in text(html)
    # The charts still describe the whole territory.
    assert sum(chart_table(html, "etape").values()) > 1


def test_a_filter_it_cannot_understand_is_reported_and_left_out(client):
    html = page(client, Kind.REGION, "32", surface_min="beaucoup")

    assert 'role="alert"' in html
    assert len(card_names(html)) == 5


def test_a_page_needs_a_bounded_number_of_queries_whatever_the_number_of_initiatives(
    client, django_assert_max_num_queries
):
    url = reverse("catalogue:territory-detail", kwargs={"kind": Kind.REGION, "code": "32"})
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    pernes = commune("62652")
    kinds = [KindFactory(label=f"Type {n}") for n in range(5)]
    for n in range(40):
        initiative = InitiativeFactory(name=f"Initiative {n:02d}", commune=pernes, kinds=kinds[: n % 5 + 1])
        LegalEntityFactory(initiative=initiative)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)

    assert response.status_code == 200
    assert "45 initiatives publiées" in text(response.content.decode())


# --- Official classifications, links from elsewhere ---------------------------------------------


def test_a_commune_page_shows_the_loaded_official_classifications(client):
    html = page(client, Kind.COMMUNE, "62652")
    assert "Grille de densité" not in html  # not loaded: nothing to show, no empty row

    if not OFFICIAL.is_dir():
        pytest.skip(f"the official files are not beside the repository ({OFFICIAL})")
    call_command("load_classifications", str(OFFICIAL), stdout=StringIO())
    words = text(page(client, Kind.COMMUNE, "62652"))

    assert "Grille de densité (Insee) Ceintures urbaines (niveau 3 sur 7)" in words
    assert "Centralité (ANCT) Centre local d’équipements et de services" in words
    assert "Programmes nationaux Villages d’avenir" in words
    assert "Massif de montagne" not in words
    lille = text(page(client, Kind.COMMUNE, "59350"))
    assert "Grands centres urbains (niveau 1 sur 7)" in lille
    assert "Centre majeur d’équipements et de services" in lille


def test_the_fiche_links_the_commune_and_its_parents_to_their_pages(client):
    fiche = client.get(Initiative.objects.get(slug="cirquen-cavale").get_absolute_url()).content.decode()

    assert '<a href="/territoires/commune/62652/">Pernes</a>' in fiche
    assert f'<a href="/territoires/epci/{TERNOIS}/">' in fiche
    assert '<a href="/territoires/departement/62/">Pas-de-Calais (62)</a>' in fiche
    assert '<a href="/territoires/region/32/">Hauts-de-France</a>' in fiche


def test_each_place_suggestion_carries_the_url_of_its_page(client):
    results = client.get(reverse("territories:suggestions"), {"q": "Ternois"}).json()["results"]

    assert results, "the CC du Ternois is suggested"
    for result in results:
        assert result["url"] == f"/territoires/{result['kind']}/{result['code']}/"
        assert client.get(result["url"]).status_code == 200
