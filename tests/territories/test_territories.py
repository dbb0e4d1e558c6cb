"""The table of French territories and its loading by ``manage.py load_territories``.

The session's database holds every territory of France, loaded once by ``tests/conftest.py``. The
tests that run the command again compare the table before and after; those that give it damaged files
work on a copy of ``fixtures/territories/`` in a temporary directory.
"""

import csv
import gzip
import hashlib
import io
import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.test.utils import CaptureQueriesContext

from territories.loader import DEFAULT_DIRECTORY, read_territory_files
from territories.models import DensityClass, Territory, TerritoryCode
from tests.factories import CommuneFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("territories")]

Kind = Territory.Kind
TOTAL = 34_875 + 1_255 + 101 + 18
# Communes of the Cantal that the source lists without a contour: no area, no centre.
WITHOUT_AREA = {"15031", "15035", "15047", "15171"}
# Island communes that belong to no intercommunality, as the law allows.
WITHOUT_EPCI = {"22016", "29083", "29155", "85113"}


def commune(code):
    return Territory.objects.select_related("epci", "departement", "region").get(kind=Kind.COMMUNE, code=code)


def epci(code):
    return Territory.objects.get(kind=Kind.EPCI, code=code)


def load(*args, **options):
    """Runs the command and returns what it printed."""
    out = StringIO()
    call_command("load_territories", *args, stdout=out, **options)
    return out.getvalue()


def table_snapshot():
    """Every loaded and derived field of every territory, by primary key, and the searched codes."""
    rows = Territory.objects.values_list(
        "pk",
        "kind",
        "code",
        "name",
        "epci_type",
        "region_id",
        "departement_id",
        "epci_id",
        "postcodes",
        "population",
        "area_km2",
        "density",
        "density_class",
        "search_name",
        "centre",
    )
    territories = {
        row[0]: (*row[1:-1], None if row[-1] is None else (round(row[-1].x, 6), round(row[-1].y, 6)))
        for row in rows.iterator(chunk_size=5000)
    }
    codes = set(TerritoryCode.objects.values_list("territory_id", "code").iterator(chunk_size=5000))
    return territories, codes


def writes(queries):
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


# --- What the table holds -------------------------------------------------------------------------


def test_the_table_holds_every_territory_of_france():
    counts = dict(Territory.objects.values_list("kind").annotate(n=Count("pk")).order_by())

    assert counts == {Kind.COMMUNE: 34_875, Kind.EPCI: 1_255, Kind.DEPARTEMENT: 101, Kind.REGION: 18}


def test_intercommunalities_by_legal_kind():
    counts = dict(
        Territory.objects.filter(kind=Kind.EPCI).values_list("epci_type").annotate(n=Count("pk")).order_by()
    )

    assert counts == {"CC": 989, "CA": 230, "CU": 14, "METRO": 22}


def test_every_commune_has_a_departement_and_the_region_of_its_departement():
    communes = Territory.objects.communes()

    assert not communes.filter(Q(departement=None) | Q(region=None)).exists()
    assert not communes.exclude(region=F("departement__region")).exists()
    assert not Territory.objects.departements().filter(region=None).exists()


def test_communes_have_population_area_and_centre_but_four_of_the_cantal():
    communes = Territory.objects.communes()

    assert not communes.filter(population=None).exists()
    assert set(communes.filter(area_km2=None).values_list("code", flat=True)) == WITHOUT_AREA
    assert set(communes.filter(centre=None).values_list("code", flat=True)) == WITHOUT_AREA
    # No area, no density: such communes get no density class rather than a wrong one.
    assert set(communes.filter(density_class="").values_list("code", flat=True)) == WITHOUT_AREA


def test_only_four_island_communes_belong_to_no_intercommunality():
    assert set(Territory.objects.communes().filter(epci=None).values_list("code", flat=True)) == WITHOUT_EPCI


def test_pernes_is_in_the_ternois_in_pas_de_calais_in_hauts_de_france():
    pernes = commune("62652")

    assert str(pernes) == "Pernes (62)"
    assert (pernes.epci.code, pernes.epci.name, pernes.epci.epci_type) == ("200069672", "CC du Ternois", "CC")
    assert (pernes.departement.code, pernes.departement.name) == ("62", "Pas-de-Calais")
    assert (pernes.region.code, pernes.region.name) == ("32", "Hauts-de-France")
    assert pernes.postcodes == ["62550"]


