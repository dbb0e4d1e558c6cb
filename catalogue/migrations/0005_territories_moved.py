"""The catalogue's foreign keys point at ``territories.Territory``; its own copies of the models are
forgotten. State only: the tables were renamed by 0004 and belong to the territories app now."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0004_territories_tables"),
        ("territories", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="organization",
                    name="territory",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="For a local authority, the territory it governs.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="organizations",
                        to="territories.territory",
                        verbose_name="territory",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalorganization",
                    name="territory",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="For a local authority, the territory it governs.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="territories.territory",
                        verbose_name="territory",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalinitiative",
                    name="commune",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        limit_choices_to={"kind": "commune"},
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="territories.territory",
                        verbose_name="commune",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalinitiative_territories_served",
                    name="territory",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="territories.territory",
                    ),
                ),
                migrations.AlterField(
                    model_name="initiative",
                    name="commune",
                    field=models.ForeignKey(
                        blank=True,
                        limit_choices_to={"kind": "commune"},
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="initiatives",
                        to="territories.territory",
                        verbose_name="commune",
                    ),
                ),
                migrations.AlterField(
                    model_name="initiative",
                    name="territories_served",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="served_by",
                        to="territories.territory",
                        verbose_name="territories served",
                    ),
                ),
                migrations.DeleteModel(name="TerritoryCode"),
                migrations.DeleteModel(name="Territory"),
            ],
        ),
    ]
