"""Fixtures of the suggestions' tests: two networks with their territories, their curators, a
published entry to correct, and the hidden fields of a form that a person opened a while ago."""

import time

import pytest
from django.core.cache import cache

from accounts.models import Membership
from contributions import guards
from territories.models import Territory
from tests.factories import CuratorFactory, InitiativeFactory, MembershipFactory, NetworkFactory

Role = Membership.Role


@pytest.fixture(autouse=True)
def empty_rate_limit():
    """The rate limit counts in the cache: every test starts and ends with it empty."""
    cache.clear()
    yield
    cache.clear()


def guard_fields(seconds_ago=60):
    """The hidden fields of a form shown ``seconds_ago`` seconds ago, as a person sends them."""
    return {"opened": guards.opened_token(now=time.time() - seconds_ago), "hp_reference": ""}


@pytest.fixture
def pas_de_calais_network(territories):
    """A network that works in the Pas-de-Calais (where Pernes is)."""
    network = NetworkFactory(name="Réseau du Pas-de-Calais", slug="reseau-62")
    network.territories.set([Territory.objects.departements().get(code="62")])
    return network


@pytest.fixture
def nord_network(territories):
    """A network that works in the Nord (where Lille is)."""
    network = NetworkFactory(name="Réseau du Nord", slug="reseau-59")
    network.territories.set([Territory.objects.departements().get(code="59")])
    return network


def member(network, role=Role.CONTRIBUTOR, **kwargs):
    user = CuratorFactory(network=False, **kwargs)
    MembershipFactory(user=user, network=network, role=role)
    return user


@pytest.fixture
def pdc_contributor(pas_de_calais_network):
    return member(pas_de_calais_network, email="contributrice62@example.org")


@pytest.fixture
def pdc_coordinator(pas_de_calais_network):
    return member(pas_de_calais_network, Role.COORDINATOR, email="coordinateur62@example.org")


@pytest.fixture
def nord_coordinator(nord_network):
    return member(nord_network, Role.COORDINATOR, email="coordinatrice59@example.org")


@pytest.fixture
def published_entry(pernes, nord_network):
    """A published entry in Pernes that the Nord's network curates (a correction goes to it, not to
    the Pas-de-Calais's)."""
    initiative = InitiativeFactory(name="Cirque du Ternois", commune=pernes)
    initiative.networks.set([nord_network])
    return initiative


def make_suggestion(**fields):
    """A suggestion as the public form saves it: saved, then routed."""
    from contributions.models import Suggestion
    from contributions.routing import route

    fields.setdefault("kind", Suggestion.Kind.PROPOSAL)
    if fields["kind"] == Suggestion.Kind.PROPOSAL:
        fields.setdefault("name", "La Fabrique")
    suggestion = Suggestion.objects.create(**fields)
    route(suggestion)
    return suggestion


@pytest.fixture
def pdc_suggestion(pernes, pas_de_calais_network):
    return make_suggestion(
        name="La Fabrique de Pernes",
        commune=pernes,
        address="12 rue de la Gare",
        website="https://fabrique-pernes.example.org",
        message="Un atelier partagé ouvert en 2021 par des habitants.\nOn y répare des vélos.",
        submitter_name="Camille",
        submitter_email="camille@example.org",
        wants_news=True,
    )


@pytest.fixture
def nord_suggestion(lille, nord_network):
    return make_suggestion(name="Le Café de Lille", commune=lille, submitter_email="dominique@example.org")


@pytest.fixture
def unrouted_suggestion(territories):
    return make_suggestion(name="Le Jardin de Paris", commune=Territory.objects.communes().get(code="75056"))
