"""The curator's desk on the admin's home page: their networks, their role in each, and the work
waiting in their networks only."""

import pytest
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Initiative, StatusChange
from tests.factories import CuratorFactory, InitiativeFactory, NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Initiative.Status


def piles_of(response):
    assert response.status_code == 200
    return {str(pile.label): pile.count for pile in response.context["desk"].piles}


@pytest.fixture
def two_networks():
    a = NetworkFactory(name="CAP Rural", slug="cap-rural")
    b = NetworkFactory(name="Réseau Lutin", slug="reseau-lutin")
    for status, count in ((Status.DRAFT, 2), (Status.REVIEW, 1), (Status.PUBLISHED, 1)):
        for index in range(count):
            InitiativeFactory(name=f"A {status} {index}", status=status, networks=[a])
    InitiativeFactory(name="B à relire", status=Status.REVIEW, networks=[b])
    return a, b


def test_a_curator_sees_their_networks_and_the_work_waiting_in_them(client, two_networks):
    a, _b = two_networks
    contributor = CuratorFactory(network=a, network__role="contributor")
    client.force_login(contributor)

    response = client.get(reverse("admin:index"), headers={"Accept-Language": "en"})

    assert piles_of(response)["Entries to review"] == 1
    assert piles_of(response)["Drafts"] == 2
    page = response.content.decode()
    assert "CAP Rural" in page and "contributor" in page
    assert "Réseau Lutin" not in page
    # Each pile is a link to the list that holds it.
    assert f"{reverse('admin:catalogue_initiative_changelist')}?status__exact=review" in page


def test_the_desk_shows_the_latest_moves_in_the_curators_networks(client, two_networks):
    a, _b = two_networks
    coordinator = CuratorFactory(network=a)
    entry = Initiative.objects.get(name="A review 0")
    StatusChange.objects.create(
        initiative=entry,
        from_status=Status.REVIEW,
        to_status=Status.PUBLISHED,
        changed_by=coordinator,
        comment="Relu au téléphone",
    )
    other = Initiative.objects.get(name="B à relire")
    StatusChange.objects.create(initiative=other, from_status=Status.DRAFT, to_status=Status.REVIEW)
    client.force_login(coordinator)

    page = client.get(reverse("admin:index")).content.decode()

    assert "A review 0" in page and "Relu au téléphone" in page
    assert "B à relire" not in page


def test_an_administrator_sees_every_networks_work(client, two_networks):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:index"), headers={"Accept-Language": "en"})

    assert piles_of(response)["Entries to review"] == 2


def test_the_desk_counts_the_suggestions_waiting_for_the_curator(client, two_networks):
    from contributions.models import Suggestion

    a, b = two_networks
    mine = Suggestion.objects.create(kind=Suggestion.Kind.PROPOSAL, name="Chez nous", message="…")
    mine.networks.add(a)
    theirs = Suggestion.objects.create(kind=Suggestion.Kind.PROPOSAL, name="Chez eux", message="…")
    theirs.networks.add(b)
    # Routed to no network: every curator may take it.
    orphan = InitiativeFactory(name="Sans réseau", networks=[])
    Suggestion.objects.create(kind=Suggestion.Kind.CORRECTION, initiative=orphan, message="Le site a changé.")
    handled = Suggestion.objects.create(
        kind=Suggestion.Kind.PROPOSAL,
        name="Déjà vu",
        message="…",
        status=Suggestion.Status.DISMISSED,
        handled_at=timezone.now(),
    )
    handled.networks.add(a)
    client.force_login(CuratorFactory(network=a))

    piles = piles_of(client.get(reverse("admin:index"), headers={"Accept-Language": "en"}))

    assert piles["Initiatives proposed by citizens"] == 1
    assert piles["Corrections reported by citizens"] == 1
