"""Made-up initiatives over real communes, to try the site out and to benchmark it: what
``manage.py generate_demo`` writes and deletes.

Every generated initiative has ``is_demo`` set and a slug ``demo-NNNNNNN-…`` that no real entry
takes. Communes are drawn with a weight of the square root of their population, so towns get more
entries than villages but rural France shows up too; each point lies a few hundred metres to 2 km
from its commune's centre. Names, summaries and descriptions are put together from the kind and
the small French word lists below; the legal set-up, partners, funding, trajectory, levers and
obstacles from the lookups and the organisations already in the database (none is created).

Rows are written with ``bulk_create``, batch by batch: no ``save()`` (its commune lookup would cost
a spatial query per row), no signals and so no history, and the search text is rebuilt once at the
end. Their ids start at FIRST_ID, out of the way of the seed's fixtures (see ``_Writer``).
:func:`delete_demo_data` removes the demo entries, and only them, with raw deletes.
"""

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.apps import apps
from django.contrib.gis.geos import Point
from django.core.management.color import no_style
from django.db import connections, models, router, transaction
from django.db.models import Max
from django.utils.text import slugify

from accounts.models import Network
from territories.models import Territory

from .indexing import rebuild_totals, refresh
from .models import (
    Funding,
    FundingTool,
    Initiative,
    InitiativeLever,
    InitiativeObstacle,
    Kind,
    LegalEntity,
    LegalForm,
    Lever,
    Milestone,
    Obstacle,
    Organization,
    Partnership,
    Stage,
    Theme,
)

DEFAULT_SEED = 1
BATCH_SIZE = 2000
SLUG_PREFIX = "demo-"
NUMBER_WIDTH = 7  # demo-0000001: slugs sort in the order of their numbers
FIRST_ID = 1_000_000  # the lowest id of a demo row: see _Writer
LAST_YEAR = 2025
SOURCES = "Données de démonstration inventées par manage.py generate_demo : ce lieu n'existe pas."

# --- Word lists ------------------------------------------------------------------------------------

