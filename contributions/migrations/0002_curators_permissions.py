"""The permissions of the suggestions, created now rather than after ``migrate``.

The curators' group is brought up to date after the catalogue's migrations (``accounts.apps``), and
asks for every app's ``curator_permissions``, these included; but Django creates an app's
permissions only after that app's own post-migrate signal, which comes after the catalogue's. Made
here, they exist when the group is set; Django's own pass then finds them and adds nothing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_suggestion_permissions(apps, schema_editor):
    config = apps.get_app_config("contributions")
    # create_permissions() skips an app without a models module, which the migration's stub lacks.
    config.models_module = True
    try:
        create_permissions(config, verbosity=0, using=schema_editor.connection.alias, apps=apps)
    finally:
        config.models_module = None


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_suggestion_permissions, migrations.RunPython.noop)]
