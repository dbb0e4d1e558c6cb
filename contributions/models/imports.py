"""An import of a network's file, and what each of its rows became.

The batch keeps the file itself (so that the preview can be read again, and the import repeated
with the same mapping next year), the mapping the curator chose, and, once imported, the report of
what was done. Each entry it created or updated has an ``ImportedRecord``: its provenance (the
file, the row's line and identifier), shown on the entry's admin page, and what tells the next
import of the same source which entry a row's identifier already is.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        PREVIEW = "preview", _("preview, nothing imported yet")
        DONE = "done", _("imported")

    file_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file"), editable=False)
    sheet = models.CharField(
        _("sheet"),
        max_length=100,
        blank=True,
        help_text=_("For a workbook: the sheet to read (the first one when empty)."),
    )
    network = models.ForeignKey(
        "accounts.Network", on_delete=models.PROTECT, related_name="import_batches", verbose_name=_("network")
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        help_text=_(
            "Who publishes the file, for instance “ANCT — Fabriques de territoire”. A later import of "
            "the same source updates the entries this one made, row identifier by row identifier."
        ),
    )
    licence = models.CharField(
        _("licence"), max_length=100, blank=True, help_text=_("For instance “Licence Ouverte 2.0”.")
    )
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    leave_out_refused = models.BooleanField(
        _("import without the refused rows"),
        default=False,
        help_text=_(
            "Otherwise a single refused row stops the whole import, so that the file can be corrected first."
        ),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PREVIEW)
    report = models.JSONField(_("report"), default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="preview") | models.Q(imported_at__isnull=False),
                name="import_done_has_date",
                violation_error_message=_("An import that was made says when."),
            )
        ]

    def __str__(self):
        return f"{self.file_name} ({self.source})"

    def get_admin_url(self):
        return reverse("admin:contributions_importbatch_change", args=[self.pk])

    @property
    def sources_text(self):
        """What the entries' ``sources`` say of this file."""
        parts = [self.source, self.file_name, self.licence]
        return " — ".join(part for part in parts if part)


class ImportedRecord(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("updated")

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="records", verbose_name=_("import")
    )
    initiative = models.ForeignKey(
        "catalogue.Initiative",
        on_delete=models.CASCADE,
        related_name="import_records",
        verbose_name=_("initiative"),
    )
    line = models.PositiveIntegerField(_("line"))
    source_id = models.CharField(_("identifier in the file"), max_length=200, blank=True)
    action = models.CharField(_("what was done"), max_length=20, choices=Action.choices)

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("provenance")
        ordering = ["batch_id", "line", "pk"]
        indexes = [models.Index(fields=["source_id"], name="imported_record_source_id_idx")]

    def __str__(self):
        return _("%(file)s, line %(line)d") % {"file": self.batch.file_name, "line": self.line}
