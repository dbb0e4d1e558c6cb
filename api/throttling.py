"""The API's rate limit: a number of requests per address and per period, counted in the cache.

The rate is read from the settings at each request (``API_RATE_LIMIT``, "600/min" by default), not
once at import as DRF's own throttles do, so that a site (or a test) can change it. Behind a reverse
proxy the address is the proxy's unless DRF's ``NUM_PROXIES`` says how many to trust.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class PerAddressThrottle(SimpleRateThrottle):
    scope = "address"

    def get_rate(self):
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
