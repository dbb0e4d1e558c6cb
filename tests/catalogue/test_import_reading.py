"""Reading a network's file as a table: CSV in its encodings and separators, XLSX, GeoJSON, and the
files that cannot be read, refused with a message a curator understands."""

import io
import json

import pytest
from django.utils import translation
from openpyxl import Workbook

from catalogue.importers.reading import UnreadableFile, read_table


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def workbook_bytes(*sheets):
    """An XLSX file of ``(title, rows)`` sheets, built in memory."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def geojson_bytes(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def feature(properties, geometry):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def refusal(file_name, content, sheet=""):
    with pytest.raises(UnreadableFile) as raised:
        read_table(file_name, content, sheet)
    return str(raised.value)


# --- CSV ---------------------------------------------------------------------------------------

LIEUX = "Nom;Ville;Description\r\nLa Fabrique;Pernes;Café associatif, atelier vélo et épicerie\r\n"


def test_a_utf8_csv_is_read_with_its_headings_and_rows():
    table = read_table("lieux.csv", LIEUX.encode("utf-8"))

    assert table.format == "csv"
    assert table.headings == ["Nom", "Ville", "Description"]
    assert [(row.line, row.values) for row in table.rows] == [
        (
            2,
            {
                "Nom": "La Fabrique",
                "Ville": "Pernes",
                "Description": "Café associatif, atelier vélo et épicerie",
            },
        )
    ]
    assert table.description == "UTF-8, « ; »"


def test_the_bom_of_a_utf8_csv_does_not_stick_to_the_first_heading():
    table = read_table("lieux.csv", LIEUX.encode("utf-8-sig"))

    assert table.headings[0] == "Nom"
    assert table.rows[0].values["Nom"] == "La Fabrique"
    assert table.description.startswith("UTF-8")


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_accents_of_a_windows_or_latin1_csv_survive(encoding):
    content = "Nom;Commune\r\nL'Œuvre du Père Noël;Hénin-Beaumont\r\nÉcole à Saint-Étienne;Orléans\r\n"
    content = content.replace("Œ", "Oe") if encoding == "latin-1" else content

    table = read_table("lieux.csv", content.encode(encoding))

    oeuvre = "L'Œuvre du Père Noël" if encoding == "cp1252" else "L'Oeuvre du Père Noël"
    assert [row.values for row in table.rows] == [
        {"Nom": oeuvre, "Commune": "Hénin-Beaumont"},
        {"Nom": "École à Saint-Étienne", "Commune": "Orléans"},
    ]
    assert table.description.startswith("Windows-1252")


def test_a_cp1252_file_says_its_euro_sign_and_curly_quotes():
    table = read_table("lieux.csv", "Nom;Tarif\r\n“Le Bocal”;5 €\r\n".encode("cp1252"))

    assert table.rows[0].values == {"Nom": "“Le Bocal”", "Tarif": "5 €"}


@pytest.mark.parametrize(
    ("delimiter", "shown"),
    [(";", "« ; »"), (",", "« , »"), ("\t", "« tab »")],
)
def test_the_separator_is_found_from_the_heading_line(delimiter, shown):
    lines = [["Nom", "Code postal", "Ville"], ["La Fabrique", "62550", "Pernes"]]
    content = "\r\n".join(delimiter.join(cells) for cells in lines).encode()

    table = read_table("lieux.csv", content)

    assert table.headings == ["Nom", "Code postal", "Ville"]
    assert table.rows[0].values == {"Nom": "La Fabrique", "Code postal": "62550", "Ville": "Pernes"}
    assert table.description.endswith(shown)


def test_a_comma_inside_a_cell_does_not_split_a_semicolon_file():
    content = "Nom;Adresse\r\nLa Fabrique;2, rue de l'Église\r\n".encode()

    table = read_table("lieux.csv", content)

    assert table.rows[0].values == {"Nom": "La Fabrique", "Adresse": "2, rue de l'Église"}


def test_rows_keep_their_line_in_the_file_blank_lines_skipped():
    content = b"Nom;Ville\r\nA;Pernes\r\n\r\n;\r\nB;Lille\r\n"

    table = read_table("lieux.csv", content)

    assert [(row.line, row.values["Nom"]) for row in table.rows] == [(2, "A"), (5, "B")]


def test_a_row_with_a_line_break_in_a_cell_is_on_the_line_it_starts():
    content = b'id;Nom\r\n"1;2";"Le Bocal\r\nLa Ruche"\r\n3;Le Fournil\r\n'

    table = read_table("lieux.csv", content)

    assert [(row.line, row.values["Nom"]) for row in table.rows] == [
        (2, "Le Bocal\r\nLa Ruche"),
        (4, "Le Fournil"),
    ]


def test_short_rows_get_empty_cells_and_cells_are_stripped():
    table = read_table("lieux.csv", b"Nom;Ville;Site\r\n  La Fabrique  ;Pernes\r\n")

    assert table.rows[0].values == {"Nom": "La Fabrique", "Ville": "Pernes", "Site": ""}


def test_a_file_without_a_known_suffix_is_read_as_csv():
    table = read_table("export", b"Nom;Ville\r\nA;B\r\n")

    assert table.format == "csv"
    assert table.rows[0].values == {"Nom": "A", "Ville": "B"}


def test_a_csv_with_headings_only_has_no_rows():
    table = read_table("lieux.csv", b"Nom;Ville\r\n")

    assert table.headings == ["Nom", "Ville"]
    assert table.rows == []


# --- Headings ----------------------------------------------------------------------------------


def test_empty_and_repeated_headings_get_names_so_that_no_column_is_lost():
    table = read_table("lieux.csv", b"Nom;;Nom; Ville ;Nom\r\nA;b;c;d;e\r\n")

    assert table.headings == ["Nom", "column 2", "Nom (2)", "Ville", "Nom (3)"]
    assert table.rows[0].values == {"Nom": "A", "column 2": "b", "Nom (2)": "c", "Ville": "d", "Nom (3)": "e"}


def test_a_repeated_heading_does_not_take_the_name_of_a_real_one():
    table = read_table("lieux.csv", b"Nom;Nom (2);Nom\r\na;b;c\r\n")

    assert len(set(table.headings)) == 3
    assert table.headings[:2] == ["Nom", "Nom (2)"]
    assert table.rows[0].values[table.headings[2]] == "c"


@pytest.mark.parametrize(
    "content",
    [b"\r\nNom;Ville\r\nA;B\r\n", b";;\r\nNom;Ville\r\nA;B\r\n"],
    ids=["blank first line", "separators only"],
)
def test_a_file_whose_first_line_holds_no_heading_is_refused(content):
    assert refusal("lieux.csv", content) == "The file has no column headings on its first line."


# --- Files that cannot be read -----------------------------------------------------------------


def test_an_empty_file_is_refused():
    assert refusal("lieux.csv", b"") == "The file is empty."


def test_a_binary_file_named_csv_is_refused():
    message = refusal("lieux.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")

    assert message == "This file is not text: save it as CSV, Excel (XLSX) or GeoJSON."


@pytest.mark.parametrize("suffix", ["xls", "pdf", "ods", "XLS"])
def test_files_of_other_formats_are_refused_by_their_name(suffix):
    message = refusal(f"lieux.{suffix}", b"Nom;Ville\r\nA;B\r\n")

    assert message == (f"A .{suffix.lower()} file cannot be imported: save it as CSV or Excel (XLSX) first.")


def test_a_file_too_large_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr("catalogue.importers.reading.MAX_FILE_BYTES", 1024 * 1024)

    message = refusal("lieux.csv", b"Nom\r\n" + b"A\r\n" * (600 * 1024))

    assert message == "The file is larger than 1 MB: split it into smaller files."


def test_a_file_of_too_many_rows_is_refused(monkeypatch):
    monkeypatch.setattr("catalogue.importers.reading.MAX_ROWS", 3)

    message = refusal("lieux.csv", b"Nom\r\nA\r\nB\r\nC\r\nD\r\n")

    assert message == "The file has more than 3 rows: split it into smaller files."


# --- XLSX --------------------------------------------------------------------------------------

LIEUX_ROWS = [
    ["Nom", "Code postal", "Code INSEE"],
    ["La Fabrique", 62550, "62652"],
    ["Le Bocal", 59000.0, 59350],
]


def test_an_xlsx_is_read_from_its_first_sheet():
    content = workbook_bytes(("Lieux", LIEUX_ROWS), ("Notes", [["Auteur"], ["Camille"]]))

    table = read_table("lieux.xlsx", content)

    assert table.format == "xlsx"
    assert table.headings == ["Nom", "Code postal", "Code INSEE"]
    # Numbers as a spreadsheet stores them are read as the codes they are.
    assert [(row.line, row.values) for row in table.rows] == [
        (2, {"Nom": "La Fabrique", "Code postal": "62550", "Code INSEE": "62652"}),
        (3, {"Nom": "Le Bocal", "Code postal": "59000", "Code INSEE": "59350"}),
    ]
    assert table.description == "sheet “Lieux”"


def test_an_xlsx_is_read_from_the_sheet_it_names():
    content = workbook_bytes(("Lieux", LIEUX_ROWS), ("Notes", [["Auteur"], ["Camille"]]))

    table = read_table("lieux.xlsx", content, sheet="Notes")

    assert table.headings == ["Auteur"]
    assert [row.values for row in table.rows] == [{"Auteur": "Camille"}]
    assert table.description == "sheet “Notes”"


def test_a_sheet_that_does_not_exist_is_refused_with_the_sheets_there_are():
    content = workbook_bytes(("Lieux", LIEUX_ROWS), ("Notes", [["Auteur"]]))

    message = refusal("lieux.xlsx", content, sheet="Structures")

    assert message == "The workbook has no sheet “Structures”; its sheets: Lieux, Notes."


def test_empty_rows_of_a_sheet_are_skipped_and_lines_kept():
    content = workbook_bytes(("Lieux", [["Nom", "Ville"], ["A", "Pernes"], [], [None, "  "], ["B", "Lille"]]))

    table = read_table("lieux.xlsx", content)

    assert [(row.line, row.values["Nom"]) for row in table.rows] == [(2, "A"), (5, "B")]


def test_a_sheet_whose_first_row_is_empty_has_no_headings():
    workbook = Workbook()
    workbook.active["B3"] = "Nom"
    workbook.active["B4"] = "La Fabrique"
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert refusal("lieux.xlsx", buffer.getvalue()) == "The file has no column headings on its first line."


def test_a_workbook_is_recognised_by_its_bytes_when_its_name_says_nothing():
    table = read_table("export", workbook_bytes(("Lieux", LIEUX_ROWS)))

    assert table.format == "xlsx"
    assert table.rows[0].values["Nom"] == "La Fabrique"


@pytest.mark.parametrize(
    "content",
    [b"PK\x03\x04 not really a zip", b"Nom;Ville\r\nA;B\r\n"],
    ids=["broken zip", "text"],
)
def test_a_file_named_xlsx_that_is_no_workbook_is_refused(content):
    assert refusal("lieux.xlsx", content) == "This file cannot be read as an Excel (XLSX) workbook."


def test_a_zip_that_is_no_workbook_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("lieux.txt", "Nom;Ville")

    assert refusal("lieux.xlsx", buffer.getvalue()) == "This file cannot be read as an Excel (XLSX) workbook."


# --- GeoJSON -----------------------------------------------------------------------------------


def test_geojson_properties_become_columns_and_the_point_is_kept():
    content = geojson_bytes(
        feature(
            {"nom": "La Fabrique", "insee": "62652"}, {"type": "Point", "coordinates": [2.3859, 50.4846]}
        ),
        feature({"nom": "Le Bocal", "site": "bocal.fr", "tags": ["café", "atelier"]}, None),
    )

    table = read_table("lieux.geojson", content)

    assert table.format == "geojson"
    assert table.headings == ["nom", "insee", "site", "tags"]
    first, second = table.rows
    assert (first.line, first.values) == (1, {"nom": "La Fabrique", "insee": "62652", "site": "", "tags": ""})
    assert (first.point.x, first.point.y, first.point.srid) == (2.3859, 50.4846, 4326)
    assert second.line == 2
    assert second.values["tags"] == '["café", "atelier"]'
    assert second.point is None and second.geometry_problem == ""
    assert table.description == "2 features"


def test_a_single_geojson_feature_is_a_table_of_one_row():
    content = json.dumps(feature({"nom": "La Fabrique"}, {"type": "Point", "coordinates": [2.38, 50.48]}))

    table = read_table("lieu.json", content.encode())

    assert [row.values for row in table.rows] == [{"nom": "La Fabrique"}]
    assert table.rows[0].point is not None


def test_the_first_point_of_a_multipoint_is_kept():
    content = geojson_bytes(
        feature({"nom": "A"}, {"type": "MultiPoint", "coordinates": [[3.06, 50.63], [3.1, 50.7]]})
    )

    point = read_table("lieux.geojson", content).rows[0].point

    assert (point.x, point.y) == (3.06, 50.63)


@pytest.mark.parametrize(
    ("geometry", "problem"),
    [
        (
            {"type": "Polygon", "coordinates": [[[2, 50], [3, 50], [3, 51], [2, 50]]]},
            "its geometry is a Polygon, not a point",
        ),
        (
            {"type": "LineString", "coordinates": [[2, 50], [3, 51]]},
            "its geometry is a LineString, not a point",
        ),
        ({"type": "Point", "coordinates": ["nord", "est"]}, "its point has no readable coordinates"),
        ({"type": "Point", "coordinates": [2.3]}, "its point has no readable coordinates"),
        (
            {
                "type": "GeometryCollection",
                "geometries": [{"type": "LineString", "coordinates": [[2, 50], [3, 51]]}],
            },
            "its geometry holds no point",
        ),
    ],
    ids=["polygon", "line", "words", "one number", "collection without point"],
)
def test_a_geometry_that_is_no_point_is_reported_on_its_row(geometry, problem):
    content = geojson_bytes(feature({"nom": "A"}, geometry), feature({"nom": "B"}, None))

    table = read_table("lieux.geojson", content)

    assert [(row.values["nom"], row.point, row.geometry_problem) for row in table.rows] == [
        ("A", None, problem),
        ("B", None, ""),
    ]


def test_a_malformed_geojson_file_is_refused_with_the_parser_error():
    message = refusal("lieux.geojson", b'{"type": "FeatureCollection", "features": [')

    assert message.startswith("This file cannot be read as GeoJSON: ")
    assert "line 1" in message


@pytest.mark.parametrize(
    "document",
    [[1, 2], {"type": "Point", "coordinates": [2, 50]}, {"type": "FeatureCollection", "features": "none"}],
    ids=["list", "bare geometry", "features not a list"],
)
def test_a_json_file_without_features_is_refused(document):
    message = refusal("lieux.geojson", json.dumps(document).encode())

    assert message == "This GeoJSON file holds no feature collection."


def test_a_feature_with_malformed_properties_is_read_without_them():
    content = geojson_bytes(
        feature("La Fabrique", {"type": "Point", "coordinates": [2.38, 50.48]}),
        feature({"nom": "Le Bocal"}, None),
        "not a feature",
    )

    table = read_table("lieux.geojson", content)

    assert table.headings == ["nom"]
    assert [row.values for row in table.rows] == [{"nom": ""}, {"nom": "Le Bocal"}, {"nom": ""}]
    assert table.rows[0].point is not None


def test_a_feature_collection_without_properties_has_no_headings():
    content = geojson_bytes(feature({}, {"type": "Point", "coordinates": [2.38, 50.48]}))

    assert refusal("lieux.geojson", content) == "The file has no column headings on its first line."
