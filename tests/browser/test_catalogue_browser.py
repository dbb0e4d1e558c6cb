"""The catalogue page in a real Chromium: filters, search, list and markers in agreement, the URL
holding the state (shared links, back button), the map area search, clusters, and the same page
without JavaScript. Outside requests (tiles) are refused, as in test_map_browser."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

from tests.factories import InitiativeFactory, KindFactory, LegalEntityFactory, LegalFormFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def entries(db):
    """Three initiatives far enough apart to be three markers; one is carried by an SCIC."""
    tiers_lieu = KindFactory(label="Tiers-lieu", slug="tiers-lieu")
    scic, association = (
        LegalFormFactory(label="SCIC", slug="scic"),
        LegalFormFactory(label="Association", slug="asso"),
    )
    cirque = InitiativeFactory(
        name="Cirqu'en-Cavale",
        summary="Une école de cirque qui devient tiers-lieu rural.",
        location=Point(2.41, 50.48, srid=4326),
        kinds=[tiers_lieu],
    )
    LegalEntityFactory(initiative=cirque, legal_form=scic)
    bazaar = InitiativeFactory(
        name="Saint So Bazaar",
        summary="Une gare devenue lieu de vie.",
        location=Point(3.07, 50.62, srid=4326),
    )
    LegalEntityFactory(initiative=bazaar, legal_form=association)
    InitiativeFactory(
        name="La Passerelle", summary="Maison des entreprises.", location=Point(3.13, 50.54, srid=4326)
    )
    return cirque


def open_catalogue(page, url):
    page.goto(url)
    page.locator('#initiatives-map[aria-busy="false"]').wait_for()


def list_names(page):
    return page.locator("#results .initiative-card__name a")


def query_of(page):
    return parse_qs(urlsplit(page.url).query)


def test_ticking_scic_updates_the_list_the_markers_and_the_url(page, live_server, entries):
    open_catalogue(page, live_server.url + "/")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(3)

    page.get_by_label(re.compile(r"^SCIC")).check()

    expect(list_names(page)).to_have_text(["Cirqu'en-Cavale"])
    expect(page.locator("#results-heading")).to_contain_text("1 initiative")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(page.locator('.leaflet-marker-icon[alt="Cirqu\'en-Cavale"]')).to_have_count(1)
    assert query_of(page)["forme"] == ["scic"]
    # The box keeps the keyboard focus after the page updated around it.
    expect(page.get_by_label(re.compile(r"^SCIC"))).to_be_focused()


def test_a_search_narrows_the_list_and_the_map(page, live_server, entries):
    open_catalogue(page, live_server.url + "/")

    page.get_by_role("searchbox").fill("cirque en cavale")
    page.get_by_role("searchbox").press("Enter")

    expect(list_names(page)).to_have_text(["Cirqu'en-Cavale"])
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    assert query_of(page)["q"] == ["cirque en cavale"]


def test_a_marker_of_the_filtered_map_opens_the_fiche(page, live_server, entries):
    open_catalogue(page, live_server.url + "/?forme=scic")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)

    page.locator('.leaflet-marker-icon[alt="Cirqu\'en-Cavale"]').click()
    page.locator(".leaflet-popup-content").get_by_role("link").click()

    expect(page).to_have_url(live_server.url + entries.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Cirqu'en-Cavale")


def test_the_back_button_restores_the_previous_filters(page, live_server, entries):
    open_catalogue(page, live_server.url + "/")
    page.get_by_label(re.compile(r"^SCIC")).check()
    expect(list_names(page)).to_have_count(1)

    page.go_back()

    expect(list_names(page)).to_have_count(3)
    expect(page.get_by_label(re.compile(r"^SCIC"))).not_to_be_checked()
    expect(page.locator(".leaflet-marker-icon")).to_have_count(3)

    page.go_forward()

    expect(list_names(page)).to_have_text(["Cirqu'en-Cavale"])
    expect(page.get_by_label(re.compile(r"^SCIC"))).to_be_checked()

    # From a fiche, back comes to the filtered page as it was.
    list_names(page).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cirqu'en-Cavale")
    page.go_back()
    expect(list_names(page)).to_have_text(["Cirqu'en-Cavale"])
    expect(page.get_by_label(re.compile(r"^SCIC"))).to_be_checked()


def test_search_in_this_area_limits_the_list_to_the_map(page, live_server, entries):
    open_catalogue(page, live_server.url + "/?zone=2.3,50.4,2.5,50.6")
    expect(list_names(page)).to_have_text(["Cirqu'en-Cavale"])

    # Zoomed out on the three markers, the button takes the new view.
    page.get_by_role("link", name="Enlever cette limite", exact=True).click()
    expect(list_names(page)).to_have_count(3)
    # The list comes before the map's new view: press once the three markers are in sight.
    expect(page.locator(".leaflet-marker-icon")).to_have_count(3)
    page.locator(".map-area-button").click()
    expect(page).to_have_url(re.compile(r"zone="))
    assert query_of(page)["zone"] != ["2.3,50.4,2.5,50.6"]
    expect(list_names(page)).to_have_count(3)


def test_many_initiatives_close_together_become_a_cluster_that_opens_on_click(page, live_server, entries):
    for number in range(30):
        InitiativeFactory(name=f"Lieu {number}", location=Point(5.0 + number / 1000, 45.0, srid=4326))
    open_catalogue(page, live_server.url + "/")

    cluster = page.locator(".map-cluster", has_text="30")
    expect(cluster).to_have_count(1)
    expect(cluster).to_have_attribute("aria-label", "30 initiatives ici : zoomer pour les voir")
    cluster.click()

    # Closer in, the cluster splits into smaller ones or single markers.
    expect(page.locator(".map-cluster", has_text="30")).to_have_count(0)
    expect(page.locator('.leaflet-marker-icon[alt="Lieu 0"], .map-cluster').first).to_be_visible()


def test_without_javascript_the_form_filters_the_list(browser, live_server, entries):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    host = urlsplit(live_server.url).netloc
    context.route(
        "**/*",
        lambda route: route.continue_() if urlsplit(route.request.url).netloc == host else route.abort(),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server.url + "/")
        expect(list_names(page)).to_have_count(3)

        page.locator("#filters-panel > summary").click()
        page.get_by_label(re.compile(r"^SCIC")).check()
        page.get_by_role("button", name="Appliquer les filtres").click()

        expect(list_names(page)).to_have_text(["Cirqu'en-Cavale"])
        assert query_of(page)["forme"] == ["scic"]
        expect(page.get_by_label(re.compile(r"^SCIC"))).to_be_checked()

        page.get_by_role("searchbox").fill("bazaar")
        page.get_by_role("button", name="Rechercher", exact=True).click()
        # The search and the legal form both apply: nothing is both.
        expect(list_names(page)).to_have_count(0)
        expect(page.locator(".results__empty")).to_be_visible()
    finally:
        context.close()
