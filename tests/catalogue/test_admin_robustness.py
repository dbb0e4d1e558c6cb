"""The admin under wrong input and failing services: a bad value in a URL is a 404 or Django's
"wrong filter" page, never a 500; geocoding never makes a point less precise; a revert page works
for every model that keeps a history; drafts have no "View on site" link.

The project's messages are asked for in English (``accept-language: en``) so that the assertions do
not depend on the French catalogue.
"""

import io

import PIL.Image
import pytest
from django.contrib.gis.geos import Point
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from catalogue.models import FundingTool, Initiative
from territories.models import Territory
from tests.ban_server import ban_feature, serve_ban
from tests.catalogue.test_admin import (
    CHANGELIST,
    change_url,
    form_as_post,
    geojson_point,
    initiative_form,
    messages_of,
)
from tests.factories import (
    FundingToolFactory,
    InitiativeFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}
PERNES_CENTRE = (2.4109, 50.4838)  # its town hall, as the territories table places it
# A point a curator placed by hand, a few streets away from the commune's centre.
BY_HAND = (2.4188, 50.4791)
# Each is a request to the BAN, which may take its whole timeout.
GEOCODED_AT_ONCE = 50
KEPT = "The address was not found: the point already on the map was kept."


@pytest.fixture
def pernes(territories):
    return Territory.objects.get(kind="commune", code="62652")


@pytest.fixture
def ban(settings):
    with serve_ban(settings) as server:
        yield server


def placed_by_hand(**fields):
    return InitiativeFactory(
        location=Point(*BY_HAND, srid=4326),
        location_precision=Initiative.LocationPrecision.ADDRESS,
        **fields,
    )


def select(client, action, initiatives):
    """Run a list action on these initiatives, in English."""
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [i.pk for i in initiatives], "index": "0"},
        headers=ENGLISH,
        follow=True,
    )


def coordinates(initiative):
    initiative.refresh_from_db()
    return (initiative.location.x, initiative.location.y)


# --- Bad values in the URL ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "1.5"])
def test_a_departement_that_is_not_a_number_is_a_wrong_filter_not_an_error(curator_client, pernes, value):
    initiative = InitiativeFactory(commune=pernes)

    response = curator_client.get(CHANGELIST, {"departement": value})

    # As Django's own filters answer a bad value: back to the list with "?e=1", unfiltered.
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
    page = curator_client.get(response["Location"])
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [initiative]


@pytest.mark.parametrize("value", ["0", "99999999999999999999"])
def test_a_departement_number_that_none_has_lists_nothing(curator_client, pernes, value):
    InitiativeFactory(commune=pernes)

    response = curator_client.get(CHANGELIST, {"departement": value})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def history_url(model, object_id):
    return reverse(f"admin:catalogue_{model}_history", args=[object_id])


def version_url(model, object_id, version_id):
    return reverse(f"admin:catalogue_{model}_simple_history", args=[object_id, version_id])


@pytest.fixture
def kept_entries(pernes):
    """One entry of each model whose admin shows a history."""
    return {
        "initiative": InitiativeFactory(commune=pernes),
        "organization": OrganizationFactory(),
        "fundingtool": FundingToolFactory(),
    }


@pytest.mark.parametrize("model", ["initiative", "organization", "fundingtool"])
@pytest.mark.parametrize("bad_id", ["abc", "1.5", "99999999999999999999"])
def test_a_history_url_with_an_id_that_is_not_one_is_not_found(curator_client, kept_entries, model, bad_id):
    entry = kept_entries[model]
    version = entry.history.latest()

    assert curator_client.get(history_url(model, bad_id)).status_code == 404
    assert curator_client.get(version_url(model, bad_id, version.history_id)).status_code == 404
    assert curator_client.get(version_url(model, entry.pk, bad_id)).status_code == 404
    # A version of another entry is not this entry's either.
    assert curator_client.get(version_url(model, entry.pk + 1000, version.history_id)).status_code == 404


def history_records(page):
    """The records the history page lists, latest first: (type, user)."""
    assert page.status_code == 200
    return [(record.history_type, record.history_user) for record in page.context["page_obj"].object_list]


# The field that names an entry of each model kept in history.
NAME_FIELDS = {"initiative": "name", "organization": "name", "fundingtool": "label"}


