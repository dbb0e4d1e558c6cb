"""Invitations: a coordinator brings people into their network from the admin; nobody else can."""

import smtplib

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.models import Membership, User
from accounts.roles import CURATORS_GROUP
from tests.accounts.conftest import link_in
from tests.factories import CuratorFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Un mot de passe rien qu'à moi"


def invite_url(network):
    return reverse("admin:accounts_network_invite", args=[network.pk])


def invite(client, network, email="invitee@example.org", role="contributor", **extra):
    return client.post(invite_url(network), {"email": email, "role": role}, **extra)


def assert_nothing_happened(network, email="invitee@example.org"):
    assert not User.objects.filter(email__iexact=email).exists()
    assert not Membership.objects.filter(network=network, user__email__iexact=email).exists()
    assert mail.outbox == []


def test_the_coordinator_finds_the_invite_button_on_their_networks_page(client, coordinator, network):
    client.force_login(coordinator)
    response = client.get(reverse("admin:accounts_network_change", args=[network.pk]))
    assert response.status_code == 200
    assert f'href="{invite_url(network)}"' in response.content.decode()
    assert client.get(invite_url(network)).status_code == 200


def test_the_coordinator_sees_the_members_of_their_network(client, coordinator, contributor, network):
    client.force_login(coordinator)
    response = client.get(reverse("admin:accounts_network_change", args=[network.pk]))
    assert contributor.email in response.content.decode()


def test_a_contributor_sees_neither_the_button_nor_the_members(client, contributor, coordinator, network):
    client.force_login(contributor)
    response = client.get(reverse("admin:accounts_network_change", args=[network.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert invite_url(network) not in page
    assert coordinator.email not in page


def test_an_invitation_lets_the_invitee_choose_a_password_and_log_in(
    client, coordinator, network, admin_login
):
    client.force_login(coordinator)
    response = invite(client, network, email="Nouvelle@Example.org", role="coordinator")
    assert response.status_code == 302
    assert response.url == reverse("admin:accounts_network_change", args=[network.pk])

    invitee = User.objects.get(email__iexact="nouvelle@example.org")
    assert invitee.is_staff and invitee.is_active and not invitee.is_superuser
    assert not invitee.has_usable_password()
    assert invitee.groups.filter(name=CURATORS_GROUP).exists()
    membership = invitee.memberships.get()
    assert (membership.network, membership.role) == (network, Membership.Role.COORDINATOR)
    assert membership.invited_by == coordinator and membership.invited_at is not None

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [invitee.email]
    assert "CAP Rural" in message.subject
    link = link_in(message, "/compte/bienvenue/")

    client.logout()
    opened = client.get(link)
    assert opened.status_code == 302
    form_page = client.get(opened.url)
    assert form_page.status_code == 200 and form_page.context["validlink"] is True
    saved = client.post(opened.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert saved.status_code == 302 and saved.url == reverse("admin:index")
    # Straight into the curators' space, and the password works for the next logins.
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    assert admin_login(invitee.email, NEW_PASSWORD).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200

    client.logout()
    again = client.get(link)
    assert again.status_code == 200 and again.context["validlink"] is False


def test_the_invitation_email_is_in_french_by_default(client, coordinator, network):
    client.force_login(coordinator)
    invite(client, network)
    message = mail.outbox[0]
    assert message.subject == "Invitation au réseau CAP Rural sur Percolateur"
    assert "avec le rôle « contributeur »" in message.body


def test_the_invitation_email_is_in_the_inviters_language(client, coordinator, network):
    client.force_login(coordinator)
    invite(client, network, HTTP_ACCEPT_LANGUAGE="en")
    message = mail.outbox[0]
    assert message.subject == "Invitation to the network CAP Rural on Percolateur"
    assert "as contributor" in message.body


def test_an_invitation_link_is_no_password_reset_link(client, coordinator, network):
    """Each kind of link opens its own page only."""
    client.force_login(coordinator)
    invite(client, network)
    client.logout()
    link = link_in(mail.outbox[0], "/compte/bienvenue/")
    as_reset = link.replace("/compte/bienvenue/", "/compte/nouveau-mot-de-passe/")
    response = client.get(as_reset)
    assert response.status_code == 200 and response.context["validlink"] is False


def test_someone_with_a_password_gets_a_notice_and_no_link(client, coordinator, network):
    member = UserFactory(email="deja@example.org")
    client.force_login(coordinator)
    assert invite(client, network, email="DEJA@example.org").status_code == 302
    member.refresh_from_db()
    assert member.has_usable_password() and member.is_staff
    assert member.memberships.get().network == network
    body = mail.outbox[0].body
    assert "/compte/" not in body
    assert reverse("admin:login") in body


def test_an_administrator_invites_to_any_network(client, superuser, network):
    client.force_login(superuser)
    assert invite(client, network).status_code == 302
    assert Membership.objects.filter(network=network, user__email="invitee@example.org").exists()
    assert len(mail.outbox) == 1


def test_a_contributor_may_not_invite(client, contributor, network):
    client.force_login(contributor)
    assert client.get(invite_url(network)).status_code == 403
    assert invite(client, network).status_code == 403
    assert_nothing_happened(network)


def test_a_coordinator_may_not_invite_to_another_network(client, coordinator, other_network):
    client.force_login(coordinator)
    assert client.get(invite_url(other_network)).status_code == 403
    assert invite(client, other_network, role="coordinator").status_code == 403
    assert_nothing_happened(other_network)
    assert (
        reverse("admin:accounts_network_invite", args=[other_network.pk])
        not in client.get(reverse("admin:accounts_network_change", args=[other_network.pk])).content.decode()
    )


def test_a_role_out_of_the_choices_is_refused(client, coordinator, network):
    client.force_login(coordinator)
    response = invite(client, network, role="administrator")
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert_nothing_happened(network)
    assert not Group.objects.get(name=CURATORS_GROUP).user_set.filter(email="invitee@example.org").exists()


def test_a_member_cannot_be_invited_again(client, coordinator, contributor, network):
    client.force_login(coordinator)
    response = invite(client, network, email="CONTRIBUTEUR@example.org", role="coordinator")
    assert response.status_code == 200
    assert [error.code for error in response.context["form"].errors.as_data()["email"]] == ["member"]
    assert contributor.memberships.get().role == Membership.Role.CONTRIBUTOR
    assert mail.outbox == []


def test_a_deactivated_account_is_not_opened_again_by_an_invitation(client, coordinator, network):
    CuratorFactory(email="partie@example.org", is_active=False)
    client.force_login(coordinator)
    response = invite(client, network, email="partie@example.org")
    assert response.status_code == 200 and response.context["form"].errors["email"]
    assert not Membership.objects.filter(network=network, user__email="partie@example.org").exists()
    assert mail.outbox == []


def test_nobody_is_invited_when_the_email_cannot_be_sent(client, coordinator, network, monkeypatch):
    def broken(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("the mail server is away")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    client.force_login(coordinator)
    response = invite(client, network)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not User.objects.filter(email="invitee@example.org").exists()


def test_a_second_network_can_invite_an_invitee_who_has_no_password_yet(
    client, coordinator, network, other_network
):
    invitee = CuratorFactory(email="invitee@example.org")
    invitee.set_unusable_password()
    invitee.save()
    MembershipFactory(user=invitee, network=network)
    other = CuratorFactory(email="autre@example.org")
    MembershipFactory(user=other, network=other_network, role=Membership.Role.COORDINATOR)
    client.force_login(other)
    assert invite(client, other_network).status_code == 302
    assert "/compte/bienvenue/" in mail.outbox[0].body
