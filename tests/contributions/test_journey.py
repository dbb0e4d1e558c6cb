"""The whole journey: a citizen's suggestion from the public form to a published entry, and only
through a coordinator's hands."""

import pytest
from django.test import Client
from django.urls import reverse

from catalogue.models import Initiative
from contributions.models import Suggestion

from .conftest import guard_fields

pytestmark = pytest.mark.django_db


def test_a_suggestion_from_the_public_form_to_a_published_entry(
    client, pernes, pas_de_calais_network, pdc_contributor, pdc_coordinator
):
    # A citizen proposes an initiative.
    response = client.post(
        reverse("contributions:proposal"),
        {
            "name": "La Ressourcerie du Ternois",
            "commune": "Pernes (62)",
            "message": "Une recyclerie associative.",
            "submitter_email": "sam@example.org",
            "wants_news": "on",
            **guard_fields(),
        },
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert list(suggestion.networks.all()) == [pas_de_calais_network]

    # A contributor of the network turns it into a draft: not public yet.
    contributor = Client()
    contributor.force_login(pdc_contributor)
    convert = reverse("admin:contributions_suggestion_convert", args=[suggestion.pk])
    contributor.post(convert)
    draft = Initiative.objects.get(name="La Ressourcerie du Ternois")
    assert draft.status == Initiative.Status.DRAFT
    assert client.get(draft.get_absolute_url()).status_code == 404

    # A coordinator of the network publishes it with the list's "Publish" action.
    coordinator = Client()
    coordinator.force_login(pdc_coordinator)
    response = coordinator.post(
        reverse("admin:catalogue_initiative_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Initiative.Status.PUBLISHED

    # The public sees it: its fiche, the list and the map.
    fiche = client.get(draft.get_absolute_url())
    assert fiche.status_code == 200
    assert "La Ressourcerie du Ternois" in fiche.content.decode()
    assert "Une recyclerie associative." in fiche.content.decode()
    assert "sam@example.org" not in fiche.content.decode()
    assert "La Ressourcerie du Ternois" in client.get("/").content.decode()
    names = [
        f["properties"].get("name") for f in client.get(reverse("catalogue:map-data")).json()["features"]
    ]
    assert "La Ressourcerie du Ternois" in names
    # Its history says who made it from the suggestion, and who published it.
    records = list(draft.history.order_by("history_date", "history_id"))
    assert records[0].history_user == pdc_contributor and records[0].history_change_reason
    assert records[-1].history_user == pdc_coordinator
    assert records[-1].status == Initiative.Status.PUBLISHED
