"""What the sitemap (``/sitemap.xml``) gives search engines: the public pages worth finding, in
sections, and how a section's page is written.

- ``initiatives``: the fiches of the published initiatives, with their last modification. Never a
  draft, an entry to review or an archived one (they have no public page), nor a demonstration
  entry (``is_demo``, which ``manage.py generate_demo`` sets on every entry it makes: their fiches
  say ``noindex``, a made-up place must not be found as a real one);
- ``territoires``: the pages of the territories where at least one of those initiatives lies or that
  one serves (the commune, its EPCI, département and région, as the territory filter reads them).
  Every other territory has a page too, but it only says that there is nothing yet and points to
  comparable territories: 35,000 pages that a search engine should not show;
- ``outils``: the toolbox, « Leviers et outils de l'action publique », and the page of each funding
  tool, lever, obstacle and network;
- ``pages``: the home page (the list and its map) and the form « Trouver des projets comparables ».

Each section is a ``django.contrib.sitemaps.Sitemap``, so that Django's own views could serve it;
the site's views (``catalogue.views.sitemaps``) write and stream it themselves (:func:`urlset`):
Django's view and template take 20 times longer for a page of 50,000 fiches and hold it all in
memory (3.0 s and 78 MB, against 0.15 s and 14 MB, at 100,000 initiatives: ``benchmarks/sitemap.py``).
Its items are narrow rows rather than model instances: a page of 50,000 fiches reads the slug, the
last change (written by the database, ``W3CDatetime``) and the key, in primary-key order (pages that
stay put when entries are renamed), 5,000 rows at a time, and its paths are written from one
reversed URL rather than one ``reverse()`` per row.
"""

import datetime
import math
import re
from urllib.parse import quote
from xml.sax.saxutils import escape

from django.contrib.sitemaps import Sitemap
from django.db.models import CharField, Exists, Func, IntegerField, Max, OuterRef, Value
from django.db.models.functions import Cast
from django.db.models.query import QuerySet
from django.urls import reverse

from accounts.models import Network
from territories.models import Territory

from .demo_data import SLUG_PREFIX
from .models import FacetTotal, FacetValue, FundingTool, Initiative, Lever, Obstacle
from .models.indexes import PLACE_FACET

# The sitemap protocol's limit: at most 50,000 URLs (and 50 MB) in one file.
MAX_URLS = 50_000
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Rows read, and URLs written, at a time for a streamed page.
CHUNK = 5000
# What Django's ``slug`` path converter accepts: a fiche whose slug is anything else has no URL.
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def indexable_initiatives():
    """The published initiatives that search engines may index: not the demonstration entries."""
    return Initiative.objects.published().filter(is_demo=False)


def demo_entries_published():
    """Whether any demonstration entry is published. generate_demo gives each one a slug that
    begins with ``SLUG_PREFIX``, which the slugs' index finds on PostgreSQL without reading the
    table (an EXISTS on ``is_demo`` alone reads every row of a catalogue that has none)."""
    return Initiative.objects.published().filter(is_demo=True, slug__startswith=SLUG_PREFIX).exists()


def newest_change():
    """When an initiative last changed, whatever its status: the moment after which the fiches'
    and the territories' sections cannot have changed. An entry published, edited, archived or put
    back to draft gets a new ``updated_at``, and initiatives are never deleted (only demonstration
    entries are, which no section lists). One probe of the (status, updated_at) index per status."""
    dates = [
        Initiative.objects.filter(status=status).aggregate(newest=Max("updated_at"))["newest"]
        for status in Initiative.Status.values
    ]
    return max(filter(None, dates), default=None)


class W3CDatetime(Func):
    """A datetime column written by the database as the sitemap protocol wants it (W3C Datetime,
    UTC, to the second: "2026-12-02T10:11:12+00:00", what ``isoformat(timespec="seconds")`` gives):
    reading it as a datetime would cost more than writing its URL (Django's loader of PostgreSQL's
    timestamps runs in Python, about 5 µs a row). The first 19 characters of the UTC time as
    text ("2026-12-02 10:11:12.345678", which SQLite holds as such), the space made a "T"."""

    arity = 1
    output_field = CharField()
    template = "replace(substr(%(expressions)s, 1, 19), ' ', 'T') || '+00:00'"

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "replace(left((%(expressions)s AT TIME ZONE 'UTC')::text, 19), ' ', 'T') || '+00:00'"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def path_around(url_name, param):
    """(before, after): the path of ``url_name`` is before + the parameter's value + after."""
    marker = f"0{param}0"
    before, after = reverse(url_name, kwargs={param: marker}).split(marker)
    return before, after


