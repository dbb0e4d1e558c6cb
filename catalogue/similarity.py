"""How alike two projects are, and why: the likeness behind "Projets comparables" on a fiche and the
"comme le mien" page.

A project is described by a :class:`Profile`: what it is (kinds, themes), how it is set up (legal
forms), how it was helped (funding tools, public-action levers), where it stands (stage), the
territory it lies in (density class, INSEE's density grid and the national programmes where they are
loaded, the populations of its commune and its EPCI) and its size (surface, investment, jobs). The
likeness of a candidate to a reference is a weighted sum of terms, each a closeness between 0 and 1
times its weight (``WEIGHTS``):

- a set (kinds, themes, legal forms, funding tools, levers, programmes): the share of the
  reference's values that the candidate has too;
- the stage, the density class and the density grid's level: 1 when they are the same (the density
  class gives 0.5 to the next class: "rural peu dense" is nearer "très peu dense" than "dense");
- a number (populations, surface, investment, jobs): compared on a log scale, 1 when equal and 0 from
  a factor ``LOG_SPAN`` (10) apart, so that 2,000 and 4,000 inhabitants are as close as 20,000 and
  40,000;
- the distance, only when asked ("près de chez moi"): 1 at the reference, 0 at the radius.

The reasons shown are the largest terms of that sum, written in plain words ("même forme juridique :
SCIC", "EPCI de 37 000 habitants (ici : 41 000)"): never a separate text that could say something the
score did not count.

Candidates are narrowed in SQL before any scoring in Python: the ``POOL_SIZE`` published initiatives
that share the most weighted values with the reference, read from the facet values' table and its
index (``FacetValue``, see ``_pool``); the scorer then reads their profiles from that table and their
numbers from the initiatives (three queries) and ranks them. Both databases go through
the same scorer, so they give the same ranking.
"""

import math
from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from territories.models import DensityClass, DensityGrid, Programme, Territory

from .models import (
    CatalogueVersion,
    FacetTotal,
    FacetValue,
    FundingTool,
    Initiative,
    Kind,
    LegalForm,
    Lever,
    Stage,
    Theme,
)
from .templatetags.catalogue_tags import euros, grouped, square_metres

# The weight of each term: a project of the same kind and legal set-up, helped by the same tools,
# matters more to an official than one of the same size.
WEIGHTS = {
    "kinds": 3.0,
    "forms": 2.5,
    "tools": 2.0,
    "levers": 2.0,
    "density_class": 2.0,
    "themes": 1.5,
    "programmes": 1.5,
    "commune_population": 1.5,
    "epci_population": 1.0,
    "density_grid": 1.0,
    "stage": 1.0,
    "surface": 1.0,
    "investment": 1.0,
    "jobs": 0.5,
    "distance": 2.0,
}

# Numbers a factor of 10 apart are not alike at all.
LOG_SPAN = 1.0
# How many candidates the database hands to the scorer, and how many facet rows it reads at most
# to choose them (a few milliseconds of PostgreSQL's aggregation).
POOL_SIZE = 200
ROW_BUDGET = 40_000
# How long a fiche's comparables stay in the cache when nothing changes (see comparables_of).
CACHE_SECONDS = 24 * 3600
# A term weighing less than this is not a reason worth saying; a list says at most MAX_REASONS.
MIN_REASON = 0.5
MAX_REASONS = 4

# The facet values' table, by term: the facets whose values the SQL narrowing counts.
SET_FACETS = {"kinds": "type", "themes": "theme", "forms": "forme", "tools": "outil", "levers": "levier"}
STAGE_FACET = "etape"
DENSITY_FACET = "densite"
DENSITY_ORDER = [DensityClass.DENSE, DensityClass.INTERMEDIATE, DensityClass.SPARSE, DensityClass.VERY_SPARSE]


