"""Login throttling (django-axes): after a few wrong passwords for one address from one place,
logins pause for a while, then work again."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from accounts.throttling import client_ip

pytestmark = pytest.mark.django_db

WRONG = "pas-le-bon-mot-de-passe"


def fail(admin_login, email, times, **extra):
    return [admin_login(email, WRONG, **extra).status_code for _ in range(times)]


def test_the_lock_is_never_permanent():
    assert isinstance(settings.AXES_COOLOFF_TIME, timedelta)
    assert settings.AXES_COOLOFF_TIME > timedelta(0)


def test_too_many_failures_pause_logins_and_say_when_to_retry(curator, admin_login):
    limit = settings.AXES_FAILURE_LIMIT
    assert fail(admin_login, curator.email, limit - 1) == [200] * (limit - 1)

    response = admin_login(curator.email, WRONG)
    assert response.status_code == 429
    attempt = AccessAttempt.objects.get()
    retry_at = response.context["retry_at"]
    assert retry_at == attempt.attempt_time + settings.AXES_COOLOFF_TIME
    page = response.content.decode()
    assert f"{retry_at:%H:%M}" in page
    assert reverse("admin_password_reset") in page

    # Even the right password is refused during the pause, and does not make it longer.
    response = admin_login(curator.email)
    assert response.status_code == 429
    assert response.context["retry_at"] == retry_at


def test_the_lockout_page_is_in_french_by_default(curator, admin_login):
    fail(admin_login, curator.email, settings.AXES_FAILURE_LIMIT)
    response = admin_login(curator.email)
    assert "Réessayez à partir de" in response.content.decode()


def test_logins_work_again_after_the_pause(client, curator, admin_login):
    fail(admin_login, curator.email, settings.AXES_FAILURE_LIMIT)
    assert admin_login(curator.email).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert admin_login(curator.email).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_other_capitals_count_as_the_same_address(curator, admin_login):
    limit = settings.AXES_FAILURE_LIMIT
    fail(admin_login, "CURATRICE@example.org", limit - 1)
    assert admin_login("Curatrice@Example.org", WRONG).status_code == 429
    assert admin_login("curatrice@example.org").status_code == 429


def test_someone_elsewhere_cannot_lock_a_curator_out(curator, admin_login):
    fail(admin_login, curator.email, settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="203.0.113.7")
    assert admin_login(curator.email, REMOTE_ADDR="198.51.100.20").status_code == 302


def test_one_persons_typos_do_not_lock_their_colleagues_behind_the_same_address(
    curator, superuser, admin_login
):
    fail(admin_login, curator.email, settings.AXES_FAILURE_LIMIT)
    assert admin_login(superuser.email).status_code == 302


def test_a_successful_login_forgets_the_failures(client, curator, admin_login):
    limit = settings.AXES_FAILURE_LIMIT
    fail(admin_login, curator.email, limit - 1)
    assert admin_login(curator.email).status_code == 302
    client.logout()
    assert fail(admin_login, curator.email, limit - 1) == [200] * (limit - 1)


def test_a_short_cool_off_from_the_settings(settings, curator, admin_login):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=0)
    fail(admin_login, curator.email, settings.AXES_FAILURE_LIMIT)
    assert admin_login(curator.email).status_code == 302


# --- Who the client is ------------------------------------------------------------------------


def request_from(remote_addr, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().post("/admin/login/", REMOTE_ADDR=remote_addr, **extra)


def test_without_a_proxy_a_forwarded_header_proves_nothing():
    assert client_ip(request_from("192.0.2.1", forwarded="198.51.100.9")) == "192.0.2.1"


def test_behind_one_proxy_the_client_is_the_address_the_proxy_saw(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    # The client wrote "203.0.113.66" itself; our proxy appended the address it was reached from.
    request = request_from("10.0.0.2", forwarded="203.0.113.66, 198.51.100.9")
    assert client_ip(request) == "198.51.100.9"
    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"
