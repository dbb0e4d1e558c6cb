"""Geocoding: the one place that turns an address or a place name into a point.

``geocode_address(query, citycode=None)`` returns a ``GeocodedPlace`` or ``None``, asking these
sources in this order and stopping at the first that answers:

1. **The offline territories table**, with no network call, when the query only names a commune:
   its exact name ("Lille", "pont a marcq"), a postcode that serves one commune only ("59000"), or a
   postcode and a name that agree ("62550 Pernes"). The answer is the commune's centre, with the
   precision of a commune. Anything else goes on to the next sources: a house number or street
   words, a name that several communes share, a postcode that serves several communes.
2. **The cache** (Django's cache framework, the ``default`` cache; ``CACHE_URL`` in the settings).
   The key is a hash of the query (spaces and case do not matter) and of the commune's code. What
   the services found is kept ``GEOCODING["CACHE_TIMEOUT"]`` (30 days), what neither found
   ``GEOCODING["CACHE_NOT_FOUND_TIMEOUT"]`` (1 day). A failure is never kept, and neither is a
   "nothing found" that a failing service may have changed. An answer from Nominatim while the BAN
   was failing is kept only as long as a "nothing found", so that the BAN is asked again soon.
   Values are plain data (coordinates, label, score, precision, code, source), not GEOS objects.
3. **The Base Adresse Nationale** (geopy's ``BANFrance``), the reference for French addresses. A
   result is trusted from a score of ``MIN_SCORE``.
4. **Nominatim** (OpenStreetMap, geopy's ``Nominatim``) when the BAN failed (timeout, HTTP 429 or
   5xx, network error, malformed answer) or found nothing trustworthy. Its usage policy is followed:
   the project's user agent (``GEOCODING["USER_AGENT"]``, which should name a contact in production),
   ``countrycodes=fr``, answers cached as above, and at most one request every
   ``GEOCODING["NOMINATIM_MIN_DELAY"]`` seconds (1 s, never less on the public server). The limit is
   geopy's ``RateLimiter``, one instance shared by the threads of a process, without retries (a
   failure is ours to handle); several worker processes each have their own, so a site that
   geocodes in bulk uses its own Nominatim (``GEOCODING_NOMINATIM_DOMAIN``) or a longer delay.
   Nominatim gives no match score: its ``importance`` says how prominent a place is (a house scores
   about zero), not how well it matches, so it is not used to filter. When the commune is known a
   result is accepted only inside it; its commune is the one of its OSM ``ref:INSEE`` tag when our
   table knows it, otherwise the commune of its point in the territories table.

With ``citycode`` (the commune's INSEE code) every source accepts only a place inside that commune.
Each service waits ``GEOCODING["TIMEOUT"]`` seconds (3 s) at most. Nothing here raises because of a
service: failures are logged with their reason and the answer is ``None``.

``locate_initiative`` places an initiative with ``geocode_address``, falling back to the centre of
its commune from the offline territories table when the initiative has no point yet, and never
replacing a point by a less precise one, so that a curator's save never fails because of the network.
"""

import enum
import hashlib
import logging
import re
import threading
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.cache import cache
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import BANFrance, Nominatim

from .models import Initiative, Territory
from .models.territories import search_key

logger = logging.getLogger(__name__)

# Below this BAN score the match is too loose to trust: a street of the same name elsewhere, or
# only the commune when the street is unknown. The curator is better served by "not found".
MIN_SCORE = 0.4
# The BAN refuses queries longer than 200 characters.
MAX_QUERY_LENGTH = 200
# How many candidates to ask for, so that a match inside the right commune can be preferred to a
# better-scored one elsewhere.
CANDIDATES = 5
# Nominatim's usage policy: "an absolute maximum of 1 request per second" on its public server.
PUBLIC_NOMINATIM = "nominatim.openstreetmap.org"
PUBLIC_NOMINATIM_MIN_DELAY = 1.0
# Part of every cache key: change it when the cached values change shape.
CACHE_VERSION = 1

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

# A query that only names a commune, once through search_key() (which gives Territory.search_name):
# "59000", "62550 pernes", "pernes 62550", "pont a marcq". Any other digit makes it an address.
_POSTCODE_THEN_NAME = re.compile(r"(?P<postcode>\d{5})(?: (?P<name>\D+))?")
_NAME_THEN_POSTCODE = re.compile(r"(?P<name>\D+) (?P<postcode>\d{5})")


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
    precision: str  # an Initiative.LocationPrecision value
    citycode: str = ""
    source: str = ""  # a Source value


class _ServiceFailed(Exception):
    """A geocoding service gave no usable answer (network, timeout, HTTP error, malformed answer).
    Logged where it happens; it only tells ``geocode_address`` not to cache."""


