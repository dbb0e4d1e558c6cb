"""Which column fills which field: the headings networks use, French and English, guessed; a saved
mapping kept; the columns left out listed."""

import pytest

from catalogue.importers.mapping import (
    FIELDS,
    IGNORED,
    checked_mapping,
    field_choices,
    guess_mapping,
    left_out,
)


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("nom", "name"),
        ("name", "name"),
        ("Nom du lieu", "name"),
        ("Raison sociale", "name"),
        ("adresse", "address"),
        ("Address", "address"),
        ("code postal", "postcode"),
        ("cp", "postcode"),
        ("Postcode", "postcode"),
        ("ville", "commune_name"),
        ("commune", "commune_name"),
        ("City", "commune_name"),
        ("code INSEE", "insee"),
        ("insee", "insee"),
        ("codgeo", "insee"),
        ("latitude", "latitude"),
        ("lat", "latitude"),
        ("longitude", "longitude"),
        ("lon", "longitude"),
        ("long", "longitude"),
        ("lng", "longitude"),
        ("site web", "website"),
        ("web", "website"),
        ("url", "website"),
        ("Site internet", "website"),
        ("courriel", "public_email"),
        ("e-mail", "public_email"),
        ("Email", "public_email"),
        ("téléphone", "phone"),
        ("Tél", "phone"),
        ("statut juridique", "legal_form"),
        ("forme juridique", "legal_form"),
        ("type", "kind"),
        ("typologie", "kind"),
        ("Catégorie", "kind"),
        ("SIRET", "siret"),
        ("SIREN", "siret"),
        ("N° SIRET", "siret"),
        ("RNA", "rna"),
        ("Numéro RNA", "rna"),
        ("description", "description"),
        ("Présentation", "description"),
        ("identifiant", "source_id"),
    ],
)
def test_the_headings_networks_use_are_guessed(heading, field):
    assert guess_mapping([heading]) == {heading: field}


@pytest.mark.parametrize(
    "heading",
    ["Code postal", "code_postal", "CODE-POSTAL", "  code   postal ", "Code Postal"],
)
def test_case_underscores_and_hyphens_do_not_matter(heading):
    assert guess_mapping([heading]) == {heading: "postcode"}


@pytest.mark.parametrize("heading", ["TÉLÉPHONE", "Telephone", "téléphone", "Numéro de téléphone"])
def test_accents_do_not_matter(heading):
    assert guess_mapping([heading]) == {heading: "phone"}


def test_a_file_of_a_network_is_mapped_column_by_column():
    headings = ["Nom", "Adresse", "Code postal", "Ville", "Site web", "SIRET", "Horaires"]

    assert guess_mapping(headings) == {
        "Nom": "name",
        "Adresse": "address",
        "Code postal": "postcode",
        "Ville": "commune_name",
        "Site web": "website",
        "SIRET": "siret",
        "Horaires": IGNORED,
    }


def test_a_field_is_filled_by_the_first_column_that_names_it_only():
    mapping = guess_mapping(["Ville", "Commune", "lat", "Latitude", "Nom"])

    assert mapping == {
        "Ville": "commune_name",
        "Commune": IGNORED,
        "lat": "latitude",
        "Latitude": IGNORED,
        "Nom": "name",
    }


def test_unknown_headings_are_left_out():
    mapping = guess_mapping(["Horaires d'ouverture", "Remarques", "Nom"])

    assert mapping == {"Horaires d'ouverture": IGNORED, "Remarques": IGNORED, "Nom": "name"}
    assert left_out(mapping) == ["Horaires d'ouverture", "Remarques"]


def test_left_out_lists_every_column_mapped_to_nothing_in_the_files_order():
    mapping = {"Nom": "name", "Notes": IGNORED, "Ville": "commune_name", "Tarifs": IGNORED}

    assert left_out(mapping) == ["Notes", "Tarifs"]


def test_nothing_is_left_out_when_every_column_is_read():
    assert left_out(guess_mapping(["Nom", "Ville"])) == []


def test_a_saved_mapping_is_kept_over_the_guess():
    headings = ["Nom", "Lieu", "Ville", "Notes"]
    saved = {"Nom": IGNORED, "Lieu": "name", "Ville": "commune_name", "Notes": "description"}

    assert checked_mapping(headings, saved) == saved


def test_a_column_the_saved_mapping_does_not_name_is_guessed():
    mapping = checked_mapping(["Nom", "Code postal", "Ville"], {"Nom": "name", "Ville": "commune_name"})

    assert mapping == {"Nom": "name", "Code postal": "postcode", "Ville": "commune_name"}


def test_a_guess_never_takes_a_field_the_saved_mapping_gives_another_column():
    # A new column "Nom" in this year's file: the saved mapping still says which column is the name.
    mapping = checked_mapping(["Nom", "Nom de la structure"], {"Nom de la structure": "name"})

    assert mapping == {"Nom": IGNORED, "Nom de la structure": "name"}
    assert list(mapping) == ["Nom", "Nom de la structure"]


def test_unknown_fields_of_a_saved_mapping_are_ignored():
    mapping = checked_mapping(["Nom", "Horaires"], {"Nom": "name", "Horaires": "opening_hours"})

    assert mapping == {"Nom": "name", "Horaires": IGNORED}


def test_a_saved_mapping_that_gives_a_field_twice_keeps_the_first_column():
    mapping = checked_mapping(["Nom", "Lieu"], {"Nom": "name", "Lieu": "name"})

    assert mapping == {"Nom": "name", "Lieu": IGNORED}


def test_headings_the_file_no_longer_has_are_dropped_from_a_saved_mapping():
    mapping = checked_mapping(["Nom"], {"Nom": "name", "Ancienne colonne": "website"})

    assert mapping == {"Nom": "name"}


def test_without_a_saved_mapping_the_guess_is_used():
    headings = ["Nom", "Ville", "Commune"]

    assert checked_mapping(headings, {}) == guess_mapping(headings)
    assert checked_mapping(headings, None) == guess_mapping(headings)


def test_the_form_offers_leaving_a_column_out_then_every_field():
    choices = field_choices()

    assert choices[0][0] == IGNORED
    assert [value for value, _label in choices[1:]] == list(FIELDS)
    assert len({str(label) for _value, label in choices}) == len(choices)
