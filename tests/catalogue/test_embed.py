"""The embeddable map: the builder's snippet for the filters chosen, the embedded page's results and
links, and its Content-Security-Policy, which lets any site frame it and it alone."""

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _
from hypothesis import given

from catalogue.models import Initiative
from tests.catalogue.test_query_strings import NASTY_QUERIES, SCRIPT, examples, fetch, query_strings
from tests.factories import (
    InitiativeFactory,
    KindFactory,
    LegalEntityFactory,
    LegalFormFactory,
    NetworkFactory,
)
from tests.test_security import assert_map_scripts_carry_the_header_nonce, policy_of

pytestmark = pytest.mark.django_db

EMBED = reverse("catalogue:embedded-map")
BUILDER = reverse("catalogue:embed")


class _Tags(HTMLParser):
    """The start tags of a page, each as (tag, attributes)."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html, tag, **attrs):
    """The attributes of each ``tag`` of ``html`` that has ``attrs`` (``class_`` for "class")."""
    parser = _Tags()
    parser.feed(html)
    wanted = {name.rstrip("_"): value for name, value in attrs.items()}
    return [found for name, found in parser.tags if name == tag and wanted.items() <= found.items()]


def snippet_of(response):
    """The snippet of the builder's read-only box, as it would be pasted, and its iframe."""
    assert response.status_code == 200
    html = response.content.decode()
    text = unescape(re.search(r'<textarea id="embed-snippet"[^>]*>(.*?)</textarea>', html, re.S)[1])
    (frame,) = tags(text, "iframe")
    return text, frame


def query_of(url):
    return parse_qs(urlsplit(url).query)


@pytest.fixture
def entries(pernes, lille):
    """A tiers-lieu of the network "Réseau Lutin" in Pernes, a fab-lab of another network in Lille,
    and a tiers-lieu of Lutin in Lille carried by an SCIC."""
    lutin, other = (
        NetworkFactory(name="Réseau Lutin", slug="lutin"),
        NetworkFactory(name="CAP Rural", slug="cap"),
    )
    tiers_lieu, fab_lab = (
        KindFactory(label="Tiers-lieu", slug="tiers-lieu"),
        KindFactory(label="Fab-lab", slug="fab-lab"),
    )
    cirque = InitiativeFactory(
        name="Cirqu'en-Cavale", commune=pernes, location=pernes.centre, networks=[lutin], kinds=[tiers_lieu]
    )
    InitiativeFactory(
        name="Le Fab de Lille", commune=lille, location=lille.centre, networks=[other], kinds=[fab_lab]
    )
    bazaar = InitiativeFactory(
        name="Saint So Bazaar",
        commune=lille,
        location=Point(3.07, 50.62, srid=4326),
        networks=[lutin],
        kinds=[tiers_lieu],
    )
    LegalEntityFactory(initiative=bazaar, legal_form=LegalFormFactory(label="SCIC", slug="scic"))
    return {"cirque": cirque, "bazaar": bazaar}


def embedded_names(response):
    assert response.status_code == 200
    html = response.content.decode()
    return [unescape(name) for name in re.findall(r'class="embed-card__name"[^>]*>([^<]+)<', html)]


# --- The builder ---------------------------------------------------------------------------------


def test_the_builder_writes_the_snippet_of_a_network_a_territory_and_a_kind(client, entries, pernes):
    response = client.get(BUILDER, {"reseau": "lutin", "territoire": "pernes", "type": "tiers-lieu"})

    text, frame = snippet_of(response)
    assert text.startswith("<iframe ") and text.endswith("></iframe>")
    src = urlsplit(frame["src"])
    # An absolute URL, from the request, that another site's page can use as it is.
    assert (src.scheme, src.netloc, src.path) == ("http", "testserver", EMBED)
    # The place as the form understood it: a label that names that very commune when read back.
    assert query_of(frame["src"]) == {
        "reseau": ["lutin"],
        "territoire": [str(pernes)],
        "type": ["tiers-lieu"],
    }
    assert frame["title"] == "Carte des tiers-lieux et initiatives citoyennes · Percolateur"
    assert (frame["width"], frame["height"], frame["loading"], frame["style"]) == (
        "100%",
        "500",
        "lazy",
        "border:0",
    )
    html = response.content.decode()
    # The preview frames the same map, from this site.
    (preview,) = tags(html, "iframe", id="embed-preview")
    assert unescape(preview["src"]) == f"{src.path}?{src.query}"
    assert embedded_names(client.get(preview["src"])) == ["Cirqu'en-Cavale"]
    # The form shows the choices made.
    assert "checked" in tags(html, "input", name="reseau", value="lutin")[0]
    assert "checked" not in tags(html, "input", name="reseau", value="cap")[0]
    assert tags(html, "input", name="territoire")[0]["value"] == str(pernes)
    assert "checked" in tags(html, "input", name="type", value="tiers-lieu")[0]


