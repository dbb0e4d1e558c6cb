"""The results of the list page's filters in the national schemas (see ``catalogue.national_exports``):
the standard of places of digital inclusion (CSV) and data·inclusion's structures (JSON)."""

from django.utils import timezone

from .. import national_exports
from .catalogue import ExportView


class NationalExportView(ExportView):
    """An export whose file is named as its schema suggests, dated the day it was made."""

    filename_format = ""

    def get(self, request):
        response = super().get(request)
        filename = self.filename_format.format(day=timezone.localdate().isoformat())
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class MediationNumeriqueExportView(NationalExportView):
    content_type = "text/csv; charset=utf-8"
    # The standard's naming, "YYYY-MM-DD_idProducteur_lieux-de-mediation-numerique": the producer
    # has no SIRET of its own here, so its name stands for it.
    filename_format = "{day}_percolateur_lieux-de-mediation-numerique.csv"
    chunks = staticmethod(national_exports.mediation_numerique_lines)


class DataInclusionExportView(NationalExportView):
    content_type = "application/json"
    filename_format = "percolateur-data-inclusion-structures-{day}.json"
    chunks = staticmethod(national_exports.data_inclusion_chunks)
