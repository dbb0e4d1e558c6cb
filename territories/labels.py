"""A territory's label, "Lille (59)", as every page and answer writes it, and reading one back.

A label tells homonyms apart (France has 16 Saint-Martin communes): a commune carries its
département's number, a département its own. :func:`territory_label` writes it; :func:`find_place`
reads it back to that very territory, so a shared URL always means the same place, and takes any
other text as a place search.
"""

import re

from .text import MAX_PLACE_LENGTH, search_key

# "Saint-Martin (76)", "Nord (59)", "Ajaccio (2A)", "Saint-Denis (974)".
_LABEL = re.compile(r"^(?P<name>.+?)\s*\((?P<code>[0-9]{2,3}|2A|2B)\)$", re.IGNORECASE)
# Among how many homonyms a label is looked for (France has 16 Saint-Martin communes).
_HOMONYMS = 40


def departement_of(commune_code):
    """The département number of a commune, read from its INSEE code: "59350" → "59", "2A004" →
    "2A", "97411" → "974"."""
    if not commune_code:
        return ""
    return commune_code[:3] if commune_code.startswith("97") else commune_code[:2]


def territory_label(kind, name, code):
    """The label of a territory from its kind, name and official code (no query): "Lille (59)",
    "Nord (59)", "Métropole Européenne de Lille", "Hauts-de-France"."""
    if kind == "departement":
        return f"{name} ({code})"
    if kind == "commune" and (departement := departement_of(code)):
        return f"{name} ({departement})"
    return name


def find_place(text):
    """The territory that a typed text or a label names, or None.

    A label ("Saint-Martin (76)", "Nord (59)") names that very territory; any other text is the
    place search's best match ("Lille", "59000", "pevele").
    """
    from .models import Territory  # the model writes its label with territory_label()

    text = str(text).strip()[:MAX_PLACE_LENGTH]
    if not text:
        return None
    label = _LABEL.match(text)
    if label:
        wanted = search_key(text)
        for territory in Territory.objects.best_matches(label["name"], _HOMONYMS):
            if search_key(str(territory)) == wanted:
                return territory
    matches = Territory.objects.best_matches(text, 1)
    return matches[0] if matches else None
