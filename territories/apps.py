from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoriesConfig(AppConfig):
    name = "territories"
    verbose_name = _("Territories")
    default_auto_field = "django.db.models.BigAutoField"
    # What the curators' group may do here (see accounts.roles): look territories up, never edit
    # them, since load_territories would overwrite their changes.
    curator_permissions = {"territory": ("view",)}
