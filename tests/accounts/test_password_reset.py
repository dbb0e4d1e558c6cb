"""Forgotten passwords: from the admin's login page, a link by e-mail that works once."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.accounts.conftest import link_in
from tests.factories import CuratorFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Un nouveau mot de passe bien long"


def ask_for_a_link(client, email):
    return client.post(reverse("admin_password_reset"), {"email": email})


def choose_password(client, link, password=NEW_PASSWORD):
    """Open the e-mail's link, then send the new password on the page it leads to."""
    opened = client.get(link)
    assert opened.status_code == 302, "the link should lead to the password form"
    return client.post(opened.url, {"new_password1": password, "new_password2": password})


def test_the_admin_login_page_offers_to_reset_a_forgotten_password(client):
    response = client.get(reverse("admin:login"))
    assert f'href="{reverse("admin_password_reset")}"' in response.content.decode()


def test_the_reset_pages_wear_the_admins_header(client):
    response = client.get(reverse("admin_password_reset"))
    assert response.status_code == 200
    assert "Percolateur" in response.content.decode()


def test_a_reset_link_sets_a_new_password_once(client, curator, admin_login):
    response = ask_for_a_link(client, "CURATRICE@example.org")
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["curatrice@example.org"]
    assert message.subject == "Réinitialisation du mot de passe sur Percolateur"  # Django's own French
    link = link_in(message, "/compte/nouveau-mot-de-passe/")

    response = choose_password(client, link)
    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    assert admin_login(curator.email, NEW_PASSWORD).status_code == 302

    client.logout()
    again = client.get(link)
    assert again.status_code == 200
    assert again.context["validlink"] is False
    curator.refresh_from_db()
    assert curator.check_password(NEW_PASSWORD)


def test_an_unknown_address_gets_the_same_answer_and_no_email(client):
    response = ask_for_a_link(client, "personne@example.org")
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_an_account_shut_out_of_passwords_gets_no_link(client):
    """An administrator who disables password logins for an account means it."""
    user = CuratorFactory(email="sans-mot-de-passe@example.org")
    user.set_unusable_password()
    user.save()
    ask_for_a_link(client, user.email)
    assert mail.outbox == []


def test_a_deactivated_account_gets_no_link(client):
    CuratorFactory(email="partie@example.org", is_active=False)
    ask_for_a_link(client, "partie@example.org")
    assert mail.outbox == []


def test_an_invited_person_without_a_password_yet_can_get_a_new_link(client, coordinator, network):
    """Invitation links expire; "Forgotten your password?" is the way back in."""
    client.force_login(coordinator)
    client.post(
        reverse("admin:accounts_network_invite", args=[network.pk]),
        {"email": "invitee@example.org", "role": "contributor"},
    )
    client.logout()
    mail.outbox.clear()

    ask_for_a_link(client, "invitee@example.org")
    assert len(mail.outbox) == 1
    response = choose_password(client, link_in(mail.outbox[0], "/compte/nouveau-mot-de-passe/"))
    assert response.status_code == 302
    assert User.objects.get(email="invitee@example.org").check_password(NEW_PASSWORD)
