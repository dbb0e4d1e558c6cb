"""The public pages: the map with its list, the map data, and an initiative's fiche."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from catalogue.models import Initiative, InitiativeLever, InitiativeObstacle, LegalEntity, Partnership, Stage
from territories.models import Territory
from tests.factories import (
    CommuneFactory,
    FundingFactory,
    FundingToolFactory,
    InitiativeFactory,
    KindFactory,
    LegalEntityFactory,
    LegalFormFactory,
    LeverFactory,
    MilestoneFactory,
    ObstacleFactory,
    OrganizationFactory,
    PartnershipFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

Status = Initiative.Status
NBSP = "\u00a0"


def text_of(response):
    return response.content.decode()


def card_of(html, initiative):
    """The initiative's card in the list (the facets beside it name kinds and places too)."""
    link = f'<a href="{initiative.get_absolute_url()}">'
    cards = [card for card in html.split('<article class="initiative-card">')[1:] if link in card]
    assert len(cards) == 1, f"{initiative.name}: {len(cards)} cards"
    return cards[0].split("</article>", 1)[0]


@pytest.fixture
def pernes(territories):
    return Territory.objects.get(kind="commune", code="62652")


@pytest.fixture
def rich_initiative(pernes):
    """An initiative with every kind of fact the fiche shows, modelled on Cirqu'en-Cavale."""
    initiative = InitiativeFactory(
        name="Cirque du Ternois",
        summary="Une école de cirque qui devient tiers-lieu rural.",
        description="Un lieu **fixe** pour l'école de cirque.\n\n- alimentation\n- construction bois",
        stage=Stage.PREFIGURATION,
        started_year=2016,
        opened_year=2019,
        commune=pernes,
        address="Zone d'activités, 62550 Pernes",
        location=Point(2.41, 50.48, srid=4326),
        surface_m2=4500,
        investment_eur=5_000_000,
        annual_budget_eur=350_000,
        jobs_fte=Decimal("9.0"),
        volunteers=1200,
        website="https://www.example.org/cirque",
        public_email="contact@example.org",
        phone="03 21 00 00 00",
        sources="Atelier n°4 du RNIT, Montpellier, 15 mai 2018.",
        verified_on=datetime.date(2018, 5, 15),
        kinds=[KindFactory(label="Tiers-lieu"), KindFactory(label="École de cirque")],
    )
    initiative.themes.set([ThemeFactory(label="Culture")])
    initiative.territories_served.set([CommuneFactory(name="Saint-Pol-sur-Ternoise")])

    LegalEntityFactory(
        initiative=initiative,
        name="Association du cirque",
        legal_form=LegalFormFactory(label="Association loi 1901"),
        role=LegalEntity.Role.PROJECT_HOLDER,
        rna="W623001234",
    )
    LegalEntityFactory(
        initiative=initiative,
        name="SCI du chapiteau",
        legal_form=LegalFormFactory(label="SCI"),
        role=LegalEntity.Role.OWNER,
        siren="123456789",
    )
    LegalEntityFactory(
        initiative=initiative,
        name="SCIC d'animation",
        legal_form=LegalFormFactory(label="SCIC"),
        role=LegalEntity.Role.OPERATOR,
        note="En cours de validation.",
    )

    PartnershipFactory(
        initiative=initiative,
        organization=OrganizationFactory(name="Communauté de communes du Ternois"),
        role=Partnership.Role.LANDOWNER,
        stage=Stage.PREFIGURATION,
    )
    PartnershipFactory(
        initiative=initiative,
        organization=OrganizationFactory(name="Région Hauts-de-France"),
        role=Partnership.Role.FUNDER,
    )
    PartnershipFactory(
        initiative=initiative,
        organization=OrganizationFactory(name="Nord Actif"),
        role=Partnership.Role.FUNDER,
    )

    FundingFactory(
        initiative=initiative,
        tool=FundingToolFactory(label="FIDESS"),
        funder=OrganizationFactory(name="Caisse des Dépôts"),
        amount=25_000,
        year=2018,
        note="Fonds de confiance.",
    )

    MilestoneFactory(initiative=initiative, year=2019, title="Ouverture du lieu fixe")
    MilestoneFactory(
        initiative=initiative,
        year=2016,
        title="Recherche d'un lieu fixe",
        public_action="La commune propose un terrain de la zone d'activités.",
    )
    MilestoneFactory(initiative=initiative, year=2018, title="Création de la SCIC")

    InitiativeLever.objects.create(
        initiative=initiative,
        lever=LeverFactory(label="Mise à disposition foncière"),
        note="Terrain vendu à prix facilité.",
    )
    InitiativeObstacle.objects.create(
        initiative=initiative,
        obstacle=ObstacleFactory(label="Temporalités différentes"),
        note="Le temps des élus n'est pas celui du projet.",
    )
    return initiative


