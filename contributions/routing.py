"""Which networks a suggestion goes to.

A correction goes to the networks that curate the entry. A proposal goes to the networks that work
where it is: whose territories contain its commune (the commune itself, its EPCI, its département
or its région). None matching means no network: every curator may then take it.
"""

from accounts.models import Network


def networks_for_suggestion(suggestion):
    """The networks ``suggestion`` (saved or not) is routed to, as a queryset."""
    if suggestion.kind == suggestion.Kind.CORRECTION:
        return Network.objects.filter(initiatives=suggestion.initiative_id)
    commune = suggestion.commune
    if commune is None:
        return Network.objects.none()
    places = {commune.pk, commune.epci_id, commune.departement_id, commune.region_id} - {None}
    return Network.objects.filter(territories__in=places).distinct()


def route(suggestion):
    """Route a saved suggestion: set its networks."""
    suggestion.networks.set(networks_for_suggestion(suggestion))
