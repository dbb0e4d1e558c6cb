"""``manage.py generate_demo``: made-up initiatives over real communes, kept apart from real entries."""

import math
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalogue.models import (
    Funding,
    Initiative,
    InitiativeLever,
    InitiativeObstacle,
    InitiativeSearch,
    LegalEntity,
    Milestone,
    Organization,
    Partnership,
)
from catalogue.search import matching, parse
from territories.models import Territory
from territories.text import search_key

pytestmark = pytest.mark.django_db

# Boxes (west, south, east, north) around metropolitan France and Corsica, then the overseas
# départements: Guadeloupe, Martinique, Guyane, La Réunion, Mayotte.
FRANCE = [
    (-5.3, 41.3, 9.7, 51.2),
    (-61.9, 15.8, -61.0, 16.6),
    (-61.3, 14.3, -60.8, 14.9),
    (-54.7, 2.1, -51.6, 5.8),
    (55.2, -21.4, 55.9, -20.8),
    (45.0, -13.1, 45.3, -12.6),
]
# Every table that holds rows of an initiative, with the field that points at it.
DEPENDANTS = [
    (LegalEntity, "initiative"),
    (Partnership, "initiative"),
    (Funding, "initiative"),
    (Milestone, "initiative"),
    (InitiativeLever, "initiative"),
    (InitiativeObstacle, "initiative"),
    (Initiative.kinds.through, "initiative"),
    (Initiative.themes.through, "initiative"),
    (Initiative.networks.through, "initiative"),
    (Initiative.territories_served.through, "initiative"),
]


def _generate(*args):
    out = StringIO()
    call_command("generate_demo", *args, stdout=out)
    return out.getvalue()


def _demo():
    return Initiative.objects.filter(is_demo=True).order_by("slug")


def _km(point, other):
    """Great-circle distance between two WGS 84 points."""
    lat1, lat2 = math.radians(point.y), math.radians(other.y)
    dlat, dlon = lat2 - lat1, math.radians(other.x - point.x)
    a = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a))


def _row_counts():
    return {model: model.objects.count() for model, _field in DEPENDANTS}


def _real_entries():
    return list(
        Initiative.objects.filter(is_demo=False)
        .order_by("pk")
        .values("slug", "name", "summary", "status", "commune_id", "updated_at", "search__text")
    )


@pytest.fixture
def lookups(territories):
    """The lookups alone, without the seed's organisations and initiatives."""
    call_command("loaddata", "lookups", verbosity=0)


def test_demo_initiatives_are_flagged_and_placed_near_the_centre_of_a_real_commune(seed):
    output = _generate("--count", "30")

    assert re.fullmatch(r"30 demo initiatives created over \d+ communes in [\d.]+ s\.\n", output)
    demo = list(_demo().select_related("commune"))
    assert len(demo) == 30
    # The 30 above are the flagged ones: with the seed's 5, nothing the command created is unflagged.
    assert Initiative.objects.count() == 35
    for initiative in demo:
        assert initiative.slug.startswith("demo-")
        assert initiative.commune.kind == Territory.Kind.COMMUNE
        assert initiative.location_precision == Initiative.LocationPrecision.ADDRESS
        assert initiative.location.srid == 4326
        assert _km(initiative.location, initiative.commune.centre) <= 2.01, initiative
        x, y = initiative.location.coords
        assert any(west <= x <= east and south <= y <= north for west, south, east, north in FRANCE)
    assert sum(initiative.status == Initiative.Status.PUBLISHED for initiative in demo) >= 25
    assert len({initiative.commune_id for initiative in demo}) > 20


def test_demo_initiatives_have_a_legal_set_up_a_trajectory_and_labels(seed):
    organizations = set(Organization.objects.values_list("pk", flat=True))
    _generate("--count", "30")

    for initiative in _demo():
        assert initiative.kinds.exists()
        assert initiative.themes.exists()
        assert 1 <= initiative.legal_entities.count() <= 2
        assert 1 <= initiative.milestones.count() <= 3
        assert initiative.partnerships.count() <= 3
        assert initiative.fundings.count() <= 2
        assert initiative.initiativelever_set.count() <= 2
    # Partners and funders are the organisations already there: none is made up.
    assert set(Organization.objects.values_list("pk", flat=True)) == organizations
    assert Partnership.objects.filter(initiative__is_demo=True).exists()
    assert Funding.objects.filter(initiative__is_demo=True, tool__isnull=False).exists()


