"""The Content-Security-Policy (django-csp): every page sends it, the inline scripts that the maps
need run with the nonce of their own response, and the tile server stays allowed."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.urls import reverse
from playwright.sync_api import expect

from config.settings.base import _tile_origin
from tests.factories import InitiativeFactory

# The types of <script> that a browser does not run (json_script's data blocks), which the
# policy does not concern.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def policy_of(response):
    """The response's Content-Security-Policy as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    policy = {}
    for directive in filter(None, (part.strip() for part in header.split(";"))):
        name, *sources = directive.split()
        policy[name] = sources
    return policy


def nonce_of(policy):
    nonces = [source for source in policy["script-src"] if source.startswith("'nonce-")]
    assert len(nonces) == 1, policy["script-src"]
    return nonces[0].removeprefix("'nonce-").removesuffix("'")


class _InlineScripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.nonces = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") not in DATA_SCRIPT_TYPES:
            self.nonces.append(attrs.get("nonce"))


def inline_script_nonces(response):
    """The nonce attribute of each inline script the browser would run (None when missing)."""
    parser = _InlineScripts()
    parser.feed(response.content.decode())
    return parser.nonces


def tile_origins():
    """Where the configured tiles come from, read straight from LEAFLET_CONFIG (MAP_TILES_URL)."""
    origins = set()
    for _label, url, _options in settings.LEAFLET_CONFIG["TILES"]:
        parts = urlsplit(str(url))
        if parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return origins


def assert_map_scripts_carry_the_header_nonce(response, expected_scripts):
    assert response.status_code == 200
    nonce = nonce_of(policy_of(response))
    assert len(nonce) >= 22  # 16 random bytes, base64
    # django-leaflet's map (and admin widget) scripts: each one carries this response's nonce.
    assert inline_script_nonces(response) == [nonce] * expected_scripts


# --- The header --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_page_map_script_runs_with_the_nonce_of_the_header(client):
    InitiativeFactory()

    response = client.get(reverse("catalogue:map"))

    assert_map_scripts_carry_the_header_nonce(response, expected_scripts=1)


@pytest.mark.django_db
def test_fiche_map_script_runs_with_the_nonce_of_the_header(client):
    initiative = InitiativeFactory(location=Point(2.41, 50.48, srid=4326))

    response = client.get(initiative.get_absolute_url())

    assert_map_scripts_carry_the_header_nonce(response, expected_scripts=1)


@pytest.mark.parametrize("page", ["add", "change", "history version"])
def test_admin_map_widget_scripts_run_with_the_nonce_of_the_header(curator_client, page):
    initiative = InitiativeFactory()
    url = {
        "add": reverse("admin:catalogue_initiative_add"),
        "change": reverse("admin:catalogue_initiative_change", args=[initiative.pk]),
        # django-simple-history's form to revert to a version shows the same map widget.
        "history version": reverse(
            "admin:catalogue_initiative_simple_history",
            args=[initiative.pk, initiative.history.earliest().history_id],
        ),
    }[page]

    response = curator_client.get(url)

    # The widget's own script, then the map it creates.
    assert_map_scripts_carry_the_header_nonce(response, expected_scripts=2)


@pytest.mark.django_db
def test_each_response_gets_its_own_nonce(client):
    url = InitiativeFactory().get_absolute_url()

    first, second = (nonce_of(policy_of(client.get(url))) for _ in range(2))

    assert first != second


@pytest.mark.django_db
def test_policy_allows_the_tile_server_and_no_inline_code_without_nonce(client):
    policy = policy_of(client.get(reverse("catalogue:map")))

    assert tile_origins()  # the default tiles come from a server of their own
    assert tile_origins() <= set(policy["img-src"])
    assert {"'self'", "data:"} <= set(policy["img-src"])
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["default-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


@pytest.mark.parametrize(
    "tiles_url, origin",
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        (
            "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
            "https://data.geopf.fr",
        ),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("http://tiles.example.org:8080/{z}/{x}/{y}.png", "http://tiles.example.org:8080"),
        ("https://user:secret@tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"),
        ("/tiles/{z}/{x}/{y}.png", None),  # on this site: 'self' already allows it
    ],
)
def test_the_tile_origin_follows_map_tiles_url(tiles_url, origin):
    assert _tile_origin(tiles_url) == origin


# --- In Chromium -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_maps_show_their_markers_without_any_csp_violation(page, live_server):
    """Chromium reports each thing the policy blocks (a script, a style, an image from a server
    it does not list) on the console. Tiles are refused by the test's network, not by the policy,
    so a tile origin missing from img-src would show up here too."""
    initiative = InitiativeFactory(name="La Fabrique", location=Point(2.41, 50.48, srid=4326))
    messages = []
    page.on("console", lambda message: messages.append(message.text))

    for path in [reverse("catalogue:map"), initiative.get_absolute_url()]:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator(".leaflet-marker-icon").first).to_be_visible()

        violations = [text for text in messages if "Content Security Policy" in text]
        assert violations == [], path
