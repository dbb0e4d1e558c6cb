"""The exports in the national schemas, each validated by its schema's own published package.

- The médiation numérique CSV goes through ``@gouvfr-anct/lieux-de-mediation-numerique`` (npm, in
  ``package.json``), the ANCT's library of the standard, run by ``node``: every row is read by its
  ``fromSchemaLieuDeMediationNumerique``, which refuses a field it finds invalid, and written back by
  its ``toSchemaLieuMediationNumerique``, which must give every value of the row again (a column the
  library does not know, or a date it cannot read, would not come back).
- The data·inclusion JSON goes through the ``Structure`` model of the ``data-inclusion-schema``
  package (PyPI, in requirements-test.txt), with its warnings made errors.
"""

import csv
import io
import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from data_inclusion.schema.v1 import Structure
from django.contrib.gis.geos import Point
from django.urls import reverse
from hypothesis import given

from catalogue import exports
from catalogue.models import Initiative, LegalEntity
from catalogue.national_exports import NO_PIVOT, commune_name
from territories.models import Territory
from tests.catalogue.test_query_strings import NASTY_QUERIES, examples, fetch, query_strings
from tests.factories import (
    InitiativeFactory,
    KindFactory,
    LegalEntityFactory,
    LegalFormFactory,
    commune,
)

pytestmark = pytest.mark.django_db

Status = Initiative.Status
LIBRARY = (
    Path(__file__).resolve().parents[2] / "node_modules" / "@gouvfr-anct" / "lieux-de-mediation-numerique"
)
MEDIATION = "catalogue:export-mediation-numerique"
DATA_INCLUSION = "catalogue:export-data-inclusion"

# Reads the rows (JSON objects, as the standard's CSV cells) from stdin; writes, for each, the place
# as the library writes it back, or the library's error.
VALIDATE = """
const library = require(process.argv[1]);
const rows = JSON.parse(require("fs").readFileSync(0, "utf8"));
const results = rows.map((row) => {
  try {
    return { lieu: library.toSchemaLieuMediationNumerique(library.fromSchemaLieuDeMediationNumerique(row)) };
  } catch (error) {
    return { error: `${error.key ?? error.name}: ${error.message}` };
  }
});
process.stdout.write(JSON.stringify(results));
"""