@dataclass
class Profile:
    """What the likeness compares of a project: an initiative's, or the one an official describes."""

    kinds: frozenset = frozenset()
    themes: frozenset = frozenset()
    forms: frozenset = frozenset()
    tools: frozenset = frozenset()
    levers: frozenset = frozenset()
    stage: str = ""
    density_class: str = ""
    density_grid: str = ""
    programmes: frozenset = frozenset()
    commune_population: int | None = None
    epci_population: int | None = None
    surface: int | None = None
    investment: int | None = None
    jobs: float | None = None
    # (longitude, latitude), for the distance when it is asked for.
    point: tuple | None = None
    # The initiative it describes, left out of its own comparables.
    pk: int | None = None
    is_demo: bool = False

    @classmethod
    def of_initiative(cls, initiative):
        """The profile of an initiative read with ``for_fiche()`` (its parts are prefetched)."""
        territory = territory_profile(*_territory_of(initiative, initiative.territories_served.all()))
        return cls(
            kinds=frozenset(kind.slug for kind in initiative.kinds.all()),
            themes=frozenset(theme.slug for theme in initiative.themes.all()),
            forms=frozenset(entity.legal_form.slug for entity in initiative.legal_entities.all()),
            tools=frozenset(funding.tool.slug for funding in initiative.fundings.all() if funding.tool),
            levers=frozenset(item.lever.slug for item in initiative.initiativelever_set.all()),
            stage=initiative.stage,
            surface=initiative.surface_m2,
            investment=initiative.investment_eur,
            jobs=float(initiative.jobs_fte) if initiative.jobs_fte is not None else None,
            point=(initiative.location.x, initiative.location.y) if initiative.location else None,
            pk=initiative.pk,
            is_demo=initiative.is_demo,
            **territory,
        )


def territory_profile(commune=None, epci=None):
    """The territory's part of a profile: a commune's (with its EPCI's population), or an EPCI's
    when the project is known only by its intercommunality."""
    place = commune or epci
    if place is None:
        return {}
    return {
        "density_class": place.density_class,
        "density_grid": place.density_grid,
        # Where the official files are loaded (see territories.classifications); empty otherwise.
        "programmes": frozenset(place.programmes or ()),
        "commune_population": commune.population if commune else None,
        "epci_population": epci.population if epci else None,
    }


def _territory_of(initiative, served):
    """(commune, EPCI) of an initiative: its commune's, or else the commune or EPCI it serves."""
    if initiative.commune is not None:
        return initiative.commune, initiative.commune.epci
    for territory in served:
        if territory.kind == Territory.Kind.COMMUNE:
            return territory, None
    for territory in served:
        if territory.kind == Territory.Kind.EPCI:
            return None, territory
    return None, None


# --- The score ----------------------------------------------------------------------------------


@dataclass
class Term:
    """One term of the score: its name, its weighted value and the values it compared."""

    name: str
    value: float
    shared: tuple = ()  # a set term's common values
    candidate: object = None  # a number term's values, the candidate's then the reference's
    reference: object = None


def _set_closeness(reference, candidate):
    return len(reference & candidate) / len(reference) if reference else 0.0


def _log_closeness(reference, candidate):
    if not reference or not candidate or reference <= 0 or candidate <= 0:
        return 0.0
    return max(0.0, 1.0 - abs(math.log10(candidate) - math.log10(reference)) / LOG_SPAN)


def _density_closeness(reference, candidate):
    if not reference or not candidate:
        return 0.0
    if reference == candidate:
        return 1.0
    apart = abs(DENSITY_ORDER.index(reference) - DENSITY_ORDER.index(candidate))
    return 0.5 if apart == 1 else 0.0


def distance_km(a, b):
    """The great-circle distance between two (longitude, latitude) points, in km."""
    lng1, lat1, lng2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, h)))


def terms(reference, candidate, radius_km=None):
    """The terms of the likeness of ``candidate`` to ``reference``, largest first (zeros left out)."""
    found = []
    for name in ("kinds", "themes", "forms", "tools", "levers", "programmes"):
        mine, theirs = getattr(reference, name), getattr(candidate, name)
        closeness = _set_closeness(mine, theirs)
        if closeness:
            found.append(Term(name, WEIGHTS[name] * closeness, shared=tuple(sorted(mine & theirs))))
    for name in ("stage", "density_grid"):
        mine = getattr(reference, name)
        if mine and mine == getattr(candidate, name):
            found.append(Term(name, WEIGHTS[name], shared=(mine,)))
    closeness = _density_closeness(reference.density_class, candidate.density_class)
    if closeness:
        found.append(
            Term("density_class", WEIGHTS["density_class"] * closeness, shared=(candidate.density_class,))
        )
    for name in ("commune_population", "epci_population", "surface", "investment", "jobs"):
        mine, theirs = getattr(reference, name), getattr(candidate, name)
        if name == "jobs":  # a project without a job is still a project: log of 1 + jobs
            closeness = (
                _log_closeness(1 + mine, 1 + theirs) if mine is not None and theirs is not None else 0.0
            )
        else:
            closeness = _log_closeness(mine, theirs)
        if closeness:
            found.append(Term(name, WEIGHTS[name] * closeness, candidate=theirs, reference=mine))
    if radius_km and reference.point and candidate.point:
        km = distance_km(reference.point, candidate.point)
        closeness = max(0.0, 1.0 - km / radius_km)
        if closeness:
            found.append(Term("distance", WEIGHTS["distance"] * closeness, candidate=km))
    return sorted(found, key=lambda term: -term.value)


