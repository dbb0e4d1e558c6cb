"""Nominatim (OpenStreetMap), the fallback: our user agent, at most one request per second."""

import logging
import threading

from django.conf import settings
from django.contrib.gis.geos import Point
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from territories.models import Territory

from .results import CANDIDATES, GeocodedPlace, Precision, ServiceFailed, Source, in_commune

logger = logging.getLogger("geocoding")

# Nominatim's usage policy: "an absolute maximum of 1 request per second" on its public server.
PUBLIC_NOMINATIM = "nominatim.openstreetmap.org"
PUBLIC_NOMINATIM_MIN_DELAY = 1.0
# Nominatim's "addresstype" (or "type"): a commune, or a part of one too large to be an address.
# Anything smaller (a house, a building, a street, a lieu-dit, a named place) counts as an address,
# as the BAN's lieux-dits do.
_NOMINATIM_COMMUNE_TYPES = frozenset(
    {"city", "town", "village", "municipality", "borough", "city_district", "suburb", "quarter"}
)
# Larger than a commune: not an answer to an address. "administrative" is an OSM boundary whose
# level Nominatim did not say.
_NOMINATIM_TOO_LARGE_TYPES = frozenset(
    {
        "continent",
        "country",
        "state",
        "region",
        "province",
        "state_district",
        "county",
        "district",
        "postcode",
        "administrative",
        "archipelago",
    }
)


class _RateLimitedNominatim:
    """Nominatim behind one rate limiter per process, shared by every thread. It is built again
    only when the settings change (the tests point them at local servers)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._options = None
        self._geocode = None

    def geocode(self, query, **options):
        config = settings.GEOCODING
        domain = config["NOMINATIM_DOMAIN"]
        min_delay = float(config["NOMINATIM_MIN_DELAY"])
        if domain == PUBLIC_NOMINATIM:
            min_delay = max(min_delay, PUBLIC_NOMINATIM_MIN_DELAY)
        wanted = (domain, config["NOMINATIM_SCHEME"], config["TIMEOUT"], config["USER_AGENT"], min_delay)
        with self._lock:
            if wanted != self._options:
                geocoder = Nominatim(
                    domain=domain,
                    scheme=config["NOMINATIM_SCHEME"],
                    timeout=config["TIMEOUT"],
                    user_agent=config["USER_AGENT"],
                )
                self._geocode = RateLimiter(
                    geocoder.geocode,
                    min_delay_seconds=min_delay,
                    max_retries=0,
                    error_wait_seconds=min_delay,
                    swallow_exceptions=False,
                )
                self._options = wanted
            geocode = self._geocode
        # Outside the lock: the limiter has its own, and the request must not hold this one.
        return geocode(query, **options)


_nominatim = _RateLimitedNominatim()


def search_nominatim(query, citycode):
    try:
        locations = _nominatim.geocode(
            query,
            exactly_one=False,
            limit=CANDIDATES,
            addressdetails=True,
            extratags=True,
            country_codes="fr",
        )
    except GeopyError as error:
        logger.warning("Nominatim geocoding of %r failed: %s: %s", query, type(error).__name__, error)
        raise ServiceFailed from error
    except (AttributeError, LookupError, TypeError, ValueError) as error:
        logger.exception("Nominatim geocoding of %r returned a malformed answer", query)
        raise ServiceFailed from error

    for location in locations or []:
        place = _place_from_nominatim(location.raw)
        if place is None:
            continue
        if citycode and not in_commune(place.citycode, citycode):
            continue
        return place
    logger.info("Nominatim geocoding of %r (commune %s) found nothing trustworthy", query, citycode)
    return None


def _place_from_nominatim(raw):
    try:
        kind = raw.get("addresstype") or raw.get("type")
        if kind in _NOMINATIM_TOO_LARGE_TYPES:
            return None
        point = Point(float(raw["lon"]), float(raw["lat"]), srid=4326)
        precision = Precision.COMMUNE if kind in _NOMINATIM_COMMUNE_TYPES else Precision.ADDRESS
        return GeocodedPlace(
            point=point,
            label=_nominatim_label(raw),
            score=float(raw.get("importance") or 0),
            precision=precision,
            citycode=_nominatim_citycode(raw, point),
            source=Source.NOMINATIM,
        )
    except (AttributeError, LookupError, TypeError, ValueError):
        logger.warning("Ignoring a malformed Nominatim place: %r", raw)
        return None


def _nominatim_label(raw):
    """A short label in the BAN's manner ("12 Rue de la Gare 62550 Pernes") rather than the whole
    ``display_name`` (which goes up to the région and the country)."""
    address = raw.get("address") or {}
    city = next(
        (address[part] for part in ("city", "town", "village", "municipality") if address.get(part)), ""
    )
    street = " ".join(part for part in (address.get("house_number"), address.get("road")) if part)
    first = street or raw.get("name") or ""
    if first == city:
        first = ""
    label = " ".join(part for part in (first, address.get("postcode"), city) if part)
    return label or str(raw.get("display_name", ""))


def _nominatim_citycode(raw, point):
    """The INSEE code of the commune of a Nominatim place: its OSM ``ref:INSEE`` tag (communes carry
    one) when our table knows that commune, otherwise the commune of its point."""
    code = str((raw.get("extratags") or {}).get("ref:INSEE") or "")
    if code and Territory.objects.communes().filter(code=code).exists():
        return code
    commune = Territory.objects.commune_at(point)
    return commune.code if commune is not None else ""
