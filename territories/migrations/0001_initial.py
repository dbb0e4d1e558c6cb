"""The territories' own app takes over the two models that the catalogue held until now.

State only: ``catalogue 0004`` renamed the tables to this app's names, so an existing database keeps
every row. The content types follow too, so that the permissions given on territories (the curators'
group may view them) and the admin's log entries still point at them.
"""

import django.contrib.gis.db.models.fields
import django.db.models.deletion
from django.db import migrations, models

MODELS = ("territory", "territorycode")


def content_types_to(app_label, from_label):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        types = ContentType.objects.using(schema_editor.connection.alias)
        for model in MODELS:
            if not types.filter(app_label=app_label, model=model).exists():
                types.filter(app_label=from_label, model=model).update(app_label=app_label)

    return move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalogue", "0004_territories_tables"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Territory",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("region", "région"),
                                    ("departement", "département"),
                                    ("epci", "intercommunality (EPCI)"),
                                    ("commune", "commune"),
                                ],
                                max_length=20,
                                verbose_name="kind",
                            ),
                        ),
                        (
                            "code",
                            models.CharField(
                                help_text="INSEE code; SIREN number for an intercommunality.",
                                max_length=10,
                                verbose_name="official code",
                            ),
                        ),
                        ("name", models.CharField(max_length=200, verbose_name="name")),
                        (
                            "epci_type",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("CC", "communauté de communes"),
                                    ("CA", "communauté d'agglomération"),
                                    ("CU", "communauté urbaine"),
                                    ("METRO", "métropole"),
                                ],
                                max_length=5,
                                verbose_name="type of intercommunality",
                            ),
                        ),
                        ("postcodes", models.JSONField(blank=True, default=list, verbose_name="postcodes")),
                        (
                            "population",
                            models.PositiveIntegerField(blank=True, null=True, verbose_name="population"),
                        ),
                        ("area_km2", models.FloatField(blank=True, null=True, verbose_name="area (km²)")),
                        (
                            "density",
                            models.FloatField(
                                blank=True,
                                editable=False,
                                null=True,
                                verbose_name="density (inhabitants/km²)",
                            ),
                        ),
                        (
                            "density_class",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("dense", "densely populated"),
                                    ("intermediate", "intermediate density"),
                                    ("sparse", "sparsely populated rural"),
                                    ("very_sparse", "very sparsely populated rural"),
                                ],
                                editable=False,
                                max_length=20,
                                verbose_name="density class",
                            ),
                        ),
                        (
                            "centre",
                            django.contrib.gis.db.models.fields.PointField(
                                blank=True, null=True, srid=4326, verbose_name="centre"
                            ),
                        ),
                        (
                            "contour",
                            django.contrib.gis.db.models.fields.MultiPolygonField(
                                blank=True, null=True, srid=4326, verbose_name="contour"
                            ),
                        ),
                        (
                            "search_name",
                            models.CharField(db_index=True, default="", editable=False, max_length=200),
                        ),
                        (
                            "departement",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territories.territory",
                                verbose_name="département",
                            ),
                        ),
                        (
                            "epci",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="member_communes",
                                to="territories.territory",
                                verbose_name="intercommunality",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="territories.territory",
                                verbose_name="région",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "territory",
                        "verbose_name_plural": "territories",
                        "ordering": ["kind", "name"],
                    },
                ),
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
                        (
                            "territory",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="search_codes",
                                to="territories.territory",
                                verbose_name="territory",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "territory code",
                        "verbose_name_plural": "territory codes",
                        "ordering": ["code"],
                    },
                ),
                migrations.AddIndex(
                    model_name="territory",
                    index=models.Index(fields=["name"], name="territory_name_idx"),
                ),
                migrations.AddConstraint(
                    model_name="territory",
                    constraint=models.UniqueConstraint(
                        fields=("kind", "code"), name="unique_territory_code_per_kind"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="territory",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("area_km2__isnull", True), ("area_km2__gt", 0), _connector="OR"),
                        name="territory_area_positive",
                        violation_error_message="The area must be greater than zero.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="territorycode",
                    constraint=models.UniqueConstraint(
                        fields=("territory", "code"), name="unique_code_per_territory"
                    ),
                ),
            ],
        ),
        migrations.RunPython(
            content_types_to("territories", from_label="catalogue"),
            content_types_to("catalogue", from_label="territories"),
        ),
    ]
