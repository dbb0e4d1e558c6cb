"""The official classifications of the communes (INSEE's density grid, the ANCT's centralities, rural
typology, massifs and programmes) and their loading by ``manage.py load_classifications``.

The real files are read where they sit beside the repository (``../shared/data/territoires/``, never
copied into the project); the error cases are small files of the same shape in a temporary directory.
"""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count

from territories.classifications import load_classification_file
from territories.models import Centrality, DensityGrid, Programme, Territory
from territories.signals import territories_changed
from tests.factories import commune

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territories")]

OFFICIAL = settings.BASE_DIR.parent / "shared" / "data" / "territoires"
BOM = "\ufeff"
POINT = {"type": "Point", "coordinates": [2.3, 50.4]}


def load(*paths):
    out = StringIO()
    call_command("load_classifications", *map(str, paths), stdout=out)
    return out.getvalue()


def counts(field):
    rows = Territory.objects.communes().values_list(field).annotate(n=Count("pk")).order_by()
    return dict(rows)


@pytest.fixture
def official(db):
    """Every official file loaded (the whole directory), and the command's output."""
    if not OFFICIAL.is_dir():
        pytest.skip(f"the official files are not beside the repository ({OFFICIAL})")
    return load(OFFICIAL)


def write_csv(path, column, lines):
    path.write_text(BOM + f"insee_com,lib_com,{column}\n" + "".join(f"{line}\n" for line in lines), "utf-8")
    return path


