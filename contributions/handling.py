"""What a curator does with a suggestion: turn a proposal into a draft initiative, answer it, or
dismiss it; and who may. Each is done once: a handled suggestion stays as it was handled.

A draft is only a draft: it becomes public when a coordinator publishes it, under the catalogue's
own rules (``catalogue.permissions``). The submitter who asked is told by e-mail.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.models import Network
from accounts.roles import is_administrator, member_network_ids
from catalogue import indexing
from catalogue.models import Initiative
from catalogue.permissions import may_add, networks_for

from .models import Suggestion

logger = logging.getLogger(__name__)

SUMMARY_LENGTH = Initiative._meta.get_field("summary").max_length


class Refused(Exception):
    """The suggestion cannot be handled so (already handled, not a proposal…): nothing changed."""


def visible_suggestions(user, queryset=None):
    """The suggestions ``user`` may read and handle: those routed to one of their networks or to
    none; all of them for an administrator; none for anyone else."""
    queryset = Suggestion.objects.all() if queryset is None else queryset
    if is_administrator(user):
        return queryset
    networks = member_network_ids(user)
    if not (user.is_active and user.is_staff and networks):
        return queryset.none()
    return queryset.routed_to_any_of(networks)


def may_handle(user, suggestion):
    return visible_suggestions(user).filter(pk=suggestion.pk).exists()


def draft_networks(user, suggestion):
    """The networks of a draft made from ``suggestion`` by ``user``: the suggestion's networks that
    the user may put entries in, else the user's own networks."""
    allowed = networks_for(user, Network.objects.all())
    routed = allowed.filter(pk__in=suggestion.networks.values("pk"))
    if routed.exists():
        return routed
    return allowed.filter(pk__in=member_network_ids(user))


def _locked(user, suggestion):
    """The suggestion read again under a lock, checked to be ``user``'s and waiting."""
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if not may_handle(user, locked):
        raise PermissionDenied
    if locked.is_handled:
        raise Refused(_("This suggestion has already been handled."))
    return locked


def _mark(suggestion, user, status, reason, answer=""):
    suggestion.status = status
    suggestion.handled_by = user
    suggestion.handled_at = timezone.now()
    if answer:
        suggestion.answer = answer
    suggestion._history_user = user
    suggestion._change_reason = reason
    suggestion.save()


def convert_to_draft(user, suggestion):
    """Make a draft initiative from a proposal, prefilled with what the citizen gave, and mark the
    proposal handled. Returns the draft (its ``suggestion_told`` says whether the submitter was told)."""
    if not may_add(user):
        raise PermissionDenied
    with transaction.atomic(), indexing.deferred():
        suggestion = _locked(user, suggestion)
        if suggestion.kind != Suggestion.Kind.PROPOSAL:
            raise Refused(_("Only a proposal of a new initiative can be turned into a draft."))
        received = date_format(timezone.localtime(suggestion.created_at), "DATE_FORMAT")
        commune = suggestion.commune
        draft = Initiative(
            name=suggestion.name,
            commune=commune,
            address=suggestion.address,
            website=suggestion.website,
            summary=Truncator(suggestion.message.strip().split("\n", 1)[0]).chars(SUMMARY_LENGTH),
            description=suggestion.message,
            sources=_("A citizen's suggestion of %(date)s.") % {"date": received},
            status=Initiative.Status.DRAFT,
            created_by=user,
            updated_by=user,
        )
        if commune is not None and commune.centre is not None:
            # Placed at the commune's centre until a curator places it exactly.
            draft.location = commune.centre
            draft.location_precision = Initiative.LocationPrecision.COMMUNE
        try:
            draft.full_clean()
        except ValidationError as error:
            raise Refused(" ".join(error.messages)) from error
        draft._history_user = user
        draft._change_reason = _("Made from a citizen's suggestion of %(date)s.") % {"date": received}
        draft.save()
        draft.networks.set(draft_networks(user, suggestion))
        suggestion.draft = draft
        _mark(suggestion, user, Suggestion.Status.CONVERTED, _("Turned into a draft."))
    draft.suggestion_told = notify(suggestion)
    return draft


def answer(user, suggestion, text):
    """Answer a suggestion (the text goes to the submitter) and mark it answered. The suggestion
    returned says whether the submitter was told (``told``)."""
    text = text.strip()
    if not text:
        raise Refused(_("Write the answer to send."))
    with transaction.atomic():
        suggestion = _locked(user, suggestion)
        _mark(suggestion, user, Suggestion.Status.ANSWERED, _("Answered."), answer=text)
    suggestion.told = notify(suggestion)
    return suggestion


def dismiss(user, suggestion, text=""):
    """Dismiss a suggestion, with an optional word for the submitter."""
    with transaction.atomic():
        suggestion = _locked(user, suggestion)
        _mark(suggestion, user, Suggestion.Status.DISMISSED, _("Dismissed."), answer=text.strip())
    suggestion.told = notify(suggestion)
    return suggestion


# --- Telling the submitter ----------------------------------------------------------------------

_OUTCOMES = {
    Suggestion.Status.CONVERTED: lambda: _(
        "A curator has taken up your suggestion: the entry is being prepared, and will be published "
        "once it has been checked."
    ),
    Suggestion.Status.ANSWERED: lambda: _("A curator has read your suggestion and answers it."),
    Suggestion.Status.DISMISSED: lambda: _(
        "A curator has read your suggestion; it will not be followed up in the catalogue."
    ),
}


def notify(suggestion):
    """E-mail the submitter what became of their suggestion, if they asked. Returns whether an
    e-mail was sent; a mail server that fails is logged, never an error for the curator."""
    if not (suggestion.wants_news and suggestion.submitter_email):
        return False
    subject_of = suggestion.initiative.name if suggestion.initiative_id else suggestion.name
    lines = [
        _("Hello,"),
        "",
        _("Thank you for your suggestion about “%(name)s”.") % {"name": subject_of},
        _OUTCOMES[suggestion.status](),
    ]
    if suggestion.answer:
        lines += ["", suggestion.answer]
    lines += ["", _("The curators of Percolateur")]
    try:
        send_mail(
            _("Your suggestion to Percolateur"),
            "\n".join(lines),
            None,
            [suggestion.submitter_email],
        )
    except OSError:  # smtplib's errors are OSErrors too
        logger.exception("The e-mail about suggestion %s could not be sent", suggestion.pk)
        return False
    return True
