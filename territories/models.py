"""French territories: régions, départements, EPCI and communes, with their sizes and rurality.

The whole of France is loaded offline by ``manage.py load_territories``. ``Territory.objects.search()``
is the place search that the suggestions endpoint, the admin autocomplete and the imports share, and
``Territory.objects.commune_at()`` finds the commune of a point.
"""

import re

from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Polygon
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .labels import departement_of, territory_label
from .text import MAX_PLACE_LENGTH, MIN_PLACE_LENGTH, search_key


class DensityClass(models.TextChoices):
    """Rurality of a commune or an intercommunality, from its population density (inhabitants per km²).

    The four classes follow INSEE's communal density grid (grille communale de densité), computed here
    from the territory's own density because the grid's 1 km² tiles are not in our data:

    - dense: 1,500 hab/km² and more (Lille, Villeurbanne…);
    - intermediate: from 300 to 1,500 (small towns, inner suburbs);
    - sparsely populated rural: from 25 to 300 (most villages and bourgs);
    - very sparsely populated rural: under 25 (mountain and forest communes).

    A département or a région mixes all four, so they get no class: compare their communes instead.
    """

    DENSE = "dense", _("densely populated")
    INTERMEDIATE = "intermediate", _("intermediate density")
    SPARSE = "sparse", _("sparsely populated rural")
    VERY_SPARSE = "very_sparse", _("very sparsely populated rural")

    @classmethod
    def for_density(cls, density):
        """The class of a density in hab/km², or an empty string when it is unknown."""
        if density is None:
            return ""
        if density >= 1500:
            return cls.DENSE
        if density >= 300:
            return cls.INTERMEDIATE
        if density >= 25:
            return cls.SPARSE
        return cls.VERY_SPARSE


class DensityGrid(models.TextChoices):
    """INSEE's communal density grid (grille communale de densité à 7 niveaux), as INSEE numbers its
    levels: computed by INSEE from 1 km² tiles, loaded by ``manage.py load_classifications``.
    The French labels are INSEE's own words, which officials use to describe their commune."""

    MAJOR_URBAN_CENTRES = "1", _("Major urban centres")
    INTERMEDIATE_URBAN_CENTRES = "2", _("Intermediate urban centres")
    URBAN_BELTS = "3", _("Urban belts")
    SMALL_TOWNS = "4", _("Small towns")
    RURAL_TOWNS = "5", _("Rural towns")
    DISPERSED_RURAL = "6", _("Rural with dispersed housing")
    VERY_DISPERSED_RURAL = "7", _("Rural with very dispersed housing")


class Centrality(models.TextChoices):
    """The ANCT/INRAE levels of centrality of equipment and services (centralités), the words given
    in the official file."""

    MAJOR = "Centre majeur d'équipements et de services", _("Major centre of equipment and services")
    STRUCTURING = (
        "Centre structurant d'équipements et de services",
        _("Structuring centre of equipment and services"),
    )
    INTERMEDIATE = (
        "Centre intermédiaire d'équipements et de services",
        _("Intermediate centre of equipment and services"),
    )
    LOCAL = "Centre local d'équipements et de services", _("Local centre of equipment and services")
    NONE = "Communes non centre", _("Not a centre")


class Programme(models.TextChoices):
    """The national programmes of the ANCT that a commune may belong to."""

    PVD = "pvd", _("Small towns of tomorrow")
    ACV = "acv", _("Town centre action")
    VA = "va", _("Villages of the future")


# A postcode or the start of one, an INSEE code ("2A004"), a département number ("59", "2A", "973"), a
# SIREN number.
CODE = re.compile(r"^(?:\d[\dAB]\d{0,3}|\d{9})$")


