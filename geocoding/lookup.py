"""``geocode_address``: the sources asked in order (see the package's docstring)."""

from django.conf import settings

from .ban import search_ban
from .cache import cache_key, from_cache, to_cache
from .nominatim import search_nominatim
from .offline import named_commune
from .results import GeocodedPlace, ServiceFailed

# The BAN refuses queries longer than 200 characters.
MAX_QUERY_LENGTH = 200


def geocode_address(query: str, citycode: str | None = None) -> GeocodedPlace | None:
    """The best place for a free-text French address, or ``None`` when nothing trustworthy is found.

    With ``citycode`` (the commune's INSEE code) only a result inside that commune is accepted.
    Network failures, timeouts, rate limits and malformed answers are logged, never raised.
    """
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    place = named_commune(query, citycode)
    if place is not None:
        return place
    # The BAN answers 400 to queries shorter than 3 characters.
    if len(query) < 3:
        return None

    key = cache_key(query, citycode)
    hit, place = from_cache(key)
    if hit:
        return place

    config = settings.GEOCODING
    failed = False
    for search in (search_ban, search_nominatim):
        try:
            place = search(query, citycode)
        except ServiceFailed:
            failed = True
            continue
        if place is not None:
            break
    if place is not None:
        timeout = config["CACHE_NOT_FOUND_TIMEOUT"] if failed else config["CACHE_TIMEOUT"]
        to_cache(key, place, timeout)
    elif not failed:
        to_cache(key, None, config["CACHE_NOT_FOUND_TIMEOUT"])
    return place
