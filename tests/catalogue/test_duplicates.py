"""Possible duplicates: found by a similar name nearby or a shared identifier, said in the admin,
dismissed once for a pair, or merged."""

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from catalogue.duplicates import DuplicateIndex, Probe, find_duplicates, names_are_similar
from catalogue.merging import merge_into
from catalogue.models import Funding, Initiative, NotDuplicate, Partnership
from tests.catalogue.test_admin import ADD, change_url, geojson_point, initiative_form, legal_entity_row
from tests.factories import (
    CuratorFactory,
    FundingFactory,
    InitiativeFactory,
    KindFactory,
    LegalEntityFactory,
    LegalFormFactory,
    MilestoneFactory,
    NetworkFactory,
    OrganizationFactory,
    PartnershipFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

LANNION = Point(-3.4597, 48.7326, srid=4326)
# About 400 m east of LANNION, and about 5 km away.
NEARBY = Point(-3.4543, 48.7326, srid=4326)
FAR = Point(-3.39, 48.7326, srid=4326)


def names(found):
    return [item.initiative.name for item in found]


@pytest.mark.parametrize(
    ("first", "second", "similar"),
    [
        ("Fablab de Lannion", "FabLab Lannion", True),
        ("Le Fablab de Lannion", "fablab de lannion", True),
        ("Fablab de Lannion", "Ressourcerie de Lannion", False),
        ("La Base", "La Case", False),
        ("Café-atelier", "Cafe atelier", True),
    ],
)
def test_names_are_compared_without_case_accents_or_small_words(first, second, similar):
    assert names_are_similar(first, second) is similar


def test_a_similar_name_within_a_kilometre_is_a_possible_duplicate(db):
    InitiativeFactory(name="FabLab Lannion", location=NEARBY)
    InitiativeFactory(name="Fablab de Lannion", location=FAR)  # same name, 5 km away
    InitiativeFactory(name="Ressourcerie de Lannion", location=LANNION)

    found = find_duplicates(Probe(name="Fablab de Lannion", location=LANNION))

    assert names(found) == ["FabLab Lannion"]
    assert found[0].reasons[0].startswith("nom proche, à ") or "m" in found[0].reasons[0]


def test_the_same_siren_rna_website_or_email_is_a_possible_duplicate_wherever_it_is(db):
    by_siren = InitiativeFactory(name="Association A", location=FAR)
    LegalEntityFactory(initiative=by_siren, siren="200035442")
    by_rna = InitiativeFactory(name="Association B", location=FAR)
    LegalEntityFactory(initiative=by_rna, rna="W623001234")
    InitiativeFactory(name="Site C", website="https://www.fablab-lannion.fr/", location=FAR)
    InitiativeFactory(name="Mail D", public_email="Contact@Fablab-Lannion.fr", location=FAR)
    InitiativeFactory(name="Autre site", website="https://fablab-lannion.fr.example.org/", location=FAR)

    found = find_duplicates(
        Probe(
            name="Tout autre nom",
            sirens=("200035442",),
            rnas=("W623001234",),
            website="fablab-lannion.fr",
            public_email="contact@fablab-lannion.fr",
        )
    )

    assert names(found) == ["Association A", "Association B", "Mail D", "Site C"]


def test_archived_entries_and_dismissed_pairs_are_not_proposed(curator):
    entry = InitiativeFactory(name="Fablab de Lannion", location=LANNION)
    dismissed = InitiativeFactory(name="FabLab Lannion", location=NEARBY)
    InitiativeFactory(name="Fablab Lannion", location=NEARBY, status=Initiative.Status.ARCHIVED)
    assert names(find_duplicates(Probe.of(entry), exclude=entry)) == ["FabLab Lannion"]

    NotDuplicate.remember(dismissed, entry, curator)
    NotDuplicate.remember(entry, dismissed, curator)  # said twice: one pair

    assert find_duplicates(Probe.of(entry), exclude=entry) == []
    assert NotDuplicate.objects.count() == 1


def test_the_import_index_finds_what_the_database_finds(db):
    InitiativeFactory(name="FabLab Lannion", location=NEARBY)
    by_siren = InitiativeFactory(name="Association A", location=FAR)
    LegalEntityFactory(initiative=by_siren, siren="200035442")
    probe = Probe(name="Fablab de Lannion", location=LANNION, sirens=("200035442",))

    index = DuplicateIndex.of_catalogue()

    assert names(index.find(probe)) == names(find_duplicates(probe))


# --- In the admin ------------------------------------------------------------------------------


@pytest.fixture
def lannion_entry(db):
    return InitiativeFactory(
        name="Fablab de Lannion", location=LANNION, status=Initiative.Status.DRAFT, commune=None
    )


def test_saving_an_entry_like_another_warns_with_a_link(curator_client, lannion_entry):
    response = curator_client.post(
        ADD,
        initiative_form(name="FabLab Lannion", location=geojson_point(NEARBY.x, NEARBY.y)),
        follow=True,
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Cette fiche est peut-être la même qu’une autre" in page
    assert change_url(lannion_entry) in page
    assert Initiative.objects.filter(name="FabLab Lannion").exists()  # saved all the same


def test_the_same_siren_in_the_legal_set_up_is_told_on_saving(curator_client, db):
    other = InitiativeFactory(name="Le Tiers-lieu du port", location=FAR, status=Initiative.Status.DRAFT)
    LegalEntityFactory(initiative=other, siren="200035442")
    form = LegalFormFactory()
    data = initiative_form(name="Tout autre nom")
    data.update(legal_entity_row(0, form, siren="200035442"))
    data["legal_entities-TOTAL_FORMS"] = "1"

    response = curator_client.post(ADD, data, follow=True)

    assert change_url(other) in response.content.decode()


def test_the_change_page_lists_possible_duplicates_and_not_a_duplicate_is_remembered(
    curator_client, lannion_entry
):
    other = InitiativeFactory(name="FabLab Lannion", location=NEARBY, status=Initiative.Status.DRAFT)

    page = curator_client.get(change_url(other))
    assert [item.initiative for item in page.context["possible_duplicates"]] == [lannion_entry]
    not_duplicate = reverse("admin:catalogue_initiative_not_duplicate", args=[other.pk, lannion_entry.pk])
    assert not_duplicate in page.content.decode()

    assert curator_client.get(not_duplicate).status_code == 405  # never by a link
    response = curator_client.post(not_duplicate, follow=True)

    assert response.status_code == 200
    assert NotDuplicate.objects.pair(other.pk, lannion_entry.pk).exists()
    assert curator_client.get(change_url(other)).context.get("possible_duplicates") == []
    assert curator_client.get(change_url(lannion_entry)).context.get("possible_duplicates") == []


def test_an_entry_the_curator_cannot_read_is_counted_not_named(curator_client, lannion_entry):
    elsewhere = NetworkFactory(name="Réseau breton", slug="reseau-breton")
    hidden = InitiativeFactory(
        name="FabLab Lannion", location=NEARBY, status=Initiative.Status.DRAFT, networks=[elsewhere]
    )

    page = curator_client.get(change_url(lannion_entry))

    assert page.context["possible_duplicates"] == []
    assert page.context["hidden_duplicates"] == 1
    assert hidden.name not in page.content.decode()


# --- Merging -----------------------------------------------------------------------------------


@pytest.fixture
def pair(db):
    """An imported draft that repeats an older entry, each with what the other lacks."""
    kind, theme = KindFactory(), ThemeFactory()
    region, commune = OrganizationFactory(name="Région Bretagne"), OrganizationFactory(name="Lannion")
    target = InitiativeFactory(
        name="Fablab de Lannion",
        location=LANNION,
        website="",
        sources="Atelier du réseau, 2023.",
        status=Initiative.Status.PUBLISHED,
        kinds=[kind],
    )
    PartnershipFactory(initiative=target, organization=commune, role=Partnership.Role.POLITICAL_SUPPORT)
    duplicate = InitiativeFactory(
        name="FabLab Lannion",
        location=NEARBY,
        website="https://fablab-lannion.fr",
        phone="02 96 00 00 00",
        sources="fablabs-bretagne.geojson (Licence Ouverte 2.0)",
        status=Initiative.Status.DRAFT,
        kinds=[kind],
    )
    duplicate.themes.set([theme])
    PartnershipFactory(initiative=duplicate, organization=commune, role=Partnership.Role.POLITICAL_SUPPORT)
    PartnershipFactory(initiative=duplicate, organization=region, role=Partnership.Role.FUNDER)
    FundingFactory(initiative=duplicate, funder=region, amount=20000, year=2021)
    MilestoneFactory(initiative=duplicate, year=2016, title="Ouverture")
    LegalEntityFactory(initiative=duplicate, siren="200035442")
    return duplicate, target


def test_merging_carries_over_what_the_target_lacks_and_archives_the_duplicate(curator, pair):
    duplicate, target = pair
    versions_before = target.history.count()

    merge_into(duplicate, target, curator)

    target.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.status == Initiative.Status.ARCHIVED
    assert target.status == Initiative.Status.PUBLISHED
    assert target.website == "https://fablab-lannion.fr" and target.phone == "02 96 00 00 00"
    assert target.location.equals(LANNION)  # its own point kept
    assert sorted((p.organization.name, p.role) for p in Partnership.objects.filter(initiative=target)) == [
        ("Lannion", "political_support"),
        ("Région Bretagne", "funder"),
    ]
    assert list(Funding.objects.filter(initiative=target).values_list("amount", flat=True)) == [20000]
    assert [m.title for m in target.milestones.all()] == ["Ouverture"]
    assert [e.siren for e in target.legal_entities.all()] == ["200035442"]
    assert set(target.themes.all()) == set(duplicate.themes.all())
    assert "Atelier du réseau, 2023." in target.sources
    assert "fablabs-bretagne.geojson (Licence Ouverte 2.0)" in target.sources
    # Nothing is lost: the duplicate keeps its rows, and the merge is one version of the target.
    assert duplicate.partnerships.count() == 2 and duplicate.fundings.count() == 1
    assert target.history.count() == versions_before + 1
    assert "FabLab Lannion" in target.history.first().history_change_reason


def test_the_merge_goes_through_a_confirmation_page(curator_client, pair):
    duplicate, target = pair
    url = reverse("admin:catalogue_initiative_merge", args=[duplicate.pk, target.pk])
    assert url in curator_client.get(change_url(duplicate)).content.decode()

    confirmation = curator_client.get(url)
    assert confirmation.status_code == 200
    assert Initiative.objects.get(pk=duplicate.pk).status == Initiative.Status.DRAFT  # nothing yet

    response = curator_client.post(url, follow=True)

    assert response.redirect_chain[-1][0] == change_url(target)
    assert Initiative.objects.get(pk=duplicate.pk).status == Initiative.Status.ARCHIVED


def test_a_curator_who_may_not_change_both_entries_may_not_merge(client, pair):
    duplicate, target = pair
    outsider = CuratorFactory(email="ailleurs@example.org", network=NetworkFactory(slug="ailleurs"))
    client.force_login(outsider)

    response = client.post(reverse("admin:catalogue_initiative_merge", args=[duplicate.pk, target.pk]))

    assert response.status_code in (403, 404)
    assert Initiative.objects.get(pk=duplicate.pk).status == Initiative.Status.DRAFT
