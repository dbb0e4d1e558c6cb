"""Public pages of the catalogue, one module per page family: the list with its map and exports
(``catalogue``), an initiative's fiche (``fiche``)."""

from .catalogue import CatalogueView, CsvExportView, GeoJsonExportView, MapDataView
from .fiche import InitiativeDetailView

__all__ = ["CatalogueView", "CsvExportView", "GeoJsonExportView", "InitiativeDetailView", "MapDataView"]
