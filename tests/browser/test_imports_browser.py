"""A curator imports their network's file in a real Chromium: uploads it, reads the preview, fixes
a column, confirms, and finds the entries as drafts of their network."""

import re

import pytest
from playwright.sync_api import expect

from catalogue.models import Initiative
from tests.browser.accessibility import axe_violations, format_violations
from tests.browser.test_admin_browser import log_in
from tests.factories import CuratorFactory, the_tests_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# As a network's Excel saves it: Windows-1252, semicolons; a column the guess cannot name.
LIEUX = (
    "Nom du lieu;Adresse;CP;Ville;Contact;Remarque interne\r\n"
    "La Fabrique de Pernes;2 rue de l'Église;62550;Pernes;bonjour@fabrique-pernes.fr;à rappeler\r\n"
    "Le Tiers-lieu des Weppes;;59320;Haubourdin;;\r\n"
).encode("cp1252")


def test_a_curator_imports_a_file_after_reading_its_preview(page, live_server, territories):
    CuratorFactory(email="importatrice@example.org")
    log_in(page, live_server, "importatrice@example.org")

    page.goto(f"{live_server.url}/admin/contributions/importbatch/add/")
    page.set_input_files("#id_file", files=[{"name": "lieux.csv", "mimeType": "text/csv", "buffer": LIEUX}])
    page.fill("#id_source", "Réseau des tiers-lieux des Hauts-de-France")
    page.fill("#id_licence", "Licence Ouverte 2.0")
    page.focus("input[name=_save]")
    page.keyboard.press("Enter")

    # The preview: nothing written yet, each row with what would happen to it.
    expect(page).to_have_url(re.compile(r"/admin/contributions/importbatch/\d+/change/$"))
    expect(page.locator('[data-count="create"]')).to_have_text("2")
    expect(page.locator('[data-count="refused"]')).to_have_text("0")
    expect(page.locator(".import-group--create")).to_contain_text("La Fabrique de Pernes")
    expect(page.locator(".import-group--create")).to_contain_text("Haubourdin")
    # The columns the guess left out are said, never dropped in silence.
    expect(page.locator(".import-counts")).to_contain_text("Remarque interne")
    assert not Initiative.objects.filter(name="La Fabrique de Pernes").exists()
    violations = axe_violations(page)
    assert violations == [], format_violations(violations, "the import preview")

    # "Contact" holds e-mails: the curator says so, and the preview follows.
    contact = page.get_by_label("Contact", exact=True)
    contact.select_option("public_email")
    page.focus("input[name=_update]")
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_be_visible()
    expect(page.get_by_label("Contact", exact=True)).to_have_value("public_email")

    page.focus("input[name=_import]")
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("2")
    expect(page.locator('[data-count="create"]')).to_have_text("2")

    # The entries are drafts of the curator's network, with the file as their source.
    fabrique = Initiative.objects.get(name="La Fabrique de Pernes")
    assert fabrique.status == Initiative.Status.DRAFT
    assert fabrique.public_email == "bonjour@fabrique-pernes.fr"
    assert list(fabrique.networks.all()) == [the_tests_network()]
    page.goto(f"{live_server.url}/admin/catalogue/initiative/?status__exact=draft")
    expect(page.locator("#result_list")).to_contain_text("La Fabrique de Pernes")
    expect(page.locator("#result_list")).to_contain_text("Le Tiers-lieu des Weppes")
    page.get_by_role("link", name="La Fabrique de Pernes").click()
    expect(page.locator("body")).to_contain_text("lieux.csv")
