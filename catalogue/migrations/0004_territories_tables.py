"""The territories leave the catalogue for an app of their own (``territories``), with their rows.

Three migrations move them without copying anything: this one renames their two tables to the
names the new app gives them; ``territories 0001`` declares the models there (state only); and
``catalogue 0005`` points the catalogue's foreign keys at them and forgets its own copies (state
only). On an existing database every row, id and index stays where it was.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0003_initiative_search"),
    ]

    operations = [
        # SpatiaLite's schema editor also moves the geometry columns' metadata and spatial indexes.
        migrations.AlterModelTable(name="territory", table="territories_territory"),
        migrations.AlterModelTable(name="territorycode", table="territories_territorycode"),
    ]
