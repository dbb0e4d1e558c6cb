"""The side-by-side comparison (/comparer/?i=…): the table and the CSV that a person reads for two to
four of the seed's initiatives, the message for any other selection (one, five, unknown, draft,
repeated, garbage, hostile), the bounded number of queries, and the path without JavaScript from
the list's and the fiche's boxes to the comparison."""

import csv
import io
import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.models import Initiative
from tests.factories import (
    FundingFactory,
    InitiativeFactory,
    LegalEntityFactory,
    MilestoneFactory,
    PartnershipFactory,
)

pytestmark = pytest.mark.django_db

SEED_SLUGS = [
    "saint-so-bazaar",
    "la-passerelle",
    "cirquen-cavale",
    "centres-sociaux-connectes",
    "friche-fives-cail",
]
BOM = "\ufeff"


def squeeze(text):
    """Runs of ordinary white space as one space; non-breaking spaces, which the page writes between
    a number and its unit, are kept."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


class Document(HTMLParser):
    """What these tests read of a page: the comparison table (its caption, column headers with
    their links, and each row's heading with its cells' text), the text of <main>, and the forms'
    fields."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.caption = ""
        self.columns = []  # (name, fiche href, remove href)
        self.rows = {}  # row heading -> [cell text]
        self.row_scopes = []
        self.inputs = []  # attributes of every <input>
        self.forms = {}  # id -> attributes
        self.main_text = []
        self._form = None
        self._in_main = False
        self._in_table = False
        self._cell = None  # (tag, attributes, [text])
        self._row = None
        self._column = None
        self._in_caption = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "main":
            self._in_main = True
        if tag == "form":
            self._form = attributes.get("id")
            if self._form:
                self.forms[self._form] = attributes
        if tag == "input":
            # The form it belongs to: its form="…", else the form around it.
            self.inputs.append({"owner": attributes.get("form", self._form), **attributes})
        if tag == "table" and "comparison-table" in attributes.get("class", ""):
            self._in_table = True
        if not self._in_table:
            return
        if tag == "caption":
            self._in_caption = True
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = (tag, attributes, [])
            if tag == "th" and attributes.get("scope") == "col":
                self._column = {"links": {}}
            if tag == "th" and attributes.get("scope") == "row":
                self.row_scopes.append("row")
        elif tag == "a" and self._column is not None:
            self._column["links"][attributes.get("class", "")] = attributes.get("href")
        elif tag == "li" and self._cell is not None and self._cell[2]:
            self._cell[2].append(" | ")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        if tag == "main":
            self._in_main = False
        if not self._in_table:
            return
        if tag == "caption":
            self._in_caption = False
        elif tag == "table":
            self._in_table = False
        elif tag in ("th", "td") and self._cell is not None:
            text = squeeze("".join(self._cell[2]))
            if self._column is not None:
                links = self._column["links"]
                name = text.rsplit(" Retirer", 1)[0].rsplit(" Remove", 1)[0]
                self.columns.append(
                    (name, links.get("comparison-table__name"), links.get("comparison-table__remove"))
                )
                self._column = None
            else:
                self._row.append(text)
            self._cell = None
        elif tag == "tr" and self._row and self._row[0]:
            self.rows[self._row[0]] = self._row[1:]
            self._row = None

    def handle_data(self, data):
        if self._in_main:
            self.main_text.append(data)
        if self._in_caption:
            self.caption += data
        if self._cell is not None:
            self._cell[2].append(data)

    @property
    def text(self):
        return squeeze("".join(self.main_text))


def compare(client, *slugs, **extra):
    response = client.get(reverse("catalogue:compare"), [("i", slug) for slug in slugs], **extra)
    assert response.status_code == 200
    return Document(response.content.decode())


