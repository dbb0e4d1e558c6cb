"""The Base Adresse Nationale, through geopy's ``BANFrance``."""

import logging

from django.conf import settings
from django.contrib.gis.geos import Point
from geopy.exc import GeopyError
from geopy.geocoders import BANFrance

from .results import CANDIDATES, GeocodedPlace, Precision, ServiceFailed, Source, in_commune

logger = logging.getLogger("geocoding")

# Below this BAN score the match is too loose to trust: a street of the same name elsewhere, or
# only the commune when the street is unknown. The curator is better served by "not found".
MIN_SCORE = 0.4
# What a BAN result's "type" says about how precise its point is.
_PRECISION_BY_BAN_TYPE = {
    "housenumber": Precision.ADDRESS,
    "street": Precision.ADDRESS,
    "locality": Precision.ADDRESS,
    "municipality": Precision.COMMUNE,
}


def search_ban(query, citycode):
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
        raise ServiceFailed from error
    except (AttributeError, LookupError, TypeError, ValueError) as error:
        # geopy parses the features itself; a malformed answer surfaces as one of these.
        logger.exception("BAN geocoding of %r returned a malformed answer", query)
        raise ServiceFailed from error

    for location in locations or []:
        place = _place_from_feature(location.raw)
        if place is None or place.score < MIN_SCORE:
            continue
        if citycode and not in_commune(place.citycode, citycode):
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
            precision=_PRECISION_BY_BAN_TYPE.get(properties.get("type"), Precision.ADDRESS),
            citycode=str(properties.get("citycode", "")),
            source=Source.BAN,
        )
    except (AttributeError, LookupError, TypeError, ValueError):
        logger.warning("Ignoring a malformed BAN feature: %r", feature)
        return None
