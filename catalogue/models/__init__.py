"""The catalogue's domain, one module per part of it."""

from .funding import Funding, FundingTool
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
from .organizations import Organization

__all__ = [
    "Funding",
    "FundingTool",
    "Initiative",
    "InitiativeLever",
    "InitiativeObstacle",
    "Kind",
    "LegalEntity",
    "LegalForm",
    "Lever",
    "Milestone",
    "Obstacle",
    "Organization",
    "Partnership",
    "Stage",
    "Theme",
]
