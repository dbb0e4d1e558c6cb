"""Only a published entry is visible anywhere public (issue 12): one check per public surface.

Four entries, one of each status, share everything a listing could show them by (the commune of
Pernes with its EPCI, département and région, a territory served, the kind, theme, legal form,
funding tool, lever, obstacle, partner, network and stage) and have words of their own (their
name, summary, legal entity). Each surface is read as a visitor reads it (the names on the page,
the features of the GeoJSON, the rows of the CSV, the counts of the facets) and must show the
published entry and none of the three others; and again after the published one is archived and
the draft published, which must swap them.

The site's place suggestions count no initiative: they are not a surface here.
"""

import csv
import io
import json
import math
import re
from dataclasses import dataclass
from html import unescape

import pytest
from django.contrib.gis.geos import Point
from django.urls import reverse

from accounts.models import Network
from catalogue.facets import FACETS
from catalogue.indexing import deferred
from catalogue.models import (
    FundingTool,
    Initiative,
    InitiativeLever,
    InitiativeObstacle,
    Kind,
    LegalForm,
    Lever,
    Obstacle,
    Organization,
    Stage,
    Theme,
)
from territories.models import Territory
from tests.factories import (
    FundingFactory,
    FundingToolFactory,
    InitiativeFactory,
    KindFactory,
    LegalEntityFactory,
    LegalFormFactory,
    LeverFactory,
    NetworkFactory,
    ObstacleFactory,
    OrganizationFactory,
    PartnershipFactory,
    ThemeFactory,
    commune,
)

pytestmark = pytest.mark.django_db

Status = Initiative.Status
# The word of each entry, in its name, summary and legal entity: no other text of the catalogue has it.
WORDS = {
    Status.PUBLISHED: "quenouille",
    Status.DRAFT: "brindille",
    Status.REVIEW: "mirabelle",
    Status.ARCHIVED: "passiflore",
}
# In every entry's summary.
SHARED_WORD = "percolatorium"
CARD_NAME = re.compile(r'class="initiative-card__name"><a href="[^"]+">([^<]+)</a>')
FACET_COUNT = re.compile(
    r'<input type="checkbox" name="([\w-]+)" value="([^"]+)"[^>]*>\s*<label[^>]*>[^<]*'
    r'<span class="facet__count">\((\d+)\)</span>'
)
CHART_ROW = re.compile(r'<th scope="row">([^<]+)</th><td class="number">(\d+)')
COMPARABLE_TERRITORY = re.compile(
    r'<li><a href="([^"]+)">[^<]+</a>\s*<span[^>]*>[^<]*?(\d+) initiatives?</span>'
)
INDEX_ROW = re.compile(r'<li><a href="([^"]+)">([^<]+)</a> <span class="toolbox-count">\((\d+) ')


@dataclass
class Shared:
    """What the four entries have in common."""

    commune: Territory
    kind: Kind
    theme: Theme
    legal_form: LegalForm
    tool: FundingTool
    lever: Lever
    obstacle: Obstacle
    network: Network
    partner: Organization


@pytest.fixture
def shared(territories):
    return Shared(
        commune=commune("62652"),  # Pernes, in the CC du Ternois, Pas-de-Calais, Hauts-de-France
        kind=KindFactory(label="Grange commune"),
        theme=ThemeFactory(label="Vannerie"),
        legal_form=LegalFormFactory(label="Coopérative de vanniers"),
        tool=FundingToolFactory(label="Prêt des vanniers"),
        lever=LeverFactory(label="Bail des vanniers"),
        obstacle=ObstacleFactory(label="Osier rare"),
        network=NetworkFactory(name="Réseau des vanniers"),
        partner=OrganizationFactory(name="Commune amie"),
    )


def make_entry(shared, status, word, east=0.0):
    """An entry of ``status`` with ``word`` in its texts, ``east`` degrees east of its commune's
    centre, with every value of ``shared``."""
    centre = shared.commune.centre
    initiative = InitiativeFactory(
        name=f"Ferme {word.capitalize()}",
        summary=f"Un tiers-lieu {SHARED_WORD}, la {word} du Ternois.",
        status=status,
        stage=Stage.ACTIVE,
        commune=shared.commune,
        location=Point(centre.x + east, centre.y, srid=4326),
        kinds=[shared.kind],
        networks=[shared.network],
    )
    initiative.themes.set([shared.theme])
    initiative.territories_served.set([shared.commune.epci])
    LegalEntityFactory(initiative=initiative, name=f"Association {word}", legal_form=shared.legal_form)
    FundingFactory(initiative=initiative, tool=shared.tool, note=f"Prêt de la {word}")
    PartnershipFactory(initiative=initiative, organization=shared.partner)
    InitiativeLever.objects.create(initiative=initiative, lever=shared.lever, note=f"Bail de la {word}")
    InitiativeObstacle.objects.create(initiative=initiative, obstacle=shared.obstacle, note=f"Osier {word}")
    return initiative


