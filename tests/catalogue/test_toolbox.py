"""The workshop's toolbox on the public site: the index « Leviers et outils de l'action publique »
and the page of each funding tool, lever, obstacle and network, as a reader sees them; their links
from the fiche and the filters; and the seed's facts they show (La Passerelle mended, the lever
« réseaux d'accompagnement », the networks' resources)."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import Network, NetworkResource
from catalogue.models import (
    FundingTool,
    Initiative,
    InitiativeLever,
    InitiativeObstacle,
    LegalEntity,
    Lever,
    Obstacle,
    Partnership,
)
from catalogue.views.toolbox import LISTED
from tests.factories import (
    FundingFactory,
    FundingToolFactory,
    InitiativeFactory,
    KindFactory,
    LeverFactory,
    NetworkFactory,
    ObstacleFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

CARD_NAME = re.compile(r'class="initiative-card__name"><a href="([^"]+)">([^<]+)</a>')
INDEX_ROW = re.compile(r'<li><a href="([^"]+)">([^<]+)</a> <span class="toolbox-count">\((\d+) ')


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return unescape(response.content.decode())


def section(html, section_id):
    """The HTML of the index's section ``section_id``."""
    return html.split(f'<section id="{section_id}"', 1)[1].split("</section>", 1)[0]


def index_rows(html, section_id):
    """{label: (link, count)} of a section of the index."""
    return {label: (link, int(n)) for link, label, n in INDEX_ROW.findall(section(html, section_id))}


def cards(html):
    """The names of the initiatives' cards of a page, in order."""
    return [name for _link, name in CARD_NAME.findall(html)]


def french(text):
    with translation.override("fr"):
        return translation.gettext(text)


def tool_url(slug):
    return reverse("catalogue:funding-tool", kwargs={"slug": slug})


def lever_url(slug):
    return reverse("catalogue:lever", kwargs={"slug": slug})


def obstacle_url(slug):
    return reverse("catalogue:obstacle", kwargs={"slug": slug})


def network_url(slug):
    return reverse("catalogue:network", kwargs={"slug": slug})


def curated(network, **fields):
    """An initiative that ``network`` curates."""
    initiative = InitiativeFactory(**fields)
    initiative.networks.add(network)
    return initiative


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- The index ----------------------------------------------------------------------------------


def test_index_lists_every_tool_lever_obstacle_and_network_with_its_published_initiatives(client, seed):
    html = page(client, reverse("catalogue:toolbox"))

    assert "<h1>Leviers et outils de l’action publique</h1>" in html
    tools = index_rows(html, "financements")
    assert {label: n for label, (_link, n) in tools.items()} == {
        "FIDESS": 0,
        "DLA (dispositif local d'accompagnement)": 0,
        "PIA Écocité « Ville de demain »": 0,
        "AMI (appel à manifestation d'intérêt)": 0,
        "Appel à projets": 0,
        "Bail emphytéotique": 1,  # Saint So Bazaar
        "Subvention d'investissement": 1,  # La Passerelle
        "Financement participatif": 0,
    }
    links = {label: link for label, (link, _n) in tools.items()}
    assert links == {tool.label: tool_url(tool.slug) for tool in FundingTool.objects.all()}

    levers = index_rows(html, "leviers")
    assert {label: n for label, (_link, n) in levers.items()} == {
        "AMI (appel à manifestation d'intérêt)": 1,
        "Appel à projets": 0,
        "Préfiguration": 0,
        "Tiers-lieu co-porté (collectivité et associatif)": 0,
        "Soutien public affiché des élus": 0,
        "Facilités foncières (mise à disposition, vente du terrain)": 1,
        "Bail emphytéotique": 1,
        "Subvention d'investissement": 2,  # Cirqu'en-Cavale and La Passerelle
        "Budget participatif / budget d'initiative locale": 0,
        "Temps communs tout au long du projet": 0,
        "Réseaux d'accompagnement": 0,
    }
    # In the workshop's order, each to its page.
    assert list(levers) == list(Lever.objects.values_list("label", flat=True))
    assert levers["Préfiguration"][0] == lever_url("prefiguration")

    obstacles = index_rows(html, "freins")
    assert list(obstacles) == list(Obstacle.objects.values_list("label", flat=True))
    assert {n for _link, n in obstacles.values()} == {0}  # the seed ties no entry to an obstacle
    assert obstacles["Compétences"][0] == obstacle_url("competences")

    networks = index_rows(html, "reseaux")
    assert set(networks) == set(Network.objects.values_list("name", flat=True))
    assert networks["CAP Rural"] == (network_url("cap-rural"), 0)


