"""The history page of an entry says, for each version, who changed what and when: its own fields
(before and after, as a person reads them), its ticked lists, the rows below its form, and why (a
revert says which version it restored).

Changes are made through the admin's real change forms; the pages are asked for in English, so that
they read the project's English messages whatever the French catalogue holds.
"""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertInHTML

from catalogue.history import restore_reason
from catalogue.models import FundingTool, Initiative, Milestone, Organization
from tests.catalogue.test_admin import change_url
from tests.catalogue.test_history import change_page_as_post, revert
from tests.factories import (
    CommuneFactory,
    FundingFactory,
    FundingToolFactory,
    InitiativeFactory,
    KindFactory,
    LegalEntityFactory,
    LegalFormFactory,
    MilestoneFactory,
    OrganizationFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}


def history_url(obj):
    return reverse(f"admin:catalogue_{obj._meta.model_name}_history", args=[obj.pk])


def history_page(client, obj, **params):
    page = client.get(history_url(obj), params, headers=ENGLISH)
    assert page.status_code == 200
    return page.content.decode()


def field_row(label, old, new):
    """A line of a version's table of fields, as the page shows it."""
    return f'<tr><th scope="row">{label}</th><td><del>{old}</del></td><td><ins>{new}</ins></td></tr>'


def row_field(label, old, new):
    """A field of a row below the form, as the page says it changed."""
    return (
        f'<li>{label}: <del><span class="visually-hidden">before </span>{old}</del> '
        f'<span aria-hidden="true">→</span> <ins><span class="visually-hidden">after </span>{new}</ins></li>'
    )


@pytest.fixture
def entry():
    """An initiative as a curator left it, with rows below its form."""
    tiers_lieu, recyclerie = KindFactory(label="Tiers-lieu"), KindFactory(label="Recyclerie")
    initiative = InitiativeFactory(
        name="La Fabrique", stage="emergence", commune=CommuneFactory(name="Pernes"), kinds=[tiers_lieu]
    )
    LegalEntityFactory(
        initiative=initiative, name="Association La Fabrique", legal_form=LegalFormFactory(label="SCIC")
    )
    FundingFactory(initiative=initiative, tool=FundingToolFactory(label="DLA"), amount=10000, year=2019)
    return initiative, recyclerie


