"""Undoing a change: reverting an initiative to a past version brings back the whole entry — its own
fields, its kinds and other ticked lists, and the rows below its form — and the revert can itself be
undone.

The admin is driven through its real pages with Django's test client; requests are in French
(LANGUAGE_CODE), except where a test reads one of the project's messages, asked for in English so
that it does not depend on the French catalogue.
"""

import re
from types import SimpleNamespace

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership
from catalogue.history import m2m_ids_as_of, restore_reason, restore_related_rows
from catalogue.models import (
    Funding,
    Initiative,
    InitiativeLever,
    LegalEntity,
    Milestone,
    Partnership,
)
from catalogue.models.parts import ROWS
from tests.catalogue.test_admin import change_url, form_as_post, management_form
from tests.factories import (
    CuratorFactory,
    FundingFactory,
    FundingToolFactory,
    InitiativeFactory,
    KindFactory,
    LegalEntityFactory,
    LeverFactory,
    MilestoneFactory,
    NetworkFactory,
    PartnershipFactory,
    ThemeFactory,
    the_tests_network,
)

pytestmark = pytest.mark.django_db


def revert_url(version):
    return reverse("admin:catalogue_initiative_simple_history", args=[version.id, version.history_id])


def change_page_as_post(page):
    """What a browser posts back from the change page as rendered, with every inline row."""
    data = form_as_post(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            management_form(
                formset.prefix, total=formset.total_form_count(), initial=formset.initial_form_count()
            )
        )
        for form in formset.forms:
            data.update({form.add_prefix(name): value for name, value in form_as_post(form).items()})
    return data


def revert(client, version, headers=None):
    """Open the version's page in the history and press "Revert" with the form as the page shows it."""
    page = client.get(revert_url(version))
    assert page.status_code == 200
    data = {**form_as_post(page.context["adminform"].form), "_save": "Rétablir"}
    response = client.post(revert_url(version), data, headers=headers)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def messages_after(response):
    return [(message.level, str(message)) for message in get_messages(response.wsgi_request)]


def latest_record(model, pk):
    return model.history.filter(id=pk).latest()


