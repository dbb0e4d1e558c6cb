"""The admin as the site installs it: Django's, on the curators' own admin site."""

from django.contrib.admin.apps import AdminConfig


class CuratorsAdminConfig(AdminConfig):
    default_site = "config.admin_site.CuratorsAdminSite"
