"""What an import would do, row by row, before anything is written: entries to create, to update,
unchanged or left alone, and the possible duplicates, against the catalogue and within the file."""

import csv
import io

import pytest
from django.contrib.gis.geos import Point
from django.utils import translation

from accounts.models import Membership
from catalogue.importers.mapping import guess_mapping
from catalogue.importers.planning import Action, plan_import
from catalogue.importers.reading import read_table
from catalogue.importers.rows import RowReader
from catalogue.models import Initiative
from tests.factories import (
    CuratorFactory,
    InitiativeFactory,
    LegalEntityFactory,
    NetworkFactory,
)

# A place in Pernes (62652), and one 3 km away.
FABRIQUE = (2.3897, 50.4851)
FAR_AWAY = (2.4320, 50.4851)
SIREN = "552081317"


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def catalogue(seed, pernes):
    """The seed's catalogue, with the test network's entry La Fabrique de Pernes."""
    fabrique = InitiativeFactory(
        name="La Fabrique de Pernes",
        commune=pernes,
        location=Point(*FABRIQUE, srid=4326),
        location_precision=Initiative.LocationPrecision.ADDRESS,
        website="https://www.fabrique-pernes.fr/",
        public_email="Bonjour@Fabrique-Pernes.fr",
        status=Initiative.Status.DRAFT,
    )
    return fabrique


