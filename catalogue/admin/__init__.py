"""The curators' admin for the catalogue: initiatives, and the tables they draw on.

Importing the modules registers their ModelAdmins with the admin site.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import initiatives, lookups, partners

__all__ = ["initiatives", "lookups", "partners"]

admin.site.site_header = _("Percolateur · curators' space")
admin.site.site_title = _("Percolateur curators")
admin.site.index_title = _("Catalogue of initiatives")