def test_two_initiatives_side_by_side_with_the_figures_as_the_page_writes_them(client, seed):
    page = compare(client, "saint-so-bazaar", "la-passerelle")

    assert page.caption.strip() == "Comparaison de 2 initiatives, ligne par ligne"
    assert [name for name, _fiche, _remove in page.columns] == ["Saint So Bazaar", "La Passerelle"]
    assert [fiche for _name, fiche, _remove in page.columns] == [
        "/initiatives/saint-so-bazaar/",
        "/initiatives/la-passerelle/",
    ]
    # "4 500 m²" with the non-breaking spaces the fiche writes.
    assert page.rows["Surface"] == ["4\u00a0500\u00a0m²", "1\u00a0500\u00a0m²"]
    assert page.rows["Investissement"] == ["5\u00a0000\u00a0000\u00a0€", "3\u00a0000\u00a0000\u00a0€"]
    # Lille's figures, and La Passerelle, which has no commune, is said to have none.
    lille, passerelle = page.rows["Commune"]
    assert lille.startswith("Lille (59)") and "habitants" in lille and "hab./km²" in lille
    assert "densément peuplé" in lille
    assert passerelle == "non renseigné"
    # La Passerelle's intercommunality is the one it serves.
    assert page.rows["Intercommunalité (EPCI)"][0].startswith("Métropole Européenne de Lille")
    assert page.rows["Intercommunalité (EPCI)"][1].startswith("CC Pévèle-Carembault")
    assert page.rows["Département"] == [page.rows["Département"][0]] * 2
    assert page.rows["Département"][0].startswith("Nord (59)")
    assert "AMI (appel à manifestation d'intérêt)" in page.rows["Leviers mobilisés"][0]
    assert "Bail emphytéotique" in page.rows["Leviers mobilisés"][0]
    assert page.rows["Emplois (équivalents temps plein)"] == ["non renseigné", "non renseigné"]
    assert "Ville de Lille" in page.rows["Partenaires"][0]
    assert "Rôle de la collectivité" in page.rows["Trajectoire"][0]
    # Every row has its header cell.
    assert len(page.row_scopes) == len(page.rows)


def test_each_row_of_the_brief_is_there(client, seed):
    page = compare(client, "saint-so-bazaar", "cirquen-cavale")

    assert list(page.rows) == [
        "Commune",
        "Intercommunalité (EPCI)",
        "Département",
        "Territoires desservis",
        "Types",
        "Étape",
        "Montage juridique",
        "Partenaires",
        "Financements",
        "Surface",
        "Investissement",
        "Emplois (équivalents temps plein)",
        "Trajectoire",
        "Leviers mobilisés",
        "Freins rencontrés",
    ]
    assert all(len(cells) == 2 for cells in page.rows.values())


def test_four_initiatives_in_the_order_asked_with_their_legal_forms(client, seed):
    slugs = ["cirquen-cavale", "la-passerelle", "saint-so-bazaar", "friche-fives-cail"]
    page = compare(client, *slugs)

    assert [name for name, _fiche, _remove in page.columns] == [
        "Cirqu'en-Cavale",
        "La Passerelle",
        "Saint So Bazaar",
        "Friche Fives Cail",
    ]
    legal = page.rows["Montage juridique"][0]
    assert "Association loi 1901" in legal and "SCI ·" in legal and "SCIC ·" in legal
    assert page.rows["Emplois (équivalents temps plein)"][0] == "9"
    assert all(len(cells) == 4 for cells in page.rows.values())


def test_retirer_links_to_the_same_comparison_without_that_column(client, seed):
    slugs = ["cirquen-cavale", "la-passerelle", "saint-so-bazaar"]
    page = compare(client, *slugs)

    removes = [parse_qs(urlsplit(remove).query)["i"] for _name, _fiche, remove in page.columns]
    assert removes == [
        ["la-passerelle", "saint-so-bazaar"],
        ["cirquen-cavale", "saint-so-bazaar"],
        ["cirquen-cavale", "la-passerelle"],
    ]
    assert all(urlsplit(remove).path == "/comparer/" for _name, _fiche, remove in page.columns)
    assert page.text.count("Retirer") == 3


def test_one_initiative_asks_for_another(client, seed):
    page = compare(client, "la-passerelle")

    assert page.columns == []
    assert "Choisissez de 2 à 4 initiatives" in page.text
    # It says which one is in the selection, and the list link keeps it ticked.
    assert "Votre sélection La Passerelle" in page.text


def test_no_initiative_at_all_explains_how_to_choose(client, seed):
    page = compare(client)

    assert page.columns == []
    assert "Choisissez de 2 à 4 initiatives" in page.text
    assert "« Ajouter à la comparaison »" in page.text


