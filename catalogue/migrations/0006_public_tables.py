"""The tables that the public pages read instead of the wide initiatives table (see
``catalogue.models.indexes``): search texts and their vocabulary, facet values, map points and
cells, filled from the published initiatives; the search columns leave the initiatives table."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


POSTGRESQL_INDEXES = [
    "CREATE INDEX catalogue_initiativesearch_vector_gin ON catalogue_initiativesearch USING gin (vector)",
    # On lower(word), the same words, rather than on word: PostgreSQL would otherwise use it for the
    # equalities that the primary key answers a hundred times faster.
    "CREATE INDEX catalogue_searchword_trgm ON catalogue_searchword USING gin (lower(word) gin_trgm_ops)",
]


def add_postgresql_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_INDEXES:
            schema_editor.execute(statement)


def fill_public_tables(apps, schema_editor):
    # Filled by 0007 since the catalogue's version came (the current code that fills them raises it,
    # and its table is 0007's); this step stays, as a no-op, for the databases that ran it.
    pass


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0005_territories_moved'),
    ]

    operations = [
        migrations.CreateModel(
            name='InitiativeSearch',
            fields=[
                ('initiative', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search', serialize=False, to='catalogue.initiative', verbose_name='initiative')),
                ('text', models.TextField(verbose_name='search text')),
                ('vector', django.contrib.postgres.search.SearchVectorField(null=True, verbose_name='search vector')),
            ],
            options={
                'verbose_name': 'search text',
                'verbose_name_plural': 'search texts',
            },
        ),
        migrations.CreateModel(
            name='SearchWord',
            fields=[
                ('word', models.CharField(max_length=100, primary_key=True, serialize=False, verbose_name='word')),
                ('initiatives', models.PositiveIntegerField(verbose_name='initiatives using it')),
            ],
            options={
                'verbose_name': 'search word',
                'verbose_name_plural': 'search words',
            },
        ),
        migrations.CreateModel(
            name='FacetTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('facet', models.CharField(max_length=30, verbose_name='facet')),
                ('value', models.CharField(max_length=100, verbose_name='value')),
                ('count', models.PositiveIntegerField(verbose_name='initiatives')),
            ],
            options={
                'verbose_name': 'facet total',
                'verbose_name_plural': 'facet totals',
                'constraints': [models.UniqueConstraint(fields=('facet', 'value'), name='facet_total_unique')],
            },
        ),
        migrations.CreateModel(
            name='MapPoint',
            fields=[
                ('initiative', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='catalogue.initiative')),
                ('lng', models.FloatField(verbose_name='longitude')),
                ('lat', models.FloatField(verbose_name='latitude')),
            ],
            options={
                'verbose_name': 'map point',
                'verbose_name_plural': 'map points',
                'indexes': [models.Index(fields=['lng', 'lat'], name='map_point_lng_lat_idx')],
            },
        ),
        migrations.CreateModel(
            name='FacetValue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('facet', models.CharField(max_length=30, verbose_name='facet')),
                ('value', models.CharField(max_length=100, verbose_name='value')),
                ('initiative', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalogue.initiative')),
            ],
            options={
                'verbose_name': 'facet value',
                'verbose_name_plural': 'facet values',
                'indexes': [models.Index(fields=['initiative', 'facet', 'value'], name='facet_value_initiative_idx')],
                'constraints': [models.UniqueConstraint(fields=('facet', 'value', 'initiative'), name='facet_value_unique')],
            },
        ),
        migrations.CreateModel(
            name='MapCell',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.PositiveSmallIntegerField(verbose_name='level')),
                ('x', models.IntegerField()),
                ('y', models.IntegerField()),
                ('count', models.PositiveIntegerField(verbose_name='initiatives')),
                ('sum_lng', models.FloatField()),
                ('sum_lat', models.FloatField()),
                ('west', models.FloatField()),
                ('south', models.FloatField()),
                ('east', models.FloatField()),
                ('north', models.FloatField()),
                ('first', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalogue.initiative')),
            ],
            options={
                'verbose_name': 'map cell',
                'verbose_name_plural': 'map cells',
                'constraints': [models.UniqueConstraint(fields=('level', 'x', 'y'), name='map_cell_unique')],
            },
        ),
        migrations.RunPython(add_postgresql_indexes, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(fill_public_tables, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='initiative',
            name='search_text',
        ),
        migrations.RemoveField(
            model_name='initiative',
            name='search_vector',
        ),
    ]
