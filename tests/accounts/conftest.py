"""Fixtures of the accounts' tests: a network with its coordinator and contributor, and logging in
through the admin's own login page (as people do, and as django-axes watches)."""

import re

import pytest
from django.urls import reverse

from accounts.models import Membership
from tests.factories import CuratorFactory, MembershipFactory, NetworkFactory

PASSWORD = "mot-de-passe-de-test"


@pytest.fixture
def network(db):
    return NetworkFactory(name="CAP Rural", slug="cap-rural")


@pytest.fixture
def other_network(db):
    return NetworkFactory(name="Réseau Lutin", slug="reseau-lutin")


@pytest.fixture
def coordinator(network):
    user = CuratorFactory(email="coordinatrice@example.org", network=False)
    MembershipFactory(user=user, network=network, role=Membership.Role.COORDINATOR)
    return user


@pytest.fixture
def contributor(network):
    user = CuratorFactory(email="contributeur@example.org", network=False)
    MembershipFactory(user=user, network=network, role=Membership.Role.CONTRIBUTOR)
    return user


@pytest.fixture
def admin_login(client):
    """Log in through the admin's login form: ``admin_login(email, password)`` gives the response
    (a redirect to the admin when the login worked)."""

    def login(email, password=PASSWORD, **extra):
        return client.post(
            reverse("admin:login"),
            {"username": email, "password": password, "next": reverse("admin:index")},
            **extra,
        )

    return login


def link_in(message, start):
    """The path of the link of the e-mail that starts with ``start`` (its one link of that kind)."""
    links = re.findall(rf"https?://testserver({re.escape(start)}\S+)", message.body)
    assert len(links) == 1, message.body
    return links[0]