def test_five_initiatives_are_too_many_and_each_can_be_removed(client, seed):
    response = client.get(reverse("catalogue:compare"), [("i", slug) for slug in SEED_SLUGS])
    page = Document(response.content.decode())

    assert response.status_code == 200
    assert page.columns == []
    assert "5 initiatives sont sélectionnées : 4 au plus peuvent être comparées côte à côte." in page.text
    removals = re.findall(r'href="(/comparer/\?[^"]+)"', response.content.decode())
    assert len(removals) == 5
    assert all(len(parse_qs(urlsplit(unescape(url)).query)["i"]) == 4 for url in removals)


def test_unknown_and_draft_slugs_are_named_and_the_rest_compared(client, seed):
    InitiativeFactory(name="Brouillon secret", slug="brouillon-secret", status=Initiative.Status.DRAFT)
    page = compare(client, "saint-so-bazaar", "n-existe-pas", "brouillon-secret", "la-passerelle")

    assert [name for name, _fiche, _remove in page.columns] == ["Saint So Bazaar", "La Passerelle"]
    assert "Ces initiatives ne figurent pas parmi les initiatives publiées" in page.text
    assert "« n-existe-pas »" in page.text
    assert "« brouillon-secret »" in page.text
    # The draft's name is not shown: only the slug that was typed.
    assert "Brouillon secret" not in page.text


def test_an_archived_initiative_is_not_compared(client, seed):
    Initiative.objects.filter(slug="la-passerelle").update(status=Initiative.Status.ARCHIVED)
    page = compare(client, "saint-so-bazaar", "la-passerelle")

    assert page.columns == []
    assert "« la-passerelle »" in page.text


def test_a_repeated_initiative_is_compared_once_and_said_so(client, seed):
    page = compare(client, "saint-so-bazaar", "la-passerelle", "saint-so-bazaar", " la-passerelle ")

    assert [name for name, _fiche, _remove in page.columns] == ["Saint So Bazaar", "La Passerelle"]
    assert "Demandées plusieurs fois, comparées une seule fois : saint-so-bazaar, la-passerelle." in page.text


