"""The seed fixtures (fixtures/*.json): they load, they load twice without change, and each entry says
what the seed document says — checked the way a reader would check it against the document."""

import json

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command

from accounts.models import Network, NetworkResource
from catalogue.management.commands.load_seed import SEED_FIXTURES, SEED_TERRITORIES
from catalogue.models import (
    Funding,
    FundingTool,
    Initiative,
    InitiativeLever,
    InitiativeObstacle,
    Kind,
    LegalEntity,
    LegalForm,
    Lever,
    Milestone,
    Obstacle,
    Organization,
    Partnership,
    Theme,
)
from territories.models import DensityClass, Territory

pytestmark = pytest.mark.django_db

FIXTURE_MODELS = [
    LegalForm,
    Kind,
    Theme,
    Lever,
    Obstacle,
    Network,
    NetworkResource,
    Organization,
    FundingTool,
    Initiative,
    LegalEntity,
    Partnership,
    Funding,
    Milestone,
    InitiativeLever,
    InitiativeObstacle,
]


def counts():
    return {model._meta.label: model.objects.count() for model in FIXTURE_MODELS}


def snapshot():
    """Every row of every fixture model, serialised: equal snapshots mean nothing changed."""
    return {
        model._meta.label: serializers.serialize("json", model.objects.order_by("pk"))
        for model in FIXTURE_MODELS
    }


def initiative(slug):
    return Initiative.objects.get(slug=slug)


# --- Loading ------------------------------------------------------------------------------------


def test_fixtures_load_one_by_one_on_an_empty_catalogue(territories):
    assert all(n == 0 for n in counts().values())
    for name in SEED_FIXTURES:
        call_command("loaddata", name, verbosity=0)
    assert counts() == {
        "catalogue.LegalForm": 12,
        "catalogue.Kind": 11,
        "catalogue.Theme": 12,
        "catalogue.Lever": 11,
        "catalogue.Obstacle": 7,
        "accounts.Network": 7,
        "accounts.NetworkResource": 6,
        "catalogue.Organization": 9,
        "catalogue.FundingTool": 8,
        "catalogue.Initiative": 5,
        "catalogue.LegalEntity": 4,
        "catalogue.Partnership": 7,
        "catalogue.Funding": 3,
        "catalogue.Milestone": 6,
        "catalogue.InitiativeLever": 5,
        "catalogue.InitiativeObstacle": 0,
    }


def test_loading_twice_changes_nothing(seed):
    before_counts, before_rows = counts(), snapshot()
    call_command("loaddata", *SEED_FIXTURES, verbosity=0)
    assert counts() == before_counts
    assert snapshot() == before_rows


def test_every_row_passes_the_models_validation(seed):
    """What the admin would check: choices, lengths, URLs, SIREN checksums, constraints."""
    for model in FIXTURE_MODELS:
        for obj in model.objects.all():
            obj.full_clean()


def test_fixture_models_are_the_ones_the_files_hold():
    """No fixture file holds a model this test module does not count."""
    from pathlib import Path

    from django.conf import settings

    labels = set()
    for directory in settings.FIXTURE_DIRS:
        for name in SEED_FIXTURES:
            for row in json.loads((Path(directory) / f"{name}.json").read_text()):
                labels.add(apps.get_model(row["model"])._meta.label)
    assert labels <= {model._meta.label for model in FIXTURE_MODELS}


# --- Vocabularies -------------------------------------------------------------------------------


def test_levers_are_exactly_the_workshops(seed):
    assert list(Lever.objects.values_list("label", flat=True)) == [
        "AMI (appel à manifestation d'intérêt)",
        "Appel à projets",
        "Préfiguration",
        "Tiers-lieu co-porté (collectivité et associatif)",
        "Soutien public affiché des élus",
        "Facilités foncières (mise à disposition, vente du terrain)",
        "Bail emphytéotique",
        "Subvention d'investissement",
        "Budget participatif / budget d'initiative locale",
        "Temps communs tout au long du projet",
        "Réseaux d'accompagnement",
    ]
    assert all(lever.description for lever in Lever.objects.all())


