"""The curators' admin of what comes in: citizens' suggestions, and imports of the networks' files."""

from . import imports, suggestions

__all__ = ["imports", "suggestions"]
