"""Keeps each initiative's search text in step with the facts it is made of.

Fixture loading ("raw" saves) is followed too, so that ``loaddata`` leaves the search right.
"""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import (
    Funding,
    FundingTool,
    Initiative,
    Kind,
    LegalEntity,
    LegalForm,
    Organization,
    Partnership,
    Theme,
)
from .search import refresh_search_text


@receiver(post_save, sender=Initiative)
def initiative_saved(sender, instance, **kwargs):
    refresh_search_text([instance.pk])


@receiver(m2m_changed, sender=Initiative.kinds.through)
@receiver(m2m_changed, sender=Initiative.themes.through)
def initiative_labels_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        refresh_search_text([instance.pk])
    else:
        # From the label's side: pk_set names the initiatives, except after a clear, which
        # leaves no trace of them; that never happens in the admin, so refresh them all.
        refresh_search_text(pk_set)


@receiver(post_save, sender=LegalEntity)
@receiver(post_delete, sender=LegalEntity)
@receiver(post_save, sender=Partnership)
@receiver(post_delete, sender=Partnership)
@receiver(post_save, sender=Funding)
@receiver(post_delete, sender=Funding)
def part_changed(sender, instance, **kwargs):
    if Initiative.objects.filter(pk=instance.initiative_id).exists():
        refresh_search_text([instance.initiative_id])


@receiver(post_save, sender=Organization)
def organization_saved(sender, instance, created, **kwargs):
    if created:
        return
    refresh_search_text(
        Initiative.objects.filter(Q(partnerships__organization=instance) | Q(fundings__funder=instance))
        .distinct()
        .values_list("pk", flat=True)
    )


@receiver(post_save, sender=Kind)
@receiver(post_save, sender=Theme)
@receiver(post_save, sender=LegalForm)
@receiver(post_save, sender=FundingTool)
def label_saved(sender, instance, created, **kwargs):
    if created:
        return
    related = {
        Kind: "kinds",
        Theme: "themes",
        LegalForm: "legal_entities__legal_form",
        FundingTool: "fundings__tool",
    }[sender]
    refresh_search_text(
        Initiative.objects.filter(**{related: instance}).distinct().values_list("pk", flat=True)
    )
