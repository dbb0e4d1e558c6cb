"""The catalogue's version (``CatalogueVersion``), under which what is cached from the public tables
is kept; then the public tables filled, by the current code, which raises it (0006 did it before)."""

from django.db import migrations, models


def fill_public_tables(apps, schema_editor):
    # The current code fills them; it reads only fields that this migration's state has.
    from catalogue.indexing import refresh

    refresh()


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0006_public_tables"),
        # The territories' columns that the current code may read.
        ("territories", "0002_official_classifications"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogueVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(default="", max_length=32, verbose_name="version")),
            ],
            options={
                "verbose_name": "catalogue version",
                "verbose_name_plural": "catalogue versions",
            },
        ),
        migrations.RunPython(fill_public_tables, migrations.RunPython.noop),
    ]
