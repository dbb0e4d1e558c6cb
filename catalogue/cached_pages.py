"""What the public pages keep in the shared cache, and the HTTP validators of their data.

The map data and the facet counts are kept by URL (the path and the query string, its parameters in
any order, without the page number, which changes neither) in the cache that ``CACHE_URL`` names:
Redis shared by every worker in production, each process's memory by default. Their keys carry the
catalogue's version (``CatalogueVersion``), which ``catalogue.indexing`` draws anew in the same
transaction as any publication, archiving or change of a published initiative: the first request
after a change reads new keys, so no count or point survives a change, in any worker. What is kept
also expires after ``PAGE_CACHE_SECONDS``, for what the version does not follow (the territories,
reloaded by ``load_territories``).

The version is read before the data, in its own query: data read afterwards is at least as new, so
that nothing older than a version is ever kept under its key.

The same version makes the ETag of the map data and of the exports, so that a browser asking again
gets a bodiless 304 while nothing changed (``conditional``).
"""

import hashlib
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import condition

from . import facets
from .models import CatalogueVersion

# Parameters that change neither the counts nor the map: the list's page.
NOT_IN_KEY = frozenset({"page"})


def catalogue_version(request):
    """The catalogue's version, read once per request."""
    if not hasattr(request, "_catalogue_version"):
        request._catalogue_version = CatalogueVersion.current()
    return request._catalogue_version


def _address(request):
    """The path and the query string in one order, whatever order the parameters came in."""
    pairs = sorted(
        (name, value) for name, values in request.GET.lists() if name not in NOT_IN_KEY for value in values
    )
    return f"{request.path}?{urlencode(pairs)}"


def key(kind, request):
    digest = hashlib.sha256(_address(request).encode()).hexdigest()[:32]
    return f"page:{kind}:{catalogue_version(request)}:{get_language()}:{digest}"


def kept(kind, request, compute):
    """What ``compute()`` gives for this request's address, from the cache when it is there."""
    cache_key = key(kind, request)
    found = cache.get(cache_key)
    if found is None:
        found = compute()
        cache.set(cache_key, found, settings.PAGE_CACHE_SECONDS)
    return found


def facet_counts(filterset, request):
    """``facets.facet_counts(filterset)``, kept. The facets counted are part of the key: a site that
    adds one (``CATALOGUE_FACETS``) never reads counts kept without it."""
    counted = ",".join(spec.param for spec in filterset.facets)
    return kept(f"facets[{counted}]", request, lambda: facets.facet_counts(filterset))


def etag(request, *args, **kwargs):
    text = f"{catalogue_version(request)}|{get_language()}|{request.get_full_path()}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def conditional(view, max_age=0):
    """``view`` answering ``If-None-Match`` with a 304 while the catalogue has not changed, and
    cacheable by browsers and proxies: kept for ``max_age`` seconds, then (or at once, by default)
    asked again with its ETag, so that a change is seen at the next request."""
    answering = condition(etag_func=etag)(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = answering(request, *args, **kwargs)
        if response.status_code in (200, 304):
            if max_age:
                patch_cache_control(response, public=True, max_age=max_age)
            else:
                patch_cache_control(response, public=True, no_cache=True)
        patch_vary_headers(response, ("Accept-Language",))
        return response

    return wrapped