def download(client, url_name, query=""):
    response = client.get(reverse(url_name) + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def mediation_rows(body):
    """The CSV's rows as the standard reads them (commas, UTF-8), headings first."""
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


def mediation_records(client, query=""):
    headings, *rows = mediation_rows(download(client, MEDIATION, query)[1])
    return [dict(zip(headings, row, strict=True)) for row in rows]


def library_rows(records):
    """The records as the library takes them: a cell left empty is a field not given, latitude and
    longitude are numbers (the standard's type)."""
    rows = []
    for record in records:
        row = {name: value for name, value in record.items() if value != ""}
        for name in ("latitude", "longitude"):
            if name in row:
                row[name] = float(row[name])
        rows.append(row)
    return rows


def validate_mediation(records):
    """Every record through the national cartography's library: those it refuses, with its reason,
    and those whose values it does not write back the same."""
    if not LIBRARY.is_dir():
        pytest.fail(f"{LIBRARY} is missing: run ./scripts/setup.sh --test to install the npm packages.")
    rows = library_rows(records)
    result = subprocess.run(
        ["node", "-e", VALIDATE, str(LIBRARY)],
        input=json.dumps(rows),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    problems = []
    for row, outcome in zip(rows, json.loads(result.stdout), strict=True):
        if "error" in outcome:
            problems.append((row["id"], outcome["error"]))
            continue
        changed = {name: value for name, value in row.items() if outcome["lieu"].get(name) != value}
        if changed:
            problems.append((row["id"], changed, outcome["lieu"]))
    return problems


def structures(client, query=""):
    _response, body = download(client, DATA_INCLUSION, query)
    return json.loads(body)


def invalid_structures(items):
    """The items that data·inclusion's own model refuses, with its reasons (warnings included)."""
    problems = []
    for item in items:
        try:
            Structure.model_validate(item, context={"ignore_warnings": False})
        except ValueError as error:
            problems.append((item.get("id"), str(error)))
    return problems


def catalogue_names(client, query=""):
    """The names in the catalogue's own CSV for the same query: the page's results, in its order."""
    _response, body = download(client, "catalogue:export-csv", query)
    _headings, *rows = csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";")
    return [row[0] for row in rows]


def today():
    return datetime.now(UTC).date().isoformat()


@pytest.fixture
def lieux(territories):
    """Entries of the national standard's kind: in a commune, with a street address that names
    the postcode where the commune has several."""
    tiers_lieu = KindFactory(slug="tiers-lieu", label="Tiers-lieu")
    fab_lab = KindFactory(slug="fab-lab", label="Fab-lab")
    association = LegalFormFactory(slug="association", label="Association loi 1901")
    lille = InitiativeFactory(
        name="La Fabrique de Fives",
        commune=commune("59350"),
        address="12 rue Pierre-Legrand, 59800 Lille",
        location=Point(3.0867, 50.6300, srid=4326),
        website="https://fabrique-fives.example.org/",
        public_email="bonjour@fabrique-fives.fr",
        phone="03 20 00 00 00",
        kinds=[fab_lab, tiers_lieu],
    )
    LegalEntityFactory(initiative=lille, legal_form=association, rna="W595012345", siren="")
    pernes = InitiativeFactory(
        name="Atelier numérique du Ternois",
        commune=commune("62652"),
        address="3 place de la Mairie",
        location=None,
        kinds=[tiers_lieu],
    )
    return {"lille": lille, "pernes": pernes}


# --- Médiation numérique: the file ------------------------------------------------------------


def test_mediation_numerique_is_a_csv_of_the_standards_columns_named_as_it_suggests(client, lieux):
    response, body = download(client, MEDIATION)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="\d{4}-\d{2}-\d{2}_percolateur_lieux-de-mediation-numerique\.csv"',
        response["Content-Disposition"],
    )
    # UTF-8 without a byte order mark, commas between fields, every column in the standard's order.
    assert body.startswith(b"id,pivot,nom,")
    assert mediation_rows(body)[0] == [
        "id",
        "pivot",
        "nom",
        "commune",
        "code_postal",
        "code_insee",
        "adresse",
        "complement_adresse",
        "latitude",
        "longitude",
        "typologie",
        "telephone",
        "courriels",
        "site_web",
        "horaires",
        "presentation_resume",
        "presentation_detail",
        "source",
        "itinerance",
        "structure_parente",
        "date_maj",
        "services",
        "publics_specifiquement_adresses",
        "prise_en_charge_specifique",
        "frais_a_charge",
        "dispositif_programmes_nationaux",
        "formations_labels",
        "autres_formations_labels",
        "modalites_acces",
        "modalites_accompagnement",
        "fiche_acces_libre",
        "prise_rdv",
    ]


def test_every_mediation_numerique_row_is_valid_for_the_national_cartographys_library(client, seed, lieux):
    records = mediation_records(client)

    assert {record["nom"] for record in records} == {
        "Cirqu'en-Cavale",
        "La Fabrique de Fives",
        "Atelier numérique du Ternois",
    }
    assert validate_mediation(records) == []


def test_a_mediation_numerique_row_says_what_the_catalogue_knows_of_the_place(client, lieux):
    lille = lieux["lille"]
    [row] = [record for record in mediation_records(client) if record["nom"] == "La Fabrique de Fives"]

    assert row["id"] == str(lille.pk)
    # The association's RNA number: the pivot the standard asks for when no SIRET is known.
    assert row["pivot"] == "W595012345"
    assert row["commune"] == "Lille"
    # Lille has five postcodes: the one the address names.
    assert row["code_postal"] == "59800"
    assert row["code_insee"] == "59350"
    assert row["adresse"] == "12 rue Pierre-Legrand, 59800 Lille"
    assert (row["latitude"], row["longitude"]) == ("50.63", "3.0867")
    assert row["typologie"] == "FABLAB|TIERS_LIEUX|ASSO"
    assert row["telephone"] == "+33320000000"
    assert row["courriels"] == "bonjour@fabrique-fives.fr"
    assert row["site_web"] == "https://fabrique-fives.example.org/"
    assert row["presentation_resume"] == "Un tiers-lieu rural ouvert aux habitants."
    assert row["source"] == "percolateur"
    assert row["date_maj"] == today()
    # What the catalogue does not record is left empty, not guessed.
    assert row["services"] == row["horaires"] == row["modalites_acces"] == row["itinerance"] == ""