def test_index_groups_the_funding_tools_by_nature(client, seed):
    block = section(page(client, reverse("catalogue:toolbox")), "financements")
    groups = dict(re.findall(r"<h3>([^<]+)</h3>\s*<ul class=\"toolbox-list\">(.*?)</ul>", block, re.S))

    with translation.override("fr"):
        call = str(FundingTool.Nature.CALL.label).capitalize()
        support = str(FundingTool.Nature.SUPPORT.label).capitalize()
    assert "AMI (appel à manifestation d'intérêt)" in groups[call]
    assert "Appel à projets" in groups[call]
    assert "DLA (dispositif local d'accompagnement)" in groups[support]
    # The FIDESS, whose nature the seed does not give, comes last under its own heading.
    assert list(groups)[-1] == french("Nature not given") and "FIDESS" in groups[list(groups)[-1]]


def test_index_counts_published_initiatives_once_each(client, db):
    tool = FundingToolFactory(label="Fonds test")
    lever = LeverFactory(label="Levier test")
    network = NetworkFactory(name="Réseau test")
    funded = curated(network)
    FundingFactory(initiative=funded, tool=tool, year=2019)
    FundingFactory(initiative=funded, tool=tool, year=2020)  # two lines: one initiative
    InitiativeLever.objects.create(initiative=funded, lever=lever)
    draft = curated(network, status=Initiative.Status.DRAFT)
    FundingFactory(initiative=draft, tool=tool)
    InitiativeLever.objects.create(initiative=draft, lever=lever)

    html = page(client, reverse("catalogue:toolbox"))

    assert index_rows(html, "financements")["Fonds test"][1] == 1
    assert index_rows(html, "leviers")["Levier test"][1] == 1
    assert index_rows(html, "reseaux")["Réseau test"][1] == 1


def test_index_is_in_the_header_and_the_footer(client, seed):
    html = page(client, reverse("catalogue:map"))
    header = html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
    footer = html.split('<footer class="site-footer">', 1)[1].split("</footer>", 1)[0]

    assert f'<a href="{reverse("catalogue:toolbox")}">{french("Levers and tools")}</a>' in header
    assert f'<a href="{reverse("catalogue:toolbox")}">Leviers et outils de l’action publique</a>' in footer


# --- A funding tool -----------------------------------------------------------------------------


def test_dla_page_gives_its_operator_and_says_the_seed_names_no_entry_it_funded(client, seed):
    html = page(client, tool_url("dla"))

    assert "<h1>DLA (dispositif local d'accompagnement)</h1>" in html
    assert "« DLA individuels ou collectifs, opéré par le réseau France Active »" in html
    assert re.search(r"<dt>Opérateur</dt><dd>France Active</dd>", html)
    assert re.search(r"<dt>Cofinanceurs</dt><dd>non renseigné</dd>", html)
    # No seed entry says the DLA funded it: the page says so rather than listing anything.
    assert cards(html) == []
    assert french("No published initiative says it was funded by this tool yet.") in html


