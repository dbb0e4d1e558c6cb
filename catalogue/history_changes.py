"""What each version of an entry changed, as the admin's history page shows it: its own fields, its
ticked lists (kinds, themes, networks, territories served, co-funders…) and, for an initiative, the
rows edited below its form.

A version is one historical record of the entry. Its own changes are the difference with the record
before it (simple-history's ``diff_against``). Its rows are those recorded from its date until the
entry's next record: as ``catalogue.history`` explains, the admin saves the entry first and the rows
below the form after it, so the rows saved with a version come just after its record.

Everything is read in bulk for the versions of one page of the history, in a number of queries that
depends on the models and not on the number of versions or rows: the ticked lists of every version in
one query per list (``diff_against`` would make two per list and per version), and each kind of row in
two (the records within the page's versions, and the state each row was in before them).
``catalogue.history``'s helpers rebuild the rows at one moment, a few queries each time; here they
are needed at every version of the page, hence the walk below through their records in date order.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ObjectDoesNotExist
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import yesno
from django.utils import formats, timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext
from simple_history.models import DeletedObject
from simple_history.utils import get_m2m_reverse_field_name

from .models import Initiative
from .models.parts import ROWS

# What an empty value reads as.
EMPTY = "—"
# Texts longer than this are shown by their beginning, the whole text a click away.
SHORT_TEXT = 100
# Numbers are grouped by thousands from five digits on: in French, 2019 or 5000 are not split.
GROUPED_FROM = 10_000


@dataclass(frozen=True)
class Shown:
    """A value as a person reads it. ``full`` is the whole text when ``text`` is its beginning."""

    text: str
    full: str = ""


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: Shown
    new: Shown


@dataclass(frozen=True)
class SetChange:
    """What a version ticked and unticked in a many-to-many field, by name."""

    label: str
    added: list[str]
    removed: list[str]


@dataclass(frozen=True)
class RowChange:
    """A row changed by a version. ``unknown_before``: the row had no history yet (loaded with the
    seed data), so what it was is not known."""

    name: str
    fields: list[FieldChange] = field(default_factory=list)
    unknown_before: bool = False


@dataclass
class PartChanges:
    """What a version did to the rows of one part of the entry (its funding lines…)."""

    label: str
    added: list[str] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self):
        return bool(self.added or self.changed or self.removed)


@dataclass
class VersionChanges:
    fields: list[FieldChange] = field(default_factory=list)
    many_to_many: list[SetChange] = field(default_factory=list)
    rows: list[PartChanges] = field(default_factory=list)

    def __bool__(self):
        return bool(self.fields or self.many_to_many or self.rows)


def row_parts(model):
    """The parts edited below the form of ``model``'s entries, whose changes its history shows."""
    return ROWS if model is Initiative else ()


def without_geometries(queryset):
    """``queryset`` without the geometries of the objects it reads with ``select_related``: a
    commune's contour is heavy, and a name is all a history shows of it."""
    deferred = []

    def walk(model, lookups, prefix):
        for name, nested in lookups.items():
            related = model._meta.get_field(name).related_model
            deferred.extend(
                f"{prefix}{name}__{f.name}"
                for f in related._meta.concrete_fields
                if isinstance(f, GeometryField)
            )
            if isinstance(nested, dict):
                walk(related, nested, f"{prefix}{name}__")

    if isinstance(queryset.query.select_related, dict):
        walk(queryset.model, queryset.query.select_related, "")
    return queryset.defer(*deferred) if deferred else queryset


