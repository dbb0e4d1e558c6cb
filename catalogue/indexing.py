"""Keeps the tables that the public pages read (``catalogue.models.indexes``) in step with the
initiatives: their search texts and vocabulary, their facet values, their points and the map's cells.

:func:`refresh` is the one entry point: ``catalogue.signals`` calls it whenever a fact that one of
those tables holds changes, ``generate_demo`` and the migrations call it for many initiatives at once.
It reads only the published initiatives: the others leave every table. Within :func:`deferred`
(a fixture load, an admin form with its inlines), the initiatives are refreshed once, at the end,
rather than once per row saved.
"""

import threading
from collections import Counter
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Count, Q

from . import map_data, search
from .facets import catalogue_facets
from .models import CatalogueVersion, FacetTotal, FacetValue, Initiative
from .models.indexes import PLACE_FACET

BATCH_SIZE = 2000

_deferred = threading.local()


@contextmanager
def deferred():
    """Within it, :func:`refresh` only notes the initiatives; they are refreshed once when it ends
    (not when it ends with an error: nothing was saved then)."""
    if getattr(_deferred, "ids", None) is not None:  # already deferred by an outer block
        yield
        return
    _deferred.ids = set()
    try:
        yield
    except BaseException:
        _deferred.ids = None
        raise
    ids, _deferred.ids = _deferred.ids, None
    refresh(sorted(ids))


def refresh(initiative_ids=None):
    """Rebuilds what the public tables hold of the given initiatives, or of all of them. A few
    queries per thousand initiatives, whatever the number of their related rows."""
    ids = list(initiative_ids) if initiative_ids is not None else None
    if ids is not None and not ids:
        return
    pending = getattr(_deferred, "ids", None)
    if pending is not None and ids is not None:
        pending.update(ids)
        return
    if ids is None:
        ids = list(Initiative.objects.order_by("pk").values_list("pk", flat=True))
    many = len(ids) > BATCH_SIZE
    with transaction.atomic():
        for start in range(0, len(ids), BATCH_SIZE):
            batch = ids[start : start + BATCH_SIZE]
            published = list(
                Initiative.objects.published()
                .filter(pk__in=batch)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            _refresh_batch(batch, published, recount=not many)
        if many:
            map_data.rebuild_cells()


def withdraw(initiative_ids):
    """Takes the initiatives out of every public table (before they are deleted)."""
    with transaction.atomic():
        _refresh_batch(list(initiative_ids), [], recount=True)


def rebuild_totals():
    """The vocabulary's counts, the facet totals and the map's cells counted again from scratch:
    after rows were deleted without signals (``generate_demo --delete``)."""
    with transaction.atomic():
        CatalogueVersion.bump()
        search.rebuild_vocabulary()
        rebuild_facet_totals()
        map_data.rebuild_cells()


def _refresh_batch(ids, published, recount):
    CatalogueVersion.bump()
    search.refresh_batch(ids, published)
    refresh_facet_values(ids, published)
    map_data.refresh_batch(ids, published, recount=recount)


def refresh_facet_values(ids, published):
    """The facet values of the initiatives ``ids`` (their values for those of ``published``, none
    for the others), and the totals of the values they dropped or gained."""
    before = FacetValue.objects.filter(initiative_id__in=ids)
    change = Counter()
    change.subtract(before.values_list("facet", "value").order_by())
    before.delete()
    rows = [
        FacetValue(initiative_id=pk, facet=facet.param, value=value)
        for facet in catalogue_facets()
        for pk, value in sorted(facet.values_of(published) if published else ())
    ]
    rows.extend(
        FacetValue(initiative_id=pk, facet=PLACE_FACET, value=str(territory))
        for pk, territory in sorted(places_of(published) if published else ())
    )
    FacetValue.objects.bulk_create(rows, batch_size=5000)
    change.update((row.facet, row.value) for row in rows)
    _add_to_totals({key: n for key, n in change.items() if n})


def places_of(ids):
    """(initiative id, territory id) of every territory the initiatives ``ids`` lie in or serve,
    with those around them: the commune of each, its EPCI, département and région, and each
    territory served with its own EPCI, département and région (what ``in_territory`` reads)."""
    pairs = set()
    located = Initiative.objects.filter(pk__in=ids, commune__isnull=False).values_list(
        "pk", "commune_id", "commune__epci_id", "commune__departement_id", "commune__region_id"
    )
    served = Initiative.territories_served.through.objects.filter(initiative_id__in=ids).values_list(
        "initiative_id",
        "territory_id",
        "territory__epci_id",
        "territory__departement_id",
        "territory__region_id",
    )
    for pk, *territories in [*located.order_by(), *served.order_by()]:
        pairs.update((pk, territory) for territory in territories if territory is not None)
    return pairs


def _add_to_totals(change):
    """Adds ``change`` ({(facet, value): +n or -n}) to the facet totals."""
    if not change:
        return
    # One condition per facet: a batch of initiatives changes the totals of thousands of places.
    values = {}
    for facet, value in change:
        values.setdefault(facet, []).append(value)
    condition = Q()
    for facet, some in values.items():
        condition |= Q(facet=facet, value__in=some)
    rows = FacetTotal.objects.filter(condition)
    if connection.vendor == "postgresql":
        rows = rows.select_for_update()
    totals = {(facet, value): n for facet, value, n in rows.values_list("facet", "value", "count")}
    for key, n in change.items():
        totals[key] = totals.get(key, 0) + n
    FacetTotal.objects.filter(condition).delete()
    FacetTotal.objects.bulk_create(
        FacetTotal(facet=facet, value=value, count=n) for (facet, value), n in totals.items() if n > 0
    )


def rebuild_facet_totals():
    FacetTotal.objects.all().delete()
    counted = FacetValue.objects.order_by().values_list("facet", "value").annotate(n=Count("initiative_id"))
    FacetTotal.objects.bulk_create(
        FacetTotal(facet=facet, value=value, count=n) for facet, value, n in counted
    )
