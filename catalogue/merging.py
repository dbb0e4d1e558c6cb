"""Merging a duplicate into the entry it repeats.

What the duplicate knows and the target does not is copied onto the target: its legal entities,
partners, funding lines, milestones, levers and obstacles (a row the target already has is not
copied twice), its kinds, themes, networks and territories served, its sources, and the fields the
target leaves empty. The duplicate itself is archived, untouched otherwise: nothing is lost, and
each step is in the history of both entries with the merge as its reason, so that reverting the
target to its version before the merge and restoring the duplicate undoes it.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from . import indexing, moderation
from .models import (
    Funding,
    Initiative,
    InitiativeLever,
    InitiativeObstacle,
    LegalEntity,
    Milestone,
    Partnership,
)
from .models.parts import MANY_TO_MANY
from .permissions import may_change, may_move

# The target's fields that the duplicate fills when the target has nothing in them.
FILLED_FIELDS = (
    "summary",
    "description",
    "stage",
    "started_year",
    "opened_year",
    "address",
    "commune",
    "surface_m2",
    "investment_eur",
    "annual_budget_eur",
    "jobs_fte",
    "volunteers",
    "website",
    "public_email",
    "phone",
    "verified_on",
)

# For each kind of row: what makes two rows the same one (a row of the duplicate that the target
# already has is not copied).
ROW_KEYS = {
    LegalEntity: lambda row: (row.siren or row.rna or row.name.casefold(),),
    Partnership: lambda row: (row.organization_id, row.role),
    Funding: lambda row: (row.tool_id, row.funder_id, row.amount, row.year),
    Milestone: lambda row: (row.year, row.title.casefold()),
    InitiativeLever: lambda row: (row.lever_id,),
    InitiativeObstacle: lambda row: (row.obstacle_id,),
}


def may_merge(user, duplicate, target):
    """Whether ``user`` may merge ``duplicate`` into ``target``: change both, and archive the first."""
    return (
        duplicate.pk != target.pk
        and duplicate.status != Initiative.Status.ARCHIVED
        and target.status != Initiative.Status.ARCHIVED
        and may_change(user, target)
        and may_change(user, duplicate)
        and may_move(user, duplicate, Initiative.Status.ARCHIVED)
    )


def merge_into(duplicate, target, user):
    """Merge ``duplicate`` into ``target`` on behalf of ``user`` (or raise PermissionDenied and
    change nothing). Returns what was carried over, as a list of sentences."""
    if not may_merge(user, duplicate, target):
        raise PermissionDenied
    reason = _("Merged with “%(duplicate)s” (#%(pk)d).") % {"duplicate": duplicate.name, "pk": duplicate.pk}
    carried = []
    with transaction.atomic(), indexing.deferred():
        for model, key in ROW_KEYS.items():
            copied = _copy_rows(model, key, duplicate, target, user, reason)
            if copied:
                carried.append(f"{model._meta.verbose_name_plural}: {copied}")
        # One version of the target for the whole merge (its many-to-many values are kept with it),
        # rather than one per relation added.
        target.skip_history_when_saving = True
        for part in MANY_TO_MANY:
            field = getattr(target, part.field)
            missing = set(getattr(duplicate, part.field).values_list("pk", flat=True)) - set(
                field.values_list("pk", flat=True)
            )
            if missing:
                field.add(*missing)
                carried.append(f"{part.model_field.verbose_name}: {len(missing)}")
        del target.skip_history_when_saving
        filled = _fill_empty_fields(duplicate, target)
        if filled:
            carried.append(", ".join(str(Initiative._meta.get_field(name).verbose_name) for name in filled))
        target.sources = _joined_sources(target, duplicate)
        target.updated_by = user
        target._history_user = user
        target._change_reason = reason
        target.save()
        moderation.move(
            duplicate,
            Initiative.Status.ARCHIVED,
            user,
            comment=_("Merged into “%(target)s”.") % {"target": target.name},
            reason=_("Merged into “%(target)s” (#%(pk)d).") % {"target": target.name, "pk": target.pk},
        )
    return carried


def _copy_rows(model, key, duplicate, target, user, reason):
    """Copy onto ``target`` the rows of ``duplicate`` that it does not have; a lever or an
    obstacle both have keeps the target's note, or takes the duplicate's when it has none."""
    target_rows = {key(row): row for row in model._default_manager.filter(initiative=target)}
    copied = 0
    for row in model._default_manager.filter(initiative=duplicate).order_by("pk"):
        same = target_rows.get(key(row))
        if same is not None:
            if hasattr(same, "note") and row.note and not same.note:
                same.note = row.note
                _save_row(same, user, reason)
            continue
        row.pk = row.id = None
        row._state.adding = True
        row.initiative = target
        _save_row(row, user, reason)
        target_rows[key(row)] = row
        copied += 1
    return copied


def _save_row(row, user, reason):
    row._history_user = user
    row._change_reason = reason
    row.save()


def _fill_empty_fields(duplicate, target):
    filled = []
    for name in FILLED_FIELDS:
        field = Initiative._meta.get_field(name)
        value = getattr(duplicate, field.attname)
        if value not in (None, "") and getattr(target, field.attname) in (None, ""):
            setattr(target, field.attname, value)
            filled.append(name)
    if target.location is None and duplicate.location is not None:
        target.location = duplicate.location
        target.location_precision = duplicate.location_precision
        filled.append("location")
    if not target.image and duplicate.image:
        target.image, target.image_alt = duplicate.image, duplicate.image_alt
        filled.append("image")
    return filled


def _joined_sources(target, duplicate):
    """The target's sources, then those of the duplicate that it lacks, then the merge itself."""
    lines = [line for line in target.sources.splitlines() if line.strip()]
    lines += [line for line in duplicate.sources.splitlines() if line.strip() and line not in lines]
    lines.append(
        _("Merged with the entry “%(name)s” (#%(pk)d).") % {"name": duplicate.name, "pk": duplicate.pk}
    )
    return "\n".join(lines)