def test_the_seeds_cirquen_cavale_maps_its_kind_and_legal_set_up(client, seed):
    [row] = [record for record in mediation_records(client) if record["nom"] == "Cirqu'en-Cavale"]

    # Tiers-lieu (its other kind, "École / lieu culturel", has no typology); an association, an SCI
    # (no typology) and an SCIC, an ESS company.
    assert row["typologie"] == "TIERS_LIEUX|ASSO|ESS"
    # Its entities have no SIRET nor RNA.
    assert row["pivot"] == NO_PIVOT
    assert (row["commune"], row["code_postal"], row["code_insee"]) == ("Pernes", "62550", "62652")
    assert (row["latitude"], row["longitude"]) == ("50.4838", "2.4109")
    assert row["site_web"] == "http://www.cirquencavale.com/"


def test_the_pivot_is_the_project_holders_rna_and_never_a_siren(client, pernes):
    form = LegalFormFactory()
    both = InitiativeFactory(name="Deux structures", commune=pernes, address="1 rue Haute")
    LegalEntityFactory(initiative=both, legal_form=form, role=LegalEntity.Role.OPERATOR, rna="W623000002")
    LegalEntityFactory(
        initiative=both, legal_form=form, role=LegalEntity.Role.PROJECT_HOLDER, rna="W623000001"
    )
    company = InitiativeFactory(name="Une SCIC", commune=pernes, address="2 rue Haute")
    LegalEntityFactory(initiative=company, legal_form=form, siren="200041960")

    records = {record["nom"]: record for record in mediation_records(client)}

    assert records["Deux structures"]["pivot"] == "W623000001"
    # A SIREN names a company, not the establishment that a SIRET is.
    assert records["Une SCIC"]["pivot"] == NO_PIVOT
    assert validate_mediation(list(records.values())) == []


def test_an_entry_without_location_nor_siret_exports_validly(client, lieux):
    [row] = [
        record for record in mediation_records(client) if record["nom"] == "Atelier numérique du Ternois"
    ]

    assert row["latitude"] == row["longitude"] == ""
    assert row["pivot"] == NO_PIVOT
    # Pernes has one postcode, which the address need not name.
    assert row["code_postal"] == "62550"
    assert validate_mediation([row]) == []


def test_entries_the_standard_cannot_hold_are_left_out_of_its_file_only(client, territories, lieux):
    InitiativeFactory(name="Sans adresse", commune=commune("62652"), address="")
    InitiativeFactory(name="Sans commune", commune=None, location=None, address="1 rue Haute")
    # Lille has five postcodes, and this address names none.
    InitiativeFactory(name="Sans code postal", commune=commune("59350"), address="Friche Saint-Sauveur")

    in_mediation = [record["nom"] for record in mediation_records(client)]
    in_data_inclusion = [item["nom"] for item in structures(client)]

    assert in_mediation == ["Atelier numérique du Ternois", "La Fabrique de Fives"]
    assert in_data_inclusion == [
        "Atelier numérique du Ternois",
        "La Fabrique de Fives",
        "Sans adresse",
        "Sans code postal",
        "Sans commune",
    ]


def test_a_commune_whose_official_name_has_brackets_is_written_without_them(client, territories):
    InitiativeFactory(name="Au château", commune=commune("58062"), address="1 rue du Château")

    [row] = mediation_records(client)
    [item] = structures(client)

    assert row["commune"] == "Château-Chinon Ville"
    assert row["code_insee"] == "58062"
    # data·inclusion takes the official name.
    assert item["commune"] == "Château-Chinon (Ville)"
    assert validate_mediation([row]) == []


def test_every_commune_of_france_is_named_as_the_library_accepts(territories):
    place = {"pivot": NO_PIVOT, "nom": "Lieu", "code_postal": "62550", "adresse": "1 rue"}
    place["date_maj"] = "2024-04-02"
    rows = [
        {**place, "id": code, "commune": commune_name(name), "code_insee": code}
        for name, code in Territory.objects.communes().values_list("name", "code")
    ]

    assert len(rows) > 34_000
    assert validate_mediation(rows) == []


