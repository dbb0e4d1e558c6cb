"""What each role may do in the admin: the curators' group and its permissions.

Each app says what curators may do with its models, as a ``curator_permissions`` mapping on its
AppConfig (model name → actions): the catalogue lets them write entries, the territories let them
look territories up, this app lets them see the networks. This module gathers them, so that
accounts needs to import none of those apps.

The group is kept up to date after every ``migrate`` (see ``accounts.apps``), so that a production
site has it without any demo command. Its name is French because Django shows group names as they
are stored: network staff are "contributeurs" (in French a "curateur" is a legal guardian).
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission

CURATORS_GROUP = "Contributeurs"


def wanted_permissions():
    """(app label, codename) of every permission the curators' group holds."""
    wanted = set()
    for config in apps.get_app_configs():
        for model_name, actions in getattr(config, "curator_permissions", {}).items():
            wanted |= {(config.label, f"{action}_{model_name}") for action in actions}
    return wanted


def curator_permissions(using="default"):
    """The permissions of the curators' group, in one query."""
    wanted = wanted_permissions()
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


# --- Roles in the networks ----------------------------------------------------------------------
# What each role may do with the entries is said in catalogue.permissions; this is only who holds
# which role where.


def network_roles(user):
    """The user's role in each of their networks, by network id ({} for anyone else). Read once
    per user object (one request): a membership changed during the request shows on the next."""
    if not (user and user.is_authenticated and user.is_active):
        return {}
    roles = getattr(user, "_network_roles", None)
    if roles is None:
        from .models import Membership

        roles = dict(Membership.objects.filter(user=user).values_list("network_id", "role"))
        user._network_roles = roles
    return roles


def member_network_ids(user):
    """The ids of the networks the user belongs to, whatever their role."""
    return set(network_roles(user))


def coordinated_network_ids(user):
    """The ids of the networks the user coordinates."""
    from .models import Membership

    return {network for network, role in network_roles(user).items() if role == Membership.Role.COORDINATOR}


def is_administrator(user):
    """An administrator does everything, in every network."""
    return bool(user and user.is_active and user.is_superuser)
