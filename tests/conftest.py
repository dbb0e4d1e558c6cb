"""Shared fixtures: users, the territories of France, the seed fixtures, and a real Chromium driven
by Playwright."""

import os
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from catalogue.importers.places import Places
from catalogue.indexing import deferred
from catalogue.management.commands.load_seed import SEED_FIXTURES
from territories.models import Territory
from tests.ban_server import serve_ban
from tests.factories import CuratorFactory, UserFactory, commune
from tests.nominatim_server import serve_nominatim

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def language_left_as_found():
    """The test client's requests activate their language in the test's thread and leave it active:
    a request in English must not leave the next test of this worker in English."""
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture
def curator(db):
    return CuratorFactory(email="curatrice@example.org")


@pytest.fixture
def superuser(db):
    return UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture(params=["curator", "superuser"])
def staff_client(request, client):
    """The admin as a curator (staff, in the curators' group) and as a superuser."""
    user = request.getfixturevalue(request.param)
    client.force_login(user)
    return client


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


# The départements of the seed's entries: what tests with a live server load (see `territories`).
SEED_DEPARTEMENTS = ["59", "62"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, with every territory of France loaded once by the set-up's own command.

    Ordinary tests run inside a transaction that is rolled back, so they all share this load.
    """
    with django_db_blocker.unblock():
        call_command("load_territories", stdout=StringIO())


@pytest.fixture
def territories(request, db):
    """The territories of France, for a test that needs them.

    Tests with a live server (browser tests) commit their data and empty the database after each
    test, territories included; reloading 36,000 rows each time would be slow, so they get the
    seed's départements only. pytest-django runs them after all the others.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if transactional or {"live_server", "transactional_db"} & set(request.fixturenames):
        call_command("load_territories", departement=SEED_DEPARTEMENTS, stdout=StringIO())
    elif not Territory.objects.communes().exists():
        call_command("load_territories", stdout=StringIO())


@pytest.fixture(scope="module")
def places(django_db_setup, django_db_blocker):
    """The communes of France as an import reads them (``Places``), read once for a module as an
    import reads them once per file.

    A test that asks for nothing else has no database of its own, so pytest-django runs it after the
    browser tests, which empty the territories: they are loaded again when they are missing.
    """
    with django_db_blocker.unblock():
        if not Territory.objects.communes().exists():
            call_command("load_territories", stdout=StringIO())
        return Places()


@pytest.fixture
def seed(territories):
    """The project's fixtures, loaded as the README's set-up loads them (after the territories)."""
    with deferred():
        call_command("loaddata", *SEED_FIXTURES, verbosity=0)


# --- Geocoding ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def empty_cache():
    """An empty cache before and after every test, so that no geocoding answer comes from another,
    and no count or map data either: the pages keep them under the catalogue's version, and a test
    rolled back leaves the version as the previous test found it."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ban(settings, db):
    """A local server on 127.0.0.1 that answers as the Base Adresse Nationale."""
    # db: a query that names a commune is answered from the territories table first.
    with serve_ban(settings, timeout=0.5) as server:
        yield server


@pytest.fixture
def nominatim(settings, db):
    """A local server on 127.0.0.1 that answers as Nominatim."""
    with serve_nominatim(settings) as server:
        yield server


# The territories of France are in the test database: Pernes (62652, postcode 62550, which serves
# 18 other communes too) and Lille (59350) are the real ones.
@pytest.fixture
def pernes(territories):
    return commune("62652")


@pytest.fixture
def lille(territories):
    return commune("59350")


# --- Browser -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls that tests make
    # around it are synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh page whose requests can only reach the test server: tiles and any other
    outside resource are refused, as on a machine without network."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    allowed_host = urlsplit(live_server.url).netloc

    def only_local(route):
        if urlsplit(route.request.url).netloc == allowed_host or route.request.url.startswith("data:"):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
