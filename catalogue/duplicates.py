"""Entries that may be the same initiative twice: asked on saving in the admin and on importing.

Two entries may be the same when they have a similar name within ``DISTANCE_KM`` (1 km) of each
other, or the same SIREN, RNA, website or public e-mail. Archived entries are never proposed, nor
a pair that a curator said is not one (``NotDuplicate``).

The names are compared on their search form (no case, accents or punctuation): by pg_trgm's
similarity on PostgreSQL, by rapidfuzz's token-set ratio on SQLite and in memory. Two queries ask
the database for one entry (:func:`find_duplicates`); an import asks :class:`DuplicateIndex`, which
reads the catalogue once and answers each of its rows in memory.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.contrib.gis.geos import Point
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import CharField, Func, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from territories.text import search_key

from .models import Initiative, LegalEntity, NotDuplicate

DISTANCE_KM = 1.0
# How alike two names must be: pg_trgm's similarity (0 to 1) on PostgreSQL, rapidfuzz's token-set
# ratio (0 to 100) elsewhere. "Fablab de Lannion" and "FabLab Lannion" are 0.8 and 100;
# "Fablab de Lannion" and "Ressourcerie de Lannion" are 0.3 and 60.
MIN_SIMILARITY = 0.5
MIN_RATIO = 85
# Names shorter than this (on their search form, without small words) must be equal: "La Base" and
# "La Case" are not the same place.
MIN_FUZZY_LENGTH = 6
# The in-memory index's grid, in degrees: a cell is a little more than DISTANCE_KM high, and as
# wide as 1 km of longitude at 51° N (Dunkirk), so the neighbouring cells hold every entry within
# DISTANCE_KM anywhere in France.
CELL_HEIGHT = 0.01
CELL_WIDTH = 0.015


@dataclass(frozen=True)
class Probe:
    """What the duplicates are looked for by: a new entry, a row of an import."""

    name: str
    location: Point | None = None
    sirens: tuple = ()
    rnas: tuple = ()
    website: str = ""
    public_email: str = ""

    @classmethod
    def of(cls, initiative):
        """The probe of a saved initiative, with its legal set-up."""
        entities = list(initiative.legal_entities.all()) if initiative.pk else []
        return cls(
            name=initiative.name,
            location=initiative.location,
            sirens=tuple(entity.siren for entity in entities if entity.siren),
            rnas=tuple(entity.rna for entity in entities if entity.rna),
            website=initiative.website,
            public_email=initiative.public_email,
        )


@dataclass
class PossibleDuplicate:
    """An entry that may be the same as the probe, and why: "même SIREN", "nom proche à 300 m"."""

    initiative: Initiative
    reasons: list = field(default_factory=list)


def normalise_website(url):
    """The part of a web address that says which site it is: "https://www.Fablab.bzh/" and
    "fablab.bzh" are the same site."""
    url = str(url).strip().lower()
    if not url:
        return ""
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = parts.hostname or ""
    host = host.removeprefix("www.")
    path = parts.path.rstrip("/")
    return f"{host}{path}"


def names_are_similar(first, second):
    """Whether two names may be the same initiative's, compared as in SQLite's search, without the
    small words ("Fablab de Lannion" and "FabLab Lannion" are one)."""
    first, second = _significant(first), _significant(second)
    if not first or not second:
        return False
    if first == second:
        return True
    if min(len(first), len(second)) < MIN_FUZZY_LENGTH:
        return False
    return fuzz.token_set_ratio(first, second) >= MIN_RATIO and fuzz.ratio(first, second) >= MIN_RATIO - 25


# Words that do not tell two names apart.
SMALL_WORDS = frozenset("l d le la les de du des et a au aux en the of".split())


def _significant(name):
    return " ".join(word for word in search_key(name).split() if word not in SMALL_WORDS)


def distance_km(first, second):
    """The distance on the sphere between two lon/lat points, in kilometres."""
    lat1, lat2 = math.radians(first.y), math.radians(second.y)
    dlat, dlon = lat2 - lat1, math.radians(second.x - first.x)
    a = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(a, 1.0)))


def _near_reason(km):
    metres = int(round(km * 1000, -1))
    return _("similar name, %(metres)d m away") % {"metres": metres}


def _identifier_reasons():
    return {
        "siren": _("same SIREN"),
        "rna": _("same RNA number"),
        "website": _("same website"),
        "public_email": _("same public e-mail"),
    }


def find_duplicates(probe, exclude=None):
    """The entries that may be the same as ``probe``, closest reasons first. ``exclude`` is the
    entry the probe describes (its own pairs dismissed as "not a duplicate" are left out too)."""
    candidates = Initiative.objects.exclude(status=Initiative.Status.ARCHIVED)
    if exclude is not None and exclude.pk:
        candidates = candidates.exclude(pk=exclude.pk).exclude(pk__in=NotDuplicate.partners_of(exclude.pk))
    reasons = defaultdict(list)
    labels = _identifier_reasons()
    identified = Q(pk__in=[])
    if probe.sirens:
        identified |= Q(pk__in=LegalEntity.objects.filter(siren__in=probe.sirens).values("initiative_id"))
    if probe.rnas:
        identified |= Q(pk__in=LegalEntity.objects.filter(rna__in=probe.rnas).values("initiative_id"))
    website = normalise_website(probe.website)
    if website:
        host = website.split("/")[0]
        identified |= Q(website__icontains=host)
    if probe.public_email:
        identified |= Q(public_email__iexact=probe.public_email.strip())
    found = {}
    for initiative in candidates.filter(identified).prefetch_related("legal_entities"):
        entities = list(initiative.legal_entities.all())
        if {entity.siren for entity in entities} & set(probe.sirens):
            reasons[initiative.pk].append(labels["siren"])
        if {entity.rna for entity in entities} & set(probe.rnas):
            reasons[initiative.pk].append(labels["rna"])
        if website and normalise_website(initiative.website) == website:
            reasons[initiative.pk].append(labels["website"])
        if probe.public_email and initiative.public_email.lower() == probe.public_email.strip().lower():
            reasons[initiative.pk].append(labels["public_email"])
        if reasons[initiative.pk]:
            found[initiative.pk] = initiative
    if probe.location is not None and search_key(probe.name):
        for initiative in _similar_near(candidates, probe):
            found.setdefault(initiative.pk, initiative)
            reasons[initiative.pk].insert(0, _near_reason(distance_km(probe.location, initiative.location)))
    return [PossibleDuplicate(found[pk], reasons[pk]) for pk in sorted(found, key=lambda pk: found[pk].name)]


def _similar_near(candidates, probe):
    """The candidates within ``DISTANCE_KM`` of the probe whose name is like its name."""
    near = candidates.near(probe.location, DISTANCE_KM)
    if connection.vendor == "postgresql":
        # unaccent(lower(name)) against the probe's search form: trigrams ignore punctuation.
        plain_name = Func(Lower("name"), function="unaccent", output_field=CharField())
        likeness = TrigramSimilarity(plain_name, search_key(probe.name))
        return list(near.annotate(likeness=likeness).filter(likeness__gte=MIN_SIMILARITY))
    return [initiative for initiative in near if names_are_similar(initiative.name, probe.name)]


class DuplicateIndex:
    """The catalogue's entries as the duplicates are looked for, read once, for the many rows of an
    import: one query for the entries, one for their legal set-up."""

    def __init__(self, initiatives, entities):
        self.by_key = defaultdict(set)
        self.cells = defaultdict(list)
        self.initiatives = {}
        for initiative in initiatives:
            self.initiatives[initiative.pk] = initiative
            website = normalise_website(initiative.website)
            if website:
                self.by_key["website", website].add(initiative.pk)
            if initiative.public_email:
                self.by_key["public_email", initiative.public_email.lower()].add(initiative.pk)
            if initiative.location is not None:
                self.cells[_cell(initiative.location)].append(initiative.pk)
        for initiative_id, siren, rna in entities:
            if initiative_id not in self.initiatives:
                continue
            if siren:
                self.by_key["siren", siren].add(initiative_id)
            if rna:
                self.by_key["rna", rna].add(initiative_id)

    @classmethod
    def of_catalogue(cls):
        initiatives = (
            Initiative.objects.exclude(status=Initiative.Status.ARCHIVED)
            .only("pk", "name", "slug", "status", "location", "website", "public_email")
            .order_by()
        )
        entities = LegalEntity.objects.exclude(siren="", rna="").values_list("initiative_id", "siren", "rna")
        return cls(initiatives, entities)

    def find(self, probe):
        """Like :func:`find_duplicates`, from memory."""
        labels = _identifier_reasons()
        reasons = defaultdict(list)
        keys = [("siren", siren) for siren in probe.sirens] + [("rna", rna) for rna in probe.rnas]
        website = normalise_website(probe.website)
        if website:
            keys.append(("website", website))
        if probe.public_email:
            keys.append(("public_email", probe.public_email.strip().lower()))
        for key in keys:
            for pk in self.by_key.get(key, ()):
                if labels[key[0]] not in reasons[pk]:
                    reasons[pk].append(labels[key[0]])
        if probe.location is not None and search_key(probe.name):
            x, y = _cell(probe.location)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for pk in self.cells.get((x + dx, y + dy), ()):
                        initiative = self.initiatives[pk]
                        km = distance_km(probe.location, initiative.location)
                        if km <= DISTANCE_KM and names_are_similar(initiative.name, probe.name):
                            reasons[pk].insert(0, _near_reason(km))
        found = [PossibleDuplicate(self.initiatives[pk], reasons[pk]) for pk in reasons if reasons[pk]]
        return sorted(found, key=lambda duplicate: duplicate.initiative.name)


def _cell(point):
    return (math.floor(point.x / CELL_WIDTH), math.floor(point.y / CELL_HEIGHT))
