"""What search engines read of the site: the sitemap (its index and its sections' pages), robots.txt,
and the structured data of a fiche whatever the text of the entry."""

import datetime
import json
import re
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from catalogue import sitemaps
from catalogue.models import Initiative
from tests.factories import (
    CommuneFactory,
    FundingToolFactory,
    InitiativeFactory,
    LeverFactory,
    NetworkFactory,
    ObstacleFactory,
    commune,
)

pytestmark = pytest.mark.django_db

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
Status = Initiative.Status


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def get_xml(client, url, **extra):
    """The parsed XML of ``url``, which must be a sitemap document."""
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return response, ElementTree.fromstring(body_of(response))


def index_locations(client, **extra):
    _response, root = get_xml(client, "/sitemap.xml", **extra)
    assert root.tag == f"{NS}sitemapindex"
    return [entry.find(f"{NS}loc").text for entry in root.findall(f"{NS}sitemap")]


def page_urls(client, location, **extra):
    """[(loc, lastmod or None)] of a section's page, given by its absolute URL."""
    _response, root = get_xml(client, urlsplit(location).path, **extra)
    assert root.tag == f"{NS}urlset"
    urls = []
    for url in root.findall(f"{NS}url"):
        assert {child.tag for child in url} <= {f"{NS}loc", f"{NS}lastmod"}
        lastmod = url.find(f"{NS}lastmod")
        urls.append((url.find(f"{NS}loc").text, None if lastmod is None else lastmod.text))
    return urls


def sitemap(client, **extra):
    """{section: [(loc, lastmod)]}, every page of every section, read by following the index."""
    sections = {}
    for location in index_locations(client, **extra):
        name = re.fullmatch(r".*/sitemap-([a-z]+)-\d+\.xml", location).group(1)
        sections.setdefault(name, []).extend(page_urls(client, location, **extra))
    return sections


def paths(urls):
    return [urlsplit(loc).path for loc, _lastmod in urls]


def fiche_path(initiative):
    return initiative.get_absolute_url()


def territory_path(kind, code):
    return f"/territoires/{kind}/{code}/"


# --- The sections ---------------------------------------------------------------------------------


@pytest.fixture
def catalogue(territories):
    """A real published entry in Pernes, serving Saint-Pol-sur-Ternoise; a draft in Lyon, one to
    review in Bordeaux and an archived one in Lille; a published demonstration entry in Marseille."""
    real = InitiativeFactory(name="La Fabrique de Pernes", commune=commune("62652"))
    real.territories_served.add(commune("62767"))
    others = {
        "draft": InitiativeFactory(status=Status.DRAFT, commune=commune("69123")),
        "review": InitiativeFactory(status=Status.REVIEW, commune=commune("33063")),
        "archived": InitiativeFactory(status=Status.ARCHIVED, commune=commune("59350")),
        # As generate_demo writes them: is_demo and a slug of its own.
        "demo": InitiativeFactory(slug="demo-0000001-cafe", is_demo=True, commune=commune("13055")),
    }
    return real, others


def test_index_lists_a_page_of_each_section_on_the_requests_host(client, settings, catalogue):
    settings.ALLOWED_HOSTS = ["catalogue.example.org"]

    locations = index_locations(client, HTTP_HOST="catalogue.example.org", secure=True)

    assert locations == [
        "https://catalogue.example.org/sitemap-pages-1.xml",
        "https://catalogue.example.org/sitemap-initiatives-1.xml",
        "https://catalogue.example.org/sitemap-territoires-1.xml",
        "https://catalogue.example.org/sitemap-outils-1.xml",
    ]
    for _section, urls in sitemap(client, HTTP_HOST="catalogue.example.org", secure=True).items():
        assert urls
        assert all(loc.startswith("https://catalogue.example.org/") for loc, _lastmod in urls)


def test_fiches_are_the_published_real_entries_with_their_last_change(client, catalogue):
    real, others = catalogue
    real.refresh_from_db()

    urls = sitemap(client)["initiatives"]

    assert urls == [
        (f"http://testserver{fiche_path(real)}", real.updated_at.replace(microsecond=0).isoformat())
    ]
    lastmod = datetime.datetime.fromisoformat(urls[0][1])
    assert lastmod == real.updated_at.replace(microsecond=0)
    assert client.get(fiche_path(real)).status_code == 200
    for initiative in others.values():
        assert fiche_path(initiative) not in paths(urls)


