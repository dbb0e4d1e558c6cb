"""The narrow tables the public pages read (facet values and totals, map points and cells) agree with
a straightforward count on the initiatives themselves, after any filters and any change."""

import math
import shutil
from collections import Counter

import pytest
from django.contrib.gis.geos import Point, Polygon
from django.core.management import call_command
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue import map_data
from catalogue.facets import FACETS, BandsFacet, facet_counts
from catalogue.filters import InitiativeFilterSet
from catalogue.limits import FRANCE_BBOX
from catalogue.models import FacetTotal, FacetValue, Initiative, MapCell
from catalogue.models.indexes import PLACE_FACET
from catalogue.search import matching, parse
from territories.loader import DEFAULT_DIRECTORY
from territories.models import DensityClass, Territory
from territories.signals import territories_changed
from tests.factories import InitiativeFactory, commune
from tests.territories.test_territories import edit_row, load

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(seed):
    call_command("generate_demo", "--count", "60", "--seed", "7", verbosity=0)


def _values(facet):
    field = InitiativeFilterSet.base_filters[facet.param].field
    return [value for value, _label in facet.options(field)]


def _having(facet, values):
    """The initiatives that have one of ``values`` of ``facet``, counted the plain way."""
    if isinstance(facet, BandsFacet):
        condition = None
        for band in facet.bands:
            if band.key in values:
                condition = (
                    band.condition(facet.path)
                    if condition is None
                    else condition | band.condition(facet.path)
                )
        return Initiative.objects.filter(condition)
    slug = "__slug" if facet._fields()[-1].related_model is not None else ""
    return Initiative.objects.filter(**{f"{facet.path}{slug}__in": values})


def _recount(ticked, searched=""):
    """{param: {value: count}} counted on the initiatives and their relations, without the facet tables."""
    counts = {}
    for facet in FACETS:
        results = Initiative.objects.published()
        if searched:
            results = Initiative.objects.filter(pk__in=matching(results, parse(searched)).values("pk"))
        for other, values in ticked.items():
            if other != facet.param:
                other_facet = next(f for f in FACETS if f.param == other)
                results = results.filter(pk__in=_having(other_facet, values).values("pk"))
        counts[facet.param] = {}
        for value in _values(facet):
            n = results.filter(pk__in=_having(facet, [value]).values("pk")).count()
            if n:
                counts[facet.param][value] = n
    return counts


@st.composite
def ticked_facets(draw):
    chosen = draw(st.lists(st.sampled_from([facet.param for facet in FACETS]), max_size=3, unique=True))
    return {
        param: draw(
            st.lists(
                st.sampled_from(_values(next(f for f in FACETS if f.param == param))),
                min_size=1,
                max_size=2,
                unique=True,
            )
        )
        for param in chosen
    }


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ticked=ticked_facets(), searched=st.sampled_from(["", "tiers lieu", "recylerie", "cafe", "   ", "%%"]))
def test_facet_counts_are_a_straightforward_recount(catalogue, ticked, searched):
    query = QueryDict(mutable=True)
    for param, values in ticked.items():
        query.setlist(param, values)
    if searched:
        query["q"] = searched
    filterset = InitiativeFilterSet(data=query, queryset=Initiative.objects.published())

    assert facet_counts(filterset) == _recount(ticked, searched if searched.strip() else "")


def test_facet_totals_follow_publishing_and_archiving(catalogue):
    def totals():
        rows = FacetTotal.objects.exclude(facet=PLACE_FACET)
        return {(row.facet, row.value): row.count for row in rows}

    def assert_places_counted():
        """Each territory's total is what ``in_territory`` counts, and every commune of a published
        initiative has one."""
        places = dict(FacetTotal.objects.filter(facet=PLACE_FACET).values_list("value", "count"))
        for territory in Territory.objects.filter(pk__in=[int(pk) for pk in places]):
            assert places[str(territory.pk)] == Initiative.objects.published().in_territory(territory).count()
        communes = Initiative.objects.published().exclude(commune=None).values_list("commune_id", flat=True)
        assert {str(pk) for pk in communes} <= set(places)

    assert totals() == {(p, v): n for p, counts in _recount({}).items() for v, n in counts.items()}
    assert_places_counted()
    draft = Initiative.objects.exclude(status=Initiative.Status.PUBLISHED).first()
    draft.status = Initiative.Status.PUBLISHED
    draft.save()
    published = Initiative.objects.published().exclude(pk=draft.pk).first()
    published.status = Initiative.Status.ARCHIVED
    published.save()

    assert totals() == {(p, v): n for p, counts in _recount({}).items() for v, n in counts.items()}
    assert_places_counted()


