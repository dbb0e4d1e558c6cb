"""Reads from replicas, writes to the primary (operations.replicas), with two real databases: the
test database "default" stands for the primary and "replica" (config.settings.test) for a replica,
two databases of the local PostgreSQL server on the PostGIS run, two in-memory SpatiaLite databases
otherwise (the router does not care which engine it routes to).

Each holds a theme that the other lacks, so what a page shows says which one it was read from. Rows
that replication would have copied by now (a user, a session) are copied by the tests themselves.
The tests are transactional: inside the transaction that an ordinary test runs in, every read
would rightly go to the primary.
"""

import copy
import time

import environ
import pytest
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.db import router, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Membership, Network
from catalogue.models import Theme
from config.settings.base import database_settings
from operations.replicas import COOKIE_NAME, replica_reads
from tests.factories import UserFactory

ROUTER = "operations.replicas.ReplicaRouter"
ON_THE_PRIMARY = "Thème tout juste écrit"
ON_THE_REPLICA = "Thème que le primaire a supprimé"
THEMES = "/api/v1/thematiques/"

both_databases = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replicas(transactional_db):
    """The router on, and a theme in each database. Turned on with override_settings: Django's
    test signals build django.db.router's routers again when DATABASE_ROUTERS changes. Turned off
    before the test databases are emptied (this fixture ends first), which asks the router whether
    each database has the tables."""
    Theme.objects.create(label=ON_THE_PRIMARY, slug="primaire")
    Theme.objects.using("replica").create(label=ON_THE_REPLICA, slug="replique")
    with override_settings(DATABASE_ROUTERS=[ROUTER]):
        yield


def replicate(*rows):
    """Copies rows to the replica, as replication would have by now."""
    for row in rows:
        copy.copy(row).save(using="replica", force_insert=True)


def themes_in(response):
    assert response.status_code == 200
    return [theme["label"] for theme in response.json()]


def labels(queryset):
    return list(queryset.values_list("label", flat=True))


def ask_for_a_password_link(client):
    response = client.post(reverse("admin_password_reset"), {"email": "personne@example.org"})
    assert response.status_code == 302
    return response


@both_databases
def test_a_citizen_who_browses_reads_a_replica_and_gets_neither_cookie_nor_session(client, replicas):
    response = client.get(THEMES)

    assert themes_in(response) == [ON_THE_REPLICA]
    assert list(response.cookies) == []
    assert not Session.objects.using("default").exists()


@both_databases
def test_after_a_post_the_same_client_reads_the_primary_until_the_replicas_caught_up(client, replicas):
    with override_settings(DATABASE_REPLICA_STICKY_SECONDS=1):
        posted = ask_for_a_password_link(client)
        assert COOKIE_NAME in posted.cookies

        assert themes_in(client.get(THEMES)) == [ON_THE_PRIMARY]
        assert themes_in(Client().get(THEMES)) == [ON_THE_REPLICA], "another client is not concerned"

        time.sleep(1.1)
        assert themes_in(client.get(THEMES)) == [ON_THE_REPLICA]


@both_databases
def test_a_forged_cookie_does_not_count(client, replicas):
    client.cookies[COOKIE_NAME] = repr(time.time())

    assert themes_in(client.get(THEMES)) == [ON_THE_REPLICA]


@both_databases
def test_a_get_that_wrote_its_session_is_followed_by_reads_of_the_primary(client, replicas):
    """A password-reset link stores its token in a new session (written by SessionMiddleware after
    the view) and leads to the form, whose request must find that session: it is not on the replica
    yet."""
    user = UserFactory(email="oubli@example.org")
    replicate(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = reverse(
        "password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)}
    )

    opened = client.get(link)
    assert opened.status_code == 302
    assert COOKIE_NAME in opened.cookies
    assert not Session.objects.using("replica").exists()

    form = client.get(opened.url)
    assert form.status_code == 200
    assert form.context["validlink"] is True


@both_databases
def test_staff_read_the_primary_in_the_admin_and_on_public_pages(client, replicas):
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    replicate(admin, Session.objects.get(session_key=client.session.session_key))

    page = client.get(reverse("admin:catalogue_theme_changelist")).content.decode()
    assert ON_THE_PRIMARY in page
    assert ON_THE_REPLICA not in page
    assert themes_in(client.get(THEMES)) == [ON_THE_PRIMARY]


@both_databases
def test_code_outside_requests_and_transactions_read_the_primary(replicas):
    assert labels(Theme.objects.all()) == [ON_THE_PRIMARY], "a command reads what it has just written"

    with replica_reads():  # as a request that may read a replica
        assert labels(Theme.objects.all()) == [ON_THE_REPLICA]
        with transaction.atomic():
            assert labels(Theme.objects.all()) == [ON_THE_PRIMARY]
        assert labels(Theme.objects.all()) == [ON_THE_REPLICA]

        Theme.objects.create(label="Encore un thème", slug="encore")
        assert labels(Theme.objects.all()) == ["Encore un thème", ON_THE_PRIMARY]


@both_databases
def test_an_object_read_from_a_replica_can_be_linked_to_the_primarys_and_is_written_there(replicas):
    network = Network.objects.create(name="CAP Rural", slug="cap-rural")
    user = UserFactory(email="curatrice@example.org")
    replicate(network)

    with replica_reads():
        from_the_replica = Network.objects.get(slug="cap-rural")
        assert from_the_replica._state.db == "replica"
        Membership.objects.create(user=user, network=from_the_replica)

    assert Membership.objects.using("default").filter(user=user, network=network).exists()
    assert not Membership.objects.using("replica").exists()
    assert router.allow_migrate("default", "catalogue") is True
    assert router.allow_migrate("replica", "catalogue") is False


@pytest.mark.django_db
def test_the_rest_of_the_suite_is_not_routed_and_gets_no_cookie(client, settings):
    assert settings.DATABASE_ROUTERS == []
    assert router.db_for_read(Theme) == "default"

    assert COOKIE_NAME not in ask_for_a_password_link(client).cookies


@pytest.mark.parametrize("urls", [None, "", " , "])
def test_without_replica_urls_the_settings_have_no_router_and_no_other_database(monkeypatch, urls):
    monkeypatch.setenv("DATABASE_URL", "postgis://postgres@127.0.0.1:5432/percolateur")
    if urls is None:
        monkeypatch.delenv("DATABASE_REPLICA_URLS", raising=False)
    else:
        monkeypatch.setenv("DATABASE_REPLICA_URLS", urls)

    databases, routers = database_settings(environ.Env())

    assert list(databases) == ["default"]
    assert routers == []


def test_replica_urls_become_databases_like_the_primary_and_turn_the_router_on(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgis://postgres@primary:5432/percolateur")
    monkeypatch.setenv(
        "DATABASE_REPLICA_URLS",
        "postgis://reader@replica-a:5432/percolateur, postgis://reader@replica-b:5433/percolateur",
    )
    monkeypatch.setenv("CONN_MAX_AGE", "30")

    databases, routers = database_settings(environ.Env())

    assert list(databases) == ["default", "replica_1", "replica_2"]
    assert [(db["HOST"], db["PORT"], db["USER"]) for db in databases.values()] == [
        ("primary", 5432, "postgres"),
        ("replica-a", 5432, "reader"),
        ("replica-b", 5433, "reader"),
    ]
    assert {db["ENGINE"] for db in databases.values()} == {"django.contrib.gis.db.backends.postgis"}
    assert all(db["CONN_MAX_AGE"] == 30 and db["CONN_HEALTH_CHECKS"] for db in databases.values())
    assert routers == [ROUTER]