def test_a_point_that_stands_for_an_area_gives_no_coordinates(client, pernes):
    InitiativeFactory(
        name="Tout le Ternois",
        commune=pernes,
        address="1 rue Haute",
        location=Point(2.3, 50.4, srid=4326),
        location_precision=Initiative.LocationPrecision.AREA,
    )

    [row] = mediation_records(client)
    [item] = structures(client)

    assert row["latitude"] == row["longitude"] == ""
    assert item["latitude"] is item["longitude"] is None


@pytest.mark.parametrize(
    ("written", "international"),
    [
        ("03 21 00 00 00", "+33321000000"),
        ("03.21.00.00.00", "+33321000000"),
        ("+33 (0)3 21 00 00 00", "+33321000000"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("0590 12 34 56", "+590590123456"),
        ("0692 12 34 56", "+262692123456"),
        ("0321000000 ou 0612345678", ""),
        ("la mairie", ""),
    ],
)
def test_phones_are_written_in_the_international_form_or_not_at_all(client, pernes, written, international):
    InitiativeFactory(name="Avec téléphone", commune=pernes, address="1 rue Haute", phone=written)

    [row] = mediation_records(client)
    [item] = structures(client)

    assert row["telephone"] == international
    assert item["telephone"] == (international or None)
    assert validate_mediation([row]) == []
    assert invalid_structures([item]) == []


def test_texts_are_shortened_to_the_standard_and_markdown_made_plain(client, pernes):
    InitiativeFactory(
        name="Longue présentation",
        commune=pernes,
        address="1 rue Haute",
        summary=("Un lieu ouvert à tous " * 13).strip(),
        description=(
            "## Le lieu\n\nUn **atelier** ouvert, [notre site](https://exemple.fr).\n\n- café\n- fab-lab"
        ),
    )

    [row] = mediation_records(client)

    assert len(row["presentation_resume"]) <= 280
    assert row["presentation_resume"].startswith("Un lieu ouvert à tous Un lieu")
    assert row["presentation_resume"].endswith("…")
    assert row["presentation_detail"] == "Le lieu\n\nUn atelier ouvert, notre site.\n\n• café\n• fab-lab"
    assert validate_mediation([row]) == []


def test_an_address_keeps_only_what_the_standard_reads_as_a_street(client, pernes):
    InitiativeFactory(name="Guillemets", commune=pernes, address='« La Halle », 4 rue "Haute"\nbâtiment B')

    [row] = mediation_records(client)

    assert row["adresse"] == "La Halle, 4 rue Haute, bâtiment B"
    assert validate_mediation([row]) == []


def test_a_name_that_a_spreadsheet_would_run_stays_text(client, pernes):
    name = '=HYPERLINK("http://example.org/piege";"Cliquez")'
    InitiativeFactory(name=name, commune=pernes, address="1 rue Haute")

    [row] = mediation_records(client)
    [item] = structures(client)

    assert row["nom"] == "'" + name
    # JSON is no spreadsheet: the name as it is.
    assert item["nom"] == name


# --- data·inclusion -----------------------------------------------------------------------------


def test_data_inclusion_is_a_json_list_of_structures_to_download(client, seed):
    response, body = download(client, DATA_INCLUSION)

    assert response["Content-Type"] == "application/json"
    assert re.fullmatch(
        r'attachment; filename="percolateur-data-inclusion-structures-\d{4}-\d{2}-\d{2}\.json"',
        response["Content-Disposition"],
    )
    items = json.loads(body)
    assert isinstance(items, list) and len(items) == 5
    # Every field of the model, and none other.
    assert all(set(item) == set(Structure.model_fields) for item in items)


def test_every_structure_is_valid_for_data_inclusions_model(client, seed, lieux):
    items = structures(client)

    assert len(items) == 7
    assert invalid_structures(items) == []


def test_a_structure_says_what_the_catalogue_knows_of_the_place(client, seed):
    cirque = Initiative.objects.get(name="Cirqu'en-Cavale")
    [item] = [item for item in structures(client) if item["nom"] == "Cirqu'en-Cavale"]
    structure = Structure.model_validate(item)

    assert structure.source == "percolateur"
    assert structure.id == f"percolateur--{cirque.pk}"
    assert structure.commune == "Pernes"
    assert structure.code_insee == "62652"
    assert structure.code_postal == "62550"
    assert (structure.latitude, structure.longitude) == (50.4838, 2.4109)
    assert str(structure.site_web) == "http://www.cirquencavale.com/"
    assert str(structure.lien_source) == "http://testserver/initiatives/cirquen-cavale/"
    assert structure.siret is None
    # The fixture's last modification.
    assert structure.date_maj.isoformat() == "2018-05-15"
    assert structure.description.startswith("Association circassienne du Ternois")
    # The description is text: Markdown's marks are gone.
    assert "**" not in structure.description


def test_a_structure_has_no_siret_from_a_siren(client, seed):
    # La Passerelle's holder, the communauté de communes, has a SIREN (200041960) and no SIRET.
    [item] = [item for item in structures(client) if item["nom"] == "La Passerelle"]

    assert item["siret"] is None
    assert "200041960" not in json.dumps(item)


def test_an_entry_without_location_nor_commune_is_a_valid_structure(client):
    InitiativeFactory(name="Itinérant", commune=None, location=None, address="", website="")

    [item] = structures(client)

    assert item["commune"] is item["code_insee"] is item["code_postal"] is item["adresse"] is None
    assert item["latitude"] is item["longitude"] is item["site_web"] is None
    assert invalid_structures([item]) == []


def test_names_follow_data_inclusions_rules(client):
    InitiativeFactory(name="Lo")
    InitiativeFactory(name="Le Bistrot.")
    InitiativeFactory(name="Jardins, vergers, etc.")
    InitiativeFactory(name="Très long " + "nom " * 45)

    items = structures(client)

    names = [item["nom"] for item in items]
    # Two letters are too few for data·inclusion.
    assert "Lo" not in names
    assert "Le Bistrot" in names
    assert "Jardins, vergers, etc." in names
    [long_name] = [name for name in names if name.startswith("Très long")]
    assert len(long_name) <= 150 and long_name.endswith("…")
    assert invalid_structures(items) == []


def test_unreachable_addresses_are_left_out_of_a_structure(client):
    InitiativeFactory(name="Local", public_email="contact@localhost", website="ftp://example.org/")

    [item] = structures(client)

    assert item["courriel"] is item["site_web"] is None
    assert invalid_structures([item]) == []


# --- Which initiatives ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "forme=scic",
        "q=tiers+lieu",
        "territoire=Lille+%2859%29",
        "territoire=Pas-de-Calais+%2862%29",
        "pres_de=Lille+%2859%29&rayon=60",
        "tri=recent",
        "type=fab-lab",
    ],
)
def test_the_exports_hold_the_pages_results_for_the_same_query(client, seed, lieux, query):
    expected = catalogue_names(client, query)
    placed = {"Cirqu'en-Cavale", "La Fabrique de Fives", "Atelier numérique du Ternois"}

    assert expected
    assert [item["nom"] for item in structures(client, query)] == expected
    assert [record["nom"] for record in mediation_records(client, query)] == [
        name for name in expected if name in placed
    ]


