"""What citizens and imports bring into the catalogue: suggestions, and import batches with the
provenance of each entry they made."""

from .imports import ImportBatch, ImportedRecord
from .suggestions import Suggestion, SuggestionQuerySet

__all__ = ["ImportBatch", "ImportedRecord", "Suggestion", "SuggestionQuerySet"]