# By kind slug: what starts a name, and what a summary calls the place. Other kinds use their label.
KIND_WORDS = {
    "tiers-lieu": (("Tiers-lieu",), "Un tiers-lieu"),
    "fab-lab": (("Fab-lab", "Atelier partagé"), "Un atelier de fabrication numérique"),
    "coworking": (("Coworking", "Espace de coworking"), "Un espace de travail partagé"),
    "cafe-associatif": (("Café associatif", "Café-librairie"), "Un café associatif"),
    "centre-social": (("Centre social", "Espace de vie sociale"), "Un centre social"),
    "pepiniere": (("Pépinière d'entreprises", "Pépinière"), "Une pépinière d'entreprises"),
    "ecole-lieu-culturel": (("Lieu culturel", "École de musique", "Scène"), "Un lieu culturel"),
    "recyclerie": (("Recyclerie", "Ressourcerie"), "Une recyclerie"),
    "jardin-partage": (("Jardin partagé",), "Un jardin partagé"),
    "circuit-court": (("Épicerie paysanne", "Marché de producteurs"), "Un point de vente en circuit court"),
    "friche": (("Friche",), "Une friche reconvertie"),
}
# How often each kind is drawn; the others weigh 1.
KIND_WEIGHTS = {"tiers-lieu": 5, "cafe-associatif": 2, "recyclerie": 2, "jardin-partage": 2}
PLACE_NOUNS = (
    "La Fabrique", "Le Comptoir", "L'Atelier", "La Ruche", "Le Hangar", "La Grange", "Les Communs",
    "La Forge", "Le Local", "La Filature", "La Coopérative", "Le Moulin", "La Bobine", "L'Escale",
    "La Passerelle", "Le Relais", "La Cantine", "La Serre", "Le Quai", "La Bricole", "Le Chantier",
    "L'Établi", "La Manufacture", "Le Grenier", "La Source", "Le Préau",
)  # fmt: skip
QUARTERS = (
    "du Centre", "de la Gare", "des Tilleuls", "du Moulin", "des Prés", "du Port", "de la Mairie",
    "du Marché", "des Écoles", "du Château", "des Forges", "de l'Église", "du Canal", "des Vignes",
)  # fmt: skip
STREETS = (
    "rue de la République", "rue Jean Jaurès", "place de la Mairie", "rue Victor Hugo",
    "avenue de la Gare", "rue du Moulin", "chemin des Prés", "rue Pasteur", "place du Marché",
    "rue des Écoles", "quai du Canal", "rue de l'Église", "allée des Tilleuls",
)  # fmt: skip
# By theme slug, as a summary names it; other themes are quoted.
THEME_PHRASES = {
    "culture": "la culture",
    "developpement-economique": "l'activité économique locale",
    "numerique": "le numérique",
    "emploi-insertion": "l'emploi et l'insertion",
    "alimentation": "l'alimentation",
    "ecoconstruction": "l'écoconstruction",
    "developpement-durable": "la transition écologique",
    "economie-circulaire-collaborative": "le réemploi",
    "ess": "l'économie sociale et solidaire",
    "pouvoir-d-agir": "le pouvoir d'agir des habitants",
    "parentalite-education": "la parentalité et l'éducation",
    "politique-de-la-ville": "la vie des quartiers",
}
# {What} "Un tiers-lieu", {what} "un tiers-lieu", {at} "au Havre", {At} "Au Havre", {theme} "la culture".
SUMMARIES = (
    "{What} qui fait vivre {theme} {at}, avec les habitants, les associations et les artisans du coin.",
    "{What} {at}, où l'on vient travailler, apprendre et se rencontrer.",
    "{At}, des habitants ont ouvert {what} pour développer {theme}.",
    "{What} qui mise sur {theme} pour faire se rencontrer les habitants {at}.",
)
ORIGINS = (
    "Le projet est né en {year} de l'envie de quelques habitants d'avoir un lieu ouvert à tous.",
    "Lancé en {year} par un collectif d'associations locales, le projet a trouvé ses murs dans un "
    "ancien bâtiment communal.",
    "Tout a commencé en {year} par une série de réunions publiques avec la mairie.",
)
ACTIVITIES = (
    "un atelier de réparation", "des permanences numériques", "une épicerie solidaire",
    "des bureaux partagés", "une salle de spectacle", "un jardin pédagogique", "une cuisine partagée",
    "des formations", "une ludothèque", "des concerts", "un marché de producteurs", "un espace enfants",
)  # fmt: skip
CLOSINGS = (
    "Le lieu accueille chaque semaine plusieurs centaines de personnes.",
    "Bénévoles, salariés et élus se retrouvent dans un comité de pilotage trimestriel.",
    "La commune suit le projet depuis ses débuts.",
)
# A trajectory's first step, steps in between and opening, with their stages.
FIRST_STEPS = ("Premières réunions avec les habitants", "Création de l'association", "Réponse à un AMI")
MIDDLE_STEPS = (
    ("Étude de préfiguration", Stage.PREFIGURATION),
    ("Signature du bail avec la commune", Stage.PREFIGURATION),
    ("Début des travaux", Stage.WORKS),
)
OPENINGS = ("Ouverture au public", "Inauguration du lieu")
PUBLIC_ACTIONS = (
    "La commune met un local à disposition.",
    "Subvention d'amorçage de l'intercommunalité.",
    "Les élus participent au comité de pilotage.",
    "",
)
# By legal form slug, what starts an entity's name; other forms use their label.
ENTITY_PREFIXES = {
    "association": "Association",
    "scic": "SCIC",
    "scop": "SCOP",
    "sci": "SCI",
    "sas-sarl": "SAS",
    "regie": "Régie",
    "fondation": "Fondation",
    "autre": "Collectif",
}
LEGAL_FORM_WEIGHTS = {"association": 8, "scic": 3}
OWN_FUNDS = ("Fonds propres de l'association", "Dons des adhérents", "Mécénat d'entreprises locales")
STAGE_VALUES = Stage.values
PARTNER_ROLES = Partnership.Role.values
OTHER_ENTITY_ROLES = (LegalEntity.Role.OWNER, LegalEntity.Role.OPERATOR, LegalEntity.Role.OTHER)
# Stages and how often they are drawn.
STAGES = {
    Stage.ACTIVE: 60,
    Stage.WORKS: 8,
    Stage.PREFIGURATION: 10,
    Stage.EMERGENCE: 8,
    Stage.IDEA: 5,
    Stage.STOPPED: 9,
}