class TerritoryQuerySet(models.QuerySet):
    def communes(self):
        return self.filter(kind=Territory.Kind.COMMUNE)

    def departements(self):
        return self.filter(kind=Territory.Kind.DEPARTEMENT)

    def search(self, text):
        """Territories matching what a person typed, best first, as a queryset (for the admin).

        A name ("Lille", "pont a marcq", "PEVELE carembault", "Hauts de France"), a postcode ("59000":
        every commune it serves), an INSEE or SIREN code, or a département's number ("59", "2A").
        Exact names come before names that start with the text, then names with a word that starts
        with it, then names that merely contain it; among equals the larger population comes first.
        Every word typed must appear, in any order.
        """
        matches, ranks = self._ranked_matches(text)
        if matches is None:
            return self.none()
        rank = Case(
            *(When(condition, then=Value(position)) for position, condition in enumerate(ranks)),
            default=Value(len(ranks)),
            output_field=IntegerField(),
        )
        return matches.annotate(match_rank=rank).order_by("match_rank", *self.TIE_BREAK)

    def best_matches(self, text, limit):
        """The first ``limit`` results of ``search()``, in the same order, read rank by rank.

        The best ranks (the exact name, names starting with the text) are each a query that a
        b-tree index answers, and the reading stops once ``limit`` are found; only then are the
        weaker ranks read, together, in one query. A common word such as "saint" is then answered
        without ranking the 4,000 territories that contain it: what a search box, asking at every
        keystroke, needs.
        """
        matches, ranks = self._ranked_matches(text)
        if matches is None:
            return []
        found = []
        for condition in ranks[:-1]:
            better = [territory.pk for territory in found]
            # Each rank's condition implies every word typed: alone, it lets the planner use its
            # b-tree index rather than the trigram index of the "contains" filters.
            rows = self.filter(condition).exclude(pk__in=better).order_by(*self.TIE_BREAK)
            found.extend(rows[: limit - len(found)])
            if len(found) >= limit:
                return found
        rest = matches.exclude(pk__in=[territory.pk for territory in found]).annotate(
            match_rank=Case(When(ranks[-1], then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        found.extend(rest.order_by("match_rank", *self.TIE_BREAK)[: limit - len(found)])
        return found

    TIE_BREAK = (F("population").desc(nulls_last=True), "name", "pk")

    def _ranked_matches(self, text):
        """What matches, and the conditions of the ranks from best to worst (the rest come last)."""
        key = search_key(text)[:MAX_PLACE_LENGTH]
        if len(key) < MIN_PLACE_LENGTH:
            return None, []
        code = key.replace(" ", "").upper()
        if CODE.match(code):
            # Codes and postcodes are looked up in their own indexed table (TerritoryCode). An
            # official code and a postcode that are the same number rank together, the larger
            # population first: "62550" is Marconnelle's INSEE code but, for most people, the
            # postcode of Pernes and its neighbours.
            # The ids are read first: as subqueries, PostgreSQL would scan every territory to join
            # the few hundred codes that start with "2A".
            codes = TerritoryCode.objects.filter(code__startswith=code)
            starting = set(codes.values_list("territory_id", flat=True))
            exact = set(codes.filter(code=code).values_list("territory_id", flat=True))
            return self.filter(pk__in=starting), [Q(pk__in=exact)]
        matches = self
        for word in key.split():
            matches = matches.filter(search_name__contains=word)
        return matches, [
            Q(search_name=key),
            Q(search_name__startswith=key),
            Q(search_name__contains=f" {key}"),
        ]

    def commune_at(self, point):
        """The commune a point (WGS 84) lies in: the one whose contour contains it where contours are
        loaded, otherwise the one whose centre is nearest. ``None`` far from any French commune."""
        communes = self.communes()
        containing = communes.filter(contour__isnull=False, contour__contains=point).first()
        if containing is not None:
            return containing
        # The nearest centre, looked for in a growing box so that the spatial index does the work.
        # Communes of Guyane are vast: their centres can lie 100 km from their edges.
        for half_side in (0.1, 0.5, 1.5):
            box = Polygon.from_bbox(
                (point.x - half_side, point.y - half_side, point.x + half_side, point.y + half_side)
            )
            box.srid = 4326
            nearest = (
                communes.filter(centre__intersects=box)
                .annotate(distance=Distance("centre", point))
                .order_by("distance")
                .first()
            )
            if nearest is not None:
                return nearest
        return None


class TerritoryManager(models.Manager.from_queryset(TerritoryQuerySet)):
    def get_by_natural_key(self, kind, code):
        return self.get(kind=kind, code=code)


class Territory(models.Model):
    class Kind(models.TextChoices):
        REGION = "region", _("région")
        DEPARTEMENT = "departement", _("département")
        EPCI = "epci", _("intercommunality (EPCI)")
        COMMUNE = "commune", _("commune")

    class EpciType(models.TextChoices):
        CC = "CC", _("communauté de communes")
        CA = "CA", _("communauté d'agglomération")
        CU = "CU", _("communauté urbaine")
        METRO = "METRO", _("métropole")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    code = models.CharField(
        _("official code"), max_length=10, help_text=_("INSEE code; SIREN number for an intercommunality.")
    )
    name = models.CharField(_("name"), max_length=200)
    epci_type = models.CharField(
        _("type of intercommunality"), max_length=5, choices=EpciType.choices, blank=True
    )
    region = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("région")
    )
    departement = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("département"),
    )
    epci = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="member_communes",
        verbose_name=_("intercommunality"),
    )
    postcodes = models.JSONField(_("postcodes"), default=list, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    density = models.FloatField(_("density (inhabitants/km²)"), null=True, blank=True, editable=False)
    density_class = models.CharField(
        _("density class"), max_length=20, choices=DensityClass.choices, blank=True, editable=False
    )
    # The official classifications of a commune (INSEE, ANCT), empty until
    # ``manage.py load_classifications`` loads them; the computed density class serves meanwhile.
    density_grid = models.CharField(
        _("density grid (INSEE)"), max_length=1, choices=DensityGrid.choices, blank=True
    )
    centrality = models.CharField(_("centrality"), max_length=60, choices=Centrality.choices, blank=True)
    rural_typology = models.CharField(_("typology of rural areas"), max_length=100, blank=True)
    massif = models.CharField(_("mountain massif"), max_length=100, blank=True)
    programmes = models.JSONField(
        _("national programmes"), default=list, blank=True, help_text=_("Codes of Programme.")
    )
    centre = models.PointField(_("centre"), srid=4326, null=True, blank=True)
    contour = models.MultiPolygonField(_("contour"), srid=4326, null=True, blank=True)
    # The name as the place search compares it (see search_key); codes are in TerritoryCode.
    # Indexed for equality and, on PostgreSQL, for "starts with" (Django adds a pattern index).
    search_name = models.CharField(max_length=200, editable=False, default="", db_index=True)

    objects = TerritoryManager()

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="unique_territory_code_per_kind"),
            models.CheckConstraint(
                condition=Q(area_km2__isnull=True) | Q(area_km2__gt=0),
                name="territory_area_positive",
                violation_error_message=_("The area must be greater than zero."),
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="territory_name_idx"),
        ]

    def __str__(self):
        return territory_label(self.kind, self.name, self.code)

    def get_absolute_url(self):
        # The territory pages list initiatives, so the catalogue serves them; a URL name is no import.
        return reverse("catalogue:territory-detail", kwargs={"kind": self.kind, "code": self.code})

    def get_programmes_display(self):
        """The labels of the national programmes the territory belongs to, in the order of Programme."""
        return [label for value, label in Programme.choices if value in (self.programmes or [])]

    @property
    def departement_code(self):
        """The département number of a commune, read from its INSEE code (no query)."""
        return departement_of(self.code) if self.kind == self.Kind.COMMUNE else ""

    def natural_key(self):
        # Fixtures refer to territories by kind and official code, which survive a reload of the
        # whole table; database ids do not.
        return (self.kind, self.code)

    def save(self, *args, **kwargs):
        self.fill_derived_fields()
        super().save(*args, **kwargs)
        stored = set(self.search_codes.values_list("code", flat=True))
        wanted = set(self.codes_to_search())
        self.search_codes.filter(code__in=stored - wanted).delete()
        TerritoryCode.objects.bulk_create(
            TerritoryCode(territory=self, code=code) for code in wanted - stored
        )

    def codes_to_search(self):
        """The codes a person may type to find this territory: its official code and postcodes.
        A région's code (32) would be mistaken for a département's number (the Gers): left out."""
        if self.kind == self.Kind.REGION:
            return []
        return list(dict.fromkeys([self.code, *(self.postcodes or [])]))

    def fill_derived_fields(self):
        """Density, density class and search keys, from the other fields. The loader calls it too,
        since bulk writes do not go through save()."""
        if self.population is not None and self.area_km2:
            self.density = round(self.population / self.area_km2, 1)
        else:
            self.density = None
        has_class = self.kind in (self.Kind.COMMUNE, self.Kind.EPCI)
        self.density_class = DensityClass.for_density(self.density) if has_class else ""
        self.search_name = search_key(self.name)[:200]


class TerritoryCode(models.Model):
    """A code that designates a territory: its official code or one of its postcodes.

    A table of its own so that "59710" or "590" is found through an index, on both databases,
    whichever of a commune's postcodes it is.
    """

    territory = models.ForeignKey(
        Territory, on_delete=models.CASCADE, related_name="search_codes", verbose_name=_("territory")
    )
    code = models.CharField(_("code"), max_length=10, db_index=True)

    class Meta:
        verbose_name = _("territory code")
        verbose_name_plural = _("territory codes")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "code"], name="unique_code_per_territory")
        ]

    def __str__(self):
        return self.code
