"""A fiche that can be forwarded and printed: what search engines read in it (schema.org JSON-LD),
the "Report a correction" link, the notice on demonstration entries, and what prints."""

import datetime
import json
from html.parser import HTMLParser

import pytest
from django.contrib.gis.geos import Point
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from catalogue.models import Initiative, InitiativeLever
from tests.factories import (
    CommuneFactory,
    FundingFactory,
    InitiativeFactory,
    KindFactory,
    LegalEntityFactory,
    LeverFactory,
    MilestoneFactory,
    PartnershipFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

DEMO_NOTICE = "Demonstration entry: this initiative is made up to try the site out."


class Page(HTMLParser):
    """The parts of a page that these tests look at, read as a browser's parser reads them: a
    script element ends at the first "</script", whatever JSON it was meant to hold."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.scripts = []  # (attributes, text)
        self.elements = []  # (tag, attributes)
        self._script = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag == "script":
            self._script = (attributes, [])

    def handle_data(self, data):
        if self._script is not None:
            self._script[1].append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            attributes, parts = self._script
            self.scripts.append((attributes, "".join(parts)))
            self._script = None

    def json_ld(self):
        return [(attrs, text) for attrs, text in self.scripts if attrs.get("type") == "application/ld+json"]

    def find(self, tag, css_class):
        return [
            attrs
            for name, attrs in self.elements
            if name == tag and css_class in attrs.get("class", "").split()
        ]


def get_page(client, initiative):
    response = client.get(initiative.get_absolute_url())
    assert response.status_code == 200
    return response, Page(response.content.decode())


def the_json_ld(client, initiative):
    _response, page = get_page(client, initiative)
    [(_attrs, text)] = page.json_ld()
    return json.loads(text)


def empty_values(data, path="$"):
    """Where ``data`` holds an empty string, list, dict or None."""
    if data in ("", None, [], {}):
        return [path]
    if isinstance(data, dict):
        return [found for key, value in data.items() for found in empty_values(value, f"{path}.{key}")]
    if isinstance(data, list):
        return [found for n, value in enumerate(data) for found in empty_values(value, f"{path}[{n}]")]
    return []


@pytest.fixture
def commune(db):
    return CommuneFactory(
        name="Pernes", postcodes=["62550", "62551"], departement__region__name="Hauts-de-France"
    )


@pytest.fixture
def initiative(commune):
    initiative = InitiativeFactory(
        name="Cirque du Ternois",
        summary="Une école de cirque qui devient tiers-lieu rural.",
        commune=commune,
        address="Zone d'activités, 62550 Pernes",
        location=Point(2.4109, 50.4838, srid=4326),
        website="https://www.example.org/cirque",
        public_email="contact@example.org",
        phone="03 21 00 00 00",
        started_year=2016,
        verified_on=datetime.date(2018, 5, 15),
        kinds=[KindFactory(label="Tiers-lieu"), KindFactory(label="École de cirque")],
    )
    initiative.themes.set([ThemeFactory(label="Culture")])
    return initiative


# --- Structured data ----------------------------------------------------------------------------


def test_json_ld_describes_the_initiative_its_address_and_its_place(client, initiative):
    data = the_json_ld(client, initiative)

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == ["Place", "Organization"]
    assert data["name"] == "Cirque du Ternois"
    assert data["description"] == "Une école de cirque qui devient tiers-lieu rural."
    assert data["url"] == f"http://testserver{initiative.get_absolute_url()}"
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "Zone d'activités, 62550 Pernes",
        "addressLocality": "Pernes",
        "postalCode": "62550",
        "addressRegion": "Hauts-de-France",
        "addressCountry": "FR",
    }
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 50.4838, "longitude": 2.4109}
    assert data["sameAs"] == "https://www.example.org/cirque"
    assert data["email"] == "contact@example.org"
    assert data["telephone"] == "03 21 00 00 00"
    assert data["foundingDate"] == "2016"
    assert data["keywords"] == ["Tiers-lieu", "École de cirque", "Culture"]
    initiative.refresh_from_db()
    assert data["mainEntityOfPage"] == {
        "@type": "WebPage",
        "@id": data["url"],
        "dateModified": initiative.updated_at.isoformat(),
    }
    assert empty_values(data) == []


def test_json_ld_script_carries_the_nonce_of_the_page(client, initiative):
    response, page = get_page(client, initiative)

    [(attrs, _text)] = page.json_ld()
    assert attrs["nonce"]
    assert f"'nonce-{attrs['nonce']}'" in response["Content-Security-Policy"]


def test_json_ld_leaves_out_what_the_entry_does_not_say(client):
    bare = InitiativeFactory(name="Projet sans détails", summary="", commune=None, location=None)

    data = the_json_ld(client, bare)

    assert data["name"] == "Projet sans détails"
    assert empty_values(data) == []
    for key in ["description", "address", "geo", "sameAs", "email", "telephone", "image", "foundingDate"]:
        assert key not in data, key
    assert "keywords" not in data


def test_json_ld_of_a_seed_entry_gives_its_commune_postcode_and_coordinates(client, seed):
    cirque = Initiative.objects.published().get(slug="cirquen-cavale")

    data = the_json_ld(client, cirque)

    assert data["name"] == "Cirqu'en-Cavale"
    assert data["url"] == "http://testserver/initiatives/cirquen-cavale/"
    assert data["address"]["addressLocality"] == "Pernes"
    assert data["address"]["postalCode"] == "62550"
    assert data["address"]["addressRegion"] == "Hauts-de-France"
    assert data["geo"]["latitude"] == pytest.approx(50.4838)
    assert data["geo"]["longitude"] == pytest.approx(2.4109)
    assert data["sameAs"] == "http://www.cirquencavale.com/"
    assert empty_values(data) == []


def test_curator_text_cannot_close_the_json_ld_script(client, initiative):
    summary = "Un lieu </script><script>alert(1)</script> & <!-- fin"
    initiative.summary = summary
    initiative.name = "Café </SCRIPT><script>alert(2)</script>"
    initiative.save()

    response, page = get_page(client, initiative)

    [(_attrs, text)] = page.json_ld()
    data = json.loads(text)
    assert data["description"] == summary
    assert data["name"] == initiative.name
    others = [text for attrs, text in page.scripts if attrs.get("type") != "application/ld+json"]
    assert not any("alert(" in text for text in others)
    assert "<script>alert(" not in response.content.decode()


# --- Queries -------------------------------------------------------------------------------------


def test_json_ld_reads_only_what_the_fiche_prefetched(rf, initiative, django_assert_num_queries):
    loaded = Initiative.objects.published().for_fiche().get(pk=initiative.pk)
    template = Template("{% load catalogue_tags %}{% initiative_json_ld initiative %}")

    with django_assert_num_queries(0):
        html = template.render(Context({"initiative": loaded, "request": rf.get("/")}))

    assert "Pernes" in html and "Culture" in html


def with_related_rows(initiative, count):
    initiative.kinds.set([KindFactory() for _ in range(count)])
    initiative.themes.set([ThemeFactory() for _ in range(count)])
    for n in range(count):
        PartnershipFactory(initiative=initiative)
        LegalEntityFactory(initiative=initiative)
        FundingFactory(initiative=initiative)
        MilestoneFactory(initiative=initiative, year=2000 + n)
        InitiativeLever.objects.create(initiative=initiative, lever=LeverFactory())
    return initiative


def test_fiche_makes_as_many_queries_with_one_or_many_kinds_themes_and_partners(
    client, commune, django_assert_num_queries
):
    one = with_related_rows(InitiativeFactory(commune=commune), 1)
    many = with_related_rows(InitiativeFactory(commune=commune), 6)
    client.get(one.get_absolute_url())  # what a first request caches (content types…) is not counted
    # Both fiches compute their comparable projects (kept in the cache otherwise).
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(one.get_absolute_url()).status_code == 200

    cache.clear()
    with django_assert_num_queries(len(queries)):
        response = client.get(many.get_absolute_url())

    [(_attrs, text)] = Page(response.content.decode()).json_ld()
    assert len(json.loads(text)["keywords"]) == 12


# --- Reporting a correction ---------------------------------------------------------------------


def test_correction_link_opens_the_correction_form_of_this_fiche(client, initiative):
    _response, page = get_page(client, initiative)
    [link] = page.find("a", "correction-link")

    assert link["href"] == reverse("contributions:correction", kwargs={"slug": initiative.slug})
    assert client.get(link["href"]).status_code == 200


def test_correction_section_is_in_the_aside_next_to_the_verification_date(client, initiative):
    html = client.get(initiative.get_absolute_url()).content.decode()
    aside = html.split('<aside class="fiche__aside"', 1)[1].split("</aside>", 1)[0]

    with translation.override("fr"):
        assert translation.gettext("A mistake, something missing?") in aside
        assert translation.gettext("Report a correction") in aside
    assert "15 mai 2018" in aside


# --- Demonstration entries ---------------------------------------------------------------------


def test_demo_notice_shows_on_demo_entries_only(client):
    demo = InitiativeFactory(is_demo=True)
    real = InitiativeFactory()
    with translation.override("fr"):
        notice = translation.gettext(DEMO_NOTICE)

    demo_response, demo_page = get_page(client, demo)
    real_response, real_page = get_page(client, real)

    assert len(demo_page.find("p", "demo-notice")) == 1
    assert notice in demo_response.content.decode()
    assert real_page.find("p", "demo-notice") == []
    assert notice not in real_response.content.decode()


def test_demo_entries_are_kept_out_of_search_engines(client):
    _response, demo_page = get_page(client, InitiativeFactory(is_demo=True))
    _response, real_page = get_page(client, InitiativeFactory())

    assert ("meta", {"name": "robots", "content": "noindex"}) in demo_page.elements
    assert demo_page.json_ld() == []
    assert ("meta", {"name": "robots", "content": "noindex"}) not in real_page.elements
    assert len(real_page.json_ld()) == 1


# --- Printing ------------------------------------------------------------------------------------


def test_print_stylesheet_hides_what_only_works_on_a_screen_and_shows_link_targets(client, initiative):
    _response, page = get_page(client, initiative)
    [href] = [
        attrs["href"]
        for tag, attrs in page.elements
        if tag == "link" and attrs.get("rel") == "stylesheet" and attrs.get("media") == "print"
    ]
    css = open(finders.find(href.removeprefix("/static/"))).read()

    for selector in [".site-nav", ".language-switcher", ".skip-link", ".back-link", ".print-button"]:
        assert selector in css.split("{ display: none !important; }", 1)[0], selector
    assert ".fiche .map, .fiche .map-fallback { display: none !important; }" in css
    assert 'a[href^="http"]::after' in css and 'content: " (" attr(href) ")"' in css
    assert "break-inside: avoid" in css


def test_printed_fiche_gives_its_web_address_and_the_coordinates_instead_of_the_map(client, initiative):
    html = client.get(initiative.get_absolute_url()).content.decode()

    online = html.split('class="fiche__online print-only">', 1)[1].split("</p>", 1)[0]
    assert online == f"Cette fiche en ligne : http://testserver{initiative.get_absolute_url()}"
    assert '<p class="print-only">Coordonnées GPS : latitude 50.48380, longitude 2.41090</p>' in html


@pytest.mark.parametrize("location", [Point(2.41, 50.48, srid=4326), None])
def test_print_button_is_hidden_until_its_script_runs_with_or_without_a_map(client, location):
    _response, page = get_page(client, InitiativeFactory(location=location, commune=None))

    [button] = page.find("button", "print-button")
    assert "hidden" in button
    assert any(attrs.get("src", "").endswith("js/print-button.js") for attrs, _text in page.scripts)


def test_fiche_runs_no_inline_script_without_the_nonce(client, initiative):
    response, page = get_page(client, initiative)

    nonce = page.json_ld()[0][0]["nonce"]
    inline = [
        (attrs, text)
        for attrs, text in page.scripts
        if text.strip() and attrs.get("type") not in ("application/json", "application/ld+json")
    ]
    assert inline  # the map's script, at least: the loop below is not over nothing
    for attrs, text in inline:
        assert attrs.get("nonce") == nonce, text[:80]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_chromium_the_print_button_prints_and_paper_gets_coordinates_instead_of_the_map(page, live_server):
    initiative = InitiativeFactory(
        name="La Fabrique",
        location=Point(2.41, 50.48, srid=4326),
        description="Présentée à [l'atelier](https://rnit.example.org/atelier).",
    )
    page.goto(f"{live_server.url}{initiative.get_absolute_url()}")
    button = page.locator(".print-button")
    expect(button).to_be_visible()
    expect(page.locator("#initiative-map")).to_be_visible()
    expect(page.locator(".print-only").first).to_be_hidden()

    page.evaluate("window.print = () => { window.printed = true; }")
    button.click()
    assert page.evaluate("window.printed") is True

    page.emulate_media(media="print")
    for hidden in ["#initiative-map", ".print-button", ".site-nav", ".language-switcher", ".back-link"]:
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator(".fiche__correction")).to_be_hidden()
    expect(page.get_by_text("50.48000")).to_be_visible()
    expect(page.locator(".fiche__online")).to_contain_text(initiative.get_absolute_url())
    after = page.evaluate("getComputedStyle(document.querySelector('.prose a'), '::after').content")
    assert "https://rnit.example.org/atelier" in after


def test_json_ld_gives_the_postcode_the_address_names_among_its_commune_s(client, lille):
    fives = InitiativeFactory(
        name="Friche de Fives", commune=lille, address="12 rue Pierre-Legrand, 59800 Lille"
    )
    somewhere = InitiativeFactory(name="Quelque part à Lille", commune=lille, address="Rue Nationale")

    assert the_json_ld(client, fives)["address"]["postalCode"] == "59800"
    # Lille has five postcodes: without one in the address, none is given rather than a wrong one.
    assert "postalCode" not in the_json_ld(client, somewhere)["address"]