# --- Home: the map and its list -------------------------------------------------------------


def test_home_lists_the_published_initiatives_and_not_the_others(client):
    published = InitiativeFactory(
        name="Le Bazar Saint-So", summary="Une friche ferroviaire devenue tiers-lieu."
    )
    InitiativeFactory(name="Brouillon secret", status=Status.DRAFT)
    InitiativeFactory(name="À relire encore", status=Status.REVIEW)
    InitiativeFactory(name="Projet archivé", status=Status.ARCHIVED)

    response = client.get(reverse("catalogue:map"))

    assert response.status_code == 200
    html = text_of(response)
    assert "Le Bazar Saint-So" in html
    assert f'href="{published.get_absolute_url()}"' in html
    card = card_of(html, published)
    assert '<p class="initiative-card__summary">Une friche ferroviaire devenue tiers-lieu.</p>' in card
    assert f'<p class="initiative-card__commune">{published.commune}</p>' in card
    assert "Brouillon secret" not in html
    assert "À relire encore" not in html
    assert "Projet archivé" not in html


def test_home_list_shows_kinds_and_commune(client, pernes):
    cafe = InitiativeFactory(
        name="Café des Possibles", commune=pernes, kinds=[KindFactory(label="Café associatif")]
    )

    card = card_of(text_of(client.get(reverse("catalogue:map"))), cafe)

    assert "Café des Possibles</a></h3>" in card
    assert '<p class="initiative-card__commune">Pernes (62)</p>' in card
    assert "<li>Café associatif</li>" in card


def test_home_has_the_map_container_landmarks_and_skip_link(client):
    InitiativeFactory()

    html = text_of(client.get(reverse("catalogue:map")))

    assert '<html lang="fr">' in html
    assert 'id="initiatives-map"' in html
    assert f'data-source="{reverse("catalogue:map-data")}"' in html
    assert 'aria-label="' in html.split('id="initiatives-map"', 1)[1].split(">", 1)[0]
    assert '<a class="skip-link" href="#content">' in html
    assert '<main id="content"' in html
    assert "<header" in html and "<footer" in html and "<nav" in html
    assert "<h1>" in html
    assert "js/catalogue.js" in html


def test_home_escapes_names_in_the_list(client):
    InitiativeFactory(name="<img src=x onerror=alert(1)>")

    html = text_of(client.get(reverse("catalogue:map")))

    assert "<img src=x onerror=alert(1)>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_home_uses_the_same_number_of_queries_for_1_or_50_initiatives(client):
    kinds = [KindFactory(), KindFactory()]
    InitiativeFactory(kinds=kinds)
    url = reverse("catalogue:map")
    with_one = count_queries(client, url)

    for number in range(49):
        InitiativeFactory(kinds=kinds, location=Point(2 + number / 10, 47, srid=4326))
    with_fifty = count_queries(client, url + "?page=2")

    assert with_fifty == with_one


def test_map_data_needs_at_most_three_queries_whatever_the_number_of_initiatives(
    client, django_assert_max_num_queries, django_assert_num_queries
):
    kinds = [KindFactory(), KindFactory()]
    for number in range(50):
        InitiativeFactory(kinds=kinds, location=Point(2 + number / 10, 47, srid=4326))

    # France, clustered; then a view so small that it shows its one initiative itself. One query
    # reads the catalogue's version (the cache's key and the ETag), at most three the data; asked
    # again, the answer comes from the cache.
    for bbox, shown in (("-5.5,41.2,9.8,51.2", 50), ("2.0,46.9,2.015,47.1", 1)):
        with django_assert_max_num_queries(1 + 3):
            response = client.get(reverse("catalogue:map-data"), {"bbox": bbox})
        assert response.status_code == 200
        features = response.json()["features"]
        assert sum(feature["properties"].get("count", 1) for feature in features) == shown, bbox
        with django_assert_num_queries(1):
            again = client.get(reverse("catalogue:map-data"), {"bbox": bbox})
        assert again.json() == response.json()


