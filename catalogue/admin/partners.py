"""Admins of the organisations that take part in initiatives and of the funding tools.

Both keep a history that curators can read and revert to.
"""

from django.contrib import admin
from django.db import models

from ..models import FundingTool, Organization
from .history import SafeHistoryAdmin


@admin.register(Organization)
class OrganizationAdmin(SafeHistoryAdmin):
    list_display = ("name", "kind", "territory", "siren")
    list_filter = ("kind",)
    list_select_related = ("territory",)
    search_fields = ("name", "=siren")
    autocomplete_fields = ("territory",)
    fields = ("name", "kind", "territory", "website", "siren", "description")
    # A website typed without a scheme is an https one (Django 6's default too).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(FundingTool)
class FundingToolAdmin(SafeHistoryAdmin):
    list_display = ("label", "nature", "operator")
    list_filter = ("nature",)
    list_select_related = ("operator",)
    search_fields = ("label", "slug")
    prepopulated_fields = {"slug": ("label",)}
    autocomplete_fields = ("operator",)
    filter_horizontal = ("co_funders",)
    fields = ("label", "slug", "nature", "operator", "co_funders", "description")