def test_ennevelin_and_pont_a_marcq_share_the_pevele_carembault_and_a_postcode():
    ennevelin, pont_a_marcq = commune("59197"), commune("59466")

    assert (ennevelin.name, pont_a_marcq.name) == ("Ennevelin", "Pont-à-Marcq")
    for town in (ennevelin, pont_a_marcq):
        assert (town.epci.code, town.epci.name) == ("200041960", "CC Pévèle-Carembault")
        assert town.departement.name == "Nord"
        assert "59710" in town.postcodes


def test_lille_is_a_dense_commune_of_the_metropole_europeenne_de_lille():
    lille = commune("59350")

    assert str(lille) == "Lille (59)"
    assert (lille.epci.code, lille.epci.name) == ("200093201", "Métropole Européenne de Lille")
    assert lille.epci.epci_type == Territory.EpciType.METRO
    assert "59000" in lille.postcodes
    assert lille.density > 1500
    assert lille.density_class == DensityClass.DENSE


def test_paris_has_a_postcode_per_arrondissement():
    paris = commune("75056")

    assert len(paris.postcodes) >= 20
    assert {"75001", "75020", "75116"} <= set(paris.postcodes)
    assert paris.population > 2_000_000


def test_maripasoula_is_a_vast_and_very_sparse_commune_of_guyane():
    maripasoula = commune("97353")

    assert maripasoula.name == "Maripasoula"
    assert (maripasoula.departement.code, maripasoula.departement.name) == ("973", "Guyane")
    assert str(maripasoula) == "Maripasoula (973)"
    assert maripasoula.area_km2 > 18_000
    assert maripasoula.density < 25
    assert maripasoula.density_class == DensityClass.VERY_SPARSE


def test_corsica_departements_have_letter_codes():
    corse_du_sud = Territory.objects.select_related("region").get(kind=Kind.DEPARTEMENT, code="2A")

    assert str(corse_du_sud) == "Corse-du-Sud (2A)"
    assert corse_du_sud.region.name == "Corse"
    assert Territory.objects.get(kind=Kind.DEPARTEMENT, code="2B").name == "Haute-Corse"
    assert str(commune("2A004")) == "Ajaccio (2A)"


def test_the_metropole_de_lyon_is_a_metropole():
    lyon = Territory.objects.get(kind=Kind.EPCI, name="Métropole de Lyon")

    assert lyon.epci_type == Territory.EpciType.METRO
    assert lyon.code == "200046977"


def test_the_ternois_is_sparsely_populated_rural():
    ternois = epci("200069672")

    assert 25 <= ternois.density < 300
    assert ternois.density_class == DensityClass.SPARSE


def test_departements_and_regions_have_a_density_but_no_density_class():
    nord = Territory.objects.get(kind=Kind.DEPARTEMENT, code="59")
    larger = Territory.objects.filter(kind__in=[Kind.DEPARTEMENT, Kind.REGION])

    assert nord.density == pytest.approx(nord.population / nord.area_km2, abs=0.1)
    assert not larger.exclude(density_class="").exists()
    assert not larger.filter(density=None).exists()


def test_the_pevele_carembault_is_the_sum_of_its_member_communes():
    pevele = epci("200041960")
    members = pevele.member_communes.all()

    assert {"Ennevelin", "Pont-à-Marcq", "Avelin", "Mérignies"} <= set(members.values_list("name", flat=True))
    assert members.count() == 38
    totals = members.aggregate(population=Sum("population"), area=Sum("area_km2"))
    assert pevele.population == totals["population"] == 99_749
    assert pevele.area_km2 == pytest.approx(totals["area"])


@pytest.mark.parametrize(
    ("kind", "link"), [(Kind.EPCI, "epci"), (Kind.DEPARTEMENT, "departement"), (Kind.REGION, "region")]
)
def test_larger_territories_add_up_their_communes(kind, link):
    """A commune, its EPCI, its département and its région add up (fixtures/territories/README.md)."""
    sums = {
        parent: (population, area)
        for parent, population, area in Territory.objects.communes()
        .exclude(**{link: None})
        .values_list(link)
        .annotate(population=Sum("population"), area=Sum("area_km2"))
        .values_list(link, "population", "area")
    }
    territories = Territory.objects.filter(kind=kind).values_list("pk", "population", "area_km2")

    assert len(territories) == len(sums)
    for pk, population, area in territories:
        assert population == sums[pk][0], pk
        assert area == pytest.approx(sums[pk][1], rel=1e-6), pk


