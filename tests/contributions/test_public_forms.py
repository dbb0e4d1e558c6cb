"""The public forms: a citizen proposes an initiative or reports a correction; what they send is
saved for the curators, routed to the networks of the place, and never shown in public."""

import pytest
from django.urls import reverse
from django.utils import translation

from catalogue.models import Initiative
from contributions.models import Suggestion
from tests.factories import InitiativeFactory, NetworkFactory

from .conftest import guard_fields

pytestmark = pytest.mark.django_db

PROPOSAL_URL = "/proposer/"


def proposal(**fields):
    return {
        "name": "La Fabrique de Pernes",
        "commune": "Pernes",
        "address": "12 rue de la Gare",
        "website": "fabrique-pernes.example.org",
        "message": "Un atelier partagé ouvert en 2021 par des habitants.",
        "submitter_name": "Camille",
        "submitter_email": "camille@example.org",
        "wants_news": "on",
        **guard_fields(),
        **fields,
    }


def french(text):
    with translation.override("fr"):
        return translation.gettext(text)


def test_the_home_page_links_to_the_proposal_form(client):
    html = client.get("/").content.decode()
    assert f'href="{reverse("contributions:proposal")}"' in html
    assert french("Suggest an initiative") in html


def test_a_proposal_is_saved_and_routed_to_the_network_of_its_departement(
    client, pernes, pas_de_calais_network, nord_network
):
    response = client.post(PROPOSAL_URL, proposal())

    assert response.status_code == 302
    assert response["Location"] == reverse("contributions:proposal-thanks")
    suggestion = Suggestion.objects.get()
    assert suggestion.kind == Suggestion.Kind.PROPOSAL
    assert suggestion.status == Suggestion.Status.NEW
    assert (suggestion.name, suggestion.commune) == ("La Fabrique de Pernes", pernes)
    assert suggestion.website == "https://fabrique-pernes.example.org"
    assert suggestion.submitter_email == "camille@example.org"
    assert suggestion.wants_news is True
    assert list(suggestion.networks.all()) == [pas_de_calais_network]
    # Its history starts with the citizen's version.
    assert suggestion.history.count() == 1


def test_the_thank_you_page_says_what_happens_next(client, territories):
    html = client.get(reverse("contributions:proposal-thanks")).content.decode()

    assert french("Thank you!") in html
    assert french("What happens next") in html
    assert french("A curator reads it and checks what it says; nothing is published before.") in html


def test_a_proposal_in_a_region_of_a_network_goes_to_it_and_elsewhere_to_no_network(client, lille, pernes):
    hauts_de_france = NetworkFactory(name="Réseau régional", slug="regional")
    hauts_de_france.territories.set([pernes.region])
    client.post(PROPOSAL_URL, proposal(commune="Lille (59)"))
    client.post(PROPOSAL_URL, proposal(name="Ailleurs", commune="Paris"))

    lille_one, paris_one = Suggestion.objects.order_by("pk")
    assert lille_one.commune == lille
    assert list(lille_one.networks.all()) == [hauts_de_france]
    assert paris_one.commune.code == "75056"
    assert not paris_one.networks.exists()


@pytest.mark.parametrize("typed", ["Pernes", "pernes", "Pernes (62)", "62652", "62550"])
def test_the_commune_is_found_from_its_name_label_insee_code_or_postcode(client, pernes, typed):
    response = client.post(PROPOSAL_URL, proposal(commune=typed))

    assert response.status_code == 302
    assert Suggestion.objects.get().commune == pernes


def test_a_missing_name_and_an_unknown_commune_are_said_and_what_was_typed_is_kept(client, territories):
    response = client.post(PROPOSAL_URL, proposal(name="", commune="Zzyzxville"))

    assert response.status_code == 200
    html = response.content.decode()
    assert french("Give the name of the initiative.") in html
    with translation.override("fr"):
        unknown = translation.gettext(
            "No French commune matches “%(text)s”. Type its name, its postcode or its INSEE code."
        ) % {"text": "Zzyzxville"}
    assert unknown in html
    assert 'value="Zzyzxville"' in html
    assert 'value="12 rue de la Gare"' in html
    assert "Un atelier partagé ouvert en 2021 par des habitants." in html
    assert 'value="camille@example.org"' in html
    assert not Suggestion.objects.exists()


