"""The curators' admin, driven through its real forms with Django's test client.

Requests carry no Accept-Language header, so LocaleMiddleware serves them in French (LANGUAGE_CODE):
Django's own messages and the project's (whose French translations live in locale/) are asserted in
French, word for word; the tests also look at which field carries an error and at the error's code.
"""

import datetime
import json

import pytest
from django.contrib.gis.geos import GEOSGeometry, Point
from django.contrib.messages import constants as message_levels
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Membership, User
from catalogue.admin.initiatives import DepartementFilter
from catalogue.models import Initiative, LegalEntity
from territories.models import Territory
from tests.ban_server import ban_feature, serve_ban
from tests.factories import (
    CommuneFactory,
    DepartementFactory,
    FundingToolFactory,
    InitiativeFactory,
    KindFactory,
    LegalEntityFactory,
    LegalFormFactory,
    LeverFactory,
    NetworkFactory,
    ObstacleFactory,
    OrganizationFactory,
    ThemeFactory,
    the_tests_network,
)
from tests.nominatim_server import nominatim_place, serve_nominatim

pytestmark = pytest.mark.django_db

# The prefixes Django gives the initiative's inline formsets (the related names of their foreign keys).
INLINE_PREFIXES = (
    "legal_entities",
    "partnerships",
    "fundings",
    "milestones",
    "initiativelever_set",
    "initiativeobstacle_set",
)
CHANGELIST = reverse("admin:catalogue_initiative_changelist")
ADD = reverse("admin:catalogue_initiative_add")
# Pernes (62652) as the territories table places it: its town hall.
PERNES_CENTRE = (2.4109, 50.4838)


def change_url(initiative):
    return reverse("admin:catalogue_initiative_change", args=[initiative.pk])


