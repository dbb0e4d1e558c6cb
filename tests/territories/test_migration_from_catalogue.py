"""A database built before the territories had an app of their own keeps everything once migrated.

The test database is taken back to the schema of the previous ``main`` (the territories in the
catalogue app, tables ``catalogue_territory`` and ``catalogue_territorycode``), filled through the
models of that schema, then migrated forward as a production site would be.
"""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.roles import CURATORS_GROUP
from catalogue.models import Initiative, Organization
from territories.models import Territory, TerritoryCode

# The last migration of the previous main, and no territories app yet.
PREVIOUS_MAIN = ("catalogue", "0003_initiative_search")
BEFORE_THE_MOVE = [PREVIOUS_MAIN, ("territories", None)]
SQUARE = MultiPolygon(Polygon.from_bbox((1.0, 44.0, 1.2, 44.2)), srid=4326)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def migrated_back(transactional_db):
    """The schema of the previous main, and the latest one again whatever the test does."""
    try:
        yield migrate(BEFORE_THE_MOVE).loader.project_state([PREVIOUS_MAIN]).apps
    finally:
        migrate(latest())


def build_the_old_catalogue(apps):
    """Territories, an organisation and an initiative with its history, through the old models."""
    OldTerritory = apps.get_model("catalogue", "Territory")
    OldTerritoryCode = apps.get_model("catalogue", "TerritoryCode")
    region = OldTerritory.objects.create(kind="region", code="98", name="Région d'essai")
    departement = OldTerritory.objects.create(kind="departement", code="D98", name="Essai", region=region)
    commune = OldTerritory.objects.create(
        kind="commune",
        code="99801",
        name="Bourg-d'Essai",
        search_name="bourg d essai",
        region=region,
        departement=departement,
        postcodes=["99800"],
        population=1200,
        area_km2=48.0,
        centre=Point(1.1, 44.1, srid=4326),
        contour=SQUARE,
    )
    OldTerritoryCode.objects.bulk_create(
        [OldTerritoryCode(territory=commune, code="99801"), OldTerritoryCode(territory=commune, code="99800")]
    )
    apps.get_model("catalogue", "Organization").objects.create(
        name="Mairie de Bourg-d'Essai", kind="local_authority", territory=commune
    )
    initiative = apps.get_model("catalogue", "Initiative").objects.create(
        name="Tiers-lieu d'essai",
        slug="tiers-lieu-d-essai",
        status="published",
        commune=commune,
        location=Point(1.1, 44.1, srid=4326),
    )
    initiative.territories_served.add(departement)
    apps.get_model("catalogue", "HistoricalInitiative").objects.create(
        id=initiative.pk,
        name=initiative.name,
        slug=initiative.slug,
        status="published",
        commune_id=commune.pk,
        is_demo=False,
        created_at=timezone.now(),
        updated_at=timezone.now(),
        history_date=timezone.now(),
        history_type="+",
    )
    # What Django recorded against the territory's content type: a curator's change in the log.
    territory_type = ContentType.objects.get(app_label="catalogue", model="territory")
    LogEntry.objects.create(
        user_id=apps.get_model("accounts", "User").objects.create(email="agent@example.org").pk,
        content_type_id=territory_type.pk,
        object_id=str(commune.pk),
        object_repr="Bourg-d'Essai (99)",
        action_flag=CHANGE,
        action_time=timezone.now(),
    )
    return {"commune": commune.pk, "departement": departement.pk, "initiative": initiative.pk}


def test_a_database_built_before_the_move_keeps_its_territories_and_initiatives(migrated_back):
    ids = build_the_old_catalogue(migrated_back)
    territories_before = migrated_back.get_model("catalogue", "Territory").objects.count()

    migrate(latest())

    commune = Territory.objects.get(pk=ids["commune"])
    assert (commune.kind, commune.code, commune.name) == ("commune", "99801", "Bourg-d'Essai")
    assert (commune.departement_id, commune.region.name) == (ids["departement"], "Région d'essai")
    assert commune.contour.equals_exact(SQUARE, tolerance=1e-9)
    assert Territory.objects.count() == territories_before
    assert set(TerritoryCode.objects.filter(territory=commune).values_list("code", flat=True)) == {
        "99800",
        "99801",
    }
    initiative = Initiative.objects.get(pk=ids["initiative"])
    assert initiative.commune == commune
    assert list(initiative.territories_served.values_list("pk", flat=True)) == [ids["departement"]]
    assert initiative.history.get().commune == commune
    assert Organization.objects.get(name="Mairie de Bourg-d'Essai").territory == commune


def test_after_the_move_the_place_search_and_the_spatial_lookups_read_the_moved_rows(migrated_back):
    build_the_old_catalogue(migrated_back)

    migrate(latest())

    assert [str(t) for t in Territory.objects.search("99800")] == ["Bourg-d'Essai (99)"]
    assert [str(t) for t in Territory.objects.search("bourg d'essai")] == ["Bourg-d'Essai (99)"]
    assert str(Territory.objects.commune_at(Point(1.05, 44.05, srid=4326))) == "Bourg-d'Essai (99)"
    # New rows get ids after the old ones, and their geometries are written as before the move.
    added = Territory.objects.create(
        kind="commune",
        code="99802",
        name="Val-d'Essai",
        contour=MultiPolygon(Polygon.from_bbox((1.3, 44.0, 1.5, 44.2)), srid=4326),
    )
    assert added.pk > Territory.objects.exclude(pk=added.pk).order_by("-pk").first().pk
    assert str(Territory.objects.commune_at(Point(1.4, 44.1, srid=4326))) == "Val-d'Essai (99)"


def test_the_permissions_and_the_log_follow_the_territories_to_their_app(migrated_back):
    build_the_old_catalogue(migrated_back)
    curators = Group.objects.get(name=CURATORS_GROUP)
    viewing = curators.permissions.get(codename="view_territory")

    migrate(latest())

    territory_type = ContentType.objects.get_for_model(Territory)
    assert (territory_type.app_label, territory_type.model) == ("territories", "territory")
    assert not ContentType.objects.filter(app_label="catalogue", model__startswith="territory").exists()
    # The same permission row, now on the territories' content type: the group kept it.
    viewing.refresh_from_db()
    assert viewing.content_type == territory_type
    assert curators.permissions.filter(pk=viewing.pk).exists()
    entry = LogEntry.objects.get(object_repr="Bourg-d'Essai (99)")
    assert entry.get_edited_object() == Territory.objects.get(code="99801")