def test_a_departement_is_not_a_commune(client, territories):
    response = client.post(PROPOSAL_URL, proposal(commune="Pas-de-Calais"))

    assert response.status_code == 200
    with translation.override("fr"):
        message = translation.gettext(
            "“%(place)s” is not a commune. Type the name of the commune, its postcode or its INSEE code."
        ) % {"place": "Pas-de-Calais (62)"}
    assert message in response.content.decode()
    assert not Suggestion.objects.exists()


def test_a_commune_field_left_empty_asks_for_it(client, territories):
    response = client.post(PROPOSAL_URL, proposal(commune=""))

    assert french("Give the commune where the initiative is.") in response.content.decode()
    assert not Suggestion.objects.exists()


def test_being_told_needs_an_e_mail_address(client, pernes):
    response = client.post(PROPOSAL_URL, proposal(submitter_email=""))

    assert response.status_code == 200
    assert french("Give an e-mail address so that we can tell you what became of it.") in (
        response.content.decode()
    )
    assert not Suggestion.objects.exists()


def test_a_suggestion_without_news_needs_no_e_mail(client, pernes):
    response = client.post(PROPOSAL_URL, proposal(submitter_email="", wants_news="", submitter_name=""))

    assert response.status_code == 302
    assert Suggestion.objects.get().submitter_email == ""


def test_the_form_shows_the_place_search_and_works_without_it(client, territories):
    html = client.get(PROPOSAL_URL).content.decode()

    assert f'data-suggestions="{reverse("territories:suggestions")}"' in html
    assert 'data-kind="commune"' in html
    assert "js/suggestion-form.js" in html
    assert 'method="post"' in html


# --- Corrections --------------------------------------------------------------------------------


def correction_url(initiative):
    return reverse("contributions:correction", kwargs={"slug": initiative.slug})


def test_the_fiche_links_to_the_correction_form(client, published_entry):
    html = client.get(published_entry.get_absolute_url()).content.decode()

    assert f'class="correction-link" href="{correction_url(published_entry)}"' in html
    assert "mailto:" not in html


def test_a_correction_goes_to_the_networks_of_the_entry(
    client, published_entry, nord_network, pas_de_calais_network
):
    response = client.post(
        correction_url(published_entry),
        {"message": "Le site a changé : cirque-ternois.example.org", "submitter_email": "", **guard_fields()},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("contributions:correction-thanks", args=[published_entry.slug])
    suggestion = Suggestion.objects.get()
    assert suggestion.kind == Suggestion.Kind.CORRECTION
    assert suggestion.initiative == published_entry
    assert list(suggestion.networks.all()) == [nord_network]
    thanks = client.get(response["Location"]).content.decode()
    assert "Cirque du Ternois" in thanks


def test_a_correction_needs_a_message(client, published_entry):
    response = client.post(correction_url(published_entry), {"message": " ", **guard_fields()})

    assert response.status_code == 200
    assert french("Say what should be corrected.") in response.content.decode()
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize("status", [s for s in Initiative.Status if s != Initiative.Status.PUBLISHED])
def test_only_a_published_entry_can_get_a_correction(client, territories, status):
    entry = InitiativeFactory(status=status)

    assert client.get(correction_url(entry)).status_code == 404
    response = client.post(correction_url(entry), {"message": "Erreur", **guard_fields()})
    assert response.status_code == 404
    assert client.get(reverse("contributions:correction-thanks", args=[entry.slug])).status_code == 404
    assert not Suggestion.objects.exists()


def test_an_unknown_slug_is_a_404(client, territories):
    assert client.get("/initiatives/nulle-part/signaler/").status_code == 404


# --- Privacy ------------------------------------------------------------------------------------


def test_the_submitters_e_mail_never_appears_on_a_public_page(client, published_entry, pernes):
    client.post(
        correction_url(published_entry),
        {"message": "Une erreur", "submitter_email": "secret.citoyen@example.org", **guard_fields()},
    )
    thanks = client.post(PROPOSAL_URL, proposal(submitter_email="secret.citoyen@example.org"), follow=True)
    assert Suggestion.objects.count() == 2

    pages = [
        thanks,
        client.get("/"),
        client.get("/?q=Cirque"),
        client.get(published_entry.get_absolute_url()),
        client.get(reverse("catalogue:map-data")),
        client.get(reverse("catalogue:export-csv")),
        client.get(reverse("catalogue:export-geojson")),
        client.get(reverse("contributions:correction-thanks", args=[published_entry.slug])),
        client.get(correction_url(published_entry)),
        client.get(PROPOSAL_URL),
    ]
    for page in pages:
        assert page.status_code == 200
        content = b"".join(page.streaming_content) if page.streaming else page.content
        assert b"secret.citoyen" not in content
