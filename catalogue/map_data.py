"""The GeoJSON that the public map draws: the filtered initiatives inside the map's view.

The payload never grows with the catalogue. The view is cut into a grid of at most ``GRID`` × ``GRID``
cells, aligned on a world-wide grid so that clusters do not jump when the map pans; the database
groups the initiatives' points (``MapPoint``, a narrow table of two numbers per published initiative)
per cell and returns a count and a mean position. A cluster also carries the box its initiatives lie
in, which a click on it shows. A cell that holds one initiative comes back as that initiative, with
what its popup shows. Once the view is a few streets wide (``DETAIL_SPAN``), every initiative comes
back on its own, up to ``DETAIL_LIMIT``.

When no filter narrows the map, a wide view (all of France) does not read every point: the cells of
the coarse levels are counted in advance (``MapCell``, kept current by :func:`refresh_batch` when an
initiative is published, moved or archived), and only the cells that the view's edges cut through
are counted from the points inside the view. Same cells, same counts as counting every point.
"""

import math
from urllib.parse import quote

from django.contrib.gis.db.models import Extent
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import Floor
from django.urls import reverse

from .labels import labels_of
from .models import Initiative, MapCell, MapPoint

# Six decimals of a degree are about 10 cm: more only makes the payload heavier.
COORDINATE_PRECISION = 6
# At most this many columns and rows of cells in a view: about 60 px cells on a large screen.
GRID = 32
# A cell's height in degrees of latitude, for a width of one degree of longitude. Degrees of latitude
# are longer on the map (Mercator): cos(46°), the middle of mainland France, makes its cells square
# on screen. One ratio for every view, so that the cells of a level are the same everywhere.
CELL_ASPECT = 0.7
# The levels whose cells are counted in advance (``MapCell``): cell widths from 360 / 2^5 = 11°
# (the whole world in view) to 360 / 2^11 = 0.18° (a view of about 3°, a département).
CELL_LEVELS = range(5, 12)
# A view narrower than this (in degrees of longitude, about 1.5 km) shows every initiative.
DETAIL_SPAN = 0.02
DETAIL_LIMIT = 500
_SLUG_PLACEHOLDER = "--slug--"
SIDES = ("west", "south", "east", "north")


def feature_collection(initiatives, bbox, narrowed=True):
    """A GeoJSON FeatureCollection of ``initiatives`` (already filtered and public) inside
    ``bbox`` (a Polygon), clustered per grid cell unless the view is small. ``narrowed=False`` says
    that ``initiatives`` are every published initiative: the cells counted in advance then serve."""
    west, south, east, north = bbox.extent
    points = MapPoint.objects.filter(lng__gte=west, lng__lte=east, lat__gte=south, lat__lte=north).order_by()
    if narrowed:
        points = points.filter(initiative_id__in=initiatives.values("pk"))
    if east - west <= DETAIL_SPAN:
        ids = list(points.order_by("initiative_id").values_list("initiative_id", flat=True)[:DETAIL_LIMIT])
        features = _initiative_features(ids)
    else:
        level = level_for(east - west)
        if not narrowed and level in CELL_LEVELS:
            cells = _counted_cells(points, level, west, south, east, north)
        else:
            cells = grouped_cells(points, level)
        features = _cluster_features(cells)
    return {"type": "FeatureCollection", "features": features}


def level_for(span):
    """The grid level for a view ``span`` degrees wide: cells 360 / 2^level wide, a power of two
    fraction of 360° so that cells of nearby views line up, and at most GRID cells across."""
    return math.floor(math.log2(360 * GRID / max(span, 1e-9)))


def cell_width(level):
    return 360 / 2**level


def _cell_of(level):
    """The expressions of the cell (x, y) a point lies in, at ``level``."""
    width = cell_width(level)
    return {"x": Floor(F("lng") / width), "y": Floor(F("lat") / (width * CELL_ASPECT))}


def grouped_cells(points, level):
    """The cells of ``points`` at ``level``, each as counted by the database: [{x, y, count, sum_lng,
    sum_lat, first, west, south, east, north}]."""
    return list(
        points.annotate(**_cell_of(level))
        .values("x", "y")
        .annotate(
            count=Count("initiative_id"),
            sum_lng=Sum("lng"),
            sum_lat=Sum("lat"),
            first=Min("initiative_id"),
            west=Min("lng"),
            south=Min("lat"),
            east=Max("lng"),
            north=Max("lat"),
        )
        .order_by("x", "y")
    )


def _counted_cells(points, level, west, south, east, north):
    """The cells of every published initiative in the view: those wholly inside it as counted in
    advance, those the view's edges cut through from the points inside the view."""
    width = cell_width(level)
    height = width * CELL_ASPECT
    x_range = (math.ceil(west / width), math.floor(east / width) - 1)
    y_range = (math.ceil(south / height), math.floor(north / height) - 1)
    if x_range[0] > x_range[1] or y_range[0] > y_range[1]:
        return grouped_cells(points, level)
    inside = MapCell.objects.filter(level=level, x__range=x_range, y__range=y_range).order_by("x", "y")
    cells = list(inside.values("x", "y", "count", "sum_lng", "sum_lat", "first", *SIDES))
    edges = points.annotate(**_cell_of(level)).exclude(x__range=x_range, y__range=y_range)
    return cells + grouped_cells(edges, level)


