"""``manage.py import_initiatives``: a network's file imported from the command line, through the
admin's own import, dry run first."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from catalogue.models import Initiative
from contributions.management.commands.import_initiatives import Command
from contributions.models import ImportBatch, ImportedRecord
from tests.factories import CuratorFactory, InitiativeFactory, NetworkFactory, the_tests_network

SOURCE = "ANCT — Fabriques de territoire"
TECHNICIAN = "technicienne@example.org"


def anct_geojson(pernes, lille, email=""):
    """A file shaped as the ANCT's: one point per commune, the structures' ids joined by ``;`` and
    their names on separate lines, and a last feature with no point in a commune that does not exist."""

    def feature(properties, point):
        geometry = {"type": "Point", "coordinates": [point.x, point.y]} if point else None
        return {"type": "Feature", "properties": properties, "geometry": geometry}

    features = [
        feature(
            {
                "id_geo": "62652",
                "lib_geo": "Pernes",
                "id_territoire": "fabt-1;fabt-2",
                "liste_geo": "Pernes (62652)",
                "lib_territoire": "La Fabrique de Pernes\nLe Repair Café de Pernes",
                "courriel": email,
            },
            pernes.centre,
        ),
        feature(
            {
                "id_geo": "59350",
                "lib_geo": "Lille",
                "id_territoire": "fabt-3",
                "liste_geo": "Lille (59350)",
                "lib_territoire": "Tiers-lieu de Lille",
                "courriel": "",
            },
            lille.centre,
        ),
        feature(
            {
                "id_geo": "97801",
                "lib_geo": "NA",
                "id_territoire": "fabt-4",
                "liste_geo": "",
                "lib_territoire": "ANIS",
                "courriel": "",
            },
            None,
        ),
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


# A network's spreadsheet as Excel exports it: semicolons, Latin-1, French headings, and a row whose
# commune does not exist.
LIEUX = (
    "Nom;Adresse;Code postal;Ville;Site web;SIRET\r\n"
    "La Fabrique de Pernes;2 rue de l'Église;62550;Pernes;fabrique-pernes.fr;\r\n"
    "Tiers-lieu du Ternois;;62130;Saint-Pol-sur-Ternoise;https://ternois.example.org;\r\n"
    "Lieu fantôme;;99999;Nulle-Part;;\r\n"
).encode("latin-1")


@pytest.fixture
def technician(seed):
    return CuratorFactory(email=TECHNICIAN)


@pytest.fixture
def anct_file(tmp_path, pernes, lille):
    path = tmp_path / "fabt_geom.geojson"
    path.write_text(anct_geojson(pernes, lille), encoding="utf-8")
    return path


@pytest.fixture
def lieux_file(tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_bytes(LIEUX)
    return path


def import_initiatives(path, *args, **options):
    """Runs the command as a technician types it, in English; returns what it printed."""
    out = StringIO()
    options = {"network": the_tests_network().slug, "user": TECHNICIAN, "source": SOURCE, **options}
    with translation.override("en"):
        call_command("import_initiatives", str(path), *args, stdout=out, **options)
    return out.getvalue()


def written():
    return (Initiative.objects.count(), ImportBatch.objects.count(), ImportedRecord.objects.count())


def test_a_dry_run_prints_what_would_happen_and_writes_nothing(technician, anct_file):
    before = written()

    out = import_initiatives(anct_file)

    assert written() == before
    assert "geojson, 3 features" in out
    assert "3 rows, 3 entries: 3 to create, 0 to update" in out and "1 refused" in out
    assert "lib_territoire → name" in out and "id_territoire → source_id" in out
    assert "Columns left out: liste_geo, courriel" not in out  # courriel is read as the e-mail
    assert "Columns left out: liste_geo" in out
    assert "feature 3 — ANIS: " in out and "97801" in out
    assert "Dry run: nothing was written" in out
    assert "--leave-out-refused" in out


def test_a_dry_run_of_a_latin1_spreadsheet_shows_its_refused_line_and_its_possible_duplicates(
    technician, lieux_file, pernes
):
    existing = InitiativeFactory(
        name="La Fabrique de Pernes", commune=pernes, website="https://fabrique-pernes.fr"
    )
    before = written()

    out = import_initiatives(lieux_file, source="Réseau des tiers-lieux du Pas-de-Calais")

    assert written() == before
    assert "csv, Windows-1252, « ; »" in out
    assert "3 rows, 2 entries: 2 to create" in out and "1 flagged" in out and "1 refused" in out
    assert "Ville → commune_name" in out and "Code postal → postcode" in out
    assert "line 4 — Lieu fantôme: " in out and "99999" in out
    assert "line 2 — La Fabrique de Pernes" in out
    assert f"looks like no. {existing.pk} “La Fabrique de Pernes”: " in out
    assert "same website" in out


def test_commit_creates_drafts_of_the_network_with_their_provenance(technician, anct_file):
    out = import_initiatives(anct_file, commit=True, leave_out_refused=True, licence="Licence Ouverte 2.0")

    assert "Written: 3 entries created as drafts of Réseau des tests, 0 updated" in out
    made = Initiative.objects.filter(import_records__batch__source=SOURCE).distinct()
    assert sorted(made.values_list("name", flat=True)) == [
        "La Fabrique de Pernes",
        "Le Repair Café de Pernes",
        "Tiers-lieu de Lille",
    ]
    assert set(made.values_list("status", flat=True)) == {Initiative.Status.DRAFT}
    fabrique = made.get(name="La Fabrique de Pernes")
    assert list(fabrique.networks.all()) == [the_tests_network()]
    assert fabrique.commune.code == "62652"
    assert fabrique.sources == f"{SOURCE} — fabt_geom.geojson — Licence Ouverte 2.0"
    assert not Initiative.objects.filter(name="ANIS").exists()
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created_by.email, batch.network) == (
        ImportBatch.Status.DONE,
        TECHNICIAN,
        the_tests_network(),
    )
    records = batch.records.order_by("source_id")
    assert [(r.source_id, r.line, r.action) for r in records] == [
        ("fabt-1", 1, ImportedRecord.Action.CREATED),
        ("fabt-2", 1, ImportedRecord.Action.CREATED),
        ("fabt-3", 2, ImportedRecord.Action.CREATED),
    ]


def test_commit_is_refused_while_rows_are_refused_and_writes_nothing(technician, anct_file):
    before = written()

    with pytest.raises(CommandError, match="1 row is refused: nothing was imported"):
        import_initiatives(anct_file, commit=True)

    assert written() == before


def test_the_same_source_imported_again_updates_its_entries_instead_of_duplicating_them(
    technician, anct_file, tmp_path, pernes, lille
):
    import_initiatives(anct_file, commit=True, leave_out_refused=True)
    fabrique = Initiative.objects.get(name="La Fabrique de Pernes")
    before = written()

    again = import_initiatives(anct_file, commit=True, leave_out_refused=True)

    assert "0 to create, 0 to update, 3 unchanged" in again
    assert "brings nothing new" in again
    assert written() == before
    next_year = tmp_path / "fabt_geom_2027.geojson"
    next_year.write_text(anct_geojson(pernes, lille, email="bonjour@fabrique.fr"), encoding="utf-8")

    out = import_initiatives(next_year, commit=True, leave_out_refused=True)

    assert "0 to create, 2 to update, 1 unchanged" in out
    assert "0 entries created as drafts of Réseau des tests, 2 updated" in out
    assert Initiative.objects.count() == before[0]
    fabrique.refresh_from_db()
    assert fabrique.public_email == "bonjour@fabrique.fr"
    latest = ImportBatch.objects.latest("pk")
    assert set(latest.records.values_list("action", flat=True)) == {ImportedRecord.Action.UPDATED}


def test_a_mapping_given_on_the_command_line_wins_over_the_guess(technician, lieux_file):
    out = import_initiatives(
        lieux_file, commit=True, leave_out_refused=True, mapping='{"Site web": "", "Adresse": null}'
    )

    assert "Columns left out: Adresse, Site web" in out
    fabrique = Initiative.objects.get(name="La Fabrique de Pernes")
    assert (fabrique.website, fabrique.address) == ("", "")
    assert ImportBatch.objects.get().mapping["Site web"] == ""


def test_a_mapping_file_can_give_a_field_the_guess_gave_to_another_column(technician, tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_bytes("Nom;Nom usuel;Ville\r\nSCIC Fabrique;La Fabrique;Pernes\r\n".encode("latin-1"))
    mapping = tmp_path / "colonnes.json"
    mapping.write_text('{"Nom usuel": "name"}', encoding="utf-8")

    out = import_initiatives(path, mapping=str(mapping))

    assert "Nom usuel → name" in out and "Columns left out: Nom" in out
    assert "line 2" not in out  # not refused


def test_repeat_uses_the_source_licence_and_columns_of_the_latest_import_of_the_same_file(
    technician, anct_file, lieux_file, tmp_path, pernes, lille
):
    import_initiatives(
        anct_file,
        commit=True,
        leave_out_refused=True,
        licence="Licence Ouverte 2.0",
        mapping='{"courriel": ""}',
    )
    # A later import of another source is not the one repeated.
    import_initiatives(lieux_file, commit=True, leave_out_refused=True, source="Réseau du Pas-de-Calais")
    before = written()
    (tmp_path / "2027").mkdir()
    next_year = tmp_path / "2027" / "fabt_geom.geojson"
    next_year.write_text(anct_geojson(pernes, lille, email="bonjour@fabrique.fr"), encoding="utf-8")

    out = import_initiatives(next_year, "--repeat", source="", commit=True, leave_out_refused=True)

    assert "Same source, licence and columns as the import of fabt_geom.geojson" in out
    assert "Columns left out: liste_geo, courriel" in out
    assert "0 to create, 0 to update, 3 unchanged" in out
    assert written() == before

    out = import_initiatives(
        next_year, "--repeat", commit=True, leave_out_refused=True, mapping='{"courriel": "public_email"}'
    )

    assert "2 updated" in out
    latest = ImportBatch.objects.latest("pk")
    assert (latest.source, latest.licence) == (SOURCE, "Licence Ouverte 2.0")
    fabrique = Initiative.objects.get(import_records__batch=latest, name="La Fabrique de Pernes")
    assert fabrique.public_email == "bonjour@fabrique.fr"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"mapping": "{not json"}, "not valid JSON"),
        ({"mapping": "colonnes-absentes.json"}, "neither a JSON object nor a readable JSON file"),
        ({"mapping": '["Nom"]'}, "must be a JSON object"),
        ({"mapping": '{"Nom": "nom"}'}, "unknown fields: nom"),
        ({"mapping": '{"Intitulé": "name"}'}, "columns the file does not have: Intitulé"),
        ({"mapping": '{"Nom": "name", "Ville": "name"}'}, "the field name to two columns"),
        ({"network": "reseau-inconnu"}, "No network has the slug “reseau-inconnu”"),
        ({"user": "personne@example.org"}, "No account has the e-mail address personne@example.org"),
        ({"source": ""}, "Say who publishes this file"),
        ({"source": "", "repeat": True}, "No earlier import"),
    ],
)
def test_wrong_options_are_refused_with_a_clear_message_and_write_nothing(
    technician, lieux_file, options, message
):
    before = written()

    with pytest.raises(CommandError, match=message):
        import_initiatives(lieux_file, commit=True, leave_out_refused=True, **options)

    assert written() == before


def test_a_curator_may_not_import_into_another_network(technician, lieux_file):
    other = NetworkFactory(slug="reseau-voisin")

    with pytest.raises(CommandError, match="may not import into"):
        import_initiatives(lieux_file, commit=True, network=other.slug)

    assert not ImportBatch.objects.exists()


def test_a_curator_without_a_network_may_not_import(seed, lieux_file):
    CuratorFactory(email="sans-reseau@example.org", network=False)

    with pytest.raises(CommandError, match="may not import into"):
        import_initiatives(lieux_file, commit=True, user="sans-reseau@example.org")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("lieux.pdf", b"%PDF-1.4 not a table", "cannot be imported"),
        ("vide.csv", b"", "empty"),
        ("lieux.geojson", b'{"type": "Feature"', "cannot be read as GeoJSON"),
    ],
)
def test_an_unreadable_file_is_refused_and_nothing_is_written(technician, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        import_initiatives(path, commit=True)

    assert not ImportBatch.objects.exists()


def test_a_missing_file_is_refused(technician, tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        import_initiatives(tmp_path / "absent.csv")


def test_the_help_names_every_option():
    with translation.override("en"):
        text = " ".join(Command().create_parser("manage.py", "import_initiatives").format_help().split())

    assert "A dry run unless --commit is given" in text
    for option in ("--network", "--user", "--source", "--licence", "--sheet", "--mapping", "--repeat"):
        assert option in text
    assert "--leave-out-refused" in text and "--commit" in text