@pytest.mark.parametrize(
    ("density", "expected"),
    [
        (None, ""),
        (0.4, DensityClass.VERY_SPARSE),
        (24.9, DensityClass.VERY_SPARSE),
        (25, DensityClass.SPARSE),
        (299.9, DensityClass.SPARSE),
        (300, DensityClass.INTERMEDIATE),
        (1499.9, DensityClass.INTERMEDIATE),
        (1500, DensityClass.DENSE),
        (20_000, DensityClass.DENSE),
    ],
)
def test_density_class_thresholds(density, expected):
    assert DensityClass.for_density(density) == expected


def test_saving_a_territory_keeps_its_density_search_name_and_codes_in_step():
    town = CommuneFactory(name="Village d'Essai", code="99101", postcodes=["99100"], population=1000)
    assert town.density_class == DensityClass.SPARSE  # 1,000 inhabitants on the factory's 20 km²

    town.name = "Ville-Nouvelle-d'Essai"
    town.population = 40_000
    town.postcodes = ["99170"]
    town.save()

    town.refresh_from_db()
    assert town.density == 2000
    assert town.density_class == DensityClass.DENSE
    assert town.search_name == "ville nouvelle d essai"
    assert set(town.search_codes.values_list("code", flat=True)) == {"99101", "99170"}
    assert list(Territory.objects.search("99100")) == []
    assert list(Territory.objects.search("99170")) == [town]


# --- Loading again --------------------------------------------------------------------------------


def test_loading_the_same_files_again_changes_nothing():
    before = table_snapshot()

    with CaptureQueriesContext(connection) as queries:
        output = load()

    assert f"0 created, 0 updated, {TOTAL} unchanged." in output
    assert "no longer in the files" not in output
    assert writes(queries) == []
    assert table_snapshot() == before


def test_loading_one_departement_again_keeps_the_links_to_departements_left_out():
    """CC Flandre Lys has communes in the Pas-de-Calais but belongs to the Nord: loading the
    Pas-de-Calais alone must not take its département away."""
    flandre_lys = epci("245900758")
    assert flandre_lys.departement.code == "59"

    with CaptureQueriesContext(connection) as queries:
        output = load(departement=["62"])

    flandre_lys.refresh_from_db()
    assert flandre_lys.departement.code == "59"
    assert " 0 created, 0 updated, " in output
    assert writes(queries) == []


# --- Files on disk --------------------------------------------------------------------------------


@pytest.fixture
def source(tmp_path):
    """A copy of the shipped files that a test may damage."""
    directory = tmp_path / "territories"
    shutil.copytree(DEFAULT_DIRECTORY, directory)
    return directory


def read_text(directory, name):
    return gzip.decompress((directory / name).read_bytes()).decode("utf-8")


def write_file(directory, name, data, fix_manifest=True):
    """Writes a file; with ``fix_manifest``, records its new SHA-256 and row count in the manifest, as
    scripts/build_territories.py would, so that the loader's own checks are what is tested."""
    path = directory / name
    path.write_bytes(data)
    if fix_manifest:
        manifest_path = directory / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest["files"][name]["sha256"] = hashlib.sha256(data).hexdigest()
        try:
            manifest["files"][name]["rows"] = gzip.decompress(data).decode("utf-8").count("\n") - 1
        except (OSError, EOFError):
            pass  # a damaged file keeps its announced row count
        manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def edit_row(directory, name, code, columns, fix_manifest=True):
    """Changes columns of the row of ``code``; returns its line number (the header is line 1)."""
    lines = read_text(directory, name).splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{code},"))
    row = dict(zip(header, next(csv.reader([lines[index]])), strict=True))
    row.update(columns)
    out = io.StringIO()
    csv.DictWriter(out, fieldnames=header, lineterminator="\n").writerow(row)
    lines[index] = out.getvalue()
    write_file(directory, name, gzip.compress("".join(lines).encode("utf-8"), mtime=0), fix_manifest)
    return index + 1


def pernes_fields():
    return Territory.objects.filter(kind=Kind.COMMUNE, code="62652").values().get()