# --- The candidates -----------------------------------------------------------------------------


@dataclass
class Comparable:
    """A candidate with its score and the terms of it, largest first."""

    initiative: Initiative
    score: float
    terms: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    distance_km: float | None = None


def comparables(reference, limit=5, candidates=None, radius_km=None, yours=False):
    """The ``limit`` published initiatives most like ``reference`` (a :class:`Profile`), best
    first, each with its reasons. ``candidates``, a queryset of initiatives, narrows them (the
    usual filters, a distance); ``radius_km`` counts the distance from the reference's point;
    ``yours`` writes the reasons for the official's own project ("comme le vôtre") rather than for
    the fiche's ("comme celui-ci")."""
    pool = _pool(reference, candidates)
    profiles = _profiles(pool)
    ranked = []
    for pk, profile in profiles.items():
        found = terms(reference, profile, radius_km)
        # A candidate with no term worth saying is not shown: it would come without a reason.
        if found and found[0].value >= MIN_REASON:
            ranked.append((sum(term.value for term in found), pk, found, profile))
    names = dict(Initiative.objects.filter(pk__in=[pk for _, pk, _, _ in ranked]).values_list("pk", "name"))
    ranked.sort(key=lambda row: (-row[0], names.get(row[1], ""), row[1]))
    best = ranked[:limit]
    shown = {
        initiative.pk: initiative
        for initiative in Initiative.objects.filter(pk__in=[pk for _, pk, _, _ in best]).for_card()
    }
    labels = _labels([term for _, _, found, _ in best for term in found])
    result = []
    for score, pk, found, profile in best:
        distance = (
            distance_km(reference.point, profile.point)
            if radius_km and reference.point and profile.point
            else None
        )
        result.append(
            Comparable(
                initiative=shown[pk],
                score=score,
                terms=found,
                reasons=reasons(found, labels, yours=yours),
                distance_km=distance,
            )
        )
    return result


def comparables_of(initiative):
    """The five comparable projects of a fiche (``initiative`` read with ``for_fiche()``), kept in
    the cache under the catalogue's version: computed once per worker and per language until any
    published initiative changes, never shown after a change."""
    key = f"comparables:{initiative.pk}:{CatalogueVersion.current()}:{get_language()}"
    found = cache.get(key)
    if found is None:
        found = comparables(Profile.of_initiative(initiative))
        cache.set(key, found, CACHE_SECONDS)
    return found


