"""Who may do what with the catalogue's entries: the one place that says it.

Rights follow the networks (``accounts.Membership.role``):

- a **contributor** of a network adds entries to it, and changes its entries while they are drafts
  or "to be reviewed"; they send a draft for review, and a review back to draft;
- a **coordinator** of a network also changes its published and archived entries, publishes,
  archives and restores them, and invites people to the network;
- an **administrator** (superuser) does everything, in every network, and alone looks after the
  entries that no network curates yet (the seed's, before they are given one).

Every curator may *read* any published entry (the admin's "all published" filter), and nothing
else of another network: its drafts are not found, its history and its reverts are refused.

The rules are django-rules predicates gathered in one ``RuleSet`` (``rules_for_entries``), tested
by the admin's ``has_*_permission`` methods and ``get_queryset`` — not through Django's permission
backends, so that the curators' group keeps saying what a curator may do with each model at all,
and these rules what they may do with each entry.
"""

import rules
from django.db.models import Exists, OuterRef, Q

from accounts.roles import coordinated_network_ids, is_administrator, member_network_ids

from .models import Initiative

Status = Initiative.Status

# The statuses a contributor may leave an entry in, and change it in.
CONTRIBUTORS_STATUSES = frozenset({Status.DRAFT, Status.REVIEW})

# Moderation: the moves from one status to another, and whether a contributor may make them
# (False: coordinators only). Moves not listed are not allowed to anyone, administrators included:
# an archived entry comes back as a draft or published again, never straight "to be reviewed".
TRANSITIONS = {
    (Status.DRAFT, Status.REVIEW): True,
    (Status.REVIEW, Status.DRAFT): True,
    (Status.DRAFT, Status.PUBLISHED): False,
    (Status.REVIEW, Status.PUBLISHED): False,
    (Status.PUBLISHED, Status.REVIEW): False,
    (Status.PUBLISHED, Status.DRAFT): False,
    (Status.DRAFT, Status.ARCHIVED): False,
    (Status.REVIEW, Status.ARCHIVED): False,
    (Status.PUBLISHED, Status.ARCHIVED): False,
    (Status.ARCHIVED, Status.DRAFT): False,
    (Status.ARCHIVED, Status.PUBLISHED): False,
}


def entry_network_ids(initiative):
    """The ids of the networks that curate ``initiative`` (none for an entry not saved yet).

    Read once per object: the admin asks several questions about the same entry in one request."""
    if initiative is None or initiative.pk is None:
        return set()
    ids = getattr(initiative, "_curating_network_ids", None)
    if ids is None:
        ids = set(
            Initiative.networks.through.objects.filter(initiative_id=initiative.pk).values_list(
                "network_id", flat=True
            )
        )
        initiative._curating_network_ids = ids
    return ids


# --- Predicates ---------------------------------------------------------------------------------


@rules.predicate
def is_admin(user):
    return is_administrator(user)


@rules.predicate
def is_curator(user):
    """Staff who belong to at least one network."""
    return bool(user.is_active and user.is_staff and member_network_ids(user))


@rules.predicate
def is_coordinator(user):
    """Staff who coordinate at least one network."""
    return bool(user.is_active and user.is_staff and coordinated_network_ids(user))


@rules.predicate
def is_member_of_entry(user, initiative):
    return bool(user.is_staff and member_network_ids(user) & entry_network_ids(initiative))


@rules.predicate
def is_coordinator_of_entry(user, initiative):
    return bool(user.is_staff and coordinated_network_ids(user) & entry_network_ids(initiative))


@rules.predicate
def is_published(user, initiative):
    return initiative.status == Status.PUBLISHED


@rules.predicate
def is_in_contributors_hands(user, initiative):
    return initiative.status in CONTRIBUTORS_STATUSES


rules_for_entries = rules.RuleSet()
rules_for_entries.add_rule("add", is_admin | is_curator)
rules_for_entries.add_rule("view", is_admin | is_member_of_entry | (is_curator & is_published))
rules_for_entries.add_rule(
    "change", is_admin | is_coordinator_of_entry | (is_member_of_entry & is_in_contributors_hands)
)
# The history of an entry (and its reverts, which are changes) is its curators'.
rules_for_entries.add_rule("view_history", is_admin | is_member_of_entry)


# --- Questions the admin asks -------------------------------------------------------------------


def may_add(user):
    return rules_for_entries.test_rule("add", user)


def may_view(user, initiative):
    return rules_for_entries.test_rule("view", user, initiative)


def may_change(user, initiative):
    return rules_for_entries.test_rule("change", user, initiative)


def may_view_history(user, initiative):
    return rules_for_entries.test_rule("view_history", user, initiative)


def may_moderate(user):
    """Whether the user coordinates anything: the publish and archive actions are theirs."""
    return is_admin(user) or is_coordinator(user)


def may_move(user, initiative, to_status):
    """Whether ``user`` may take ``initiative`` from its (saved) status to ``to_status``."""
    from_status = Status(initiative.status)
    to_status = Status(to_status)
    if from_status == to_status:
        return may_change(user, initiative)
    if (from_status, to_status) not in TRANSITIONS:
        return False
    if is_admin(user):
        return True
    if is_coordinator_of_entry(user, initiative):
        return True
    return TRANSITIONS[from_status, to_status] and is_member_of_entry(user, initiative)


def statuses_for(user, initiative=None, networks=()):
    """The statuses ``user`` may leave ``initiative`` in (its current one first), or give a new
    entry of ``networks`` (ids; any of theirs when empty)."""
    if initiative is not None and initiative.pk is not None:
        current = Status(initiative.status)
        others = [status for status in Status if status != current and may_move(user, initiative, status)]
        return [current, *others]
    if is_admin(user):
        coordinates = True
    else:
        coordinated = coordinated_network_ids(user)
        coordinates = bool(coordinated & set(networks)) if networks else bool(coordinated)
    # A new entry starts as a draft, or is sent for review, or (by its coordinator) published.
    return [Status.DRAFT, Status.REVIEW, *([Status.PUBLISHED] if coordinates else [])]


def networks_for(user, queryset):
    """The networks ``user`` may put entries in: their own (all of them, for an administrator)."""
    if is_admin(user):
        return queryset
    return queryset.filter(pk__in=member_network_ids(user))


# --- What the admin lists -----------------------------------------------------------------------


def _in_networks(network_ids):
    return Exists(
        Initiative.networks.through.objects.filter(initiative_id=OuterRef("pk"), network_id__in=network_ids)
    )


def visible_entries(user, queryset):
    """The entries ``user`` may open in the admin: their networks' and, read-only, every published
    one. Nothing for a user of no network who is not an administrator."""
    if is_admin(user):
        return queryset
    if not (user.is_active and user.is_staff):
        return queryset.none()
    return queryset.filter(Q(status=Status.PUBLISHED) | _in_networks(member_network_ids(user)))


def own_entries(user, queryset):
    """The entries of the user's networks (every entry, for an administrator)."""
    if is_admin(user):
        return queryset
    return queryset.filter(_in_networks(member_network_ids(user)))
