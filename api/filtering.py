"""The catalogue's own FilterSet, for the API: the same parameters as the list page
(``catalogue.filters.InitiativeFilterSet``), over the published initiatives only, with the same
leniency — a value that is not understood leaves its filter out and is reported, never an error.

``filter_parameters()`` describes those parameters for the OpenAPI description, read from the
FilterSet's own form, so that the description cannot drift from what the API accepts.
"""

from django import forms
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from catalogue.filters import InitiativeFilterSet
from catalogue.models import Initiative


class PublicFiltersMixin:
    """For a DRF view: ``self.filterset``, bound to the query string; its errors are kept on the
    request for the pagination to write."""

    @cached_property
    def filterset(self):
        filterset = InitiativeFilterSet(
            data=self.request.GET, request=self.request, queryset=Initiative.objects.published()
        )
        self.request.filter_errors = {
            name: [str(message) for message in errors] for name, _label, errors in filterset.not_understood()
        }
        return filterset


SEVERAL_VALUES = gettext_lazy(
    "(Several values add up: ?type=a&type=b. The codes are those of the vocabulary's endpoint.)"
)


def filter_parameters():
    """The OpenAPI parameters of the catalogue's filters, one per field of its form."""
    form = InitiativeFilterSet(data={}, queryset=Initiative.objects.none()).form
    parameters = []
    for name, field in form.fields.items():
        # Lazy: the description is written in the language of each request for the schema.
        description = field.label or name
        if field.help_text:
            description = format_lazy("{} — {}", description, field.help_text)
        if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            items = {"type": "string"}
            if not isinstance(field, forms.ModelMultipleChoiceField):  # a vocabulary's are its endpoint's
                items["enum"] = [value for value, _label in field.choices]
            parameters.append(
                OpenApiParameter(
                    name,
                    {"type": "array", "items": items},
                    description=format_lazy("{} {}", description, SEVERAL_VALUES),
                    style="form",
                    explode=True,
                )
            )
            continue
        kind = OpenApiTypes.BOOL if isinstance(field, forms.BooleanField) else OpenApiTypes.STR
        if isinstance(field, forms.IntegerField):
            # Its bounds, as the form checks them.
            kind = {"type": "integer", "minimum": field.min_value, "maximum": field.max_value}
            kind = {key: value for key, value in kind.items() if value is not None}
        enum = None
        if isinstance(field, forms.ChoiceField):
            enum = [value for value, _label in field.choices if value]
        parameters.append(OpenApiParameter(name, kind, description=description, enum=enum))
    return parameters