def test_dla_page_lists_the_published_initiatives_funded_by_the_dla_with_their_lines(client, seed):
    dla = FundingTool.objects.get(slug="dla")
    cirque = Initiative.objects.get(slug="cirquen-cavale")
    FundingFactory(
        initiative=cirque,
        tool=dla,
        funder=OrganizationFactory(name="Pas-de-Calais Actif"),
        amount=12000,
        year=2019,
    )
    FundingFactory(initiative=cirque, tool=dla, funder=None, note="Un second accompagnement, collectif.")
    FundingFactory(
        initiative=InitiativeFactory(name="Brouillon financé", status=Initiative.Status.DRAFT), tool=dla
    )
    FundingFactory(
        initiative=InitiativeFactory(name="Archivé financé", status=Initiative.Status.ARCHIVED), tool=dla
    )

    html = page(client, tool_url("dla"))

    assert cards(html) == ["Cirqu'en-Cavale"]
    lines = html.split('class="toolbox-rows"', 1)[1].split("</ul>", 1)[0]
    assert "<dt>Financeur</dt><dd>Pas-de-Calais Actif</dd>" in lines
    assert re.search(r"<dt>Montant</dt><dd>12\s000\s€</dd>", lines)
    assert "<dt>Année</dt><dd>2019</dd>" in lines
    assert "Un second accompagnement, collectif." in lines
    assert "Brouillon financé" not in html and "Archivé financé" not in html
    # The list filtered by the tool has them all.
    assert f'href="{reverse("catalogue:map")}?outil=dla"' in html


def test_fidess_page_gives_its_operator_and_co_funders(client, seed):
    html = page(client, tool_url("fidess"))

    assert "<dt>Opérateur</dt><dd>Nord Actif</dd>" in html
    co_funders = re.search(r"<dt>Cofinanceurs</dt><dd>([^<]+)</dd>", html)[1]
    assert set(co_funders.split(", ")) == {"Région Hauts-de-France", "Caisse des Dépôts et Consignations"}
    assert "<dt>Nature</dt><dd>non renseigné</dd>" in html


def test_lease_page_lists_saint_so_bazaar_with_its_funding_line(client, seed):
    html = page(client, tool_url("bail-emphyteotique"))

    assert cards(html) == ["Saint So Bazaar"]
    assert "<dt>Financeur</dt><dd>Ville de Lille</dd>" in html
    assert "« reste propriétaire du site sous bail emphytéotique »" in html
    # No amount and no year in the seed: none is printed.
    lines = html.split('class="toolbox-rows"', 1)[1].split("</ul>", 1)[0]
    assert "<dt>Montant</dt>" not in lines and "<dt>Année</dt>" not in lines


def test_a_tool_without_description_says_so(client, db):
    tool = FundingToolFactory(label="Outil muet", description="")

    html = page(client, tool.get_absolute_url())

    assert french("The sources say nothing more of this tool.") in html


# --- A lever, an obstacle -----------------------------------------------------------------------


def test_lever_page_says_what_the_workshop_said_and_each_initiatives_note(client, seed):
    html = page(client, lever_url("subvention-investissement"))

    assert "<h1>Subvention d'investissement</h1>" in html
    assert "« Appuis en subventions d'investissement sur le bâtiment » (Cirqu'en-Cavale)." in html
    assert cards(html) == ["Cirqu'en-Cavale", "La Passerelle"]
    notes = re.findall(r'<p class="toolbox-note">.*?</span> ([^<]+)</p>', html)
    assert notes == [
        InitiativeLever.objects.get(
            initiative__slug="cirquen-cavale", lever__slug="subvention-investissement"
        ).note,
        InitiativeLever.objects.get(
            initiative__slug="la-passerelle", lever__slug="subvention-investissement"
        ).note,
    ]
    assert "« Dont une partie sera subventionnée » (sur un coût de 3 M€)" in notes[1]
    assert f'href="{reverse("catalogue:map")}?levier=subvention-investissement"' in html


def test_ami_lever_page_shows_saint_so_bazaar_and_its_note(client, seed):
    html = page(client, lever_url("ami"))

    assert cards(html) == ["Saint So Bazaar"]
    assert "plus d'une trentaine d'acteurs ont répondu et co-construit pendant 3 matinées" in html