class MissingData(Exception):
    """The database lacks what demo initiatives are made of; the message names the command to run."""


class Generated(NamedTuple):
    initiatives: int
    communes: int


@dataclass(frozen=True)
class _Commune:
    pk: int
    name: str
    epci_id: int | None
    x: float
    y: float
    radius_km: float  # how far from the centre its entries may lie


@dataclass
class _Vocabulary:
    """The lookups and organisations that entries are made of, read once, in a stable order."""

    kinds: list
    themes: list
    legal_forms: list
    levers: list
    obstacles: list
    tools: list
    organizations: list
    networks: list

    @classmethod
    def load(cls):
        required = {
            "kinds": Kind,
            "themes": Theme,
            "legal forms": LegalForm,
            "levers": Lever,
            "obstacles": Obstacle,
        }
        rows = {name: list(model.objects.order_by("slug")) for name, model in required.items()}
        if missing := [name for name, found in rows.items() if not found]:
            raise MissingData(
                f"No {', '.join(missing)} in the database: run `manage.py load_seed` first "
                "(it loads the lookups of fixtures/lookups.json)."
            )
        # Optional: without funding tools, organisations or networks, entries go without them.
        return cls(
            kinds=rows["kinds"],
            themes=rows["themes"],
            legal_forms=rows["legal forms"],
            levers=rows["levers"],
            obstacles=rows["obstacles"],
            tools=list(FundingTool.objects.order_by("slug")),
            organizations=list(Organization.objects.order_by("name")),
            networks=list(Network.objects.order_by("slug")),
        )


@dataclass
class _Draft:
    """An initiative to write and the rows that point at it, whose ``initiative_id`` is set once
    the initiative has its id."""

    initiative: Initiative
    rows: list = field(default_factory=list)


def generate_demo_data(count, seed=DEFAULT_SEED, batch_size=BATCH_SIZE):
    """Writes ``count`` demo initiatives, numbered after the demo entries already there, and
    returns how many were written over how many communes. The same seed gives the same entries
    for the same first number (so, from a catalogue without demo entries, the same run).

    Raises :class:`MissingData` when the lookups or the communes are not loaded."""
    vocabulary = _Vocabulary.load()
    communes, cumulated_weights = _communes()
    first_number = _last_demo_number() + 1
    rng = random.Random(f"{seed}:{first_number}")
    picked = rng.choices(communes, cum_weights=cumulated_weights, k=count)
    maker = _Maker(rng, vocabulary)
    using = router.db_for_write(Initiative)
    writer = _Writer(using)
    with transaction.atomic(using=using):
        for start in range(0, count, batch_size):
            batch = picked[start : start + batch_size]
            writer.write([maker.draft(first_number + start + i, commune) for i, commune in enumerate(batch)])
        writer.finish()
        refresh(writer.initiative_ids)
    return Generated(initiatives=count, communes=len({commune.pk for commune in picked}))


def delete_demo_data():
    """Deletes every demo initiative and the rows that depend on them, and nothing else. Returns
    the number of initiatives deleted."""
    # QuerySet.delete() would read every row into memory to send pre_delete and post_delete for
    # each: simple-history answers with a historical record per row (SIMPLE_HISTORY_ENABLED=False
    # only mutes it; Django still reads the rows since receivers are connected) and
    # catalogue.signals with a search refresh per legal entity, partner and funding line. Minutes
    # for 100,000 entries, for made-up data that needs neither. So, one raw DELETE per table
    # instead, the rows that point at initiatives first. Generated entries have no history
    # (bulk_create records none); whatever a curator's edits recorded stays, as for any entry
    # deleted.
    using = router.db_for_write(Initiative)
    demo = Initiative.objects.filter(is_demo=True).order_by()
    with transaction.atomic(using=using):
        for model, field_name in _cascading_relations():
            model._base_manager.filter(**{f"{field_name}__in": demo.values("pk")})._raw_delete(using)
        deleted = demo._raw_delete(using)
        # Their search words and map cells went with them: count what is left.
        rebuild_totals()
        return deleted


