"""The curators' queue: each curator sees the suggestions of their networks and those of no network,
and handles them once (a proposal becomes a draft, a correction is answered, either is dismissed);
a tampered request changes nothing, and the submitter who asked is told by e-mail."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime

from accounts.roles import CURATORS_GROUP
from catalogue.models import Initiative
from contributions import handling
from contributions.models import Suggestion
from tests.factories import CuratorFactory

from .conftest import make_suggestion

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:contributions_suggestion_changelist")


def change_url(suggestion):
    return reverse("admin:contributions_suggestion_change", args=[suggestion.pk])


def handle_url(suggestion, action):
    return reverse(f"admin:contributions_suggestion_{action}", args=[suggestion.pk])


def listed(client, query=None):
    response = client.get(CHANGELIST, query or {})
    assert response.status_code == 200
    return set(response.context["cl"].result_list)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def french(text):
    with translation.override("fr"):
        return translation.gettext(text)


# --- Who sees what ------------------------------------------------------------------------------


def test_curators_see_their_networks_suggestions_and_those_of_no_network(
    pdc_contributor,
    pdc_coordinator,
    nord_coordinator,
    superuser,
    pdc_suggestion,
    nord_suggestion,
    unrouted_suggestion,
):
    assert listed(logged_in(pdc_contributor)) == {pdc_suggestion, unrouted_suggestion}
    assert listed(logged_in(pdc_coordinator)) == {pdc_suggestion, unrouted_suggestion}
    assert listed(logged_in(nord_coordinator)) == {nord_suggestion, unrouted_suggestion}
    assert listed(logged_in(superuser)) == {pdc_suggestion, nord_suggestion, unrouted_suggestion}


def test_staff_of_no_network_see_no_suggestion(pdc_suggestion, unrouted_suggestion):
    assert listed(logged_in(CuratorFactory(network=False))) == set()


def test_another_networks_suggestion_is_not_found_and_its_history_refused(nord_coordinator, pdc_suggestion):
    client = logged_in(nord_coordinator)

    response = client.get(change_url(pdc_suggestion))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    history = reverse("admin:contributions_suggestion_history", args=[pdc_suggestion.pk])
    assert client.get(history).status_code == 403
    assert b"camille@example.org" not in client.get(CHANGELIST).content


def test_the_curators_group_may_handle_suggestions_and_imports(db):
    group = Group.objects.get(name=CURATORS_GROUP)
    codenames = set(
        group.permissions.filter(content_type__app_label="contributions").values_list("codename", flat=True)
    )
    assert codenames == {
        "view_suggestion",
        "change_suggestion",
        "view_importbatch",
        "add_importbatch",
        "change_importbatch",
        "view_importedrecord",
    }


def test_nobody_adds_or_deletes_a_suggestion_in_the_admin(superuser_client, pdc_suggestion):
    add = reverse("admin:contributions_suggestion_add")
    delete = reverse("admin:contributions_suggestion_delete", args=[pdc_suggestion.pk])

    assert superuser_client.get(add).status_code == 403
    assert superuser_client.post(delete, {"post": "yes"}).status_code == 403
    assert Suggestion.objects.filter(pk=pdc_suggestion.pk).exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            {"kind__exact": "proposal"},
            {
                "pdc",
                "nord",
                "unrouted",
            },
        ),
        ({"kind__exact": "correction"}, {"correction"}),
        ({"status__exact": "new"}, {"pdc", "nord", "unrouted", "correction"}),
        ({"status__exact": "answered"}, set()),
        ({"network": "none"}, {"unrouted"}),
        ({"network": "not-a-number"}, set()),
        ({"network": "99999999999999999999"}, set()),
        ({"q": "Fabrique"}, {"pdc"}),
        ({"q": "camille@example"}, {"pdc"}),
    ],
)
def test_the_list_filters_and_searches(
    superuser_client, pdc_suggestion, nord_suggestion, unrouted_suggestion, published_entry, query, expected
):
    correction = make_suggestion(
        kind=Suggestion.Kind.CORRECTION, initiative=published_entry, message="Erreur"
    )
    names = {
        pdc_suggestion: "pdc",
        nord_suggestion: "nord",
        unrouted_suggestion: "unrouted",
        correction: "correction",
    }

    assert {names[s] for s in listed(superuser_client, query)} == expected


def test_the_network_filter_offers_the_curators_own_networks(
    pdc_contributor, pas_de_calais_network, nord_network, pdc_suggestion
):
    client = logged_in(pdc_contributor)

    assert listed(client, {"network": pas_de_calais_network.pk}) == {pdc_suggestion}
    html = client.get(CHANGELIST).content.decode()
    assert "Réseau du Pas-de-Calais" in html
    assert "Réseau du Nord" not in html


def test_the_change_page_shows_the_submitter_to_the_curators_and_the_handling_buttons(
    pdc_contributor, pdc_suggestion
):
    html = logged_in(pdc_contributor).get(change_url(pdc_suggestion)).content.decode()

    assert "camille@example.org" in html
    assert french("Turn into a draft") in html
    assert f'action="{handle_url(pdc_suggestion, "convert")}"' in html
    assert f'formaction="{handle_url(pdc_suggestion, "dismiss")}"' in html
    assert 'name="_save"' not in html


def test_a_correction_has_no_convert_button(superuser_client, published_entry):
    correction = make_suggestion(
        kind=Suggestion.Kind.CORRECTION, initiative=published_entry, message="Erreur"
    )

    html = superuser_client.get(change_url(correction)).content.decode()

    assert french("Send the answer") in html
    assert french("Turn into a draft") not in html


# --- Turning a proposal into a draft ------------------------------------------------------------


def test_a_proposal_becomes_a_prefilled_draft_of_the_curators_network_that_is_not_public(
    client, pdc_contributor, pas_de_calais_network, pdc_suggestion, pernes
):
    curator = logged_in(pdc_contributor)

    response = curator.post(handle_url(pdc_suggestion, "convert"))

    draft = Initiative.objects.get(name="La Fabrique de Pernes")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:catalogue_initiative_change", args=[draft.pk])
    assert draft.status == Initiative.Status.DRAFT
    assert draft.commune == pernes
    assert draft.address == "12 rue de la Gare"
    assert draft.website == "https://fabrique-pernes.example.org"
    assert draft.summary == "Un atelier partagé ouvert en 2021 par des habitants."
    assert draft.description == pdc_suggestion.message
    assert draft.location == pernes.centre
    assert draft.location_precision == Initiative.LocationPrecision.COMMUNE
    with translation.override("fr"):
        received = date_format(localtime(pdc_suggestion.created_at), "DATE_FORMAT")
    assert received in draft.sources
    assert list(draft.networks.all()) == [pas_de_calais_network]
    assert draft.created_by == pdc_contributor
    # Made through save(): the history has it, and who made it.
    record = draft.history.earliest()
    assert record.history_type == "+"
    assert record.history_user == pdc_contributor

    pdc_suggestion.refresh_from_db()
    assert pdc_suggestion.status == Suggestion.Status.CONVERTED
    assert pdc_suggestion.draft == draft
    assert pdc_suggestion.handled_by == pdc_contributor
    assert pdc_suggestion.handled_at is not None
    assert pdc_suggestion.history.latest().history_user == pdc_contributor

    # Nothing is public.
    assert client.get(draft.get_absolute_url()).status_code == 404
    names = [
        feature["properties"].get("name")
        for feature in client.get(reverse("catalogue:map-data")).json()["features"]
    ]
    assert "La Fabrique de Pernes" not in names
    assert "La Fabrique de Pernes" not in client.get("/").content.decode()

    # The submitter asked to be told.
    [message] = mail.outbox
    assert message.to == ["camille@example.org"]
    assert "La Fabrique de Pernes" in message.body


def test_a_suggestion_of_no_network_becomes_a_draft_of_the_curators_own_networks(
    pdc_coordinator, pas_de_calais_network, unrouted_suggestion
):
    logged_in(pdc_coordinator).post(handle_url(unrouted_suggestion, "convert"))

    draft = Initiative.objects.get(name="Le Jardin de Paris")
    assert list(draft.networks.all()) == [pas_de_calais_network]
    assert mail.outbox == []  # they did not ask


def test_an_administrator_s_draft_keeps_the_suggestion_s_networks(
    superuser_client, nord_network, nord_suggestion
):
    superuser_client.post(handle_url(nord_suggestion, "convert"))

    assert list(Initiative.objects.get(name="Le Café de Lille").networks.all()) == [nord_network]


def test_converting_twice_is_refused_and_makes_one_draft(pdc_contributor, pdc_suggestion):
    client = logged_in(pdc_contributor)
    client.post(handle_url(pdc_suggestion, "convert"))

    response = client.post(handle_url(pdc_suggestion, "convert"), follow=True)

    assert Initiative.objects.filter(name="La Fabrique de Pernes").count() == 1
    assert french("This suggestion has already been handled.") in response.content.decode()
    assert len(mail.outbox) == 1


def test_converting_another_networks_suggestion_is_not_found_and_changes_nothing(
    nord_coordinator, pdc_suggestion
):
    response = logged_in(nord_coordinator).post(handle_url(pdc_suggestion, "convert"))

    assert response.status_code == 404
    assert not Initiative.objects.filter(name="La Fabrique de Pernes").exists()
    pdc_suggestion.refresh_from_db()
    assert pdc_suggestion.status == Suggestion.Status.NEW


def test_staff_of_no_network_cannot_convert_even_a_suggestion_of_no_network(unrouted_suggestion):
    response = logged_in(CuratorFactory(network=False)).post(handle_url(unrouted_suggestion, "convert"))

    assert response.status_code == 404
    assert (
        not Initiative.objects.exists() or not Initiative.objects.filter(name="Le Jardin de Paris").exists()
    )


def test_a_correction_cannot_be_converted(superuser_client, published_entry):
    correction = make_suggestion(
        kind=Suggestion.Kind.CORRECTION, initiative=published_entry, message="Erreur"
    )
    before = Initiative.objects.count()

    response = superuser_client.post(handle_url(correction, "convert"), follow=True)

    assert Initiative.objects.count() == before
    assert (
        french("Only a proposal of a new initiative can be turned into a draft.") in response.content.decode()
    )
    correction.refresh_from_db()
    assert correction.status == Suggestion.Status.NEW


def test_handling_needs_a_post_with_its_csrf_token(pdc_contributor, pdc_suggestion):
    assert logged_in(pdc_contributor).get(handle_url(pdc_suggestion, "convert")).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(pdc_contributor)
    assert strict.post(handle_url(pdc_suggestion, "convert")).status_code == 403
    assert not Initiative.objects.filter(name="La Fabrique de Pernes").exists()


def test_a_post_to_the_change_page_or_a_past_version_changes_nothing(superuser_client, pdc_suggestion):
    superuser_client.post(handle_url(pdc_suggestion, "dismiss"))
    version = pdc_suggestion.history.earliest()  # when it was new

    assert superuser_client.post(change_url(pdc_suggestion), {"status": "new"}).status_code == 403
    revert = reverse(
        "admin:contributions_suggestion_simple_history", args=[pdc_suggestion.pk, version.history_id]
    )
    assert superuser_client.get(revert).status_code == 200
    assert superuser_client.post(revert, {}).status_code == 403
    pdc_suggestion.refresh_from_db()
    assert pdc_suggestion.status == Suggestion.Status.DISMISSED


def test_an_unknown_or_malformed_id_is_not_found(superuser_client, territories):
    assert superuser_client.post("/admin/contributions/suggestion/999999/convert/").status_code == 404
    assert superuser_client.post("/admin/contributions/suggestion/abc/answer/").status_code == 404


# --- Answering and dismissing -------------------------------------------------------------------


def test_answering_a_correction_marks_it_answered_and_e_mails_the_submitter(
    pdc_contributor, nord_coordinator, published_entry
):
    correction = make_suggestion(
        kind=Suggestion.Kind.CORRECTION,
        initiative=published_entry,
        message="Le site a changé.",
        submitter_email="lea@example.org",
        wants_news=True,
    )
    client = logged_in(nord_coordinator)

    response = client.post(handle_url(correction, "answer"), {"answer": "Merci, c'est corrigé."})

    assert response.status_code == 302
    assert response["Location"] == change_url(correction)
    correction.refresh_from_db()
    assert correction.status == Suggestion.Status.ANSWERED
    assert correction.answer == "Merci, c'est corrigé."
    assert correction.handled_by == nord_coordinator
    [message] = mail.outbox
    assert message.to == ["lea@example.org"]
    assert "Merci, c'est corrigé." in message.body
    assert "Cirque du Ternois" in message.body
    # Handled once: a second answer is refused.
    client.post(handle_url(correction, "answer"), {"answer": "Autre chose"})
    correction.refresh_from_db()
    assert correction.answer == "Merci, c'est corrigé."
    assert len(mail.outbox) == 1


def test_an_empty_answer_is_refused(superuser_client, pdc_suggestion):
    response = superuser_client.post(handle_url(pdc_suggestion, "answer"), {"answer": "  "}, follow=True)

    assert french("Write the answer to send.") in response.content.decode()
    pdc_suggestion.refresh_from_db()
    assert pdc_suggestion.status == Suggestion.Status.NEW
    assert mail.outbox == []


def test_no_e_mail_to_a_submitter_who_did_not_ask(superuser_client, nord_suggestion):
    superuser_client.post(handle_url(nord_suggestion, "answer"), {"answer": "Nous l'avons déjà."})

    nord_suggestion.refresh_from_db()
    assert nord_suggestion.status == Suggestion.Status.ANSWERED
    assert mail.outbox == []


def test_dismissing_keeps_the_suggestion_and_tells_the_submitter(pdc_contributor, pdc_suggestion):
    response = logged_in(pdc_contributor).post(handle_url(pdc_suggestion, "dismiss"), {"answer": ""})

    assert response.status_code == 302
    pdc_suggestion.refresh_from_db()
    assert pdc_suggestion.status == Suggestion.Status.DISMISSED
    assert not Initiative.objects.filter(name="La Fabrique de Pernes").exists()
    [message] = mail.outbox
    assert message.to == ["camille@example.org"]


def test_a_mail_server_that_fails_does_not_undo_the_handling(superuser_client, pdc_suggestion, monkeypatch):
    def failing(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(handling, "send_mail", failing)
    response = superuser_client.post(handle_url(pdc_suggestion, "dismiss"))

    assert response.status_code == 302
    pdc_suggestion.refresh_from_db()
    assert pdc_suggestion.status == Suggestion.Status.DISMISSED


def test_a_suggestion_never_makes_anything_public(client, superuser_client, published_entry, pdc_suggestion):
    correction = make_suggestion(kind=Suggestion.Kind.CORRECTION, initiative=published_entry, message="Fermé")
    published = set(Initiative.objects.published())

    superuser_client.post(handle_url(pdc_suggestion, "convert"))
    superuser_client.post(handle_url(correction, "answer"), {"answer": "Vu"})

    assert set(Initiative.objects.published()) == published
