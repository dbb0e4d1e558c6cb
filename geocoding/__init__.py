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

The package knows nothing of initiatives (it imports nothing from the catalogue): placing an
initiative from its address is ``catalogue.locating``'s job.
"""

from .lookup import geocode_address
from .results import GeocodedPlace, Precision, Source, commune_code

__all__ = [
    "GeocodedPlace",
    "Precision",
    "Source",
    "commune_code",
    "geocode_address",
]