def _cascading_relations():
    """The (model, field name) of every foreign key to Initiative that deletes its rows with the
    initiative: legal set-up, partners, funding, trajectory, levers, obstacles, and the tables of
    kinds, themes, networks and territories served. History tables do not cascade and are left."""
    return [
        (model, fk.name)
        for model in apps.get_models(include_auto_created=True)
        for fk in model._meta.concrete_fields
        if fk.is_relation and fk.related_model is Initiative and fk.remote_field.on_delete is models.CASCADE
    ]


def _communes():
    """Every commune that has a centre, in a stable order, and the running sum of their weights."""
    rows = (
        Territory.objects.communes()
        .filter(centre__isnull=False)
        .order_by("code")
        .values_list("pk", "name", "epci_id", "centre", "population", "area_km2")
    )
    communes, cumulated, total = [], [], 0.0
    for pk, name, epci_id, centre, population, area_km2 in rows:
        # Half the radius of a disc of the commune's area: most points stay inside it.
        radius = 0.5 * math.sqrt(area_km2 / math.pi) if area_km2 else 1.0
        communes.append(_Commune(pk, name, epci_id, centre.x, centre.y, min(2.0, max(0.3, radius))))
        total += math.sqrt(population or 0) + 1
        cumulated.append(total)
    if not communes:
        raise MissingData("No communes in the database: run `manage.py load_territories` first.")
    return communes, cumulated


def _last_demo_number():
    slug = (
        Initiative.objects.filter(slug__regex=rf"^{SLUG_PREFIX}[0-9]{{{NUMBER_WIDTH}}}-")
        .order_by("-slug")
        .values_list("slug", flat=True)
        .first()
    )
    return int(slug[len(SLUG_PREFIX) : len(SLUG_PREFIX) + NUMBER_WIDTH]) if slug else 0


class _Writer:
    """Writes drafts batch by batch, giving their rows ids of its own.

    The seed's fixtures name the ids of their rows (initiatives 1 to 5, their legal entities,
    partners…), and ``loaddata`` overwrites a row that holds one of them: demo rows written before
    ``load_seed`` must not. So demo rows take ids from FIRST_ID up, above every row already there,
    and :meth:`finish` then moves the sequences past them, as ``loaddata`` does, so that rows added
    later take the next ids.
    """

    def __init__(self, using):
        self.using = using
        self.next_ids = {}
        self.initiative_ids = []

    def write(self, drafts):
        initiatives = [draft.initiative for draft in drafts]
        self._number(Initiative, initiatives)
        Initiative.objects.bulk_create(initiatives)
        rows = defaultdict(list)
        for draft in drafts:
            for row in draft.rows:
                row.initiative_id = draft.initiative.pk
                rows[type(row)].append(row)
        for model, objects in rows.items():
            self._number(model, objects)
            model._default_manager.bulk_create(objects)
        self.initiative_ids.extend(initiative.pk for initiative in initiatives)

    def finish(self):
        connection = connections[self.using]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(self.next_ids)):
                cursor.execute(sql)

    def _number(self, model, objects):
        if model not in self.next_ids:
            highest = model._base_manager.aggregate(highest=Max("pk"))["highest"] or 0
            self.next_ids[model] = max(FIRST_ID, highest + 1)
        first = self.next_ids[model]
        for offset, row in enumerate(objects):
            row.pk = first + offset
        self.next_ids[model] = first + len(objects)


