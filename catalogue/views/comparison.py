"""The side-by-side comparison of two to four published initiatives (``/comparer/?i=…&i=…``), on
the page and as a CSV, both read from ``catalogue.comparison``."""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.generic import TemplateView, View

from .. import comparison
from ..models import Initiative


def comparison_url(name, slugs):
    """The address of the comparison (or its CSV) of ``slugs``, in that order."""
    query = urlencode([(comparison.PARAMETER, slug) for slug in slugs])
    return reverse(name) + (f"?{query}" if query else "")


def selection_of(request):
    """The selection that the request's ``i=`` values ask for, its initiatives read with every
    part the rows show, in a bounded number of queries."""
    queryset = Initiative.objects.published().for_fiche().select_related("commune__epci")
    return comparison.read_selection(request.GET.getlist(comparison.PARAMETER), queryset)


class ComparisonView(TemplateView):
    """The comparison page: a table with one column per initiative, or, when the selection cannot
    be compared (fewer than two, more than four), what to do about it. Always a 200 that says what
    it left out."""

    template_name = "catalogue/comparison.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        selection = selection_of(self.request)
        slugs = selection.slugs
        columns = [
            {
                "initiative": initiative,
                "remove_url": comparison_url(
                    "catalogue:compare", [slug for slug in slugs if slug != initiative.slug]
                ),
            }
            for initiative in selection.initiatives
        ]
        context.update(
            selection=selection,
            columns=columns,
            rows=comparison.table(selection.initiatives) if selection.comparable else [],
            csv_url=comparison_url("catalogue:compare-csv", slugs),
            # Back to the list with the selection ticked, to add another.
            list_url=reverse("catalogue:map")
            + (f"?{urlencode([('i', slug) for slug in slugs])}" if slugs else ""),
            min_compared=comparison.MIN_COMPARED,
            max_compared=comparison.MAX_COMPARED,
            max_values=comparison.MAX_VALUES,
        )
        return context


class ComparisonCsvView(View):
    """The comparison as a CSV for a French spreadsheet (see ``catalogue.exports``): the rows of the
    page as lines, the initiatives as columns. A selection that cannot be compared is a 400 that
    says why, in plain text."""

    def get(self, request):
        selection = selection_of(request)
        if not selection.comparable:
            message = gettext("Choose from %(min)d to %(max)d published initiatives to compare.") % {
                "min": comparison.MIN_COMPARED,
                "max": comparison.MAX_COMPARED,
            }
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        text = comparison.csv_text(selection.initiatives, request.build_absolute_uri)
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        filename = f"percolateur-comparaison-{timezone.localdate().isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
