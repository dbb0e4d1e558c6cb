"""Organisations that take part in initiatives: local authorities, funders, partners, networks."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..validators import SIREN_PATTERN, validate_siren


class Organization(models.Model):
    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", _("local authority")
        STATE = "state", _("State or public agency")
        PUBLIC_COMPANY = "public_company", _("public or mixed company (SEM, SPL)")
        CONSULAR = "consular", _("chamber (CCI, CMA, chamber of agriculture)")
        SUPPORT_NETWORK = "support_network", _("support network")
        FUNDER = "funder", _("funder or financial institution")
        SOCIAL_ECONOMY = "social_economy", _("social and solidarity economy actor")
        ASSOCIATION = "association", _("association")
        COMPANY = "company", _("company")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    territory = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        verbose_name=_("territory"),
        help_text=_("For a local authority, the territory it governs."),
    )
    website = models.URLField(_("website"), blank=True)
    siren = models.CharField(_("SIREN number"), max_length=9, blank=True, validators=[validate_siren])
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(siren="") | Q(siren__regex=SIREN_PATTERN),
                name="organization_siren_format",
                violation_error_message=_(
                    "A SIREN number has exactly 9 digits, without spaces (for example 200035442)."
                ),
            ),
        ]

    def __str__(self):
        return self.name