def test_obstacles_are_exactly_the_workshops(seed):
    assert list(Obstacle.objects.values_list("label", flat=True)) == [
        "Temporalités différentes",
        "Vision politique des élus",
        "Cadres et modes d'action des collectivités",
        "Moyens des collectivités",
        "Compétences",
        "Fonctionnement en silo et hiérarchie",
        "Acceptation sociale / milieu social",
    ]
    assert all(obstacle.description for obstacle in Obstacle.objects.all())


def test_legal_forms(seed):
    assert list(LegalForm.objects.values_list("label", flat=True)) == [
        "Association loi 1901",
        "SCIC",
        "SCOP",
        "SCI",
        "SAS/SARL (dont ESS)",
        "SPL",
        "SEM",
        "Collectivité en régie",
        "GIP",
        "Fondation",
        "CAE",
        "Autre",
    ]


def test_lookup_slugs_are_ascii(seed):
    for model in (LegalForm, Kind, Theme, Lever, Obstacle, Network, FundingTool):
        for slug in model.objects.values_list("slug", flat=True):
            assert slug.isascii(), slug


def test_networks_of_the_annexes(seed):
    assert set(Network.objects.values_list("name", flat=True)) == {
        "CAP Rural",
        "Réseau Lutin",
        "URSCOP",
        "AFIP",
        "APES",
        "CIEDEL",
        "France Active",
    }
    assert Network.objects.get(slug="cap-rural").website == "http://www.caprural.org/"
    assert Network.objects.get(slug="ciedel").website == "http://www.ciedel.org/"
    assert "Nord-Pas-de-Calais" in Network.objects.get(slug="reseau-lutin").description
    # The seed gives no other website.
    assert Network.objects.exclude(slug__in=["cap-rural", "ciedel"]).filter(website__gt="").count() == 0


def test_network_resources_are_the_annexes_links(seed):
    """The CAP Rural annex's links: three videos on innovation, the « Regards croisés » review and
    the publications of CAP Rural; the CIEDEL's online resources. No other network has one."""
    resources = {
        network: list(NetworkResource.objects.filter(network__slug=network).values_list("kind", "url"))
        for network in ("cap-rural", "ciedel")
    }
    assert [kind for kind, _url in resources["cap-rural"]] == ["video"] * 3 + ["publication"] * 2
    assert all("caprural.org/" in url for _kind, url in resources["cap-rural"])
    assert resources["ciedel"] == [("online", "http://www.ciedel.org/")]
    assert NetworkResource.objects.exclude(network__slug__in=["cap-rural", "ciedel"]).count() == 0
    # A title the seed does not give is read from the link's address, and the row says so.
    for video in NetworkResource.objects.filter(kind="video"):
        assert "le titre est celui que porte l'adresse" in video.description


# --- Territories --------------------------------------------------------------------------------


def seed_territories():
    return [Territory.objects.get(kind=kind, code=code) for kind, code in SEED_TERRITORIES]


def test_the_seeds_territories_have_their_figures(seed):
    for territory in seed_territories():
        assert territory.population and territory.area_km2, territory
        expected = round(territory.population / territory.area_km2, 1)
        assert territory.density == expected, territory
        if territory.kind in ("commune", "epci"):
            assert territory.density_class == DensityClass.for_density(expected), territory
        else:
            assert territory.density_class == "", territory
        assert territory.centre is not None and territory.centre.srid == 4326
        # Within the bounding box of the Hauts-de-France.
        assert 1.3 < territory.centre.x < 4.3 and 48.8 < territory.centre.y < 51.1, territory