@pytest.fixture
def entries(shared):
    """{status: entry}, a few hundred metres apart: in one cell of the map at any low zoom."""
    with deferred():
        return {
            status: make_entry(shared, status, word, east=0.002 * position)
            for position, (status, word) in enumerate(WORDS.items())
        }


NEIGHBOUR = "Ferme Tournesol"


def neighbour(shared):
    """Another published entry with everything in common, at the centre of the commune: what a
    fiche's comparables, a comparison and a cluster need. Made once, however often it is asked for."""
    found = Initiative.objects.filter(name=NEIGHBOUR).first()
    return found or make_entry(shared, Status.PUBLISHED, NEIGHBOUR.split()[-1].lower())


# --- What a visitor sees ------------------------------------------------------------------------


def get(client, url, query=None, status=200):
    response = client.get(url, query or {})
    assert response.status_code == status, url
    return response


def html_of(client, url, query=None):
    return unescape(get(client, url, query).content.decode())


def card_names(html):
    return sorted(CARD_NAME.findall(html))


def facet_counts(html):
    """{(facet, value): count} of the facets' boxes of a page, the values counted at least once."""
    return {(param, value): int(n) for param, value, n in FACET_COUNT.findall(html) if int(n)}


def assert_not_on(text, hidden):
    """None of the ``hidden`` entries is named, summarised or linked to in ``text``."""
    for initiative in hidden:
        assert initiative.name not in text
        assert initiative.summary not in text
        assert initiative.get_absolute_url() not in text