def test_a_filtered_export_holds_only_the_filtered_entries(client, seed, lieux):
    names = [item["nom"] for item in structures(client, "type=fab-lab")]
    rows = [record["nom"] for record in mediation_records(client, "type=fab-lab")]

    assert names == ["La Fabrique de Fives", "La Passerelle"]
    # La Passerelle has no commune (its point stands for an area).
    assert rows == ["La Fabrique de Fives"]


def test_drafts_entries_in_review_and_archived_ones_never_appear(client, pernes):
    for status in (Status.DRAFT, Status.REVIEW, Status.ARCHIVED):
        InitiativeFactory(
            name=f"Caché ({status})",
            summary="Un tiers-lieu caché.",
            status=status,
            commune=pernes,
            address="1 rue",
        )
    InitiativeFactory(name="Publié", summary="Un tiers-lieu caché.", commune=pernes, address="1 rue")

    for query in ("", "q=cache", "territoire=Pernes"):
        assert [item["nom"] for item in structures(client, query)] == ["Publié"], query
        assert [record["nom"] for record in mediation_records(client, query)] == ["Publié"], query


# --- Hostile query strings ---------------------------------------------------------------------


@pytest.mark.parametrize("url_name", [MEDIATION, DATA_INCLUSION])
def test_a_nasty_query_string_gives_a_valid_export(client, seed, lieux, url_name):
    records, items = [], []
    for query in NASTY_QUERIES:
        response, body = fetch(client, url_name, query)
        assert response.status_code == 200, query
        if url_name == MEDIATION:
            headings, *rows = mediation_rows(body)
            records += [dict(zip(headings, row, strict=True)) for row in rows]
        else:
            items += json.loads(body)

    assert validate_mediation(records) == []
    assert invalid_structures(items) == []