def path_template(url_name, *params):
    """The path of ``url_name`` with ``{param}`` in place of each parameter, for ``str.format``:
    reversed once, rather than once per row (``reverse()`` costs several microseconds)."""
    markers = {param: f"0{param}0" for param in params}
    path = reverse(url_name, kwargs=markers)
    for param, marker in markers.items():
        path = path.replace(marker, f"{{{param}}}")
    return path


class Section(Sitemap):
    """A section of the sitemap, in pages of at most ``limit`` URLs. ``items()`` gives narrow rows:
    a list, or a queryset of ``values_list`` ordered by primary key, the key last in each row;
    ``location(row)`` gives its path, or None when the row has no page; ``written_lastmod(row)``
    when it last changed as the sitemap writes it, or None (``lastmod(row)``, the same as a
    datetime, is for Django's views)."""

    name = ""
    limit = MAX_URLS
    # Whether the section changes only when an initiative does (see newest_change), and so may
    # answer If-Modified-Since. (The territories also change when they are loaded again, once a
    # year; the next change of an initiative brings that to a crawler that asked meanwhile.)
    follows_initiatives = False

    def written_lastmod(self, row):
        return None

    def lastmod(self, row):
        text = self.written_lastmod(row)
        return None if text is None else datetime.datetime.fromisoformat(text)

    def chunk_size(self):
        return CHUNK

    def count(self):
        items = self.items()
        return items.count() if isinstance(items, QuerySet) else len(items)

    def pages(self):
        """How many pages the section has: none when it is empty (an empty ``urlset`` is not
        valid: the protocol's schema asks for one URL at least)."""
        return math.ceil(self.count() / self.limit)

    def entries(self, page):
        """The URLs of page ``page`` (from 1) as lists of (path, lastmod as written or None), a
        chunk of rows at a time."""
        location, lastmod = self.location, self.written_lastmod
        for rows in self.row_chunks(page):
            entries = [(path, lastmod(row)) for row in rows if (path := location(row)) is not None]
            if entries:
                yield entries

    def row_chunks(self, page):
        """The rows of page ``page``, ``chunk_size()`` at a time. A queryset is read by one query
        per chunk, each starting after the last key of the one before: no chunk reads again the
        rows before it (as an OFFSET would), and no database cursor stays open between two chunks
        of an answer that is being streamed. At most ``limit / chunk_size()`` + 1 queries
        (10 + 1 for the fiches)."""
        start, left = (page - 1) * self.limit, self.limit
        chunk = self.chunk_size()
        items = self.items()
        if not isinstance(items, QuerySet):
            rows = list(items[start : start + left])
            for first in range(0, len(rows), chunk):
                yield rows[first : first + chunk]
            return
        rest = items
        if start:
            # The first key of the page: the only query that skips rows.
            first = list(items.values_list("pk", flat=True)[start : start + 1])
            if not first:
                return
            rest = items.filter(pk__gte=first[0])
        while left > 0:
            size = min(chunk, left)
            rows = list(rest[:size])
            if rows:
                yield rows
            if len(rows) < size:
                return
            left -= size
            rest = items.filter(pk__gt=rows[-1][-1])


class InitiativeSection(Section):
    name = "initiatives"
    follows_initiatives = True

    def __init__(self):
        self.before, self.after = path_around("catalogue:initiative-detail", "slug")

    def items(self):
        """(slug, lastmod as written by the database, key)."""
        return indexable_initiatives().order_by("pk").values_list("slug", W3CDatetime("updated_at"), "pk")

    def count(self):
        # Without demonstration entries, the published ones are counted from the (status,
        # updated_at) index alone, without reading the table (3 to 4 times faster at 100,000).
        rows = indexable_initiatives() if demo_entries_published() else Initiative.objects.published()
        return rows.count()

    def location(self, row):
        slug = row[0]
        return self.before + slug + self.after if SLUG.fullmatch(slug) else None

    def written_lastmod(self, row):
        return row[1]


