"""Comparable projects: the likeness (``catalogue.similarity``) on the seed's entries, the fiche's
"Projets comparables" and the "comme le mien" page with its form, its filters and its bad input."""

import random
import re
from html import unescape
from io import StringIO

import pytest
from django.conf import settings as settings_module
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue import similarity
from catalogue.indexing import deferred
from catalogue.models import FundingTool, Initiative, Kind, LegalForm, Lever, Stage, Theme
from territories.models import DensityClass, Territory
from tests.factories import FundingFactory, InitiativeFactory, LegalEntityFactory, commune

pytestmark = pytest.mark.django_db


def text_of(response):
    """The page's text as a reader sees it: tags removed, spaces collapsed, entities decoded."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # Numbers keep their digits together with non-breaking spaces, which read as spaces.
    text = unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", text).strip()


def section(response, start, end):
    """The text between two headings (or marks) of the page."""
    text = text_of(response)
    assert start in text, text[:2000]
    after = text[text.index(start) :]
    return after[: after.index(end)] if end in after else after


def comparable_names(response):
    """The names of the comparable projects listed, in their order."""
    html = response.content.decode()
    block = html[html.index('class="comparable-list"') :]
    block = block[: block.index("</ol>")]
    return [
        unescape(name)
        for name in re.findall(r'class="initiative-card__name"><a href="[^"]+">([^<]+)</a>', block)
    ]


def fiche(slug):
    return Initiative.objects.for_fiche().get(slug=slug)


def sparse_commune_of(departement):
    """A real commune of a département, sparsely populated rural, with its EPCI."""
    return (
        Territory.objects.communes()
        .filter(code__startswith=departement, density_class=DensityClass.SPARSE, epci__isnull=False)
        .order_by("code")
        .first()
    )


def with_forms(initiative, *slugs):
    for slug in slugs:
        LegalEntityFactory(initiative=initiative, legal_form=LegalForm.objects.get(slug=slug))
    return initiative


# --- The likeness on the seed ---------------------------------------------------------------------


def test_an_initiative_is_never_its_own_comparable_nor_a_demo_entry(seed):
    InitiativeFactory(name="Démo pareille", is_demo=True, commune=commune("62652"))
    for initiative in Initiative.objects.published():
        names = [
            c.initiative.name
            for c in similarity.comparables(similarity.Profile.of_initiative(fiche(initiative.slug)))
        ]
        assert initiative.name not in names
        assert "Démo pareille" not in names


def test_cirquen_cavale_is_closest_to_la_passerelle_and_says_why(seed, client):
    response = client.get(fiche("cirquen-cavale").get_absolute_url())

    names = comparable_names(response)
    assert names[0] == "La Passerelle"
    assert set(names) <= {
        "La Passerelle",
        "Saint So Bazaar",
        "Centres Sociaux Connectés",
        "Friche Fives Cail",
    }
    text = section(response, "Projets comparables", "Trouver des projets comparables au mien")
    passerelle = text[text.index("La Passerelle") : text.index(names[1])] if len(names) > 1 else text
    # Both are where INSEE's density puts them, at the emergence stage, with an investment grant.
    assert "territoire de densité intermédiaire, comme celui-ci" in passerelle
    assert "même levier : Subvention d'investissement" in passerelle
    assert "au même stade : émergence" in passerelle


def test_reasons_are_the_largest_terms_of_the_score(seed):
    reference = similarity.Profile.of_initiative(fiche("saint-so-bazaar"))
    for comparable in similarity.comparables(reference):
        values = [term.value for term in comparable.terms]
        assert values == sorted(values, reverse=True)
        assert comparable.score == pytest.approx(sum(values))
        assert 1 <= len(comparable.reasons) <= similarity.MAX_REASONS
        # Each reason is one of the largest terms, in order: the first is the largest.
        first = similarity.reason(comparable.terms[0], similarity._labels(comparable.terms))
        assert comparable.reasons[0] == first


def test_saint_so_bazaar_ranks_the_other_lille_entries_first_for_their_territory(seed):
    reference = similarity.Profile.of_initiative(fiche("saint-so-bazaar"))
    ranked = similarity.comparables(reference)

    names = [c.initiative.name for c in ranked]
    assert names[:2] == ["Friche Fives Cail", "Centres Sociaux Connectés"]
    assert "territoire densément peuplé, comme celui-ci" in ranked[0].reasons


def test_a_project_funded_by_the_dla_lists_others_funded_by_the_dla_with_that_reason(seed, client):
    dla = FundingTool.objects.get(slug="dla")
    funded = InitiativeFactory(name="Café des Possibles", commune=commune("62041"))
    FundingFactory(initiative=funded, tool=dla, funder=None)
    FundingFactory(initiative=Initiative.objects.get(slug="cirquen-cavale"), tool=dla, funder=None)

    response = client.get(fiche("cirquen-cavale").get_absolute_url())

    text = section(response, "Projets comparables", "Trouver des projets comparables au mien")
    assert "Café des Possibles" in comparable_names(response)
    after = text[text.index("Café des Possibles") :]
    assert "aussi financé par : DLA (dispositif local d'accompagnement)" in after


def test_a_fiche_without_anything_in_common_says_so(client, territories):
    alone = InitiativeFactory(name="Seule au monde", commune=None, location=None)

    response = client.get(alone.get_absolute_url())

    assert "Aucune autre initiative publiée n’est encore comparable à celle-ci." in text_of(response)


def test_drafts_and_archived_entries_are_never_comparables(seed):
    for status in (Initiative.Status.DRAFT, Initiative.Status.REVIEW, Initiative.Status.ARCHIVED):
        twin = InitiativeFactory(name=f"Jumelle {status}", status=status, commune=commune("62652"))
        with_forms(twin, "association", "scic", "sci")
    reference = similarity.Profile.of_initiative(fiche("cirquen-cavale"))

    names = [c.initiative.name for c in similarity.comparables(reference, limit=20)]

    assert not [name for name in names if name.startswith("Jumelle")]


def test_the_fiche_with_its_comparables_reads_a_bounded_number_of_queries(
    seed, client, django_assert_max_num_queries
):
    url = fiche("cirquen-cavale").get_absolute_url()
    for number in range(30):
        with_forms(
            InitiativeFactory(name=f"Pareille {number}", commune=commune("62652")), "association", "scic"
        )
    with django_assert_max_num_queries(30):
        response = client.get(url)
    assert len(comparable_names(response)) == 5


# --- "Comme le mien" ---------------------------------------------------------------------------


URL = reverse("catalogue:comparables")


def test_the_home_page_links_to_the_form(client, seed):
    response = client.get(reverse("catalogue:map"))
    assert f'href="{URL}"' in response.content.decode()
    assert "Projets comparables au mien" in text_of(response)


def test_an_empty_form_asks_and_lists_nothing(client, seed):
    response = client.get(URL)

    assert response.status_code == 200
    text = text_of(response)
    assert "Trouver des projets comparables au mien" in text
    assert 'class="comparable-list"' not in response.content.decode()


def test_a_rural_association_and_scic_project_ranks_rural_projects_above_metropolitan_ones(client, seed):
    village = sparse_commune_of("62")
    rural = with_forms(
        InitiativeFactory(name="Ferme des Communs", commune=sparse_commune_of("80"), location=None),
        "association",
        "scic",
    )
    metropolitan = with_forms(
        InitiativeFactory(name="Halle de Lille", commune=commune("59350")), "association", "scic"
    )

    response = client.get(URL, {"lieu": village.code, "forme": ["association", "scic"]})

    names = comparable_names(response)
    assert names.index(rural.name) < names.index(metropolitan.name)
    text = text_of(response)
    ferme = text[text.index("Ferme des Communs") :]
    assert "territoire rural peu dense, comme le vôtre" in ferme[:600]
    assert "mêmes formes juridiques : Association loi 1901, SCIC" in ferme[:600]


def test_the_form_with_a_commune_compares_its_populations(client, seed):
    response = client.get(URL, {"lieu": "Pernes (62)", "type": "tiers-lieu"})

    names = comparable_names(response)
    assert names[0] == "Cirqu'en-Cavale"
    text = text_of(response)
    cirque = text[text.index("Cirqu'en-Cavale") :]
    assert "commune de 1 574 habitants, comme la vôtre" in cirque[:700]
    assert "même type : Tiers-lieu" in cirque[:700]
    # The box shows the place understood.
    assert 'value="Pernes (62)"' in response.content.decode()


def test_the_form_with_an_epci_compares_intercommunalities(client, seed):
    pevele = Territory.objects.get(kind=Territory.Kind.EPCI, name__icontains="Pévèle")

    response = client.get(URL, {"lieu": pevele.code, "type": "fab-lab"})

    names = comparable_names(response)
    assert names[0] == "La Passerelle"
    text = text_of(response)
    assert "EPCI de 100 000 habitants, comme le vôtre" in text


def test_near_me_keeps_only_initiatives_within_the_radius_and_says_how_far(client, seed):
    response = client.get(URL, {"lieu": "Lille (59)", "type": "tiers-lieu", "portee": "pres", "rayon": 30})

    names = comparable_names(response)
    assert "Cirqu'en-Cavale" not in names  # Pernes is some 60 km from Lille
    assert "Saint So Bazaar" in names
    assert re.search(r"à \d+ km", text_of(response))


def test_the_usual_filters_narrow_the_candidates(client, seed):
    response = client.get(URL, {"type": "tiers-lieu", "territoire": "Pas-de-Calais"})

    assert comparable_names(response) == ["Cirqu'en-Cavale"]


def test_the_url_holds_the_whole_form(client, seed):
    query = {
        "lieu": "Pernes (62)",
        "type": ["tiers-lieu", "fab-lab"],
        "forme": "scic",
        "surface": "800",
        "investissement": "1200000",
        "outil": "dla",
        "levier": "ami",
        "etape": "emergence",
        "portee": "france",
    }
    html = client.get(URL, query).content.decode()

    for value in ("tiers-lieu", "fab-lab", "scic", "dla", "ami"):
        assert re.search(rf'value="{value}"[^>]*checked', html), value
    assert 'value="800"' in html and 'value="1200000"' in html
    assert re.search(r'<option value="emergence" selected>', html)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"lieu": "Atlantide-sur-Mer"}, "Aucune commune ni aucun territoire ne correspond"),
        (
            {"lieu": "Pernes (62)", "surface": "-40"},
            "Assurez-vous que cette valeur est supérieure ou égale à 0.",
        ),
        ({"type": ["tiers-lieu"] * 40}, "Choisissez au plus 20 valeurs ici."),
        ({"type": "pas-un-type"}, "Sélectionnez un choix valide"),
        ({"lieu": "Nord"}, "Choisissez une commune ou une intercommunalité"),
        ({"portee": "pres", "type": "tiers-lieu"}, "Indiquez votre commune ou votre intercommunalité"),
        ({"lieu": "Pernes (62)", "rayon": "0", "portee": "pres"}, "supérieure ou égale à 1"),
    ],
)
def test_bad_input_gets_a_clear_message_keeps_what_was_typed_and_lists_nothing(client, seed, query, message):
    response = client.get(URL, query)

    assert response.status_code == 200
    assert message in text_of(response)
    assert 'class="comparable-list"' not in response.content.decode()
    if query.get("lieu") == "Atlantide-sur-Mer":
        assert 'value="Atlantide-sur-Mer"' in response.content.decode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "lieu",
                "type",
                "theme",
                "forme",
                "outil",
                "levier",
                "etape",
                "surface",
                "investissement",
                "emplois",
                "portee",
                "rayon",
                "territoire",
                "reseau",
                "densite",
                "q",
                "page",
            ]
        ),
        st.text(max_size=30),
        max_size=6,
    )
)
def test_no_query_string_gives_an_error_page(client, seed, query):
    response = client.get(URL, query)
    assert response.status_code == 200


# --- The SQL narrowing loses nothing --------------------------------------------------------------


@pytest.mark.parametrize("draw", [1, 2, 3])
def test_the_narrowed_ranking_is_the_ranking_of_every_initiative_scored(seed, draw):
    """With fewer candidates than the pool, the SQL narrowing and the profiles read from the facet
    values' table give exactly the ranking of every published initiative scored from its own rows."""
    rng = random.Random(draw)
    kinds, themes, levers = list(Kind.objects.all()), list(Theme.objects.all()), list(Lever.objects.all())
    forms, tools = list(LegalForm.objects.all()), list(FundingTool.objects.all())
    communes = list(Territory.objects.communes().filter(code__startswith="62").order_by("code")[:40])
    with deferred():
        for number in range(40):
            initiative = InitiativeFactory(
                name=f"Tirage {draw}-{number}",
                commune=rng.choice(communes),
                stage=rng.choice([*Stage.values, ""]),
                surface_m2=rng.choice([None, rng.randint(50, 5000)]),
                investment_eur=rng.choice([None, rng.randint(10_000, 5_000_000)]),
                kinds=rng.sample(kinds, rng.randint(0, 2)),
            )
            initiative.themes.set(rng.sample(themes, rng.randint(0, 2)))
            for form in rng.sample(forms, rng.randint(0, 2)):
                with_forms(initiative, form.slug)
            for tool in rng.sample(tools, rng.randint(0, 2)):
                FundingFactory(initiative=initiative, tool=tool, funder=None)
            for lever in rng.sample(levers, rng.randint(0, 2)):
                initiative.initiativelever_set.create(lever=lever)
    reference = similarity.Profile.of_initiative(fiche("cirquen-cavale"))

    narrowed = [(c.initiative.pk, round(c.score, 9)) for c in similarity.comparables(reference, limit=15)]

    everyone = []
    for other in Initiative.objects.published().exclude(pk=reference.pk).for_fiche():
        terms = similarity.terms(reference, similarity.Profile.of_initiative(other))
        if terms and terms[0].value >= similarity.MIN_REASON:
            everyone.append((-sum(term.value for term in terms), other.name, other.pk))
    everyone.sort()
    assert narrowed == [(pk, round(-score, 9)) for score, _name, pk in everyone[:15]]


