from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "contributions"
    verbose_name = _("Suggestions and imports")
    default_auto_field = "django.db.models.BigAutoField"
    # What the curators' group may do here (read by accounts.roles): read the suggestions and handle
    # them. Nobody adds one in the admin (they come from the public forms) and nobody deletes one
    # (dismissing keeps the trace of what was asked and answered). They upload imports of their
    # network's files and read what each import made; an import is never deleted (its records are
    # the entries' provenance).
    curator_permissions = {
        "suggestion": ("view", "change"),
        "importbatch": ("view", "add", "change"),
        "importedrecord": ("view",),
    }
