"""Undoing a curator's change: an initiative's version as a whole, not only its own fields.

simple-history keeps one record per save of the initiative, with its kinds, themes, networks and
territories, and one record per save of each row edited below the form (legal set-up, partners,
funding, trajectory, levers, obstacles). Its revert puts back the initiative's own fields; this
module gives the rest: the version's many-to-many values, and its rows, put back in bulk.

A version stands for the entry as it was until the initiative's next record. The admin saves the
initiative first and the rows below the form after it, so the rows of a version are those recorded
*before the next version*, not before the version's own date: otherwise the rows saved with it
would be left out.
"""

from dataclasses import dataclass, field

from django.db import models, router, transaction
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext
from simple_history.utils import (
    bulk_create_with_history,
    bulk_update_with_history,
    get_m2m_reverse_field_name,
)

from .models import Initiative
from .models.parts import ROWS


@dataclass
class RowChanges:
    """What putting one model's rows back as in a version does."""

    model: type[models.Model]
    to_create: list = field(default_factory=list)
    to_update: list = field(default_factory=list)
    updated_fields: set = field(default_factory=set)
    to_delete: list = field(default_factory=list)
    # Rows of the version that point at something deleted since (a legal form, a lever…): they
    # cannot be brought back, nor changed back, and are left as they are.
    lost: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.to_create or self.to_update or self.to_delete)


def m2m_ids_as_of(version):
    """The ids of the kinds, themes, networks and territories served that a version had, by field
    name, read from the historical many-to-many tables (the live ones say what is there today)."""
    ids = {}
    for m2m_field in version._history_m2m_fields:
        target = get_m2m_reverse_field_name(m2m_field)
        rows = getattr(version, m2m_field.name).order_by(f"{target}_id")
        ids[m2m_field.name] = list(rows.values_list(f"{target}_id", flat=True))
    return ids


def restore_reason(version):
    """The change reason the records of a restore carry."""
    when = formats.date_format(timezone.localtime(version.history_date), "DATETIME_FORMAT")
    return gettext("Restored to the version of %(date)s") % {"date": when}


def plan_restore(version):
    """What putting an initiative's rows back as in ``version`` would change, model by model."""
    superseded_at = _superseded_at(version)
    return [_plan(part.model, version.id, superseded_at) for part in ROWS]


def restore_related_rows(version, user):
    """Put the initiative's rows back as they were in ``version``: deleted rows come back with
    their old id and values, changed ones are changed back, rows added since are deleted (their
    history keeps them). Every change is recorded with ``user`` and :func:`restore_reason`, so the
    restore can itself be undone. Returns the :class:`RowChanges` made."""
    plans = plan_restore(version)
    reason = restore_reason(version)
    # After the initiative's own record of the revert, so that this version includes these rows.
    when = timezone.now()
    with transaction.atomic(using=router.db_for_write(Initiative)):
        for changes in plans:
            _apply(changes, user, reason, when)
    return plans


def _superseded_at(version):
    """When the initiative's next record was made, or None if the version is the latest."""
    return (
        Initiative.history.filter(id=version.id, history_date__gt=version.history_date)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )


def _plan(model, initiative_id, before):
    """Compare the initiative's rows of ``model`` as they were just before ``before`` (now, if None)
    with today's. Three queries, and one per foreign key when rows are to be written."""
    past, tracked = _rows_as_of(model, initiative_id, before)
    # A row moved to another initiative since is brought back here by its id. A row without any
    # history predates it and is left as it is: nothing says when it was added.
    current = {
        row.pk: row
        for row in model._default_manager.filter(
            models.Q(initiative_id=initiative_id) | models.Q(pk__in=list(past))
        ).order_by("pk")
        if row.pk in tracked
    }
    changes = RowChanges(model)
    changes.to_delete = [row for pk, row in current.items() if pk not in past]

    compared = [f for f in model._meta.concrete_fields if not f.primary_key]
    candidates = []  # (the row as it was, the row today or None, the fields that differ)
    for pk in sorted(past):
        old, row = past[pk], current.get(pk)
        if row is None:
            candidates.append((old, None, []))
        elif differing := [f.attname for f in compared if getattr(row, f.attname) != getattr(old, f.attname)]:
            candidates.append((old, row, differing))

    lost = _pointing_at_deleted(model, [old for old, _row, _fields in candidates])
    for old, row, differing in candidates:
        if old.pk in lost:
            changes.lost.append(old)
        elif row is None:
            changes.to_create.append(old)
        else:
            for attname in differing:
                setattr(row, attname, getattr(old, attname))
            changes.to_update.append(row)
            changes.updated_fields.update(differing)
    return changes


def _rows_as_of(model, initiative_id, before):
    """The initiative's rows of ``model`` just before ``before`` (now, if None), rebuilt by id, and
    the ids of all its rows that have a history.

    A row is rebuilt from its latest record before that moment. A row whose history only starts
    after it with a change or a deletion, not a creation, existed already without a history
    (``loaddata`` records none): it is rebuilt from that first record, the nearest state known.
    """
    records = model.history.all()
    if before is None:
        last, first_after = records.latest_of_each(), records.none()
    else:
        last = records.filter(history_date__lt=before).latest_of_each()
        earlier = model.history.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
        first_after = records.filter(history_date__gte=before).exclude(Exists(earlier))

    # Oldest first: of two records of one row made at the same instant, the later id is the latest
    # and the earlier one the first.
    latest, first = {}, {}
    for record in last.filter(initiative_id=initiative_id).order_by("history_date", "history_id"):
        latest[record.id] = record
    for record in first_after.filter(initiative_id=initiative_id).order_by("history_date", "history_id"):
        first.setdefault(record.id, record)

    past = {pk: record.instance for pk, record in latest.items() if record.history_type != "-"}
    past.update({pk: record.instance for pk, record in first.items() if record.history_type != "+"})
    return past, latest.keys() | first.keys()


def _pointing_at_deleted(model, rows):
    """The ids of those rows whose foreign keys point at an object that no longer exists."""
    lost = set()
    for fk in model._meta.concrete_fields:
        if not fk.is_relation or fk.related_model is Initiative:
            continue
        wanted = {getattr(row, fk.attname) for row in rows} - {None}
        if not wanted:
            continue
        existing = set(
            fk.related_model._base_manager.filter(pk__in=wanted).order_by().values_list("pk", flat=True)
        )
        lost.update(row.pk for row in rows if getattr(row, fk.attname) not in existing | {None})
    return lost


def _apply(changes, user, reason, when):
    """Write one model's changes: deletions first, so that a row brought back does not collide
    with its replacement on a unique constraint (one lever per initiative…)."""
    model, history = changes.model, changes.model.history.model
    if changes.to_delete:
        history.objects.bulk_create(
            [
                history(
                    history_date=when,
                    history_type="-",
                    history_user=user,
                    history_change_reason=reason,
                    **{f.attname: getattr(row, f.attname) for f in history.tracked_fields},
                )
                for row in changes.to_delete
            ]
        )
        # One DELETE without signals: their deletion records are written just above, in one query
        # rather than one per row. Safe because nothing references these rows (a test checks it).
        model._default_manager.filter(pk__in=[row.pk for row in changes.to_delete])._raw_delete(
            router.db_for_write(model)
        )
    if changes.to_update:
        bulk_update_with_history(
            changes.to_update,
            model,
            sorted(changes.updated_fields),
            default_user=user,
            default_change_reason=reason,
            default_date=when,
        )
    if changes.to_create:
        bulk_create_with_history(
            changes.to_create,
            model,
            default_user=user,
            default_change_reason=reason,
            default_date=when,
        )