def test_territory_hierarchy(seed):
    region = Territory.objects.get(kind="region", code="32")
    assert region.name == "Hauts-de-France"
    nord = Territory.objects.get(kind="departement", code="59")
    pas_de_calais = Territory.objects.get(kind="departement", code="62")
    assert (nord.name, nord.region) == ("Nord", region)
    assert (pas_de_calais.name, pas_de_calais.region) == ("Pas-de-Calais", region)

    epcis = {t.code: t for t in seed_territories() if t.kind == "epci"}
    assert {code: (t.name, t.epci_type, t.departement) for code, t in epcis.items()} == {
        "200069672": ("CC du Ternois", "CC", pas_de_calais),
        "200041960": ("CC Pévèle-Carembault", "CC", nord),
        "200093201": ("Métropole Européenne de Lille", "METRO", nord),
    }
    communes = {t.code: t for t in seed_territories() if t.kind == "commune"}
    assert {code: (t.name, t.epci.code, t.departement, t.region) for code, t in communes.items()} == {
        "62652": ("Pernes", "200069672", pas_de_calais, region),
        "59350": ("Lille", "200093201", nord, region),
        "59197": ("Ennevelin", "200041960", nord, region),
        "59466": ("Pont-à-Marcq", "200041960", nord, region),
    }
    assert communes["62652"].postcodes == ["62550"]
    assert "59000" in communes["59350"].postcodes
    assert communes["59197"].postcodes == communes["59466"].postcodes == ["59710"]


def test_ternois_figures_are_close_to_the_seeds(seed):
    """The seed (2018) gives 38 500 inhabitants and 634 km² for the Ternois: the open data agree."""
    ternois = Territory.objects.get(kind="epci", code="200069672")
    assert 36_000 < ternois.population < 39_000
    assert 630 < ternois.area_km2 < 640
    assert ternois.density_class == DensityClass.SPARSE


# --- Organisations and funding tools ------------------------------------------------------------


def test_fidess_is_operated_by_nord_actif_and_co_funded(seed):
    fidess = FundingTool.objects.get(slug="fidess")
    assert fidess.operator.name == "Nord Actif"
    assert set(fidess.co_funders.values_list("name", flat=True)) == {
        "Région Hauts-de-France",
        "Caisse des Dépôts et Consignations",
    }
    assert "Fonds de confiance pour appuyer les porteurs de projet citoyens" in fidess.description


def test_funding_tools(seed):
    tools = {tool.slug: tool for tool in FundingTool.objects.all()}
    assert set(tools) == {
        "fidess",
        "dla",
        "pia-ecocite",
        "ami",
        "appel-a-projets",
        "bail-emphyteotique",
        "subvention-investissement",
        "financement-participatif",
    }
    assert tools["dla"].operator.name == "France Active"
    assert "individuels ou collectifs" in tools["dla"].description
    assert "Ecocité Ville de Demain" in tools["pia-ecocite"].description
    natures = {slug: tool.nature for slug, tool in tools.items()}
    assert natures["ami"] == natures["appel-a-projets"] == FundingTool.Nature.CALL
    assert natures["bail-emphyteotique"] == FundingTool.Nature.LAND
    assert natures["subvention-investissement"] == FundingTool.Nature.GRANT
    assert natures["financement-participatif"] == FundingTool.Nature.CROWDFUNDING
    assert natures["pia-ecocite"] == FundingTool.Nature.PROGRAMME
    assert natures["dla"] == FundingTool.Nature.SUPPORT


def test_local_authorities_govern_their_territory(seed):
    expected = {
        "Ville de Lille": ("commune", "59350", "215903501"),
        "Métropole Européenne de Lille": ("epci", "200093201", "200093201"),
        "Communauté de communes Pévèle-Carembault": ("epci", "200041960", "200041960"),
        "Région Hauts-de-France": ("region", "32", ""),
    }
    for name, (kind, code, siren) in expected.items():
        org = Organization.objects.get(name=name)
        assert org.kind == Organization.Kind.LOCAL_AUTHORITY
        assert (org.territory.kind, org.territory.code, org.siren) == (kind, code, siren)
    assert Organization.objects.get(name="Chambre de commerce et d'industrie de Lille").kind == "consular"


# --- The entries --------------------------------------------------------------------------------