def test_the_builder_with_nothing_chosen_embeds_the_whole_catalogue(client, entries):
    _text, frame = snippet_of(client.get(BUILDER))

    assert frame["src"] == f"http://testserver{EMBED}"
    assert set(embedded_names(client.get(frame["src"]))) == {
        "Cirqu'en-Cavale",
        "Le Fab de Lille",
        "Saint So Bazaar",
    }


def test_the_builder_offers_every_network_and_kind(client, entries):
    html = client.get(BUILDER).content.decode()

    assert {tag["value"] for tag in tags(html, "input", name="reseau")} >= {"lutin", "cap"}
    assert {tag["value"] for tag in tags(html, "input", name="type")} == {"tiers-lieu", "fab-lab"}
    assert "Réseau Lutin" in unescape(html)
    # Suggestions of places, as on the list page.
    (territory,) = tags(html, "input", name="territoire")
    assert territory["data-suggestions"] == reverse("territories:suggestions")


def test_the_builder_reports_values_it_does_not_understand_and_leaves_them_out(client, entries):
    response = client.get(BUILDER, {"territoire": "Zzyzx-sur-Mer", "type": "pas-un-type", "reseau": "lutin"})

    _text, frame = snippet_of(response)
    assert query_of(frame["src"]) == {"reseau": ["lutin"]}
    html = unescape(response.content.decode())
    assert 'class="filters__errors"' in html
    assert "Aucune commune ni aucun territoire ne correspond à « Zzyzx-sur-Mer »." in html


def test_the_builder_keeps_the_other_filters_of_the_list_page(client, entries):
    # What the list page's link brings: its filters, its page number.
    response = client.get(BUILDER, {"forme": "scic", "q": "bazaar", "type": "tiers-lieu", "page": "3"})

    _text, frame = snippet_of(response)
    assert query_of(frame["src"]) == {"q": ["bazaar"], "type": ["tiers-lieu"], "forme": ["scic"]}
    html = response.content.decode()
    assert tags(html, "input", type="hidden", name="forme", value="scic")
    assert tags(html, "input", type="hidden", name="q", value="bazaar")
    assert _("%(filter)s: %(values)s") % {"filter": _("Legal form"), "values": "SCIC"} in unescape(html)
    # "Remove these filters" leaves the builder's own choices.
    (remove,) = re.findall(rf'<a href="([^"]+)">{re.escape(_("Remove these filters"))}</a>', html)
    assert query_of(unescape(remove)) == {"type": ["tiers-lieu"]}
    assert embedded_names(client.get(frame["src"])) == ["Saint So Bazaar"]


def test_the_list_page_links_to_the_builder_with_its_filters(client, entries):
    html = client.get(reverse("catalogue:map"), {"reseau": "lutin", "page": "1"}).content.decode()

    (link,) = tags(html, "a", class_="embed-link")
    assert urlsplit(unescape(link["href"])).path == BUILDER
    assert query_of(unescape(link["href"])) == {"reseau": ["lutin"]}
    assert f">{_('Embed this map on your site')}</a>" in html


# --- The embedded map ----------------------------------------------------------------------------


def test_the_embedded_map_lists_the_filtered_entries_and_opens_fiches_in_a_new_tab(client, entries, lille):
    response = client.get(EMBED, {"reseau": "lutin", "territoire": "Lille (59)"})

    assert embedded_names(response) == ["Saint So Bazaar"]
    html = response.content.decode()
    assert "1 initiative" in html
    (link,) = tags(html, "a", class_="embed-card__name")
    assert link["href"] == entries["bazaar"].get_absolute_url()
    assert (link["target"], link["rel"]) == ("_blank", "noopener")
    # Every link leaves the frame: the list page with the same filters, and the credit.
    assert all(tag.get("target") == "_blank" for tag in tags(html, "a") if tag.get("target") != "_self")
    assert _("See all the initiatives on Percolateur") in html
    (more,) = [
        tag for tag in tags(html, "a") if unescape(tag["href"]).startswith(reverse("catalogue:map") + "?")
    ]
    assert query_of(unescape(more["href"])) == {"reseau": ["lutin"], "territoire": ["Lille (59)"]}
    assert tags(html, "a", href=reverse("catalogue:map"), target="_blank", rel="noopener")
    # The map reads the same filters.
    (canvas,) = tags(html, "div", id="embedded-map")
    assert canvas["data-source"] == reverse("catalogue:map-data")


def test_the_embedded_map_is_a_page_of_its_own_without_the_sites_header(client, entries):
    html = client.get(EMBED).content.decode()

    assert 'class="site-header"' not in html
    assert 'class="site-nav"' not in html
    assert 'class="site-footer"' not in html
    assert tags(html, "base", target="_blank")


