"""HTTP caching of the API's answers: ``Cache-Control``, an ETag, and ``Last-Modified`` where it is
known, so that a client or a proxy asking again gets a bodiless 304 while nothing changed.

The ETag is drawn from the catalogue's version (``CatalogueVersion``, which changes in the same
transaction as any change of the published initiatives), the address asked for and the language
of the answer: one cheap query, before the view does any work.
"""

from functools import wraps

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition

from catalogue import cached_pages
from catalogue.models import Initiative


def initiative_last_modified(request, slug, **kwargs):
    return Initiative.objects.published().filter(slug=slug).values_list("updated_at", flat=True).first()


def cached(view, last_modified=None):
    """``view`` answering conditional requests, with its caching headers."""
    conditional = condition(etag_func=cached_pages.etag, last_modified_func=last_modified)(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = conditional(request, *args, **kwargs)
        if response.status_code in (200, 304):
            patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
        patch_vary_headers(response, ("Accept-Language",))
        return response

    return wrapped
