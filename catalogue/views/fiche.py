"""An initiative's fiche: every public fact we hold about it, and the projects most like it."""

from django.views.generic import DetailView

from .. import similarity
from ..models import Initiative, Partnership


class InitiativeDetailView(DetailView):
    """The fiche of a published initiative: every fact we hold about it, in a bounded number of
    queries whatever the number of partners, funding lines or milestones."""

    template_name = "catalogue/initiative_detail.html"
    context_object_name = "initiative"

    def get_queryset(self):
        return Initiative.objects.published().for_fiche()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        initiative = self.object
        context["partners_by_role"] = partners_by_role(initiative.partnerships.all())
        context["comparables"] = similarity.comparables_of(initiative)
        # Every initiative with an "Add to the comparison" box on the page: this one and its
        # comparables (the compare form carries the rest of the selection).
        context["compare_shown"] = [
            initiative,
            *(comparable.initiative for comparable in context["comparables"]),
        ]
        if initiative.location:
            context["location"] = {"lat": initiative.location.y, "lng": initiative.location.x}
        return context


def partners_by_role(partnerships):
    """The partnerships grouped under their role's label, roles in the order the model lists them."""
    order = {role: position for position, role in enumerate(Partnership.Role.values)}
    groups = {}
    for partnership in sorted(partnerships, key=lambda p: order.get(p.role, len(order))):
        groups.setdefault(partnership.get_role_display(), []).append(partnership)
    return list(groups.items())