# --- The map's cells ------------------------------------------------------------------------------


def _direct_cells(bbox):
    """{cell: count} of the published initiatives in ``bbox``, from their own locations."""
    west, south, east, north = bbox.extent
    level = map_data.level_for(east - west)
    width = map_data.cell_width(level)
    counts = Counter()
    for location in (
        Initiative.objects.published().filter(location__isnull=False).values_list("location", flat=True)
    ):
        if west <= location.x <= east and south <= location.y <= north:
            counts[
                (math.floor(location.x / width), math.floor(location.y / (width * map_data.CELL_ASPECT)))
            ] += 1
    return counts, width


def _drawn_cells(bbox, narrowed):
    west, south, east, north = bbox.extent
    counts, width = Counter(), map_data.cell_width(map_data.level_for(east - west))
    collection = map_data.feature_collection(Initiative.objects.published(), bbox, narrowed=narrowed)
    for feature in collection["features"]:
        lng, lat = feature["geometry"]["coordinates"]
        cell = (math.floor(lng / width), math.floor(lat / (width * map_data.CELL_ASPECT)))
        counts[cell] += feature["properties"].get("count", 1)
    return counts


VIEWS = [
    Polygon.from_bbox(FRANCE_BBOX),
    Polygon.from_bbox((-180, -85, 180, 85)),
    Polygon.from_bbox((1.2, 45.1, 5.9, 49.3)),  # cut through the cells: the edges counted from points
]


def _assert_cells_agree():
    for bbox in VIEWS:
        direct, _width = _direct_cells(bbox)
        assert _drawn_cells(bbox, narrowed=False) == direct
        assert _drawn_cells(bbox, narrowed=True) == direct


def test_precounted_cells_agree_with_a_direct_count_after_publish_move_and_archive(catalogue):
    assert MapCell.objects.exists()
    _assert_cells_agree()

    draft = (
        Initiative.objects.exclude(status=Initiative.Status.PUBLISHED).filter(location__isnull=False).first()
    )
    draft.status = Initiative.Status.PUBLISHED
    draft.save()
    _assert_cells_agree()

    moved = Initiative.objects.published().filter(location__isnull=False).first()
    moved.location = Point(-1.55, 47.22, srid=4326)  # to Nantes
    moved.save()
    _assert_cells_agree()

    archived = Initiative.objects.published().filter(location__isnull=False).last()
    archived.status = Initiative.Status.ARCHIVED
    archived.save()
    _assert_cells_agree()

    call_command("generate_demo", "--delete", verbosity=0)
    _assert_cells_agree()


# --- A new year of the territories' files --------------------------------------------------------


def test_a_new_population_of_its_commune_moves_an_initiative_to_another_band(territories, tmp_path):
    source = tmp_path / "territories"
    shutil.copytree(DEFAULT_DIRECTORY, source)
    initiative = InitiativeFactory(name="Tiers-lieu de Pernes", commune=commune("62652"))

    def values():
        rows = FacetValue.objects.filter(initiative=initiative, facet__in=["population", "densite"])
        return dict(rows.values_list("facet", "value"))

    assert values() == {"population": "moins-2000", "densite": commune("62652").density_class}
    edit_row(source, "communes.csv.gz", "62652", {"population": "15740"})
    load(source=str(source))

    assert values() == {"population": "10000-50000", "densite": DensityClass.DENSE}


def test_the_places_of_an_initiative_serving_a_territory_follow_that_territorys_parents(territories):
    epci = Territory.objects.get(kind=Territory.Kind.EPCI, code="200069672")  # CC du Ternois
    serving = InitiativeFactory(name="Au service du Ternois", commune=None, location=None)
    serving.territories_served.set([epci])
    nord = Territory.objects.get(kind=Territory.Kind.DEPARTEMENT, code="59")
    assert serving.pk not in FacetValue.objects.initiatives_in(nord).values_list("initiative_id", flat=True)

    Territory.objects.filter(pk=epci.pk).update(departement=nord)
    territories_changed.send(sender=Territory, pks=[epci.pk])

    assert serving.pk in FacetValue.objects.initiatives_in(nord).values_list("initiative_id", flat=True)
    assert serving in Initiative.objects.published().in_territory(nord)
