"""Public pages of the catalogue, one module per page family: the list with its map and exports
(``catalogue``), an initiative's fiche (``fiche``), the projects comparable to an official's
(``comparables``), the side-by-side comparison (``comparison``), a territory's page
(``territories``), the workshop's toolbox of funding tools, levers, obstacles and networks
(``toolbox``), the map that other sites embed and the page that builds its snippet (``embed``), the
exports in the national schemas (``national_exports``); and what search engines read, robots.txt
and the sitemap (``sitemaps``)."""

from .catalogue import CatalogueView, CsvExportView, GeoJsonExportView, MapDataView
from .comparables import ComparablesView
from .comparison import ComparisonCsvView, ComparisonView
from .embed import EmbedBuilderView, EmbeddedMapView
from .fiche import InitiativeDetailView
from .national_exports import DataInclusionExportView, MediationNumeriqueExportView
from .sitemaps import RobotsView, SitemapIndexView, SitemapSectionView
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
    "DataInclusionExportView",
    "EmbedBuilderView",
    "EmbeddedMapView",
    "FundingToolDetailView",
    "GeoJsonExportView",
    "InitiativeDetailView",
    "LeverDetailView",
    "MapDataView",
    "MediationNumeriqueExportView",
    "NetworkDetailView",
    "ObstacleDetailView",
    "RobotsView",
    "SitemapIndexView",
    "SitemapSectionView",
    "TerritoryDetailView",
    "ToolboxIndexView",
]