# --- Map data -------------------------------------------------------------------------------


def test_map_data_has_exactly_the_published_initiatives_with_a_location(client, pernes):
    kinds = [KindFactory(label="Tiers-lieu", position=1), KindFactory(label="Fab-lab", position=2)]
    located = InitiativeFactory(
        name="La Passerelle",
        summary="Une maison des entreprises.",
        commune=pernes,
        location=Point(3.1234567, 50.5678912, srid=4326),
        kinds=kinds,
    )
    InitiativeFactory(name="Sans lieu", location=None)
    InitiativeFactory(name="Brouillon", status=Status.DRAFT)
    InitiativeFactory(name="Archivée", status=Status.ARCHIVED)
    InitiativeFactory(name="À relire", status=Status.REVIEW)

    response = client.get(reverse("catalogue:map-data"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 1
    feature = data["features"][0]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [3.123457, 50.567891]}
    assert feature["properties"] == {
        "name": "La Passerelle",
        "commune": "Pernes",
        "kinds": ["Tiers-lieu", "Fab-lab"],
        "url": located.get_absolute_url(),
    }


def test_map_data_keeps_names_as_plain_text(client):
    # A point that stands for an area gets no commune from its location.
    InitiativeFactory(name="<img src=x onerror=alert(1)>", commune=None, location_precision="area")

    feature = client.get(reverse("catalogue:map-data")).json()["features"][0]

    assert feature["properties"]["name"] == "<img src=x onerror=alert(1)>"
    assert feature["properties"]["commune"] == ""
    assert feature["properties"]["kinds"] == []


def test_map_data_is_an_empty_collection_when_nothing_is_published(client):
    InitiativeFactory(status=Status.DRAFT)

    assert client.get(reverse("catalogue:map-data")).json() == {"type": "FeatureCollection", "features": []}


# --- The fiche --------------------------------------------------------------------------------


def test_fiche_shows_name_summary_kinds_themes_stage_and_place(client, rich_initiative):
    response = client.get(rich_initiative.get_absolute_url())

    assert response.status_code == 200
    html = text_of(response)
    assert "<h1>Cirque du Ternois</h1>" in html
    assert '<p class="fiche__summary">Une école de cirque qui devient tiers-lieu rural.</p>' in html
    # The site's tagline says "Tiers-lieux", the JSON-LD lists the themes and the trajectory its years:
    # only the fiche's own elements show that these facts are there.
    assert "<li>Tiers-lieu</li><li>École de cirque</li>" in html
    assert "<dt>Thèmes</dt><dd>Culture</dd>" in html
    assert "<dt>Étape</dt><dd>Préfiguration</dd>" in html
    assert "<dt>Projet lancé en</dt><dd>2016</dd>" in html
    assert "<dt>Ouvert en</dt><dd>2019</dd>" in html
    assert (
        '<dd><a href="/territoires/commune/62652/">Pernes</a>, '
        '<a href="/territoires/epci/200069672/">CC du Ternois</a>, '
        '<a href="/territoires/departement/62/">Pas-de-Calais (62)</a>, '
        '<a href="/territoires/region/32/">Hauts-de-France</a></dd>'
    ) in html
    served = rich_initiative.territories_served.get()
    assert (
        f'<dt>Territoires desservis</dt><dd><a href="{served.get_absolute_url()}">{served}</a></dd>' in html
    )
    assert "<dt>Adresse</dt><dd>Zone d&#x27;activités, 62550 Pernes</dd>" in html


def test_fiche_formats_key_figures_the_french_way(client, rich_initiative):
    html = text_of(client.get(rich_initiative.get_absolute_url()))

    assert f"4{NBSP}500{NBSP}m²" in html
    assert f"5{NBSP}000{NBSP}000{NBSP}€" in html
    assert f"350{NBSP}000{NBSP}€" in html
    assert f"1{NBSP}200" in html
    assert "<dd>9</dd>" in html


def test_fiche_renders_the_description_as_sanitised_markdown(client, rich_initiative):
    rich_initiative.description += "\n\n<script>alert(1)</script>"
    rich_initiative.save()

    html = text_of(client.get(rich_initiative.get_absolute_url()))

    assert "<strong>fixe</strong>" in html
    assert "<li>construction bois</li>" in html
    assert "<script>alert(1)</script>" not in html


def test_fiche_shows_the_legal_set_up(client, rich_initiative):
    html = text_of(client.get(rich_initiative.get_absolute_url()))

    # Each entity with its own form, role and numbers (a name such as "SCIC d'animation" holds the
    # label of its form: only the entity's list item says which form is whose).
    entities = [item.split("</li>", 1)[0] for item in html.split('<li class="entity">')[1:]]
    assert len(entities) == 3
    for entity, facts in zip(
        entities,
        [
            [
                '<h3 class="entity__name">Association du cirque</h3>',
                "<dt>Forme juridique</dt><dd>Association loi 1901</dd>",
                "<dt>Rôle</dt><dd>Porteur du projet</dd>",
                "<dt>numéro RNA</dt><dd>W623001234</dd>",
            ],
            [
                '<h3 class="entity__name">SCI du chapiteau</h3>',
                "<dt>Forme juridique</dt><dd>SCI</dd>",
                "<dt>Rôle</dt><dd>Propriétaire ou maître d’ouvrage</dd>",
                "<dt>numéro SIREN</dt><dd>123456789</dd>",
            ],
            [
                '<h3 class="entity__name">SCIC d&#x27;animation</h3>',
                "<dt>Forme juridique</dt><dd>SCIC</dd>",
                "<dt>Rôle</dt><dd>Exploitation ou animation</dd>",
                '<p class="note">En cours de validation.</p>',
            ],
        ],
        strict=True,
    ):
        for fact in facts:
            assert fact in entity, fact


def test_fiche_groups_partners_by_role(client, rich_initiative):
    html = text_of(client.get(rich_initiative.get_absolute_url()))

    funders = html.index(f"<h3>{capfirst(Partnership.Role.FUNDER.label)}</h3>")
    landowners = html.index(f"<h3>{capfirst(Partnership.Role.LANDOWNER.label)}</h3>")
    # Roles in the model's order, each partner under its own role.
    assert funders < html.index("Nord Actif") < html.index("Région Hauts-de-France") < landowners
    assert landowners < html.index("Communauté de communes du Ternois")


def test_fiche_shows_funding_lines(client, rich_initiative):
    html = text_of(client.get(rich_initiative.get_absolute_url()))

    # The tool's name links to its page in the toolbox.
    row = html[html.index(">FIDESS</a></td>") :].split("</tr>", 1)[0]
    assert "Caisse des Dépôts" in row
    assert f"25{NBSP}000{NBSP}€" in row
    assert "2018" in row
    assert "Fonds de confiance." in row


def test_fiche_shows_the_trajectory_in_year_order(client, rich_initiative):
    html = text_of(client.get(rich_initiative.get_absolute_url()))

    first = html.index("Recherche d&#x27;un lieu fixe")
    second = html.index("Création de la SCIC")
    third = html.index("Ouverture du lieu fixe")
    assert first < second < third
    assert "La commune propose un terrain de la zone d&#x27;activités." in html


def test_fiche_shows_levers_and_obstacles_with_their_notes(client, rich_initiative):
    html = text_of(client.get(rich_initiative.get_absolute_url()))

    assert "Mise à disposition foncière" in html
    assert "Terrain vendu à prix facilité." in html
    assert "Temporalités différentes" in html
    assert "Le temps des élus n&#x27;est pas celui du projet." in html


def test_fiche_shows_contacts_sources_and_verification(client, rich_initiative):
    html = text_of(client.get(rich_initiative.get_absolute_url()))

    assert '<a href="https://www.example.org/cirque" rel="noopener">' in html
    assert 'href="mailto:contact@example.org"' in html
    assert 'href="tel:0321000000"' in html
    assert '<div class="sources"><p>Atelier n°4 du RNIT, Montpellier, 15 mai 2018.</p></div>' in html
    # The sources say "15 mai 2018" too: the verification is its own line.
    assert "<dd>Vérifiée le 15 mai 2018</dd>" in html


def test_fiche_says_when_an_entry_is_not_verified(client):
    initiative = InitiativeFactory(verified_on=None)

    html = text_of(client.get(initiative.get_absolute_url()))

    with translation.override("fr"):
        assert f"<dd>{translation.gettext('Not verified')}</dd>" in html


def test_fiche_has_a_small_map_only_when_the_initiative_has_a_location(client):
    located = InitiativeFactory(location=Point(2.41, 50.48, srid=4326))
    nowhere = InitiativeFactory(location=None)

    located_html = text_of(client.get(located.get_absolute_url()))
    nowhere_html = text_of(client.get(nowhere.get_absolute_url()))

    assert 'id="initiative-map"' in located_html
    assert '"lat": 50.48' in located_html and '"lng": 2.41' in located_html
    assert "leaflet.js" in located_html
    assert 'id="initiative-map"' not in nowhere_html
    assert "leaflet.js" not in nowhere_html


def test_fiche_links_the_print_stylesheet(client):
    html = text_of(client.get(InitiativeFactory().get_absolute_url()))

    assert 'css/print.css" media="print"' in html


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.ARCHIVED])
def test_fiche_of_an_unpublished_initiative_is_not_found(client, status):
    initiative = InitiativeFactory(status=status)

    response = client.get(initiative.get_absolute_url())

    assert response.status_code == 404
    assert initiative.name not in text_of(response)


