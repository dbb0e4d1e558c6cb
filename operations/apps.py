from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the site: its health endpoint and error pages, the database router for replicas,
    backups and restores. Depends on no other app of the project."""

    name = "operations"
    verbose_name = _("Operations")
