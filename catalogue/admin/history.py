"""simple-history's admin as the catalogue uses it, for every model that keeps a history.

On top of simple-history's pages: an id in the URL that is not one answers 404 (simple-history
lets the database raise, a 500); the history lists what each version changed, field by field, in its
ticked lists and in the rows below the form (``catalogue.history_changes``); the revert page shows the
version's many-to-many values where Django would read today's; and the records a revert writes say
which version they restored.
"""

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic
from simple_history.utils import get_history_model_for_model

from ..history import m2m_ids_as_of, restore_reason
from ..history_changes import describe_versions, row_parts, without_geometries


class VersionForm(forms.ModelForm):
    """An admin form whose instance, on simple-history's revert page, is rebuilt from a past
    version: the many-to-many values shown (kinds, co-funders…) are that version's, so that saving
    the page puts them back too."""

    def __init__(self, *args, instance=None, initial=None, **kwargs):
        if instance is not None and (version := to_historic(instance)) is not None:
            initial = {**m2m_ids_as_of(version), **(initial or {})}
        super().__init__(*args, instance=instance, initial=initial, **kwargs)


class SafeHistoryAdmin(SimpleHistoryAdmin):
    """A ``SimpleHistoryAdmin`` whose history pages answer 404 to ids that are not ids and list what
    each version changed, and whose reverts restore many-to-many values and record the version they
    restored."""

    form = VersionForm
    object_history_template = "admin/catalogue/history/object_history.html"
    object_history_list_template = "admin/catalogue/history/object_history_list.html"

    def history_view(self, request, object_id, extra_context=None):
        self._check_ids(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_ids(object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        return without_geometries(super().get_history_queryset(request, history_manager, pk_name, object_id))

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Give each version of the page shown its ``version_changes``, in a number of queries that
        does not depend on how many versions and rows there are (simple-history's own deltas make
        queries per version, and know neither the rows below the form nor the last version of a
        page, whose previous one is on the next)."""
        page = historical_records
        records = page.paginator.object_list
        # The record before the page's last, and the date of the one after its first (pages list
        # the latest first).
        older = records[page.end_index()] if page.has_next() else None
        newer_date = None
        if page.has_previous():
            newer_date = records.values_list("history_date", flat=True)[page.start_index() - 2]
        described = describe_versions(
            page.object_list, older=older, newer_date=newer_date, parts=row_parts(self.model)
        )
        for record in page.object_list:
            record.version_changes = described[record.history_id]

    def get_version_or_404(self, object_id, version_id):
        """The historical record ``version_id`` of the object ``object_id``, as in the URL."""
        self._check_ids(object_id, version_id)
        return get_object_or_404(
            get_history_model_for_model(self.model),
            **{self.opts.pk.attname: unquote(object_id), "history_id": version_id},
        )

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        if (version := to_historic(obj)) is not None:
            # A revert: its records say which version they restored.
            obj._change_reason = restore_reason(version)
        return obj

    def _check_ids(self, object_id, version_id=None):
        """Raise Http404 unless the URL's ids are values of the primary keys they stand for."""
        checks = [(self.opts.pk, unquote(object_id))]
        if version_id is not None:
            checks.append((get_history_model_for_model(self.model)._meta.pk, version_id))
        for field, value in checks:
            try:
                field.to_python(value)
            except ValidationError:
                raise Http404 from None
