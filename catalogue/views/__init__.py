"""Public pages of the catalogue, one module per page family: the list with its map and exports
(``catalogue``), an initiative's fiche (``fiche``), the projects comparable to
an official's (``comparables``)."""

from .catalogue import CatalogueView, CsvExportView, GeoJsonExportView, MapDataView
from .comparables import ComparablesView
from .fiche import InitiativeDetailView

__all__ = [
    "CatalogueView",
    "ComparablesView",
    "CsvExportView",
    "GeoJsonExportView",
    "InitiativeDetailView",
    "MapDataView",
]
