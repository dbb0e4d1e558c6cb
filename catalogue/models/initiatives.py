"""Initiatives and what describes them: legal set-up, partners, trajectory, levers and obstacles."""

import math

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.geos import Polygon
from django.contrib.gis.measure import D
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from territories.models import Territory

from ..validators import RNA_PATTERN, SIREN_PATTERN, validate_rna, validate_siren
from .constraints import plausible_year
from .parts import MANY_TO_MANY, ROWS


class Stage(models.TextChoices):
    IDEA = "idea", _("idea")
    EMERGENCE = "emergence", _("emergence")
    PREFIGURATION = "prefiguration", _("prefiguration")
    WORKS = "works", _("works")
    ACTIVE = "active", _("up and running")
    STOPPED = "stopped", _("stopped")


# The initiative's own fields that a card shows (its commune's are added by ``for_card``).
CARD_FIELDS = ("name", "slug", "summary", "stage", "started_year", "opened_year", "updated_at", "is_demo")


class InitiativeQuerySet(models.QuerySet):
    def published(self):
        """The entries the public may see: the one place that decides it."""
        return self.filter(status=Initiative.Status.PUBLISHED)

    def with_location(self):
        return self.filter(location__isnull=False)

    def in_territory(self, territory):
        """Entries located in a territory (their commune is it or lies in it) or serving it (a
        territory they serve is it or lies in it): what a filter on "Nord" or "CC du Ternois" means."""
        inside = {
            Territory.Kind.COMMUNE: "",
            Territory.Kind.EPCI: "__epci",
            Territory.Kind.DEPARTEMENT: "__departement",
            Territory.Kind.REGION: "__region",
        }[territory.kind]
        # Two index lookups joined by a UNION: an OR of the two would read every initiative.
        located = Initiative.objects.filter(**{f"commune{inside}": territory}).order_by().values("pk")
        served = Initiative.territories_served.through.objects.filter(
            Q(territory=territory) | Q(**{f"territory{inside}": territory})
        ).values("initiative_id")
        return self.filter(pk__in=located.union(served))

    def near(self, point, km):
        """Entries with a location within ``km`` of ``point``. A lon/lat box around the point, which
        the spatial index answers, comes first; the exact distance on the sphere is then computed
        for the few rows inside it."""
        lat_delta = km / 111.2
        lng_delta = km / (111.32 * max(math.cos(math.radians(point.y)), 0.01))
        box = Polygon.from_bbox(
            (
                max(point.x - lng_delta, -180),
                max(point.y - lat_delta, -90),
                min(point.x + lng_delta, 180),
                min(point.y + lat_delta, 90),
            )
        )
        return self.filter(location__contained=box, location__distance_lte=(point, D(km=km)))

    def for_card(self):
        """What an initiative's card reads (``templates/catalogue/partials/initiative_card.html``):
        its commune and kinds with it, and none of its wide text fields."""
        return (
            self.select_related("commune")
            .prefetch_related("kinds")
            .only(*(f"commune__{name}" for name in ("name", "kind", "code")), *CARD_FIELDS)
        )

    def for_fiche(self):
        """Everything a fiche shows, in a bounded number of queries whatever the number of rows:
        one per part of the initiative (see ``parts``)."""
        prefetches = []
        for part in MANY_TO_MANY:
            if part.fiche_fields:
                related = part.model_field.related_model.objects.only(*part.fiche_fields)
                prefetches.append(Prefetch(part.field, queryset=related))
            else:
                prefetches.append(part.field)
        for part in ROWS:
            queryset = part.model.objects.select_related(*part.related)
            prefetches.append(Prefetch(part.accessor, queryset=queryset))
        return self.select_related(
            "commune__departement", "commune__region", "commune__epci"
        ).prefetch_related(*prefetches)


