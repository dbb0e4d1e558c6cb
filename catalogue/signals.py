"""Keeps what the public pages read of each initiative (its search text, facet values and point, see
``catalogue.indexing``) in step with the facts it is made of.

The parts of an initiative are declared once (``catalogue.models.parts``), and so are its facets
(``catalogue.facets``): the receivers below follow them. An initiative is refreshed when it is saved,
when its many-to-many values change (kinds, themes, networks…), when one of its rows is saved or
deleted (legal entities, partnerships, funding lines, levers…), and when an object that its text
or its facets read is changed (a legal form, an organisation, a funding tool, a kind, a lever…),
and when a load of the territories changes its commune (``territories.signals``).

Fixture loading ("raw" saves) is followed too, so that ``loaddata`` leaves the public tables right.
"""

from collections import defaultdict

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from territories import signals as territory_signals

from .facets import catalogue_facets
from .indexing import refresh, withdraw
from .models import Initiative
from .models.parts import MANY_TO_MANY, ROWS


def initiative_saved(sender, instance, **kwargs):
    refresh([instance.pk])


def initiative_deleted(sender, instance, **kwargs):
    withdraw([instance.pk])


def values_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        refresh([instance.pk])
    else:
        # From the label's side: pk_set names the initiatives, except after a clear, which
        # leaves no trace of them; that never happens in the admin, so refresh them all.
        refresh(pk_set)


def row_changed(sender, instance, **kwargs):
    if Initiative.objects.filter(pk=instance.initiative_id).exists():
        refresh([instance.initiative_id])


def read_object_saved(sender, instance, created, **kwargs):
    if created:
        return
    condition = Q()
    for lookup in READ_THROUGH[sender]:
        condition |= Q(**{lookup: instance})
    refresh(Initiative.objects.filter(condition).distinct().values_list("pk", flat=True))


def read_through():
    """The models whose text the search or whose values the facets read through an initiative's
    parts, each with the lookups from Initiative that reach it: ``{LegalForm:
    ["legal_entities__legal_form"], Kind: ["kinds"], Lever: ["levers"]…}``."""
    lookups = defaultdict(set)
    for part in MANY_TO_MANY:
        if part.searched:
            lookups[part.model_field.related_model].add(part.field)
    for part in ROWS:
        query_name = part.model._meta.get_field("initiative").related_query_name()
        for path in part.searched:
            hop, _sep, rest = path.partition("__")
            if rest:
                lookups[part.model._meta.get_field(hop).related_model].add(f"{query_name}__{hop}")
    rows = {part.model for part in ROWS}
    for facet in catalogue_facets():
        model, names = Initiative, facet.path.split("__")
        for depth, name in enumerate(names):
            model = model._meta.get_field(name).related_model
            if model is None:
                break
            if model not in rows:  # a row's own changes are followed already
                lookups[model].add("__".join(names[: depth + 1]))
    return {model: sorted(paths) for model, paths in lookups.items()}


READ_THROUGH = read_through()


def territories_changed(sender, pks, **kwargs):
    # A new year of the official files: the communes' names, populations and density classes that
    # the search texts and the facets read, and the territories around them that the places read
    # (of the initiatives located there and of those serving them).
    located = set(Initiative.objects.filter(commune_id__in=pks).values_list("pk", flat=True))
    serving = Initiative.territories_served.through.objects.filter(territory_id__in=pks)
    refresh(sorted(located | set(serving.values_list("initiative_id", flat=True))))


def connect():
    """Connect the receivers (from ``CatalogueConfig.ready``)."""
    post_save.connect(initiative_saved, sender=Initiative, dispatch_uid="search:initiative")
    pre_delete.connect(initiative_deleted, sender=Initiative, dispatch_uid="search:initiative")
    for part in MANY_TO_MANY:
        m2m_changed.connect(values_changed, sender=part.through, dispatch_uid=f"search:{part.field}")
    for part in ROWS:
        uid = f"search:{part.model_name}"
        post_save.connect(row_changed, sender=part.model, dispatch_uid=uid)
        post_delete.connect(row_changed, sender=part.model, dispatch_uid=uid)
    territory_signals.territories_changed.connect(territories_changed, dispatch_uid="search:territories")
    for model in READ_THROUGH:
        post_save.connect(read_object_saved, sender=model, dispatch_uid=f"search:read:{model._meta.label}")
