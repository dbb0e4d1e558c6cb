"""Checks of French identifiers, shared by the models, the admin forms and the importers.

The database holds the same rules as CHECK constraints (see the models); these validators add a
readable French message and, for the SIREN, the Luhn checksum that INSEE applies.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SIREN_PATTERN = r"^[0-9]{9}$"
# "W" then nine characters: the département part is two digits, or 2A/2B in Corsica and 9 and a
# letter overseas (W9R… in La Réunion).
RNA_PATTERN = r"^W[0-9][0-9A-Z][0-9]{7}$"
# La Poste's SIREN was attributed before the checksum rule and does not satisfy it.
_SIREN_LUHN_EXCEPTIONS = {"356000000"}


def luhn_is_valid(digits: str) -> bool:
    """Whether a string of digits satisfies the Luhn checksum."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siren(value: str) -> None:
    if not re.fullmatch(SIREN_PATTERN, value):
        raise ValidationError(
            _("A SIREN number has exactly 9 digits, without spaces (for example 200035442)."),
            code="siren_format",
        )
    if value not in _SIREN_LUHN_EXCEPTIONS and not luhn_is_valid(value):
        raise ValidationError(
            _("This SIREN number is not valid: its check digit does not match. Check for a typo."),
            code="siren_checksum",
        )


def validate_rna(value: str) -> None:
    if not re.fullmatch(RNA_PATTERN, value):
        raise ValidationError(
            _("An RNA number is the letter W followed by 9 characters (for example W623001234)."),
            code="rna_format",
        )