class Initiative(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        REVIEW = "review", _("to be reviewed")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    class LocationPrecision(models.TextChoices):
        ADDRESS = "address", _("address")
        COMMUNE = "commune", _("centre of the commune")
        AREA = "area", _("approximate (the initiative covers a wider area)")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, blank=True)
    summary = models.CharField(_("short summary"), max_length=300, blank=True)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Markdown: **bold**, *italics*, lists and links.")
    )
    kinds = models.ManyToManyField(
        "catalogue.Kind", blank=True, related_name="initiatives", verbose_name=_("kinds")
    )
    themes = models.ManyToManyField(
        "catalogue.Theme", blank=True, related_name="initiatives", verbose_name=_("themes")
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    started_year = models.PositiveSmallIntegerField(
        _("year started"), null=True, blank=True, validators=plausible_year.validators
    )
    opened_year = models.PositiveSmallIntegerField(
        _("year opened"), null=True, blank=True, validators=plausible_year.validators
    )

    address = models.CharField(_("address"), max_length=300, blank=True)
    commune = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="initiatives",
        limit_choices_to={"kind": "commune"},
        verbose_name=_("commune"),
    )
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    location_precision = models.CharField(
        _("precision of the location"),
        max_length=20,
        choices=LocationPrecision.choices,
        blank=True,
    )
    territories_served = models.ManyToManyField(
        "territories.Territory",
        blank=True,
        related_name="served_by",
        verbose_name=_("territories served"),
    )

    surface_m2 = models.PositiveIntegerField(_("surface (m²)"), null=True, blank=True)
    investment_eur = models.PositiveBigIntegerField(_("investment (€)"), null=True, blank=True)
    annual_budget_eur = models.PositiveBigIntegerField(_("annual budget (€)"), null=True, blank=True)
    jobs_fte = models.DecimalField(
        _("jobs (full-time equivalent)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    volunteers = models.PositiveIntegerField(_("volunteers"), null=True, blank=True)

    website = models.URLField(_("website"), blank=True)
    public_email = models.EmailField(_("public e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    image = models.ImageField(_("image"), upload_to="initiatives/", blank=True)
    image_alt = models.CharField(
        _("image description"),
        max_length=250,
        blank=True,
        help_text=_("For people who cannot see the image."),
    )

    status = models.CharField(
        _("publication status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    networks = models.ManyToManyField(
        "accounts.Network", blank=True, related_name="initiatives", verbose_name=_("curating networks")
    )
    levers = models.ManyToManyField(
        "catalogue.Lever",
        through="InitiativeLever",
        blank=True,
        related_name="initiatives",
        verbose_name=_("levers"),
    )
    obstacles = models.ManyToManyField(
        "catalogue.Obstacle",
        through="InitiativeObstacle",
        blank=True,
        related_name="initiatives",
        verbose_name=_("obstacles"),
    )
    sources = models.TextField(_("sources"), blank=True, help_text=_("What this entry was written from."))
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("demonstration data"),
        default=False,
        editable=False,
        help_text=_("Made up by manage.py generate_demo to try the site out; never a real initiative."),
    )

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
        editable=False,
    )

    history = HistoricalRecords(
        m2m_fields=[part.field for part in MANY_TO_MANY],
    )
    objects = InitiativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""),
                name="initiative_has_name",
                violation_error_message=_("An initiative needs a name."),
            ),
            models.CheckConstraint(
                condition=~Q(slug=""),
                name="initiative_has_slug",
                violation_error_message=_("An initiative needs a slug."),
            ),
            models.CheckConstraint(
                condition=plausible_year.condition("started_year"),
                name="initiative_started_year_plausible",
                violation_error_message=plausible_year.message(
                    _("The year started must lie between {minimum} and {maximum}.")
                ),
            ),
            models.CheckConstraint(
                condition=plausible_year.condition("opened_year"),
                name="initiative_opened_year_plausible",
                violation_error_message=plausible_year.message(
                    _("The year opened must lie between {minimum} and {maximum}.")
                ),
            ),
            models.CheckConstraint(
                condition=Q(started_year__isnull=True)
                | Q(opened_year__isnull=True)
                | Q(opened_year__gte=F("started_year")),
                name="initiative_opens_after_start",
                violation_error_message=_(
                    "The year it opened cannot come before the year the project started."
                ),
            ),
            models.CheckConstraint(
                condition=Q(jobs_fte__isnull=True) | Q(jobs_fte__gte=0),
                name="initiative_jobs_not_negative",
                violation_error_message=_("The number of jobs cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""),
                name="initiative_image_has_alt",
                violation_error_message=_("Describe the image for people who cannot see it."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "name"], name="initiative_status_name_idx"),
            models.Index(fields=["status", "updated_at"], name="initiative_status_updated_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalogue:initiative-detail", kwargs={"slug": self.slug})

    def clean(self):
        # Filled here as well as in save() so that the form's constraint checks see the slug.
        if not self.slug and self.name:
            self.slug = self._unique_slug()
        if self.started_year and self.opened_year and self.opened_year < self.started_year:
            raise ValidationError(
                {"opened_year": _("The year it opened cannot come before the year the project started.")}
            )
        if self.location is not None and not (
            -180 <= self.location.x <= 180 and -90 <= self.location.y <= 90
        ):
            raise ValidationError(
                {"location": _("This point is outside the Earth's coordinates: place it again on the map.")}
            )
        if self.image and not self.image_alt.strip():
            raise ValidationError({"image_alt": _("Describe the image for people who cannot see it.")})

    def validate_constraints(self, exclude=None):
        # Without a name there is no slug yet; the missing name is the error to show, not the slug.
        if not self.slug:
            exclude = {*(exclude or ()), "slug"}
        super().validate_constraints(exclude=exclude)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        if self.location is not None and self.commune_id is None:
            self.commune = self.commune_from_location()
        super().save(*args, **kwargs)

    def commune_from_location(self):
        """The commune the point lies in, which gives the EPCI, département and région that filters
        use. None for a point that stands for an area (the middle of an intercommunality is not
        where the entry is) or far from any French commune."""
        if self.location_precision == self.LocationPrecision.AREA:
            return None
        return Territory.objects.commune_at(self.location)

    def _unique_slug(self):
        base = slugify(self.name)[:190] or "initiative"
        slug, n = base, 2
        while Initiative.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug


class LegalEntity(models.Model):
    """One entity of an initiative's legal set-up (the association, its SCI, its SCIC…)."""

    class Role(models.TextChoices):
        PROJECT_HOLDER = "holder", _("project holder")
        OWNER = "owner", _("owner or contracting authority")
        OPERATOR = "operator", _("operator or animation")
        OTHER = "other", _("other")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="legal_entities", verbose_name=_("initiative")
    )
    name = models.CharField(_("name"), max_length=200)
    legal_form = models.ForeignKey(
        "catalogue.LegalForm", on_delete=models.PROTECT, related_name="entities", verbose_name=_("legal form")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    siren = models.CharField(_("SIREN number"), max_length=9, blank=True, validators=[validate_siren])
    rna = models.CharField(_("RNA number"), max_length=10, blank=True, validators=[validate_rna])
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal set-up")
        ordering = ["initiative", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(siren="") | Q(siren__regex=SIREN_PATTERN),
                name="entity_siren_format",
                violation_error_message=_(
                    "A SIREN number has exactly 9 digits, without spaces (for example 200035442)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(rna="") | Q(rna__regex=RNA_PATTERN),
                name="entity_rna_format",
                violation_error_message=_(
                    "An RNA number is the letter W followed by 9 characters (for example W623001234)."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.legal_form})"


class Partnership(models.Model):
    """How an organisation took part in an initiative, and at which stage."""

    class Role(models.TextChoices):
        FUNDER = "funder", _("funder")
        LANDOWNER = "landowner", _("land or building owner")
        POLITICAL_SUPPORT = "political_support", _("political support")
        TECHNICAL_SUPPORT = "technical_support", _("technical support")
        CO_HOLDER = "co_holder", _("co-holder")
        INVESTOR = "investor", _("lead partner or investor")
        COMMISSIONER = "commissioner", _("commissioning body")
        SUPPORT_NETWORK = "support_network", _("support network")
        # For a partner the source names without saying what it does ("en partenariat avec…").
        PARTNER = "partner", _("partner")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="partnerships", verbose_name=_("initiative")
    )
    organization = models.ForeignKey(
        "catalogue.Organization",
        on_delete=models.PROTECT,
        related_name="partnerships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    stage = models.CharField(_("at stage"), max_length=20, choices=Stage.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["initiative", "role", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "organization", "role"], name="unique_partner_role_per_initiative"
            ),
        ]

    def __str__(self):
        return f"{self.organization} · {self.get_role_display()}"


class Milestone(models.Model):
    """A dated step of an initiative's trajectory, and what the local authority did then."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("initiative")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=plausible_year.validators)
    date = models.DateField(_("exact date"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    public_action = models.TextField(_("what the local authority did"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("trajectory")
        # (French: "jalon", so that it does not read like the "étape" (stage) field it holds.)
        ordering = ["initiative", "year", "date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=plausible_year.condition("year"),
                name="milestone_year_plausible",
                violation_error_message=plausible_year.message(
                    _("The year must lie between {minimum} and {maximum}.")
                ),
            ),
        ]

    def __str__(self):
        return f"{self.year} · {self.title}"

    def clean(self):
        if self.date and self.year and self.date.year != self.year:
            raise ValidationError({"date": _("The exact date must fall within the year given.")})


class InitiativeLookupNote(models.Model):
    """An entry of a workshop vocabulary (a lever, an obstacle) as it applied to one initiative,
    with what the source says of it. Subclasses add the foreign key named by ``lookup``."""

    lookup = ""  # the name of the subclass's foreign key to its vocabulary

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, verbose_name=_("initiative"))
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def __str__(self):
        return str(getattr(self, self.lookup))


class InitiativeLever(InitiativeLookupNote):
    """A public-action lever that an initiative used, with what the source says of it."""

    lookup = "lever"
    lever = models.ForeignKey("catalogue.Lever", on_delete=models.PROTECT, verbose_name=_("lever"))

    class Meta:
        verbose_name = _("lever used")
        verbose_name_plural = _("levers used")
        ordering = ["lever__position", "lever__label"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "lever"], name="unique_lever_per_initiative")
        ]


class InitiativeObstacle(InitiativeLookupNote):
    """An obstacle that an initiative met, with what the source says of it."""

    lookup = "obstacle"
    obstacle = models.ForeignKey("catalogue.Obstacle", on_delete=models.PROTECT, verbose_name=_("obstacle"))

    class Meta:
        verbose_name = _("obstacle met")
        verbose_name_plural = _("obstacles met")
        ordering = ["obstacle__position", "obstacle__label"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "obstacle"], name="unique_obstacle_per_initiative")
        ]
