"""Importing a network's file: who may, the preview, and the import itself.

The admin and ``manage.py import_initiatives`` both go through here. A batch is read again from
the file it keeps each time its preview is shown, so the preview is always what confirming would
do; confirming plans once more inside the transaction that writes, so that an entry changed in the
meantime is compared as it is now.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Network
from accounts.roles import is_administrator, member_network_ids
from catalogue.importers.mapping import checked_mapping, left_out
from catalogue.importers.planning import Action, plan_import
from catalogue.importers.reading import read_table
from catalogue.importers.writing import write_plan
from catalogue.permissions import may_add, networks_for

from .models import ImportBatch, ImportedRecord

# How many rows of each kind the report keeps (the preview shows them all).
REPORT_LIMIT = 2000


class Refused(Exception):
    """The import cannot be made as asked; the message says why. Nothing was written."""


def import_networks(user):
    """The networks ``user`` may import into: their own (every network, for an administrator)."""
    if not may_add(user):
        return Network.objects.none()
    return networks_for(user, Network.objects.all())


def visible_imports(user, queryset=None):
    """The imports ``user`` may read: those into their networks (all, for an administrator)."""
    queryset = ImportBatch.objects.all() if queryset is None else queryset
    if is_administrator(user):
        return queryset
    if not (user.is_active and user.is_staff):
        return queryset.none()
    return queryset.filter(network_id__in=member_network_ids(user))


def known_ids(batch):
    """Source identifier → entry, from the earlier imports of the batch's source into its network."""
    records = (
        ImportedRecord.objects.filter(
            batch__source=batch.source, batch__network=batch.network, batch__status=ImportBatch.Status.DONE
        )
        .exclude(batch=batch)
        .exclude(source_id="")
        .order_by("batch__imported_at", "pk")
        .values_list("source_id", "initiative_id")
    )
    return dict(records)  # the latest import of an identifier wins


def read(batch):
    """The batch's table and the mapping that applies to it (the saved one, completed)."""
    table = read_table(batch.file_name, bytes(batch.content), batch.sheet)
    return table, checked_mapping(table.headings, batch.mapping)


def preview(batch, user):
    """(table, mapping, plan) of the batch as it stands: what confirming would do."""
    table, mapping = read(batch)
    plan = plan_import(table, mapping, user, known_ids=known_ids(batch))
    return table, mapping, plan


def run(batch, user):
    """Imports the batch in one transaction: all its rows or, when a row is refused and the
    curator did not choose to leave refused rows out, nothing. Returns the report."""
    if batch.network_id not in set(import_networks(user).values_list("pk", flat=True)):
        raise PermissionDenied
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ImportBatch.Status.DONE:
            raise Refused(_("This file has already been imported."))
        table, mapping, plan = preview(batch, user)
        if plan.refusals and not batch.leave_out_refused:
            raise Refused(
                ngettext(
                    "%(count)d row is refused: nothing was imported. Correct the file, or choose to "
                    "import without the refused row.",
                    "%(count)d rows are refused: nothing was imported. Correct the file, or choose to "
                    "import without the refused rows.",
                    len(plan.refusals),
                )
                % {"count": len(plan.refusals)}
            )
        if not plan.to_write:
            raise Refused(_("This file brings nothing new: nothing to import."))
        written = write_plan(plan, user, batch.network, batch.file_name, batch.sources_text)
        ImportedRecord.objects.bulk_create(
            ImportedRecord(
                batch=batch,
                initiative=initiative,
                line=entry.candidate.line,
                source_id=entry.candidate.source_id[:200],
                action=ImportedRecord.Action.CREATED
                if entry.action == Action.CREATE
                else ImportedRecord.Action.UPDATED,
            )
            for entry, initiative in written
        )
        batch.mapping = mapping
        batch.status = ImportBatch.Status.DONE
        batch.imported_at = timezone.now()
        batch.report = report_of(table, mapping, plan, written)
        batch.save()
    return batch.report


def report_of(table, mapping, plan, written=()):
    """What an import did (or would do), as plain data kept with the batch."""
    ids = {id(entry): initiative.pk for entry, initiative in written}
    return {
        "counts": plan.counts,
        "format": table.description,
        "left_out_columns": left_out(mapping),
        "entries": [
            {
                "line": entry.candidate.line,
                "name": entry.candidate.name,
                "action": entry.action,
                "initiative": ids.get(id(entry)) or (entry.initiative.pk if entry.initiative else None),
                "duplicates": [
                    {"pk": found.initiative.pk, "name": found.initiative.name, "reasons": list(found.reasons)}
                    for found in entry.duplicates
                ],
                "same_in_file": entry.same_in_file,
                "warnings": entry.candidate.warnings,
            }
            for entry in plan.entries[:REPORT_LIMIT]
        ],
        "refused": [
            {"line": refusal.line, "name": refusal.name, "reasons": refusal.reasons}
            for refusal in plan.refusals[:REPORT_LIMIT]
        ],
    }
