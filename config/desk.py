"""A curator's desk, on the admin's home page: their networks with their role in each, and the
work waiting for them — drafts, entries to review, citizens' suggestions — each a link to the
list that holds it.

It gathers what several apps keep (the catalogue's entries, the networks, the suggestions), which is
why it lives with the site's configuration rather than in one of them.
"""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from catalogue import permissions
from catalogue.models import Initiative, StatusChange
from contributions.models import Suggestion

# How many of the latest moves in the curator's networks the desk shows.
RECENT_MOVES = 8


@dataclass
class Pile:
    """Some work waiting: how many, what it is, and the list that holds it."""

    label: str
    count: int
    url: str


@dataclass
class NetworkSeat:
    """A network the curator belongs to, their role in it, and what the role lets them do there."""

    network: object
    role: str
    invite_url: str | None = None


@dataclass
class Desk:
    seats: list = field(default_factory=list)
    piles: list = field(default_factory=list)
    recent_moves: list = field(default_factory=list)
    is_administrator: bool = False


def desk_of(user):
    """The desk of ``user``: empty for anyone who is not staff."""
    if not (user.is_active and user.is_staff):
        return Desk()
    desk = Desk(is_administrator=permissions.is_admin(user))
    memberships = Membership.objects.filter(user=user).select_related("network").order_by("network__name")
    desk.seats = [
        NetworkSeat(
            network=membership.network,
            role=membership.get_role_display(),
            invite_url=_invite_url(membership),
        )
        for membership in memberships
    ]
    entries = permissions.own_entries(user, Initiative.objects.all())
    changelist = reverse("admin:catalogue_initiative_changelist")
    for status, label in (
        (Initiative.Status.REVIEW, _("Entries to review")),
        (Initiative.Status.DRAFT, _("Drafts")),
    ):
        desk.piles.append(
            Pile(
                label,
                entries.filter(status=status).count(),
                f"{changelist}?{urlencode({'status__exact': status})}",
            )
        )
    desk.piles.extend(_suggestion_piles(user))
    desk.recent_moves = list(
        StatusChange.objects.filter(initiative__in=entries)
        .select_related("initiative", "changed_by")
        .order_by("-changed_at", "-pk")[:RECENT_MOVES]
    )
    return desk


def _invite_url(membership):
    if membership.role != Membership.Role.COORDINATOR:
        return None
    try:
        return reverse("admin:accounts_network_invite", args=[membership.network_id])
    except NoReverseMatch:
        return None


def _suggestion_piles(user):
    """The citizens' suggestions waiting for the curator: those routed to their networks, or to
    none (every curator may take them); all of them for an administrator."""
    waiting = Suggestion.objects.waiting()
    if not permissions.is_admin(user):
        waiting = waiting.routed_to_any_of(permissions.member_network_ids(user))
    changelist = reverse("admin:contributions_suggestion_changelist")
    url = f"{changelist}?{urlencode({'status__exact': Suggestion.Status.NEW})}"
    piles = []
    for kind, label in (
        (Suggestion.Kind.PROPOSAL, _("Initiatives proposed by citizens")),
        (Suggestion.Kind.CORRECTION, _("Corrections reported by citizens")),
    ):
        piles.append(
            Pile(label, waiting.filter(kind=kind).count(), f"{url}&{urlencode({'kind__exact': kind})}")
        )
    return piles
