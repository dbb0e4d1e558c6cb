"""The geocoding cache: plain values in Django's cache, whatever the cache server does."""

import hashlib
import logging

from django.contrib.gis.geos import Point
from django.core.cache import cache

from .results import GeocodedPlace, Precision, Source

logger = logging.getLogger("geocoding")

# Part of every cache key: change it when the cached values change shape.
CACHE_VERSION = 1


def cache_key(query, citycode):
    # Hashed: a query may hold any character, and memcached keys may not.
    text = f"{query.casefold()}\n{citycode or ''}"
    return f"geocoding:{CACHE_VERSION}:{hashlib.sha256(text.encode()).hexdigest()}"


def from_cache(key):
    """``(True, place or None)`` when the cache knows the answer, ``(False, None)`` otherwise."""
    try:
        value = cache.get(key)
    except Exception:
        # Whatever an unavailable cache server raises, geocoding goes on without it.
        logger.warning("The geocoding cache could not be read", exc_info=True)
        return False, None
    if not isinstance(value, dict):
        return False, None
    if not value.get("found"):
        return True, None
    try:
        return True, GeocodedPlace(
            point=Point(value["x"], value["y"], srid=4326),
            label=value["label"],
            score=value["score"],
            precision=Precision(value["precision"]),
            citycode=value["citycode"],
            source=Source(value["source"]),
        )
    except (LookupError, TypeError, ValueError):
        return False, None


def to_cache(key, place, timeout):
    if place is None:
        value = {"found": False}
    else:
        value = {
            "found": True,
            "x": place.point.x,
            "y": place.point.y,
            "label": place.label,
            "score": place.score,
            "precision": str(place.precision),
            "citycode": place.citycode,
            "source": str(place.source),
        }
    try:
        cache.set(key, value, timeout)
    except Exception:  # as in _from_cache
        logger.warning("The geocoding cache could not be written", exc_info=True)