def test_lever_without_initiative_says_so(client, seed):
    html = page(client, lever_url("prefiguration"))

    assert "« Utiliser la logique de préfiguration » (Laurent Courouble)." in html
    assert cards(html) == []
    assert french("No published initiative says it used this lever yet.") in html


def test_obstacle_page_lists_the_initiatives_that_met_it_with_their_note(client, seed):
    silos = Obstacle.objects.get(slug="silos-hierarchie")
    met = InitiativeFactory(name="Tiers-lieu freiné")
    InitiativeObstacle.objects.create(initiative=met, obstacle=silos, note="Trois services à convaincre.")
    draft = InitiativeFactory(name="Brouillon freiné", status=Initiative.Status.DRAFT)
    InitiativeObstacle.objects.create(initiative=draft, obstacle=silos)

    html = page(client, obstacle_url("silos-hierarchie"))

    assert "« Problème du fonctionnement en silo ; le territorial plus adapté que le sectoriel ? »" in html
    assert cards(html) == ["Tiers-lieu freiné"]
    assert "Trois services à convaincre." in html
    # The catalogue has no facet on obstacles: no link to a filtered list that would not filter.
    assert "?levier=" not in html and "toolbox-listed__link" not in html


def test_a_lever_without_description_says_so(client, db):
    lever = LeverFactory(label="Levier muet", description="")

    html = page(client, lever.get_absolute_url())

    assert french("The workshop's report says nothing more of it.") in html


def test_demo_entries_are_marked_and_listed_after_the_real_ones(client, db):
    lever = LeverFactory()
    for name, is_demo in (("Aaa démo", True), ("Zzz réelle", False)):
        InitiativeLever.objects.create(initiative=InitiativeFactory(name=name, is_demo=is_demo), lever=lever)

    html = page(client, lever.get_absolute_url())

    assert cards(html) == ["Zzz réelle", "Aaa démo"]
    assert html.count('class="demo-badge"') == 1
    assert html.index('class="demo-badge"') > html.index("Aaa démo")


def test_a_page_lists_at_most_so_many_initiatives_and_links_to_them_all(client, db):
    lever = LeverFactory(slug="levier-frequent")
    for n in range(LISTED + 2):
        InitiativeLever.objects.create(initiative=InitiativeFactory(name=f"Initiative {n:03}"), lever=lever)

    html = page(client, lever.get_absolute_url())

    assert len(cards(html)) == LISTED
    assert f"{LISTED + 2} initiatives publiées." in html
    assert f'href="{reverse("catalogue:map")}?levier=levier-frequent"' in html


# --- A network ----------------------------------------------------------------------------------


def test_cap_rural_page_shows_its_resources_with_their_links(client, seed):
    html = page(client, network_url("cap-rural"))

    assert "<h1>CAP Rural</h1>" in html
    assert '<a href="http://www.caprural.org/" rel="noopener">http://www.caprural.org/</a>' in html
    resources = re.findall(r'<a class="resource__title" href="([^"]+)" rel="noopener">([^<]+)</a>', html)
    assert resources == [
        (
            "http://www.caprural.org/co-construire/l-innovation/5170-5-min-pour-comprendre-l-innovation-en-video",
            "5 min pour comprendre l'innovation en vidéo",
        ),
        (
            "http://caprural.org/co-construire/l-innovation/4878-innovation-et-innovation-territoriale-elements-de-definitions",
            "Innovation et innovation territoriale : éléments de définitions",
        ),
        (
            "http://caprural.org/co-construire/l-innovation/5171-l-innovation-est-aussi-un-processus-de-fabrication-et-de-transformation",
            "L'innovation est aussi un processus de fabrication et de transformation",
        ),
        (
            "http://www.caprural.org/regards-croises-sur-le-metier",
            "Regards croisés sur les métiers du développement local",
        ),
        ("http://www.caprural.org/nous-connaitre/publications-caprural", "Les ressources de CAP Rural"),
    ]
    assert "présentée et distribuée lors de l'atelier" in html
    # The seed ties no entry to a network: the page says so.
    assert cards(html) == []
    assert french("No published initiative is curated by this network yet.") in html


