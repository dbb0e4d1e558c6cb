"""Choosing initiatives to compare in a real Chromium: boxes on the list that keep their state when
the list is re-rendered by a filter, the tray and its link, the limit of four, the selection carried
to a fiche, and the comparison page's "Retirer". Outside requests (tiles) are refused."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_list(page, url):
    page.goto(url)
    page.locator('#initiatives-map[aria-busy="false"]').wait_for()


def box(page, name):
    return page.get_by_role("checkbox", name=f"Ajouter à la comparaison ({name})")


def tray(page):
    return page.locator(".compare-tray")


def test_picking_three_initiatives_on_the_list_and_comparing_them(page, live_server, seed):
    open_list(page, live_server.url + "/")
    expect(tray(page)).to_be_hidden()

    box(page, "Saint So Bazaar").check()
    expect(tray(page)).to_contain_text("1 initiative sélectionnée · choisissez-en au moins une autre")
    box(page, "La Passerelle").check()
    box(page, "Cirqu'en-Cavale").check()

    expect(tray(page).locator(".compare-tray__status")).to_have_text("3 initiatives sélectionnées · Comparer")
    tray(page).get_by_role("link", name="Comparer").click()

    page.wait_for_url(re.compile(r"/comparer/\?"))
    assert parse_qs(urlsplit(page.url).query)["i"] == ["saint-so-bazaar", "la-passerelle", "cirquen-cavale"]
    expect(page.locator(".comparison-table thead th")).to_have_text(
        [
            re.compile(r"^\s*Saint So Bazaar"),
            re.compile(r"^\s*La Passerelle"),
            re.compile(r"^\s*Cirqu'en-Cavale"),
        ]
    )
    expect(page.locator(".comparison-row--surface td")).to_have_text(
        ["4\u00a0500\u00a0m²", "1\u00a0500\u00a0m²", "non renseigné"]
    )


def test_the_selection_survives_a_filter_that_re_renders_the_list(page, live_server, seed):
    open_list(page, live_server.url + "/")
    box(page, "Cirqu'en-Cavale").check()
    box(page, "Saint So Bazaar").check()

    # Ticking a filter replaces the results with the server's (catalogue.js).
    page.get_by_label(re.compile(r"^SCIC")).check()
    expect(page.locator("#results .initiative-card__name a")).to_have_text(["Cirqu'en-Cavale"])

    expect(box(page, "Cirqu'en-Cavale")).to_be_checked()
    expect(tray(page).locator(".compare-tray__status")).to_have_text("2 initiatives sélectionnées · Comparer")
    # The compare form sends the whole selection, Saint So Bazaar included though it is not shown.
    page.get_by_role("button", name="Comparer la sélection").click()
    page.wait_for_url(re.compile(r"/comparer/\?"))
    assert parse_qs(urlsplit(page.url).query)["i"] == ["cirquen-cavale", "saint-so-bazaar"]


def test_a_fifth_initiative_is_refused_with_a_message(page, live_server, seed):
    open_list(page, live_server.url + "/")
    for name in ["Cirqu'en-Cavale", "Saint So Bazaar", "La Passerelle", "Centres Sociaux Connectés"]:
        box(page, name).check()

    box(page, "Friche Fives Cail").click()

    expect(box(page, "Friche Fives Cail")).not_to_be_checked()
    expect(tray(page).get_by_role("alert")).to_have_text(
        "4 initiatives au plus peuvent être comparées à la fois : retirez-en d’abord une de la sélection."
    )
    expect(tray(page).locator(".compare-tray__status")).to_have_text("4 initiatives sélectionnées · Comparer")


def test_the_selection_follows_to_a_fiche_and_the_comparison_page_sets_it(page, live_server, seed):
    open_list(page, live_server.url + "/")
    box(page, "La Passerelle").check()

    page.goto(live_server.url + "/initiatives/saint-so-bazaar/")
    expect(tray(page).locator(".compare-tray__status")).to_contain_text("1 initiative sélectionnée")
    box(page, "Saint So Bazaar").check()
    expect(tray(page).locator(".compare-tray__status")).to_have_text("2 initiatives sélectionnées · Comparer")
    page.get_by_role("button", name="Comparer la sélection").click()

    page.wait_for_url(re.compile(r"/comparer/\?"))
    assert parse_qs(urlsplit(page.url).query)["i"] == ["la-passerelle", "saint-so-bazaar"]
    page.get_by_role("link", name="Retirer La Passerelle de la comparaison").click()
    expect(page.get_by_text("Choisissez de 2 à 4 initiatives")).to_be_visible()

    # Back on the list, only what the comparison page kept is ticked.
    open_list(page, live_server.url + "/")
    expect(box(page, "Saint So Bazaar")).to_be_checked()
    expect(box(page, "La Passerelle")).not_to_be_checked()


def test_without_javascript_the_boxes_and_the_form_compare(browser, live_server, seed):
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        box(page, "Saint So Bazaar").check()
        box(page, "La Passerelle").check()
        page.get_by_role("button", name="Comparer la sélection").click()

        page.wait_for_url(re.compile(r"/comparer/\?"))
        # In the order of the list, as the browser sends a form's fields.
        assert sorted(parse_qs(urlsplit(page.url).query)["i"]) == ["la-passerelle", "saint-so-bazaar"]
        expect(page.locator(".comparison-table thead th")).to_have_count(2)
    finally:
        context.close()


def test_the_comparison_prints_on_landscape_paper_without_its_controls(page, live_server, seed):
    page.goto(
        live_server.url + "/comparer/?i=saint-so-bazaar&i=la-passerelle&i=cirquen-cavale&i=friche-fives-cail"
    )
    page.emulate_media(media="print")
    # A4 landscape less the 1 cm margins, at 96 px per inch.
    page.set_viewport_size({"width": round((29.7 - 2) / 2.54 * 96), "height": round((21 - 2) / 2.54 * 96)})

    for hidden in [".site-nav", ".comparison__actions", ".comparison-table__remove", ".back-link"]:
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator(".comparison-table thead th")).to_have_count(4)
    # The four columns fit the width of the paper: nothing to scroll, nothing cut.
    widths = page.evaluate(
        """() => {
          const table = document.querySelector(".comparison-table");
          return { table: table.scrollWidth, page: document.documentElement.clientWidth };
        }"""
    )
    assert widths["table"] <= widths["page"]
    pdf = page.pdf(prefer_css_page_size=True)
    # The first page's box is landscape (width, height in points).
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert box and float(box.group(1)) > float(box.group(2))
