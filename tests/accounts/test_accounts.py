"""Accounts: login by e-mail, the curators' group and the demo curator command."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from accounts.models import User
from accounts.roles import CURATORS_GROUP, curators_group
from tests.factories import NetworkFactory

pytestmark = pytest.mark.django_db


def test_users_log_in_with_their_email(client, admin_login):
    User.objects.create_user(
        email="Elue@Mairie.example.org", password="un-mot-de-passe-solide", is_staff=True
    )
    response = admin_login("elue@MAIRIE.example.org", "un-mot-de-passe-solide")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_email_cannot_be_registered_twice_with_other_capitals():
    User.objects.create_user(email="elue@example.org")
    with pytest.raises(IntegrityError):
        User.objects.create_user(email="ELUE@example.org")


def test_superuser_is_staff():
    admin = User.objects.create_superuser(email="root@example.org", password="x")
    assert admin.is_staff and admin.is_superuser


def test_curators_may_change_but_never_delete_initiatives():
    codenames = set(curators_group().permissions.values_list("codename", flat=True))
    assert {"add_initiative", "change_initiative", "view_initiative"} <= codenames
    assert "delete_initiative" not in codenames
    assert "change_territory" not in codenames


def _run_demo_curator(**options):
    out = StringIO()
    call_command("create_demo_curator", stdout=out, **options)
    return out.getvalue()


def test_demo_curator_is_created_with_the_printed_password(client, settings, admin_login):
    settings.DEBUG = True
    NetworkFactory(slug="cap-rural", name="CAP Rural")
    output = _run_demo_curator()
    email = re.search(r"E-mail:\s+(\S+)", output).group(1)
    password = re.search(r"Password:\s+(\S+)", output).group(1)
    user = User.objects.get(email=email)
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name=CURATORS_GROUP).exists()
    assert list(user.networks.values_list("slug", flat=True)) == ["cap-rural"]
    assert admin_login(email, password).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_running_the_demo_command_again_resets_the_password(settings):
    settings.DEBUG = True
    first = re.search(r"Password:\s+(\S+)", _run_demo_curator()).group(1)
    second = re.search(r"Password:\s+(\S+)", _run_demo_curator(email="CURATRICE.DEMO@example.org")).group(1)
    assert first != second
    assert User.objects.count() == 1
    assert User.objects.get().check_password(second)


def test_demo_curator_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        _run_demo_curator()
    assert not User.objects.exists()


def test_migrate_creates_the_curators_group_with_its_permissions():
    """A production site gets the group from `migrate`, without any demo command."""
    from django.contrib.auth.models import Group

    group = Group.objects.get(name=CURATORS_GROUP)
    assert group.permissions.filter(codename="change_initiative").exists()
    assert not group.permissions.filter(codename="delete_initiative").exists()
