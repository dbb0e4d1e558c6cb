"""What the public pages read instead of the wide initiatives table: narrow tables, derived from the
published initiatives and kept current by ``catalogue.indexing`` (never edited by hand).

- ``InitiativeSearch``: each published initiative's search text (and, on PostgreSQL, its tsvector);
- ``SearchWord``: the distinct words of those texts, with the number of initiatives using each, which
  typo correction picks the closest known words from;
- ``FacetValue``: one row per (initiative, facet, value), which the facet filters and counts read,
  and ``FacetTotal``, the counts of every published initiative per value;
- ``MapPoint``: each published initiative's location, which the map's clusters group;
- ``MapCell``: the published initiatives counted per cell of the coarse grids of the France-wide
  map, so that a wide view reads a few hundred cells instead of every point;
- ``CatalogueVersion``: a token drawn anew at every change of those tables, which names what may
  be kept in a cache (a fiche's comparable projects) so that nothing kept outlives a change.

An initiative that is not published has no row in any of them: only what the public may see is here.
"""

import uuid

from django.contrib.gis.db import models
from django.contrib.postgres.search import SearchVectorField
from django.utils.translation import gettext_lazy as _


class InitiativeSearch(models.Model):
    """The search text of a published initiative: its name, summary, description, kinds, themes,
    commune, legal entities, partners, funders and funding tools in ``search_key()`` form, beginning
    with a space (so that " word" finds its first word too)."""

    initiative = models.OneToOneField(
        "catalogue.Initiative",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search",
        verbose_name=_("initiative"),
    )
    text = models.TextField(_("search text"))
    # On PostgreSQL, the text as a tsvector of the french_unaccent configuration (GIN-indexed, see
    # migration 0006); empty on SQLite, which searches the text itself.
    vector = SearchVectorField(_("search vector"), null=True)

    class Meta:
        verbose_name = _("search text")
        verbose_name_plural = _("search texts")


class SearchWord(models.Model):
    """A word of the published initiatives' search texts (trigram-indexed on PostgreSQL)."""

    word = models.CharField(_("word"), max_length=100, primary_key=True)
    initiatives = models.PositiveIntegerField(_("initiatives using it"))

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")


# The facet values' rows that say where a published initiative is: one per territory it lies in or
# serves, with the territories around them (commune, EPCI, département, région), the territory's id
# as the value. No facet box shows them; the territory filter, the territory pages and the counts
# of initiatives per territory read them.
PLACE_FACET = "lieu"


class FacetValueQuerySet(models.QuerySet):
    def initiatives_in(self, territory):
        """The published initiatives located in ``territory`` or serving it (what
        ``Initiative.objects.in_territory`` says), as a subquery: one index range."""
        return self.filter(facet=PLACE_FACET, value=str(territory.pk)).values("initiative_id")


class FacetValue(models.Model):
    """A value of a facet that a published initiative has: (42, "forme", "scic"), and the territories
    it is in: (42, "lieu", "<id of the Pas-de-Calais>")."""

    initiative = models.ForeignKey(
        "catalogue.Initiative", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    facet = models.CharField(_("facet"), max_length=30)
    value = models.CharField(_("value"), max_length=100)

    objects = FacetValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("facet value")
        verbose_name_plural = _("facet values")
        constraints = [
            # The initiatives of a value, in order: the filters' lookup and the counts' scan.
            models.UniqueConstraint(fields=["facet", "value", "initiative"], name="facet_value_unique"),
        ]
        # An initiative's values, read from the index alone: the counts among a page's results.
        indexes = [models.Index(fields=["initiative", "facet", "value"], name="facet_value_initiative_idx")]


class FacetTotal(models.Model):
    """How many published initiatives have a value of a facet, all of them counted: the counts of a
    page that no filter narrows (the home page), read without counting a million facet values."""

    facet = models.CharField(_("facet"), max_length=30)
    value = models.CharField(_("value"), max_length=100)
    count = models.PositiveIntegerField(_("initiatives"))

    class Meta:
        verbose_name = _("facet total")
        verbose_name_plural = _("facet totals")
        constraints = [models.UniqueConstraint(fields=["facet", "value"], name="facet_total_unique")]


class MapPoint(models.Model):
    """The location of a published initiative that has one, as two plain numbers: what the clusters
    group, without decoding a geometry per row (an index on both serves the map's box)."""

    initiative = models.OneToOneField(
        "catalogue.Initiative", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    lng = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))

    class Meta:
        verbose_name = _("map point")
        verbose_name_plural = _("map points")
        indexes = [models.Index(fields=["lng", "lat"], name="map_point_lng_lat_idx")]


class MapCell(models.Model):
    """The published initiatives with a location inside one cell of a coarse grid: cell (x, y) of
    ``level`` covers longitudes [x·w, (x+1)·w) and latitudes [y·h, (y+1)·h), where w = 360 / 2^level
    and h is w times ``map_data.CELL_ASPECT``."""

    level = models.PositiveSmallIntegerField(_("level"))
    x = models.IntegerField()
    y = models.IntegerField()
    count = models.PositiveIntegerField(_("initiatives"))
    # Sums, not means, so that cells add up when a view gathers several of them.
    sum_lng = models.FloatField()
    sum_lat = models.FloatField()
    west = models.FloatField()
    south = models.FloatField()
    east = models.FloatField()
    north = models.FloatField()
    # The initiative shown when the cell holds only one.
    first = models.ForeignKey("catalogue.Initiative", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("map cell")
        verbose_name_plural = _("map cells")
        constraints = [models.UniqueConstraint(fields=["level", "x", "y"], name="map_cell_unique")]


class CatalogueVersion(models.Model):
    """The version of the public catalogue: one row, whose token ``catalogue.indexing`` draws anew
    in the same transaction as any change of the tables above. What is cached from them is cached
    under this token, in every worker alike, since it is read from the database. A drawn token
    rather than a counter: a database restored, or a test's transaction rolled back, never meets
    a cache entry written under the same token for other data."""

    token = models.CharField(_("version"), max_length=32, default="")

    class Meta:
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    @classmethod
    def current(cls):
        return cls.objects.filter(pk=1).values_list("token", flat=True).first() or ""

    @classmethod
    def bump(cls):
        token = uuid.uuid4().hex
        if not cls.objects.filter(pk=1).update(token=token):
            cls.objects.update_or_create(pk=1, defaults={"token": token})
