"""A curator adds an initiative in a real Chromium: logs in, fills the form, puts a marker on the map."""

import pytest

from catalogue.models import Initiative
from tests.factories import CuratorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mot-de-passe-de-test"  # what tests.factories.UserFactory sets


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def test_a_curator_adds_an_initiative_with_a_marker_on_the_map(page, live_server):
    CuratorFactory(email="curatrice@example.org")
    log_in(page, live_server, "curatrice@example.org")

    page.goto(f"{live_server.url}/admin/catalogue/initiative/add/")
    page.fill("#id_name", "Le Tiers-Lieu des Possibles")
    page.select_option("#id_status", "review")
    # Leaflet.draw's marker tool, then a click on the map: tiles are refused, the map still works.
    page.click("#id_location-map .leaflet-draw-draw-marker")
    page.click("#id_location-map", position={"x": 300, "y": 200})
    assert '"Point"' in page.input_value("#id_location")
    page.click("input[name=_save]")

    page.wait_for_selector(".messagelist .success")
    initiative = Initiative.objects.get(name="Le Tiers-Lieu des Possibles")
    assert initiative.status == Initiative.Status.REVIEW
    assert initiative.slug == "le-tiers-lieu-des-possibles"
    assert initiative.location is not None
    assert initiative.location.srid == 4326
    # Somewhere in the view of mainland France the map opens on.
    assert -6 < initiative.location.x < 10 and 41 < initiative.location.y < 52
    assert "Le Tiers-Lieu des Possibles" in page.inner_text(".messagelist .success")