def test_the_embedded_map_lists_the_first_twenty_and_links_to_the_rest(client, territories):
    kind = KindFactory(slug="jardin", label="Jardin partagé")
    for number in range(25):
        InitiativeFactory(name=f"Jardin {number:02}", kinds=[kind])

    response = client.get(EMBED, {"type": "jardin"})

    assert embedded_names(response) == [f"Jardin {number:02}" for number in range(20)]
    html = unescape(response.content.decode())
    assert "25 initiatives" in html
    assert _("The first %(shown)s are listed here.") % {"shown": 20} in html
    assert _("See all the initiatives on Percolateur") in html


def test_the_embedded_map_costs_as_many_queries_for_three_results_as_for_thirty(client, entries):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(EMBED, {"type": "tiers-lieu"}).status_code == 200
        return len(captured)

    few = queries()
    kind = entries["cirque"].kinds.get()
    for number in range(30):
        InitiativeFactory(name=f"Lieu {number}", kinds=[kind])

    # One more at most: the count, which a list shorter than twenty does not need.
    assert queries() <= few + 1


def test_the_embedded_map_never_shows_a_draft(client, entries):
    kind = entries["cirque"].kinds.get()
    for status in (Initiative.Status.DRAFT, Initiative.Status.REVIEW, Initiative.Status.ARCHIVED):
        InitiativeFactory(
            name=f"Fiche {status}", status=status, kinds=[kind], commune=entries["cirque"].commune
        )

    for query in ({}, {"type": "tiers-lieu"}, {"q": "fiche"}):
        names = embedded_names(client.get(EMBED, query))
        assert not [name for name in names if name.startswith("Fiche")], query
    assert embedded_names(client.get(EMBED, {"q": "fiche"})) == []
    assert "Fiche" not in client.get(BUILDER, {"q": "fiche"}).content.decode()


def test_the_embedded_map_reports_a_filter_it_does_not_understand(client, entries):
    response = client.get(EMBED, {"territoire": "Zzyzx-sur-Mer", "reseau": "lutin"})

    assert set(embedded_names(response)) == {"Cirqu'en-Cavale", "Saint So Bazaar"}
    assert "Aucune commune ni aucun territoire ne correspond à « Zzyzx-sur-Mer »." in unescape(
        response.content.decode()
    )


def test_the_embedded_map_says_when_nothing_matches(client, entries):
    response = client.get(EMBED, {"reseau": "lutin", "type": "fab-lab"})

    assert embedded_names(response) == []
    assert _("No initiative matches these filters yet.") in unescape(response.content.decode())


# --- Who may frame what --------------------------------------------------------------------------


def test_any_site_may_frame_the_embedded_map(client, entries):
    response = client.get(EMBED, {"reseau": "lutin"})

    policy = policy_of(response)
    assert policy["frame-ancestors"] == ["*"]
    assert "X-Frame-Options" not in response.headers
    # The rest of the policy is the site's: only its scripts, and its inline ones with the nonce.
    site = policy_of(client.get(reverse("catalogue:map")))
    assert {
        name: sources for name, sources in policy.items() if name not in ("frame-ancestors", "script-src")
    } == {name: sources for name, sources in site.items() if name not in ("frame-ancestors", "script-src")}
    assert_map_scripts_carry_the_header_nonce(response, expected_scripts=1)


@pytest.mark.parametrize("page", ["list", "fiche", "builder", "map data"])
def test_every_other_page_refuses_to_be_framed(client, entries, page):
    url = {
        "list": reverse("catalogue:map"),
        "fiche": entries["cirque"].get_absolute_url(),
        "builder": f"{BUILDER}?reseau=lutin",
        "map data": reverse("catalogue:map-data"),
    }[page]

    response = client.get(url)

    assert response.status_code == 200
    assert policy_of(response)["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"


# --- Whatever the query string -------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["catalogue:embedded-map", "catalogue:embed"])
def test_a_nasty_query_string_is_never_a_server_error(client, seed, url_name):
    for query in NASTY_QUERIES:
        try:
            response, body = fetch(client, url_name, query)
        except Exception as error:
            raise AssertionError(f"{reverse(url_name)}?{query!r} raised {error!r}") from error
        assert response.status_code == 200, query
        assert SCRIPT not in body.decode(), query


@examples
@given(query=query_strings)
def test_the_embedded_map_always_answers_with_a_page(client, seed, query):
    response, body = fetch(client, "catalogue:embedded-map", query)

    assert response.status_code == 200
    html = body.decode()
    assert 'id="embedded-map"' in html
    assert SCRIPT not in html
    assert policy_of(response)["frame-ancestors"] == ["*"]


@examples
@given(query=query_strings)
def test_the_builder_always_answers_with_a_snippet(client, seed, query):
    response, body = fetch(client, "catalogue:embed", query)

    assert response.status_code == 200
    html = body.decode()
    assert SCRIPT not in html
    _text, frame = snippet_of(response)
    assert urlsplit(frame["src"]).path == EMBED
