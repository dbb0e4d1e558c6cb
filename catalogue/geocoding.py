"""Geocoding: the one place that turns an address into a point.

``geocode_address`` asks the Base Adresse Nationale (through geopy's ``BANFrance``) and returns a
``GeocodedPlace`` or ``None``; ``locate_initiative`` places an initiative with it, falling back to
the centre of its commune from the offline territories table when the initiative has no point yet.
Neither raises: a geocoder that is down, slow or rate-limited is logged and treated as "not
found", so that a curator's save never fails because of the network.

Later fallbacks (Nominatim) and caching belong in ``geocode_address``: callers only see its result.
"""

import enum
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Point
from geopy.exc import GeopyError
from geopy.geocoders import BANFrance

from .models import Initiative, Territory

logger = logging.getLogger(__name__)

# Below this BAN score the match is too loose to trust: a street of the same name elsewhere, or
# only the commune when the street is unknown. The curator is better served by "not found".
MIN_SCORE = 0.4
# The BAN refuses queries longer than 200 characters.
MAX_QUERY_LENGTH = 200
# How many candidates to ask for, so that a match inside the right commune can be preferred to a
# better-scored one elsewhere.
CANDIDATES = 5

# Paris, Lyon and Marseille are one commune in our territories table but the BAN gives the code of
# the arrondissement (75111, 69383, 13205…): an address there matches these prefixes.
_ARRONDISSEMENT_PREFIXES = {"75056": "751", "69123": "6938", "13055": "132"}

# What a BAN result's "type" says about how precise its point is.
_PRECISION_BY_BAN_TYPE = {
    "housenumber": Initiative.LocationPrecision.ADDRESS,
    "street": Initiative.LocationPrecision.ADDRESS,
    "locality": Initiative.LocationPrecision.ADDRESS,
    "municipality": Initiative.LocationPrecision.COMMUNE,
}


@dataclass(frozen=True)
class GeocodedPlace:
    """A geocoder's answer: the point (WGS 84), the address it understood and how sure it is."""

    point: Point
    label: str
    score: float
    precision: str  # an Initiative.LocationPrecision value
    citycode: str = ""


def geocode_address(query: str, citycode: str | None = None) -> GeocodedPlace | None:
    """The best place for a free-text French address, or ``None`` when nothing trustworthy is found.

    With ``citycode`` (the commune's INSEE code) only a result inside that commune is accepted.
    Network failures, timeouts, rate limits and malformed answers are logged, never raised.
    """
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    # The BAN answers 400 to queries shorter than 3 characters.
    if len(query) < 3:
        return None
    return _search_ban(query, citycode)


def _search_ban(query, citycode):
    config = settings.GEOCODING
    geocoder = BANFrance(
        domain=config["BAN_DOMAIN"],
        scheme=config["BAN_SCHEME"],
        timeout=config["TIMEOUT"],
        user_agent=config["USER_AGENT"],
    )
    try:
        locations = geocoder.geocode(query, exactly_one=False, limit=CANDIDATES)
    except GeopyError as error:
        logger.warning("BAN geocoding of %r failed: %s: %s", query, type(error).__name__, error)
        return None
    except (LookupError, TypeError, ValueError):
        # geopy parses the features itself; a malformed answer surfaces as one of these.
        logger.exception("BAN geocoding of %r returned a malformed answer", query)
        return None

    for location in locations or []:
        place = _place_from_feature(location.raw)
        if place is None or place.score < MIN_SCORE:
            continue
        if citycode and not _in_commune(place.citycode, citycode):
            continue
        return place
    logger.info("BAN geocoding of %r (commune %s) found nothing trustworthy", query, citycode)
    return None


def _place_from_feature(feature):
    try:
        longitude, latitude = feature["geometry"]["coordinates"][:2]
        properties = feature.get("properties") or {}
        return GeocodedPlace(
            point=Point(float(longitude), float(latitude), srid=4326),
            label=str(properties.get("label", "")),
            score=float(properties.get("score", 0)),
            precision=_PRECISION_BY_BAN_TYPE.get(
                properties.get("type"), Initiative.LocationPrecision.ADDRESS
            ),
            citycode=str(properties.get("citycode", "")),
        )
    except (LookupError, TypeError, ValueError):
        logger.warning("Ignoring a malformed BAN feature: %r", feature)
        return None


def _in_commune(found_code, commune_code):
    if found_code == commune_code:
        return True
    prefix = _ARRONDISSEMENT_PREFIXES.get(commune_code)
    return bool(prefix and found_code.startswith(prefix))


class LocateResult(enum.Enum):
    """How ``locate_initiative`` placed an initiative."""

    ADDRESS = "address"
    COMMUNE_CENTRE = "commune_centre"
    # The address was not found (or not given) and the point already there, which may have been
    # placed by hand, was left as it was.
    KEPT = "kept"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class LocateOutcome:
    """What ``locate_initiative`` did, for the message shown to the curator."""

    result: LocateResult
    query: str = ""
    place: GeocodedPlace | None = None

    @property
    def found(self):
        """Whether a new point was set on the initiative (and is worth saving)."""
        return self.result in (LocateResult.ADDRESS, LocateResult.COMMUNE_CENTRE)


def address_query(initiative) -> str:
    """The text sent to the geocoder: the address, then the commune's postcode and name."""
    parts = [initiative.address.strip()]
    commune = initiative.commune
    if commune is not None:
        postcode = commune.postcodes[0] if commune.postcodes else ""
        parts.append(f"{postcode} {commune.name}".strip())
    return ", ".join(part for part in parts if part)


def locate_initiative(initiative) -> LocateOutcome:
    """Set ``location`` and ``location_precision`` of an initiative from its address. Does not save.

    An address found by the BAN replaces the point: that is what the curator asked for. Otherwise a
    point already there is kept, since it may have been placed by hand; only an initiative without
    one is put at its commune's centre. When neither is found the initiative is left as it was.
    """
    commune = initiative.commune
    query = address_query(initiative)
    place = None
    if initiative.address.strip():
        citycode = commune.code if commune is not None and commune.kind == Territory.Kind.COMMUNE else None
        place = geocode_address(query, citycode=citycode)
        if place is not None and place.precision == Initiative.LocationPrecision.ADDRESS:
            initiative.location = place.point
            initiative.location_precision = place.precision
            return LocateOutcome(LocateResult.ADDRESS, query, place)

    if initiative.location is not None:
        return LocateOutcome(LocateResult.KEPT, query)
    # The BAN only knew the commune: its centre, as the BAN places it.
    if place is not None:
        initiative.location = place.point
        initiative.location_precision = place.precision
        return LocateOutcome(LocateResult.COMMUNE_CENTRE, query, place)
    # The offline territories table answers without the network.
    if commune is not None and commune.centre is not None:
        initiative.location = Point(commune.centre.x, commune.centre.y, srid=4326)
        initiative.location_precision = Initiative.LocationPrecision.COMMUNE
        return LocateOutcome(LocateResult.COMMUNE_CENTRE, query)
    return LocateOutcome(LocateResult.NOT_FOUND, query)
