"""Keeps each initiative's search text in step with the facts it is made of.

What the search reads is declared once, with the initiative's parts (``catalogue.models.parts``):
the receivers below follow it. An initiative's text is rebuilt when it is saved, when its searched
many-to-many values change (kinds, themes), when one of its searched rows is saved or deleted
(legal entities, partnerships, funding lines), and when an object whose text it reads is renamed
(a legal form, an organisation, a funding tool, a kind…).

Fixture loading ("raw" saves) is followed too, so that ``loaddata`` leaves the search right.
"""

from collections import defaultdict

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import Initiative
from .models.parts import MANY_TO_MANY, ROWS
from .search import refresh_search_text


def initiative_saved(sender, instance, **kwargs):
    refresh_search_text([instance.pk])


def values_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        refresh_search_text([instance.pk])
    else:
        # From the label's side: pk_set names the initiatives, except after a clear, which
        # leaves no trace of them; that never happens in the admin, so refresh them all.
        refresh_search_text(pk_set)


def row_changed(sender, instance, **kwargs):
    if Initiative.objects.filter(pk=instance.initiative_id).exists():
        refresh_search_text([instance.initiative_id])


def read_object_saved(sender, instance, created, **kwargs):
    if created:
        return
    condition = Q()
    for lookup in READ_THROUGH[sender]:
        condition |= Q(**{lookup: instance})
    refresh_search_text(Initiative.objects.filter(condition).distinct().values_list("pk", flat=True))


def read_through():
    """The models whose text the search reads through an initiative's parts, each with the lookups
    from Initiative that reach it: ``{LegalForm: ["legal_entities__legal_form"], Kind: ["kinds"]…}``."""
    lookups = defaultdict(list)
    for part in MANY_TO_MANY:
        if part.searched:
            lookups[part.model_field.related_model].append(part.field)
    for part in ROWS:
        query_name = part.model._meta.get_field("initiative").related_query_name()
        for path in part.searched:
            hop, _sep, rest = path.partition("__")
            if rest:
                lookups[part.model._meta.get_field(hop).related_model].append(f"{query_name}__{hop}")
    return dict(lookups)


READ_THROUGH = read_through()


def connect():
    """Connect the receivers (from ``CatalogueConfig.ready``)."""
    post_save.connect(initiative_saved, sender=Initiative, dispatch_uid="search:initiative")
    for part in MANY_TO_MANY:
        if part.searched:
            m2m_changed.connect(values_changed, sender=part.through, dispatch_uid=f"search:{part.field}")
    for part in ROWS:
        if part.searched:
            uid = f"search:{part.model_name}"
            post_save.connect(row_changed, sender=part.model, dispatch_uid=uid)
            post_delete.connect(row_changed, sender=part.model, dispatch_uid=uid)
    for model in READ_THROUGH:
        post_save.connect(read_object_saved, sender=model, dispatch_uid=f"search:read:{model._meta.label}")