def test_fiche_of_an_unknown_slug_is_not_found(client):
    assert client.get(reverse("catalogue:initiative-detail", kwargs={"slug": "inconnue"})).status_code == 404


def test_fiche_uses_a_bounded_number_of_queries_whatever_the_number_of_rows(
    client, rich_initiative, django_assert_max_num_queries
):
    url = rich_initiative.get_absolute_url()
    with_few = count_queries(client, url)

    for n in range(10):
        LegalEntityFactory(initiative=rich_initiative)
        PartnershipFactory(initiative=rich_initiative, role=Partnership.Role.TECHNICAL_SUPPORT)
        FundingFactory(initiative=rich_initiative, funder=OrganizationFactory())
        MilestoneFactory(initiative=rich_initiative, year=2000 + n)
        InitiativeLever.objects.create(initiative=rich_initiative, lever=LeverFactory())
        InitiativeObstacle.objects.create(initiative=rich_initiative, obstacle=ObstacleFactory())
        rich_initiative.kinds.add(KindFactory())
        rich_initiative.themes.add(ThemeFactory())
    with_many = count_queries(client, url)

    assert with_many == with_few
    # Warm, the comparable projects come from the cache, under the catalogue's version (one query).
    with django_assert_max_num_queries(12):
        client.get(url)