def csv_file(rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def plan(places, user, *rows, known_ids=None):
    """The plan of a file of ``rows`` (dicts of heading → cell), its columns guessed."""
    table = read_table("lieux.csv", csv_file(list(rows)))
    mapping = guess_mapping(table.headings)
    return plan_import(table, mapping, user, known_ids=known_ids, reader=RowReader(mapping, places))


def row(name, **cells):
    """A row of the file: a name, in Pernes, with ``cells`` (headings of the networks' files)."""
    return {
        "id": "",
        "Nom": name,
        "Code INSEE": "62652",
        "Latitude": "",
        "Longitude": "",
        "Site web": "",
        "Courriel": "",
        "SIRET": "",
        **cells,
    }


def at(point):
    return {"Longitude": str(point[0]), "Latitude": str(point[1])}


def summary(entry):
    return (entry.candidate.line, entry.candidate.name, entry.action)


# --- Create, update, keep, leave alone ---------------------------------------------------------


def test_rows_that_match_nothing_are_to_create(catalogue, curator, places):
    result = plan(places, curator, row("Le Bocal"), row("Atelier vélo", **at(FAR_AWAY)))

    assert [summary(entry) for entry in result.entries] == [
        (2, "Le Bocal", Action.CREATE),
        (3, "Atelier vélo", Action.CREATE),
    ]
    assert all(entry.initiative is None and not entry.flagged for entry in result.entries)
    assert result.counts == {
        "create": 2,
        "update": 0,
        "keep": 0,
        "left_alone": 0,
        "flagged": 0,
        "refused": 0,
        "rows": 2,
    }
    assert result.may_write()


def test_a_row_whose_identifier_an_earlier_import_made_updates_that_entry(catalogue, curator, places):
    result = plan(
        places,
        curator,
        row(
            "La Fabrique de Pernes", id="F-1", **at(FABRIQUE), **{"Site web": "https://fabrique.example.org"}
        ),
        known_ids={"F-1": catalogue.pk},
    )

    (entry,) = result.entries
    assert (entry.action, entry.initiative) == (Action.UPDATE, catalogue)
    assert entry.changes == ["website"]
    assert not entry.flagged
    assert result.counts["update"] == 1


def test_an_update_lists_every_field_the_file_changes(catalogue, curator, places, lille):
    result = plan(
        places,
        curator,
        row("La Fabrique", id="F-1", **{"Code INSEE": "59350", "Latitude": "50.63", "Longitude": "3.06"}),
        known_ids={"F-1": catalogue.pk},
    )

    (entry,) = result.entries
    assert entry.action == Action.UPDATE
    assert entry.changes == ["name", "commune", "location"]


def test_an_empty_cell_never_erases_what_the_entry_has(catalogue, curator, places):
    result = plan(
        places,
        curator,
        row("La Fabrique de Pernes", id="F-1", **at(FABRIQUE)),
        known_ids={"F-1": catalogue.pk},
    )

    (entry,) = result.entries
    assert (entry.action, entry.changes) == (Action.KEEP, [])


def test_a_row_that_changes_nothing_keeps_its_entry(catalogue, curator, places):
    cells = {"Site web": "https://www.fabrique-pernes.fr/", "Courriel": "Bonjour@Fabrique-Pernes.fr"}

    result = plan(
        places,
        curator,
        row("La Fabrique de Pernes", id="F-1", **at(FABRIQUE), **cells),
        known_ids={"F-1": catalogue.pk},
    )

    (entry,) = result.entries
    assert (entry.action, entry.initiative, entry.changes) == (Action.KEEP, catalogue, [])
    assert result.counts["keep"] == 1
    assert not result.to_write
    assert not result.may_write()


def test_the_only_entry_with_the_siren_is_updated(catalogue, curator, places):
    LegalEntityFactory(initiative=catalogue, siren=SIREN)

    result = plan(
        places,
        curator,
        row("La Fabrique de Pernes", SIRET=f"{SIREN}00018", **{"Site web": "fabrique.example.org"}),
    )

    (entry,) = result.entries
    assert (entry.action, entry.initiative) == (Action.UPDATE, catalogue)
    assert entry.changes == ["website"]


def test_a_new_siren_for_a_known_entry_is_a_change_of_its_legal_setup(catalogue, curator, places):
    result = plan(
        places,
        curator,
        row("La Fabrique de Pernes", id="F-1", SIRET=SIREN, **at(FABRIQUE)),
        known_ids={"F-1": catalogue.pk},
    )

    (entry,) = result.entries
    assert (entry.action, entry.changes) == (Action.UPDATE, ["legal entity"])


def test_a_siren_that_two_entries_hold_updates_neither_and_flags_both(catalogue, curator, places):
    other = InitiativeFactory(name="Coopérative du Ternois", commune=catalogue.commune)
    LegalEntityFactory(initiative=catalogue, siren=SIREN)
    LegalEntityFactory(initiative=other, siren=SIREN)

    result = plan(places, curator, row("Le Bocal", SIRET=SIREN))

    (entry,) = result.entries
    assert entry.action == Action.CREATE
    assert [(duplicate.initiative, duplicate.reasons) for duplicate in entry.duplicates] == [
        (other, ["same SIREN"]),
        (catalogue, ["same SIREN"]),
    ]


def test_an_entry_of_another_network_is_left_alone(catalogue, curator, places):
    theirs = InitiativeFactory(name="La Ruche", commune=catalogue.commune, networks=[NetworkFactory()])

    result = plan(
        places,
        curator,
        row("La Ruche", id="R-1", **{"Site web": "ruche.example.org"}),
        known_ids={"R-1": theirs.pk},
    )

    (entry,) = result.entries
    assert (entry.action, entry.initiative) == (Action.LEFT_ALONE, theirs)
    assert entry.note == "already in the catalogue, and not yours to change"
    assert result.counts["left_alone"] == 1
    assert not result.may_write()


def test_a_published_entry_is_left_alone_for_a_contributor(catalogue, places):
    contributor = CuratorFactory(network__role=Membership.Role.CONTRIBUTOR)
    catalogue.status = Initiative.Status.PUBLISHED
    catalogue.save()

    result = plan(places, contributor, row("La Fabrique", id="F-1"), known_ids={"F-1": catalogue.pk})

    assert [entry.action for entry in result.entries] == [Action.LEFT_ALONE]


def test_a_draft_of_the_network_is_updated_for_a_contributor(catalogue, places):
    contributor = CuratorFactory(network__role=Membership.Role.CONTRIBUTOR)

    result = plan(places, contributor, row("La Fabrique", id="F-1"), known_ids={"F-1": catalogue.pk})

    assert [entry.action for entry in result.entries] == [Action.UPDATE]


def test_an_archived_entry_is_not_updated_the_row_is_created(catalogue, curator, places):
    catalogue.status = Initiative.Status.ARCHIVED
    catalogue.save()

    result = plan(
        places,
        curator,
        row("La Fabrique de Pernes", id="F-1", **at(FABRIQUE)),
        known_ids={"F-1": catalogue.pk},
    )

    (entry,) = result.entries
    assert (entry.action, entry.initiative, entry.duplicates) == (Action.CREATE, None, [])


def test_refused_rows_are_in_the_plan_and_stop_the_writing(catalogue, curator, places):
    result = plan(
        places,
        curator,
        row("Le Bocal"),
        row("", **{"Code INSEE": "62652"}),
        row("La Ruche", **{"Code INSEE": "99999"}),
    )

    assert [summary(entry) for entry in result.entries] == [(2, "Le Bocal", Action.CREATE)]
    assert [(refusal.line, refusal.reasons) for refusal in result.refusals] == [
        (3, ["missing name"]),
        (4, ["unknown commune: 99999"]),
    ]
    assert (result.counts["refused"], result.counts["rows"]) == (2, 3)
    assert not result.may_write()
    assert result.may_write(leave_out_refused=True)


def test_an_anct_point_of_several_structures_plans_each_one(catalogue, curator, places):
    result = plan(
        places,
        curator,
        row("Le Bocal\nLa Ruche", id="A-1;A-2"),
        known_ids={"A-2": catalogue.pk},
    )

    assert [(entry.candidate.source_id, entry.action) for entry in result.entries] == [
        ("A-1", Action.CREATE),
        ("A-2", Action.UPDATE),
    ]
    assert result.entries[1].changes == ["name"]


# --- Possible duplicates in the catalogue ------------------------------------------------------


def test_a_similar_name_within_1_km_is_a_possible_duplicate(catalogue, curator, places):
    result = plan(places, curator, row("Fabrique de Pernes", Latitude="50.4855", Longitude="2.3900"))

    (entry,) = result.entries
    assert entry.action == Action.CREATE
    assert [(duplicate.initiative, duplicate.reasons) for duplicate in entry.duplicates] == [
        (catalogue, ["similar name, 50 m away"])
    ]
    assert entry.flagged
    assert result.counts["flagged"] == 1


def test_a_similar_name_3_km_away_is_not_a_duplicate(catalogue, curator, places):
    result = plan(places, curator, row("Fabrique de Pernes", **at(FAR_AWAY)))

    assert result.entries[0].duplicates == []


def test_a_different_name_at_the_same_place_is_not_a_duplicate(catalogue, curator, places):
    result = plan(places, curator, row("Ressourcerie du Ternois", **at(FABRIQUE)))

    assert result.entries[0].duplicates == []


def test_a_row_placed_at_its_communes_centre_is_not_compared_by_distance(catalogue, curator, pernes, places):
    # Every row of Pernes without coordinates is at its town hall: "near" would mean nothing.
    InitiativeFactory(name="Le Bocal", commune=pernes, location=pernes.centre)

    result = plan(places, curator, row("Le Bocal"))

    (entry,) = result.entries
    assert entry.candidate.location_precision == Initiative.LocationPrecision.COMMUNE
    assert entry.duplicates == []


def test_an_archived_entry_with_the_same_siren_does_not_stop_the_update(catalogue, curator, places):
    catalogue.status = Initiative.Status.PUBLISHED
    catalogue.save()
    LegalEntityFactory(initiative=catalogue, siren=SIREN)
    LegalEntityFactory(
        initiative=InitiativeFactory(name="Autre lieu", status=Initiative.Status.ARCHIVED), siren=SIREN
    )

    result = plan(places, curator, row("Le Bocal", SIRET=SIREN))

    # Archiving is how an entry is deleted: the live entry is the only one with the SIREN.
    (entry,) = result.entries
    assert (entry.action, entry.initiative, entry.duplicates) == (Action.UPDATE, catalogue, [])


def test_the_same_website_is_a_possible_duplicate(catalogue, curator, places):
    result = plan(
        places, curator, row("Le Bocal", **{"Site web": "http://fabrique-pernes.fr"}, **at(FAR_AWAY))
    )

    (entry,) = result.entries
    assert [(duplicate.initiative, duplicate.reasons) for duplicate in entry.duplicates] == [
        (catalogue, ["same website"])
    ]


def test_the_same_email_whatever_its_case_is_a_possible_duplicate(catalogue, curator, places):
    result = plan(places, curator, row("Le Bocal", Courriel="bonjour@fabrique-pernes.fr"))

    (entry,) = result.entries
    assert [(duplicate.initiative, duplicate.reasons) for duplicate in entry.duplicates] == [
        (catalogue, ["same public e-mail"])
    ]


def test_every_reason_of_a_duplicate_is_given(catalogue, curator, places):
    result = plan(
        places,
        curator,
        row(
            "Fabrique de Pernes",
            Latitude="50.4855",
            Longitude="2.3900",
            **{"Site web": "fabrique-pernes.fr", "Courriel": "bonjour@fabrique-pernes.fr"},
        ),
    )

    (duplicate,) = result.entries[0].duplicates
    assert duplicate.initiative == catalogue
    assert duplicate.reasons == ["similar name, 50 m away", "same website", "same public e-mail"]


def test_an_archived_entry_is_never_a_duplicate(catalogue, curator, places):
    catalogue.status = Initiative.Status.ARCHIVED
    catalogue.save()

    result = plan(
        places, curator, row("Fabrique de Pernes", **at(FABRIQUE), **{"Site web": "fabrique-pernes.fr"})
    )

    assert result.entries[0].duplicates == []


# --- Possible duplicates within the file -------------------------------------------------------


def test_rows_of_the_same_file_with_similar_names_within_1_km_are_flagged(catalogue, curator, places):
    result = plan(
        places,
        curator,
        row("Le Bocal de Pernes", **at(FAR_AWAY)),
        row("Atelier vélo", **at(FAR_AWAY)),
        row("Bocal de Pernes", Latitude="50.4860", Longitude="2.4325"),
    )

    assert [entry.same_in_file for entry in result.entries] == [[], [], [2]]
    assert [entry.flagged for entry in result.entries] == [False, False, True]
    assert result.counts["flagged"] == 1


def test_similar_names_far_apart_in_the_file_are_not_flagged(catalogue, curator, places):
    result = plan(
        places,
        curator,
        row("Le Bocal de Pernes", **at(FAR_AWAY)),
        row("Le Bocal de Pernes", Latitude="50.60", Longitude="2.43"),
    )

    assert [entry.same_in_file for entry in result.entries] == [[], []]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"SIRET": SIREN}, {"SIRET": f"{SIREN}00018"}),
        ({"Site web": "https://www.bocal.fr/"}, {"Site web": "bocal.fr"}),
        ({"Courriel": "Contact@Bocal.fr"}, {"Courriel": "contact@bocal.fr"}),
        ({"id": "B-7"}, {"id": "B-7"}),
    ],
    ids=["SIREN", "website", "e-mail", "identifier"],
)
def test_rows_of_the_same_file_with_the_same_identifier_are_flagged(
    catalogue, curator, places, first, second
):
    result = plan(
        places,
        curator,
        row("Le Bocal", **at(FAR_AWAY), **first),
        row("Atelier vélo", **second),
        row("La Ruche", **second),
    )

    assert [entry.same_in_file for entry in result.entries] == [[], [2], [2, 3]]


def test_the_structures_of_one_point_are_not_duplicates_of_each_other(catalogue, curator, places):
    result = plan(places, curator, row("Le Bocal\nLa Ruche", id="A-1;A-2", **{"Site web": "tiers-lieu.fr"}))

    assert [entry.same_in_file for entry in result.entries] == [[], []]
