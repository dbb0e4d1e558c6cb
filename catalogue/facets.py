"""The facets of the catalogue, each declared once: "Forme juridique : SCIC (12), SCOP (3)…".

A facet is a URL parameter whose values add up (SCIC *or* SCOP) while facets narrow each other
(SCIC *and* rural). Its spec below says everything about it: the parameter, the legend, the path
from an initiative to its value, and whether its box opens when nothing in it is ticked. From the
spec come the FilterSet's filter (``Facet.filter()``, see ``catalogue.filters``), the counts per
value (``Facet.counts()``) and the box of the page (``templates/catalogue/partials/facet.html``).

What the values are follows from the path: the rows of the vocabulary it ends on (their slugs), or
the choices of the field it ends on.

Counts are computed among the results of every *other* filter, so that ticking SCIC still shows how
many SCOP there are to add: one GROUP BY query per facet, whatever the number of results or values.
How a facet counts follows from its path: through the table of a many-to-many relation (kinds,
levers…), on the rows of a part (an initiative with two SCIC entities counts once), or on the
initiatives themselves (their stage, their commune's density class).

The facets shown are ``FACETS``, unless the ``CATALOGUE_FACETS`` setting lists others: adding a
facet is one entry. This module imports no model, so that a settings module can import it.
"""

from dataclasses import dataclass, field

import django_filters
from django import forms
from django.apps import apps
from django.conf import settings
from django.db.models import Case, CharField, Count, Q, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


def _initiative():
    return apps.get_model("catalogue", "Initiative")


class SubqueryFilterMixin:
    """Filters on a relation with ``pk IN (…)``: no duplicate rows, no DISTINCT."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(
            pk__in=_initiative().objects.filter(**{f"{self.field_name}__in": value}).values("pk")
        )


class RelatedChoiceFilter(SubqueryFilterMixin, django_filters.ModelMultipleChoiceFilter):
    pass


class RelatedValueFilter(SubqueryFilterMixin, django_filters.MultipleChoiceFilter):
    pass


@dataclass(frozen=True)
class Facet:
    """A facet on the field that ``path`` leads to: a vocabulary (kinds, legal forms…), whose slugs
    are the values, in the vocabulary's order; or a field with choices (the stage), in their order."""

    param: str  # in the URL: ?forme=scic
    label: Promise  # the legend of its box, and the filter's label in error messages
    path: str  # from an initiative to the value: "legal_entities__legal_form", "stage"
    opened: bool = False  # whether its box is open when nothing in it is ticked

    def _fields(self):
        """The fields the path goes through, the initiative's first."""
        model, fields = _initiative(), []
        for name in self.path.split("__"):
            fields.append(model._meta.get_field(name))
            model = fields[-1].related_model
        return fields

    # --- The filter -----------------------------------------------------------------------------

    def filter(self):
        """The django-filter filter of this facet, for ``InitiativeFilterSet``."""
        fields = self._fields()
        options = {"field_name": self.path, "label": self.label, "widget": forms.CheckboxSelectMultiple}
        vocabulary = fields[-1].related_model
        if vocabulary is not None:
            return RelatedChoiceFilter(to_field_name="slug", queryset=vocabulary.objects.all(), **options)
        if fields[0].many_to_many or fields[0].one_to_many:
            return RelatedValueFilter(choices=fields[-1].choices, **options)
        return django_filters.MultipleChoiceFilter(choices=fields[-1].choices, **options)

    # --- The counts -----------------------------------------------------------------------------

    def counts(self, initiatives):
        """{value: number of ``initiatives``} of each value found among them."""
        fields = self._fields()
        relation, rest = fields[0], self.path.partition("__")[2]
        # A vocabulary's values are its slugs.
        slug = "__slug" if fields[-1].related_model is not None else ""
        if relation.many_to_many:
            # Through the relation's own table: one row per (initiative, value).
            value = "__".join(part for part in (relation.m2m_reverse_field_name(), rest) if part)
            rows = relation.remote_field.through.objects.filter(initiative_id__in=initiatives.values("pk"))
            return self._grouped(rows, value + slug, Count("initiative_id"))
        if relation.one_to_many:
            # On the part's rows: an initiative with two rows of the same value counts once.
            rows = relation.related_model.objects.filter(initiative_id__in=initiatives.values("pk"))
            return self._grouped(rows, rest + slug, Count("initiative_id", distinct=True))
        return self._grouped(initiatives, self.path + slug, Count("pk"))

    @staticmethod
    def _grouped(rows, value, count):
        return dict(rows.order_by().values_list(value).annotate(n=count))

    # --- The values -----------------------------------------------------------------------------

    def options(self, form_field):
        """(value, label) of every value of the facet, in order, from the form's own field (whose
        vocabulary is read once per request)."""
        if isinstance(form_field, forms.ModelMultipleChoiceField):
            return [(row.slug, str(row)) for row in form_field.queryset]
        return [(value, str(label)) for value, label in form_field.choices]