def _cluster_features(cells):
    singles = [cell["first"] for cell in cells if cell["count"] == 1]
    features = _initiative_features(singles)
    for cell in sorted(cells, key=lambda cell: (cell["x"], cell["y"])):
        if cell["count"] > 1:
            features.append(
                {
                    "type": "Feature",
                    "geometry": _point(cell["sum_lng"] / cell["count"], cell["sum_lat"] / cell["count"]),
                    # Where its initiatives lie: a click on the cluster shows that box.
                    "properties": {
                        "cluster": True,
                        "count": cell["count"],
                        "bbox": [round(cell[side], COORDINATE_PRECISION) for side in SIDES],
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


# --- Keeping the points and the cells current ----------------------------------------------------

# More changed cells than this in one batch: every cell is counted again rather than each of them.
MAX_CELLS_RECOUNTED = 200


def refresh_batch(ids, published, recount=True):
    """Puts the points of the initiatives ``ids`` right (a point for those of ``published`` that
    have a location, none for the others), and counts again the cells they left or entered (unless
    ``recount`` is False: the caller then calls :func:`rebuild_cells`)."""
    before = MapPoint.objects.filter(initiative_id__in=ids)
    moved = set(before.values_list("lng", "lat"))
    before.delete()
    located = Initiative.objects.filter(pk__in=published, location__isnull=False).values_list(
        "pk", "location"
    )
    points = [MapPoint(initiative_id=pk, lng=location.x, lat=location.y) for pk, location in located]
    MapPoint.objects.bulk_create(points)
    if not recount:
        return
    moved.update((point.lng, point.lat) for point in points)
    finest = CELL_LEVELS[-1]
    width = cell_width(finest)
    cells = {(math.floor(lng / width), math.floor(lat / (width * CELL_ASPECT))) for lng, lat in moved}
    if len(cells) > MAX_CELLS_RECOUNTED:
        rebuild_cells()
    elif cells:
        _recount(cells)


def rebuild_cells():
    """Every cell counted again from the points: the finest level by the database, the coarser ones
    from it (a cell is the sum of the four below it)."""
    MapCell.objects.all().delete()
    cells = grouped_cells(MapPoint.objects.order_by(), CELL_LEVELS[-1])
    rows = []
    for level in reversed(CELL_LEVELS):
        rows.extend(_rows(level, cells))
        cells = _parents(cells)
    MapCell.objects.bulk_create(rows, batch_size=2000)


def _recount(cells):
    """Counts again the given cells of the finest level, and the cells above them."""
    finest = CELL_LEVELS[-1]
    width = cell_width(finest)
    height = width * CELL_ASPECT
    counted = []
    for x, y in cells:
        # The cell's box first (the index on the points serves it), then exactly its points.
        in_box = MapPoint.objects.filter(
            lng__gte=x * width - 1e-9,
            lng__lte=(x + 1) * width,
            lat__gte=y * height - 1e-9,
            lat__lte=(y + 1) * height,
        )
        counted.extend(cell for cell in grouped_cells(in_box, finest) if (cell["x"], cell["y"]) == (x, y))
    _replace(finest, cells, counted)
    for level in reversed(CELL_LEVELS[:-1]):
        cells = {(x // 2, y // 2) for x, y in cells}
        children = MapCell.objects.filter(level=level + 1).filter(
            _any_cell({(2 * x + dx, 2 * y + dy) for x, y in cells for dx in (0, 1) for dy in (0, 1)})
        )
        counted = _parents(list(children.values("x", "y", "count", "sum_lng", "sum_lat", "first", *SIDES)))
        _replace(level, cells, counted)


def _any_cell(cells):
    condition = Q()
    for x, y in cells:
        condition |= Q(x=x, y=y)
    return condition


def _replace(level, cells, counted):
    MapCell.objects.filter(level=level).filter(_any_cell(cells)).delete()
    MapCell.objects.bulk_create(_rows(level, counted))


def _rows(level, cells):
    return [
        MapCell(
            level=level,
            x=cell["x"],
            y=cell["y"],
            count=cell["count"],
            sum_lng=cell["sum_lng"],
            sum_lat=cell["sum_lat"],
            first_id=cell["first"],
            **{side: cell[side] for side in SIDES},
        )
        for cell in cells
    ]


def _parents(cells):
    """The cells of the level above ``cells``: each the sum of the (up to four) cells below it."""
    parents = {}
    for cell in cells:
        key = (cell["x"] // 2, cell["y"] // 2)
        parent = parents.get(key)
        if parent is None:
            parents[key] = {**cell, "x": key[0], "y": key[1]}
            continue
        parent["count"] += cell["count"]
        parent["sum_lng"] += cell["sum_lng"]
        parent["sum_lat"] += cell["sum_lat"]
        parent["first"] = min(parent["first"], cell["first"])
        parent["west"], parent["south"] = (
            min(parent["west"], cell["west"]),
            min(parent["south"], cell["south"]),
        )
        parent["east"], parent["north"] = (
            max(parent["east"], cell["east"]),
            max(parent["north"], cell["north"]),
        )
    return list(parents.values())