def test_cirqu_en_cavale(seed):
    entry = initiative("cirquen-cavale")
    assert entry.name == "Cirqu'en-Cavale"
    pernes = entry.commune
    assert (pernes.name, pernes.code) == ("Pernes", "62652")
    assert pernes.epci.name == "CC du Ternois"
    assert pernes.departement.name == "Pas-de-Calais"
    assert entry.location == pernes.centre and entry.location_precision == "commune"
    assert list(entry.territories_served.values_list("code", flat=True)) == ["200069672"]
    assert entry.jobs_fte == 9
    assert entry.website == "http://www.cirquencavale.com/"
    for fact in (
        "104 communes rurales",
        "38 500 habitants",
        "634 km²",
        "rayon de 30 kms",
        "école de cirque",
        "chapiteaux",
        "festivals",
        "alimentation, construction bois",
        "jamais occupée",
        "Pernes-en-Artois",
        "fait fonction d'incubateur",
    ):
        assert fact in entry.description, fact

    entities = [(e.legal_form.label, e.role) for e in entry.legal_entities.order_by("pk")]
    assert entities == [
        ("Association loi 1901", LegalEntity.Role.PROJECT_HOLDER),
        ("SCI", LegalEntity.Role.OWNER),
        ("SCIC", LegalEntity.Role.OPERATOR),
    ]
    assert "en cours de validation" in entry.legal_entities.get(legal_form__slug="scic").note

    levers = {il.lever.label: il.note for il in InitiativeLever.objects.filter(initiative=entry)}
    assert set(levers) == {
        "Facilités foncières (mise à disposition, vente du terrain)",
        "Subvention d'investissement",
    }
    assert all("En réflexion en mai 2018" in note for note in levers.values())
    # "Depuis 2 ans" in May 2018: the year is a derivation, and the milestone says so.
    first = entry.milestones.order_by("year").first()
    assert first.year == 2016 and "déduit" in first.text
    # The seed names no partner nor funder for it.
    assert not entry.partnerships.exists() and not entry.fundings.exists()


def test_saint_so_bazaar(seed):
    entry = initiative("saint-so-bazaar")
    assert entry.commune.name == "Lille"
    assert entry.surface_m2 == 4500
    assert entry.investment_eur == 5_000_000
    roles = set(entry.partnerships.values_list("organization__name", "role"))
    assert roles == {
        ("Ville de Lille", Partnership.Role.COMMISSIONER),
        ("Ville de Lille", Partnership.Role.LANDOWNER),
        ("Métropole Européenne de Lille", Partnership.Role.COMMISSIONER),
        ("Initiatives et Cité", Partnership.Role.INVESTOR),
    }
    levers = set(entry.levers.values_list("slug", flat=True))
    assert levers == {"ami", "bail-emphyteotique"}

    investment = entry.fundings.get(funder__name="Initiatives et Cité")
    assert investment.amount == 2_500_000  # half of 5 M€...
    assert "déduit" in investment.note  # ...and the note says it is a derivation
    lease = entry.fundings.get(tool__slug="bail-emphyteotique")
    assert lease.funder.name == "Ville de Lille" and lease.amount is None
    for fact in (
        "4 500 m²",
        "Saint-Sauveur",
        "quartier Centre",
        "trentaine d'acteurs",
        "3 matinées",
        "ensemblier",
        "Initiatives et Cité",
        "5M€",
        "bail emphytéotique",
        "travaux vont commencer",
    ):
        assert fact in entry.description, fact


def test_la_passerelle(seed):
    entry = initiative("la-passerelle")
    assert entry.surface_m2 == 1500
    assert entry.investment_eur == 3_000_000
    assert entry.website == "https://www.pevelecarembault.fr/la-passerelle/"
    assert entry.commune is None and entry.location_precision == "area"
    # It serves « les 38 communes » of the intercommunality; the two communes only locate the site.
    assert list(entry.territories_served.values_list("name", flat=True)) == ["CC Pévèle-Carembault"]
    assert "Ennevelin" in entry.address and "Pont-à-Marcq" in entry.address
    # « En partenariat avec la Chambre de Commerce et d'industrie de Lille » and no more: a partner
    # without a role the seed would give; the communauté de communes is the project's holder.
    assert set(entry.partnerships.values_list("organization__name", "role")) == {
        ("Chambre de commerce et d'industrie de Lille", Partnership.Role.PARTNER)
    }
    holder = entry.legal_entities.get()
    assert (holder.name, holder.role, holder.legal_form.slug) == (
        "Communauté de communes Pévèle-Carembault",
        LegalEntity.Role.PROJECT_HOLDER,
        "regie",
    )
    assert "déduite" in holder.note  # the legal form is inferred, and the note says so
    assert set(entry.kinds.values_list("slug", flat=True)) == {"pepiniere", "coworking", "fab-lab"}
    subsidy = entry.fundings.get()
    assert subsidy.tool.slug == "subvention-investissement" and subsidy.amount is None
    for fact in (
        "Canchomprez",
        "golf de Mérignies",
        "27 hectares",
        "6 000 à 8 000 m²",
        "deux fois plus de cadres",
        "38 communes",
        "énergie positive",
        "économie circulaire",
        "dont une partie sera subventionnée",
    ):
        assert fact in entry.description, fact
    # The point is placed between the two communes the seed names.
    ennevelin, pont = (Territory.objects.get(kind="commune", code=c) for c in ("59197", "59466"))
    for axis in ("x", "y"):
        ends = sorted(getattr(commune.centre, axis) for commune in (ennevelin, pont))
        assert ends[0] <= getattr(entry.location, axis) <= ends[1]


