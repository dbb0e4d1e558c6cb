from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals
        from .models.parts import ROWS

        signals.connect()
        # What the curators' group may do here (read by accounts.roles). Curators write entries and
        # the organisations and funding tools they cite, and may remove an entry's rows (the history
        # keeps them); nobody deletes an initiative (deleting is archiving). Which entries each curator
        # may write is catalogue.permissions' business. The vocabularies are the
        # workshop's: curators pick from them.
        self.curator_permissions = {
            "initiative": ("add", "change", "view"),
            # The moderation record is written by the moves themselves, and read on each entry.
            "statuschange": ("view",),
            "organization": ("add", "change", "view"),
            "fundingtool": ("add", "change", "view"),
            **{part.model._meta.model_name: ("add", "change", "view", "delete") for part in ROWS},
            **{name: ("view",) for name in ("legalform", "kind", "theme", "lever", "obstacle")},
        }