# --- Language -------------------------------------------------------------------------------


def test_language_switcher_switches_to_english(client):
    InitiativeFactory(name="Saint So Bazaar")
    home = text_of(client.get(reverse("catalogue:map")))
    assert f'action="{reverse("set_language")}"' in home
    assert '<option value="en"' in home

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    english = client.get("/")
    assert english.headers["Content-Language"] == "en"
    html = text_of(english)
    assert '<html lang="en">' in html
    assert '<option value="en" lang="en" selected>' in html
    assert "Saint So Bazaar" in html


# --- The seed -------------------------------------------------------------------------------


def test_seed_fiche_of_cirqu_en_cavale_shows_pernes_its_jobs_and_its_scic(client, seed):
    cirque = Initiative.objects.published().get(name__icontains="Cavale")

    html = text_of(client.get(cirque.get_absolute_url()))

    # Its description names Pernes-en-Artois and its SCIC: the facts are in their own elements.
    assert (
        '<dd><a href="/territoires/commune/62652/">Pernes</a>, '
        '<a href="/territoires/epci/200069672/">CC du Ternois</a>, '
        '<a href="/territoires/departement/62/">Pas-de-Calais (62)</a>, '
        '<a href="/territoires/region/32/">Hauts-de-France</a></dd>'
    ) in html
    assert "<dt>Emplois (équivalents temps plein)</dt><dd>9</dd>" in html
    assert "<dt>Forme juridique</dt><dd>SCIC</dd>" in html


def test_home_list_page_out_of_range_shows_the_nearest_page_rather_than_an_error(client):
    InitiativeFactory(name="La seule initiative")

    for page in ("999", "abc", "-1", "1" * 40):
        response = client.get(reverse("catalogue:map"), {"page": page})
        assert response.status_code == 200
        assert "La seule initiative" in text_of(response)