def change_through_the_admin(client, initiative, **changes):
    page = client.get(change_url(initiative))
    data = {**change_page_as_post(page), **changes, "_save": "Enregistrer"}
    response = client.post(change_url(initiative), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_the_history_shows_each_field_list_and_row_a_curator_changed(superuser_client, superuser, entry):
    initiative, recyclerie = entry
    old_commune, new_commune = initiative.commune, CommuneFactory(name="Lille")

    change_through_the_admin(
        superuser_client,
        initiative,
        name="La Fabrique de Pernes",
        stage="active",
        commune=str(new_commune.pk),
        kinds=[str(recyclerie.pk)],
        **{
            "fundings-0-amount": "12000",
            "legal_entities-0-DELETE": "on",
            "milestones-TOTAL_FORMS": "1",
            "milestones-0-year": "2021",
            "milestones-0-title": "Ouverture du café",
        },
    )

    content = history_page(superuser_client, initiative)
    # Its own fields: text, a choice by its label, a related object by its name.
    assertInHTML(field_row("Name", "La Fabrique", "La Fabrique de Pernes"), content)
    assertInHTML(field_row("Stage", "emergence", "up and running"), content)
    assertInHTML(field_row("Commune", old_commune, new_commune), content)
    # Its ticked lists.
    assertInHTML("<dt>Kinds</dt>", content, count=3)  # ticked when created, then unticked and ticked
    assertInHTML("<dd>removed: <del>Tiers-lieu</del></dd>", content)
    assertInHTML("<dd>added: <ins>Recyclerie</ins></dd>", content)
    # The rows below the form: removed, changed (and how), added.
    assertInHTML("<dd><del>removed “Association La Fabrique (SCIC)”</del></dd>", content)
    assertInHTML(
        f"<dd>changed “DLA · 2019” <ul>{row_field('Amount (€)', '10,000', '12,000')}</ul></dd>", content
    )
    assertInHTML("<dd><ins>added “2021 · Ouverture du café”</ins></dd>", content)
    # Who made the change, and each version still opens its page, from which it can be restored.
    user_url = reverse("admin:accounts_user_change", args=[superuser.pk])
    assert f'<a href="{user_url}">{superuser.email}</a>' in content
    for version in initiative.history.all():
        assert f'href="{version.revert_url()}"' in content


def test_a_revert_says_which_version_it_restored_and_what_it_put_back(superuser_client, entry):
    initiative, recyclerie = entry
    before_the_change = initiative.history.latest()
    change_through_the_admin(
        superuser_client,
        initiative,
        name="Un nom erroné",
        **{"fundings-0-amount": "12000", "legal_entities-0-DELETE": "on"},
    )

    revert(superuser_client, before_the_change, headers=ENGLISH)

    content = history_page(superuser_client, initiative)
    with translation.override("en"):
        reason = restore_reason(before_the_change)
    assert reason in content
    assertInHTML(field_row("Name", "Un nom erroné", "La Fabrique"), content)
    assertInHTML("<dd><ins>added “Association La Fabrique (SCIC)”</ins></dd>", content)
    assertInHTML(
        f"<dd>changed “DLA · 2019” <ul>{row_field('Amount (€)', '12,000', '10,000')}</ul></dd>", content
    )


def test_the_history_gives_empty_values_a_dash_and_long_texts_in_full_on_demand(superuser_client):
    initiative = InitiativeFactory(description="")
    initiative.description = "Un tiers-lieu rural. " * 20
    initiative.save()

    content = history_page(superuser_client, initiative)

    full = initiative.description.strip()
    details = f'<details><summary>{full[:99]}…</summary><div class="version-text">{full}</div></details>'
    assertInHTML(field_row("Description", "—", details), content)


def test_an_organisations_history_shows_its_own_fields(superuser_client):
    organization = OrganizationFactory(name="Mairie", kind=Organization.Kind.LOCAL_AUTHORITY)
    territory = CommuneFactory(name="Pernes")

    response = superuser_client.post(
        reverse("admin:catalogue_organization_change", args=[organization.pk]),
        {"name": "Mairie de Pernes", "kind": "state", "territory": str(territory.pk), "_save": "1"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    content = history_page(superuser_client, organization)
    assertInHTML(field_row("Name", "Mairie", "Mairie de Pernes"), content)
    assertInHTML(field_row("Kind", "local authority", "State or public agency"), content)
    assertInHTML(field_row("Territory", "—", territory), content)


def test_a_funding_tools_history_shows_its_co_funders(superuser_client):
    region = OrganizationFactory(name="Région Hauts-de-France")
    tool = FundingToolFactory(label="FIDESS", slug="fidess")

    response = superuser_client.post(
        reverse("admin:catalogue_fundingtool_change", args=[tool.pk]),
        {"label": "FIDESS", "slug": "fidess", "nature": "loan", "co_funders": [region.pk], "_save": "1"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    content = history_page(superuser_client, FundingTool.objects.get())
    assertInHTML(field_row("Nature", "—", "loan, guarantee or quasi-equity"), content)
    assertInHTML("<dt>Co-funders</dt><dd>added: <ins>Région Hauts-de-France</ins></dd>", content)


def test_a_row_whose_legal_form_was_deleted_since_is_still_listed(superuser_client):
    initiative = InitiativeFactory()
    entity = LegalEntityFactory(initiative=initiative)
    pk, legal_form = entity.pk, entity.legal_form
    initiative.save()
    entity.delete()
    legal_form.delete()

    content = history_page(superuser_client, initiative)

    assertInHTML(f"<dd><ins>added “Legal entity no. {pk}”</ins></dd>", content)
    assertInHTML(f"<dd><del>removed “Legal entity no. {pk}”</del></dd>", content)


def test_the_last_version_of_a_page_shows_its_changes_too(superuser_client, monkeypatch):
    """Its previous version is on the next page; and the rows of the first version of a page end
    where the previous page's last version begins."""
    monkeypatch.setattr(admin.site.get_model_admin(Initiative), "history_list_per_page", 1)
    initiative = InitiativeFactory(name="Premier nom")
    initiative.name = "Second nom"
    initiative.save()
    milestone = MilestoneFactory(initiative=initiative, year=2020, title="Ouverture")
    initiative.name = "Troisième nom"
    initiative.save()
    milestone.delete()

    latest, second = (history_page(superuser_client, initiative, p=page) for page in (1, 2))

    assertInHTML(field_row("Name", "Second nom", "Troisième nom"), latest)
    assertInHTML("<dd><del>removed “2020 · Ouverture”</del></dd>", latest)
    assertInHTML(field_row("Name", "Premier nom", "Second nom"), second)
    assertInHTML("<dd><ins>added “2020 · Ouverture”</ins></dd>", second)
    assert "removed" not in second


def entry_with_versions(count):
    """An initiative with ``count`` versions, each changing a field or a ticked list, and rows."""
    initiative = InitiativeFactory()
    funding = FundingFactory(initiative=initiative, amount=1000)
    for n in range(1, count):
        if n % 2:
            initiative.name = f"Version {n}"
            initiative.save()
        else:
            initiative.themes.add(ThemeFactory())
        funding.amount += 1000
        funding.save()
        MilestoneFactory(initiative=initiative, year=2000 + n)
        LegalEntityFactory(initiative=initiative)
    assert initiative.history.count() == count
    return initiative


def test_the_history_page_makes_as_many_queries_for_thirty_versions_as_for_three(superuser_client):
    few, many = entry_with_versions(3), entry_with_versions(30)
    queries = {}
    for initiative in (few, many):
        history_page(superuser_client, initiative)  # the session, the content types… read once
        with CaptureQueriesContext(connection) as captured:
            content = history_page(superuser_client, initiative)
        queries[initiative] = len(captured)

    assert Milestone.objects.filter(initiative=many).count() == 29
    assert content.count("<dt>Trajectory</dt>") == 29
    assert queries[few] == queries[many] <= 25, queries
