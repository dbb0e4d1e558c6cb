"""The GeoJSON that the public map draws: the filtered initiatives inside the map's view.

The payload never grows with the catalogue. The view is cut into a grid of at most ``GRID`` × ``GRID``
cells, aligned on a world-wide grid so that clusters do not jump when the map pans; the database
groups the initiatives per cell (one GROUP BY on ST_X/ST_Y) and returns a count and a mean position.
A cluster also carries the box its initiatives lie in, which a click on it shows. A cell that holds
one initiative comes back as that initiative, with what its popup shows. Once the
view is a few streets wide (``DETAIL_SPAN``), every initiative comes back on its own, up to
``DETAIL_LIMIT``.
"""

import math
from urllib.parse import quote

from django.contrib.gis.db.models import Extent
from django.db.models import Avg, Count, FloatField, Func, Max, Min
from django.db.models.functions import Floor
from django.urls import reverse

from .labels import labels_of
from .models import Initiative

# Six decimals of a degree are about 10 cm: more only makes the payload heavier.
COORDINATE_PRECISION = 6
# At most this many columns and rows of cells in a view: about 60 px cells on a large screen.
GRID = 32
# A view narrower than this (in degrees of longitude, about 1.5 km) shows every initiative.
DETAIL_SPAN = 0.02
DETAIL_LIMIT = 500
_SLUG_PLACEHOLDER = "--slug--"


class X(Func):
    function = "ST_X"
    output_field = FloatField()


class Y(Func):
    function = "ST_Y"
    output_field = FloatField()


def feature_collection(initiatives, bbox):
    """A GeoJSON FeatureCollection of ``initiatives`` (already filtered and public) inside
    ``bbox`` (a Polygon), clustered per grid cell unless the view is small."""
    west, south, east, north = bbox.extent
    inside = initiatives.with_location().filter(location__contained=bbox).order_by()
    if east - west <= DETAIL_SPAN:
        ids = list(inside.order_by("pk").values_list("pk", flat=True)[:DETAIL_LIMIT])
        features = _initiative_features(ids)
    else:
        features = _clustered_features(inside, west, south, east, north)
    return {"type": "FeatureCollection", "features": features}


def cell_size(span):
    """The cell side in degrees for a view ``span`` degrees wide: a power of two fraction of 360°,
    so that cells of nearby views line up, and at most GRID cells across."""
    return 360 / 2 ** math.floor(math.log2(360 * GRID / max(span, 1e-9)))


def _clustered_features(inside, west, south, east, north):
    size_x = cell_size(east - west)
    # Degrees of latitude are longer on the map than degrees of longitude (Mercator): square cells
    # on screen need shorter cells in latitude.
    size_y = size_x * math.cos(math.radians((south + north) / 2))
    cells = list(
        inside.annotate(cx=Floor(X("location") / size_x), cy=Floor(Y("location") / size_y))
        .values("cx", "cy")
        .annotate(
            count=Count("pk"),
            lng=Avg(X("location")),
            lat=Avg(Y("location")),
            first=Min("pk"),
            west=Min(X("location")),
            south=Min(Y("location")),
            east=Max(X("location")),
            north=Max(Y("location")),
        )
        .order_by("cx", "cy")
    )
    singles = [cell["first"] for cell in cells if cell["count"] == 1]
    features = _initiative_features(singles)
    for cell in cells:
        if cell["count"] > 1:
            features.append(
                {
                    "type": "Feature",
                    "geometry": _point(cell["lng"], cell["lat"]),
                    # Where its initiatives lie: a click on the cluster shows that box.
                    "properties": {
                        "cluster": True,
                        "count": cell["count"],
                        "bbox": [
                            round(cell[side], COORDINATE_PRECISION)
                            for side in ("west", "south", "east", "north")
                        ],
                    },
                }
            )
    return features


def _initiative_features(ids):
    if not ids:
        return []
    rows = (
        Initiative.objects.filter(pk__in=ids)
        .order_by("name", "pk")
        .values("pk", "name", "slug", "commune__name", "location", "is_demo")
    )
    kinds = labels_of("kinds", ids)
    fiche_url = reverse("catalogue:initiative-detail", kwargs={"slug": _SLUG_PLACEHOLDER})
    return [
        {
            "type": "Feature",
            "id": row["pk"],
            "geometry": _point(row["location"].x, row["location"].y),
            "properties": {
                "name": row["name"],
                "commune": row["commune__name"] or "",
                "kinds": kinds.get(row["pk"], []),
                "url": fiche_url.replace(_SLUG_PLACEHOLDER, quote(row["slug"])),
                **({"demo": True} if row["is_demo"] else {}),
            },
        }
        for row in rows
    ]


def _point(lng, lat):
    return {
        "type": "Point",
        "coordinates": [round(lng, COORDINATE_PRECISION), round(lat, COORDINATE_PRECISION)],
    }


def extent(initiatives):
    """[west, south, east, north] of the initiatives' locations, or None: where the map should look
    after the filters change."""
    box = initiatives.with_location().order_by().aggregate(box=Extent("location"))["box"]
    return [round(value, COORDINATE_PRECISION) for value in box] if box else None