def test_demo_initiatives_pass_the_models_validation(seed):
    _generate("--count", "30")

    for initiative in _demo():
        initiative.full_clean()
        if initiative.opened_year is not None:
            assert initiative.started_year <= initiative.opened_year
        for milestone in initiative.milestones.all():
            milestone.full_clean()
            assert initiative.started_year <= milestone.year <= (initiative.opened_year or 2025)
        for row in [*initiative.legal_entities.all(), *initiative.partnerships.all()]:
            row.full_clean()
        for funding in initiative.fundings.all():
            funding.full_clean()
            assert funding.tool_id or funding.funder_id or funding.note


def test_the_public_search_finds_demo_initiatives_by_name_and_commune(seed):
    _generate("--count", "30")

    published = _demo().filter(status=Initiative.Status.PUBLISHED).select_related("commune", "search")
    assert published.exists()
    for initiative in published:
        assert f" {search_key(initiative.commune.name)}" in initiative.search.text
    # Only what the public may see is searched.
    assert not InitiativeSearch.objects.exclude(initiative__status=Initiative.Status.PUBLISHED).exists()
    first = published.first()
    assert first in matching(Initiative.objects.published(), parse(first.name))


def test_generating_and_deleting_demo_data_leaves_real_initiatives_as_they_were(seed):
    before, rows_before = _real_entries(), _row_counts()
    history_before = Initiative.history.count()

    _generate("--count", "20")
    assert _real_entries() == before
    output = _generate("--delete")

    assert re.fullmatch(r"20 demo initiatives deleted in [\d.]+ s\.\n", output)
    assert not _demo().exists()
    assert _real_entries() == before
    assert Initiative.objects.count() == 5
    # The demo entries' legal set-up, partners, funding, trajectory, levers and labels went with them.
    assert _row_counts() == rows_before
    # Neither the generation nor the deletion wrote history.
    assert Initiative.history.count() == history_before


def test_the_same_seed_makes_the_same_entries_and_another_seed_other_ones(lookups):
    _generate("--count", "10", "--seed", "7")
    first = list(_demo().values_list("slug", "name", "commune_id", "summary"))
    _generate("--delete", "--count", "10", "--seed", "7")
    again = list(_demo().values_list("slug", "name", "commune_id", "summary"))
    _generate("--delete", "--count", "10", "--seed", "8")
    other = list(_demo().values_list("slug", "name", "commune_id", "summary"))

    assert again == first
    assert other != first


def test_a_second_run_adds_entries_numbered_after_the_first(lookups):
    _generate("--count", "4")
    first_names = set(_demo().values_list("name", flat=True))
    _generate("--count", "3")

    slugs = list(_demo().values_list("slug", flat=True))
    assert [slug[:12] for slug in slugs] == [f"demo-{n:07d}" for n in range(1, 8)]
    assert set(_demo().filter(slug__gte="demo-0000005").values_list("name", flat=True)) != first_names


def test_delete_without_demo_entries_deletes_nothing(seed):
    assert _generate("--delete").startswith("0 demo initiatives deleted")
    assert Initiative.objects.count() == 5


def test_load_seed_still_loads_the_real_entries_next_to_demo_data(lookups):
    _generate("--count", "10")
    call_command("load_seed", stdout=StringIO())

    assert Initiative.objects.filter(is_demo=False).count() == 5
    assert _demo().count() == 10


def test_generate_demo_asks_for_the_lookups_first(territories):
    with pytest.raises(CommandError, match=r"No kinds, themes, .*run `manage.py load_seed` first"):
        _generate("--count", "5")
    assert not Initiative.objects.exists()


def test_generate_demo_asks_for_the_territories_first(lookups):
    Territory.objects.communes().update(centre=None)  # rolled back after the test
    with pytest.raises(CommandError, match=r"No communes .*run `manage.py load_territories` first"):
        _generate("--count", "5")
    assert not Initiative.objects.exists()


def test_a_failed_replacement_keeps_the_demo_entries_it_would_have_deleted(lookups):
    _generate("--count", "3")
    Territory.objects.communes().update(centre=None)
    with pytest.raises(CommandError, match="load_territories"):
        _generate("--delete", "--count", "5")
    assert _demo().count() == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), r"--count N \(or use --delete\)"),
        (("--count", "0"), r"--count must be at least 1 \(got 0\)"),
        (("--count", "-3"), r"--count must be at least 1 \(got -3\)"),
    ],
)
def test_generate_demo_needs_a_positive_count(lookups, args, message):
    with pytest.raises(CommandError, match=message):
        _generate(*args)
    assert not Initiative.objects.exists()
