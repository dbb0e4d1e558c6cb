"""The labels of many initiatives' kinds, themes or legal forms, read in one query.

The map data and the exports show, for each initiative, the labels of a vocabulary (``Lookup``) it is
linked to. Reading them per initiative would cost a query each; :func:`labels_of` reads them for a
whole batch of initiatives at once, from the table that links the initiatives to the vocabulary,
without reading the initiatives again.
"""

from collections import defaultdict

from .models import Initiative, LegalEntity

# A relation's name, and the table that links an initiative to the vocabulary (it has a foreign key
# ``initiative``) with that table's foreign key to the vocabulary.
RELATIONS = {
    "kinds": (Initiative.kinds.through, "kind"),
    "themes": (Initiative.themes.through, "theme"),
    # An initiative may have two entities of the same legal form: the form is listed once.
    "legal_forms": (LegalEntity, "legal_form"),
}


def labels_of(relation, ids):
    """The labels that each initiative of ``ids`` has in ``relation`` (a key of ``RELATIONS``), each
    once, in the vocabulary's own order (position, then label), keyed by initiative id. An initiative
    that has none is absent."""
    table, vocabulary = RELATIONS[relation]
    links = (
        table.objects.filter(initiative_id__in=ids)
        .order_by(f"{vocabulary}__position", f"{vocabulary}__label")
        .values_list("initiative_id", f"{vocabulary}__label")
        .distinct()
    )
    labels = defaultdict(list)
    for initiative_id, label in links:
        labels[initiative_id].append(label)
    return dict(labels)
