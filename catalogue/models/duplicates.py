"""Pairs of entries that a curator said are not the same initiative: never proposed again."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class NotDuplicateQuerySet(models.QuerySet):
    def pair(self, first_id, second_id):
        low, high = sorted((first_id, second_id))
        return self.filter(first_id=low, second_id=high)


class NotDuplicate(models.Model):
    """Two entries that look alike and are not the same: stored once per pair, the smaller id first."""

    first = models.ForeignKey(
        "catalogue.Initiative", on_delete=models.CASCADE, related_name="+", verbose_name=_("first entry")
    )
    second = models.ForeignKey(
        "catalogue.Initiative", on_delete=models.CASCADE, related_name="+", verbose_name=_("second entry")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    objects = NotDuplicateQuerySet.as_manager()

    class Meta:
        verbose_name = _("pair that is not a duplicate")
        verbose_name_plural = _("pairs that are not duplicates")
        constraints = [
            models.CheckConstraint(condition=Q(first__lt=F("second")), name="not_duplicate_pair_ordered"),
            models.UniqueConstraint(fields=["first", "second"], name="unique_not_duplicate_pair"),
        ]

    def __str__(self):
        return f"{self.first_id} ≠ {self.second_id}"

    @classmethod
    def remember(cls, first, second, user):
        """Note that ``first`` and ``second`` are not the same initiative (once)."""
        low, high = sorted((first.pk, second.pk))
        pair, _created = cls.objects.get_or_create(
            first_id=low, second_id=high, defaults={"decided_by": user}
        )
        return pair

    @classmethod
    def partners_of(cls, initiative_id):
        """The ids of the entries said not to be the same as ``initiative_id``."""
        pairs = cls.objects.filter(Q(first_id=initiative_id) | Q(second_id=initiative_id))
        return [b if a == initiative_id else a for a, b in pairs.values_list("first_id", "second_id")]