def describe_versions(versions, *, older=None, newer_date=None, parts=()):
    """What each of ``versions`` changed, by ``history_id``: a :class:`VersionChanges`.

    ``versions`` are consecutive records of one entry, latest first as the history lists them, with
    their foreign keys read (``select_related``). ``older`` is the record just before the last of
    them (None if that one is the first of all: it changed nothing, it created); ``newer_date`` the
    date of the record just after the first of them (None if that one is the latest). ``parts``: the
    kinds of rows to show too (:func:`row_parts`)."""
    versions = list(versions)
    if not versions:
        return {}
    chain = versions + ([older] if older is not None else [])
    ticked = _ticked(chain)
    skipped = [f.name for f in versions[0]._history_m2m_fields]
    described = {}
    for version, previous in zip(versions, (chain[1:] + [None])[: len(versions)], strict=True):
        changes = VersionChanges()
        if previous is not None:
            changes.fields = _field_changes(version, previous, skipped)
            changes.many_to_many = _set_changes(
                version, ticked[version.history_id], ticked[previous.history_id]
            )
        described[version.history_id] = changes

    # The versions oldest first: each one's rows are recorded from its date to the next one's.
    starts = [version.history_date for version in reversed(versions)]
    ids = [version.history_id for version in reversed(versions)]
    for part in parts:
        by_version = _row_changes(part, versions[0].id, starts, newer_date)
        for index, part_changes in sorted(by_version.items()):
            described[ids[index]].rows.append(part_changes)
    return described


# --- Values -----------------------------------------------------------------------------------------


def shown(model_field, value):
    """``value`` of ``model_field`` as a person reads it: a choice's label, a related object's name,
    a localised number or date, "—" for nothing."""
    if isinstance(value, DeletedObject):
        # simple-history says "deleted" of a foreign key that was simply empty too.
        value = None if value.pk is None else value
    if value is None or value == "" or (isinstance(value, FieldFile) and not value):
        return Shown(EMPTY)
    if isinstance(value, DeletedObject):
        text = gettext("%(model)s no. %(pk)s (no longer exists)") % {
            "model": capfirst(value.model._meta.verbose_name),
            "pk": value.pk,
        }
    elif model_field.choices:
        text = str(dict(model_field.flatchoices).get(value, value))
    elif isinstance(value, bool):
        text = yesno(value)
    elif isinstance(value, GEOSGeometry):
        text = _point(value) if value.geom_type == "Point" else value.geom_type
    elif isinstance(value, datetime):
        text = formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    elif isinstance(value, date):
        text = formats.date_format(value, "DATE_FORMAT")
    elif isinstance(value, int | float | Decimal):
        text = formats.number_format(value, force_grouping=abs(value) >= GROUPED_FROM)
    elif isinstance(value, FieldFile):
        text = value.name
    else:
        text = str(value)
    if len(text) > SHORT_TEXT:
        return Shown(Truncator(text).chars(SHORT_TEXT), full=text)
    return Shown(text)


def _point(point):
    return gettext("latitude %(lat)s, longitude %(lon)s") % {
        "lat": formats.number_format(round(point.y, 5)),
        "lon": formats.number_format(round(point.x, 5)),
    }


def _name(obj, model, pk):
    """The name of a related object, or says it was deleted since."""
    if obj is None:
        return shown(None, DeletedObject(model, pk)).text
    return str(obj)


# --- An entry's own fields and ticked lists ---------------------------------------------------------


def _field_changes(new, old, skipped):
    """The fields ``new`` changed since ``old``, in the order of the model's form, without the fields
    named in ``skipped``. No query: the foreign keys were read with the records."""
    model = new.instance_type
    delta = new.diff_against(old, excluded_fields=skipped, foreign_keys_are_objs=True)
    position = {f.name: index for index, f in enumerate(model._meta.fields)}
    changes = []
    for change in sorted(delta.changes, key=lambda change: position[change.field]):
        model_field = model._meta.get_field(change.field)
        changes.append(
            FieldChange(
                capfirst(model_field.verbose_name),
                shown(model_field, change.old),
                shown(model_field, change.new),
            )
        )
    return changes


