"""Each network in its own lane: what a contributor, a coordinator and an administrator may do with
the entries of their network and of another one, through the admin's real URLs — the list, the
change page, the history, the revert, each action — and the moderation moves each role may make.

Two networks, A and B; A has a contributor and a coordinator, B a coordinator; the administrator
belongs to none. Requests are in English where a test reads one of the project's messages.
"""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from accounts.models import Membership
from catalogue import permissions
from catalogue.models import Initiative, StatusChange
from tests.catalogue.test_admin import CHANGELIST, change_url, form_as_post, initiative_form
from tests.factories import CuratorFactory, InitiativeFactory, NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Initiative.Status
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def lanes():
    """Two networks, their people, and entries of A and B in each status."""
    a = NetworkFactory(name="CAP Rural", slug="cap-rural")
    b = NetworkFactory(name="Réseau Lutin", slug="reseau-lutin")
    people = SimpleNamespace(
        contributor=CuratorFactory(
            email="contributrice.a@example.org", network=a, network__role="contributor"
        ),
        coordinator=CuratorFactory(email="coordinatrice.a@example.org", network=a),
        coordinator_b=CuratorFactory(email="coordinateur.b@example.org", network=b),
        admin=UserFactory(email="admin@example.org", is_staff=True, is_superuser=True),
    )
    entries = SimpleNamespace(
        **{
            f"a_{status}": InitiativeFactory(name=f"A {status}", status=status, networks=[a])
            for status in Status.values
        },
        b_draft=InitiativeFactory(name="B draft", status=Status.DRAFT, networks=[b]),
        b_published=InitiativeFactory(name="B published", status=Status.PUBLISHED, networks=[b]),
    )
    return SimpleNamespace(a=a, b=b, people=people, entries=entries)


def as_user(client, user):
    client.force_login(user)
    return client


def listed(response):
    assert response.status_code == 200
    return {initiative.name for initiative in response.context["cl"].result_list}


def history_url(initiative):
    return reverse("admin:catalogue_initiative_history", args=[initiative.pk])


def revert_url(version):
    return reverse("admin:catalogue_initiative_simple_history", args=[version.id, version.history_id])


def is_form(response):
    """Whether the change page is the form (the name can be typed) rather than a read-only page."""
    return response.status_code == 200 and 'name="name"' in response.content.decode()


def names_by_status():
    return dict(Initiative.objects.values_list("name", "status"))


# --- The list ---------------------------------------------------------------------------------------


def test_a_curator_lists_their_networks_entries_and_reads_the_others_published(client, lanes):
    as_user(client, lanes.people.contributor)

    assert listed(client.get(CHANGELIST)) == {"A draft", "A review", "A published", "A archived"}
    assert listed(client.get(CHANGELIST, {"scope": "published"})) == {"A published", "B published"}


def test_the_administrator_lists_every_entry(client, lanes):
    as_user(client, lanes.people.admin)

    assert listed(client.get(CHANGELIST)) == set(Initiative.objects.values_list("name", flat=True))


def test_a_wrong_scope_is_the_admins_wrong_filter_page(client, lanes):
    as_user(client, lanes.people.contributor)

    response = client.get(CHANGELIST, {"scope": "everything"})

    assert response.status_code == 302
    assert response.url.endswith("?e=1")


def test_the_search_finds_nothing_of_another_networks_drafts(client, lanes):
    as_user(client, lanes.people.coordinator)

    assert listed(client.get(CHANGELIST, {"q": "draft"})) == {"A draft"}


# --- The change page, by direct URL ---------------------------------------------------------------