def management_form(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def geojson_point(lon, lat):
    """The location as the Leaflet widget posts it."""
    return json.dumps({"type": "Point", "coordinates": [lon, lat]})


def initiative_form(**fields):
    """What the add/change form posts for an initiative, with empty inline formsets."""
    data = {
        "name": "La Ressourcerie du Ternois",
        "slug": "",
        "summary": "Une recyclerie et un café associatif.",
        "description": "",
        "stage": "active",
        "started_year": "2015",
        "opened_year": "2018",
        "address": "12 rue de la Gare",
        "commune": "",
        "location": "",
        "location_precision": "",
        "surface_m2": "1500",
        "investment_eur": "3000000",
        "annual_budget_eur": "",
        "jobs_fte": "2.5",
        "volunteers": "30",
        "website": "",
        "public_email": "",
        "phone": "",
        "image_alt": "",
        "status": "draft",
        "networks": [str(the_tests_network().pk)],
        "sources": "Atelier n°4 du RNIT, Montpellier, 15 mai 2018.",
        "verified_on": "2024-05-15",
        "_save": "Enregistrer",
    }
    for prefix in INLINE_PREFIXES:
        data.update(management_form(prefix))
    data.update(fields)
    return data


def legal_entity_row(index, legal_form, **fields):
    row = {"name": "Association Cirqu'en-Cavale", "legal_form": str(legal_form.pk), "role": "holder"}
    row.update(fields)
    return {f"legal_entities-{index}-{name}": value for name, value in row.items()}


def form_as_post(form):
    """The data a browser would post back for an unbound form, as rendered with its initial values."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value in (None, "") or (hasattr(value, "name") and not value):
            continue
        if isinstance(value, GEOSGeometry):
            data[name] = value.geojson
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def messages_of(response):
    return [(message.level, str(message)) for message in response.context["messages"]]


def inline_formset(response, prefix):
    return next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == prefix
    )


@pytest.fixture
def pas_de_calais(territories):
    return Territory.objects.get(kind="departement", code="62")


@pytest.fixture
def pernes(territories):
    return Territory.objects.get(kind="commune", code="62652")


@pytest.fixture
def legal_form(db):
    return LegalFormFactory(slug="scic", label="SCIC")


@pytest.fixture
def ban(settings):
    with serve_ban(settings) as server:
        yield server


# --- The list -----------------------------------------------------------------------------------


@pytest.fixture
def catalogue(pernes, legal_form):
    """Three initiatives that differ by status, kind, legal form, département and network."""
    nord = Territory.objects.get(kind="departement", code="59")
    lille = Territory.objects.get(kind="commune", code="59350")
    tiers_lieu, recyclerie = KindFactory(label="Tiers-lieu"), KindFactory(label="Recyclerie")
    lutin = NetworkFactory(name="Réseau Lutin", slug="reseau-lutin")
    cirque = InitiativeFactory(
        name="Cirqu'en-Cavale", commune=pernes, status=Initiative.Status.PUBLISHED, kinds=[tiers_lieu]
    )
    LegalEntityFactory(initiative=cirque, legal_form=legal_form)
    cirque.networks.add(lutin)
    bazaar = InitiativeFactory(
        name="Saint So Bazaar",
        commune=lille,
        address="17 boulevard Jean-Baptiste Lebas",
        status=Initiative.Status.DRAFT,
        kinds=[recyclerie],
    )
    # Two legal forms in use: Django hides (and ignores) a related filter with a single choice.
    LegalEntityFactory(initiative=bazaar, legal_form=LegalFormFactory(label="Association loi 1901"))
    unplaced = InitiativeFactory(
        name="Sans commune", commune=None, location=None, status=Initiative.Status.REVIEW
    )
    return {
        "cirque": cirque,
        "bazaar": bazaar,
        "unplaced": unplaced,
        "tiers_lieu": tiers_lieu,
        "lutin": lutin,
        "nord": nord,
        "pas_de_calais": pernes.departement,
    }


def listed(response):
    assert response.status_code == 200
    return {initiative.name for initiative in response.context["cl"].result_list}


def list_row(initiative):
    """The start of the initiative's row in the list: its name, its commune and its département (the
    département filter beside the list names the départements too, so only the row says whose they are)."""
    name = f'<a href="{change_url(initiative)}">{escape(initiative.name)}</a>'
    return f'<th class="field-name">{name}</th><td class="field-commune nowrap">'


def test_the_list_shows_every_initiative_with_its_commune_and_departement(staff_client, catalogue):
    response = staff_client.get(CHANGELIST)

    assert listed(response) == {"Cirqu'en-Cavale", "Saint So Bazaar", "Sans commune"}
    content = response.content.decode()
    assert (
        list_row(catalogue["cirque"])
        + 'Pernes (62)</td><td class="field-departement">Pas-de-Calais (62)</td>'
    ) in content
    assert (
        list_row(catalogue["bazaar"]) + 'Lille (59)</td><td class="field-departement">Nord (59)</td>'
    ) in content
    assert (list_row(catalogue["unplaced"]) + '-</td><td class="field-departement">-</td>') in content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Cavale", {"Cirqu'en-Cavale"}),  # name
        ("recyclerie", set()),  # a kind is not searched
        ("Lille", {"Saint So Bazaar"}),  # commune
        ("Lebas", {"Saint So Bazaar"}),  # address
        ("rural", {"Cirqu'en-Cavale", "Saint So Bazaar", "Sans commune"}),  # summary
    ],
)
def test_search_looks_in_name_summary_commune_and_address(staff_client, catalogue, query, expected):
    assert listed(staff_client.get(CHANGELIST, {"q": query})) == expected


def test_the_status_filter(staff_client, catalogue):
    assert listed(staff_client.get(CHANGELIST, {"status__exact": "published"})) == {"Cirqu'en-Cavale"}


def test_the_kind_filter(staff_client, catalogue):
    response = staff_client.get(CHANGELIST, {"kinds__id__exact": catalogue["tiers_lieu"].pk})
    assert listed(response) == {"Cirqu'en-Cavale"}


def test_the_legal_form_filter(staff_client, catalogue, legal_form):
    response = staff_client.get(CHANGELIST, {"legal_entities__legal_form__id__exact": legal_form.pk})
    assert listed(response) == {"Cirqu'en-Cavale"}


def test_the_network_filter(staff_client, catalogue):
    response = staff_client.get(CHANGELIST, {"networks__id__exact": catalogue["lutin"].pk})
    assert listed(response) == {"Cirqu'en-Cavale"}


def test_the_departement_filter_offers_only_departements_with_initiatives(staff_client, catalogue):
    # The 99 other départements of the table have no initiative.
    response = staff_client.get(CHANGELIST, {"departement": catalogue["nord"].pk})

    assert listed(response) == {"Saint So Bazaar"}
    departement_filter = next(
        f for f in response.context["cl"].filter_specs if isinstance(f, DepartementFilter)
    )
    assert [label for _value, label in departement_filter.lookup_choices] == [
        "Nord (59)",
        "Pas-de-Calais (62)",
    ]


# --- Adding and changing --------------------------------------------------------------------------


def test_the_add_form_renders_the_map_and_every_inline(staff_client):
    response = staff_client.get(ADD)

    assert response.status_code == 200
    assert [inline.formset.prefix for inline in response.context["inline_admin_formsets"]] == list(
        INLINE_PREFIXES
    )
    content = response.content.decode()
    assert 'id="id_location-map"' in content
    assert 'name="_geocode"' in content


def test_a_curator_adds_an_initiative_with_its_point(curator_client, curator, pernes):
    kind = KindFactory()
    data = initiative_form(
        commune=str(pernes.pk),
        location=geojson_point(2.9, 50.4),
        location_precision="address",
        kinds=[kind.pk],
    )

    response = curator_client.post(ADD, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    initiative = Initiative.objects.get(name="La Ressourcerie du Ternois")
    assert (initiative.location.x, initiative.location.y) == pytest.approx((2.9, 50.4))
    assert initiative.location.srid == 4326
    assert initiative.slug == "la-ressourcerie-du-ternois"
    assert initiative.commune == pernes
    assert list(initiative.kinds.all()) == [kind]
    assert initiative.created_by == curator
    assert initiative.updated_by == curator
    # Saving the kinds after the initiative adds a second record; both are the curator's.
    assert initiative.history.earliest().history_type == "+"
    assert {record.history_user for record in initiative.history.all()} == {curator}


def test_a_curator_changes_an_initiative_and_adds_a_legal_entity(curator_client, curator, pernes, legal_form):
    initiative = InitiativeFactory(name="Cirqu'en-Cavale", commune=pernes)
    data = initiative_form(
        name="Cirqu'en-Cavale",
        slug=initiative.slug,
        commune=str(pernes.pk),
        location=geojson_point(2.41, 50.48),
        **management_form("legal_entities", total=1),
        **legal_entity_row(0, legal_form, siren="200035442"),
    )

    response = curator_client.post(change_url(initiative), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    initiative.refresh_from_db()
    assert initiative.started_year == 2015
    assert initiative.updated_by == curator
    entity = initiative.legal_entities.get()
    assert (entity.name, entity.legal_form, entity.siren) == (
        "Association Cirqu'en-Cavale",
        legal_form,
        "200035442",
    )
    assert entity.history.count() == 1


@pytest.mark.parametrize(
    ("siren", "code"),
    [("123456789", "siren_checksum"), ("12345", "siren_format"), ("2000 3544", "siren_format")],
)
def test_an_invalid_siren_is_refused_and_nothing_is_saved(curator_client, legal_form, siren, code):
    data = initiative_form(
        **management_form("legal_entities", total=1), **legal_entity_row(0, legal_form, siren=siren)
    )

    response = curator_client.post(ADD, data)

    assert response.status_code == 200
    assert "Corrigez l’erreur ci-dessous." in response.content.decode()
    errors = inline_formset(response, "legal_entities").forms[0].errors.as_data()
    assert [error.code for error in errors["siren"]] == [code]
    assert Initiative.objects.count() == 0
    assert LegalEntity.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "field", "french"),
    [
        (
            {"investment_eur": "-5"},
            "investment_eur",
            "Assurez-vous que cette valeur est supérieure ou égale à 0.",
        ),
        (
            {"started_year": "1500", "opened_year": ""},
            "started_year",
            "Assurez-vous que cette valeur est supérieure ou égale à 1800.",
        ),
        (
            {"started_year": "2018", "opened_year": "2015"},
            "opened_year",
            "L’année d’ouverture ne peut pas précéder l’année de démarrage du projet.",
        ),
        ({"name": ""}, "name", "Ce champ est obligatoire."),
    ],
)
def test_bad_figures_are_refused_with_a_message_and_nothing_is_saved(curator_client, fields, field, french):
    response = curator_client.post(ADD, initiative_form(**fields))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert field in form.errors
    assert french in form.errors[field]
    assert f"<li>{escape(french)}</li>" in response.content.decode()
    assert Initiative.objects.count() == 0


def test_a_bad_change_leaves_the_initiative_as_it_was(curator_client, legal_form):
    initiative = InitiativeFactory(name="Saint So Bazaar", investment_eur=5_000_000)
    data = initiative_form(
        name="Renamed",
        slug=initiative.slug,
        investment_eur="-1",
        **management_form("legal_entities", total=1),
        **legal_entity_row(0, legal_form, siren="12345"),
    )

    response = curator_client.post(change_url(initiative), data)

    assert response.status_code == 200
    initiative.refresh_from_db()
    assert (initiative.name, initiative.investment_eur) == ("Saint So Bazaar", 5_000_000)
    assert initiative.history.count() == 1
    assert LegalEntity.objects.count() == 0


# --- Publishing, archiving, never deleting -----------------------------------------------------------


def run_action(client, action, initiatives):
    return client.post(
        CHANGELIST,
        {
            "action": action,
            "_selected_action": [i.pk for i in initiatives],
            "index": "0",
            "select_across": "0",
        },
        follow=True,
    )


def test_the_publish_action_publishes_and_keeps_the_change_in_history(curator_client, curator):
    drafts = InitiativeFactory.create_batch(2, status=Initiative.Status.DRAFT)
    already = InitiativeFactory(status=Initiative.Status.PUBLISHED)

    response = run_action(curator_client, "publish", [*drafts, already])

    assert response.status_code == 200
    assert messages_of(response)[0][0] == message_levels.SUCCESS
    assert messages_of(response)[0][1] == "2 initiatives ont été publiées."
    for initiative in drafts:
        initiative.refresh_from_db()
        assert initiative.status == Initiative.Status.PUBLISHED
        assert initiative.updated_by == curator
        latest = initiative.history.latest()
        assert (latest.status, latest.history_user) == (Initiative.Status.PUBLISHED, curator)
        assert latest.history_change_reason
        assert initiative.history.count() == 2
    # Nothing to do for the one already published: no empty history record.
    assert already.history.count() == 1


def test_the_archive_action_archives_and_keeps_the_change_in_history(curator_client):
    initiatives = InitiativeFactory.create_batch(3, status=Initiative.Status.PUBLISHED)

    response = run_action(curator_client, "archive", initiatives)

    assert messages_of(response)[0][1] == "3 initiatives ont été archivées."
    assert set(Initiative.objects.values_list("status", flat=True)) == {Initiative.Status.ARCHIVED}
    assert Initiative.objects.count() == 3
    for initiative in initiatives:
        assert [h.status for h in initiative.history.all()] == ["archived", "published"]


def test_archived_can_be_published_again_and_the_history_shows_both(superuser_client):
    initiative = InitiativeFactory(status=Initiative.Status.PUBLISHED)

    run_action(superuser_client, "archive", [initiative])
    run_action(superuser_client, "publish", [initiative])

    assert [h.status for h in initiative.history.all()] == ["published", "archived", "published"]


def test_delete_is_offered_to_nobody(staff_client):
    initiative = InitiativeFactory()

    response = staff_client.get(CHANGELIST)
    actions = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert {"publish", "archive", "geocode"} <= set(actions)
    assert 'class="deletelink"' not in staff_client.get(change_url(initiative)).content.decode()

    delete_url = reverse("admin:catalogue_initiative_delete", args=[initiative.pk])
    assert staff_client.get(delete_url).status_code == 403
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 403

    response = run_action(staff_client, "delete_selected", [initiative])
    assert "Aucune action sélectionnée." in response.content.decode()
    assert Initiative.objects.filter(pk=initiative.pk).exists()


# --- Geocoding ------------------------------------------------------------------------------------


def test_the_geocode_button_saves_places_the_point_and_stays_on_the_page(curator_client, ban, pernes):
    ban.answer(ban_feature(2.4101, 50.4842, "12 Rue de la Gare 62550 Pernes", citycode="62652"))
    initiative = InitiativeFactory(commune=pernes, location=None, address="")
    data = initiative_form(
        slug=initiative.slug, commune=str(pernes.pk), address="12 rue de la Gare", _geocode="1"
    )
    del data["_save"]

    # In English: the sentence naming the initiative is the project's, not Django's.
    response = curator_client.post(change_url(initiative), data, headers={"accept-language": "en"})

    assert response.status_code == 302
    assert response["Location"] == change_url(initiative)
    initiative.refresh_from_db()
    assert (initiative.location.x, initiative.location.y) == pytest.approx((2.4101, 50.4842))
    assert initiative.location_precision == Initiative.LocationPrecision.ADDRESS
    assert initiative.address == "12 rue de la Gare"
    assert ban.queries[-1]["q"] == "12 rue de la Gare, 62550 Pernes"

    page = curator_client.get(response["Location"])
    # Both sentences were written in the language of the request that pressed the button.
    assert messages_of(page) == [
        (
            message_levels.SUCCESS,
            "Located at the address found by the Base Adresse Nationale: “12 Rue de la Gare 62550 Pernes”.",
        ),
        (message_levels.SUCCESS, "The initiative “La Ressourcerie du Ternois” was changed."),
    ]


def test_an_address_found_by_openstreetmap_says_so_and_asks_for_a_check(
    curator_client, ban, settings, pernes
):
    ban.fail(503)
    initiative = InitiativeFactory(commune=pernes, location=None, address="")
    data = initiative_form(
        slug=initiative.slug, commune=str(pernes.pk), address="12 rue de la Gare", _geocode="1"
    )
    del data["_save"]

    with serve_nominatim(settings) as nominatim:
        nominatim.answer(
            nominatim_place(2.4105, 50.4840, "12, Rue de la Gare, Pernes, Pas-de-Calais, France")
        )
        response = curator_client.post(change_url(initiative), data)

    initiative.refresh_from_db()
    assert (initiative.location.x, initiative.location.y) == pytest.approx((2.4105, 50.4840))
    (located_level, located), _saved = messages_of(curator_client.get(response["Location"]))
    assert located_level == message_levels.SUCCESS
    assert located == (
        "Point placé à l’adresse trouvée par OpenStreetMap (la Base Adresse Nationale n’a pas répondu ou "
        "ne la connaissait pas) : « 12 Rue de la Gare 62550 Pernes ». Vérifiez-le sur la carte."
    )


def test_the_geocode_button_on_the_add_form_goes_to_the_new_change_page(curator_client, ban, pernes):
    ban.answer(ban_feature(2.4101, 50.4842, "12 Rue de la Gare 62550 Pernes", citycode="62652"))
    data = initiative_form(commune=str(pernes.pk), _geocode="1")
    del data["_save"]

    response = curator_client.post(ADD, data)

    initiative = Initiative.objects.get()
    assert response["Location"] == change_url(initiative)
    assert initiative.location_precision == Initiative.LocationPrecision.ADDRESS


def test_with_the_ban_down_the_geocode_button_falls_back_to_the_commune_centre(curator_client, pernes):
    # No local BAN: the test settings point the geocoder at a closed port.
    initiative = InitiativeFactory(commune=pernes, location=None)
    data = initiative_form(name="Nouveau nom", slug=initiative.slug, commune=str(pernes.pk), _geocode="1")

    response = curator_client.post(change_url(initiative), data, follow=True)

    assert response.status_code == 200
    initiative.refresh_from_db()
    assert initiative.name == "Nouveau nom"
    assert (initiative.location.x, initiative.location.y) == pytest.approx(PERNES_CENTRE)
    assert initiative.location_precision == Initiative.LocationPrecision.COMMUNE
    assert messages_of(response)[0] == (
        message_levels.WARNING,
        "L’adresse n’a pas été trouvée : le point a été placé au centre de Pernes. Déplacez-le sur la "
        "carte si vous connaissez l’emplacement exact.",
    )


def test_with_the_ban_down_and_no_commune_centre_the_initiative_is_saved_with_a_warning(curator_client):
    commune = CommuneFactory(centre=None)
    initiative = InitiativeFactory(commune=commune, location=Point(1, 45, srid=4326))
    data = initiative_form(
        name="Nouveau nom",
        slug=initiative.slug,
        commune=str(commune.pk),
        location=geojson_point(1, 45),
        _geocode="1",
    )

    response = curator_client.post(change_url(initiative), data, follow=True)

    assert response.redirect_chain[-1][0] == change_url(initiative)
    initiative.refresh_from_db()
    assert initiative.name == "Nouveau nom"
    assert (initiative.location.x, initiative.location.y) == pytest.approx((1, 45))
    kept = "L’adresse n’a pas été trouvée : le point déjà placé sur la carte a été conservé."
    assert messages_of(response)[0] == (message_levels.WARNING, kept)
    assert f'<li class="warning">{escape(kept)}</li>' in response.content.decode()


def test_the_geocode_action_locates_each_selected_initiative(curator_client, ban, pernes):
    ban.answer(ban_feature(2.4101, 50.4842, "12 Rue de la Gare 62550 Pernes", citycode="62652"))
    at_address = InitiativeFactory(name="A", commune=pernes, address="12 rue de la Gare", location=None)
    at_centre = InitiativeFactory(name="B", commune=pernes, address="", location=None)
    lost = InitiativeFactory(name="C perdu", commune=None, address="", location=None)

    response = run_action(curator_client, "geocode", [at_address, at_centre, lost])

    for initiative in (at_address, at_centre, lost):
        initiative.refresh_from_db()
    assert at_address.location_precision == Initiative.LocationPrecision.ADDRESS
    assert (at_centre.location.x, at_centre.location.y) == pytest.approx(PERNES_CENTRE)
    assert lost.location is None
    assert at_address.history.count() == 2
    assert lost.history.count() == 1
    assert messages_of(response) == [
        (message_levels.SUCCESS, "1 initiative a été localisée à son adresse."),
        (
            message_levels.WARNING,
            "1 initiative a été placée au centre de sa commune : vérifiez-la sur sa carte.",
        ),
        (
            message_levels.WARNING,
            "Le point de 1 initiative n’a pas été trouvé (C perdu) : ouvrez-la et cliquez sur la carte pour "
            "la placer.",
        ),
    ]


# --- History and undo -----------------------------------------------------------------------------


def test_the_history_page_lists_the_changes(curator_client, curator):
    initiative = InitiativeFactory(name="Avant")
    curator_client.post(change_url(initiative), initiative_form(name="Après", slug=initiative.slug))

    response = curator_client.get(reverse("admin:catalogue_initiative_history", args=[initiative.pk]))

    assert response.status_code == 200
    # Latest first: the curator's change, then the creation by the factory (by nobody).
    assert [
        (record.name, record.history_type, record.history_user)
        for record in response.context["page_obj"].object_list
    ] == [("Après", "~", curator), ("Avant", "+", None)]
    # The page's title and the header name the entry and the curator too: the table's link is the row's.
    user_url = reverse("admin:accounts_user_change", args=[curator.pk])
    assert f'<a href="{user_url}">{curator.email}</a>' in response.content.decode()


def test_reverting_to_a_previous_version_restores_the_old_name(curator_client, curator):
    initiative = InitiativeFactory(name="Le nom d'origine")
    response = curator_client.post(
        change_url(initiative), initiative_form(name="Un nom erroné", slug=initiative.slug)
    )
    assert response.status_code == 302
    assert Initiative.objects.get().name == "Un nom erroné"
    first_version = initiative.history.earliest()

    revert_url = reverse(
        "admin:catalogue_initiative_simple_history", args=[initiative.pk, first_version.history_id]
    )
    page = curator_client.get(revert_url)
    assert page.status_code == 200
    data = form_as_post(page.context["adminform"].form)
    assert data["name"] == "Le nom d'origine"
    response = curator_client.post(revert_url, {**data, "_save": "Rétablir"})

    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.name == "Le nom d'origine"
    assert initiative.history.count() == 3
    assert initiative.history.latest().history_user == curator


# --- The tables the initiative form draws on ------------------------------------------------------


# For each list of the tables the initiative form draws on: a row that a search for "Pernes" finds,
# and one it does not.
SEARCHED_ROWS = {
    "catalogue_organization": lambda: (
        OrganizationFactory(name="Mairie de Pernes"),
        OrganizationFactory(name="Région Hauts-de-France"),
    ),
    "catalogue_fundingtool": lambda: (
        FundingToolFactory(label="Fonds de Pernes"),
        FundingToolFactory(label="FIDESS"),
    ),
    "catalogue_legalform": lambda: (
        LegalFormFactory(label="Régie de Pernes"),
        LegalFormFactory(label="SCIC"),
    ),
    "catalogue_kind": lambda: (KindFactory(label="Tiers-lieu de Pernes"), KindFactory(label="Recyclerie")),
    "catalogue_theme": lambda: (ThemeFactory(label="Histoire de Pernes"), ThemeFactory(label="Culture")),
    "catalogue_lever": lambda: (
        LeverFactory(label="Foncier de Pernes"),
        LeverFactory(label="Appel à projets"),
    ),
    "catalogue_obstacle": lambda: (
        ObstacleFactory(label="Élus de Pernes"),
        ObstacleFactory(label="Temporalités différentes"),
    ),
}


def rows_of(response):
    assert response.status_code == 200
    return {str(row) for row in response.context["cl"].result_list}


@pytest.mark.parametrize("model", sorted(SEARCHED_ROWS))
def test_every_catalogue_list_renders_and_searches(staff_client, pernes, model):
    found, other = SEARCHED_ROWS[model]()
    url = reverse(f"admin:{model}_changelist")

    assert rows_of(staff_client.get(url)) == {str(found), str(other)}
    assert rows_of(staff_client.get(url, {"q": "Pernes"})) == {str(found)}


def test_the_commune_autocomplete_offers_only_communes_with_their_departement(staff_client, pernes):
    DepartementFactory(name="Pernes imaginaire", code="99")

    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "catalogue", "model_name": "initiative", "field_name": "commune", "term": "pernes"},
    )

    assert response.status_code == 200
    offered = [result["text"] for result in response.json()["results"]]
    assert offered[:3] == ["Pernes (62)", "Pernes-les-Fontaines (84)", "Pernes-lès-Boulogne (62)"]
    assert set(offered) == {
        str(commune) for commune in Territory.objects.communes().filter(search_name__contains="pernes")
    }


@pytest.mark.parametrize(
    ("field_name", "factory", "name"),
    [("organization", OrganizationFactory, "Initiatives et Cité"), ("tool", FundingToolFactory, "FIDESS")],
)
def test_partner_and_funding_tool_autocompletes(staff_client, field_name, factory, name):
    factory(**({"name": name} if field_name == "organization" else {"label": name}))
    model_name = "partnership" if field_name == "organization" else "funding"

    response = staff_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "catalogue", "model_name": model_name, "field_name": field_name, "term": name[:5]},
    )

    assert [result["text"] for result in response.json()["results"]] == [name]


# --- Users and networks ---------------------------------------------------------------------------


def test_a_superuser_adds_a_user_by_email(superuser_client):
    response = superuser_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "nouvelle@example.org",
            "usable_password": "true",
            "password1": "un mot de passe solide",
            "password2": "un mot de passe solide",
            "_save": "Enregistrer",
            **management_form("memberships"),
        },
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    user = User.objects.get(email="nouvelle@example.org")
    assert user.check_password("un mot de passe solide")


def test_an_email_differing_only_by_case_is_refused(superuser_client, curator):
    response = superuser_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": curator.email.upper(),
            "usable_password": "true",
            "password1": "un mot de passe solide",
            "password2": "un mot de passe solide",
            **management_form("memberships"),
        },
    )

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.count() == 2


def test_the_user_pages_render(superuser_client, curator):
    users = reverse("admin:accounts_user_changelist")
    assert rows_of(superuser_client.get(users)) == {"admin@example.org", "curatrice@example.org"}
    assert rows_of(superuser_client.get(users, {"q": "curatrice"})) == {"curatrice@example.org"}
    response = superuser_client.get(reverse("admin:accounts_user_change", args=[curator.pk]))
    assert response.status_code == 200
    assert curator.email in response.content.decode()


def test_a_network_gets_its_members_through_the_inline(superuser_client, curator):
    network = NetworkFactory(name="CAP Rural", slug="cap-rural")

    response = superuser_client.post(
        reverse("admin:accounts_network_change", args=[network.pk]),
        {
            "name": "CAP Rural",
            "slug": "cap-rural",
            "website": "",
            "description": "",
            # The network's page has the resources' inline too (none added here).
            **management_form("resources", total=0),
            **management_form("memberships", total=1),
            "memberships-0-user": str(curator.pk),
            "memberships-0-role": "coordinator",
            "_save": "Enregistrer",
        },
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert Membership.objects.get(network=network).role == Membership.Role.COORDINATOR
    listing = superuser_client.get(reverse("admin:accounts_network_changelist"))
    assert "CAP Rural" in rows_of(listing)
    assert list(network.members.all()) == [curator]
