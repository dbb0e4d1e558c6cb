"""No serious or critical accessibility violation, as axe-core finds them in a real Chromium, on the
pages the public sees: the home page (also on a phone and in English), a filtered list and a fiche.
The seed's entries fill them; tiles are refused, as everywhere in the browser tests."""

import pytest
from playwright.sync_api import expect

from catalogue.models import Initiative
from tests.browser.accessibility import axe_violations, format_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The seed's entry with the most facts (partners, fundings, milestones, levers): the fullest fiche.
FULLEST_FICHE = "saint-so-bazaar"


def open_home(page, url):
    """Opens a page of the home map and waits until its script has placed the markers."""
    page.goto(url)
    page.locator('#initiatives-map[aria-busy="false"]').wait_for()
    expect(page.locator("#initiatives-map .leaflet-marker-icon").first).to_be_visible()


def assert_no_serious_violation(page, where):
    violations = axe_violations(page)
    assert violations == [], format_violations(violations, where)


def test_home_page_has_no_serious_accessibility_violation(page, live_server, seed):
    open_home(page, live_server.url + "/")

    assert_no_serious_violation(page, "the home page")


def test_filtered_list_has_no_serious_accessibility_violation(page, live_server, seed):
    open_home(page, live_server.url + "/?forme=scic")
    # Only the seed's entry run through a SCIC: the page really is a filtered list.
    expect(page.locator(".initiative-card__name")).to_have_text(["Cirqu'en-Cavale"])

    assert_no_serious_violation(page, "the list filtered by legal form (/?forme=scic)")


def test_fiche_has_no_serious_accessibility_violation(page, live_server, seed):
    initiative = Initiative.objects.get(slug=FULLEST_FICHE)
    page.goto(live_server.url + initiative.get_absolute_url())
    expect(page.locator("#initiative-map .leaflet-marker-icon")).to_have_count(1)

    assert_no_serious_violation(page, f"the fiche {initiative.get_absolute_url()}")


def test_home_page_on_a_phone_has_no_serious_accessibility_violation(page, live_server, seed):
    page.set_viewport_size({"width": 375, "height": 740})
    open_home(page, live_server.url + "/")

    assert_no_serious_violation(page, "the home page at 375×740")


def test_home_page_in_english_has_no_serious_accessibility_violation(page, live_server, seed):
    page.goto(live_server.url + "/")
    page.select_option("#language-select", "en")
    page.locator(".language-switcher button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator('#initiatives-map[aria-busy="false"]').wait_for()

    assert_no_serious_violation(page, "the home page in English")


def test_toolbox_index_has_no_serious_accessibility_violation(page, live_server, seed):
    page.goto(live_server.url + "/leviers-et-outils/")
    expect(page.locator("h1")).to_have_text("Leviers et outils de l’action publique")

    assert_no_serious_violation(page, "the toolbox's index (/leviers-et-outils/)")


def test_toolbox_pages_have_no_serious_accessibility_violation(page, live_server, seed):
    # The lever with the most initiatives (cards and notes), and the network with resources.
    for path, heading in (
        ("/leviers-et-outils/leviers/subvention-investissement/", "Subvention d'investissement"),
        ("/reseaux/cap-rural/", "CAP Rural"),
    ):
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_have_text(heading)

        assert_no_serious_violation(page, f"the toolbox page {path}")


def test_comparison_has_no_serious_accessibility_violation(page, live_server, seed):
    url = "/comparer/?i=saint-so-bazaar&i=la-passerelle&i=cirquen-cavale&i=friche-fives-cail"
    page.goto(live_server.url + url)
    expect(page.locator(".comparison-table thead th")).to_have_count(4)

    assert_no_serious_violation(page, f"the comparison {url}")


def test_comparison_message_page_has_no_serious_accessibility_violation(page, live_server, seed):
    url = "/comparer/?i=saint-so-bazaar&i=inconnue"
    page.goto(live_server.url + url)
    expect(page.get_by_role("alert")).to_contain_text("« inconnue »")

    assert_no_serious_violation(page, f"the comparison's message {url}")


def test_list_with_a_selection_to_compare_has_no_serious_accessibility_violation(page, live_server, seed):
    open_home(page, live_server.url + "/")
    page.get_by_role("checkbox", name="Ajouter à la comparaison (Saint So Bazaar)").check()
    expect(page.locator(".compare-tray")).to_be_visible()

    assert_no_serious_violation(page, "the home page with the comparison tray")


def test_territory_pages_have_no_serious_accessibility_violation(page, live_server, seed):
    # The région (filters, list, charts) and a commune (classifications absent, comparables).
    for path in ("/territoires/region/32/", "/territoires/commune/62652/"):
        page.goto(live_server.url + path)
        expect(page.locator("h1")).to_be_visible()
        expect(page.locator(".territory__charts table")).to_have_count(3)

        assert_no_serious_violation(page, f"the territory page {path}")
