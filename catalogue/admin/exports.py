"""The initiative list's exports: the ticked entries as a spreadsheet (``catalogue.spreadsheets``),
for a curator to check, share or work on in Excel.

An action is given the list's own queryset narrowed to the ticked entries (or, with "select all",
every entry the list's filters keep): a curator exports what the list shows them and nothing else.
The actions narrow it once more to what the user may see (``permissions.visible_entries``), so that
wired into another list they cannot hand out another network's drafts either.
"""

from django.contrib import admin
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions, spreadsheets


@admin.action(description=_("Export the selection (CSV for Excel)"), permissions=["view"])
def export_csv(modeladmin, request, queryset):
    """A CSV streamed as it is written, as the public export is: a large selection starts at once."""
    lines = spreadsheets.csv_lines(
        permissions.visible_entries(request.user, queryset), request.build_absolute_uri
    )
    return _attachment(StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8"), "csv")


@admin.action(description=_("Export the selection (XLSX)"), permissions=["view"])
def export_xlsx(modeladmin, request, queryset):
    """An XLSX, whole: the file is a zip archive, written once its last row is."""
    content = spreadsheets.xlsx_bytes(
        permissions.visible_entries(request.user, queryset), request.build_absolute_uri
    )
    return _attachment(HttpResponse(content, content_type=spreadsheets.XLSX_CONTENT_TYPE), "xlsx")


def _attachment(response, extension):
    """The response as a file to download, named after the day it was exported."""
    filename = f"percolateur-initiatives-selection-{timezone.localdate().isoformat()}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
