"""The columns of the exports, declared once and written into the CSV, the GeoJSON or both; and the
labels of many initiatives' kinds, themes and legal forms, read at once."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from catalogue import exports
from catalogue.export_columns import CATALOGUE, DATE, FLAG, LIST, NUMBER, column, coordinate, fiche_url
from catalogue.labels import labels_of
from catalogue.models import Initiative
from tests.factories import InitiativeFactory, KindFactory, LegalEntityFactory, LegalFormFactory, ThemeFactory

pytestmark = pytest.mark.django_db

# Columns of a schema of their own, declared as a national schema would be.
SCHEMA = [
    column("Nom", "nom", "name"),
    fiche_url("Fiche", "fiche"),
    column("Types", "types", "kinds", LIST),
    column("Adresse", None, "address"),
    column(None, "emplois", "jobs_fte", NUMBER),
    coordinate("Longitude", "longitude", "lng"),
    column("Vérifiée le", "verifiee_le", "verified_on", DATE),
    column("Démo", "demo", "is_demo", FLAG),
]


def absolute_url(path):
    return "https://percolateur.example" + path


def csv_of(columns):
    """The rows of the CSV written with ``columns``, as a spreadsheet reads them, headings first."""
    with translation.override("fr"):
        text = "".join(exports.csv_lines(Initiative.objects.order_by("name"), absolute_url, columns=columns))
    assert text.startswith(exports.BYTE_ORDER_MARK)
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def features_of(columns):
    """The features of the GeoJSON written with ``columns``."""
    chunks = exports.geojson_chunks(Initiative.objects.order_by("name"), absolute_url, columns=columns)
    return json.loads("".join(chunks))["features"]


@pytest.fixture
def ruche():
    return InitiativeFactory(
        name="La Ruche",
        address="1 rue Haute",
        jobs_fte=Decimal("2.5"),
        location=Point(-1.5, 48.1, srid=4326),
        verified_on=date(2024, 3, 1),
        is_demo=True,
        kinds=[KindFactory(label="Tiers-lieu", position=1), KindFactory(label="Fab-lab", position=2)],
    )


def test_a_column_with_a_heading_and_a_key_is_in_both_files_each_in_its_own_format(ruche):
    assert csv_of(SCHEMA) == [
        ["Nom", "Fiche", "Types", "Adresse", "Longitude", "Vérifiée le", "Démo"],
        [
            "La Ruche",
            "https://percolateur.example/initiatives/la-ruche/",
            "Tiers-lieu, Fab-lab",
            "1 rue Haute",
            "-1,5",
            "2024-03-01",
            "oui",
        ],
    ]
    [feature] = features_of(SCHEMA)
    assert feature["id"] == ruche.pk
    assert feature["geometry"] == {"type": "Point", "coordinates": [-1.5, 48.1]}
    assert list(feature["properties"].items()) == [
        ("nom", "La Ruche"),
        ("fiche", "https://percolateur.example/initiatives/la-ruche/"),
        ("types", ["Tiers-lieu", "Fab-lab"]),
        ("emplois", 2.5),
        ("longitude", -1.5),
        ("verifiee_le", "2024-03-01"),
        ("demo", True),
    ]


def test_a_csv_only_column_is_not_in_the_geojson_and_a_geojson_only_column_is_not_in_the_csv(ruche):
    columns = [column("Adresse", None, "address"), column(None, "emplois", "jobs_fte", NUMBER)]

    assert csv_of(columns) == [["Adresse"], ["1 rue Haute"]]
    [feature] = features_of(columns)
    assert feature["properties"] == {"emplois": 2.5}


def test_what_is_not_known_is_an_empty_cell_and_a_json_null(ruche):
    InitiativeFactory(name="Sans lieu", address="", commune=None, location=None)

    assert csv_of(SCHEMA)[2] == [
        "Sans lieu",
        "https://percolateur.example/initiatives/sans-lieu/",
        "",
        "",
        "",
        "",
        "",
    ]
    assert features_of(SCHEMA)[1]["geometry"] is None
    assert features_of(SCHEMA)[1]["properties"] == {
        "nom": "Sans lieu",
        "fiche": "https://percolateur.example/initiatives/sans-lieu/",
        "types": [],
        "emplois": None,
        "longitude": None,
        "verifiee_le": None,
        "demo": False,
    }


def test_the_catalogue_geojson_has_the_catalogue_columns_that_have_a_key_in_their_order(ruche):
    [feature] = features_of(CATALOGUE)

    assert list(feature["properties"]) == [
        "name",
        "url",
        "summary",
        "kinds",
        "themes",
        "legal_forms",
        "stage",
        "started_year",
        "opened_year",
        "commune",
        "insee_code",
        "surface_m2",
        "investment_eur",
        "annual_budget_eur",
        "website",
        "verified_on",
        "updated_at",
        "demo",
    ]


def test_an_export_reads_only_the_labels_its_columns_show(ruche):
    def count_queries(columns):
        with CaptureQueriesContext(connection) as queries:
            csv_of(columns)
        return len(queries)

    # The ids of the results, then the batch's fields.
    assert count_queries([column("Nom", "nom", "name")]) == 2
    # And one query for each relation whose labels a column shows, however many columns show them.
    assert (
        count_queries([column("Types", "types", "kinds", LIST), column(None, "types2", "kinds", LIST)]) == 3
    )
    assert count_queries(CATALOGUE) == 5


def test_labels_come_in_the_vocabularys_order_keyed_by_initiative():
    atelier = KindFactory(label="Atelier", position=1)
    cafe = KindFactory(label="Café", position=2)
    fab_lab = KindFactory(label="Fab-lab", position=2)
    ruche = InitiativeFactory(name="La Ruche", kinds=[fab_lab, cafe, atelier])
    forge = InitiativeFactory(name="La Forge", kinds=[fab_lab])
    sans = InitiativeFactory(name="Sans type")

    assert labels_of("kinds", [ruche.pk, forge.pk, sans.pk]) == {
        ruche.pk: ["Atelier", "Café", "Fab-lab"],
        forge.pk: ["Fab-lab"],
    }
    # Only the initiatives asked about.
    assert labels_of("kinds", [forge.pk]) == {forge.pk: ["Fab-lab"]}


def test_theme_labels_come_in_the_vocabularys_order():
    ruche = InitiativeFactory(name="La Ruche")
    ruche.themes.set([ThemeFactory(label="Numérique", position=3), ThemeFactory(label="Culture", position=5)])
    ruche.themes.add(ThemeFactory(label="Alimentation", position=4))

    assert labels_of("themes", [ruche.pk]) == {ruche.pk: ["Numérique", "Alimentation", "Culture"]}


def test_a_legal_form_is_listed_once_even_with_two_entities_of_that_form():
    scic = LegalFormFactory(label="SCIC", position=2)
    association = LegalFormFactory(label="Association loi 1901", position=1)
    ruche = InitiativeFactory(name="La Ruche")
    for form in (scic, association, scic):
        LegalEntityFactory(initiative=ruche, legal_form=form)

    assert labels_of("legal_forms", [ruche.pk]) == {ruche.pk: ["Association loi 1901", "SCIC"]}