def test_a_changed_population_updates_that_commune_only_and_its_density(source):
    edit_row(source, "communes.csv.gz", "62652", {"population": "15740"})
    before = table_snapshot()

    with CaptureQueriesContext(connection) as queries:
        output = load(source=str(source))

    assert f"0 created, 1 updated, {TOTAL - 1} unchanged." in output
    assert [sql.split()[0] for sql in writes(queries)] == ["UPDATE"]
    pernes = commune("62652")
    assert pernes.population == 15_740
    assert pernes.density == pytest.approx(15_740 / 4.55, abs=0.1)
    assert pernes.density_class == DensityClass.DENSE
    after = table_snapshot()
    assert {pk for pk, fields in before[0].items() if after[0][pk] != fields} == {pernes.pk}
    assert after[1] == before[1]


def truncate(directory, name):
    data = (directory / name).read_bytes()
    write_file(directory, name, data[: len(data) // 2])


def stale_checksum(directory, name):
    edit_row(directory, name, "62652", {"population": "1575"}, fix_manifest=False)


def remove(directory, name):
    (directory / name).unlink()


def unlist(directory, name):
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    del manifest["files"][name]
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def spoil_manifest(directory, name):
    (directory / "manifest.json").write_text('{"files": [', encoding="utf-8")


def miscount(directory, name):
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][name]["rows"] += 1
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize(
    ("damage", "name", "message"),
    [
        (truncate, "communes.csv.gz", "communes.csv.gz: cannot be read"),
        (stale_checksum, "communes.csv.gz", "communes.csv.gz: its content does not match manifest.json"),
        (remove, "epci.csv.gz", "epci.csv.gz: file missing."),
        (remove, "manifest.json", "manifest.json: file missing."),
        (spoil_manifest, "manifest.json", "manifest.json: not a valid manifest"),
        (unlist, "regions.csv.gz", "regions.csv.gz: not listed in manifest.json."),
        (miscount, "departements.csv.gz", "departements.csv.gz: 101 rows where manifest.json announces 102."),
    ],
)
def test_damaged_files_are_refused_by_name_and_nothing_changes(source, damage, name, message):
    damage(source, name)
    counts = Territory.objects.count(), TerritoryCode.objects.count()
    pernes = pernes_fields()

    with CaptureQueriesContext(connection) as queries, pytest.raises(CommandError) as error:
        load(source=str(source))

    assert str(error.value).startswith("The territories were not loaded, nothing was changed:")
    assert message in str(error.value)
    assert writes(queries) == []
    assert (Territory.objects.count(), TerritoryCode.objects.count()) == counts
    assert pernes_fields() == pernes


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"code": "6265X"}, "'6265X' is not a valid code for a commune."),
        ({"population": "beaucoup"}, "62652: population 'beaucoup' is not a number."),
        ({"area_km2": "0"}, "62652: area_km2 '0' is out of range."),
        ({"postcodes": "62550 6255"}, "62652: invalid postcodes '62550 6255'."),
        ({"longitude": "200"}, "62652: the centre (200.0, 50.4838) is outside the Earth's coordinates."),
        ({"name": " "}, "62652: the name is empty."),
        ({"departement": "00"}, "62652 refers to an unknown departement '00'."),
        ({"epci": "200000000"}, "62652 refers to an unknown epci '200000000'."),
    ],
)
def test_a_bad_row_is_refused_with_its_line_and_nothing_changes(source, columns, message):
    line = edit_row(source, "communes.csv.gz", "62652", columns)
    pernes = pernes_fields()

    with CaptureQueriesContext(connection) as queries, pytest.raises(CommandError) as error:
        load(source=str(source))

    assert f"communes.csv.gz, line {line}: {message}" in str(error.value)
    assert writes(queries) == []
    assert pernes_fields() == pernes


def test_every_bad_row_is_listed_not_only_the_first(source):
    first = edit_row(source, "communes.csv.gz", "59350", {"population": "-3"})
    second = edit_row(source, "communes.csv.gz", "62652", {"population": "x"})

    with pytest.raises(CommandError) as error:
        load(source=str(source))

    assert f"communes.csv.gz, line {first}: 59350: population '-3' is out of range." in str(error.value)
    assert f"communes.csv.gz, line {second}: 62652: population 'x' is not a number." in str(error.value)