@pytest.mark.parametrize("model", ["initiative", "organization", "fundingtool"])
def test_the_history_pages_of_every_kept_model_render(curator_client, kept_entries, model):
    entry = kept_entries[model]

    assert history_records(curator_client.get(history_url(model, entry.pk))) == [("+", None)]
    page = curator_client.get(version_url(model, entry.pk, entry.history.latest().history_id))
    assert page.status_code == 200
    name_field = NAME_FIELDS[model]
    assert page.context["adminform"].form[name_field].value() == getattr(entry, name_field)


def test_a_funding_tools_changes_are_in_its_history(curator_client, curator):
    region = OrganizationFactory(name="Région Hauts-de-France")
    tool = FundingToolFactory(label="FIDESS", slug="fidess")

    response = curator_client.post(
        reverse("admin:catalogue_fundingtool_change", args=[tool.pk]),
        {"label": "FIDESS", "slug": "fidess", "nature": "loan", "co_funders": [region.pk], "_save": "1"},
    )

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert list(tool.co_funders.all()) == [region]
    assert {record.history_user for record in tool.history.filter(history_type="~")} == {curator}
    # The page's header names the curator whatever the history holds: the records are what it lists.
    records = history_records(curator_client.get(history_url("fundingtool", tool.pk)))
    assert records[-1] == ("+", None)
    assert set(records[:-1]) == {("~", curator)}


def test_a_funding_tool_reverted_to_a_version_gets_back_its_name_and_co_funders(curator_client, curator):
    region, departement, bank = (
        OrganizationFactory(name=name) for name in ("Région", "Département", "Banque")
    )
    tool = FundingToolFactory(label="Fonds d'origine")
    tool.co_funders.set([region, departement])
    version = tool.history.latest()
    tool.label = "Un nom erroné"
    tool.save()
    tool.co_funders.set([bank])

    page = curator_client.get(version_url("fundingtool", tool.pk, version.history_id))
    data = form_as_post(page.context["adminform"].form)
    assert sorted(data["co_funders"]) == sorted([str(region.pk), str(departement.pk)])
    response = curator_client.post(
        version_url("fundingtool", tool.pk, version.history_id), {**data, "_save": "Rétablir"}
    )

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    tool = FundingTool.objects.get()
    assert tool.label == "Fonds d'origine"
    assert set(tool.co_funders.all()) == {region, departement}
    latest = tool.history.latest()
    assert latest.history_user == curator
    assert latest.history_change_reason


# --- Geocoding never makes a point less precise ---------------------------------------------------


def press_geocode(client, initiative, commune, **fields):
    data = initiative_form(
        name=initiative.name,
        slug=initiative.slug,
        commune=str(commune.pk),
        location=geojson_point(*BY_HAND),
        location_precision="address",
        _geocode="1",
        **fields,
    )
    del data["_save"]
    return client.post(change_url(initiative), data, headers=ENGLISH, follow=True)


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("12 rue de la Gare", KEPT),
        ("", "No address is given: the point already on the map was kept."),
    ],
)
def test_with_the_ban_down_the_geocode_button_keeps_a_point_placed_by_hand(
    curator_client, pernes, address, message
):
    # No local BAN: the test settings point the geocoder at a closed port.
    initiative = placed_by_hand(commune=pernes, address=address)

    response = press_geocode(curator_client, initiative, pernes, address=address)

    assert response.redirect_chain[-1][0] == change_url(initiative)
    assert coordinates(initiative) == pytest.approx(BY_HAND)
    assert initiative.location_precision == Initiative.LocationPrecision.ADDRESS
    assert messages_of(response)[0] == (message_levels.WARNING, message)


def test_an_address_the_ban_cannot_find_keeps_a_point_placed_by_hand(curator_client, ban, pernes):
    ban.answer()
    initiative = placed_by_hand(commune=pernes, address="chemin inconnu")

    response = press_geocode(curator_client, initiative, pernes, address="chemin inconnu")

    assert coordinates(initiative) == pytest.approx(BY_HAND)
    assert messages_of(response)[0] == (message_levels.WARNING, KEPT)


def test_with_the_ban_down_the_geocode_action_keeps_points_placed_by_hand(curator_client, pernes):
    by_hand = placed_by_hand(name="A la main", commune=pernes, address="12 rue de la Gare")
    unplaced = InitiativeFactory(
        name="Sans point", commune=pernes, address="12 rue de la Gare", location=None
    )

    response = select(curator_client, "geocode", [by_hand, unplaced])

    assert coordinates(by_hand) == pytest.approx(BY_HAND)
    assert by_hand.location_precision == Initiative.LocationPrecision.ADDRESS
    # Nothing changed: no empty record in its history.
    assert by_hand.history.count() == 1
    # Without a point yet, the commune's centre is better than nothing.
    assert coordinates(unplaced) == pytest.approx(PERNES_CENTRE)
    assert messages_of(response) == [
        (
            message_levels.WARNING,
            "1 initiative was placed at the centre of its commune: check it on its map.",
        ),
        (
            message_levels.WARNING,
            "The address of 1 initiative was not found or not given (A la main): the point already "
            "on its map was kept.",
        ),
    ]