def write_programme(path, liste_geos):
    features = [
        {
            "type": "Feature",
            "properties": {"liste_geo": text},
            "geometry": {"type": "Point", "coordinates": [2, 50]},
        }
        for text in liste_geos
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return path


# --- The real files -------------------------------------------------------------------------------


def test_density_grid_of_every_commune_is_loaded_with_inseees_counts(official):
    assert counts("density_grid") == {
        DensityGrid.MAJOR_URBAN_CENTRES: 699,
        DensityGrid.INTERMEDIATE_URBAN_CENTRES: 637,
        DensityGrid.URBAN_BELTS: 1996,
        DensityGrid.SMALL_TOWNS: 947,
        DensityGrid.RURAL_TOWNS: 5072,
        DensityGrid.DISPERSED_RURAL: 18288,
        DensityGrid.VERY_DISPERSED_RURAL: 7236,
    }
    assert "densite.csv (density_grid): 34875 communes read, 34875 with a value" in official


def test_centralities_massifs_and_programmes_are_counted_as_the_files_say(official):
    centralities = counts("centrality")
    assert centralities[Centrality.MAJOR] == 142
    assert centralities[Centrality.LOCAL] == 7007
    assert centralities[Centrality.NONE] == 23975
    # The overseas communes' " - undefined" is no centrality.
    assert centralities[""] == 129
    massifs = counts("massif")
    assert massifs["Massif Central"] == 3935
    assert massifs["Massif du Jura"] == 810
    assert sum(n for name, n in massifs.items() if name) == 8594
    # "Hors champ : DOM ou commune urbaine" and the communes whose perimeter changed: none.
    assert counts("rural_typology")["Les ruralités productives agricoles"] == 6171
    assert counts("rural_typology")[""] == 4240 + 74
    # (SQLite has no "contains" on JSON: the lists are read.)
    programmes = Territory.objects.communes().values_list("programmes", flat=True)
    assert sum(Programme.PVD in listed for listed in programmes) == 1645


def test_pernes_and_lille_read_as_the_official_files_describe_them(official):
    pernes, lille = commune("62652"), commune("59350")

    assert pernes.get_density_grid_display() == "Ceintures urbaines"
    assert pernes.centrality == "Centre local d'équipements et de services"
    assert pernes.rural_typology == ""  # "Hors champ : DOM ou commune urbaine"
    assert pernes.massif == ""
    assert pernes.programmes == [Programme.VA]
    assert lille.density_grid == DensityGrid.MAJOR_URBAN_CENTRES
    assert lille.centrality == Centrality.MAJOR
    assert lille.programmes == []
    # Béthune and Bruay-la-Buissière share one "Action cœur de ville" point.
    assert commune("62119").programmes == commune("62178").programmes == [Programme.ACV]
    assert commune("01002").massif == "Massif du Jura"


def test_a_second_load_of_the_official_files_changes_nothing(official):
    received = []

    def listener(sender, pks, **kwargs):
        received.append(pks)

    territories_changed.connect(listener)
    try:
        again = load(OFFICIAL)
    finally:
        territories_changed.disconnect(listener)

    assert received == []
    assert "34875 with a value, 0 changed." in again
    for name in ("centralite.csv", "ruralite.csv", "montagne.csv", "programme-pvd.geojson"):
        line = next(line for line in again.splitlines() if line.startswith(name))
        assert line.endswith(" 0 changed."), line


# --- Small files of the same shape ----------------------------------------------------------------


def test_a_load_reports_bad_lines_and_unknown_codes_and_loads_the_rest(tmp_path):
    path = write_csv(
        tmp_path / "densite.csv",
        "niveau_densite",
        [
            "62652,Pernes,Bourgs ruraux",
            "59350,Lille,Grands centres urbains",
            "99999,Nulle part,Petites villes",
            "ABCDE,Pas un code,Petites villes",
            "62041,Arras,Villes moyennes",
            "62119,Béthune",
        ],
    )

    output = load(path)

    assert "line 5: 'ABCDE' is not an INSEE code of a commune." in output
    assert "line 6: unknown level of the density grid 'Villes moyennes'." in output
    assert "line 7: wrong number of columns." in output
    assert "1 codes name no commune of the table: 99999." in output
    assert commune("62652").get_density_grid_display() == "Bourgs ruraux"
    assert commune("59350").density_grid == DensityGrid.MAJOR_URBAN_CENTRES


def test_a_commune_whose_line_is_unreadable_keeps_its_value(tmp_path):
    write = lambda level: write_csv(tmp_path / "densite.csv", "niveau_densite", [f"62041,Arras,{level}"])  # noqa: E731
    load(write("Petites villes"))

    output = load(write("N'importe quoi"))

    assert "line 2: unknown level" in output
    assert commune("62041").density_grid == DensityGrid.SMALL_TOWNS


def test_a_file_with_no_readable_line_changes_nothing(tmp_path):
    path = tmp_path / "densite.csv"
    load(write_csv(path, "niveau_densite", ["62041,Arras,Petites villes"]))

    output = load(write_csv(path, "niveau_densite", ["62652;Pernes;Bourgs ruraux", "59350,Lille,Villes"]))

    assert "densite.csv (density_grid): 0 communes read" in output
    assert "line 2: wrong number of columns." in output
    assert commune("62041").density_grid == DensityGrid.SMALL_TOWNS


def test_a_commune_that_leaves_a_programme_file_loses_that_programme_only(tmp_path):
    pvd = write_programme(tmp_path / "programme-pvd.geojson", ["Pernes (62652)", "Arras (62041)"])
    acv = write_programme(tmp_path / "programme-acv.geojson", ["Arras (62041)"])
    load(pvd, acv)
    assert commune("62041").programmes == [Programme.PVD, Programme.ACV]

    output = load(write_programme(pvd, ["Pernes (62652)", "nowhere", "Inconnue (99999)"]))

    assert commune("62041").programmes == [Programme.ACV]
    assert commune("62652").programmes == [Programme.PVD]
    assert "feature 2: no INSEE code in liste_geo 'nowhere'." in output
    assert "99999" in output


def test_a_commune_that_leaves_the_mountain_file_has_no_massif(tmp_path):
    path = tmp_path / "montagne.csv"
    load(write_csv(path, "niveau_montagne", ["01002,L'Abergement-de-Varey,02 - Massif du Jura"]))
    assert commune("01002").massif == "Massif du Jura"

    load(write_csv(path, "niveau_montagne", ["01004,Ambérieu-en-Bugey, 02 - Massif du Jura"]))

    assert commune("01002").massif == ""
    assert commune("01004").massif == "Massif du Jura"


def test_a_load_sends_territories_changed_with_the_changed_communes(tmp_path):
    received = []

    def listener(sender, pks, **kwargs):
        received.append(pks)

    path = write_csv(
        tmp_path / "centralite.csv",
        "niveau_centralite",
        ["62652,Pernes,Centre majeur d'équipements et de services"],
    )
    territories_changed.connect(listener)
    try:
        report = load_classification_file(path)
    finally:
        territories_changed.disconnect(listener)

    assert received == [[commune("62652").pk]]
    assert report.changed == 1


def test_the_command_tells_the_catalogue_once_for_all_its_files(tmp_path):
    received = []

    def listener(sender, pks, **kwargs):
        received.append(pks)

    write_csv(tmp_path / "densite.csv", "niveau_densite", ["62652,Pernes,Bourgs ruraux"])
    write_programme(tmp_path / "programme-acv.geojson", ["Arras (62041)"])
    territories_changed.connect(listener)
    try:
        load(tmp_path)
    finally:
        territories_changed.disconnect(listener)

    assert len(received) == 1
    assert {commune("62652").pk, commune("62041").pk} <= set(received[0])


def test_files_that_are_no_classification_are_reported_and_change_nothing(tmp_path):
    (tmp_path / "autre.csv").write_text("a,b\n1,2\n", "utf-8")
    (tmp_path / "programme-pvd.geojson").write_text("{not json", "utf-8")
    (tmp_path / "programme-va.geojson").write_text("\xff\xfe", "latin-1")

    output = load(
        tmp_path / "programme-pvd.geojson", tmp_path / "programme-va.geojson", tmp_path / "autre.csv"
    )

    assert "autre.csv: not a file of a known classification, skipped." in output
    assert "programme-pvd.geojson (pvd): 0 communes read" in output
    assert "not a GeoJSON collection of features" in output
    assert not Territory.objects.communes().exclude(programmes=[]).exists()


def test_a_directory_with_no_known_file_or_a_missing_path_is_an_error(tmp_path):
    (tmp_path / "README.md").write_text("rien", "utf-8")
    with pytest.raises(CommandError, match="None of these files"):
        load(tmp_path)
    with pytest.raises(CommandError, match="No such file"):
        load(tmp_path / "absent.csv")


def test_density_grid_labels_are_inseees_words_in_french():
    from django.utils import translation

    with translation.override("fr"):
        labels = [str(label) for label in DensityGrid.labels]
        programmes = [str(label) for label in Programme.labels]
    assert labels == [
        "Grands centres urbains",
        "Centres urbains intermédiaires",
        "Ceintures urbaines",
        "Petites villes",
        "Bourgs ruraux",
        "Rural à habitat dispersé",
        "Rural à habitat très dispersé",
    ]
    assert programmes == ["Petites villes de demain", "Action cœur de ville", "Villages d’avenir"]


def test_the_admin_shows_the_loaded_classifications_read_only(superuser_client, tmp_path):
    load(write_programme(tmp_path / "programme-pvd.geojson", ["Arras (62041)"]))
    arras = commune("62041")

    response = superuser_client.get(f"/admin/territories/territory/{arras.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "pvd" in html
    assert 'name="programmes"' not in html  # read only: loaded from the official files