def test_ciedel_page_shows_its_online_resources(client, seed):
    html = page(client, network_url("ciedel"))

    assert re.findall(r'<a class="resource__title" href="([^"]+)"', html) == ["http://www.ciedel.org/"]
    assert "« Le CIEDEL dispose de ressources en ligne »" in html


def test_a_network_page_lists_the_published_initiatives_it_curates(client, seed):
    lutin = Network.objects.get(slug="reseau-lutin")
    curated(lutin, name="Tiers-lieu accompagné")
    curated(lutin, name="Brouillon accompagné", status=Initiative.Status.REVIEW)

    html = page(client, network_url("reseau-lutin"))

    assert cards(html) == ["Tiers-lieu accompagné"]
    assert french("The sources point to no resource of this network.") in html
    assert f'href="{reverse("catalogue:map")}?reseau=reseau-lutin"' in html


def test_the_network_admin_edits_its_resources_inline(superuser_client, db):
    network = NetworkFactory(name="Réseau test", slug="reseau-test")
    url = reverse("admin:accounts_network_change", args=[network.pk])
    assert 'id="resources-group"' in superuser_client.get(url).content.decode()
    data = {
        "name": network.name,
        "slug": network.slug,
        "website": "",
        "description": "",
        "resources-TOTAL_FORMS": "1",
        "resources-INITIAL_FORMS": "0",
        "resources-0-position": "10",
        "resources-0-title": "Un guide",
        "resources-0-url": "exemple.org/guide",
        "resources-0-kind": NetworkResource.Kind.PUBLICATION,
        "resources-0-description": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }

    response = superuser_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    resource = network.resources.get()
    assert (resource.title, resource.url) == ("Un guide", "https://exemple.org/guide")


# --- Every page ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["catalogue:funding-tool", "catalogue:lever", "catalogue:obstacle", "catalogue:network"]
)
def test_an_unknown_slug_is_not_found(client, seed, name):
    assert client.get(reverse(name, kwargs={"slug": "inconnu"})).status_code == 404


@pytest.mark.parametrize("kind", ["tool", "lever", "obstacle", "network"])
def test_each_page_uses_a_bounded_number_of_queries_whatever_the_number_of_initiatives(
    client, db, django_assert_max_num_queries, kind
):
    tool, lever, obstacle = FundingToolFactory(), LeverFactory(), ObstacleFactory()
    network = NetworkFactory()
    NetworkResource.objects.create(network=network, title="Vidéo", url="https://exemple.org/v")
    url = {
        "tool": tool.get_absolute_url(),
        "lever": lever.get_absolute_url(),
        "obstacle": obstacle.get_absolute_url(),
        "network": network_url(network.slug),
    }[kind]

    def add(n):
        for _ in range(n):
            initiative = curated(network, kinds=[KindFactory()])
            FundingFactory(initiative=initiative, tool=tool, funder=OrganizationFactory())
            InitiativeLever.objects.create(initiative=initiative, lever=lever, note="Une note.")
            InitiativeObstacle.objects.create(initiative=initiative, obstacle=obstacle, note="Une note.")

    add(1)
    with_one = count_queries(client, url)
    add(20)
    assert count_queries(client, url) == with_one
    with django_assert_max_num_queries(6):
        client.get(url)


def test_index_uses_a_bounded_number_of_queries(client, seed, django_assert_max_num_queries):
    # Each vocabulary's rows and its counts (the facets' totals, or one GROUP BY for the obstacles).
    with django_assert_max_num_queries(8):
        page(client, reverse("catalogue:toolbox"))
    for number in range(5):
        FundingFactory(
            initiative=InitiativeFactory(name=f"Financée {number}"), tool=FundingTool.objects.first()
        )
    with django_assert_max_num_queries(8):
        page(client, reverse("catalogue:toolbox"))


# --- Links from the fiche and the filters -------------------------------------------------------


