"""French territories: régions, départements, EPCI and communes, with their sizes and rurality."""

from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DensityClass(models.TextChoices):
    """Rurality from the population density of the territory (inhabitants per km²).

    The thresholds follow the spirit of INSEE's communal density grid, computed here from the
    commune's own density because the grid's 1 km² tiles are not in our data:
    dense from 1,500 hab/km², intermediate from 300, sparse from 25, very sparse below.
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


class TerritoryQuerySet(models.QuerySet):
    def communes(self):
        return self.filter(kind=Territory.Kind.COMMUNE)

    def departements(self):
        return self.filter(kind=Territory.Kind.DEPARTEMENT)


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
    centre = models.PointField(_("centre"), srid=4326, null=True, blank=True)
    contour = models.MultiPolygonField(_("contour"), srid=4326, null=True, blank=True)

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
        indexes = [models.Index(fields=["name"], name="territory_name_idx")]

    def __str__(self):
        if self.kind == self.Kind.DEPARTEMENT:
            return f"{self.name} ({self.code})"
        return self.name

    def natural_key(self):
        # Fixtures refer to territories by kind and official code, which survive a reload of the
        # whole table; database ids do not.
        return (self.kind, self.code)

    def save(self, *args, **kwargs):
        if self.population is not None and self.area_km2:
            self.density = round(self.population / self.area_km2, 1)
        else:
            self.density = None
        self.density_class = DensityClass.for_density(self.density)
        super().save(*args, **kwargs)
