"""What the geocoding sources answer, and what they share."""

import enum
from dataclasses import dataclass

from django.contrib.gis.geos import Point

# How many candidates to ask for, so that a match inside the right commune can be preferred to a
# better-scored one elsewhere.
CANDIDATES = 5
# Paris, Lyon and Marseille are one commune in our territories table but the BAN gives the code of
# the arrondissement (75111, 69383, 13205…): an address there matches these prefixes.
ARRONDISSEMENT_PREFIXES = {"75056": "751", "69123": "6938", "13055": "132"}


class Precision(enum.StrEnum):
    """How precise a ``GeocodedPlace``'s point is."""

    ADDRESS = "address"  # a house, a street, a lieu-dit: where the place is
    COMMUNE = "commune"  # the commune's centre: only which commune it is in


class Source(enum.StrEnum):
    """Where a ``GeocodedPlace`` comes from."""

    TERRITORIES = "territories"
    BAN = "ban"
    NOMINATIM = "nominatim"


@dataclass(frozen=True)
class GeocodedPlace:
    """A geocoder's answer: the point (WGS 84), the address it understood and how sure it is."""

    point: Point
    label: str
    score: float
    precision: str  # a Precision value
    citycode: str = ""
    source: str = ""  # a Source value


class ServiceFailed(Exception):
    """A geocoding service gave no usable answer (network, timeout, HTTP error, malformed answer).
    Logged where it happens; it only tells ``geocode_address`` not to cache."""


def commune_code(citycode):
    """The INSEE code of the commune a geocoder's ``citycode`` lies in: the arrondissements of Paris,
    Lyon and Marseille give their commune's ("75111" → "75056"), any other code is its own."""
    return next(
        (commune for commune, prefix in ARRONDISSEMENT_PREFIXES.items() if citycode.startswith(prefix)),
        citycode,
    )


def in_commune(found_code, wanted_code):
    """Whether a geocoder's ``citycode`` lies in the commune ``wanted_code``."""
    return wanted_code in (found_code, commune_code(found_code))
