"""Moving an entry from one publication status to another, and keeping the record of it.

Who may make which move is said in :mod:`catalogue.permissions`; this module makes the move: the
entry is saved through its model, so that the history records it and the public pages follow
(only published entries are public), and a :class:`~catalogue.models.StatusChange` keeps who made
it, when and why.
"""

from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.utils.translation import gettext

from .models import Initiative, StatusChange
from .permissions import may_move


def record(initiative, from_status, user, comment=""):
    """Keep the record of a move already saved (``initiative.status`` is where it went)."""
    if from_status == initiative.status:
        return None
    return StatusChange.objects.create(
        initiative=initiative,
        from_status=from_status,
        to_status=initiative.status,
        changed_by=user,
        comment=comment.strip(),
    )


def move(initiative, to_status, user, *, comment="", reason=None):
    """Take ``initiative`` to ``to_status`` on behalf of ``user``, or raise PermissionDenied and
    change nothing. ``reason`` is what the history says of the save (by default, the move)."""
    to_status = Initiative.Status(to_status)
    if not may_move(user, initiative, to_status):
        raise PermissionDenied
    from_status = initiative.status
    if from_status == to_status:
        return None
    initiative.status = to_status
    initiative.updated_by = user
    initiative._history_user = user
    initiative._change_reason = reason or gettext("Status set to “%(status)s”.") % {"status": to_status.label}
    with transaction.atomic(using=router.db_for_write(Initiative)):
        initiative.save(update_fields=["status", "updated_by", "updated_at"])
        return record(initiative, from_status, user, comment)
