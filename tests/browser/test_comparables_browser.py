"""The "comme le mien" form in a real Chromium: reached from the home page, filled as an official
fills it (place suggestions included), its answer shareable by its URL, and the fiche's comparable
projects one click away from each other."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_official_finds_projects_like_theirs_from_the_home_page(page, live_server, seed):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Projets comparables au mien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trouver des projets comparables au mien")

    place = page.get_by_label("Votre commune ou votre intercommunalité")
    # The page's script has attached the suggestions (a module: it runs once the page is read).
    expect(place).to_have_attribute("list", "id_lieu-suggestions")
    place.fill("Pernes")
    # The suggestions of the search box come from the territories table.
    expect(page.locator("#id_lieu-suggestions option").first).to_have_attribute("value", re.compile("Pernes"))
    place.fill("Pernes (62)")
    page.get_by_role("group", name="Type de projet").get_by_label("Tiers-lieu").check()
    page.get_by_role("group", name="Formes juridiques envisagées").get_by_label("SCIC").check()
    page.get_by_role("button", name="Trouver des projets comparables").click()

    results = page.locator(".comparables-results")
    expect(results.get_by_role("heading", level=2)).to_contain_text(
        "projets qui ressemblent le plus au vôtre"
    )
    first = results.locator(".comparable").first
    expect(first.locator(".initiative-card__name")).to_have_text("Cirqu'en-Cavale")
    expect(first.locator(".reasons")).to_contain_text("même forme juridique : SCIC")
    # The URL holds the whole form: opened again, it gives the same answer.
    assert "lieu=Pernes" in page.url and "forme=scic" in page.url and "type=tiers-lieu" in page.url
    shared = page.url
    page.goto(live_server.url + "/")
    page.goto(shared)
    expect(page.locator(".comparable .initiative-card__name").first).to_have_text("Cirqu'en-Cavale")
    expect(
        page.get_by_role("group", name="Formes juridiques envisagées").get_by_label("SCIC")
    ).to_be_checked()


def test_the_fiche_lists_its_comparable_projects_with_their_reasons(page, live_server, seed):
    page.goto(live_server.url + "/initiatives/cirquen-cavale/")

    section = page.locator(".fiche__comparables")
    expect(section.get_by_role("heading", name="Projets comparables")).to_be_visible()
    expect(section.locator(".comparable")).not_to_have_count(0)
    first = section.locator(".comparable").first
    expect(first.locator(".initiative-card__name")).to_have_text("La Passerelle")
    expect(first.locator(".reasons li").first).to_be_visible()
    first.locator(".initiative-card__name a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("La Passerelle")


def test_the_comparables_page_with_its_answer_has_no_serious_accessibility_violation(page, live_server, seed):
    page.goto(live_server.url + "/comparables/?lieu=Pernes+(62)&type=tiers-lieu&forme=scic&surface=-3")
    # With an error shown, and once answered.
    expect(page.locator(".field__error")).to_have_count(1)
    violations = axe_violations(page)
    assert violations == [], format_violations(violations, "the comparables form with an error")

    page.goto(live_server.url + "/comparables/?lieu=Pernes+(62)&type=tiers-lieu&forme=scic")
    expect(page.locator(".comparable").first).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], format_violations(violations, "the comparables page with its answer")
