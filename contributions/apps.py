from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "contributions"
    verbose_name = _("Citizens' suggestions")
    default_auto_field = "django.db.models.BigAutoField"
    # What the curators' group may do here (read by accounts.roles): read the suggestions and handle
    # them. Nobody adds one in the admin (they come from the public forms) and nobody deletes one
    # (dismissing keeps the trace of what was asked and answered).
    curator_permissions = {"suggestion": ("view", "change")}