@examples
@given(query=query_strings)
def test_any_query_string_gives_a_whole_valid_data_inclusion_file(client, seed, query):
    response, body = fetch(client, DATA_INCLUSION, query)

    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert invalid_structures(json.loads(body)) == []


@examples
@given(query=query_strings)
def test_any_query_string_gives_a_whole_mediation_numerique_file(client, seed, query):
    response, body = fetch(client, MEDIATION, query)

    assert response.status_code in (200, 400)
    if response.status_code == 200:
        headings, *rows = mediation_rows(body)
        assert headings[:3] == ["id", "pivot", "nom"]
        assert all(len(row) == len(headings) for row in rows)


# --- Queries -----------------------------------------------------------------------------------


def add_entries(count, pernes, kinds, forms):
    """``count`` published entries with two kinds and two entities each, the links made in bulk."""
    created = [
        InitiativeFactory(commune=pernes, address=f"{number} rue Haute", location=Point(2.4, 50.5, srid=4326))
        for number in range(count)
    ]
    Initiative.kinds.through.objects.bulk_create(
        Initiative.kinds.through(initiative=initiative, kind=kind) for initiative in created for kind in kinds
    )
    LegalEntity.objects.bulk_create(
        LegalEntityFactory.build(initiative=initiative, legal_form=form, rna=f"W{initiative.pk % 10**9:09d}")
        for initiative in created
        for form in forms
    )


@pytest.mark.parametrize("url_name", [MEDIATION, DATA_INCLUSION])
def test_the_number_of_queries_does_not_grow_with_the_entries(
    client, pernes, url_name, django_assert_max_num_queries
):
    kinds = [KindFactory(slug="tiers-lieu", label="Tiers-lieu"), KindFactory(slug="fab-lab", label="Fab-lab")]
    forms = [LegalFormFactory(slug="association"), LegalFormFactory(slug="scic")]
    add_entries(1, pernes, kinds, forms)
    # The catalogue's version (the ETag), the ids of the results; then, for the batch, its fields,
    # its kinds and its legal set-up.
    with django_assert_max_num_queries(1 + 4):
        download(client, url_name)

    add_entries(40, pernes, kinds, forms)
    with django_assert_max_num_queries(1 + 4):
        _response, body = download(client, url_name)

    if url_name == MEDIATION:
        [headings, *rows] = mediation_rows(body)
        assert len(rows) == 41
        assert {row[headings.index("typologie")] for row in rows} == {"FABLAB|TIERS_LIEUX|ASSO|ESS"}
    else:
        assert len(json.loads(body)) == 41


def test_entries_read_in_several_batches_keep_their_own_typologies_and_pivots(
    client, pernes, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(exports, "BATCH_SIZE", 2)
    forms = {slug: LegalFormFactory(slug=slug) for slug in ("association", "scic", "sci")}
    for number, slug in enumerate(["association", "scic", "sci", "association", "scic"]):
        entry = InitiativeFactory(name=f"Lieu {number}", commune=pernes, address="1 rue Haute")
        LegalEntityFactory(initiative=entry, legal_form=forms[slug], rna=f"W62300000{number}")

    # The catalogue's version (the ETag), then three batches of two: one query for the ids, three
    # for each batch.
    with django_assert_max_num_queries(1 + 10):
        records = mediation_records(client)

    assert [(record["nom"], record["typologie"], record["pivot"]) for record in records] == [
        ("Lieu 0", "ASSO", "W623000000"),
        ("Lieu 1", "ESS", "W623000001"),
        ("Lieu 2", "", "W623000002"),
        ("Lieu 3", "ASSO", "W623000003"),
        ("Lieu 4", "ESS", "W623000004"),
    ]
    assert validate_mediation(records) == []


# --- The list page --------------------------------------------------------------------------------


def test_the_list_page_links_to_both_exports_with_its_filters(client, seed):
    html = client.get(reverse("catalogue:map"), {"forme": "scic"}).content.decode()

    assert f'href="{reverse(MEDIATION)}?forme=scic"' in html
    assert f'href="{reverse(DATA_INCLUSION)}?forme=scic"' in html
