"""Public pages of the catalogue, one module per page family: the list with its map and exports
(``catalogue``), an initiative's fiche (``fiche``), the side-by-side comparison (``comparison``)."""

from .catalogue import CatalogueView, CsvExportView, GeoJsonExportView, MapDataView
from .comparison import ComparisonCsvView, ComparisonView
from .fiche import InitiativeDetailView

__all__ = [
    "CatalogueView",
    "ComparisonCsvView",
    "ComparisonView",
    "CsvExportView",
    "GeoJsonExportView",
    "InitiativeDetailView",
    "MapDataView",
]
