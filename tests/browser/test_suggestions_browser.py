"""A citizen's suggestion in a real Chromium, from the home page to a published fiche: the citizen
proposes an initiative with the place search, a coordinator of the network of its département turns
it into a draft in the admin and publishes it, and the public fiche shows it."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Membership
from catalogue.models import Initiative
from contributions.models import Suggestion
from territories.models import Territory
from tests.browser.accessibility import axe_violations, format_violations
from tests.browser.test_admin_browser import log_in
from tests.factories import CuratorFactory, MembershipFactory, NetworkFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def coordinator(territories):
    network = NetworkFactory(name="Réseau du Pas-de-Calais", slug="reseau-62")
    network.territories.set([Territory.objects.departements().get(code="62")])
    user = CuratorFactory(email="coordinateur62@example.org", network=False)
    MembershipFactory(user=user, network=network, role=Membership.Role.COORDINATOR)
    return user


def test_a_citizens_proposal_becomes_a_published_fiche(page, live_server, coordinator, empty_cache, settings):
    # Playwright types faster than a person: the form's minimum time is not what is tested here.
    settings.SUGGESTIONS_MIN_SECONDS = 0

    page.goto(live_server.url + "/")
    page.locator('a[href="/proposer/"]').click()
    expect(page).to_have_url(re.compile(r"/proposer/$"))

    commune = page.locator("#id_commune")
    # The page's script has attached the suggestions (a module: it runs once the page is read).
    expect(commune).to_have_attribute("list", "id_commune-suggestions")
    page.fill("#id_name", "La Ressourcerie du Ternois")
    commune.fill("Pernes")
    # Communes only, from the territories table.
    expect(page.locator("#id_commune-suggestions option").first).to_have_attribute("value", "Pernes (62)")
    commune.fill("Pernes (62)")
    page.fill("#id_message", "Une recyclerie associative, ouverte le samedi.")
    page.fill("#id_submitter_email", "sam@example.org")
    page.check("#id_wants_news")
    # The honeypot is out of sight.
    box = page.locator("#id_hp_reference").bounding_box()
    assert box is None or box["x"] + box["width"] <= 0
    violations = axe_violations(page)
    assert violations == [], format_violations(violations, "the proposal form")
    page.locator(".suggestion-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/proposer/merci/$"))
    suggestion = Suggestion.objects.get()
    assert suggestion.commune.code == "62652"
    assert suggestion.networks.get().slug == "reseau-62"

    # The coordinator finds it in the queue and turns it into a draft.
    log_in(page, live_server, "coordinateur62@example.org")
    page.goto(f"{live_server.url}/admin/contributions/suggestion/")
    page.get_by_role("link", name="La Ressourcerie du Ternois").click()
    expect(page.locator("body")).to_contain_text("sam@example.org")
    # By the keyboard: under load, Chromium has reported the admin's content box as covering the
    # button at the moment of the click.
    page.focus("input[name=_convert]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/admin/catalogue/initiative/\d+/change/$"))

    draft = Initiative.objects.get(name="La Ressourcerie du Ternois")
    expect(page).to_have_url(re.compile(rf"/admin/catalogue/initiative/{draft.pk}/change/$"))
    expect(page.locator("#id_name")).to_have_value("La Ressourcerie du Ternois")
    assert draft.status == Initiative.Status.DRAFT
    assert page.context.new_page().goto(live_server.url + draft.get_absolute_url()).status == 404

    # Then publishes it from the change form.
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    draft.refresh_from_db()
    assert draft.status == Initiative.Status.PUBLISHED

    page.goto(live_server.url + draft.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("La Ressourcerie du Ternois")
    expect(page.locator("body")).to_contain_text("Une recyclerie associative, ouverte le samedi.")
    expect(page.locator("body")).not_to_contain_text("sam@example.org")
