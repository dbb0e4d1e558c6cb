"""The public map in a real Chromium: markers, popups, links to fiches, and the page without
JavaScript. Tiles and every other outside request are refused, as on a machine without network,
so these tests also show that the page stays usable when tiles cannot load."""

from urllib.parse import urlsplit

import pytest
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

from catalogue.models import Initiative, LegalEntity, Partnership, Stage
from tests.factories import (
    CommuneFactory,
    FundingFactory,
    FundingToolFactory,
    InitiativeFactory,
    KindFactory,
    LegalEntityFactory,
    LegalFormFactory,
    MilestoneFactory,
    OrganizationFactory,
    PartnershipFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XSS_NAME = "<img src=x onerror=alert(1)>"


@pytest.fixture
def catalogue_entries(db):
    """Three published initiatives far enough apart to click each marker, and entries the
    public must not see."""
    tiers_lieu = KindFactory(label="Tiers-lieu")
    published = [
        InitiativeFactory(
            name="Cirqu'en-Cavale",
            summary="Une école de cirque qui devient tiers-lieu rural.",
            commune=CommuneFactory(name="Pernes"),
            location=Point(2.41, 50.48, srid=4326),
            kinds=[tiers_lieu],
            surface_m2=4500,
            description="Un lieu **fixe** pour l'école de cirque, présenté à [l'atelier](https://rnit.example.org/).",
        ),
        InitiativeFactory(
            name="Saint So Bazaar",
            summary="Une gare de marchandises devenue lieu de vie.",
            commune=CommuneFactory(name="Lille"),
            location=Point(3.07, 50.62, srid=4326),
            kinds=[tiers_lieu],
        ),
        InitiativeFactory(
            name="La Passerelle",
            summary="La maison des entreprises de la Pévèle.",
            commune=CommuneFactory(name="Ennevelin"),
            location=Point(3.13, 50.54, srid=4326),
        ),
    ]
    cirque = published[0]
    cirque.jobs_fte, cirque.investment_eur, cirque.stage = 9, 1_200_000, Stage.PREFIGURATION
    cirque.sources = "Atelier n°4 du RNIT, Montpellier, 15 mai 2018.\nhttp://www.cirquencavale.com/"
    cirque.website = "http://www.cirquencavale.com/"
    cirque.save()
    for name, form, role in [
        ("Cirqu'en-Cavale", "Association loi 1901", LegalEntity.Role.PROJECT_HOLDER),
        ("SCI du lieu fixe", "SCI", LegalEntity.Role.OWNER),
        ("SCIC d'animation", "SCIC", LegalEntity.Role.OPERATOR),
    ]:
        LegalEntityFactory(initiative=cirque, name=name, legal_form=LegalFormFactory(label=form), role=role)
    PartnershipFactory(
        initiative=cirque,
        organization=OrganizationFactory(name="Ternois Com"),
        role=Partnership.Role.LANDOWNER,
    )
    FundingFactory(
        initiative=cirque,
        tool=FundingToolFactory(label="FIDESS"),
        funder=OrganizationFactory(name="Nord Actif"),
        amount=30_000,
        year=2018,
    )
    MilestoneFactory(initiative=cirque, year=2016, title="Recherche d'un lieu fixe")
    MilestoneFactory(
        initiative=cirque,
        year=2018,
        title="Création de la SCIC",
        public_action="Facilités pour la vente du terrain de la zone d'activités.",
    )
    InitiativeFactory(name="Sans adresse connue", location=None)
    InitiativeFactory(name="Brouillon caché", status=Initiative.Status.DRAFT, location=Point(2.9, 50.3))
    return published


def open_map(page, url):
    """Opens the home page and waits until its script has placed the markers."""
    page.goto(url)
    page.locator('#initiatives-map[aria-busy="false"]').wait_for()


def watch_errors(page):
    """The page's uncaught errors and dialogs: a test fails if any script broke or an alert ran."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    return errors


def test_home_shows_one_marker_per_published_located_initiative(page, live_server, catalogue_entries):
    errors = watch_errors(page)

    open_map(page, live_server.url + "/")

    expect(page.locator(".leaflet-marker-icon")).to_have_count(3)
    for initiative in catalogue_entries:
        expect(page.locator(f'.leaflet-marker-icon[alt="{initiative.name}"]')).to_have_count(1)
    # The map was fitted to the markers: all of them are inside the visible map.
    map_box = page.locator("#initiatives-map").bounding_box()
    assert map_box["height"] > 400
    for marker in page.locator(".leaflet-marker-icon").all():
        box = marker.bounding_box()
        assert map_box["x"] <= box["x"] <= map_box["x"] + map_box["width"]
        assert map_box["y"] <= box["y"] <= map_box["y"] + map_box["height"]
    expect(page.locator("#initiatives-map-status")).to_be_empty()
    assert errors == []


def test_marker_popup_shows_the_initiative_and_links_to_its_fiche(page, live_server, catalogue_entries):
    errors = watch_errors(page)
    open_map(page, live_server.url + "/")

    page.locator('.leaflet-marker-icon[alt="Cirqu\'en-Cavale"]').click()

    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    expect(popup.locator(".map-popup__name")).to_have_text("Cirqu'en-Cavale")
    expect(popup).to_contain_text("Pernes")
    # The map data stays small: the popup names the kinds; the summary is on the fiche.
    expect(popup.locator(".map-popup__kinds")).to_have_text("Tiers-lieu")

    popup.get_by_role("link").click()

    expect(page).to_have_url(live_server.url + catalogue_entries[0].get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Cirqu'en-Cavale")
    expect(page.locator("#initiative-map .leaflet-marker-icon")).to_have_count(1)
    assert page.locator("#initiative-map").bounding_box()["height"] > 200
    assert errors == []


def test_a_name_with_html_is_shown_as_text_in_the_popup(page, live_server):
    InitiativeFactory(
        name=XSS_NAME,
        kinds=[KindFactory(label="<b>pas du gras</b>")],
        location=Point(2.35, 48.85, srid=4326),
    )
    errors = watch_errors(page)
    open_map(page, live_server.url + "/")

    page.locator(".leaflet-marker-icon").click()

    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator(".map-popup__name")).to_have_text(XSS_NAME)
    expect(popup).to_contain_text("<b>pas du gras</b>")
    assert popup.locator("img, b").count() == 0
    assert errors == []


def test_home_works_without_javascript(browser, live_server, catalogue_entries):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    allowed_host = urlsplit(live_server.url).netloc
    context.route(
        "**/*",
        lambda route: route.continue_()
        if urlsplit(route.request.url).netloc == allowed_host
        else route.abort(),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server.url + "/")

        names = page.locator(".initiative-list .initiative-card__name a")
        expect(names).to_have_count(4)  # the three located ones and the one without a location
        expect(names).to_have_text(
            ["Cirqu'en-Cavale", "La Passerelle", "Saint So Bazaar", "Sans adresse connue"]
        )
        expect(page.locator(".initiative-list")).to_contain_text("Pernes")
        expect(page.locator(".initiative-list")).to_contain_text("Tiers-lieu")
        expect(page.locator(".initiative-list")).not_to_contain_text("Brouillon caché")
        expect(page.locator(".map-fallback")).to_be_visible()

        page.get_by_role("link", name="Saint So Bazaar").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Saint So Bazaar")
    finally:
        context.close()


def test_mobile_layout_puts_the_map_above_the_list(page, live_server, catalogue_entries):
    page.set_viewport_size({"width": 390, "height": 844})
    open_map(page, live_server.url + "/")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(3)

    map_box = page.locator("#initiatives-map").bounding_box()
    list_box = page.locator(".initiative-list").bounding_box()
    assert map_box["y"] + map_box["height"] <= list_box["y"]
    assert map_box["width"] <= 390
    # Nothing wider than the screen: no horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_skip_link_and_language_switcher_work_with_the_keyboard(page, live_server, catalogue_entries):
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    page.select_option("#language-select", "en")
    page.locator(".language-switcher button").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(3)


def test_fiche_prints_without_navigation_or_map_controls_and_with_link_addresses(
    page, live_server, catalogue_entries
):
    page.goto(live_server.url + catalogue_entries[0].get_absolute_url())
    expect(page.locator("#initiative-map .leaflet-control-zoom")).to_be_visible()

    page.emulate_media(media="print")

    expect(page.locator(".site-nav")).to_be_hidden()
    expect(page.locator(".language-switcher")).to_be_hidden()
    expect(page.locator("#initiative-map .leaflet-control-zoom")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".back-link")).to_be_hidden()
    printed_address = page.locator(".prose a").evaluate("a => getComputedStyle(a, '::after').content")
    assert printed_address == '" (https://rnit.example.org/)"'