def assert_facets_count_only(html, shown):
    """Every facet of the page counts the one entry shown on each of its values, and no more."""
    counts = facet_counts(html)
    assert {param for param, _value in counts} == {facet.param for facet in FACETS}
    assert set(counts.values()) == {1}
    assert counts[("type", shown.kinds.get().slug)] == 1


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def geojson_of(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(content)


def map_data(client, **query):
    return get(client, reverse("catalogue:map-data"), query).json()


def drawn(collection):
    """(the names of the single features, the number of initiatives all the features stand for)."""
    names = sorted(f["properties"]["name"] for f in collection["features"] if "name" in f["properties"])
    total = sum(f["properties"].get("count", 1) for f in collection["features"])
    return names, total


def fiche_url(initiative):
    return initiative.get_absolute_url()


def territory_url(territory):
    return reverse("catalogue:territory-detail", kwargs={"kind": territory.kind, "code": territory.code})


def toolbox_url(name, slug):
    return reverse(f"catalogue:{name}", kwargs={"slug": slug})


def listed_count(html):
    """The number of published initiatives that a toolbox page says it lists."""
    return int(re.search(r'<p class="toolbox-listed">\s*(\d+)', html).group(1))


def chart_table(html, param):
    figure = html[html.index(f'id="chart-{param}"') :]
    figure = figure[: figure.index("</figure>")]
    return {
        label: int(n)
        for label, n in re.findall(r'<th scope="row">([^<]+)</th><td class="number">(\d+)', figure)
    }


def without_query(html):
    """The page without the fields that give back what was searched."""
    return re.sub(r'<input[^>]* name="q"[^>]*>', "", html)


def word_of(initiative):
    """The entry's own word (see ``WORDS``)."""
    return initiative.name.split()[-1].lower()


def typo_of(word):
    """The word with two of its letters swapped: what the search corrects to the closest known word."""
    return word[:3] + word[4] + word[3] + word[5:]


# --- The surfaces -------------------------------------------------------------------------------
# Each takes (client, shared, shown, hidden) and asserts that ``shown`` is there and ``hidden`` not.


def home_list(client, shared, shown, hidden):
    departement = shared.commune.departement
    for query in ({}, {"type": shared.kind.slug}, {"territoire": departement.code}, {"tri": "nom"}):
        html = html_of(client, reverse("catalogue:map"), query)
        assert card_names(html) == [shown.name], query
        assert re.search(r'id="results-heading" tabindex="-1">\s*1 initiative\s', html), query
        assert_not_on(html, hidden)


def home_facets(client, shared, shown, hidden):
    # Unfiltered (the totals counted in advance), then narrowed (counted from the facet values).
    assert_facets_count_only(html_of(client, reverse("catalogue:map")), shown)
    narrowed = html_of(client, reverse("catalogue:map"), {"forme": shared.legal_form.slug, "q": SHARED_WORD})
    assert_facets_count_only(narrowed, shown)


def search(client, shared, shown, hidden):
    url = reverse("catalogue:map")
    for query in (SHARED_WORD, shown.name, f"{SHARED_WORD} ternois"):
        assert card_names(html_of(client, url, {"q": query})) == [shown.name], query
    # A typo of the published entry's word is corrected to it; those of the others' words are not.
    shown_word = word_of(shown)
    corrected = html_of(client, url, {"q": typo_of(shown_word)})
    assert card_names(corrected) == [shown.name]
    assert re.search(rf"Résultats pour «\s*{shown_word}\s*»", corrected)
    for initiative in hidden:
        word = word_of(initiative)
        for query in (word, word[:-1], typo_of(word), initiative.name):
            html = html_of(client, url, {"q": query})
            assert card_names(html) == [], query
            assert "results__correction" not in html, query
            assert_not_on(without_query(html), hidden)


def around(place, east, north):
    """The map's ``bbox`` of a view around the place's centre, ``east`` degrees wide each side
    (more to the east, where the entries lie) and ``north`` degrees high each side."""
    centre = place.centre
    return f"{centre.x - east},{centre.y - north},{centre.x + 2 * east},{centre.y + north}"


def map_features(client, shared, shown, hidden):
    views = [
        {},  # all of France: the cells counted in advance
        {"type": shared.kind.slug},  # narrowed: the cells counted from the points
        {"bbox": around(shared.commune, 2, 1)},  # a région: the cells counted in advance, and the edges
        {"bbox": around(shared.commune, 0.005, 0.005)},  # a few streets: every initiative on its own
    ]
    for query in views:
        collection = map_data(client, **query)
        assert drawn(collection) == ([shown.name], 1), query
        assert_not_on(json.dumps(collection, ensure_ascii=False), hidden)
    # Where the map looks after a filter: the published entry's point only.
    extent = map_data(client, type=shared.kind.slug, etendue="1")["bbox"]
    location = Initiative.objects.get(pk=shown.pk).location
    assert extent == pytest.approx([location.x, location.y, location.x, location.y], abs=1e-6)


def map_clusters(client, shared, shown, hidden):
    other = neighbour(shared)
    for query in ({}, {"type": shared.kind.slug}, {"bbox": around(shared.commune, 2, 1)}):
        features = map_data(client, **query)["features"]
        # The two published entries, a few hundred metres apart with the others, are one cluster of
        # two; nothing else is drawn.
        assert [f["properties"]["count"] for f in features] == [2], query
        assert features[0]["properties"]["cluster"] is True
    detail = map_data(client, bbox=around(shared.commune, 0.005, 0.005))
    assert drawn(detail) == (sorted([shown.name, other.name]), 2)


def csv_export(client, shared, shown, hidden):
    for query in ({}, {"q": SHARED_WORD}, {"reseau": shared.network.slug}):
        response = get(client, reverse("catalogue:export-csv"), query)
        rows = csv_rows(response)
        assert [row["Nom"] for row in rows] == [shown.name], query
        assert_not_on(json.dumps(rows, ensure_ascii=False), hidden)


def geojson_export(client, shared, shown, hidden):
    for query in ({}, {"q": SHARED_WORD}, {"outil": shared.tool.slug}):
        collection = geojson_of(get(client, reverse("catalogue:export-geojson"), query))
        assert [f["properties"]["name"] for f in collection["features"]] == [shown.name], query
        assert [f["id"] for f in collection["features"]] == [shown.pk]


def fiche(client, shared, shown, hidden):
    html = html_of(client, fiche_url(shown))
    assert f"<h1>{shown.name}</h1>" in html
    assert_not_on(html, hidden)
    for initiative in hidden:
        get(client, fiche_url(initiative), status=404)


def structured_data(client, shared, shown, hidden):
    html = get(client, fiche_url(shown)).content.decode()
    scripts = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S)
    assert [json.loads(script)["name"] for script in scripts] == [shown.name]
    assert_not_on(scripts[0], hidden)
    for initiative in hidden:
        assert "application/ld+json" not in get(client, fiche_url(initiative), status=404).content.decode()