def test_territory_pages_are_those_with_a_published_real_entry_in_them_or_served(client, catalogue):
    pernes, served = commune("62652"), commune("62767")

    found = paths(sitemap(client)["territoires"])

    assert sorted(found) == sorted(
        {
            territory_path("commune", "62652"),
            territory_path("commune", "62767"),
            territory_path("epci", pernes.epci.code),
            territory_path("epci", served.epci.code),
            territory_path("departement", "62"),
            territory_path("region", "32"),
        }
    )
    # Lyon (a draft), Bordeaux (to review), Lille (archived), Marseille (a demonstration entry)
    # and their départements have pages that list nothing real: left out.
    for kind, code in [
        ("commune", "69123"),
        ("commune", "33063"),
        ("commune", "59350"),
        ("commune", "13055"),
    ]:
        assert territory_path(kind, code) not in found
    for departement in ("69", "33", "59", "13"):
        assert territory_path("departement", departement) not in found
    for path in found:
        assert client.get(path).status_code == 200, path


def test_entries_made_by_generate_demo_appear_nowhere(client, seed):
    call_command("generate_demo", count=5, stdout=StringIO())
    demo = list(Initiative.objects.filter(is_demo=True))
    assert len(demo) == 5

    sections = sitemap(client)

    listed = {path for urls in sections.values() for path in paths(urls)}
    assert not [path for path in listed if "/demo-" in path]
    seed_fiches = Initiative.objects.published().filter(is_demo=False)
    assert set(paths(sections["initiatives"])) == {fiche_path(initiative) for initiative in seed_fiches}
    # The demonstration entries' communes, unless a seed entry is there too.
    seed_communes = {initiative.commune_id for initiative in seed_fiches}
    for initiative in demo:
        if initiative.commune_id not in seed_communes:
            assert territory_path("commune", initiative.commune.code) not in listed


def test_toolbox_section_has_the_index_and_every_tool_lever_obstacle_and_network(client, catalogue):
    tool = FundingToolFactory(slug="dla")
    LeverFactory(slug="ami")
    ObstacleFactory(slug="silos")
    network = NetworkFactory(slug="cap-rural")

    found = paths(sitemap(client)["outils"])

    assert found[0] == "/leviers-et-outils/"
    for path in [
        tool.get_absolute_url(),
        "/leviers-et-outils/leviers/ami/",
        "/leviers-et-outils/freins/silos/",
        f"/reseaux/{network.slug}/",
        "/reseaux/reseau-des-tests/",
    ]:
        assert path in found, path
    assert len(found) == len(set(found))
    for path in found:
        assert client.get(path).status_code == 200, path


def test_pages_section_has_the_home_page_and_the_comparable_projects_form(client, catalogue):
    assert paths(sitemap(client)["pages"]) == ["/", "/comparables/"]


@pytest.mark.parametrize("limit, chunk, sizes", [(2, 5000, [2, 2, 1]), (3, 2, [3, 2])])
def test_a_section_beyond_its_limit_is_split_into_pages(client, monkeypatch, catalogue, limit, chunk, sizes):
    real, _others = catalogue
    more = [InitiativeFactory() for _ in range(4)]
    monkeypatch.setattr(sitemaps.Section, "limit", limit)
    monkeypatch.setattr(sitemaps, "CHUNK", chunk)  # rows read at a time

    locations = [loc for loc in index_locations(client) if "/sitemap-initiatives-" in loc]

    assert locations == [
        f"http://testserver/sitemap-initiatives-{page}.xml" for page in range(1, len(sizes) + 1)
    ]
    pages = [paths(page_urls(client, location)) for location in locations]
    assert [len(page) for page in pages] == sizes
    everyone = sorted([real, *more], key=lambda initiative: initiative.pk)
    assert [path for page in pages for path in page] == [fiche_path(initiative) for initiative in everyone]
    assert client.get(f"/sitemap-initiatives-{len(sizes) + 1}.xml").status_code == 404


def test_pages_are_counted_from_the_real_published_entries_with_or_without_demonstration_ones(
    client, monkeypatch, territories
):
    for _ in range(4):
        InitiativeFactory()
    InitiativeFactory(status=Status.DRAFT)
    monkeypatch.setattr(sitemaps.Section, "limit", 2)

    def pages():
        return [loc for loc in index_locations(client) if "/sitemap-initiatives-" in loc]

    assert len(pages()) == 2
    # A published demonstration entry: the real ones are then counted apart from it.
    InitiativeFactory(slug="demo-0000001-cafe", is_demo=True)
    assert len(pages()) == 2
    InitiativeFactory()
    assert len(pages()) == 3


@pytest.mark.parametrize(
    "path", ["/sitemap-inconnue-1.xml", "/sitemap-initiatives-0.xml", "/sitemap-initiatives-2.xml"]
)
def test_unknown_section_or_page_is_not_found(client, catalogue, path):
    assert client.get(path).status_code == 404


