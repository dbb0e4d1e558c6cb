"""The public forms of the catalogue other than its filters: the project an official describes to
find comparable ones ("Trouver des projets comparables au mien")."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from territories.forms import PlaceField
from territories.models import Territory

from . import limits, similarity
from .filters import _place_input
from .models import FundingTool, Kind, LegalForm, Lever, Stage, Theme

# More values than any vocabulary holds is no description: a tampered or pasted URL.
MAX_VALUES = 20
MAX_JOBS = 100_000
DEFAULT_RADIUS_KM = 50


class VocabularyChoiceField(forms.ModelMultipleChoiceField):
    """Values of a vocabulary picked by their slug, at most ``MAX_VALUES`` of them."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="slug", required=False, **kwargs)

    def clean(self, value):
        if value and len(value) > MAX_VALUES:
            raise ValidationError(
                _("Pick at most %(limit)s values here."), code="too_many", params={"limit": MAX_VALUES}
            )
        return super().clean(value)


SCOPES = [("france", _("anywhere in France")), ("pres", _("near me"))]


class ProjectForm(forms.Form):
    """The project an official is considering: where, what, how it would be set up and helped, how
    large. Every field may stay empty; what is given becomes the reference of the likeness
    (``catalogue.similarity``). The parameters have short French names, as the filters do, since
    the URL holds the whole form."""

    lieu = PlaceField(
        label=_("Your commune or intercommunality"),
        required=False,
        widget=_place_input(_("Pernes, CC du Ternois, 62550…")),
    )
    type = VocabularyChoiceField(Kind.objects.all(), label=_("Kind of project"))
    theme = VocabularyChoiceField(Theme.objects.all(), label=_("Themes"))
    forme = VocabularyChoiceField(LegalForm.objects.all(), label=_("Legal forms envisaged"))
    etape = forms.ChoiceField(
        label=_("Where the project stands"), required=False, choices=[("", "—"), *Stage.choices]
    )
    surface = forms.IntegerField(
        label=_("Rough surface (m²)"),
        required=False,
        min_value=0,
        max_value=limits.MAX_AMOUNT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    investissement = forms.IntegerField(
        label=_("Rough investment (€)"),
        required=False,
        min_value=0,
        max_value=limits.MAX_AMOUNT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    emplois = forms.DecimalField(
        label=_("Jobs (full-time equivalent)"),
        required=False,
        min_value=0,
        max_value=MAX_JOBS,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
    )
    outil = VocabularyChoiceField(FundingTool.objects.all(), label=_("Funding tools you could use"))
    levier = VocabularyChoiceField(Lever.objects.all(), label=_("Levers the local authority could pull"))
    portee = forms.ChoiceField(
        label=pgettext_lazy("comparables", "Where to look"),
        required=False,
        choices=SCOPES,
        widget=forms.RadioSelect,
    )
    rayon = forms.IntegerField(
        label=_("Within (km)"),
        required=False,
        min_value=limits.MIN_RADIUS_KM,
        max_value=limits.MAX_RADIUS_KM,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": DEFAULT_RADIUS_KM}),
    )

    DESCRIBING = (
        "lieu",
        "type",
        "theme",
        "forme",
        "etape",
        "surface",
        "investissement",
        "emplois",
        "outil",
        "levier",
    )

    def clean_lieu(self):
        place = self.cleaned_data.get("lieu")
        if place is not None and place.kind not in (Territory.Kind.COMMUNE, Territory.Kind.EPCI):
            raise ValidationError(
                _(
                    "Pick a commune or an intercommunality: a département or a région holds territories "
                    "too different to compare."
                )
            )
        return place

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("portee") == "pres" and not cleaned.get("lieu") and "lieu" not in self.errors:
            self.add_error("lieu", _("Give your commune or intercommunality to look near you."))
        return cleaned

    @property
    def describes_something(self):
        """Whether the person described anything at all (an empty form asks for nothing yet)."""
        return any(_given(self.cleaned_data.get(name)) for name in self.DESCRIBING)

    @property
    def near(self):
        return self.cleaned_data.get("portee") == "pres" and self.cleaned_data.get("lieu") is not None

    @property
    def radius_km(self):
        return self.cleaned_data.get("rayon") or DEFAULT_RADIUS_KM

    def profile(self):
        """The described project as the likeness's reference."""
        data = self.cleaned_data
        place = data.get("lieu")
        if place is None:
            territory = {}
        elif place.kind == Territory.Kind.COMMUNE:
            territory = similarity.territory_profile(place, place.epci)
        else:
            territory = similarity.territory_profile(None, place)
        jobs = data.get("emplois")
        return similarity.Profile(
            kinds=_slugs(data.get("type")),
            themes=_slugs(data.get("theme")),
            forms=_slugs(data.get("forme")),
            tools=_slugs(data.get("outil")),
            levers=_slugs(data.get("levier")),
            stage=data.get("etape") or "",
            surface=data.get("surface"),
            investment=data.get("investissement"),
            jobs=float(jobs) if jobs is not None else None,
            point=(place.centre.x, place.centre.y) if place is not None and place.centre else None,
            **territory,
        )


def _given(value):
    # A surface of 0 m² is something said; an empty list of kinds is not.
    return value is not None and value != "" and not (hasattr(value, "__len__") and len(value) == 0)


def _slugs(rows):
    return frozenset(row.slug for row in rows or ())
