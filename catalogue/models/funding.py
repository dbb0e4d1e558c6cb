"""Funding as structured data: the tools (FIDESS, DLA, PIA…) and each initiative's funding lines."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .constraints import plausible_year


class FundingTool(models.Model):
    """A public or solidarity funding or support tool, with who operates and co-funds it."""

    class Nature(models.TextChoices):
        GRANT = "grant", _("grant")
        LOAN = "loan", _("loan, guarantee or quasi-equity")
        EQUITY = "equity", _("equity investment")
        SUPPORT = "support", _("support and advice")
        CALL = "call", _("call for projects or for expressions of interest")
        LAND = "land", _("land or building made available")
        CROWDFUNDING = "crowdfunding", _("crowdfunding")
        PROGRAMME = "programme", _("national programme")

    slug = models.SlugField(_("code"), max_length=80, unique=True)
    label = models.CharField(_("name"), max_length=200, unique=True)
    nature = models.CharField(_("nature"), max_length=20, choices=Nature.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    operator = models.ForeignKey(
        "catalogue.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="operated_tools",
        verbose_name=_("operator"),
    )
    co_funders = models.ManyToManyField(
        "catalogue.Organization", blank=True, related_name="co_funded_tools", verbose_name=_("co-funders")
    )

    history = HistoricalRecords(m2m_fields=[co_funders])

    class Meta:
        verbose_name = _("funding tool")
        verbose_name_plural = _("funding tools")
        ordering = ["label"]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("catalogue:funding-tool", kwargs={"slug": self.slug})


class Funding(models.Model):
    """One funding line of an initiative: which tool, from whom, how much, when."""

    initiative = models.ForeignKey(
        "catalogue.Initiative",
        on_delete=models.CASCADE,
        related_name="fundings",
        verbose_name=_("initiative"),
    )
    tool = models.ForeignKey(
        FundingTool,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fundings",
        verbose_name=_("tool"),
    )
    funder = models.ForeignKey(
        "catalogue.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fundings",
        verbose_name=_("funder"),
    )
    amount = models.PositiveBigIntegerField(_("amount (€)"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=plausible_year.validators
    )
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funding line")
        verbose_name_plural = _("funding lines")
        ordering = ["initiative", "year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=plausible_year.condition("year"),
                name="funding_year_plausible",
                violation_error_message=plausible_year.message(
                    _("The year must lie between {minimum} and {maximum}.")
                ),
            ),
            models.CheckConstraint(
                condition=Q(tool__isnull=False) | Q(funder__isnull=False) | ~Q(note=""),
                name="funding_says_something",
                violation_error_message=_("A funding line needs at least a tool, a funder or a note."),
            ),
        ]

    def __str__(self):
        parts = [str(self.tool or self.funder or _("funding"))]
        if self.year:
            parts.append(str(self.year))
        return " · ".join(parts)