def test_empty_section_is_left_out_of_the_index_and_has_no_page(client, territories):
    locations = index_locations(client)

    assert not [loc for loc in locations if "initiatives" in loc or "territoires" in loc]
    assert client.get("/sitemap-initiatives-1.xml").status_code == 404


def test_section_pages_are_streamed_and_kept_out_of_search_results(client, catalogue):
    response = client.get("/sitemap-initiatives-1.xml")

    assert response.streaming
    assert b"<urlset" in body_of(response)
    assert response["X-Robots-Tag"] == "noindex, noarchive"
    assert client.get("/sitemap.xml")["X-Robots-Tag"] == "noindex, noarchive"


def test_urls_are_written_as_xml_text_whatever_they_hold():
    nasty = "/territoires/commune/a&b<c>'\"/"

    root = ElementTree.fromstring("".join(sitemaps.urlset("https://example.org", [[(nasty, None)]])))

    assert [url.find(f"{NS}loc").text for url in root] == [f"https://example.org{nasty}"]
    index = ElementTree.fromstring(sitemaps.sitemap_index([f"https://example.org{nasty}"]))
    assert [entry.find(f"{NS}loc").text for entry in index] == [f"https://example.org{nasty}"]


def test_a_territory_code_that_needs_escaping_gives_a_url_that_opens_its_page(client, territories):
    odd = CommuneFactory(code="9&<'1", name="Commune étrange")
    InitiativeFactory(commune=odd)

    found = paths(sitemap(client)["territoires"])

    [path] = [path for path in found if path.startswith("/territoires/commune/")]
    assert unquote(path) == territory_path("commune", "9&<'1")
    response = client.get(path)
    assert response.status_code == 200
    assert "Commune étrange" in response.content.decode()


# --- Caching --------------------------------------------------------------------------------------


def test_index_and_fiches_carry_the_newest_change_of_any_entry_and_answer_304(client, catalogue):
    _real, others = catalogue
    # Archived last: its fiche left the sitemap, which therefore changed then.
    others["archived"].summary = "Fermé en 2024."
    others["archived"].save()
    newest = Initiative.objects.order_by("-updated_at").values_list("updated_at", flat=True)[0]
    assert Initiative.objects.get(pk=others["archived"].pk).updated_at == newest

    for url in ["/sitemap.xml", "/sitemap-initiatives-1.xml", "/sitemap-territoires-1.xml"]:
        response = client.get(url)
        assert body_of(response)
        assert response["Last-Modified"] == http_date(newest.timestamp()), url
        assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
        again = client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        assert again.status_code == 304, url
        assert body_of(again) == b""


def test_sections_that_follow_the_vocabularies_have_no_last_modified(client, catalogue):
    for url in ["/sitemap-outils-1.xml", "/sitemap-pages-1.xml"]:
        response = client.get(url)
        assert response.status_code == 200 and body_of(response)
        assert not response.has_header("Last-Modified")
        assert "max-age=3600" in response["Cache-Control"]


# --- Queries --------------------------------------------------------------------------------------


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        body_of(response)
    assert response.status_code == 200
    return len(queries)


SITEMAP_URLS = [
    "/sitemap.xml",
    "/sitemap-initiatives-1.xml",
    "/sitemap-territoires-1.xml",
    "/sitemap-outils-1.xml",
    "/sitemap-pages-1.xml",
]


@pytest.mark.parametrize("with_demo", [False, True])
def test_sitemap_makes_as_many_queries_with_one_entry_or_many(client, territories, with_demo):
    InitiativeFactory(commune=commune("62652"))
    FundingToolFactory()
    if with_demo:
        InitiativeFactory(slug="demo-0000001-x", is_demo=True, commune=commune("13055"))
    client.get("/sitemap.xml")  # what a first request caches (content types…) is not counted
    few = {url: queries_of(client, url) for url in SITEMAP_URLS}

    for code in ["59350", "69123", "33063", "13055", "75056", "31555", "67482"]:
        initiative = InitiativeFactory(commune=commune(code))
        initiative.territories_served.add(commune("62767"))
    for factory in [FundingToolFactory, LeverFactory, ObstacleFactory, NetworkFactory] * 6:
        factory()
    many = {url: queries_of(client, url) for url in SITEMAP_URLS}

    assert many == few
    assert max(many.values()) <= 10


# --- robots.txt -----------------------------------------------------------------------------------