def test_a_fiches_comparables_kept_in_the_cache_never_outlive_a_change(seed, client):
    url = fiche("cirquen-cavale").get_absolute_url()
    assert "Ferme du Ternois" not in comparable_names(client.get(url))

    twin = with_forms(
        InitiativeFactory(name="Ferme du Ternois", commune=commune("62652")), "association", "scic", "sci"
    )
    assert comparable_names(client.get(url))[0] == twin.name

    twin.status = Initiative.Status.ARCHIVED
    twin.save()
    assert twin.name not in comparable_names(client.get(url))


# --- The official words for a territory ---------------------------------------------------------

OFFICIAL = settings_module.BASE_DIR.parent / "shared" / "data" / "territoires"


def test_where_the_official_files_are_loaded_the_likeness_speaks_their_words(client, seed):
    if not OFFICIAL.is_dir():
        pytest.skip(f"the official files are not beside the repository ({OFFICIAL})")
    call_command("load_classifications", str(OFFICIAL), stdout=StringIO())
    # Frévent and Hesdin are both "Petites villes de demain" in the ANCT's file.
    hesdin = InitiativeFactory(name="Tiers-lieu d'Hesdin", commune=commune("62447"), location=None)
    hesdin.kinds.set(Kind.objects.filter(slug="tiers-lieu"))
    frevent = commune("62361")
    assert "pvd" in frevent.programmes and "pvd" in commune("62447").programmes

    response = client.get(URL, {"lieu": "Frévent (62)", "type": "tiers-lieu"})

    assert comparable_names(response)[0] == "Tiers-lieu d'Hesdin"
    text = text_of(response)
    hesdin_text = text[text.index("Tiers-lieu d'Hesdin") :][:700]
    assert "commune « Petites villes de demain », comme la vôtre" in hesdin_text
