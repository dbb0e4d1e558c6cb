"""The set-up's management commands."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalogue.models import Funding, Initiative, LegalEntity, Milestone, Partnership
from territories.models import Territory

pytestmark = pytest.mark.django_db


def _load_seed(*args):
    out = StringIO()
    call_command("load_seed", *args, stdout=out)
    return out.getvalue()


def test_load_seed_asks_for_the_territories_first_and_writes_nothing_without_them():
    Territory.objects.filter(kind="commune", code="62652").delete()  # rolled back after the test
    with pytest.raises(CommandError, match=r"\(commune 62652\): run `manage.py load_territories` first"):
        _load_seed()
    assert not Initiative.objects.exists()


def test_load_seed_fills_an_empty_catalogue_with_a_first_history_record_per_entry(territories):
    assert "5 initiatives" in _load_seed()
    assert Initiative.objects.count() == 5
    for initiative in Initiative.objects.all():
        assert initiative.history.exists(), initiative
    for model in (LegalEntity, Partnership, Funding, Milestone):
        assert model.history.values("id").distinct().count() == model.objects.count() > 0, model


def test_load_seed_never_overwrites_what_curators_changed(territories):
    _load_seed()
    cirque = Initiative.objects.get(slug="cirquen-cavale")
    cirque.summary = "Résumé réécrit par une curatrice."
    cirque.save()
    output = _load_seed()
    assert "not loaded again" in output
    cirque.refresh_from_db()
    assert cirque.summary == "Résumé réécrit par une curatrice."