def test_when_the_ban_finds_the_address_it_replaces_a_point_placed_by_hand(curator_client, ban, pernes):
    ban.answer(ban_feature(2.4101, 50.4842, "12 Rue de la Gare 62550 Pernes", citycode="62652"))
    initiative = placed_by_hand(commune=pernes, address="12 rue de la Gare")

    select(curator_client, "geocode", [initiative])

    assert coordinates(initiative) == pytest.approx((2.4101, 50.4842))


# --- The geocode action's limits and history ------------------------------------------------------


def test_the_geocode_action_refuses_more_than_its_limit_and_geocodes_none(curator_client, pernes):
    initiatives = InitiativeFactory.create_batch(
        GEOCODED_AT_ONCE + 1, commune=pernes, address="", location=None
    )

    response = select(curator_client, "geocode", initiatives)

    assert messages_of(response) == [
        (message_levels.WARNING, f"Select at most {GEOCODED_AT_ONCE} initiatives to geocode at once.")
    ]
    assert not Initiative.objects.with_location().exists()
    assert all(initiative.history.count() == 1 for initiative in initiatives)


def test_the_geocode_action_geocodes_up_to_its_limit(curator_client, pernes):
    initiatives = InitiativeFactory.create_batch(GEOCODED_AT_ONCE, commune=pernes, address="", location=None)

    select(curator_client, "geocode", initiatives)

    assert Initiative.objects.with_location().count() == GEOCODED_AT_ONCE


def test_the_geocode_action_says_why_in_the_history(curator_client, curator, pernes):
    initiative = InitiativeFactory(commune=pernes, address="", location=None)

    select(curator_client, "geocode", [initiative])

    latest = initiative.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (
        curator,
        "Geocoded from the list of initiatives.",
    )


# --- View on site ---------------------------------------------------------------------------------


def test_a_draft_has_no_view_on_site_link(curator_client):
    draft = InitiativeFactory(status=Initiative.Status.DRAFT)

    content = curator_client.get(change_url(draft)).content.decode()

    assert 'class="viewsitelink"' not in content
    assert draft.get_absolute_url() not in content


def test_a_published_initiative_links_to_its_public_page(curator_client):
    published = InitiativeFactory(status=Initiative.Status.PUBLISHED)

    content = curator_client.get(change_url(published)).content.decode()

    assert f'<a href="{published.get_absolute_url()}" class="viewsitelink">' in content


# --- What the model refuses, through the form -----------------------------------------------------


def test_a_point_outside_the_earths_coordinates_is_refused_and_nothing_is_saved(curator_client, pernes):
    initiative = InitiativeFactory(name="Cirqu'en-Cavale", commune=pernes)
    data = initiative_form(
        name="Nouveau nom",
        slug=initiative.slug,
        commune=str(pernes.pk),
        location='{"type":"Point","coordinates":[999,999]}',
    )

    response = curator_client.post(change_url(initiative), data, headers=ENGLISH)

    assert response.status_code == 200
    outside = "This point is outside the Earth's coordinates: place it again on the map."
    assert response.context["adminform"].form.errors["location"] == [outside]
    assert f"<li>{escape(outside)}</li>" in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.name == "Cirqu'en-Cavale"
    assert (initiative.location.x, initiative.location.y) == pytest.approx((2.35, 48.85))
    assert initiative.history.count() == 1


def one_pixel_png():
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (1, 1)).save(buffer, "PNG")
    return SimpleUploadedFile("facade.png", buffer.getvalue(), "image/png")


def test_an_image_without_a_description_is_refused_and_nothing_is_saved(curator_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = initiative_form(image=one_pixel_png(), image_alt=" ")

    response = curator_client.post(reverse("admin:catalogue_initiative_add"), data, headers=ENGLISH)

    assert response.status_code == 200
    assert "image_alt" in response.context["adminform"].form.errors
    assert not Initiative.objects.exists()
    assert not any(tmp_path.iterdir())