def fiche_comparables(client, shared, shown, hidden):
    other = neighbour(shared)
    html = html_of(client, fiche_url(other))
    assert card_names(html) == [shown.name]  # the fiche's cards are its comparables
    assert_not_on(html, hidden)
    assert card_names(html_of(client, fiche_url(shown))) == [other.name]


def comparables_page(client, shared, shown, hidden):
    url = reverse("catalogue:comparables")
    descriptions = [
        {"type": shared.kind.slug, "forme": shared.legal_form.slug, "levier": shared.lever.slug},
        {"outil": shared.tool.slug, "etape": Stage.ACTIVE},
        # Near Pernes, narrowed by the list's network filter.
        {
            "lieu": f"{shared.commune.name} ({shared.commune.departement.code})",
            "portee": "pres",
            "theme": shared.theme.slug,
            "reseau": shared.network.slug,
        },
    ]
    for query in descriptions:
        html = html_of(client, url, query)
        assert card_names(html) == [shown.name], query
        assert_not_on(html, hidden)


def comparison_page(client, shared, shown, hidden):
    url = reverse("catalogue:compare")
    asked = [("i", initiative.slug) for initiative in [shown, *hidden]]
    alone = html_of(client, url, asked)
    assert shown.name in alone
    assert "comparison-table__name" not in alone  # one published entry: nothing to compare
    assert_not_on(alone, hidden)
    other = neighbour(shared)
    html = html_of(client, url, [("i", other.slug), *asked])
    columns = re.findall(r'class="comparison-table__name" href="[^"]+">([^<]+)</a>', html)
    assert columns == [other.name, shown.name]
    assert_not_on(html, hidden)
    for initiative in hidden:
        assert f"« {initiative.slug} »" in html  # said to be left out, by what was asked only


def comparison_csv(client, shared, shown, hidden):
    url = reverse("catalogue:compare-csv")
    asked = [("i", initiative.slug) for initiative in [shown, *hidden]]
    get(client, url, asked, status=400)  # one published entry: nothing to compare
    other = neighbour(shared)
    response = get(client, url, [("i", other.slug), *asked])
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][1:] == [other.name, shown.name]
    assert_not_on(response.content.decode("utf-8-sig"), hidden)


def territory_pages(client, shared, shown, hidden):
    place = shared.commune
    for territory in (place, place.epci, place.departement, place.region):
        for query in ({}, {"q": SHARED_WORD}):
            html = html_of(client, territory_url(territory), query)
            label = f"{territory} {query}"
            assert re.search(r'<h2 id="initiatives-heading">\s*1 initiative publiée\s', html), label
            assert card_names(html) == [shown.name], label
            assert chart_table(html, "type") == {shared.kind.label: 1}, label
            assert chart_table(html, "forme") == {shared.legal_form.label: 1}, label
            assert list(chart_table(html, "etape").values()) == [1], label
            assert_facets_count_only(html, shown)
            assert_not_on(html, hidden)


def comparable_territory(client, shared, shown, hidden):
    pernes = shared.commune
    # A commune comparable to Pernes: the same density class, and well within a factor of 2 of its
    # population either way (so Pernes is within a factor of 2 of the other's too).
    other = (
        Territory.objects.filter(
            kind=Territory.Kind.COMMUNE,
            density_class=pernes.density_class,
            population__gte=math.ceil(pernes.population / 1.5),
            population__lte=math.floor(pernes.population * 1.5),
        )
        .exclude(pk=pernes.pk)
        .order_by("code")
        .first()
    )
    html = html_of(client, territory_url(other))
    comparables = html[html.index('class="territory__comparables"') :]
    found = COMPARABLE_TERRITORY.findall(comparables)
    assert found == [(territory_url(pernes), "1")]


def toolbox_index(client, shared, shown, hidden):
    html = html_of(client, reverse("catalogue:toolbox"))
    rows = {label: int(n) for _link, label, n in INDEX_ROW.findall(html)}
    assert rows[shared.tool.label] == 1
    assert rows[shared.lever.label] == 1
    assert rows[shared.obstacle.label] == 1
    assert rows[shared.network.name] == 1
    assert_not_on(html, hidden)


