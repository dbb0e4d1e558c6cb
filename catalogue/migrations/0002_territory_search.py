"""Place search: each territory's name as the search compares it, its codes and postcodes in a table
of their own, and a trigram index on the names on PostgreSQL."""

import django.db.models.deletion
from django.db import migrations, models


def fill_search_keys(apps, schema_editor):
    from territories.text import search_key

    Territory = apps.get_model("catalogue", "Territory")
    TerritoryCode = apps.get_model("catalogue", "TerritoryCode")
    territories = list(Territory.objects.all())
    codes = []
    for territory in territories:
        territory.search_name = search_key(territory.name)[:200]
        if territory.kind not in ("commune", "epci"):
            territory.density_class = ""
        if territory.kind != "region":
            for code in dict.fromkeys([territory.code, *(territory.postcodes or [])]):
                codes.append(TerritoryCode(territory=territory, code=code))
    Territory.objects.bulk_update(territories, ["search_name", "density_class"])
    TerritoryCode.objects.bulk_create(codes)


def add_trigram_index(apps, schema_editor):
    # "contains" searches (LIKE '%…%') use a trigram index on PostgreSQL; SQLite scans, which is
    # fast enough for 36,000 short names.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS territory_search_name_trgm "
        "ON catalogue_territory USING gin (search_name gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS territory_search_name_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="TerritoryCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.CharField(db_index=True, max_length=10, verbose_name="code")),
            ],
            options={
                "verbose_name": "territory code",
                "verbose_name_plural": "territory codes",
                "ordering": ["code"],
            },
        ),
        migrations.AddField(
            model_name="territory",
            name="search_name",
            field=models.CharField(db_index=True, default="", editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="territorycode",
            name="territory",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="search_codes",
                to="catalogue.territory",
                verbose_name="territory",
            ),
        ),
        migrations.AddConstraint(
            model_name="territorycode",
            constraint=models.UniqueConstraint(
                fields=("territory", "code"), name="unique_code_per_territory"
            ),
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop),
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
