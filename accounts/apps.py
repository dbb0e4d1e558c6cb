from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and networks")
    default_auto_field = "django.db.models.BigAutoField"
    # What the curators' group may do here (see roles): see the networks, not change them.
    curator_permissions = {"network": ("view",)}

    def ready(self):
        # After the catalogue's migrations, when the permissions of every app exist.
        post_migrate.connect(_update_curators_group, sender=apps.get_app_config("catalogue"))


def _update_curators_group(using, **kwargs):
    from .roles import curators_group

    curators_group(using=using)
