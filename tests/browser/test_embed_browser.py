"""The embeddable map in a real Chromium: framed by a page of another site (a small HTTP server on
another local port), its map and list load, each fiche opens in a new tab, and on a phone it stays
usable; the list page, framed the same way, is refused. The builder updates its code and its
preview as choices are made, and works without JavaScript. Tiles and every other outside request
are refused, as on a machine without network."""

import threading
from contextlib import contextmanager
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.accessibility import axe_violations, format_violations
from tests.factories import InitiativeFactory, KindFactory, NetworkFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _(text):
    """``text`` as the browser reads it: its context's locale is French, whatever language an earlier
    test of this worker left active (the test client's requests activate theirs)."""
    with translation.override("fr"):
        return translation.gettext(text)


EMBED = reverse("catalogue:embedded-map")
BUILDER = reverse("catalogue:embed")


@pytest.fixture
def entries(pernes):
    """Two tiers-lieux of the network "Réseau Lutin" far enough apart to be two markers, and an
    entry of another network that a map of Lutin's must not show."""
    lutin = NetworkFactory(name="Réseau Lutin", slug="lutin")
    tiers_lieu = KindFactory(label="Tiers-lieu", slug="tiers-lieu")
    cirque = InitiativeFactory(
        name="Cirqu'en-Cavale", commune=pernes, location=pernes.centre, networks=[lutin], kinds=[tiers_lieu]
    )
    bazaar = InitiativeFactory(
        name="Saint So Bazaar", location=Point(3.07, 50.62, srid=4326), networks=[lutin], kinds=[tiers_lieu]
    )
    InitiativeFactory(
        name="Le Fab d'ailleurs",
        location=Point(3.13, 50.54, srid=4326),
        networks=[NetworkFactory(name="CAP Rural", slug="cap")],
        kinds=[KindFactory(label="Fab-lab", slug="fab-lab")],
    )
    return {"cirque": cirque, "bazaar": bazaar}


