"""The parts of an initiative, listed once.

An initiative is its own fields plus two kinds of parts:

- **rows** that hang from it and are edited below its form in the admin: legal set-up, partners,
  funding lines, trajectory, levers used, obstacles met (``ROWS``);
- **many-to-many relations** ticked on its form: kinds, themes, networks, territories served
  (``MANY_TO_MANY``).

Everything that must know them reads these two lists, so that a new part is one entry here (and,
for a row, one admin inline): the history keeps the many-to-many values with each version
(``Initiative.history``) and puts the rows back on undo (``catalogue.history``); the admin shows one
inline per row part (``catalogue.admin.inlines``); the curators' group may add, change and remove
rows (``CatalogueConfig.curator_permissions``); the search text reads what ``searched`` names and
is refreshed when those change (``catalogue.search``, ``catalogue.signals``); the fiche prefetches
every part (``InitiativeQuerySet.for_fiche``).

This module imports no model, so that ``Initiative`` itself can read it; the models are looked up
in the app registry when asked for.
"""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class RowPart:
    """Rows of a model with a foreign key ``initiative`` (one initiative, many rows)."""

    model_name: str
    # What a row shows from other tables, read with it (``select_related``).
    related: tuple[str, ...] = ()
    # Paths, from the row, of the texts that the public search reads.
    searched: tuple[str, ...] = ()

    @property
    def model(self):
        return apps.get_model("catalogue", self.model_name)

    @property
    def accessor(self):
        """The initiative's name for its rows: ``initiative.legal_entities``."""
        return self.model._meta.get_field("initiative").remote_field.get_accessor_name()


@dataclass(frozen=True)
class ManyToManyPart:
    """A many-to-many field of the initiative (its values are kept with each version)."""

    field: str
    # Paths, from the related object, of the texts that the public search reads.
    searched: tuple[str, ...] = ()
    # The only fields the fiche reads of the related objects, when they are large (a contour).
    fiche_fields: tuple[str, ...] = ()

    @property
    def model_field(self):
        """The initiative's ``ManyToManyField``."""
        return apps.get_model("catalogue", "Initiative")._meta.get_field(self.field)

    @property
    def through(self):
        return self.model_field.remote_field.through

    @property
    def target(self):
        """The through table's foreign key to the related object: ``kind`` for ``kinds``."""
        return self.model_field.m2m_reverse_field_name()


ROWS = (
    RowPart("LegalEntity", related=("legal_form",), searched=("name", "legal_form__label")),
    RowPart("Partnership", related=("organization",), searched=("organization__name",)),
    RowPart("Funding", related=("tool", "funder"), searched=("funder__name", "tool__label")),
    RowPart("Milestone"),
    RowPart("InitiativeLever", related=("lever",)),
    RowPart("InitiativeObstacle", related=("obstacle",)),
)

MANY_TO_MANY = (
    ManyToManyPart("kinds", searched=("label",)),
    ManyToManyPart("themes", searched=("label",)),
    ManyToManyPart("networks"),
    # The likeness reads the population and density of the territories served (catalogue.similarity).
    ManyToManyPart(
        "territories_served",
        fiche_fields=("kind", "code", "name", "population", "density_class", "density_grid", "programmes"),
    ),
)