def geocode_address(query: str, citycode: str | None = None) -> GeocodedPlace | None:
    """The best place for a free-text French address, or ``None`` when nothing trustworthy is found.

    With ``citycode`` (the commune's INSEE code) only a result inside that commune is accepted.
    Network failures, timeouts, rate limits and malformed answers are logged, never raised.
    """
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    place = _named_commune(query, citycode)
    if place is not None:
        return place
    # The BAN answers 400 to queries shorter than 3 characters.
    if len(query) < 3:
        return None

    key = _cache_key(query, citycode)
    hit, place = _from_cache(key)
    if hit:
        return place

    config = settings.GEOCODING
    failed = False
    for search in (_search_ban, _search_nominatim):
        try:
            place = search(query, citycode)
        except _ServiceFailed:
            failed = True
            continue
        if place is not None:
            break
    if place is not None:
        timeout = config["CACHE_NOT_FOUND_TIMEOUT"] if failed else config["CACHE_TIMEOUT"]
        _to_cache(key, place, timeout)
    elif not failed:
        _to_cache(key, None, config["CACHE_NOT_FOUND_TIMEOUT"])
    return place


# --- The offline territories table ---------------------------------------------------------------


def _named_commune(query, citycode):
    """The centre of the one commune the query names (see the module's docstring), or ``None``."""
    key = search_key(query)
    if match := _POSTCODE_THEN_NAME.fullmatch(key) or _NAME_THEN_POSTCODE.fullmatch(key):
        postcode, name = match["postcode"], match["name"]
    elif key and not any(char.isdigit() for char in key):
        postcode, name = None, key
    else:
        return None

    communes = Territory.objects.communes().filter(centre__isnull=False).defer("contour")
    if name:
        # The place search's exact match (its EXACT rank), on the indexed search key: a partial
        # match ("Pernes" in "Pernes-lès-Fontaines") is not the commune the query names.
        communes = communes.filter(search_name=name)
    if postcode:
        # A postcode and an INSEE code can be the same five digits: keep the postcode's communes.
        communes = communes.filter(search_codes__code=postcode)
    if citycode:
        communes = communes.filter(code=citycode)
    found = [commune for commune in communes if not postcode or postcode in commune.postcodes]
    if len(found) != 1:
        return None
    commune = found[0]
    return GeocodedPlace(
        point=Point(commune.centre.x, commune.centre.y, srid=4326),
        label=commune.name,
        score=1.0,
        precision=Initiative.LocationPrecision.COMMUNE,
        citycode=commune.code,
        source=Source.TERRITORIES,
    )


# --- The cache -----------------------------------------------------------------------------------


def _cache_key(query, citycode):
    # Hashed: a query may hold any character, and memcached keys may not.
    text = f"{query.casefold()}\n{citycode or ''}"
    return f"geocoding:{CACHE_VERSION}:{hashlib.sha256(text.encode()).hexdigest()}"


def _from_cache(key):
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
            precision=value["precision"],
            citycode=value["citycode"],
            source=value["source"],
        )
    except (LookupError, TypeError, ValueError):
        return False, None


def _to_cache(key, place, timeout):
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


# --- The Base Adresse Nationale ------------------------------------------------------------------


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
        raise _ServiceFailed from error
    except (AttributeError, LookupError, TypeError, ValueError) as error:
        # geopy parses the features itself; a malformed answer surfaces as one of these.
        logger.exception("BAN geocoding of %r returned a malformed answer", query)
        raise _ServiceFailed from error

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
            source=Source.BAN,
        )
    except (AttributeError, LookupError, TypeError, ValueError):
        logger.warning("Ignoring a malformed BAN feature: %r", feature)
        return None


def _in_commune(found_code, commune_code):
    if found_code == commune_code:
        return True
    prefix = _ARRONDISSEMENT_PREFIXES.get(commune_code)
    return bool(prefix and found_code.startswith(prefix))


# --- Nominatim -----------------------------------------------------------------------------------


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


def _search_nominatim(query, citycode):
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
        raise _ServiceFailed from error
    except (AttributeError, LookupError, TypeError, ValueError) as error:
        logger.exception("Nominatim geocoding of %r returned a malformed answer", query)
        raise _ServiceFailed from error

    for location in locations or []:
        place = _place_from_nominatim(location.raw)
        if place is None:
            continue
        if citycode and not _in_commune(place.citycode, citycode):
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
        precision = (
            Initiative.LocationPrecision.COMMUNE
            if kind in _NOMINATIM_COMMUNE_TYPES
            else Initiative.LocationPrecision.ADDRESS
        )
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


# --- Placing an initiative -----------------------------------------------------------------------


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

    An address found by the geocoders replaces the point: that is what the curator asked for.
    Otherwise a point already there is kept, since it may have been placed by hand; only an
    initiative without one is put at its commune's centre. When neither is found the initiative is
    left as it was.
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
    # The geocoders only knew the commune: its centre, as they place it.
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
