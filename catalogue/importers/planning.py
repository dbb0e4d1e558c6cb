"""What an import would do, row by row, before anything is written: the dry run every import
starts with.

A candidate updates the entry that an earlier import of the same source made from the same
identifier, or else the one entry that has its SIREN; a candidate matching nothing is created. An
entry to update that the curator may not change (another network's, or published for a
contributor) is left alone and said so. A new entry that looks like one already in the catalogue,
or like another row of the same file, is flagged as a possible duplicate: it is still created, as a
draft, with the warning on its admin page, where a curator merges it or says it is not one.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..duplicates import DuplicateIndex, Probe, names_are_similar, normalise_website
from ..models import Initiative, LegalEntity
from ..permissions import may_change
from .rows import Candidate, Refusal, RowReader

# Fields a file may fill; on an update, a value of the file replaces the entry's only when the file
# has one (an empty cell never erases what a curator wrote).
UPDATED_FIELDS = ("name", "description", "address", "website", "public_email", "phone")
IN_FILE_DISTANCE_DEGREES = 0.01  # about 1 km: the same rule as against the catalogue


class Action(models.TextChoices):
    CREATE = "create", _("to create")
    UPDATE = "update", _("to update")
    KEEP = "keep", _("unchanged")
    LEFT_ALONE = "left_alone", _("left alone")


@dataclass
class Entry:
    candidate: Candidate
    action: str
    initiative: Initiative | None = None
    changes: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    # Lines of the same file that look like the same entry.
    same_in_file: list = field(default_factory=list)
    note: str = ""

    @property
    def flagged(self):
        return bool(self.duplicates or self.same_in_file)


@dataclass
class Plan:
    entries: list
    refusals: list
    rows: int

    def count(self, action):
        return sum(1 for entry in self.entries if entry.action == action)

    @property
    def counts(self):
        counts = {action.value: self.count(action) for action in Action}
        counts["flagged"] = sum(1 for entry in self.entries if entry.flagged)
        counts["refused"] = len(self.refusals)
        counts["rows"] = self.rows
        return counts

    @property
    def to_write(self):
        return [entry for entry in self.entries if entry.action in (Action.CREATE, Action.UPDATE)]

    def may_write(self, leave_out_refused=False):
        """Whether confirming would write something: nothing is written while rows are refused,
        unless the curator chose to leave them out."""
        return bool(self.to_write) and (not self.refusals or leave_out_refused)


def plan_import(table, mapping, user, known_ids=None, duplicate_index=None, reader=None):
    """The plan of importing ``table`` read through ``mapping`` for ``user``. ``known_ids`` maps the
    source identifiers of earlier imports of the same source to the entries they made."""
    reader = reader or RowReader(mapping)
    candidates, refusals = [], []
    for row in table.rows:
        read = reader.read(row)
        if isinstance(read, Refusal):
            refusals.append(read)
        else:
            candidates.extend(read)
    known_ids = known_ids or {}
    matched = _matched_entries(candidates, known_ids)
    index = duplicate_index if duplicate_index is not None else DuplicateIndex.of_catalogue()
    seen = _SeenInFile()
    entries = []
    for candidate in candidates:
        existing = matched.get(id(candidate))
        if existing is None:
            entry = Entry(candidate, Action.CREATE)
            entry.duplicates = index.find(_probe(candidate))
        elif not may_change(user, existing):
            entry = Entry(
                candidate,
                Action.LEFT_ALONE,
                existing,
                note=str(_("already in the catalogue, and not yours to change")),
            )
        else:
            changes = _changes(candidate, existing)
            entry = Entry(candidate, Action.UPDATE if changes else Action.KEEP, existing, changes)
        same_in_file = seen.check(candidate)
        if entry.action == Action.CREATE:  # an entry already in the catalogue is not a new duplicate
            entry.same_in_file = same_in_file
        entries.append(entry)
    return Plan(entries=entries, refusals=refusals, rows=len(table.rows))


def _probe(candidate):
    return Probe(
        name=candidate.name,
        location=candidate.location
        if candidate.location_precision == Initiative.LocationPrecision.ADDRESS
        else None,
        sirens=(candidate.siren,) if candidate.siren else (),
        rnas=(candidate.rna,) if candidate.rna else (),
        website=candidate.website,
        public_email=candidate.public_email,
    )


def _matched_entries(candidates, known_ids):
    """The existing entry each candidate updates, by ``id(candidate)``: the entry made from its
    identifier by an earlier import of the source, else the only entry with its SIREN."""
    by_siren = defaultdict(set)
    sirens = {candidate.siren for candidate in candidates if candidate.siren}
    # An archived entry (a deleted one) neither is updated nor keeps the live one from being.
    for siren, initiative_id in (
        LegalEntity.objects.filter(siren__in=sirens)
        .exclude(initiative__status=Initiative.Status.ARCHIVED)
        .values_list("siren", "initiative_id")
    ):
        by_siren[siren].add(initiative_id)
    wanted = {}
    for candidate in candidates:
        initiative_id = known_ids.get(candidate.source_id) if candidate.source_id else None
        if initiative_id is None and len(by_siren.get(candidate.siren, ())) == 1:
            initiative_id = next(iter(by_siren[candidate.siren]))
        if initiative_id is not None:
            wanted[id(candidate)] = initiative_id
    initiatives = (
        Initiative.objects.exclude(status=Initiative.Status.ARCHIVED)
        .filter(pk__in=set(wanted.values()))
        .prefetch_related("kinds", "legal_entities", "networks")
        .in_bulk()
    )
    for initiative in initiatives.values():
        initiative._curating_network_ids = {network.pk for network in initiative.networks.all()}
    return {key: initiatives[pk] for key, pk in wanted.items() if pk in initiatives}


def _changes(candidate, initiative):
    """The labels of the fields that the candidate would change in ``initiative``."""
    changes = []
    for name in UPDATED_FIELDS:
        value = getattr(candidate, name)
        if value and value != getattr(initiative, name):
            changes.append(Initiative._meta.get_field(name).verbose_name)
    if candidate.commune is not None and candidate.commune.pk != initiative.commune_id:
        changes.append(Initiative._meta.get_field("commune").verbose_name)
    if candidate.location_precision == Initiative.LocationPrecision.ADDRESS and (
        initiative.location is None or candidate.location.distance(initiative.location) > 1e-6
    ):
        changes.append(Initiative._meta.get_field("location").verbose_name)
    if set(candidate.kinds) - set(initiative.kinds.all()):
        changes.append(Initiative._meta.get_field("kinds").verbose_name)
    sirens = {entity.siren for entity in initiative.legal_entities.all()}
    rnas = {entity.rna for entity in initiative.legal_entities.all()}
    if (candidate.siren and candidate.siren not in sirens) or (candidate.rna and candidate.rna not in rnas):
        changes.append(LegalEntity._meta.verbose_name)
    return [str(change) for change in changes]


class _SeenInFile:
    """The rows already read, to tell a row that repeats another of the same file: same
    identifier, SIREN, RNA, website or e-mail, or a similar name within about 1 km."""

    def __init__(self):
        self.keys = defaultdict(list)
        self.cells = defaultdict(list)

    def check(self, candidate):
        lines = []
        keys = [
            ("id", candidate.source_id),
            ("siren", candidate.siren),
            ("rna", candidate.rna),
            ("web", normalise_website(candidate.website) if candidate.website else ""),
            ("mail", candidate.public_email.lower()),
        ]
        for key in keys:
            if key[1]:
                lines.extend(self.keys[key])
                self.keys[key].append(candidate.line)
        if candidate.location is not None:
            x, y = candidate.location.x, candidate.location.y
            cell = (round(x / IN_FILE_DISTANCE_DEGREES), round(y / IN_FILE_DISTANCE_DEGREES))
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for line, name in self.cells[cell[0] + dx, cell[1] + dy]:
                        if names_are_similar(name, candidate.name):
                            lines.append(line)
            self.cells[cell].append((candidate.line, candidate.name))
        return sorted({line for line in lines if line != candidate.line})