class TerritorySection(Section):
    name = "territoires"
    follows_initiatives = True

    def __init__(self):
        self.path = path_template("catalogue:territory-detail", "kind", "code")

    def items(self):
        # The published initiatives of each territory are counted in advance (the places' totals,
        # one row per territory), demonstration entries included.
        places = FacetTotal.objects.filter(facet=PLACE_FACET, count__gt=0)
        if demo_entries_published():
            # Only then: a territory needs a real one among its initiatives' places.
            real = FacetValue.objects.filter(
                facet=PLACE_FACET, value=OuterRef("value"), initiative__is_demo=False
            )
            places = places.filter(Exists(real))
        ids = places.annotate(territory=Cast("value", IntegerField())).values("territory")
        return Territory.objects.filter(pk__in=ids).order_by("pk").values_list("kind", "code", "pk")

    def chunk_size(self):
        # France has some 36,300 territories, so the section has one page, read by one query:
        # each query of a chunk would look the places' totals through again.
        return self.limit

    def location(self, row):
        kind, code, _pk = row
        if not (code.isascii() and code.isalnum()):
            code = quote(code, safe="")
        return self.path.format(kind=kind, code=code)


class ToolboxSection(Section):
    name = "outils"
    PAGES = {
        "tool": ("catalogue:funding-tool", FundingTool),
        "lever": ("catalogue:lever", Lever),
        "obstacle": ("catalogue:obstacle", Obstacle),
        "network": ("catalogue:network", Network),
    }

    def items(self):
        """The toolbox's index, then every funding tool, lever, obstacle and network: one query."""
        rows = [
            model.objects.order_by().values_list(Value(kind), "slug")
            for kind, (_url_name, model) in self.PAGES.items()
        ]
        paths = {kind: path_template(url_name, "slug") for kind, (url_name, _model) in self.PAGES.items()}
        found = rows[0].union(*rows[1:], all=True)
        order = list(self.PAGES)
        return [reverse("catalogue:toolbox")] + [
            paths[kind].format(slug=slug)
            for kind, slug in sorted(found, key=lambda row: (order.index(row[0]), row[1]))
            if SLUG.fullmatch(slug)
        ]

    def location(self, path):
        return path


class PagesSection(Section):
    name = "pages"
    URL_NAMES = ("catalogue:map", "catalogue:comparables")

    def items(self):
        return [reverse(name) for name in self.URL_NAMES]

    def location(self, path):
        return path


SECTIONS = {
    section.name: section for section in (PagesSection, InitiativeSection, TerritorySection, ToolboxSection)
}


# --- Writing --------------------------------------------------------------------------------------

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def urlset(base, chunks):
    """A section's page as the sitemap protocol writes it, a chunk of URLs at a time: ``base``
    (scheme and host, "https://example.org") and each path written as XML text. ``chunks``: lists
    of (path, lastmod as written or None), as ``Section.entries`` gives them (a W3C datetime has
    nothing to escape)."""
    yield f'{HEAD}<urlset xmlns="{NAMESPACE}">\n'
    base = escape(base)
    for entries in chunks:
        lines = []
        for path, lastmod in entries:
            if "&" in path or "<" in path or ">" in path:  # faster than escaping every path
                path = escape(path)
            if lastmod is None:
                lines.append(f"<url><loc>{base}{path}</loc></url>\n")
            else:
                lines.append(f"<url><loc>{base}{path}</loc><lastmod>{lastmod}</lastmod></url>\n")
        yield "".join(lines)
    yield "</urlset>\n"


def sitemap_index(locations):
    """The sitemap index listing ``locations``, the absolute URLs of the sections' pages."""
    lines = [f'{HEAD}<sitemapindex xmlns="{NAMESPACE}">\n']
    lines.extend(f"<sitemap><loc>{escape(location)}</loc></sitemap>\n" for location in locations)
    lines.append("</sitemapindex>\n")
    return "".join(lines)