def test_garbage_is_named_escaped_and_the_rest_compared(client, seed):
    response = client.get(
        reverse("catalogue:compare"),
        [("i", "saint-so-bazaar"), ("i", "<script>alert(1)</script>"), ("i", "la-passerelle"), ("i", "")],
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "« &lt;script&gt;alert(1)&lt;/script&gt; »" in html
    assert len(Document(html).columns) == 2


def test_too_many_values_are_not_looked_up(client, seed, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        page = compare(client, *(["saint-so-bazaar"] * 500))

    assert "L’adresse demande plus de 20 initiatives" in page.text


def test_the_comparison_reads_a_bounded_number_of_queries(client, seed, django_assert_max_num_queries):
    # More of every part on one entry: the count must not follow the number of rows.
    bazaar = Initiative.objects.get(slug="saint-so-bazaar")
    for year in range(2010, 2020):
        MilestoneFactory(initiative=bazaar, year=year)
        FundingFactory(initiative=bazaar, year=year)
        PartnershipFactory(initiative=bazaar)
        LegalEntityFactory(initiative=bazaar)

    # The initiatives with their commune, one per part (kinds, themes, networks, served
    # territories, entities, partners, funding, milestones, levers, obstacles), the served
    # territories' figures, and the session's and language's few.
    with django_assert_max_num_queries(12):
        page = compare(client, *SEED_SLUGS[:4])

    assert len(page.columns) == 4
    assert page.rows["Trajectoire"][0].count("|") >= 10


def test_the_page_is_in_english_when_asked(client, seed):
    client.cookies["django_language"] = "en"
    page = compare(client, "saint-so-bazaar", "la-passerelle")

    assert page.rows["Surface"] == ["4,500\u00a0m²", "1,500\u00a0m²"]
    assert page.rows["Commune"][1] == "not given"


# --- The CSV -------------------------------------------------------------------------------------


def download(client, *slugs):
    response = client.get(reverse("catalogue:compare-csv"), [("i", slug) for slug in slugs])
    return response, response.content.decode("utf-8")


def test_the_csv_has_the_rows_as_lines_and_the_initiatives_as_columns(client, seed):
    response, text = download(client, "saint-so-bazaar", "la-passerelle", "cirquen-cavale")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="percolateur-comparaison-[\d-]+\.csv"', response["Content-Disposition"]
    )
    assert text.startswith(BOM) and not text[1:].startswith(BOM)
    lines = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert lines[0] == ["Initiative", "Saint So Bazaar", "La Passerelle", "Cirqu'en-Cavale"]
    by_heading = {line[0]: line[1:] for line in lines}
    assert by_heading["Fiche"] == [
        "http://testserver/initiatives/saint-so-bazaar/",
        "http://testserver/initiatives/la-passerelle/",
        "http://testserver/initiatives/cirquen-cavale/",
    ]
    # Numbers a spreadsheet reads as numbers, under a heading with the unit.
    assert by_heading["Surface (m²)"] == ["4500", "1500", ""]
    assert by_heading["Investissement (€)"] == ["5000000", "3000000", ""]
    assert by_heading["Emplois (équivalents temps plein)"] == ["", "", "9,0"]
    assert by_heading["Commune"][0].startswith("Lille (59) — ")
    assert by_heading["Commune"][1] == ""
    # A cell's lines one under the other.
    legal_lines = by_heading["Montage juridique"][2].split("\n")
    assert len(legal_lines) == 3
    assert legal_lines[0].startswith("Cirqu'en-Cavale — Association loi 1901")
    # Every line has a cell for each initiative.
    assert all(len(line) == 4 for line in lines)
    assert len(lines) == 2 + 15


def test_the_csv_of_a_selection_that_cannot_be_compared_says_why(client, seed):
    response, text = download(client, "saint-so-bazaar")

    assert response.status_code == 400
    assert text == "Choisissez de 2 à 4 initiatives publiées à comparer."


def test_the_csv_writes_no_formula(client, seed):
    InitiativeFactory(name='=HYPERLINK("http://evil")', slug="formule")
    _response, text = download(client, "formule", "saint-so-bazaar")

    header = next(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert header[1] == '\'=HYPERLINK("http://evil")'


def test_the_page_links_to_its_csv(client, seed):
    response = client.get(reverse("catalogue:compare"), [("i", "saint-so-bazaar"), ("i", "la-passerelle")])

    assert 'href="/comparer.csv?i=saint-so-bazaar&amp;i=la-passerelle"' in response.content.decode()


# --- Hostile query strings -------------------------------------------------------------------------

HOSTILE = [
    "",
    "\x00",
    "%00",
    "%zz",
    "%E9",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "é" * 5000,
    "x" * 100_000,
    "saint-so-bazaar",
    "la-passerelle",
    "../../etc/passwd",
]
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
query_strings = st.one_of(
    st.lists(st.tuples(st.sampled_from(["i", "I", "i[]", "tri", "page"]), values), max_size=30).map(
        urlencode
    ),
    st.text(
        alphabet=st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from("&=%;+?#")), max_size=80
    ),
)


def fetch(client, url_name, query):
    wsgi_query = query.encode("utf-8").decode("latin-1")
    with transaction.atomic():
        return client.get(reverse(url_name), QUERY_STRING=wsgi_query)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=query_strings)
def test_any_query_string_gets_a_page_or_a_clear_refusal(client, seed, query):
    page = fetch(client, "catalogue:compare", query)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.content.decode()

    export = fetch(client, "catalogue:compare-csv", query)
    assert export.status_code in (200, 400)
    if export.status_code == 400:
        assert export.content.decode() == "Choisissez de 2 à 4 initiatives publiées à comparer."


@pytest.mark.parametrize(
    "raw",
    ["i=%00&i=%00", "i=%E9&i=saint-so-bazaar", "i", "i=&i=&i=", "%", "i=saint-so-bazaar&i=la-passerelle%00"],
)
def test_nasty_raw_query_strings_never_fail(client, seed, raw):
    assert fetch(client, "catalogue:compare", raw).status_code == 200
    assert fetch(client, "catalogue:compare-csv", raw).status_code in (200, 400)


# --- Choosing without JavaScript -----------------------------------------------------------------


def test_the_list_has_a_box_per_card_tied_to_a_separate_compare_form(client, seed):
    response = client.get(reverse("catalogue:map"))
    page = Document(response.content.decode())

    form = page.forms["compare-form"]
    assert form["method"] == "get" and form["action"] == "/comparer/"
    boxes = [attrs for attrs in page.inputs if attrs.get("name") == "i" and attrs.get("type") == "checkbox"]
    assert sorted(box["value"] for box in boxes) == sorted(SEED_SLUGS)
    assert all(box["form"] == "compare-form" for box in boxes)
    assert "Ajouter à la comparaison" in page.text
    assert "Comparer la sélection" in page.text
    # The filters form is another form: the boxes are not its fields.
    html = response.content.decode()
    filters = html[html.index('<form id="filters"') : html.index("</form>", html.index('<form id="filters"'))]
    assert 'name="i"' not in filters