class _Maker:
    """Makes up one initiative at a time, from one random generator so that a seed repeats a run."""

    def __init__(self, rng, vocabulary):
        self.rng = rng
        self.vocabulary = vocabulary
        self.kind_weights = [KIND_WEIGHTS.get(kind.slug, 1) for kind in vocabulary.kinds]
        self.form_weights = [LEGAL_FORM_WEIGHTS.get(form.slug, 1) for form in vocabulary.legal_forms]

    def draft(self, number, commune):
        rng, words = self.rng, self.vocabulary
        kind = rng.choices(words.kinds, weights=self.kind_weights)[0]
        themes = rng.sample(words.themes, rng.randint(1, min(3, len(words.themes))))
        initiative = self._initiative(number, commune, kind, themes[0])
        draft = _Draft(initiative)

        through = Initiative.kinds.through
        draft.rows.append(through(kind_id=kind.pk))
        if rng.random() < 0.25:
            other = rng.choice(words.kinds)
            if other != kind:
                draft.rows.append(through(kind_id=other.pk))
        draft.rows.extend(Initiative.themes.through(theme_id=theme.pk) for theme in themes)
        if words.networks and rng.random() < 0.3:
            draft.rows.append(Initiative.networks.through(network_id=rng.choice(words.networks).pk))
        if commune.epci_id and rng.random() < 0.2:
            draft.rows.append(Initiative.territories_served.through(territory_id=commune.epci_id))

        draft.rows.extend(self._legal_entities(initiative.name))
        draft.rows.extend(self._partnerships())
        draft.rows.extend(self._fundings(initiative.started_year))
        draft.rows.extend(InitiativeLever(lever_id=lever.pk) for lever in self._some(words.levers, 2))
        draft.rows.extend(
            InitiativeObstacle(obstacle_id=obstacle.pk) for obstacle in self._some(words.obstacles, 2)
        )
        draft.rows.extend(self._milestones(initiative.started_year, initiative.opened_year))
        return draft

    def _initiative(self, number, commune, kind, theme):
        rng = self.rng
        prefixes, what = KIND_WORDS.get(kind.slug, ((kind.label.split(" / ")[0],), "Un lieu"))
        name = self._name(rng.choice(prefixes), commune.name)
        stage = rng.choices(list(STAGES), weights=list(STAGES.values()))[0]
        if stage in (Stage.ACTIVE, Stage.STOPPED):
            started = round(rng.triangular(1995, LAST_YEAR, 2018))
            opened = min(started + rng.randint(0, 5), LAST_YEAR) if rng.random() < 0.9 else None
        else:
            started, opened = rng.randint(2018, LAST_YEAR), None
        theme = THEME_PHRASES.get(theme.slug, f"« {theme.label} »")
        at = _at(commune.name)
        description = [
            rng.choice(ORIGINS).format(year=started),
            "On y trouve **{}**, {} et {}.".format(*rng.sample(ACTIVITIES, 3)),
        ]
        if rng.random() < 0.5:
            description.append(rng.choice(CLOSINGS))
        status = Initiative.Status.PUBLISHED
        if rng.random() >= 0.95:
            status = rng.choice([Initiative.Status.DRAFT, Initiative.Status.REVIEW])
        return Initiative(
            name=name,
            slug=f"{SLUG_PREFIX}{number:0{NUMBER_WIDTH}d}-{slugify(name)[:180]}",
            summary=rng.choice(SUMMARIES).format(
                What=what, what=_lower_first(what), theme=theme, at=at, At=_upper_first(at)
            ),
            description=" ".join(description),
            stage=stage,
            started_year=started,
            opened_year=opened,
            address=f"{rng.randint(1, 120)} {rng.choice(STREETS)}" if rng.random() < 0.7 else "",
            commune_id=commune.pk,
            location=self._near(commune),
            location_precision=Initiative.LocationPrecision.ADDRESS,
            surface_m2=self._maybe(0.8, lambda: self._amount(400, 0.9, 50, 5000, step=10)),
            investment_eur=self._maybe(0.6, lambda: self._amount(150_000, 1.2, 5000, 5_000_000, step=1000)),
            annual_budget_eur=self._maybe(
                0.7, lambda: self._amount(120_000, 1.0, 5000, 3_000_000, step=1000)
            ),
            jobs_fte=self._maybe(0.7, lambda: Decimal(min(2500, int(rng.expovariate(1 / 40)))) / 10),
            volunteers=self._maybe(0.75, lambda: min(500, int(rng.expovariate(1 / 25)))),
            status=status,
            verified_on=self._maybe(0.3, lambda: date(2022, 1, 1) + timedelta(days=rng.randint(0, 1275))),
            sources=SOURCES,
            is_demo=True,
        )

    def _name(self, prefix, commune_name):
        rng = self.rng
        noun = rng.choice(PLACE_NOUNS)
        return rng.choice(
            (
                f"{prefix} {noun}",
                f"{prefix} {noun} {_of(commune_name)}",
                f"{noun} {_of(commune_name)}",
                f"{prefix} {rng.choice(QUARTERS)}",
                f"{prefix} {_of(commune_name)}",
            )
        )

    def _near(self, commune):
        """A point a few hundred metres to 2 km from the commune's centre, evenly over a disc."""
        distance = commune.radius_km * math.sqrt(self.rng.random())
        bearing = self.rng.uniform(0, 2 * math.pi)
        km_per_degree = 111.32
        y = commune.y + distance * math.cos(bearing) / km_per_degree
        x = commune.x + distance * math.sin(bearing) / (km_per_degree * math.cos(math.radians(commune.y)))
        return Point(round(x, 6), round(y, 6), srid=4326)

    def _legal_entities(self, name):
        rng, forms = self.rng, self.vocabulary.legal_forms
        roles = [LegalEntity.Role.PROJECT_HOLDER]
        if rng.random() < 0.4:
            roles.append(rng.choice(OTHER_ENTITY_ROLES))
        used = set()
        for role in roles:
            form = rng.choices(forms, weights=self.form_weights)[0]
            if form in used:  # "Association X" twice would read as a mistake
                continue
            used.add(form)
            prefix = ENTITY_PREFIXES.get(form.slug, form.label)
            yield LegalEntity(name=f"{prefix} {name}"[:200], legal_form_id=form.pk, role=role)

    def _partnerships(self):
        rng = self.rng
        for organization in self._some(self.vocabulary.organizations, 3):
            stage = rng.choice(STAGE_VALUES) if rng.random() < 0.5 else ""
            yield Partnership(organization_id=organization.pk, role=rng.choice(PARTNER_ROLES), stage=stage)

    def _fundings(self, started):
        rng, words = self.rng, self.vocabulary
        for _line in range(rng.randint(0, 2)):
            tool = rng.choice(words.tools).pk if words.tools and rng.random() < 0.8 else None
            funder = (
                rng.choice(words.organizations).pk if words.organizations and rng.random() < 0.5 else None
            )
            yield Funding(
                tool_id=tool,
                funder_id=funder,
                amount=self._maybe(0.8, lambda: self._amount(30_000, 1.2, 1000, 2_000_000, step=100)),
                year=self._maybe(0.85, lambda: rng.randint(started, min(started + 5, LAST_YEAR))),
                # A line says at least where the money came from.
                note="" if tool or funder else rng.choice(OWN_FUNDS),
            )

    def _milestones(self, started, opened):
        """One to three steps, from the year the project started to the year it opened."""
        rng = self.rng
        steps = [Milestone(year=started, stage=Stage.EMERGENCE, title=rng.choice(FIRST_STEPS))]
        wanted = rng.randint(1, 3)
        if opened and wanted > 1:
            steps.append(Milestone(year=opened, stage=Stage.ACTIVE, title=rng.choice(OPENINGS)))
        if len(steps) < wanted:
            title, stage = rng.choice(MIDDLE_STEPS)
            year = rng.randint(started, opened or min(started + 3, LAST_YEAR))
            steps.append(Milestone(year=year, stage=stage, title=title))
        for step in steps:
            step.public_action = rng.choice(PUBLIC_ACTIONS)
        return sorted(steps, key=lambda step: step.year)

    def _some(self, choices, most):
        """Zero to ``most`` different items of ``choices``."""
        return self.rng.sample(choices, self.rng.randint(0, min(most, len(choices))))

    def _maybe(self, probability, make):
        """``make()`` with the given probability, otherwise None (a field the source leaves empty)."""
        return make() if self.rng.random() < probability else None

    def _amount(self, typical, spread, lowest, highest, step):
        """A whole number around ``typical`` (log-normal), a multiple of ``step`` between ``lowest``
        and ``highest``."""
        value = self.rng.lognormvariate(math.log(typical), spread)
        return min(highest, max(lowest, round(value / step) * step))


def _of(name):
    """ "de Lille", "d'Arras", "du Havre", "des Mureaux", "de La Rochelle"."""
    if name.startswith("Le "):
        return f"du {name[3:]}"
    if name.startswith("Les "):
        return f"des {name[4:]}"
    if name[0] in "AEIOUYÉÈÊÎÔH":
        return f"d'{name}"
    return f"de {name}"


def _at(name):
    """ "à Lille", "au Havre", "aux Mureaux"."""
    if name.startswith("Le "):
        return f"au {name[3:]}"
    if name.startswith("Les "):
        return f"aux {name[4:]}"
    return f"à {name}"


def _upper_first(text):
    return text[:1].upper() + text[1:]


def _lower_first(text):
    return text[:1].lower() + text[1:]