def _ticked(records):
    """What each record had ticked, by history id, then field name: {related object's id: name}.
    One query per many-to-many field, whatever the number of records."""
    history_model = type(records[0])
    ticked = {record.history_id: {} for record in records}
    for m2m_field in history_model._history_m2m_fields:
        target = get_m2m_reverse_field_name(m2m_field)
        related_model = m2m_field.related_model
        rows = getattr(history_model, m2m_field.name).model._default_manager.filter(history__in=list(ticked))
        for values in ticked.values():
            values[m2m_field.name] = {}
        for row in without_geometries(rows.select_related(target)):
            pk = getattr(row, f"{target}_id")
            ticked[row.history_id][m2m_field.name][pk] = _name(getattr(row, target), related_model, pk)
    return ticked


def _set_changes(version, new, old):
    changes = []
    for m2m_field in version._history_m2m_fields:
        after, before = new[m2m_field.name], old[m2m_field.name]
        added = sorted(after[pk] for pk in after.keys() - before.keys())
        removed = sorted(before[pk] for pk in before.keys() - after.keys())
        if added or removed:
            changes.append(SetChange(capfirst(m2m_field.verbose_name), added, removed))
    return changes


# --- The rows below the form ------------------------------------------------------------------------


def _row_changes(part, entry_id, starts, end):
    """What the versions did to the rows of ``part``, by the index of the version in ``starts``
    (the versions' dates, oldest first); ``end`` is the date of the version after the last of them,
    None if it is the latest. Two queries.

    A row's records from one version's date to the next version's are that version's. A row moved
    from another initiative (the admin cannot do it) counts as added here.
    """
    history = part.model.history
    within = history.filter(initiative_id=entry_id, history_date__gte=starts[0])
    if end is not None:
        within = within.filter(history_date__lt=end)
    records = list(
        without_geometries(within.select_related(*part.related)).order_by("history_date", "history_id")
    )
    if not records:
        return {}
    # Each row as it was before the first of these versions: its latest record before then.
    state = {}
    earlier = history.filter(id__in=within.order_by().values("id"), history_date__lt=starts[0])
    for record in without_geometries(earlier.latest_of_each().select_related(*part.related)).order_by(
        "history_date", "history_id"
    ):
        state[record.id] = record

    by_version = {}
    for record in records:
        index = bisect_right(starts, record.history_date) - 1
        by_version.setdefault(index, {}).setdefault(record.id, []).append(record)

    described = {}
    for index in sorted(by_version):
        changes = PartChanges(str(capfirst(part.model._meta.verbose_name_plural)))
        for row_id, row_records in sorted(by_version[index].items()):
            _describe_row(changes, state.get(row_id), row_records)
            state[row_id] = row_records[-1]
        if changes:
            described[index] = changes
    return described


def _describe_row(changes, before, records):
    """Add to ``changes`` what ``records`` (one row's, within one version, oldest first) did to the
    row, given its latest record ``before`` them (None if it has none)."""
    first, last = records[0], records[-1]
    existed = before is not None and before.history_type != "-"
    exists = last.history_type != "-"
    if before is None and first.history_type != "+":
        # Its history starts with a change or a deletion: it existed without one (see above).
        if exists:
            changes.changed.append(RowChange(_row_name(last), unknown_before=True))
        else:
            changes.removed.append(_row_name(last))
    elif existed and exists:
        if fields := _field_changes(last, before, ["initiative"]):
            changes.changed.append(RowChange(_row_name(last), fields))
    elif existed:
        changes.removed.append(_row_name(before))
    elif exists:
        changes.added.append(_row_name(last))


def _row_name(record):
    """The row's name, as its model says it (``str``), from the objects read with its record."""
    row = record.instance
    for model_field in row._meta.concrete_fields:
        if model_field.is_relation:
            recorded = record._meta.get_field(model_field.name)
            if recorded.is_cached(record):
                # None if what it names was deleted since: read as such, without a query.
                model_field.set_cached_value(row, recorded.get_cached_value(record))
    try:
        return str(row)
    except ObjectDoesNotExist:
        # What it names was deleted since (a legal form…).
        return gettext("%(model)s no. %(pk)s") % {"model": capfirst(row._meta.verbose_name), "pk": row.pk}