def toolbox_pages(client, shared, shown, hidden):
    pages = {
        "funding-tool": shared.tool.slug,
        "lever": shared.lever.slug,
        "obstacle": shared.obstacle.slug,
        "network": shared.network.slug,
    }
    for name, slug in pages.items():
        html = html_of(client, toolbox_url(name, slug))
        assert card_names(html) == [shown.name], name
        assert listed_count(html) == 1, name
        assert_not_on(html, hidden)
        for initiative in hidden:  # nor what the page says of their funding line, lever or obstacle
            assert word_of(initiative) not in html, name


def api_lists(client, shared, shown, hidden):
    queries = ({}, {"q": SHARED_WORD}, {"reseau": shared.network.slug}, {"territoire": "Pernes (62)"})
    for query in queries:
        page = get(client, reverse("api:initiative-list"), query).json()
        assert [item["name"] for item in page["results"]] == [shown.name], query
        assert page["count"] == 1
        assert_not_on(json.dumps(page, ensure_ascii=False), hidden)
        collection = get(client, reverse("api:initiative-geojson"), query).json()
        assert [feature["properties"]["name"] for feature in collection["features"]] == [shown.name]


def api_detail(client, shared, shown, hidden):
    detail = get(client, reverse("api:initiative-detail", args=[shown.slug])).json()
    assert detail["name"] == shown.name
    assert_not_on(json.dumps(detail, ensure_ascii=False), hidden)
    for initiative in hidden:
        get(client, reverse("api:initiative-detail", args=[initiative.slug]), status=404)
        get(client, reverse("api:initiative-comparables", args=[initiative.slug]), status=404)
    other = neighbour(shared)
    comparables = get(client, reverse("api:initiative-comparables", args=[other.slug])).json()
    assert [found["initiative"]["name"] for found in comparables] == [shown.name]


def api_vocabularies(client, shared, shown, hidden):
    for endpoint, value in (("types", shared.kind.slug), ("outils-de-financement", shared.tool.slug)):
        values = get(client, reverse(f"api:vocabulary-{endpoint}")).json()
        link = next(item["initiatives"] for item in values if item["slug"] == value)
        page = get(client, link).json()
        assert [item["name"] for item in page["results"]] == [shown.name], endpoint


def sitemap(client, shared, shown, hidden):
    def text(response):
        return (b"".join(response.streaming_content) if response.streaming else response.content).decode()

    sections = re.findall(r"<loc>([^<]+)</loc>", text(get(client, reverse("sitemap"))))
    listed = "".join(text(get(client, section)) for section in sections)
    assert f"{fiche_url(shown)}</loc>" in listed
    for initiative in hidden:
        assert f"{fiche_url(initiative)}</loc>" not in listed


SURFACES = {
    "home-list": home_list,
    "home-facets": home_facets,
    "search": search,
    "map-data": map_features,
    "map-clusters": map_clusters,
    "csv-export": csv_export,
    "geojson-export": geojson_export,
    "fiche": fiche,
    "json-ld": structured_data,
    "fiche-comparables": fiche_comparables,
    "comparables": comparables_page,
    "comparison": comparison_page,
    "comparison-csv": comparison_csv,
    "territory-pages": territory_pages,
    "comparable-territories": comparable_territory,
    "toolbox-index": toolbox_index,
    "toolbox-pages": toolbox_pages,
    "api-lists": api_lists,
    "api-detail": api_detail,
    "api-vocabularies": api_vocabularies,
    "sitemap": sitemap,
}


@pytest.fixture(params=list(SURFACES))
def surface(request):
    return SURFACES[request.param]


def others(entries, shown):
    return [initiative for initiative in entries.values() if initiative.pk != shown.pk]


def test_only_the_published_entry_is_shown(surface, client, shared, entries):
    shown = entries[Status.PUBLISHED]
    surface(client, shared, shown, others(entries, shown))


def test_an_entry_archived_leaves_and_a_draft_published_joins(surface, client, shared, entries):
    before = entries[Status.PUBLISHED]
    surface(client, shared, before, others(entries, before))  # read first: nothing kept may outlive

    before.status = Status.ARCHIVED
    before.save()
    after = entries[Status.DRAFT]
    after.status = Status.PUBLISHED
    after.save()

    surface(client, shared, after, others(entries, after))