def test_ticking_boxes_on_the_list_and_submitting_compares_them(client, seed):
    # What the browser sends for the compare form with two boxes ticked: the form's action with
    # the ticked boxes' name=value pairs.
    page = Document(client.get(reverse("catalogue:map")).content.decode())
    action = page.forms["compare-form"]["action"]
    ticked = [
        attrs
        for attrs in page.inputs
        if attrs.get("form") == "compare-form" and attrs["value"] in ("la-passerelle", "cirquen-cavale")
    ]

    response = client.get(action, [(box["name"], box["value"]) for box in ticked])
    compared = Document(response.content.decode())

    assert sorted(name for name, _fiche, _remove in compared.columns) == ["Cirqu'en-Cavale", "La Passerelle"]


def test_the_list_reached_from_the_comparison_shows_the_selection_ticked(client, seed):
    comparison = client.get(reverse("catalogue:compare"), [("i", "la-passerelle")]).content.decode()
    list_url = unescape(re.search(r'<a href="(/\?i=[^"]+)">Choisir des initiatives', comparison).group(1))

    page = Document(client.get(list_url).content.decode())

    ticked = [
        attrs["value"]
        for attrs in page.inputs
        if attrs.get("type") == "checkbox" and "checked" in attrs and attrs.get("name") == "i"
    ]
    assert ticked == ["la-passerelle"]
    # The list's filters take the selection for no filter of theirs.
    assert "Certains filtres n'ont pas été compris" not in page.text


def test_the_compare_form_carries_the_selection_of_initiatives_not_on_the_page(client, seed):
    # The list filtered to Cirqu'en-Cavale, reached with La Passerelle already selected.
    response = client.get(reverse("catalogue:map"), {"forme": "scic", "i": "la-passerelle"})
    page = Document(response.content.decode())

    hidden = [
        attrs["value"]
        for attrs in page.inputs
        if attrs["owner"] == "compare-form" and attrs.get("type") == "hidden" and attrs.get("name") == "i"
    ]
    assert hidden == ["la-passerelle"]
    # The box of the entry on the page is not ticked: it is not in the selection.
    boxes = [
        attrs for attrs in page.inputs if attrs["owner"] == "compare-form" and attrs.get("type") == "checkbox"
    ]
    assert [(box["value"], "checked" in box) for box in boxes] == [("cirquen-cavale", False)]


def test_the_fiche_adds_itself_to_the_selection_its_address_holds(client, seed):
    fiche = reverse("catalogue:initiative-detail", kwargs={"slug": "cirquen-cavale"})
    page = Document(client.get(fiche, {"i": "saint-so-bazaar"}).content.decode())

    form = page.forms["compare-form"]
    assert form["action"] == "/comparer/"
    fields = [
        (attrs["type"], attrs["value"], "checked" in attrs)
        for attrs in page.inputs
        if attrs["owner"] == "compare-form"
    ]
    # Saint So Bazaar is among the fiche's comparable projects: its box there stands for it, ticked.
    assert ("checkbox", "saint-so-bazaar", True) in fields
    assert ("hidden", "saint-so-bazaar", False) not in fields
    assert ("checkbox", "cirquen-cavale", False) in fields
    assert "Ajouter à la comparaison" in page.text

    # Ticked and submitted: the two are compared.
    compared = Document(
        client.get("/comparer/", [("i", "saint-so-bazaar"), ("i", "cirquen-cavale")]).content.decode()
    )
    assert [name for name, _fiche, _remove in compared.columns] == ["Saint So Bazaar", "Cirqu'en-Cavale"]


def test_the_compare_toggle_partial_renders_for_any_initiative(rf, seed):
    from django.template.loader import render_to_string

    request = rf.get("/", {"i": "la-passerelle"})
    initiative = Initiative.objects.get(slug="la-passerelle")
    html = render_to_string(
        "catalogue/partials/compare_toggle.html", {"initiative": initiative}, request=request
    )

    assert 'name="i" value="la-passerelle" form="compare-form"' in html
    assert "checked" in html
