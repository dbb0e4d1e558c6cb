"""A row of a network's file read as the initiatives it stands for, or refused with its line and its
reasons; where it is, from the territories table only."""

import csv
import io

import pytest
from django.contrib.gis.geos import Point
from django.utils import translation

from catalogue.importers.mapping import guess_mapping
from catalogue.importers.reading import read_table
from catalogue.importers.rows import Candidate, Refusal, RowReader
from catalogue.models import Initiative

ADDRESS = Initiative.LocationPrecision.ADDRESS
COMMUNE = Initiative.LocationPrecision.COMMUNE
PERNES_TOWN_HALL = (2.4109, 50.4838)


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def csv_file(rows):
    """The bytes of a CSV file of ``rows`` (dicts: their keys are the headings), as Excel saves it."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("cp1252")


def read_rows(places, *rows):
    """What the reader makes of each row of a file of ``rows``, its columns guessed from the headings."""
    table = read_table("lieux.csv", csv_file(list(rows)))
    reader = RowReader(guess_mapping(table.headings), places)
    return [reader.read(row) for row in table.rows]


def read_one(places, **cells):
    (read,) = read_rows(places, cells)
    return read


def refused(places, **cells):
    read = read_one(places, **cells)
    assert isinstance(read, Refusal), read
    return read


def accepted(places, **cells):
    read = read_one(places, **cells)
    assert isinstance(read, list), read
    (candidate,) = read
    assert isinstance(candidate, Candidate)
    return candidate


# --- Refused rows ------------------------------------------------------------------------------


def test_a_refused_row_says_its_line_and_its_reasons(seed, places):
    reads = read_rows(
        places,
        {"Nom": "La Fabrique", "Code INSEE": "62652"},
        {"Nom": "", "Code INSEE": "62652"},
    )

    assert isinstance(reads[0], list)
    assert isinstance(reads[1], Refusal)
    assert (reads[1].line, reads[1].reasons) == (3, ["missing name"])


@pytest.mark.parametrize("name", ["", "   "], ids=["empty", "spaces"])
def test_a_row_without_a_name_is_refused(seed, places, name):
    refusal = refused(places, Nom=name, Ville="Pernes")

    assert refusal.reasons == ["missing name"]


def test_a_row_in_an_unknown_commune_is_refused(seed, places):
    refusal = refused(places, Nom="La Fabrique", **{"Code INSEE": "99999"})

    assert (refusal.line, refusal.name, refusal.reasons) == (2, "La Fabrique", ["unknown commune: 99999"])


def test_the_unknown_commune_is_named_as_the_file_gives_it(seed, places):
    refusal = refused(places, Nom="La Fabrique", **{"Code postal": "62550", "Ville": "Pernes-en-Artois"})

    assert refusal.reasons == ["unknown commune: 62550 Pernes-en-Artois"]


def test_a_commune_name_that_many_communes_bear_is_not_guessed(seed, places):
    refusal = refused(places, Nom="La Fabrique", Ville="Beaumont")

    assert refusal.reasons == ["unknown commune: Beaumont"]


def test_a_row_without_any_place_is_refused(seed, places):
    refusal = refused(places, Nom="La Fabrique", Ville="")

    assert refusal.reasons == ["no place: neither coordinates nor a commune"]


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [("40.7128", "-74.0060"), ("0", "0"), ("45.0", "-15.0")],
    ids=["New York", "null island", "Atlantic"],
)
def test_coordinates_outside_france_are_refused(seed, places, latitude, longitude):
    refusal = refused(places, Nom="La Fabrique", Latitude=latitude, Longitude=longitude)

    assert refusal.reasons == [
        f"coordinates outside France: latitude {float(latitude):.5f}, longitude {float(longitude):.5f}"
    ]


def test_swapped_coordinates_are_refused_and_said_to_be_swapped(seed, places):
    refusal = refused(places, Nom="La Fabrique", Latitude="2.4109", Longitude="50.4838")

    assert refusal.reasons == [
        "coordinates outside France (2.41090, 50.48380): latitude and longitude look swapped"
    ]


def test_coordinates_outside_france_are_refused_even_with_a_known_commune(seed, places):
    refusal = refused(places, Nom="La Fabrique", Ville="Pernes", Latitude="40.7", Longitude="-74.0")

    assert refusal.reasons == ["coordinates outside France: latitude 40.70000, longitude -74.00000"]


def test_unreadable_coordinates_are_refused(seed, places):
    refusal = refused(places, Nom="La Fabrique", Latitude="50°29'N", Longitude="2°24'E")

    assert refusal.reasons == ["unreadable coordinates: latitude “50°29'N”, longitude “2°24'E”"]


def test_a_latitude_without_longitude_is_refused(seed, places):
    refusal = refused(places, Nom="La Fabrique", Ville="Pernes", Latitude="50.48", Longitude="")

    assert refusal.reasons == ["unreadable coordinates: latitude “50.48”, longitude “”"]


@pytest.mark.parametrize("siret", ["123456789", "12345678", "ABCDEFGHI", "12345678912345"])
def test_an_invalid_siren_or_siret_is_refused(seed, places, siret):
    refusal = refused(places, Nom="La Fabrique", Ville="Pernes", SIRET=siret)

    assert refusal.reasons == [f"invalid SIREN or SIRET: {siret}"]


@pytest.mark.parametrize("rna", ["W12345", "X623001234", "W62300123A"])
def test_an_invalid_rna_number_is_refused(seed, places, rna):
    refusal = refused(places, Nom="La Fabrique", Ville="Pernes", RNA=rna)

    assert refusal.reasons == [f"invalid RNA number: {rna}"]


def test_a_name_too_long_is_refused(seed, places):
    name = "Tiers-lieu " + "x" * 200

    refusal = refused(places, Nom=name, Ville="Pernes")

    assert refusal.reasons == [f"name longer than 200 characters: “{name[:40]}…”"]
    assert len(refusal.name) == 200


def test_a_name_of_200_characters_is_kept(seed, places):
    candidate = accepted(places, Nom="x" * 200, Ville="Pernes")

    assert len(candidate.name) == 200


def test_every_reason_of_a_row_is_listed(seed, places):
    refusal = refused(places, Nom="", **{"Code INSEE": "99999", "SIRET": "123456789", "RNA": "W1"})

    assert refusal.reasons == [
        "missing name",
        "unknown commune: 99999",
        "invalid SIREN or SIRET: 123456789",
        "invalid RNA number: W1",
    ]


# --- Where a row is ----------------------------------------------------------------------------


def test_the_commune_is_found_from_its_insee_code(seed, places, pernes):
    candidate = accepted(places, Nom="La Fabrique", **{"Code INSEE": "62652"})

    assert candidate.commune.pk == pernes.pk
    assert str(candidate.commune) == "Pernes (62652)"


def test_the_insee_code_decides_over_the_postcode_and_name(seed, places, lille):
    candidate = accepted(
        places, Nom="Le Bocal", **{"Code INSEE": "59350", "Code postal": "62550", "Ville": "Pernes"}
    )

    assert candidate.commune.pk == lille.pk


def test_an_insee_code_read_as_a_number_by_a_spreadsheet_is_found(seed, places):
    candidate = accepted(places, Nom="La Fabrique", **{"Code INSEE": "1004"})

    assert str(candidate.commune) == "Ambérieu-en-Bugey (01004)"


def test_an_arrondissement_of_paris_is_paris(seed, places):
    candidate = accepted(places, Nom="La Fabrique", **{"Code INSEE": "75111"})

    assert str(candidate.commune) == "Paris (75056)"


def test_the_commune_is_found_from_its_postcode_and_name(seed, places):
    # 62550 serves fifteen communes: the name says which.
    candidate = accepted(places, Nom="Le Fournil", **{"Code postal": "62550", "Ville": "Valhuon"})

    assert str(candidate.commune) == "Valhuon (62835)"


def test_the_name_is_compared_without_case_accents_or_hyphens(seed, places):
    candidate = accepted(places, Nom="Le Fournil", **{"Code postal": "62550", "Ville": "BAILLEUL LES PERNES"})

    assert str(candidate.commune) == "Bailleul-lès-Pernes (62071)"


def test_the_commune_is_found_from_its_name_alone_when_one_commune_bears_it(seed, places, pernes):
    candidate = accepted(places, Nom="La Fabrique", Ville="Pernes")

    assert candidate.commune.pk == pernes.pk


def test_the_commune_is_found_from_a_postcode_that_serves_it_alone(seed, places):
    candidate = accepted(places, Nom="La Fabrique", **{"Code postal": "62157"})

    assert str(candidate.commune) == "Allouagne (62023)"


def test_a_postcode_that_serves_several_communes_is_not_enough(seed, places):
    refusal = refused(places, Nom="La Fabrique", **{"Code postal": "62550"})

    assert refusal.reasons == ["unknown commune: 62550"]


def test_a_row_placed_by_its_commune_is_at_its_centre_and_says_so(seed, places):
    candidate = accepted(places, Nom="La Fabrique", Ville="Pernes")

    assert candidate.location_precision == COMMUNE
    assert (candidate.location.x, candidate.location.y) == PERNES_TOWN_HALL
    assert candidate.warnings == ["placed at the centre of its commune"]


def test_the_coordinates_of_a_row_are_used_when_present(seed, places, pernes):
    candidate = accepted(places, Nom="La Fabrique", Ville="Pernes", Latitude="50,4851", Longitude="2,3897")

    assert candidate.location_precision == ADDRESS
    assert (candidate.location.x, candidate.location.y, candidate.location.srid) == (2.3897, 50.4851, 4326)
    assert candidate.commune.pk == pernes.pk
    assert candidate.warnings == []


def test_coordinates_place_a_row_whose_commune_is_not_found_with_a_warning(seed, places):
    candidate = accepted(
        places, Nom="La Fabrique", Ville="Pernes-en-Artois", Latitude="50.4851", Longitude="2.3897"
    )

    assert candidate.commune is None
    assert candidate.location_precision == ADDRESS
    assert candidate.warnings == ["commune “Pernes-en-Artois” not found: placed by its coordinates"]


def test_the_point_of_a_geojson_feature_places_its_row(seed, places):
    table = read_table(
        "lieux.geojson",
        b'{"type": "Feature", "properties": {"nom": "La Fabrique"},'
        b' "geometry": {"type": "Point", "coordinates": [2.3897, 50.4851]}}',
    )

    (candidate,) = RowReader(guess_mapping(table.headings), places).read(table.rows[0])

    assert (candidate.location.x, candidate.location.y) == (2.3897, 50.4851)
    assert candidate.location_precision == ADDRESS


def test_a_geojson_feature_that_is_no_point_is_refused_with_why(seed, places):
    table = read_table(
        "lieux.geojson",
        b'{"type": "Feature", "properties": {"nom": "La Fabrique"},'
        b' "geometry": {"type": "LineString", "coordinates": [[2.38, 50.48], [2.39, 50.49]]}}',
    )

    refusal = RowReader(guess_mapping(table.headings), places).read(table.rows[0])

    assert isinstance(refusal, Refusal)
    assert refusal.reasons == ["no usable point: its geometry is a LineString, not a point"]


def test_overseas_coordinates_are_in_france(seed, places):
    candidate = accepted(places, Nom="Case à lire", Latitude="-20.8789", Longitude="55.4481")

    assert candidate.location_precision == ADDRESS


# --- A point of several structures --------------------------------------------------------------


def test_an_anct_point_of_several_structures_gives_one_candidate_each(seed, places, pernes):
    (read,) = read_rows(
        places,
        {
            "id_territoire": "ANCT-12; ANCT-13;ANCT-14",
            "lib_territoire": "La Fabrique\nLe Bocal\r\nAtelier vélo",
            "Code INSEE": "62652",
        },
    )

    assert [(candidate.source_id, candidate.name) for candidate in read] == [
        ("ANCT-12", "La Fabrique"),
        ("ANCT-13", "Le Bocal"),
        ("ANCT-14", "Atelier vélo"),
    ]
    assert {candidate.line for candidate in read} == {2}
    assert all(candidate.commune.pk == pernes.pk for candidate in read)
    assert read[0].warnings == [
        "placed at the centre of its commune",
        "one of 3 structures on the same point",
    ]


def test_names_joined_by_semicolons_as_their_ids_are_keep_their_own_line_breaks(seed, places):
    # As in the Fabriques de territoire file: the first name runs over two lines.
    (read,) = read_rows(
        places,
        {
            "id_territoire": "fabt-279; fabt-370",
            "lib_territoire": "Collectif Apprendre\nChef de file : La Maison; Le Touche@tout, tiers lieu",
            "Code INSEE": "62652",
        },
    )

    assert [(candidate.source_id, candidate.name) for candidate in read] == [
        ("fabt-279", "Collectif Apprendre Chef de file : La Maison"),
        ("fabt-370", "Le Touche@tout, tiers lieu"),
    ]


def test_an_anct_point_whose_names_do_not_match_its_ids_is_refused(seed, places):
    refusal = refused(
        places, id_territoire="A1;A2;A3", lib_territoire="La Fabrique\nLe Bocal", Ville="Pernes"
    )

    assert refusal.reasons == [
        "3 identifiers but 2 names: which name goes with which identifier cannot be told"
    ]


def test_a_single_structure_keeps_its_name_on_one_line(seed, places):
    candidate = accepted(places, id="A1", Nom="La  Fabrique\nde Pernes", Ville="Pernes")

    assert (candidate.source_id, candidate.name) == ("A1", "La Fabrique de Pernes")


def test_html_entities_in_names_are_read_as_text(seed, places):
    candidate = accepted(places, Nom="Caf&eacute; &amp; Cie", Ville="Pernes")

    assert candidate.name == "Café & Cie"


# --- What is left out with a warning -----------------------------------------------------------


def test_an_unknown_kind_is_a_warning_not_a_refusal(seed, places):
    candidate = accepted(places, Nom="La Fabrique", Ville="Pernes", Type="Boulangerie, Tiers-lieu")

    assert [kind.slug for kind in candidate.kinds] == ["tiers-lieu"]
    assert "kind “Boulangerie” unknown: left out" in candidate.warnings


@pytest.mark.parametrize(
    ("cell", "slugs"),
    [
        ("Tiers-lieu", ["tiers-lieu"]),
        ("tiers lieux", ["tiers-lieu"]),
        ("fablab", ["fab-lab"]),
        ("Fab-lab | Coworking", ["fab-lab", "coworking"]),
        ("CAFE ASSOCIATIF;recyclerie;Recyclerie", ["cafe-associatif", "recyclerie"]),
    ],
)
def test_kinds_are_read_by_label_or_code(seed, places, cell, slugs):
    candidate = accepted(places, Nom="La Fabrique", Ville="Pernes", Type=cell)

    assert [kind.slug for kind in candidate.kinds] == slugs
    assert not [warning for warning in candidate.warnings if warning.startswith("kind")]


def test_a_malformed_website_and_email_are_left_out_with_warnings(seed, places):
    candidate = accepted(
        places, Nom="La Fabrique", Ville="Pernes", **{"Site web": "pas de site", "Courriel": "contact@"}
    )

    assert (candidate.website, candidate.public_email) == ("", "")
    assert "website “pas de site” is not a web address: left out" in candidate.warnings
    assert "e-mail “contact@” is not an e-mail address: left out" in candidate.warnings


def test_a_website_without_scheme_and_a_mailto_are_made_usable(seed, places):
    candidate = accepted(
        places,
        Nom="La Fabrique",
        Ville="Pernes",
        **{"Site web": "fabrique-pernes.fr", "Courriel": "mailto:bonjour@fabrique.fr"},
    )

    assert candidate.website == "https://fabrique-pernes.fr"
    assert candidate.public_email == "bonjour@fabrique.fr"


def test_a_siret_gives_its_siren_and_the_legal_form_is_read(seed, places):
    candidate = accepted(
        places, Nom="La Fabrique", Ville="Pernes", SIRET="200 041 960 00012", **{"Statut juridique": "SCIC"}
    )

    assert candidate.siren == "200041960"
    assert candidate.legal_form.slug == "scic"


def test_an_rna_number_without_legal_form_makes_an_association(seed, places):
    candidate = accepted(places, Nom="La Fabrique", Ville="Pernes", RNA="w623001234")

    assert candidate.rna == "W623001234"
    assert candidate.legal_form.slug == "association"


def test_an_unknown_legal_form_is_a_warning(seed, places):
    candidate = accepted(
        places, Nom="La Fabrique", Ville="Pernes", **{"Statut juridique": "Coopérative lunaire"}
    )

    assert candidate.legal_form is None
    assert candidate.warnings == [
        "legal form “Coopérative lunaire” unknown: left out",
        "placed at the centre of its commune",
    ]


def test_the_places_of_a_file_come_from_the_territories_table_only(seed, places, django_assert_num_queries):
    reader = RowReader(guess_mapping(["Nom", "Ville"]), places)
    table = read_table("lieux.csv", csv_file([{"Nom": f"Lieu {n}", "Ville": "Pernes"} for n in range(20)]))

    with django_assert_num_queries(0):
        reads = [reader.read(row) for row in table.rows]

    assert all(isinstance(read, list) for read in reads)


def test_a_point_in_france_is_in_france_and_one_at_sea_is_not(places):
    assert places.in_france(Point(*PERNES_TOWN_HALL, srid=4326))
    assert places.in_france(Point(9.45, 42.70, srid=4326))  # Bastia
    assert not places.in_france(Point(-5.0, 45.0, srid=4326))
