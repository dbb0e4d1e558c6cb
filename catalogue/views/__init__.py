"""Public pages of the catalogue, one module per page family: the list with its map and exports
(``catalogue``), an initiative's fiche (``fiche``), the projects comparable to an official's
(``comparables``), the side-by-side comparison (``comparison``), a territory's page
(``territories``), the workshop's toolbox of funding tools, levers, obstacles and networks
(``toolbox``)."""

from .catalogue import CatalogueView, CsvExportView, GeoJsonExportView, MapDataView
from .comparables import ComparablesView
from .comparison import ComparisonCsvView, ComparisonView
from .fiche import InitiativeDetailView
from .territories import TerritoryDetailView
from .toolbox import (
    FundingToolDetailView,
    LeverDetailView,
    NetworkDetailView,
    ObstacleDetailView,
    ToolboxIndexView,
)

__all__ = [
    "CatalogueView",
    "ComparablesView",
    "ComparisonCsvView",
    "ComparisonView",
    "CsvExportView",
    "FundingToolDetailView",
    "GeoJsonExportView",
    "InitiativeDetailView",
    "LeverDetailView",
    "MapDataView",
    "NetworkDetailView",
    "ObstacleDetailView",
    "TerritoryDetailView",
    "ToolboxIndexView",
]
