"""The CSV and GeoJSON exports of the catalogue, as a person opening the downloaded file sees them."""

import csv
import io
import json
import re
from html import unescape

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue.models import Initiative, LegalEntity
from territories.models import Territory
from tests.factories import (
    CommuneFactory,
    InitiativeFactory,
    KindFactory,
    LegalEntityFactory,
    LegalFormFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

Status = Initiative.Status
BOM = b"\xef\xbb\xbf"
CARD_NAME = re.compile(r'class="initiative-card__name"><a href="[^"]+">([^<]+)</a>')


def download(client, url_name, query=""):
    """The response and the whole body of an export (a streaming response)."""
    response = client.get(reverse(url_name) + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return response, b"".join(response.streaming_content)


def csv_rows(client, query=""):
    """The rows of the CSV as a spreadsheet reads them, headings first."""
    _response, body = download(client, "catalogue:export-csv", query)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


def csv_records(client, query=""):
    """The rows of the CSV as dicts keyed by heading."""
    headings, *rows = csv_rows(client, query)
    return [dict(zip(headings, row, strict=True)) for row in rows]


def geojson(client, query=""):
    _response, body = download(client, "catalogue:export-geojson", query)
    return json.loads(body)


def listed(client, query=""):
    """The names on the first page of the list, in order."""
    response = client.get(reverse("catalogue:map") + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return [unescape(name) for name in CARD_NAME.findall(response.content.decode())]


@pytest.fixture
def rennes(territories):
    return Territory.objects.get(kind="commune", code="35238")


# --- CSV: the file ------------------------------------------------------------------------------


def test_csv_is_a_utf8_attachment_that_starts_with_a_byte_order_mark(client, seed):
    response, body = download(client, "catalogue:export-csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="[\w.-]+\.csv"', response["Content-Disposition"])
    # Without the mark, Excel reads UTF-8 as Windows-1252.
    assert body.startswith(BOM)
    assert not body[len(BOM) :].startswith(BOM)


def test_csv_headings_are_in_french_by_default(client, seed):
    headings = csv_rows(client)[0]

    assert headings == [
        "Nom",
        "Fiche",
        "Résumé",
        "Types",
        "Thèmes",
        "Formes juridiques",
        "Étape",
        "Année de lancement",
        "Année d'ouverture",
        "Commune",
        "Code INSEE",
        "Département",
        "Adresse",
        "Surface (m²)",
        "Investissement (€)",
        "Budget annuel (€)",
        "Emplois (équivalents temps plein)",
        "Site web",
        "Longitude",
        "Latitude",
        "Vérifiée le",
        "Dernière mise à jour",
        "Donnée de démonstration",
    ]


def test_csv_headings_follow_the_language_of_the_page(client, seed):
    client.cookies["django_language"] = "en"
    headings = csv_rows(client)[0]

    assert headings == [
        "Name",
        "Fiche",
        "Summary",
        "Kinds",
        "Themes",
        "Legal forms",
        "Stage",
        "Year started",
        "Year opened",
        "Commune",
        "INSEE code",
        "Département",
        "Address",
        "Surface (m²)",
        "Investment (€)",
        "Annual budget (€)",
        "Jobs (full-time equivalent)",
        "Website",
        "Longitude",
        "Latitude",
        "Verified on",
        "Last updated",
        "Demonstration data",
    ]


def test_csv_has_one_row_per_result_in_the_order_of_the_page(client, seed):
    rows = csv_records(client)

    names = [row["Nom"] for row in rows]
    assert names == listed(client)
    assert len(names) == 5


def test_csv_keeps_accents_and_joins_labels(client, seed):
    cirque = next(row for row in csv_records(client) if row["Nom"] == "Cirqu'en-Cavale")

    assert (
        cirque["Thèmes"]
        == "Culture, Développement économique, Alimentation, Écoconstruction / construction bois"
    )
    assert cirque["Types"] == "Tiers-lieu, École / lieu culturel"
    assert cirque["Commune"] == "Pernes"
    assert cirque["Code INSEE"] == "62652"
    assert cirque["Département"] == "Pas-de-Calais"
    assert set(cirque["Formes juridiques"].split(", ")) == {"Association loi 1901", "SCI", "SCIC"}
    assert cirque["Fiche"] == "http://testserver/initiatives/cirquen-cavale/"


def test_csv_writes_decimals_with_a_comma(client, seed):
    cirque = next(row for row in csv_records(client) if row["Nom"] == "Cirqu'en-Cavale")

    assert cirque["Emplois (équivalents temps plein)"] == "9,0"
    assert cirque["Longitude"] == "2,4109"
    assert cirque["Latitude"] == "50,4838"


def test_csv_round_trips_a_name_with_a_semicolon_a_quote_and_a_newline(client):
    name = 'Café "La Ruche"; atelier\nvélo'
    InitiativeFactory(name=name, address="12, rue des Lilas ; bâtiment B")

    [row] = csv_records(client)

    assert row["Nom"] == name
    assert row["Adresse"] == "12, rue des Lilas ; bâtiment B"


@pytest.mark.parametrize(
    "summary",
    ['=HYPERLINK("http://example.org/piege";"Cliquez")', "+33 3 21 00 00 00", "-2+3", "@SUM(A1:A9)"],
)
def test_csv_writes_a_curators_formula_as_text(client, summary):
    InitiativeFactory(name="Formule", summary=summary)

    [row] = csv_records(client)

    assert row["Résumé"] == "'" + summary


def test_csv_keeps_a_negative_longitude_a_number(client, rennes):
    InitiativeFactory(
        name="Tiers-lieu breton",
        commune=rennes,
        location=Point(-1.5, 48.1, srid=4326),
    )

    [row] = csv_records(client)

    assert row["Longitude"] == "-1,5"
    assert row["Latitude"] == "48,1"
    assert row["Commune"] == "Rennes"


def test_csv_leaves_empty_what_is_not_known(client):
    InitiativeFactory(name="Sans lieu", commune=None, location=None, summary="")

    [row] = csv_records(client)

    assert row["Longitude"] == row["Latitude"] == row["Commune"] == row["Résumé"] == ""
    assert row["Emplois (équivalents temps plein)"] == ""


# --- CSV: which initiatives -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "",
        "forme=scic",
        "forme=scic&forme=sci",
        "q=tiers+lieu",
        "q=lille",
        "territoire=Lille+%2859%29",
        "territoire=Pas-de-Calais+%2862%29",
        "densite=dense&tri=nom",
        "pres_de=Lille+%2859%29&rayon=60",
        "tri=recent",
        "forme=inconnue&q=cavale",
    ],
)
def test_csv_holds_the_initiatives_of_the_page_for_the_same_query(client, seed, query):
    names = [row["Nom"] for row in csv_records(client, query)]

    assert names  # every query of this list finds something: the comparison is not between nothings
    assert names == listed(client, query)


def test_csv_never_holds_drafts_or_entries_in_review_or_archived(client, seed):
    for status in (Status.DRAFT, Status.REVIEW, Status.ARCHIVED):
        InitiativeFactory(name=f"Caché ({status})", summary="Un tiers-lieu caché.", status=status)

    everything = [row["Nom"] for row in csv_records(client)]
    searched = [row["Nom"] for row in csv_records(client, "q=cache")]

    assert not [name for name in everything + searched if name.startswith("Caché")]


def test_csv_marks_demonstration_entries(client, seed):
    Initiative.objects.filter(name="La Passerelle").update(is_demo=True)

    demo = {row["Nom"]: row["Donnée de démonstration"] for row in csv_records(client)}

    assert demo.pop("La Passerelle") == "oui"
    assert set(demo.values()) == {""}


def test_csv_holds_every_result_not_one_page(client):
    for number in range(25):
        InitiativeFactory(name=f"Lieu {number:02d}")

    rows = csv_records(client)

    assert len(listed(client)) == 20
    assert [row["Nom"] for row in rows] == [f"Lieu {number:02d}" for number in range(25)]


# --- GeoJSON --------------------------------------------------------------------------------------


def test_geojson_is_a_feature_collection_to_download(client, seed):
    response, body = download(client, "catalogue:export-geojson")

    assert response["Content-Type"] == "application/geo+json"
    assert re.fullmatch(r'attachment; filename="[\w.-]+\.geojson"', response["Content-Disposition"])
    collection = json.loads(body)
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 5
    assert {feature["type"] for feature in collection["features"]} == {"Feature"}


def test_geojson_feature_has_its_place_and_what_identifies_it(client, seed):
    cirque = next(
        feature
        for feature in geojson(client)["features"]
        if feature["properties"]["name"] == "Cirqu'en-Cavale"
    )

    assert cirque["geometry"] == {"type": "Point", "coordinates": [2.4109, 50.4838]}
    properties = cirque["properties"]
    assert properties["url"] == "http://testserver/initiatives/cirquen-cavale/"
    assert properties["kinds"] == ["Tiers-lieu", "École / lieu culturel"]
    assert properties["commune"] == "Pernes"
    assert properties["insee_code"] == "62652"
    assert properties["demo"] is False


def test_geojson_keeps_an_initiative_without_location_with_a_null_geometry(client):
    InitiativeFactory(name="Itinérant", commune=None, location=None)
    InitiativeFactory(name="Sédentaire", location=Point(-1.5, 48.1, srid=4326))

    features = {feature["properties"]["name"]: feature for feature in geojson(client)["features"]}

    assert features["Itinérant"]["geometry"] is None
    assert features["Itinérant"]["properties"]["commune"] is None
    assert features["Sédentaire"]["geometry"]["coordinates"] == [-1.5, 48.1]


@pytest.mark.parametrize(
    "query", ["", "forme=scic", "q=tiers+lieu", "territoire=Nord+%2859%29", "tri=recent"]
)
def test_geojson_holds_the_same_initiatives_as_the_csv(client, seed, query):
    in_geojson = [feature["properties"]["name"] for feature in geojson(client, query)["features"]]
    in_csv = [row["Nom"] for row in csv_records(client, query)]

    assert in_geojson == in_csv


def test_geojson_keeps_names_as_they_are_written(client):
    name = 'Café "La Ruche"; atelier\nvélo <b>'
    InitiativeFactory(name=name, kinds=[KindFactory(label="Café associatif")])

    [feature] = geojson(client)["features"]

    assert feature["properties"]["name"] == name
    assert feature["properties"]["kinds"] == ["Café associatif"]


# --- Queries -------------------------------------------------------------------------------------


EXPORTS = ["catalogue:export-csv", "catalogue:export-geojson"]


def count_export_queries(client, url_name):
    with CaptureQueriesContext(connection) as queries:
        download(client, url_name)
    return len(queries)


def test_exports_use_the_same_number_of_queries_for_1_or_30_initiatives(client):
    kinds = [KindFactory(), KindFactory()]
    themes = [ThemeFactory(), ThemeFactory()]
    forms = [LegalFormFactory(), LegalFormFactory()]
    commune = CommuneFactory()

    def add(count):
        created = [
            InitiativeFactory(commune=commune, location=Point(2 + number / 10, 47, srid=4326))
            for number in range(count)
        ]
        # Links made in bulk: their signals, which refresh the search text, would only slow the test.
        Initiative.kinds.through.objects.bulk_create(
            Initiative.kinds.through(initiative=initiative, kind=kind)
            for initiative in created
            for kind in kinds
        )
        Initiative.themes.through.objects.bulk_create(
            Initiative.themes.through(initiative=initiative, theme=theme)
            for initiative in created
            for theme in themes
        )
        LegalEntity.objects.bulk_create(
            LegalEntityFactory.build(initiative=initiative, legal_form=form)
            for initiative in created
            for form in forms
        )

    add(1)
    with_one = {url_name: count_export_queries(client, url_name) for url_name in EXPORTS}
    add(29)
    with_thirty = {url_name: count_export_queries(client, url_name) for url_name in EXPORTS}

    assert with_thirty == with_one
    rows = csv_records(client)
    assert len(rows) == 30
    assert {row["Formes juridiques"] for row in rows} == {f"{forms[0].label}, {forms[1].label}"}
