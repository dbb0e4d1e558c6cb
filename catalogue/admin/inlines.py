"""The parts of an initiative edited on its own page: legal set-up, partners, funding, trajectory,
levers and obstacles."""

from django import forms
from django.contrib import admin
from django.db import models

from ..models import Funding, InitiativeLever, InitiativeObstacle, LegalEntity, Milestone, Partnership

# Notes in a table row: two lines are enough to read them, the box grows when typed into.
_SHORT_NOTES = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}


class LegalEntityInline(admin.TabularInline):
    model = LegalEntity
    fields = ("name", "legal_form", "role", "siren", "rna", "note")
    formfield_overrides = _SHORT_NOTES
    extra = 0


class PartnershipInline(admin.TabularInline):
    model = Partnership
    fields = ("organization", "role", "stage", "note")
    autocomplete_fields = ("organization",)
    formfield_overrides = _SHORT_NOTES
    extra = 0


class FundingInline(admin.TabularInline):
    model = Funding
    fields = ("tool", "funder", "amount", "year", "note")
    autocomplete_fields = ("tool", "funder")
    formfield_overrides = _SHORT_NOTES
    extra = 0


class MilestoneInline(admin.StackedInline):
    """Stacked: a step of the trajectory is told in sentences, not in cells."""

    model = Milestone
    fields = (("year", "date", "stage"), "title", "text", "public_action")
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}}
    extra = 0


class InitiativeLeverInline(admin.TabularInline):
    model = InitiativeLever
    fields = ("lever", "note")
    formfield_overrides = _SHORT_NOTES
    extra = 0


class InitiativeObstacleInline(admin.TabularInline):
    model = InitiativeObstacle
    fields = ("obstacle", "note")
    formfield_overrides = _SHORT_NOTES
    extra = 0
