"""The parts of an initiative edited on its own page: legal set-up, partners, funding, trajectory,
levers and obstacles.

One inline per row part of ``catalogue.models.parts.ROWS``, shown in that order: :func:`part_inlines`
finds them, and fails at start-up if a part has none.
"""

from django import forms
from django.contrib import admin
from django.db import models

from .. import permissions
from ..models import (
    Funding,
    InitiativeLever,
    InitiativeObstacle,
    LegalEntity,
    Milestone,
    Partnership,
)
from ..models.parts import ROWS

# Notes in a table row: two lines are enough to read them, the box grows when typed into.
_SHORT_NOTES = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}


class PartInline:
    """An inline of one of the initiative's row parts. Rows removed here are kept by the history.

    Its rows may be written by whoever may change the initiative (catalogue.permissions), and by
    no one else, whatever the model permissions of their group say."""

    extra = 0

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and _may_change(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_change(request, obj)


def _may_change(request, initiative):
    return initiative is None or initiative.pk is None or permissions.may_change(request.user, initiative)


class LegalEntityInline(PartInline, admin.TabularInline):
    model = LegalEntity
    fields = ("name", "legal_form", "role", "siren", "rna", "note")
    formfield_overrides = _SHORT_NOTES


class PartnershipInline(PartInline, admin.TabularInline):
    model = Partnership
    fields = ("organization", "role", "stage", "note")
    autocomplete_fields = ("organization",)
    formfield_overrides = _SHORT_NOTES


class FundingInline(PartInline, admin.TabularInline):
    model = Funding
    fields = ("tool", "funder", "amount", "year", "note")
    autocomplete_fields = ("tool", "funder")
    formfield_overrides = _SHORT_NOTES


class MilestoneInline(PartInline, admin.StackedInline):
    """Stacked: a step of the trajectory is told in sentences, not in cells."""

    model = Milestone
    fields = (("year", "date", "stage"), "title", "text", "public_action")
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}}


class InitiativeLeverInline(PartInline, admin.TabularInline):
    model = InitiativeLever
    fields = ("lever", "note")
    formfield_overrides = _SHORT_NOTES


class InitiativeObstacleInline(PartInline, admin.TabularInline):
    model = InitiativeObstacle
    fields = ("obstacle", "note")
    formfield_overrides = _SHORT_NOTES


def part_inlines():
    """The inlines of the initiative's row parts, in the order of ``ROWS``."""
    by_model = {inline.model: inline for inline in PartInline.__subclasses__()}
    missing = [part.model_name for part in ROWS if part.model not in by_model]
    if missing:
        raise LookupError(f"No admin inline for these parts of an initiative: {', '.join(missing)}")
    return tuple(by_model[part.model] for part in ROWS)