def test_centres_sociaux_connectes(seed):
    entry = initiative("centres-sociaux-connectes")
    mel = Territory.objects.get(kind="epci", code="200093201")
    assert list(entry.territories_served.all()) == [mel]
    assert entry.location_precision == "area" and entry.location == mel.centre
    assert entry.website == "http://csconnectes.eu/les-centres-sociaux-connectes-c-est-quoi/"
    assert "8 centres sociaux" in entry.description
    for domain in (
        "pouvoir d'agir",
        "emploi et l'insertion",
        "accueil et l'administration",
        "animation globale",
        "parentalité et l'éducation",
        "économie collaborative",
    ):
        assert domain in entry.description, domain
    assert "politique-de-la-ville" in set(entry.themes.values_list("slug", flat=True))


def test_friche_fives_cail_says_only_what_the_seed_says(seed):
    entry = initiative("friche-fives-cail")
    assert entry.commune.name == "Lille"
    assert "La source en dit peu" in entry.description
    assert entry.surface_m2 is None and entry.investment_eur is None and entry.website == ""
    assert not entry.legal_entities.exists() and not entry.fundings.exists()
    assert set(entry.partnerships.values_list("organization__name", flat=True)) == {
        "Ville de Lille",
        "Métropole Européenne de Lille",
    }


# --- Every entry --------------------------------------------------------------------------------


def test_every_fixture_initiative_is_published_with_a_slug(seed):
    assert Initiative.objects.count() == 5
    for entry in Initiative.objects.all():
        assert entry.status == Initiative.Status.PUBLISHED
        assert entry.slug
        assert entry.verified_on is None
        assert entry.summary and len(entry.summary) <= 300
        assert entry.kinds.exists() and entry.themes.exists()


def test_every_initiative_names_its_source(seed):
    for entry in Initiative.objects.all():
        assert "RNIT" in entry.sources and "atelier n°4" in entry.sources, entry
        assert "15 mai 2018" in entry.sources, entry
        assert "annexe de Laurent Courouble" in entry.sources, entry


def test_every_published_initiative_has_a_location(seed):
    published = Initiative.objects.published()
    assert published.count() == published.with_location().count() == 5
    for entry in published:
        assert entry.location_precision in {"commune", "area"}
        if entry.location_precision == "commune":
            assert entry.location == entry.commune.centre, entry


def test_no_initiative_is_tied_to_a_network(seed):
    """The seed ties none of its entries to a curating network."""
    assert not Initiative.networks.through.objects.exists()


def test_fixtures_link_to_the_full_territories_table_by_official_code(seed):
    """The entries point at the rows that load_territories wrote, not at copies of them."""
    cirque = Initiative.objects.get(slug="cirquen-cavale")
    pernes = Territory.objects.get(kind="commune", code="62652")
    assert cirque.commune == pernes
    assert (pernes.epci.name, pernes.departement.name, pernes.region.name) == (
        "CC du Ternois",
        "Pas-de-Calais",
        "Hauts-de-France",
    )
    assert Territory.objects.filter(kind="commune", code="62652").count() == 1
