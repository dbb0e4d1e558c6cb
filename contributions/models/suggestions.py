"""A citizen's suggestion: a new initiative to add, or a correction of a published one, waiting for
a curator of the networks it is routed to.

A suggestion never makes anything public by itself: turned into a draft, it becomes an initiative
with the status "draft", which a coordinator publishes through the catalogue's own rules. The
submitter's e-mail address is private: only the curators who handle the suggestion read it, in the
admin. A suggestion has no public page, hence no ``get_absolute_url``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class SuggestionQuerySet(models.QuerySet):
    def waiting(self):
        """The suggestions no curator has handled yet."""
        return self.filter(status=Suggestion.Status.NEW)

    def routed_to_any_of(self, network_ids):
        """The suggestions routed to one of ``network_ids``, or to no network (which every curator
        may take)."""
        routed = Suggestion.networks.through.objects.filter(suggestion_id=OuterRef("pk"))
        return self.filter(Exists(routed.filter(network_id__in=network_ids)) | ~Exists(routed))


class Suggestion(models.Model):
    class Kind(models.TextChoices):
        PROPOSAL = "proposal", _("new initiative")
        CORRECTION = "correction", _("correction")

    class Status(models.TextChoices):
        NEW = "new", _("new")
        CONVERTED = "converted", _("turned into a draft")
        ANSWERED = "answered", _("answered")
        DISMISSED = "dismissed", _("dismissed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    initiative = models.ForeignKey(
        "catalogue.Initiative",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("initiative to correct"),
    )
    name = models.CharField(_("name of the initiative"), max_length=200, blank=True)
    commune = models.ForeignKey(
        "territories.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "commune"},
        verbose_name=_("commune"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)
    message = models.TextField(_("description or message"), blank=True)
    submitter_name = models.CharField(_("submitter's name"), max_length=200, blank=True)
    submitter_email = models.EmailField(
        _("submitter's e-mail"),
        blank=True,
        help_text=_("Private: only the curators who handle the suggestion see it."),
    )
    wants_news = models.BooleanField(_("to be told when it is handled"), default=False)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    networks = models.ManyToManyField(
        "accounts.Network",
        blank=True,
        related_name="suggestions",
        verbose_name=_("networks it is routed to"),
        help_text=_("None: every curator may take it."),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True, help_text=_("Sent to the submitter."))
    draft = models.OneToOneField(
        "catalogue.Initiative",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("draft made from it"),
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="proposal") | Q(initiative__isnull=False),
                name="suggestion_correction_has_initiative",
                violation_error_message=_("A correction is about an initiative."),
            ),
            models.CheckConstraint(
                condition=Q(kind="correction") | ~Q(name=""),
                name="suggestion_proposal_has_name",
                violation_error_message=_("A new initiative needs a name."),
            ),
            models.CheckConstraint(
                condition=Q(status="new") | Q(handled_at__isnull=False),
                name="suggestion_handled_has_date",
                violation_error_message=_("A handled suggestion says when it was handled."),
            ),
            models.CheckConstraint(
                condition=~Q(status="converted") | Q(draft__isnull=False),
                name="suggestion_converted_has_draft",
                violation_error_message=_("A suggestion turned into a draft names the draft."),
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="suggestion_status_created_idx")]

    def __str__(self):
        if self.kind == self.Kind.CORRECTION and self.initiative_id:
            return _("Correction of “%(name)s”") % {"name": self.initiative.name}
        return self.name

    @property
    def is_handled(self):
        return self.status != self.Status.NEW