@pytest.mark.parametrize(
    "person, entry, seen",
    [
        ("contributor", "a_draft", "form"),
        ("contributor", "a_review", "form"),
        ("contributor", "a_published", "read-only"),
        ("contributor", "a_archived", "read-only"),
        ("coordinator", "a_published", "form"),
        ("coordinator", "a_archived", "form"),
        ("coordinator", "b_draft", "not found"),
        ("coordinator", "b_published", "read-only"),
        ("coordinator_b", "a_review", "not found"),
        ("admin", "b_draft", "form"),
    ],
)
def test_the_change_page_follows_the_role(client, lanes, person, entry, seen):
    as_user(client, getattr(lanes.people, person))
    initiative = getattr(lanes.entries, entry)

    response = client.get(change_url(initiative))

    if seen == "form":
        assert is_form(response)
    elif seen == "read-only":
        assert response.status_code == 200 and not is_form(response)
        assert initiative.name in response.content.decode()
    else:
        # The admin's "not found": back to its index, saying the entry does not exist.
        assert response.status_code == 302 and response.url == reverse("admin:index")


@pytest.mark.parametrize("person, entry", [("contributor", "a_published"), ("coordinator", "b_published")])
def test_posting_the_form_of_an_entry_one_may_only_read_is_refused_and_changes_nothing(
    client, lanes, person, entry
):
    initiative = getattr(lanes.entries, entry)
    as_user(client, getattr(lanes.people, person))

    response = client.post(change_url(initiative), initiative_form(name="Changé", status=initiative.status))

    assert response.status_code == 403
    initiative.refresh_from_db()
    assert initiative.name == entry.replace("a_", "A ").replace("b_", "B ")


def test_posting_the_form_of_another_networks_draft_changes_nothing(client, lanes):
    as_user(client, lanes.people.coordinator)

    response = client.post(change_url(lanes.entries.b_draft), initiative_form(name="Changé"))

    assert response.status_code == 302 and response.url == reverse("admin:index")
    assert Initiative.objects.filter(name="Changé").count() == 0


# --- Adding -----------------------------------------------------------------------------------------


def test_a_contributor_adds_a_draft_to_their_network(client, lanes):
    as_user(client, lanes.people.contributor)

    response = client.post(
        reverse("admin:catalogue_initiative_add"),
        initiative_form(name="La Ressourcerie", status="review", networks=[str(lanes.a.pk)]),
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    created = Initiative.objects.get(name="La Ressourcerie")
    assert created.status == Status.REVIEW
    assert list(created.networks.all()) == [lanes.a]
    assert created.created_by == lanes.people.contributor
    assert StatusChange.objects.get(initiative=created).to_status == Status.REVIEW


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"status": "published"}, "status"),
        ({"networks": "B"}, "networks"),
        ({"networks": []}, "networks"),
    ],
)
def test_a_contributors_tampered_add_form_is_refused_and_creates_nothing(client, lanes, fields, field):
    as_user(client, lanes.people.contributor)
    data = initiative_form(name="La Ressourcerie", networks=[str(lanes.a.pk)])
    if fields.get("networks") == "B":
        fields = {"networks": [str(lanes.b.pk)]}
    data.update(fields)

    response = client.post(reverse("admin:catalogue_initiative_add"), data)

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Initiative.objects.filter(name="La Ressourcerie").exists()


def test_a_curator_of_no_network_may_not_add(client, lanes):
    as_user(client, CuratorFactory(email="sans.reseau@example.org", network=False))

    assert client.get(reverse("admin:catalogue_initiative_add")).status_code == 403


# --- The status in the change form ------------------------------------------------------------------


def test_a_contributor_is_offered_the_moves_of_their_role_only(client, lanes):
    as_user(client, lanes.people.contributor)

    form = client.get(change_url(lanes.entries.a_draft)).context["adminform"].form

    assert [value for value, _label in form.fields["status"].choices] == ["draft", "review"]


def test_a_contributor_posting_a_status_their_role_may_not_give_changes_nothing(client, lanes):
    initiative = lanes.entries.a_review
    as_user(client, lanes.people.contributor)
    page = client.get(change_url(initiative))
    data = {**form_as_post(page.context["adminform"].form), "status": "published", "_save": "Save"}
    data.update({key: value for key, value in initiative_form().items() if key.endswith("_FORMS")})

    response = client.post(change_url(initiative), data)

    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    initiative.refresh_from_db()
    assert initiative.status == Status.REVIEW
    assert not StatusChange.objects.exists()


