""" "Trouver des projets comparables au mien": the project an official describes, and the published
initiatives most like it, with their reasons, narrowed by the catalogue's usual filters."""

from django.utils.functional import cached_property
from django.views.generic import TemplateView

from .. import similarity
from ..filters import InitiativeFilterSet
from ..forms import ProjectForm
from ..models import Initiative

RESULTS = 10


class ComparablesView(TemplateView):
    """A GET form (the URL holds the whole description, so it can be shared and printed) and, once
    something is described, the ranked list. The catalogue's filters that the description does not
    already use (a network, a territory, the year…) narrow the candidates, with the same parameters
    as the list page."""

    template_name = "catalogue/comparables.html"

    @cached_property
    def form(self):
        return ProjectForm(self.request.GET or None)

    @cached_property
    def narrowing(self):
        """The list's FilterSet, bound to the parameters that are not the description's."""
        data = self.request.GET.copy()
        for name in ProjectForm.base_fields:
            data.pop(name, None)
        return InitiativeFilterSet(data=data, queryset=Initiative.objects.published(), request=self.request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, narrowing = self.form, self.narrowing
        results = None
        if form.is_bound and form.is_valid() and form.describes_something:
            candidates = narrowing.qs if narrowing.active else None
            reference = form.profile()
            radius = None
            if form.near and reference.point:
                radius = form.radius_km
                place = form.cleaned_data["lieu"]
                candidates = (candidates if candidates is not None else Initiative.objects.published()).near(
                    place.centre, radius
                )
            results = similarity.comparables(
                reference, limit=RESULTS, candidates=candidates, radius_km=radius, yours=True
            )
        context.update(
            form=form,
            narrowing_form=narrowing.form,
            narrowing_errors=[
                (name, narrowing.form.fields[name].label, errors)
                for name, errors in narrowing.form.errors.items()
                if name in narrowing.form.fields
            ],
            results=results,
            result_initiatives=[comparable.initiative for comparable in results or ()],
        )
        return context
