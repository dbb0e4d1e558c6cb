"""The curators' admin site: Django's, with each curator's desk on its home page."""

from django.contrib import admin

from .desk import desk_of


class CuratorsAdminSite(admin.AdminSite):
    """The admin whose home page starts with the curator's networks and their pending work."""

    index_template = "admin/curators_index.html"

    def index(self, request, extra_context=None):
        return super().index(request, {"desk": desk_of(request.user), **(extra_context or {})})