def test_a_move_in_the_form_is_recorded_with_its_comment_and_shown_on_the_entry(client, lanes):
    initiative = lanes.entries.a_review
    as_user(client, lanes.people.coordinator)
    page = client.get(change_url(initiative))
    data = {
        **form_as_post(page.context["adminform"].form),
        "status": "published",
        "status_comment": "Relu avec le porteur.",
        "_save": "Save",
    }
    data.update({key: value for key, value in initiative_form().items() if key.endswith("_FORMS")})

    response = client.post(change_url(initiative), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    change = StatusChange.objects.get(initiative=initiative)
    assert (change.from_status, change.to_status, change.changed_by, change.comment) == (
        Status.REVIEW,
        Status.PUBLISHED,
        lanes.people.coordinator,
        "Relu avec le porteur.",
    )
    page = client.get(change_url(initiative)).content.decode()
    assert "Relu avec le porteur." in page
    assert "coordinatrice.a@example.org" in page


def test_a_contributors_change_keeps_the_other_networks_that_curate_the_entry(client, lanes):
    shared = InitiativeFactory(name="Partagée", status=Status.DRAFT, networks=[lanes.a, lanes.b])
    as_user(client, lanes.people.contributor)
    page = client.get(change_url(shared))
    form = page.context["adminform"].form
    # Only A is offered; B is not the contributor's to take away.
    assert list(form.fields["networks"].queryset) == [lanes.a]
    data = {**form_as_post(form), "name": "Partagée et relue", "_save": "Save"}
    data.update({key: value for key, value in initiative_form().items() if key.endswith("_FORMS")})

    response = client.post(change_url(shared), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    shared.refresh_from_db()
    assert shared.name == "Partagée et relue"
    assert set(shared.networks.all()) == {lanes.a, lanes.b}


# --- The actions --------------------------------------------------------------------------------------


def act(client, action, *initiatives, headers=None, url=CHANGELIST):
    return client.post(
        url,
        {"action": action, "_selected_action": [str(initiative.pk) for initiative in initiatives]},
        headers=headers,
        follow=True,
    )


def test_a_contributor_sends_drafts_for_review_and_is_not_offered_publishing(client, lanes):
    as_user(client, lanes.people.contributor)

    actions = [
        value for value, _label in client.get(CHANGELIST).context["action_form"].fields["action"].choices
    ]
    assert "submit_for_review" in actions
    assert not {"publish", "archive", "restore"} & set(actions)

    act(client, "submit_for_review", lanes.entries.a_draft)
    assert names_by_status()["A draft"] == Status.REVIEW
    assert StatusChange.objects.get().changed_by == lanes.people.contributor


@pytest.mark.parametrize("action", ["publish", "archive", "restore"])
def test_a_contributor_posting_a_coordinators_action_changes_nothing(client, lanes, action):
    before = names_by_status()
    as_user(client, lanes.people.contributor)

    act(client, action, lanes.entries.a_review, lanes.entries.a_archived)

    assert names_by_status() == before
    assert not StatusChange.objects.exists()


def test_a_coordinator_publishes_archives_and_restores_their_networks_entries(client, lanes):
    as_user(client, lanes.people.coordinator)

    act(client, "publish", lanes.entries.a_review)
    act(client, "archive", lanes.entries.a_published)
    act(client, "restore", lanes.entries.a_archived)

    statuses = names_by_status()
    assert (statuses["A review"], statuses["A published"], statuses["A archived"]) == (
        Status.PUBLISHED,
        Status.ARCHIVED,
        Status.DRAFT,
    )
    assert StatusChange.objects.count() == 3


def test_an_action_on_another_networks_entries_leaves_them_as_they_were(client, lanes):
    before = names_by_status()
    as_user(client, lanes.people.coordinator)

    # B's draft cannot even be selected (it is not in the list); B's published entry is listed
    # read-only under "all published", and its coordinator alone may archive it.
    everything_published = f"{CHANGELIST}?scope=published"
    entries = (lanes.entries.b_draft, lanes.entries.b_published)
    response = act(client, "archive", *entries, headers=ENGLISH, url=everything_published)

    assert names_by_status() == before
    assert any("left as it was" in str(message) for message in response.context["messages"])


# --- History and revert -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "person, entry, status",
    [
        ("contributor", "a_draft", 200),
        ("contributor", "a_published", 200),
        ("coordinator", "b_published", 403),
        ("coordinator", "b_draft", 403),
        ("coordinator_b", "a_draft", 403),
        ("admin", "b_draft", 200),
    ],
)
def test_the_history_page_is_the_entrys_curators(client, lanes, person, entry, status):
    as_user(client, getattr(lanes.people, person))

    assert client.get(history_url(getattr(lanes.entries, entry))).status_code == status


def test_reverting_another_networks_entry_is_refused_and_changes_nothing(client, lanes):
    entry = lanes.entries.b_draft
    version = entry.history.latest()
    entry.name = "B renamed"
    entry.save()
    as_user(client, lanes.people.coordinator)

    assert client.get(revert_url(version)).status_code == 403
    response = client.post(revert_url(version), {"name": "B draft", "_save": "Revert"})

    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.name == "B renamed"


def test_a_contributors_revert_keeps_the_status_their_role_may_leave(client, lanes):
    # The entry was published, then a coordinator took it back to review: a contributor's revert
    # to the published version puts its content back, not its publication.
    entry = lanes.entries.a_published
    version = entry.history.latest()
    entry.name, entry.status = "A en relecture", Status.REVIEW
    entry.save()
    as_user(client, lanes.people.contributor)
    page = client.get(revert_url(version))
    assert page.status_code == 200

    data = {**form_as_post(page.context["adminform"].form), "_save": "Revert"}
    response = client.post(revert_url(version), data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    entry.refresh_from_db()
    assert (entry.name, entry.status) == ("A published", Status.REVIEW)


# --- The moves each role may make -------------------------------------------------------------------


@pytest.mark.parametrize(
    "from_status, to_status",
    [(from_status, to_status) for from_status in Status for to_status in Status if from_status != to_status],
)
def test_who_may_make_each_move(lanes, from_status, to_status):
    entry = InitiativeFactory(status=from_status, networks=[lanes.a])
    people = lanes.people
    move = (from_status, to_status)
    listed_move = move in permissions.TRANSITIONS

    assert permissions.may_move(people.admin, entry, to_status) is listed_move
    assert permissions.may_move(people.coordinator, entry, to_status) is listed_move
    assert permissions.may_move(people.contributor, entry, to_status) is (
        listed_move and move in {(Status.DRAFT, Status.REVIEW), (Status.REVIEW, Status.DRAFT)}
    )
    assert permissions.may_move(people.coordinator_b, entry, to_status) is False


def test_membership_roles_are_read_from_the_networks(lanes):
    assert Membership.objects.get(user=lanes.people.contributor).role == Membership.Role.CONTRIBUTOR
    assert permissions.may_moderate(lanes.people.coordinator)
    assert not permissions.may_moderate(lanes.people.contributor)


def test_a_contributor_reading_a_published_entry_is_told_how_to_propose_a_change(client, lanes):
    entry = lanes.entries.a_published
    as_user(client, lanes.people.contributor)

    page = client.get(change_url(entry), headers=ENGLISH).content.decode()

    assert "This entry is published: its network's coordinators change it." in page
    assert f'href="{entry.get_absolute_url()}"' in page
    # The coordinator, who may change it, gets the form without the notice.
    as_user(client, lanes.people.coordinator)
    assert "This entry is published" not in client.get(change_url(entry), headers=ENGLISH).content.decode()