# --- One département ------------------------------------------------------------------------------


def test_reading_one_departement_keeps_its_communes_their_intercommunalities_and_its_region():
    rows = read_territory_files(departements={"59"})

    assert [row.code for row in rows[Kind.DEPARTEMENT]] == ["59"]
    assert [row.code for row in rows[Kind.REGION]] == ["32"]
    communes = rows[Kind.COMMUNE]
    assert len(communes) == 647
    assert {row.departement for row in communes} == {"59"}
    assert {"59350", "59197", "59466"} <= {row.code for row in communes}
    epcis = {row.code for row in rows[Kind.EPCI]}
    assert epcis == {row.epci for row in communes}
    assert len(epcis) == 17
    assert {"200041960", "200093201"} <= epcis
    assert "200069672" not in epcis  # the Ternois is in the Pas-de-Calais


def test_an_unknown_departement_is_refused():
    with (
        CaptureQueriesContext(connection) as queries,
        pytest.raises(CommandError, match="Unknown département: 00."),
    ):
        load(departement=["00"])

    assert writes(queries) == []


# --- Contours ---------------------------------------------------------------------------------------

CONTOURS = "communes-contours.csv.xz"


def test_communes_have_their_contour_but_four_of_the_cantal():
    communes = Territory.objects.communes()
    assert communes.filter(contour__isnull=False).count() == 34_871
    assert set(communes.filter(contour__isnull=True).values_list("code", flat=True)) == {
        "15031",
        "15035",
        "15047",
        "15171",
    }
    pernes = commune("62652")
    assert pernes.contour.geom_type == "MultiPolygon" and pernes.contour.srid == 4326
    assert pernes.contour.contains(pernes.centre)
    assert not Territory.objects.filter(contour__isnull=False).exclude(kind=Kind.COMMUNE).exists()


def test_a_load_without_contours_keeps_those_already_stored():
    before = commune("62652").contour

    output = load(without_contours=True)

    assert " 0 created, 0 updated, 36249 unchanged." in output
    assert commune("62652").contour.equals_exact(before, tolerance=1e-9)


def rewrite_contour(directory, code, wkt):
    """Replaces the contour of ``code`` in the xz file and records the file in the manifest; returns
    the line of the row (the header is line 1)."""
    import lzma

    path = directory / CONTOURS
    lines = lzma.decompress(path.read_bytes()).decode("utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{code},"))
    lines[index] = f'{code},"{wkt}"\n'
    data = lzma.compress("".join(lines).encode("utf-8"), preset=0)  # fast: a test file
    path.write_bytes(data)
    manifest_path = directory / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"][CONTOURS]["sha256"] = hashlib.sha256(data).hexdigest()
    manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return index + 1


@pytest.mark.parametrize(
    ("wkt", "message"),
    [
        ("POINT (2.41 50.48)", "62652: the contour is not a polygon."),
        ("MULTIPOLYGON (((2.4 50.4, 2.5", "62652: the contour is not a valid WKT geometry."),
    ],
)
def test_a_bad_contour_is_refused_with_its_line_and_nothing_changes(source, wkt, message):
    line = rewrite_contour(source, "62652", wkt)
    pernes = pernes_fields()

    with CaptureQueriesContext(connection) as queries, pytest.raises(CommandError) as error:
        load(source=str(source))

    assert f"{CONTOURS}, line {line}: {message}" in str(error.value)
    assert writes(queries) == []
    assert pernes_fields() == pernes


def test_a_truncated_contours_file_is_refused_and_nothing_changes(source):
    data = (source / CONTOURS).read_bytes()[:100_000]
    write_file(source, CONTOURS, data)
    pernes = pernes_fields()

    with pytest.raises(CommandError, match=f"{CONTOURS}: cannot be read"):
        load(source=str(source))

    assert pernes_fields() == pernes


def test_a_changed_contour_updates_that_commune_only(source):
    square = "MULTIPOLYGON (((2.40 50.47, 2.42 50.47, 2.42 50.49, 2.40 50.49, 2.40 50.47)))"
    rewrite_contour(source, "62652", square)

    output = load(source=str(source))

    assert " 0 created, 1 updated, 36248 unchanged." in output
    assert commune("62652").contour.wkt.startswith("MULTIPOLYGON (((2.4 50.47")
