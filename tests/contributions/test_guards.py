"""Robots are kept out without bothering people: a honeypot field, a minimum time on the form (a
signed timestamp), and a limit of submissions per client address. Each refusal saves nothing and
says, politely, what to do; none is ever a server error."""

import time

import pytest
from django.core import signing
from django.utils import translation

from contributions import guards
from contributions.forms import SuggestionForm
from contributions.models import Suggestion

from .conftest import guard_fields
from .test_public_forms import PROPOSAL_URL, proposal

pytestmark = pytest.mark.django_db


def try_again():
    with translation.override("fr"):
        return str(SuggestionForm.TRY_AGAIN)


def test_the_honeypot_is_hidden_from_people_and_labelled_to_be_left_empty(client, territories):
    html = client.get(PROPOSAL_URL).content.decode()

    trap = html.split('class="suggestion-form__trap"', 1)[1].split("</div>", 1)[0]
    assert 'aria-hidden="true"' in trap
    assert 'name="hp_reference"' in trap
    assert 'tabindex="-1"' in trap
    with translation.override("fr"):
        assert translation.gettext("Leave this field empty") in trap


def test_a_filled_honeypot_saves_nothing_and_keeps_what_was_typed(client, pernes):
    response = client.post(PROPOSAL_URL, proposal(hp_reference="http://spam.example"))

    assert response.status_code == 200
    html = response.content.decode()
    assert try_again() in html
    assert 'value="La Fabrique de Pernes"' in html
    assert "spam.example" not in html
    assert not Suggestion.objects.exists()


def test_a_form_sent_too_fast_saves_nothing_and_asks_to_send_again(client, pernes, settings):
    settings.SUGGESTIONS_MIN_SECONDS = 3
    response = client.post(PROPOSAL_URL, proposal(**guard_fields(seconds_ago=1)))

    assert response.status_code == 200
    assert try_again() in response.content.decode()
    assert not Suggestion.objects.exists()
    # The page shown again carries a fresh timestamp: sent again once the person has read it, it passes.
    fresh = response.context["form"].data["opened"]
    assert fresh != proposal()["opened"]
    assert guards.token_is_acceptable(fresh, now=time.time() + 5)


@pytest.mark.parametrize(
    "opened",
    [
        "",
        "garbage",
        signing.dumps(time.time() - 60, salt="another-salt"),
        signing.dumps(time.time() - 60, salt="contributions.form-opened")[:-2] + "xx",
        signing.dumps("yesterday", salt="contributions.form-opened"),
    ],
    ids=["missing", "garbage", "other-salt", "tampered-signature", "not-a-time"],
)
def test_a_tampered_timestamp_saves_nothing(client, pernes, opened):
    response = client.post(PROPOSAL_URL, proposal(opened=opened))

    assert response.status_code == 200
    assert try_again() in response.content.decode()
    assert not Suggestion.objects.exists()


def test_a_form_opened_days_ago_is_sent_again(client, pernes):
    response = client.post(PROPOSAL_URL, proposal(**guard_fields(seconds_ago=3 * 24 * 3600)))

    assert try_again() in response.content.decode()
    assert not Suggestion.objects.exists()


def test_the_minimum_time_is_a_setting(client, pernes, settings):
    settings.SUGGESTIONS_MIN_SECONDS = 0
    response = client.post(PROPOSAL_URL, proposal(**guard_fields(seconds_ago=0)))

    assert response.status_code == 302


def test_over_the_rate_limit_the_answer_is_a_429_and_nothing_is_saved(client, pernes, settings):
    settings.SUGGESTIONS_RATE_LIMIT = 2
    for n in range(2):
        assert client.post(PROPOSAL_URL, proposal(name=f"Lieu {n}")).status_code == 302

    response = client.post(PROPOSAL_URL, proposal(name="Un de trop"))

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    with translation.override("fr"):
        assert translation.gettext("Too many suggestions at once") in response.content.decode()
    assert set(Suggestion.objects.values_list("name", flat=True)) == {"Lieu 0", "Lieu 1"}
    # The limit is per client address: another one may still send.
    other = client.post(PROPOSAL_URL, proposal(name="D'ailleurs"), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302


def test_the_rate_limit_covers_corrections_too(client, published_entry, settings):
    settings.SUGGESTIONS_RATE_LIMIT = 1
    url = f"/initiatives/{published_entry.slug}/signaler/"
    assert client.post(url, {"message": "Un", **guard_fields()}).status_code == 302
    assert client.post(url, {"message": "Deux", **guard_fields()}).status_code == 429
    assert Suggestion.objects.count() == 1


def test_a_failing_cache_lets_people_through_rather_than_fail(client, pernes, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("the cache server is down")

    monkeypatch.setattr(guards.cache, "add", broken)
    response = client.post(PROPOSAL_URL, proposal())

    assert response.status_code == 302
    assert Suggestion.objects.count() == 1
