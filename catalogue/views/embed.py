"""The map that other sites embed: the page where a network's webmaster or a local authority picks
what it shows and copies an ``<iframe>`` snippet (``EmbedBuilderView``), and the minimal page that
the snippet frames (``EmbeddedMapView``). Both read the public FilterSet from the query string, so
that every filter of the list page also works in an embedded map's URL.

Only the embedded map may be framed. Its responses replace the policy's ``frame-ancestors 'none'``
with ``*`` and carry no X-Frame-Options; every other page keeps refusing to be framed. Refusing
frames protects against clickjacking, a page that dresses up another site's buttons to make its
visitors click them; the embedded map has nothing to click that changes anything (no form that
posts, no session it reads), so any site may frame it, including a commune's site still served
over plain ``http:``. ``*`` says exactly that: in CSP 3 it matches the ``http:`` and ``https:``
pages of every host, the same as ``https: http:`` but plainer to read.
"""

from dataclasses import dataclass

from csp.decorators import csp_replace
from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.generic import TemplateView

from .catalogue import PublicFiltersMixin, map_limits

# Who may frame the embedded map: any site (see the module's docstring).
EMBED_FRAME_ANCESTORS = ["*"]
# The entries the embedded page lists under its map; the list page has the others.
EMBED_LIST_LENGTH = 20
# The fields of the builder's form, in its order: the network, the territory, the kind (the facets
# when the catalogue has them). Any other filter of the query string is kept as it is.
BUILDER_FIELDS = ("reseau", "territoire", "type")


def understood_query(filterset):
    """The query string of the filters that ``filterset``'s form understood, each value as the form
    shows it once understood (a place by its label, "lille" becoming "Lille (59)"): what an embedded
    map's URL carries. Values the form refused are left out, as they are of the results; so are
    empty fields and the page number, which the embedded map has no use for."""
    form = filterset.form
    filterset.cleaned  # noqa: B018 (validates the form, which sets the places' labels)
    query = QueryDict(mutable=True)
    for name in form.fields:
        if name in form.errors:
            continue
        value = form[name].value()
        values = value if isinstance(value, (list, tuple)) else [value]
        values = [text for text in (str(item).strip() for item in values if item is not None) if text]
        if values:
            query.setlist(name, values)
    return query


def _with_query(path, query):
    return f"{path}?{query.urlencode()}" if query else path


def _only(query, names):
    """The parameters ``names`` of ``query``, all their values."""
    kept = QueryDict(mutable=True)
    for name in names:
        if name in query:
            kept.setlist(name, query.getlist(name))
    return kept


@dataclass
class BuilderField:
    """A field of the builder's form: a facet's boxes (``options``: value, label, ticked), or the
    territory's text box (``options`` None, the form's own field)."""

    name: str
    legend: str
    options: list | None = None


@dataclass
class KeptFilter:
    """A filter of the query string that the builder does not show, kept in its form."""

    name: str
    label: str
    values: list  # as the query string gives them, for the hidden fields
    shown: list  # as a person reads them: a facet's values by their labels


class EmbedBuilderView(PublicFiltersMixin, TemplateView):
    """``/integrer/``: choose a network, a territory, a kind; see the embedded map as it will be;
    copy its snippet. A GET form that shows the snippet for its choices without JavaScript; with
    it, the snippet and the preview follow the choices (``static/js/embed-builder.js``).

    The list page's link comes here with its filters in the query string: those that the builder
    does not show are kept (as hidden fields, and named on the page) so that the embedded map shows
    what the list showed."""

    template_name = "catalogue/embed_builder.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        query = understood_query(filterset)
        embed_path = _with_query(reverse("catalogue:embedded-map"), query)
        embed_url = self.request.build_absolute_uri(embed_path)
        kept = self.kept_filters(filterset, query)
        context.update(
            filterset=filterset,
            form=filterset.form,
            fields=self.fields(filterset),
            kept=kept,
            # The builder with its own choices only, for "remove the other filters".
            without_kept=_with_query(reverse("catalogue:embed"), _only(query, BUILDER_FIELDS)),
            filter_errors=filterset.not_understood(),
            embed_path=embed_path,
            embed_url=embed_url,
            snippet=embed_snippet(embed_url),
            frame_title=frame_title(),
        )
        return context

    @staticmethod
    def fields(filterset):
        """The builder's fields, in ``BUILDER_FIELDS``'s order: the territory, and the facets that
        the catalogue has, each with its values in the vocabulary's order."""
        facets = {spec.param: spec for spec in filterset.facets}
        form, cleaned = filterset.form, filterset.cleaned
        fields = []
        for name in BUILDER_FIELDS:
            if name == "territoire":
                fields.append(BuilderField(name=name, legend=str(form.fields[name].label)))
            elif name in facets:
                ticked = {getattr(value, "slug", value) for value in cleaned.get(name) or ()}
                options = [
                    (value, label, value in ticked)
                    for value, label in facets[name].options(form.fields[name])
                ]
                fields.append(BuilderField(name=name, legend=str(facets[name].label), options=options))
        return fields

    @staticmethod
    def kept_filters(filterset, query):
        """The filters of ``query`` that the builder does not show (a search, a legal form, the
        map's area… that the list page's link brought)."""
        facets = {spec.param: spec for spec in filterset.facets}
        kept = []
        for name in query:
            if name in BUILDER_FIELDS:
                continue
            field, values = filterset.form.fields[name], query.getlist(name)
            if name in facets:
                labels = dict(facets[name].options(field))
            elif isinstance(field, forms.ChoiceField):
                labels = {str(value): label for value, label in field.choices}
            else:
                labels = {}
            # A box to tick ("Search the words as typed") says it all with its label.
            shown = [] if isinstance(field, forms.BooleanField) else [str(labels.get(v, v)) for v in values]
            kept.append(KeptFilter(name=name, label=str(field.label), values=values, shown=shown))
        return kept


def frame_title():
    """The iframe's title, which screen readers announce before entering it."""
    return f"{_('Map of tiers-lieux and citizen initiatives')} · {_('Percolateur')}"


def embed_snippet(url):
    """The HTML to paste in another site's page: an iframe of the embedded map at ``url``, as wide
    as the column it is put in, loaded when scrolled near."""
    return format_html(
        '<iframe src="{}" title="{}" width="100%" height="500" loading="lazy" style="border:0"></iframe>',
        url,
        frame_title(),
    )


@method_decorator(xframe_options_exempt, name="dispatch")
@method_decorator(csp_replace({"frame-ancestors": EMBED_FRAME_ANCESTORS}), name="dispatch")
class EmbeddedMapView(PublicFiltersMixin, TemplateView):
    """``/carte/integree/``: the map and the first results of the filters, framed in another site's
    page. No header, footer or navigation; each fiche opens on this site in a new tab, and a link
    leads to the list page with the same filters for the rest. The only page that other sites may
    frame (see the module's docstring)."""

    template_name = "catalogue/embedded_map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        initiatives = list(filterset.sorted_qs().for_card()[:EMBED_LIST_LENGTH])
        # Fewer than a full list are all the results: no need to count them.
        count = len(initiatives) if len(initiatives) < EMBED_LIST_LENGTH else filterset.qs.count()
        context.update(
            filterset=filterset,
            form=filterset.form,
            initiatives=initiatives,
            count=count,
            list_length=EMBED_LIST_LENGTH,
            has_filters=bool(filterset.active),
            filter_errors=filterset.not_understood(),
            list_url=_with_query(reverse("catalogue:map"), query),
            frame_title=frame_title(),
            map_limits=map_limits(),
        )
        return context