def test_fiche_links_to_the_pages_of_its_tools_levers_obstacles_and_networks(client, seed):
    bazaar = Initiative.objects.get(slug="saint-so-bazaar")
    InitiativeObstacle.objects.create(initiative=bazaar, obstacle=Obstacle.objects.get(slug="temporalites"))
    bazaar.networks.add(Network.objects.get(slug="france-active"))

    html = page(client, bazaar.get_absolute_url())

    table = html.split('class="funding-table"', 1)[1].split("</table>", 1)[0]
    assert f'<a href="{tool_url("bail-emphyteotique")}">Bail emphytéotique</a>' in table
    public_action = html.split('id="public-action-heading"', 1)[1].split("</section>", 1)[0]
    assert f'href="{lever_url("ami")}">AMI (appel à manifestation d\'intérêt)</a>' in public_action
    assert f'href="{lever_url("bail-emphyteotique")}">Bail emphytéotique</a>' in public_action
    assert f'href="{obstacle_url("temporalites")}">Temporalités différentes</a>' in public_action
    assert f'<a href="{network_url("france-active")}">France Active</a>' in html


def test_the_filters_link_to_the_toolbox(client, seed):
    html = page(client, reverse("catalogue:map"))
    index = reverse("catalogue:toolbox")

    for facet, anchor in (("outil", "financements"), ("levier", "leviers"), ("reseau", "reseaux")):
        box = html.split(f'id="facet-{facet}"', 1)[1].split("</details>", 1)[0]
        assert f'<a href="{index}#{anchor}">{french("Learn more")}' in box, facet
    kinds = html.split('id="facet-type"', 1)[1].split("</details>", 1)[0]
    assert index not in kinds


def test_every_anchor_the_filters_link_to_is_on_the_index(client, seed):
    catalogue = page(client, reverse("catalogue:map"))
    index = page(client, reverse("catalogue:toolbox"))

    anchors = re.findall(re.escape(reverse("catalogue:toolbox")) + r"#([a-z]+)", catalogue)
    assert len(anchors) == 3
    for anchor in anchors:
        assert f'<section id="{anchor}"' in index


# --- The seed's facts, mended -------------------------------------------------------------------


def test_la_passerelle_cci_de_lille_is_a_partner_and_the_cc_its_holder(client, seed):
    passerelle = Initiative.objects.get(slug="la-passerelle")

    assert set(passerelle.partnerships.values_list("organization__name", "role")) == {
        ("Chambre de commerce et d'industrie de Lille", Partnership.Role.PARTNER)
    }
    holder = passerelle.legal_entities.get()
    assert (holder.name, holder.role, holder.legal_form.slug, holder.siren) == (
        "Communauté de communes Pévèle-Carembault",
        LegalEntity.Role.PROJECT_HOLDER,
        "regie",
        "200041960",
    )
    # What the seed does not say outright is said to be inferred.
    assert "déduite" in holder.note
    html = page(client, passerelle.get_absolute_url())
    partners = html.split('id="partners-heading"', 1)[1].split("</section>", 1)[0]
    assert "<h3>Partenaire</h3>" in partners and "Co-porteur" not in partners
    legal = html.split('id="legal-heading"', 1)[1].split("</section>", 1)[0]
    assert "Communauté de communes Pévèle-Carembault" in legal
    with translation.override("fr"):
        assert str(LegalEntity.Role.PROJECT_HOLDER.label).capitalize() in legal


def test_the_lever_reseaux_d_accompagnement_is_the_workshops(client, seed):
    lever = Lever.objects.get(slug="reseaux-accompagnement")

    assert lever.label == "Réseaux d'accompagnement"
    assert lever.position > Lever.objects.exclude(pk=lever.pk).order_by("-position")[0].position
    assert "« Les réseaux d'accompagnement »" in lever.description
    assert "URSCOP, AFIP, APES" in lever.description
    # The seed names it as a lead to follow, for no entry in particular.
    assert not lever.initiatives.exists()
    html = page(client, lever.get_absolute_url())
    assert "« réseau de développeurs locaux : Réseau Lutin en Nord Pas de Calais »" in html