@dataclass(frozen=True)
class Band:
    """A band of numbers, from ``low`` (included) up to ``high`` (excluded); None is open."""

    key: str
    label: Promise
    low: int | None
    high: int | None

    def condition(self, path):
        condition = Q(**{f"{path}__isnull": False})
        if self.low is not None:
            condition &= Q(**{f"{path}__gte": self.low})
        if self.high is not None:
            condition &= Q(**{f"{path}__lt": self.high})
        return condition


@dataclass(frozen=True)
class BandsFacet(Facet):
    """A facet on a number cut into named bands (the commune's population)."""

    bands: tuple[Band, ...] = field(default=())

    def filter(self):
        return django_filters.MultipleChoiceFilter(
            method=self._filter_bands,
            choices=[(band.key, band.label) for band in self.bands],
            label=self.label,
            widget=forms.CheckboxSelectMultiple,
        )

    def _filter_bands(self, queryset, name, values):
        if not values:
            return queryset
        condition = Q()
        for band in self.bands:
            if band.key in values:
                condition |= band.condition(self.path)
        return queryset.filter(condition)

    def counts(self, initiatives):
        band = Case(
            *(When(band.condition(self.path), then=Value(band.key)) for band in self.bands),
            default=Value(""),
            output_field=CharField(),
        )
        return dict(initiatives.order_by().annotate(band=band).values_list("band").annotate(n=Count("pk")))


# Population bands of the commune, in the words of the people who use them.
POPULATION_BANDS = (
    Band("moins-2000", _("fewer than 2,000 inhabitants"), None, 2000),
    Band("2000-10000", _("2,000 to 10,000 inhabitants"), 2000, 10000),
    Band("10000-50000", _("10,000 to 50,000 inhabitants"), 10000, 50000),
    Band("50000-200000", _("50,000 to 200,000 inhabitants"), 50000, 200000),
    Band("plus-200000", _("more than 200,000 inhabitants"), 200000, None),
)

FACETS = (
    Facet("type", _("Kind"), "kinds", opened=True),
    Facet("theme", _("Theme"), "themes"),
    Facet("etape", _("Stage"), "stage"),
    Facet("forme", _("Legal form"), "legal_entities__legal_form", opened=True),
    Facet("outil", _("Funding tool"), "fundings__tool"),
    Facet("levier", _("Public-action lever"), "levers"),
    Facet("partenaire", _("Kind of partner"), "partnerships__organization__kind"),
    Facet("reseau", _("Network"), "networks"),
    Facet("densite", _("Density"), "commune__density_class"),
    BandsFacet("population", _("Population of the commune"), "commune__population", bands=POPULATION_BANDS),
)


def catalogue_facets():
    """The facets of the catalogue, in the order the page shows them."""
    return tuple(getattr(settings, "CATALOGUE_FACETS", FACETS))


# --- What the page shows ------------------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    count: int
    checked: bool


@dataclass
class CountedFacet:
    """A facet's box on the page: its values with their counts, and which are ticked."""

    spec: Facet
    options: list

    @property
    def name(self):
        return self.spec.param

    @property
    def legend(self):
        return str(self.spec.label)

    @property
    def checked_count(self):
        return sum(option.checked for option in self.options)

    @property
    def opened(self):
        return self.spec.opened or bool(self.checked_count)


def counted_facets(filterset):
    """The facets of the page, each with its values, their counts and whether they are ticked."""
    cleaned = filterset.cleaned
    result = []
    for spec in filterset.facets:
        counts = spec.counts(filterset.without(spec.param))
        ticked = {getattr(value, "slug", value) for value in cleaned.get(spec.param) or ()}
        options = [
            Option(value=value, label=label, count=counts.get(value, 0), checked=value in ticked)
            for value, label in spec.options(filterset.form.fields[spec.param])
        ]
        result.append(CountedFacet(spec=spec, options=options))
    return result
