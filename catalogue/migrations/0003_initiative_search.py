"""Public search: each initiative's search text, its French tsvector on PostgreSQL (with the
``french_unaccent`` configuration, a GIN index and a trigram index), and the demo-data flag."""

import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations, models

POSTGRESQL_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # French stemming and stop words, after unaccent: "Église" and "eglise" are the same word.
    "DO $$ BEGIN "
    "IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN "
    "CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french); "
    "ALTER TEXT SEARCH CONFIGURATION french_unaccent "
    "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem; "
    "END IF; END $$",
    "CREATE INDEX IF NOT EXISTS initiative_search_vector_gin "
    "ON catalogue_initiative USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS initiative_search_text_trgm "
    "ON catalogue_initiative USING gin (search_text gin_trgm_ops)",
]
POSTGRESQL_SEARCH_REVERSE = [
    "DROP INDEX IF EXISTS initiative_search_text_trgm",
    "DROP INDEX IF EXISTS initiative_search_vector_gin",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent",
]


def add_postgresql_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_SEARCH:
            schema_editor.execute(statement)


def drop_postgresql_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL_SEARCH_REVERSE:
            schema_editor.execute(statement)


def fill_search_text(apps, schema_editor):
    # The texts moved to a table of their own in migration 0006, which fills it: nothing to do here.
    pass


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('catalogue', '0002_territory_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalinitiative',
            name='is_demo',
            field=models.BooleanField(default=False, editable=False, help_text='Made up by manage.py generate_demo to try the site out; never a real initiative.', verbose_name='demonstration data'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='is_demo',
            field=models.BooleanField(default=False, editable=False, help_text='Made up by manage.py generate_demo to try the site out; never a real initiative.', verbose_name='demonstration data'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='search_text',
            field=models.TextField(blank=True, editable=False, verbose_name='search text'),
        ),
        migrations.AddField(
            model_name='initiative',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True, verbose_name='search vector'),
        ),
        migrations.AddIndex(
            model_name='initiative',
            index=models.Index(fields=['status', 'updated_at'], name='initiative_status_updated_idx'),
        ),
        migrations.RunPython(add_postgresql_search, drop_postgresql_search, elidable=False),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
