"""The facet counts and the map data kept in the cache by URL, under the catalogue's version: the
counts a visitor reads are never older than the last publication, archiving or change, whether the
cache is each process's memory (the default), Redis, or a Redis server that stopped; the map data
and the exports answer a browser's ``If-None-Match`` with a 304 until something changes."""

import json
import socket
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue import cached_pages
from catalogue.models import Initiative
from config.settings.base import cache_from_url
from tests.catalogue.test_filters import facet_count
from tests.factories import InitiativeFactory, KindFactory

pytestmark = pytest.mark.django_db

REDIS = ("127.0.0.1", 6379)


def redis_answers():
    try:
        with socket.create_connection(REDIS, timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def catalogue():
    """Two published tiers-lieux, and a third one still a draft."""
    tiers_lieu = KindFactory(slug="tiers-lieu", label="Tiers-lieu")
    fab_lab = KindFactory(slug="fab-lab", label="Fab-lab")
    published = [InitiativeFactory(name=name, kinds=[tiers_lieu]) for name in ("La Passerelle", "Le Bazaar")]
    draft = InitiativeFactory(name="La Ressourcerie", kinds=[tiers_lieu], status=Initiative.Status.DRAFT)
    return {"published": published, "draft": draft, "tiers_lieu": tiers_lieu, "fab_lab": fab_lab}


def tiers_lieux_counted(visitor, **filters):
    response = visitor.get(reverse("catalogue:map"), filters)
    assert response.status_code == 200
    return facet_count(response.content.decode(), "type", "Tiers-lieu")


def on_the_map(visitor):
    features = json.loads(visitor.get(reverse("catalogue:map-data")).content)["features"]
    return sum(feature["properties"].get("count", 1) for feature in features)


def admin_action(admin, action, initiative):
    response = admin.post(
        reverse("admin:catalogue_initiative_changelist"),
        {"action": action, "_selected_action": [initiative.pk], "index": 0},
    )
    assert response.status_code == 302


def assert_counts_follow_every_change(catalogue, superuser_client):
    visitor = Client()
    assert tiers_lieux_counted(visitor) == 2
    assert on_the_map(visitor) == 2

    # A curator publishes the draft in the admin: the very next visit counts it.
    admin_action(superuser_client, "publish", catalogue["draft"])
    assert tiers_lieux_counted(visitor) == 3
    assert on_the_map(visitor) == 3

    # Archived: gone from the counts and the map at once.
    admin_action(superuser_client, "archive", catalogue["published"][0])
    assert tiers_lieux_counted(visitor) == 2
    assert on_the_map(visitor) == 2

    # A published entry changes kind: its old kind loses it, its new one gains it.
    catalogue["published"][1].kinds.set([catalogue["fab_lab"]])
    assert tiers_lieux_counted(visitor) == 1
    assert facet_count(visitor.get(reverse("catalogue:map")).content.decode(), "type", "Fab-lab") == 1


def test_the_counts_are_never_stale_after_a_publication_an_archiving_or_a_change(catalogue, superuser_client):
    assert_counts_follow_every_change(catalogue, superuser_client)


def test_a_second_visit_reads_the_counts_and_the_map_from_the_cache(catalogue, client):
    for url in (
        reverse("catalogue:map") + "?type=tiers-lieu",
        reverse("catalogue:map-data") + "?type=tiers-lieu",
    ):
        with CaptureQueriesContext(connection) as first:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as second:
            assert client.get(url).status_code == 200
        counting = [query for query in first.captured_queries if "facet" in query["sql"].lower()]
        assert counting, url
        assert len(second.captured_queries) < len(first.captured_queries), url
        if "carte" in url:
            # The version only.
            assert len(second.captured_queries) == 1


def test_the_order_of_the_parameters_and_the_page_number_do_not_change_the_key(catalogue):
    requests = RequestFactory()
    one = requests.get("/", {"type": "tiers-lieu", "forme": "scic"})
    other = requests.get("/?forme=scic&page=2&type=tiers-lieu")
    third = requests.get("/", {"type": "fab-lab", "forme": "scic"})
    assert cached_pages.key("facets", one) == cached_pages.key("facets", other)
    assert cached_pages.key("facets", one) != cached_pages.key("facets", third)
    # Another page (a territory's) with the same filters has counts of its own.
    assert cached_pages.key("facets", one) != cached_pages.key(
        "facets", requests.get("/territoires/commune/59350/")
    )


@pytest.mark.parametrize(
    "url_name", ["catalogue:map-data", "catalogue:export-csv", "catalogue:export-geojson"]
)
def test_the_map_data_and_the_exports_answer_304_until_something_changes(catalogue, client, url_name):
    url = reverse(url_name) + "?type=tiers-lieu"
    first = client.get(url)
    assert first.status_code == 200
    assert "no-cache" in first["Cache-Control"] and "public" in first["Cache-Control"]
    etag = first["ETag"]

    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""

    catalogue["draft"].status = Initiative.Status.PUBLISHED
    catalogue["draft"].save()
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    body = b"".join(changed.streaming_content) if changed.streaming else changed.content
    assert "La Ressourcerie" in body.decode("utf-8-sig") or url_name == "catalogue:map-data"


@pytest.fixture
def redis_cache(settings):
    if not redis_answers():
        pytest.skip(
            "Redis does not answer on 127.0.0.1:6379 (scripts/test.sh starts it where it is installed)"
        )
    cache = cache_from_url("redis://127.0.0.1:6379/0")
    # Keys of this test's own, which it removes: other runs may share the server.
    cache["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": cache}
    yield cache["KEY_PREFIX"]
    from django.core.cache import cache as default_cache

    default_cache.delete_pattern("*")


def test_with_redis_the_counts_are_kept_there_and_follow_every_change(
    catalogue, superuser_client, redis_cache
):
    import redis

    Client().get(reverse("catalogue:map"))
    kept = redis.Redis(*REDIS).keys(f"{redis_cache}:*page:facets*")
    assert kept, "the counts were not written to Redis"

    assert_counts_follow_every_change(catalogue, superuser_client)


def test_a_cache_server_that_does_not_answer_does_not_stop_the_site(catalogue, superuser_client, settings):
    # A real refused connection: nothing listens on port 9 here.
    settings.CACHES = {"default": cache_from_url("redis://127.0.0.1:9/0")}

    assert_counts_follow_every_change(catalogue, superuser_client)


def test_a_facet_added_to_the_site_is_counted_at_once(catalogue, client, settings):
    from catalogue.facets import FACETS
    from tests.catalogue.test_facets import OBSTACLE_FACET

    assert tiers_lieux_counted(client) == 2
    settings.CATALOGUE_FACETS = [*FACETS, OBSTACLE_FACET]

    page = client.get(reverse("catalogue:map"))
    assert page.status_code == 200
    assert 'id="facet-frein"' in page.content.decode()
    assert tiers_lieux_counted(client) == 2