def _pool(reference, candidates):
    """The ids of the ``POOL_SIZE`` published initiatives that share the most weighted values with
    the reference, by one ``GROUP BY`` over the facet values' table.

    Each group of the reference's values (its kinds, its legal forms, its stage…) is read by an
    index-only scan of ``(facet, value, initiative)``, each row weighing its share of the term as
    the scorer counts it. The groups are read heaviest per row first, while their rows (the
    counts kept in ``FacetTotal``) fit in ``ROW_BUDGET``: in a small catalogue that is every
    group, and the pool is exactly the best-placed candidates; at 100,000 initiatives the most
    common values (the stage "en fonctionnement", the form "association") are left to the scorer,
    which still counts them for every candidate of the pool.
    """
    groups = _groups(reference)
    if not groups:
        # Nothing to share but a territory or a size: the candidates themselves, narrowed.
        if candidates is None:
            return []
        return list(candidates.order_by("pk").values_list("pk", flat=True)[:POOL_SIZE])
    rows = FacetValue.objects.all()
    if reference.pk is not None:
        rows = rows.exclude(initiative_id=reference.pk)
        if not reference.is_demo:
            # A real entry's comparables are real entries.
            rows = rows.filter(initiative__is_demo=False)
    if candidates is not None:
        rows = rows.filter(initiative_id__in=candidates.order_by().values("pk"))
    parts, params = [], []
    for facet, values, weight in groups:
        part = rows.filter(facet=facet, value__in=values).order_by().values("initiative_id")
        sql, part_params = part.query.sql_with_params()
        parts.append(f"SELECT U.initiative_id, {float(weight)!r} AS weight FROM ({sql}) U")
        params.extend(part_params)
    query = (
        f"SELECT initiative_id FROM ({' UNION ALL '.join(parts)}) AS shared "
        "GROUP BY initiative_id ORDER BY SUM(weight) DESC, initiative_id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, POOL_SIZE])
        return [row[0] for row in cursor.fetchall()]


def _groups(reference):
    """(facet, values, weight of a row) of the reference's values that the narrowing reads."""
    groups = []
    for name, facet in SET_FACETS.items():
        values = getattr(reference, name)
        if values:
            groups.append((facet, sorted(values), WEIGHTS[name] / len(values)))
    if reference.stage:
        groups.append((STAGE_FACET, [reference.stage], WEIGHTS["stage"]))
    if reference.density_class:
        groups.append((DENSITY_FACET, [reference.density_class], WEIGHTS["density_class"]))
    totals = Counter()
    condition = Q()
    for facet, values, _weight in groups:
        condition |= Q(facet=facet, value__in=values)
    if groups:
        for facet, count in FacetTotal.objects.filter(condition).values_list("facet", "count"):
            totals[facet] += count
    groups.sort(key=lambda group: (-group[2], totals[group[0]]))
    read, budget = [], ROW_BUDGET
    for group in groups:
        if read and totals[group[0]] > budget:
            continue
        read.append(group)
        budget -= totals[group[0]]
    return read


def _profiles(ids):
    """{id: Profile} of published initiatives: their sets from the facet values' table, their
    numbers and territory from the initiatives (and, for those without a commune, the territories
    they serve)."""
    if not ids:
        return {}
    sets = {pk: {name: set() for name in SET_FACETS} for pk in ids}
    stage = {}
    facets = {facet: name for name, facet in SET_FACETS.items()}
    rows = FacetValue.objects.filter(initiative_id__in=ids, facet__in=[*facets, STAGE_FACET])
    for pk, facet, value in rows.values_list("initiative_id", "facet", "value"):
        if facet == STAGE_FACET:
            stage[pk] = value
        else:
            sets[pk][facets[facet]].add(value)
    initiatives = (
        Initiative.objects.published()
        .filter(pk__in=ids)
        .select_related("commune__epci")
        .only(
            "pk",
            "is_demo",
            "location",
            "surface_m2",
            "investment_eur",
            "jobs_fte",
            "commune",
            *(f"commune__{name}" for name in _TERRITORY_FIELDS),
            *(f"commune__epci__{name}" for name in _TERRITORY_FIELDS),
        )
    )
    initiatives = list(initiatives)
    served = _served([initiative.pk for initiative in initiatives if initiative.commune_id is None])
    profiles = {}
    for initiative in initiatives:
        pk = initiative.pk
        profiles[pk] = Profile(
            **{name: frozenset(values) for name, values in sets[pk].items()},
            stage=stage.get(pk, ""),
            surface=initiative.surface_m2,
            investment=initiative.investment_eur,
            jobs=float(initiative.jobs_fte) if initiative.jobs_fte is not None else None,
            point=(initiative.location.x, initiative.location.y) if initiative.location else None,
            pk=pk,
            is_demo=initiative.is_demo,
            **territory_profile(*_territory_of(initiative, served.get(pk, ()))),
        )
    return profiles


_TERRITORY_FIELDS = ("kind", "population", "density_class", "density_grid", "programmes")


def _served(ids):
    """{initiative id: [the communes and EPCI it serves]} of initiatives without a commune."""
    if not ids:
        return {}
    through = Initiative.territories_served.through
    rows = (
        through.objects.filter(
            initiative_id__in=ids, territory__kind__in=[Territory.Kind.COMMUNE, Territory.Kind.EPCI]
        )
        .select_related("territory")
        .only("initiative_id", *(f"territory__{name}" for name in _TERRITORY_FIELDS))
        .order_by("territory__kind", "territory_id")
    )
    served = {}
    for row in rows:
        served.setdefault(row.initiative_id, []).append(row.territory)
    return served


# --- The reasons, in words ----------------------------------------------------------------------


def _labels(found):
    """{(term name, value): label} of the set values that the reasons name, one query per vocabulary."""
    wanted = {}
    for term in found:
        if term.name in VOCABULARIES:
            wanted.setdefault(term.name, set()).update(term.shared)
    labels = {}
    for name, slugs in wanted.items():
        for slug, label in VOCABULARIES[name].objects.filter(slug__in=slugs).values_list("slug", "label"):
            labels[(name, slug)] = label
    return labels


VOCABULARIES = {"kinds": Kind, "themes": Theme, "forms": LegalForm, "tools": FundingTool, "levers": Lever}


def reasons(found, labels, yours=False):
    """The largest terms of a score, in words."""
    said = []
    for term in found:
        if term.value < MIN_REASON or len(said) == MAX_REASONS:
            break
        text = reason(term, labels, yours)
        if text:
            said.append(text)
    return said


def rounded(number):
    """A population as people say it: two significant digits from 10,000 (36,913 → 37,000)."""
    if number >= 10_000:
        digits = int(math.floor(math.log10(number))) - 1
        number = round(number, -digits)
    return grouped(int(number))


def reason(term, labels, yours=False):
    """One term in plain words, for the fiche ("ici : …") or for the official's project."""
    name = term.name
    if name in VOCABULARIES:
        values = ", ".join(labels.get((name, slug), slug) for slug in term.shared)
        n = len(term.shared)
        return {
            "kinds": lambda: ngettext("same kind: %(values)s", "same kinds: %(values)s", n),
            "themes": lambda: ngettext("same theme: %(values)s", "same themes: %(values)s", n),
            "forms": lambda: ngettext("same legal form: %(values)s", "same legal forms: %(values)s", n),
            "tools": lambda: _("also funded through: %(values)s"),
            "levers": lambda: ngettext("same lever: %(values)s", "same levers: %(values)s", n),
        }[name]() % {"values": values}
    if name == "programmes":
        programmes = ", ".join(_programme_label(code) for code in term.shared)
        text = (
            _("a “%(programmes)s” commune, like yours")
            if yours
            else _("a “%(programmes)s” commune, like this one")
        )
        return text % {"programmes": programmes}
    if name == "stage":
        return _("at the same stage: %(stage)s") % {"stage": Stage(term.shared[0]).label}
    if name == "density_class":
        if term.value < WEIGHTS["density_class"]:
            return ""  # the next class: close, but not "the same"
        territory = DENSITY_TERRITORY[term.shared[0]]()
        return (_("%(territory)s, like yours") if yours else _("%(territory)s, like this one")) % {
            "territory": territory
        }
    if name == "density_grid":
        return _("same level of INSEE’s density grid: %(level)s") % {
            "level": _density_grid_label(term.shared[0])
        }
    if name == "distance":
        return _("%(km)s km away") % {"km": grouped(round(term.candidate))}
    if name in ("commune_population", "epci_population") and term.candidate == term.reference:
        return SAME_TERRITORY_REASONS[name](yours) % {"value": rounded(term.candidate)}
    formatted = NUMBER_FORMATS[name]
    values = {"value": formatted(term.candidate), "reference": formatted(term.reference)}
    return NUMBER_REASONS[name](yours) % values


DENSITY_TERRITORY = {
    DensityClass.DENSE: lambda: _("a densely populated territory"),
    DensityClass.INTERMEDIATE: lambda: _("a territory of intermediate density"),
    DensityClass.SPARSE: lambda: _("a sparsely populated rural territory"),
    DensityClass.VERY_SPARSE: lambda: _("a very sparsely populated rural territory"),
}

NUMBER_FORMATS = {
    "commune_population": rounded,
    "epci_population": rounded,
    "surface": square_metres,
    "investment": euros,
    "jobs": grouped,
}

# The same population is, nearly always, the same commune or EPCI.
SAME_TERRITORY_REASONS = {
    "commune_population": lambda yours: _("commune of %(value)s inhabitants, like yours")
    if yours
    else _("commune of %(value)s inhabitants, like this one"),
    "epci_population": lambda yours: _("EPCI of %(value)s inhabitants, like yours")
    if yours
    else _("EPCI of %(value)s inhabitants, like this one"),
}

NUMBER_REASONS = {
    "commune_population": lambda yours: _("commune of %(value)s inhabitants (yours: %(reference)s)")
    if yours
    else _("commune of %(value)s inhabitants (here: %(reference)s)"),
    "epci_population": lambda yours: _("EPCI of %(value)s inhabitants (yours: %(reference)s)")
    if yours
    else _("EPCI of %(value)s inhabitants (here: %(reference)s)"),
    "surface": lambda yours: _("%(value)s of floor space (your project: %(reference)s)")
    if yours
    else _("%(value)s of floor space (here: %(reference)s)"),
    "investment": lambda yours: _("investment of %(value)s (your project: %(reference)s)")
    if yours
    else _("investment of %(value)s (here: %(reference)s)"),
    "jobs": lambda yours: _("%(value)s jobs (your project: %(reference)s)")
    if yours
    else _("%(value)s jobs (here: %(reference)s)"),
}


def _programme_label(code):
    return str(Programme(code).label) if code in Programme.values else code


def _density_grid_label(code):
    return str(DensityGrid(code).label) if code in DensityGrid.values else code
