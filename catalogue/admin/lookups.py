"""Admins of the short vocabularies curators pick from: legal forms, kinds, themes, levers, obstacles."""

from django.contrib import admin

from ..models import Kind, LegalForm, Lever, Obstacle, Theme


@admin.register(LegalForm, Kind, Theme, Lever, Obstacle)
class LookupAdmin(admin.ModelAdmin):
    """One admin for every lookup: they share fields, and curators reorder them in the list."""

    list_display = ("label", "position", "slug")
    list_editable = ("position",)
    search_fields = ("label", "slug")
    prepopulated_fields = {"slug": ("label",)}
    fields = ("label", "slug", "position", "description")
