"""Moderation: the record of each move of an entry from one publication status to another."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .initiatives import Initiative


class StatusChange(models.Model):
    """One move of an initiative's status (draft → to be reviewed → published → archived…): who
    made it, when, and why if they said. Written by the admin with the save it goes with (see
    ``catalogue.moderation``); never edited afterwards."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("initiative")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Initiative.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Initiative.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["initiative", "-changed_at"], name="status_change_by_entry_idx")]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