@pytest.fixture(params=["curator", "superuser"])
def staff_user(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def entry():
    """An initiative with a kind and rows below its form, as a curator left it."""
    tiers_lieu, recyclerie = KindFactory(label="Tiers-lieu"), KindFactory(label="Recyclerie")
    initiative = InitiativeFactory(name="La Fabrique", kinds=[tiers_lieu])
    entity = LegalEntityFactory(
        initiative=initiative, name="Association La Fabrique", siren="123456789", note="Porteuse"
    )
    funding = FundingFactory(initiative=initiative, amount=10000, year=2018)
    return SimpleNamespace(
        initiative=initiative, tiers_lieu=tiers_lieu, recyclerie=recyclerie, entity=entity, funding=funding
    )


# --- Through the admin ----------------------------------------------------------------------------


def test_a_revert_brings_back_the_whole_version_and_can_itself_be_undone(staff_client, staff_user, entry):
    initiative = entry.initiative
    before_the_change = initiative.history.latest()

    # The curator's change, through the real change form: name, kinds, a funding amount, a legal
    # entity deleted and a milestone added.
    page = staff_client.get(change_url(initiative))
    data = change_page_as_post(page)
    data.update(
        {
            "name": "Un nom erroné",
            "kinds": [str(entry.recyclerie.pk)],
            "fundings-0-amount": "25000",
            "legal_entities-0-DELETE": "on",
            "milestones-TOTAL_FORMS": "1",
            "milestones-0-year": "2021",
            "milestones-0-title": "Ouverture du café",
            "_save": "Enregistrer",
        }
    )
    response = staff_client.post(change_url(initiative), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    after_the_change = initiative.history.latest()
    milestone = Milestone.objects.get(initiative=initiative)
    assert not LegalEntity.objects.exists()

    # The version's page shows its name and its kinds, and says what else reverting puts back.
    page = staff_client.get(revert_url(before_the_change), headers={"accept-language": "en"})
    content = page.content.decode()
    assert 'value="La Fabrique"' in content
    assert re.search(
        rf'<input type="checkbox" name="kinds" value="{entry.tiers_lieu.pk}"[^>]*checked', content
    )
    assert not re.search(
        rf'<input type="checkbox" name="kinds" value="{entry.recyclerie.pk}"[^>]*checked', content
    )
    # (The change's own "changed successfully" comes first: the test did not follow its redirect.)
    assert [(message.level, message.message) for message in page.context["messages"]][-1] == (
        message_levels.INFO,
        "Reverting to this version also puts back the rows below the form as they were then: legal set-up "
        "(1 row brought back); funding lines (1 row changed back); trajectory (1 row removed).",
    )

    response = revert(staff_client, before_the_change, headers={"accept-language": "en"})

    initiative.refresh_from_db()
    assert initiative.name == "La Fabrique"
    assert list(initiative.kinds.all()) == [entry.tiers_lieu]
    entity = LegalEntity.objects.get()
    assert (entity.pk, entity.name, entity.siren, entity.note, entity.legal_form) == (
        entry.entity.pk,
        "Association La Fabrique",
        "123456789",
        "Porteuse",
        entry.entity.legal_form,
    )
    assert Funding.objects.get().amount == 10000
    assert not Milestone.objects.exists()
    assert messages_after(response)[-1] == (
        message_levels.SUCCESS,
        "The rows below the form were put back as in this version: legal set-up (1 row brought back); "
        "funding lines (1 row changed back); trajectory (1 row removed).",
    )

    # The revert is in the history, by whoever made it and saying what it restored (in the
    # language of the request).
    with translation.override("en"):
        reason = restore_reason(before_the_change)
    revert_record = initiative.history.latest()
    assert (revert_record.history_user, revert_record.history_change_reason) == (staff_user, reason)
    for model, pk, history_type in (
        (LegalEntity, entity.pk, "+"),
        (Funding, entry.funding.pk, "~"),
        (Milestone, milestone.pk, "-"),
    ):
        record = latest_record(model, pk)
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            history_type,
            staff_user,
            reason,
        )

    # So it can be undone: back to the version the change had made.
    revert(staff_client, after_the_change)

    initiative.refresh_from_db()
    assert initiative.name == "Un nom erroné"
    assert list(initiative.kinds.all()) == [entry.recyclerie]
    assert not LegalEntity.objects.exists()
    assert Funding.objects.get().amount == 25000
    assert Milestone.objects.get().pk == milestone.pk
    assert Milestone.objects.get().title == "Ouverture du café"


def test_the_reverts_page_shows_the_versions_ticked_lists(superuser_client):
    tiers_lieu, recyclerie = KindFactory(), KindFactory()
    theme, network = ThemeFactory(), NetworkFactory()
    initiative = InitiativeFactory(kinds=[tiers_lieu])
    initiative.themes.add(theme)
    initiative.networks.add(network)
    version = initiative.history.latest()
    initiative.kinds.set([recyclerie])
    initiative.themes.clear()
    initiative.networks.clear()

    page = superuser_client.get(revert_url(version))

    data = form_as_post(page.context["adminform"].form)
    assert data["kinds"] == [str(tiers_lieu.pk)]
    assert data["themes"] == [str(theme.pk)]
    assert sorted(data["networks"]) == sorted([str(the_tests_network().pk), str(network.pk)])


def test_an_invalid_revert_changes_nothing(curator_client, entry):
    initiative = entry.initiative
    version = initiative.history.latest()
    initiative.save()
    entry.funding.amount = 25000
    entry.funding.save()
    records = (Initiative.history.count(), Funding.history.count())

    page = curator_client.get(revert_url(version))
    data = {**form_as_post(page.context["adminform"].form), "name": "", "_save": "Rétablir"}
    response = curator_client.post(revert_url(version), data)

    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assert Funding.objects.get().amount == 25000
    assert (Initiative.history.count(), Funding.history.count()) == records


def test_who_may_only_view_an_initiative_sees_a_version_but_cannot_revert_to_it(client):
    # A contributor of the entry's network reads its history; once it is published, changing it
    # (and so reverting it) is its coordinators'.
    viewer = CuratorFactory(network__role=Membership.Role.CONTRIBUTOR)
    initiative = InitiativeFactory(name="Avant")
    version = initiative.history.latest()
    initiative.name = "Après"
    initiative.save()
    client.force_login(viewer)

    page = client.get(revert_url(version))
    assert page.status_code == 200
    assert page.context["adminform"].form["name"].value() == "Avant"
    response = client.post(revert_url(version), {"name": "Avant", "_save": "Rétablir"})

    assert response.status_code == 403
    initiative.refresh_from_db()
    assert initiative.name == "Après"


# --- catalogue.history ----------------------------------------------------------------------------


def test_a_version_gives_its_ticked_lists():
    kind, theme, other_kind = KindFactory(), ThemeFactory(), KindFactory()
    initiative = InitiativeFactory(kinds=[kind], networks=[])
    initiative.themes.add(theme)
    version = initiative.history.latest()
    initiative.kinds.set([other_kind])
    initiative.themes.clear()

    assert m2m_ids_as_of(version) == {
        "kinds": [kind.pk],
        "themes": [theme.pk],
        "networks": [],
        "territories_served": [],
    }


def test_restoring_puts_back_rows_changed_several_times(curator):
    initiative = InitiativeFactory()
    lever = LeverFactory()
    funding = FundingFactory(initiative=initiative, amount=1000)
    funding.amount = 2000
    funding.save()
    funding.amount = 3000
    funding.save()
    partnership = PartnershipFactory(initiative=initiative)
    partnership.note = "Convention signée"
    partnership.save()
    lever_row = InitiativeLever.objects.create(initiative=initiative, lever=lever, note="Au début")
    version = initiative.history.latest()

    # Two later changes, saved as the admin saves them: the initiative first, then its rows.
    initiative.save()
    funding.amount = 4000
    funding.save()
    partnership_pk = partnership.pk
    partnership.delete()
    lever_row_pk = lever_row.pk
    lever_row.delete()
    # The same lever on a new row: the old row can only come back once this one has gone.
    replacing_row = InitiativeLever.objects.create(initiative=initiative, lever=lever, note="Remis")
    milestone = MilestoneFactory(initiative=initiative, title="Premier titre")
    milestone.title = "Second titre"
    milestone.save()
    initiative.save()
    funding.year = 2020
    funding.note = "Complément"
    funding.save()

    changes = {row_changes.model: row_changes for row_changes in restore_related_rows(version, curator)}

    funding.refresh_from_db()
    assert (funding.amount, funding.year, funding.note) == (3000, 2018, "")
    assert changes[Funding].updated_fields == {"amount", "year", "note"}
    assert Partnership.objects.get().pk == partnership_pk
    assert Partnership.objects.get().note == "Convention signée"
    assert list(InitiativeLever.objects.values_list("pk", "lever", "note")) == [
        (lever_row_pk, lever.pk, "Au début")
    ]
    assert not Milestone.objects.exists()
    assert [row.pk for row in changes[InitiativeLever].to_delete] == [replacing_row.pk]
    assert [row.pk for row in changes[Milestone].to_delete] == [milestone.pk]
    for model, pk in (
        (Funding, funding.pk),
        (Partnership, partnership_pk),
        (InitiativeLever, lever_row_pk),
        (InitiativeLever, replacing_row.pk),
        (Milestone, milestone.pk),
    ):
        record = latest_record(model, pk)
        assert (record.history_user, record.history_change_reason) == (curator, restore_reason(version))

    # A second restore to the same version finds nothing left to do.
    assert not any(restore_related_rows(version, curator))


def test_restoring_the_latest_version_changes_nothing(curator, entry):
    assert not any(restore_related_rows(entry.initiative.history.latest(), curator))
    assert LegalEntity.history.count() == Funding.history.count() == 1


def test_rows_without_history_are_kept_and_brought_back_from_their_first_record(curator):
    """As ``loaddata`` leaves the seed's rows: no record of their creation."""
    initiative = InitiativeFactory()
    kept = MilestoneFactory.build(initiative=initiative, title="Chargée avec les données")
    kept.save_without_historical_record()
    deleted = FundingFactory.build(initiative=initiative, tool=FundingToolFactory(), amount=7000)
    deleted.save_without_historical_record()
    deleted_pk = deleted.pk
    version = initiative.history.latest()
    initiative.save()
    deleted.delete()

    changes = {row_changes.model: row_changes for row_changes in restore_related_rows(version, curator)}

    assert Milestone.objects.get().pk == kept.pk
    assert not changes[Milestone]
    funding = Funding.objects.get()
    assert (funding.pk, funding.amount) == (deleted_pk, 7000)


def test_a_row_whose_legal_form_was_deleted_since_is_left_out_and_reported(curator, entry):
    version = entry.initiative.history.latest()
    entry.initiative.save()
    legal_form = entry.entity.legal_form
    entry.entity.delete()
    legal_form.delete()

    changes = {row_changes.model: row_changes for row_changes in restore_related_rows(version, curator)}

    assert [row.name for row in changes[LegalEntity].lost] == ["Association La Fabrique"]
    assert not changes[LegalEntity]
    assert not LegalEntity.objects.exists()


@pytest.mark.parametrize("rows", [2, 10])
def test_a_restore_makes_as_many_queries_for_ten_rows_as_for_two(
    curator, django_assert_max_num_queries, rows
):
    initiative = InitiativeFactory()
    entities = LegalEntityFactory.create_batch(rows, initiative=initiative)
    fundings = FundingFactory.create_batch(rows, initiative=initiative, amount=1000)
    version = initiative.history.latest()
    initiative.save()
    for entity in entities:
        entity.delete()
    for funding in fundings:
        funding.amount = 5000
        funding.save()
    MilestoneFactory.create_batch(rows, initiative=initiative)

    with django_assert_max_num_queries(29):
        changes = {c.model: c for c in restore_related_rows(version, curator)}

    assert len(changes[LegalEntity].to_create) == len(changes[Funding].to_update) == rows
    assert len(changes[Milestone].to_delete) == rows
    assert LegalEntity.objects.count() == rows
    assert set(Funding.objects.values_list("amount", flat=True)) == {1000}
    assert not Milestone.objects.exists()


def test_nothing_references_the_restored_rows():
    """A restore deletes rows without Django's collector (see catalogue.history._apply): a model
    pointing at one of them would need its rows deleted too."""
    for model in (part.model for part in ROWS):
        assert not model._meta.related_objects, model
