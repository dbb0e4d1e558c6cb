"""The parts of an initiative are listed once (``catalogue.models.parts``): the admin's inlines, the
curators' permissions, the history, the search and the fiche all follow the list."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission

from accounts.models import Network
from accounts.roles import CURATORS_GROUP, wanted_permissions
from catalogue import signals
from catalogue.admin.inlines import part_inlines
from catalogue.models import (
    Funding,
    FundingTool,
    Initiative,
    InitiativeLever,
    InitiativeObstacle,
    Kind,
    LegalEntity,
    LegalForm,
    Lever,
    Milestone,
    Organization,
    Partnership,
    Theme,
)
from catalogue.models.parts import MANY_TO_MANY, ROWS, RowPart
from contributions.models import ImportedRecord
from territories.models import Territory


def test_the_rows_and_the_many_to_many_relations_of_an_initiative():
    assert [part.model for part in ROWS] == [
        LegalEntity,
        Partnership,
        Funding,
        Milestone,
        InitiativeLever,
        InitiativeObstacle,
    ]
    assert [part.accessor for part in ROWS] == [
        "legal_entities",
        "partnerships",
        "fundings",
        "milestones",
        "initiativelever_set",
        "initiativeobstacle_set",
    ]
    assert [part.field for part in MANY_TO_MANY] == ["kinds", "themes", "networks", "territories_served"]


def test_the_initiative_form_has_one_inline_per_row_part_in_their_order_then_the_provenance():
    initiative_admin = admin.site._registry[Initiative]

    assert [inline.model for inline in initiative_admin.inlines] == [
        *(part.model for part in ROWS),
        ImportedRecord,
    ]


def test_a_row_part_without_an_inline_is_refused_at_start_up(monkeypatch):
    monkeypatch.setattr("catalogue.admin.inlines.ROWS", (*ROWS, RowPart("Organization")))

    with pytest.raises(LookupError, match="No admin inline for these parts of an initiative: Organization"):
        part_inlines()


def test_the_history_keeps_each_many_to_many_relation_with_each_version():
    assert {field.name for field in Initiative.history.model._history_m2m_fields} == {
        part.field for part in MANY_TO_MANY
    }


def test_curators_may_write_and_remove_every_row_part_and_never_delete_an_initiative():
    wanted = wanted_permissions()

    for part in ROWS:
        name = part.model._meta.model_name
        assert {("catalogue", f"{action}_{name}") for action in ("add", "change", "view", "delete")} <= wanted
    assert ("catalogue", "add_initiative") in wanted
    assert ("catalogue", "delete_initiative") not in wanted
    assert ("territories", "view_territory") in wanted
    assert ("territories", "change_territory") not in wanted
    assert ("accounts", "view_network") in wanted


@pytest.mark.django_db
def test_the_curators_group_holds_exactly_the_permissions_the_apps_declare():
    from django.contrib.auth.models import Group

    held = {
        (permission.content_type.app_label, permission.codename)
        for permission in Permission.objects.filter(group__name=CURATORS_GROUP).select_related("content_type")
    }

    assert held == wanted_permissions()
    assert Group.objects.get(name=CURATORS_GROUP).permissions.count() == len(held)


def test_the_public_tables_follow_the_objects_whose_text_or_values_they_read():
    assert signals.READ_THROUGH == {
        Kind: ["kinds"],
        Theme: ["themes"],
        LegalForm: ["legal_entities__legal_form"],
        Organization: ["fundings__funder", "partnerships__organization"],
        FundingTool: ["fundings__tool"],
        # Read by the facets only: the levers, the networks, the commune's density and population.
        Lever: ["levers"],
        Network: ["networks"],
        Territory: ["commune"],
    }


@pytest.mark.django_db
def test_the_fiche_reads_every_part_in_one_query_each(django_assert_num_queries):
    from tests.factories import InitiativeFactory

    initiative = InitiativeFactory()

    # The initiative with its commune (1), then one query per part.
    with django_assert_num_queries(1 + len(ROWS) + len(MANY_TO_MANY)):
        fiche = Initiative.objects.for_fiche().get(pk=initiative.pk)
    for part in ROWS:
        assert part.accessor in fiche._prefetched_objects_cache
    for part in MANY_TO_MANY:
        assert part.field in fiche._prefetched_objects_cache
