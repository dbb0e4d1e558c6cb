"""Public pages of the catalogue, one module per page family: the list with its map and exports
(``catalogue``), an initiative's fiche (``fiche``), a territory's page (``territories``)."""

from .catalogue import CatalogueView, CsvExportView, GeoJsonExportView, MapDataView
from .fiche import InitiativeDetailView
from .territories import TerritoryDetailView

__all__ = [
    "CatalogueView",
    "CsvExportView",
    "GeoJsonExportView",
    "InitiativeDetailView",
    "MapDataView",
    "TerritoryDetailView",
]
