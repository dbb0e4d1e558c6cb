"""What each role may do in the admin: the curators' group and its permissions."""

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

CURATORS_GROUP = "Curateurs"

# Curators add, change and view entries; nobody deletes an initiative (deleting is archiving).
_CURATOR_MODELS = {
    "catalogue": [
        "initiative",
        "legalentity",
        "partnership",
        "funding",
        "milestone",
        "initiativelever",
        "initiativeobstacle",
        "organization",
        "fundingtool",
    ],
}
_VIEW_ONLY_MODELS = {
    "catalogue": ["territory", "legalform", "kind", "theme", "lever", "obstacle"],
    "accounts": ["network"],
}
# Inline rows may be removed from an initiative: the history keeps them.
_DELETABLE_INLINES = [
    "legalentity",
    "partnership",
    "funding",
    "milestone",
    "initiativelever",
    "initiativeobstacle",
]


def curator_permissions():
    codenames = []
    for app, names in _CURATOR_MODELS.items():
        codenames += [(app, f"{action}_{name}") for name in names for action in ("add", "change", "view")]
    for app, names in _VIEW_ONLY_MODELS.items():
        codenames += [(app, f"view_{name}") for name in names]
    codenames += [("catalogue", f"delete_{name}") for name in _DELETABLE_INLINES]
    permissions = []
    for app, codename in codenames:
        permissions.append(Permission.objects.get(content_type__app_label=app, codename=codename))
    return permissions


def curators_group():
    """The curators' group, created or brought up to date with its permissions."""
    group, _created = Group.objects.get_or_create(name=CURATORS_GROUP)
    group.permissions.set(curator_permissions())
    return group


CURATORS_GROUP_LABEL = _("Curators")
