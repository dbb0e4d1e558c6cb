"""What each role may do in the admin: the curators' group and its permissions.

The group is kept up to date after every ``migrate`` (see ``accounts.apps``), so that a production
site has it without any demo command. Its name is French because Django shows group names as they
are stored: network staff are "contributeurs" (in French a "curateur" is a legal guardian).
"""

from django.contrib.auth.models import Group, Permission

CURATORS_GROUP = "Contributeurs"

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


def curator_permissions(using="default"):
    """The permissions of the curators' group, in one query."""
    wanted = set()
    for app, names in _CURATOR_MODELS.items():
        wanted |= {(app, f"{action}_{name}") for name in names for action in ("add", "change", "view")}
    for app, names in _VIEW_ONLY_MODELS.items():
        wanted |= {(app, f"view_{name}") for name in names}
    wanted |= {("catalogue", f"delete_{name}") for name in _DELETABLE_INLINES}
    candidates = Permission.objects.using(using).filter(
        content_type__app_label__in={app for app, _codename in wanted},
        codename__in={codename for _app, codename in wanted},
    )
    permissions = [
        p
        for p in candidates.select_related("content_type")
        if (p.content_type.app_label, p.codename) in wanted
    ]
    if len(permissions) != len(wanted):
        found = {(p.content_type.app_label, p.codename) for p in permissions}
        raise LookupError(f"Permissions missing for the curators' group: {sorted(wanted - found)}")
    return permissions


def curators_group(using="default"):
    """The curators' group, created or brought up to date with its permissions."""
    group, _created = Group.objects.using(using).get_or_create(name=CURATORS_GROUP)
    group.permissions.set(curator_permissions(using))
    return group
