"""Imports in the curators' admin: upload a file, read its preview, adjust its columns, confirm.

The preview is the batch's change page: nothing is written before the curator presses "Importer",
and then everything is, in one transaction, or nothing. A done import shows its report. An import
is never deleted: its records are the provenance of the entries it made, shown on each entry's page.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.admin.initiatives import InitiativeAdmin
from catalogue.importers.mapping import FIELDS, left_out
from catalogue.importers.planning import Action
from catalogue.importers.reading import UnreadableFile

from .. import imports
from ..import_forms import MappingForm, UploadForm
from ..models import ImportBatch, ImportedRecord

# The preview lists every refused and flagged row, and this many of the others.
SHOWN_ROWS = 300
SAMPLES = 3


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("file_name", "source", "network", "status", "summary", "created_by", "created_at")
    list_filter = ("status", "network")
    list_select_related = ("network", "created_by")
    search_fields = ("file_name", "source")
    date_hierarchy = "created_at"
    add_form_template = "admin/contributions/importbatch/upload.html"

    @admin.display(description=_("result"))
    def summary(self, batch):
        counts = batch.report.get("counts")
        if not counts:
            return "—"
        return gettext("%(created)d created, %(updated)d updated, %(refused)d refused") % {
            "created": counts.get(Action.CREATE, 0),
            "updated": counts.get(Action.UPDATE, 0),
            "refused": counts.get("refused", 0),
        }

    def get_queryset(self, request):
        return imports.visible_imports(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and imports.import_networks(request.user).exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        user = request.user
        earlier = imports.visible_imports(user).filter(status=ImportBatch.Status.DONE)

        class Upload(UploadForm):
            def __init__(self, *args, **kw):
                super().__init__(*args, networks=imports.import_networks(user), earlier=earlier, **kw)

        return Upload

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": ("file", "network", "repeat_of", "source", "licence", "sheet")})]

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        obj.save()

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            gettext("Here is what importing this file would do. Nothing has been written yet."),
            messages.INFO,
        )
        return HttpResponseRedirect(obj.get_admin_url())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, unquote(object_id))
        if batch is None:
            raise Http404
        if batch.status == ImportBatch.Status.DONE:
            return self._report_view(request, batch)
        if not self.has_change_permission(request, batch) or batch.network_id not in set(
            imports.import_networks(request.user).values_list("pk", flat=True)
        ):
            raise PermissionDenied
        try:
            table, mapping = imports.read(batch)
        except UnreadableFile as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:contributions_importbatch_changelist"))
        samples = _samples(table)
        if request.method == "POST":
            form = MappingForm(request.POST, headings=table.headings, mapping=mapping, samples=samples)
            if form.is_valid():
                batch.mapping = form.mapping()
                batch.leave_out_refused = form.cleaned_data["leave_out_refused"]
                batch.save(update_fields=["mapping", "leave_out_refused"])
                if "_import" in request.POST:
                    return self._import(request, batch)
                self.message_user(request, gettext("The preview follows the new columns."), messages.INFO)
                return HttpResponseRedirect(batch.get_admin_url())
        else:
            form = MappingForm(
                headings=table.headings,
                mapping=mapping,
                samples=samples,
                initial={"leave_out_refused": batch.leave_out_refused},
            )
        table, mapping, plan = imports.preview(batch, request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Preview of the import of %(file)s") % {"file": batch.file_name},
            "batch": batch,
            "table": table,
            "form": form,
            "plan": plan,
            "counts": plan.counts,
            "left_out": left_out(mapping),
            "unmapped_fields": [
                label for name, (label, _h) in FIELDS.items() if name not in mapping.values()
            ],
            "groups": _groups(plan),
            "may_write": plan.may_write(batch.leave_out_refused),
            "media": self.media,
        }
        return TemplateResponse(request, "admin/contributions/importbatch/preview.html", context)

    def _import(self, request, batch):
        try:
            report = imports.run(batch, request.user)
        except imports.Refused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(batch.get_admin_url())
        counts = report["counts"]
        self.message_user(
            request,
            gettext("Imported: %(created)d entries created as drafts of %(network)s, %(updated)d updated.")
            % {"created": counts[Action.CREATE], "updated": counts[Action.UPDATE], "network": batch.network},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(batch.get_admin_url())

    def _report_view(self, request, batch):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import of %(file)s") % {"file": batch.file_name},
            "batch": batch,
            "report": batch.report,
            "counts": batch.report.get("counts", {}),
            "records": batch.records.select_related("initiative").order_by("line", "pk"),
            "media": self.media,
        }
        return TemplateResponse(request, "admin/contributions/importbatch/report.html", context)


def _samples(table):
    """A few values of each column, to recognise it by."""
    samples = {heading: [] for heading in table.headings}
    for row in table.rows:
        for heading, values in samples.items():
            value = row.values.get(heading, "")
            if value and len(values) < SAMPLES and value not in values:
                values.append(value[:60])
        if all(len(values) == SAMPLES for values in samples.values()):
            break
    return samples


def _groups(plan):
    """The rows of the preview in the order a curator reads them: refused, flagged, then the others
    by what would happen to them."""
    flagged = [entry for entry in plan.entries if entry.flagged]
    groups = [("flagged", _("Possible duplicates"), flagged, len(flagged))]
    for action in Action:
        entries = [entry for entry in plan.entries if entry.action == action and not entry.flagged]
        groups.append((action.value, action.label, entries[:SHOWN_ROWS], len(entries)))
    return [group for group in groups if group[3]]


class ProvenanceInline(admin.TabularInline):
    """Where an entry comes from: the imports that made or updated it."""

    model = ImportedRecord
    fields = ("imported_from", "line", "source_id", "action", "imported_by", "imported_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    classes = ("collapse",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("batch__created_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Shown only on the entries an import made or updated: an empty box is noise.
        return obj is not None and obj.import_records.exists() and super().has_view_permission(request, obj)

    @admin.display(description=_("file"))
    def imported_from(self, record):
        return format_html('<a href="{}">{}</a>', record.batch.get_admin_url(), record.batch)

    @admin.display(description=_("by"))
    def imported_by(self, record):
        return record.batch.created_by or "—"

    @admin.display(description=_("date"))
    def imported_at(self, record):
        return record.batch.imported_at


InitiativeAdmin.inlines = [*InitiativeAdmin.inlines, ProvenanceInline]
