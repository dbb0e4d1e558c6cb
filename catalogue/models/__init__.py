"""The catalogue's domain, one module per part of it."""

from .duplicates import NotDuplicate
from .funding import Funding, FundingTool
from .indexes import CatalogueVersion, FacetTotal, FacetValue, InitiativeSearch, MapCell, MapPoint, SearchWord
from .initiatives import (
    Initiative,
    InitiativeLever,
    InitiativeObstacle,
    LegalEntity,
    Milestone,
    Partnership,
    Stage,
)
from .lookups import Kind, LegalForm, Lever, Obstacle, Theme
from .moderation import StatusChange
from .organizations import Organization

__all__ = [
    "CatalogueVersion",
    "FacetTotal",
    "FacetValue",
    "Funding",
    "FundingTool",
    "Initiative",
    "InitiativeLever",
    "InitiativeObstacle",
    "InitiativeSearch",
    "Kind",
    "LegalEntity",
    "LegalForm",
    "MapCell",
    "MapPoint",
    "NotDuplicate",
    "Lever",
    "Milestone",
    "Obstacle",
    "Organization",
    "Partnership",
    "SearchWord",
    "Stage",
    "StatusChange",
    "Theme",
]
