"""What the site tells search engines: ``/robots.txt`` and the sitemap, ``/sitemap.xml``, an index of
the sections' pages (``/sitemap-<section>-<page>.xml``, each at most 50,000 URLs), written as they
are read from the database (see ``catalogue.sitemaps`` for what each section holds).

Their URLs are absolute, on the host the request came to. Crawlers and proxies may keep them
for a while (``Cache-Control: public``); the index and the sections that follow the initiatives
carry the newest change of an initiative as ``Last-Modified`` and answer ``If-Modified-Since``
with a bodiless 304.
"""

import itertools

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.http import condition

from .. import sitemaps

SITEMAP_CACHE_SECONDS = 3600
ROBOTS_CACHE_SECONDS = 24 * 3600
XML = "application/xml; charset=utf-8"

# What robots.txt keeps crawlers out of; everything else is open to them, the public pages and
# the static files that render them. Google and Bing read "*" as any characters.
DISALLOWED = (
    "/admin/",  # the curators' space
    "/compte/",  # forgotten passwords, invitations
    "/i18n/",  # the language switch
    "/sante/",  # the health page, for load balancers
    "/api/",  # the public API: the fiches' facts again, as data for programs
    "/export/",  # the list's results as files
    "/*.csv",  # those and the comparison's, whatever their path
    "/carte.geojson",  # the map's data, read by the home page's script
    "/carte/",  # the map that other sites embed: the home page's map again
    "/territoires/suggestions.json",  # the search boxes' place suggestions
    # The comparison: fiches side by side, under as many addresses as there are selections.
    "/comparer/",
    # Any query string: the list and the territory pages filtered, sorted or paged, the comparable
    # projects of an official's description. The same fiches again under endless combinations;
    # the sitemap lists every fiche and every page worth finding, each once, without one.
    "/*?",
    # Forms and their thanks, one per fiche for the corrections: nothing to find there.
    "/initiatives/*/signaler/",
    "/proposer/merci/",
)


def base_url(request):
    """The scheme and host of the request: "https://example.org"."""
    return request.build_absolute_uri("/").removesuffix("/")


def _cached(response, seconds):
    patch_cache_control(response, public=True, max_age=seconds)
    return response


def _last_modified(request, section=None, page=None):
    """The newest change of an initiative for the index and the sections that follow them; None
    (no header, no 304) for the others, which change with the toolbox's vocabularies."""
    follows = section is None or getattr(sitemaps.SECTIONS.get(section), "follows_initiatives", False)
    return sitemaps.newest_change() if follows else None


def _not_for_results(response):
    # A sitemap is for crawlers, never a search result itself (as Django's sitemap views say).
    response.headers["X-Robots-Tag"] = "noindex, noarchive"
    return response


class SitemapIndexView(View):
    """``/sitemap.xml``: every page of every section that has URLs, a few counts in all."""

    @method_decorator(condition(last_modified_func=_last_modified))
    def get(self, request):
        base = base_url(request)
        locations = [
            base + reverse("sitemap-section", kwargs={"section": name, "page": page})
            for name, section in sitemaps.SECTIONS.items()
            for page in range(1, section().pages() + 1)
        ]
        response = HttpResponse(sitemaps.sitemap_index(locations), content_type=XML)
        return _not_for_results(_cached(response, SITEMAP_CACHE_SECONDS))


class SitemapSectionView(View):
    """A page of a section, streamed: its first chunk of URLs is read before answering (an unknown
    section, a page beyond the last or an empty section is a 404), the rest as they are written."""

    @method_decorator(condition(last_modified_func=_last_modified))
    def get(self, request, section, page):
        if section not in sitemaps.SECTIONS or page < 1:
            raise Http404
        chunks = sitemaps.SECTIONS[section]().entries(page)
        first = next(chunks, None)
        if first is None:
            raise Http404
        response = StreamingHttpResponse(
            sitemaps.urlset(base_url(request), itertools.chain([first], chunks)), content_type=XML
        )
        return _not_for_results(_cached(response, SITEMAP_CACHE_SECONDS))


class RobotsView(View):
    """``/robots.txt``: the paths kept out of crawlers' way (``DISALLOWED``) and the sitemap."""

    def get(self, request):
        lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), ""]
        lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
        response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
        return _cached(response, ROBOTS_CACHE_SECONDS)
