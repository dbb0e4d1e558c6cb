"""Shared fixtures: users, the seed fixtures, and a real Chromium driven by Playwright."""

import os
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from catalogue.management.commands.load_seed import SEED_FIXTURES
from tests.factories import CuratorFactory, UserFactory

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


@pytest.fixture
def seed(db):
    """The project's fixtures, loaded as the README's set-up loads them."""
    call_command("loaddata", *SEED_FIXTURES, verbosity=0)


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