def robots_rules(text):
    """The Disallow patterns of the group for every robot."""
    return [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Disallow:")]


def blocked(rules, url):
    """Whether ``url`` (path and query) is disallowed, as Google and Bing read the rules: ``*`` is
    any characters, ``$`` the end, a rule matches from the start of the path. (There is no Allow
    rule to weigh against them.)"""
    for rule in rules:
        pattern = re.escape(rule.rstrip("$")).replace(r"\*", ".*") + ("$" if rule.endswith("$") else "")
        if re.match(pattern, url):
            return True
    return False


def test_robots_txt_closes_the_admin_exports_comparison_and_query_strings_and_gives_the_sitemap(
    client, settings
):
    settings.ALLOWED_HOSTS = ["catalogue.example.org"]

    response = client.get("/robots.txt", HTTP_HOST="catalogue.example.org", secure=True)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "max-age=86400" in response["Cache-Control"]
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for rule in ["/admin/", "/export/", "/*.csv", "/comparer/", "/*?"]:
        assert f"Disallow: {rule}" in lines
    assert lines[-1] == "Sitemap: https://catalogue.example.org/sitemap.xml"
    # No blank line inside the group: some robots read it as the end of the rules.
    assert "" not in lines[: lines.index("Sitemap: https://catalogue.example.org/sitemap.xml") - 1]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/catalogue/initiative/",
        "/export/initiatives.csv?forme=scic",
        "/export/initiatives.geojson",
        "/comparer/?i=cirquen-cavale&i=saint-so-bazaar",
        "/comparer.csv?i=cirquen-cavale&i=saint-so-bazaar",
        "/?type=tiers-lieu&forme=scic",
        "/?page=2",
        "/territoires/commune/62652/?page=2",
        "/comparables/?lieu=Pernes%20(62)&type=tiers-lieu",
        "/carte.geojson?bbox=-5.5,41.2,9.8,51.2",
        "/territoires/suggestions.json?q=lille",
        "/initiatives/cirquen-cavale/signaler/",
    ],
)
def test_robots_txt_blocks_what_only_repeats_the_fiches(client, url):
    assert blocked(robots_rules(client.get("/robots.txt").content.decode()), url)


def test_robots_txt_allows_every_url_of_the_sitemap_and_the_static_files(client, catalogue):
    rules = robots_rules(client.get("/robots.txt").content.decode())
    listed = [path for urls in sitemap(client).values() for path in paths(urls)]

    assert listed
    for url in [*listed, "/sitemap.xml", "/sitemap-initiatives-1.xml", "/static/css/site.css"]:
        assert not blocked(rules, url), url


# --- The fiche's structured data ------------------------------------------------------------------


class Scripts(HTMLParser):
    """The script elements of a page as a browser's parser cuts them: an element ends at the first
    "</script", whatever it was meant to hold."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.scripts, self._open = [], None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self._open = (dict(attrs), [])

    def handle_data(self, data):
        if self._open is not None:
            self._open[1].append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open is not None:
            self.scripts.append((self._open[0], "".join(self._open[1])))
            self._open = None


HOSTILE_NAME = 'Le "Café" </script><script>alert(1)</script> & <!-- l\'Atelier \\ de Pernes'
HOSTILE_SUMMARY = 'Ligne 1\nLigne 2\r\n\t« tiers-lieu » </SCRIPT >\u2028<![CDATA[ ]]> {"a": 1}'


def test_json_ld_of_a_hostile_entry_is_valid_json_with_the_facts_search_engines_read(client, territories):
    pernes = commune("62652")
    initiative = InitiativeFactory(
        name=HOSTILE_NAME,
        summary=HOSTILE_SUMMARY,
        address='12 rue "des Écoles"\nBâtiment <B>',
        commune=pernes,
        location=Point(2.4109, 50.4838, srid=4326),
        website="https://example.org/lieu?a=1&b=</script>",
        phone="03 21 00 00 00",
    )

    response = client.get(fiche_path(initiative))

    assert response.status_code == 200
    scripts = Scripts(response.content.decode()).scripts
    [text] = [text for attrs, text in scripts if attrs.get("type") == "application/ld+json"]
    data = json.loads(text)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == ["Place", "Organization"]
    assert data["name"] == HOSTILE_NAME
    assert data["description"] == HOSTILE_SUMMARY
    assert data["url"] == f"http://testserver{fiche_path(initiative)}"
    assert data["sameAs"] == "https://example.org/lieu?a=1&b=</script>"
    assert data["telephone"] == "03 21 00 00 00"
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": '12 rue "des Écoles"\nBâtiment <B>',
        "addressLocality": "Pernes",
        "postalCode": pernes.postcodes[0],
        "addressRegion": "Hauts-de-France",
        "addressCountry": "FR",
    }
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 50.4838, "longitude": 2.4109}
    # Nothing the entry says ended the element early or started a comment or another script.
    assert "</script" not in text.lower() and "<!--" not in text
    assert not any("alert(" in text for attrs, text in scripts if attrs.get("type") != "application/ld+json")