class _HostPage(BaseHTTPRequestHandler):
    """Another site: its one page frames the URL it was given."""

    def do_GET(self):
        body = (
            "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<title>Le site de la commune</title></head><body><h1>Les tiers-lieux près de chez vous</h1>"
            f'<iframe src="{escape(self.server.framed)}" title="Carte" width="100%" height="500" '
            'loading="lazy" style="border:0"></iframe></body></html>'
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def host_site(framed):
    """A site on 127.0.0.1, another port (so another origin) than the live server's, whose page
    frames ``framed``; yields the page's URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HostPage)
    server.framed = framed
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def browsing(browser, live_server, host_url, **options):
    """A page whose requests reach only the live server and the host site (no tiles), with the
    console's messages and the scripts' errors of every frame collected."""
    allowed = {urlsplit(live_server.url).netloc, urlsplit(host_url).netloc}
    context = browser.new_context(locale="fr-FR", **options)
    context.route(
        "**/*",
        lambda route: route.continue_() if urlsplit(route.request.url).netloc in allowed else route.abort(),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.console_messages, page.errors = [], []
    page.on("console", lambda message: page.console_messages.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()


def framed_map(page):
    frame = page.frame_locator("iframe")
    frame.locator('#embedded-map[aria-busy="false"]').wait_for()
    return frame


def test_another_sites_page_shows_the_embedded_map_and_its_list(browser, live_server, entries):
    with (
        host_site(f"{live_server.url}{EMBED}?reseau=lutin") as host_url,
        browsing(browser, live_server, host_url, viewport={"width": 1100, "height": 800}) as page,
    ):
        page.goto(host_url)
        frame = framed_map(page)

        expect(frame.locator(".leaflet-marker-icon")).to_have_count(2)
        for name in ("Cirqu'en-Cavale", "Saint So Bazaar"):
            expect(frame.locator(f'.leaflet-marker-icon[alt="{name}"]')).to_have_count(1)
        expect(frame.locator(".embed-card__name")).to_have_count(2)
        expect(frame.locator(".embed-list")).to_contain_text("Cirqu'en-Cavale")
        expect(frame.locator(".embed-list")).to_contain_text("Saint So Bazaar")
        expect(frame.locator(".embed-list")).not_to_contain_text("Le Fab d'ailleurs")
        expect(frame.locator("#embedded-map-status")).to_be_empty()
        # Wide enough: the map beside the list, both inside the frame.
        frame_box = page.locator("iframe").bounding_box()
        map_box = frame.locator("#embedded-map").bounding_box()
        list_box = frame.locator(".embed__list").bounding_box()
        assert map_box["height"] > 400 and list_box["x"] >= map_box["x"] + map_box["width"] - 1
        assert map_box["y"] + map_box["height"] <= frame_box["y"] + frame_box["height"] + 1
        # The map's own controls stay in the frame, though its links open in a new tab.
        frame.locator(".leaflet-control-zoom-in").click()
        frame.locator('#embedded-map[aria-busy="false"]').wait_for()
        assert page.context.pages == [page] and page.url == host_url
        assert [text for text in page.console_messages if "Content Security Policy" in text] == []
        assert page.errors == []


def test_a_fiche_of_the_embedded_map_opens_on_the_site_in_a_new_tab(browser, live_server, entries):
    fiche_url = live_server.url + entries["bazaar"].get_absolute_url()
    with (
        host_site(f"{live_server.url}{EMBED}?reseau=lutin") as host_url,
        browsing(browser, live_server, host_url, viewport={"width": 1100, "height": 800}) as page,
    ):
        page.goto(host_url)
        frame = framed_map(page)

        with page.context.expect_page() as opened:
            frame.get_by_role("link", name="Saint So Bazaar").click()
        fiche = opened.value
        fiche.wait_for_load_state()
        assert fiche.url == fiche_url
        expect(fiche.get_by_role("heading", level=1)).to_have_text("Saint So Bazaar")
        fiche.close()
        # The host's page and its frame stay where they were.
        assert page.url == host_url
        expect(frame.locator(".embed-list")).to_contain_text("Cirqu'en-Cavale")

        # A marker's popup does the same.
        frame.locator('.leaflet-marker-icon[alt="Cirqu\'en-Cavale"]').click()
        # Near the frame's edge, the popup pans the map to show itself, and stays open.
        page.wait_for_timeout(1000)
        expect(frame.locator(".leaflet-popup-content")).to_contain_text("Cirqu'en-Cavale")
        popup_link = frame.locator(".leaflet-popup-content a")
        expect(popup_link).to_have_attribute("target", "_blank")
        with page.context.expect_page() as opened:
            popup_link.click()
        fiche = opened.value
        fiche.wait_for_load_state()
        assert fiche.url == live_server.url + entries["cirque"].get_absolute_url()
        assert page.url == host_url
        assert page.errors == []


def test_the_embedded_map_stays_usable_on_a_phone(browser, live_server, entries):
    with (
        host_site(f"{live_server.url}{EMBED}?reseau=lutin") as host_url,
        browsing(
            browser, live_server, host_url, viewport={"width": 375, "height": 700}, is_mobile=True
        ) as page,
    ):
        page.goto(host_url)
        frame = framed_map(page)

        expect(frame.locator(".leaflet-marker-icon")).to_have_count(2)
        frame_box = page.locator("iframe").bounding_box()
        map_box = frame.locator("#embedded-map").bounding_box()
        # The map as wide as the frame, the list under it, reached by scrolling inside the frame.
        assert map_box["width"] >= frame_box["width"] - 2
        assert 150 < map_box["height"] < frame_box["height"]
        first = frame.get_by_role("link", name="Cirqu'en-Cavale")
        assert first.bounding_box()["y"] > map_box["y"] + map_box["height"] - 1
        first.scroll_into_view_if_needed()
        expect(first).to_be_in_viewport()


def test_another_site_cannot_frame_the_list_page(browser, live_server, entries):
    """The control of the tests above: the same host page, framing a page of the site that keeps
    ``frame-ancestors 'none'``, gets nothing."""
    with (
        host_site(f"{live_server.url}/?reseau=lutin") as host_url,
        browsing(browser, live_server, host_url) as page,
    ):
        page.goto(host_url)
        page.wait_for_load_state("load")

        expect(page.get_by_role("heading", level=1)).to_have_text("Les tiers-lieux près de chez vous")
        page.wait_for_timeout(500)
        assert page.frame_locator("iframe").locator("#initiatives-map").count() == 0
        assert any("frame-ancestors" in text for text in page.console_messages), page.console_messages


def test_the_embedded_map_has_no_serious_accessibility_violation(page, live_server, entries):
    page.goto(f"{live_server.url}{EMBED}?reseau=lutin")
    expect(page.locator("#embedded-map .leaflet-marker-icon")).to_have_count(2)

    violations = axe_violations(page)
    assert violations == [], format_violations(violations, "the embedded map")


# --- The builder ---------------------------------------------------------------------------------


def test_the_list_pages_link_takes_the_filters_on_screen_to_the_builder(page, live_server, entries):
    page.goto(live_server.url + "/")
    page.locator('#initiatives-map[aria-busy="false"]').wait_for()
    # Filters applied by the page's script, without reloading it.
    page.locator("#facet-reseau > summary").click()
    page.get_by_label("Réseau Lutin").check()
    expect(page.locator(".initiative-card__name")).to_have_count(2)

    page.get_by_role("link", name=_("Embed this map on your site")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(_("Embed the map on your site"))
    assert urlsplit(page.url).path == BUILDER
    assert parse_qs(urlsplit(page.url).query) == {"reseau": ["lutin"]}
    expect(page.get_by_label("Réseau Lutin")).to_be_checked()
    assert snippet_query(page)[1] == {"reseau": ["lutin"]}


def snippet_query(page):
    """The query string of the map in the builder's code, as a dict of lists."""
    code = page.locator("#embed-snippet").input_value()
    src = code.split('src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    return urlsplit(src), parse_qs(urlsplit(src).query)


def test_choosing_in_the_builder_updates_the_code_and_the_preview(page, live_server, entries, pernes):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url + BUILDER)
    expect(page.get_by_role("button", name=_("Copy"))).to_be_visible()
    src, query = snippet_query(page)
    assert (src.netloc, src.path, query) == (urlsplit(live_server.url).netloc, EMBED, {})

    page.get_by_label("Réseau Lutin").check()

    expect(page.locator("#embed-preview")).to_have_attribute("src", f"{EMBED}?reseau=lutin")
    assert snippet_query(page)[1] == {"reseau": ["lutin"]}
    assert parse_qs(urlsplit(page.url).query) == {"reseau": ["lutin"]}
    preview = page.frame_locator("#embed-preview")
    expect(preview.locator(".embed-card__name")).to_have_count(2)

    # A place, read as the server reads it: the code names the commune by its label.
    page.locator("#id_territoire").fill("pernes")
    page.locator("#id_territoire").press("Tab")
    expect(page.locator("#embed-territory-help")).to_contain_text(str(pernes))
    assert snippet_query(page)[1] == {"reseau": ["lutin"], "territoire": [str(pernes)]}
    expect(preview.locator(".embed-card__name")).to_have_count(1)
    expect(preview.locator(".embed-card__name")).to_contain_text("Cirqu'en-Cavale")

    page.get_by_role("button", name=_("Copy")).click()
    expect(page.locator("#embed-copy-status")).to_have_text(_("The code is copied: paste it in your page."))
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == page.locator("#embed-snippet").input_value()
    # The HTML to paste, its "&" written as HTML writes them in an attribute.
    assert copied.startswith(f'<iframe src="{live_server.url}{EMBED}?') and "&amp;" in copied

    violations = axe_violations(page)
    assert violations == [], format_violations(violations, "the embed builder")


def test_the_builder_works_without_javascript(browser, live_server, entries):
    with browsing(browser, live_server, live_server.url, java_script_enabled=False) as page:
        page.goto(live_server.url + BUILDER)
        expect(page.get_by_role("button", name=_("Copy"))).to_be_hidden()

        page.get_by_label("Tiers-lieu").check()
        page.get_by_role("button", name=_("Show the code of this map")).click()

        assert snippet_query(page)[1] == {"type": ["tiers-lieu"]}
        expect(page.frame_locator("#embed-preview").locator(".embed-card__name")).to_have_count(2)
        expect(page.frame_locator("#embed-preview").locator(".map-fallback")).to_be_visible()
