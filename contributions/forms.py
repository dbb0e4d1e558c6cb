"""The public forms: "Proposer une initiative" and "Signaler une correction".

Both carry two guards against robots that people never notice: a honeypot field, hidden from
people (by CSS and from assistive technologies), which only a robot fills; and the signed time at
which the form was shown, so that a form sent faster than a person can type is refused (see
``guards``). Either refusal asks the person, politely, to send the form again, and keeps what they
typed.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from territories.forms import PlaceField
from territories.labels import find_place
from territories.models import Territory
from territories.text import MIN_PLACE_LENGTH

from . import guards
from .models import Suggestion

# The honeypot's name: one a robot would fill, and a browser's autofill would not.
HONEYPOT = "hp_reference"


class CommuneField(PlaceField):
    """A commune typed as text ("Pernes", "62550", "62652") or picked from the place suggestions
    ("Pernes (62)"). When the text names another kind of territory first ("Paris", "Nord"), a
    commune of exactly that name is taken; without one, the error says that a commune is needed."""

    def clean(self, value):
        self.found = None
        text = forms.CharField.clean(self, value)
        if not text:
            return None
        territory = find_place(text)
        if territory is None:
            raise ValidationError(
                _("No French commune matches “%(text)s”. Type its name, its postcode or its INSEE code."),
                code="unknown_commune",
                params={"text": text},
            )
        if territory.kind != Territory.Kind.COMMUNE:
            namesake = Territory.objects.communes().search(text).filter(match_rank=0).first()
            if namesake is None:
                raise ValidationError(
                    _(
                        "“%(place)s” is not a commune. Type the name of the commune, its postcode or "
                        "its INSEE code."
                    ),
                    code="not_a_commune",
                    params={"place": territory},
                )
            territory = namesake
        self.found = territory
        return territory


def _commune_input():
    return forms.TextInput(
        attrs={
            "class": "place-input",
            "autocomplete": "off",
            "placeholder": _("Pernes, 62550…"),
            "data-suggestions": reverse_lazy("territories:suggestions"),
            "data-kind": Territory.Kind.COMMUNE,
            "data-min-length": MIN_PLACE_LENGTH,
        }
    )


class SuggestionForm(forms.ModelForm):
    """What both public forms share: the submitter, the guards, and the rule that an e-mail address
    is needed to be told of the outcome."""

    opened = forms.CharField(widget=forms.HiddenInput, required=False)
    # Hidden from people by the template (CSS class and aria-hidden); its label says to leave it
    # empty, for anyone whose browser shows it anyway.
    hp_reference = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = Suggestion
        fields = ["submitter_name", "submitter_email", "wants_news"]
        labels = {
            "submitter_name": _("Your name (optional)"),
            "submitter_email": _("Your e-mail address (optional)"),
            "wants_news": _("Tell me by e-mail when a curator has handled my suggestion"),
        }
        help_texts = {
            "submitter_email": _(
                "Only the curators who handle your suggestion see it; it is never published."
            ),
        }

    # The message shown when a guard refuses the form: a person who gets it only has to send again.
    TRY_AGAIN = _(
        "Sorry, we could not be sure that this form was sent by a person. Please check it and send it again."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opened"].initial = guards.opened_token()
        self.guard_refused = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get(HONEYPOT) or not guards.token_is_acceptable(self.data.get("opened")):
            self.guard_refused = True
            self.renew_token()
            raise ValidationError(self.TRY_AGAIN, code="guard")
        if cleaned.get("wants_news") and not cleaned.get("submitter_email"):
            self.add_error(
                "submitter_email", _("Give an e-mail address so that we can tell you what became of it.")
            )
        return cleaned

    def renew_token(self):
        """Give the form shown again a fresh timestamp, and an empty honeypot: what the person
        typed is kept."""
        data = self.data.copy()
        data["opened"] = guards.opened_token()
        data[HONEYPOT] = ""
        self.data = data


class ProposalForm(SuggestionForm):
    """A new initiative: its name and commune are required, the rest helps the curators."""

    commune = CommuneField(label=_("Commune"), widget=_commune_input())
    # People type addresses without "https://".
    website = forms.URLField(
        label=_("Website (optional)"), required=False, max_length=200, assume_scheme="https"
    )

    class Meta(SuggestionForm.Meta):
        fields = ["name", "commune", "address", "website", "message", *SuggestionForm.Meta.fields]
        labels = {
            **SuggestionForm.Meta.labels,
            "name": _("Name of the initiative"),
            "address": _("Address (optional)"),
            "message": _("What is it? What does it do, since when, with whom?"),
        }
        help_texts = {
            **SuggestionForm.Meta.help_texts,
            "commune": _("Its name, its postcode or its INSEE code."),
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 6})}
        error_messages = {"name": {"required": _("Give the name of the initiative.")}}

    field_order = ["name", "commune", "address", "website", "message"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = True
        self.fields["commune"].error_messages["required"] = _("Give the commune where the initiative is.")
        self.instance.kind = Suggestion.Kind.PROPOSAL


class CorrectionForm(SuggestionForm):
    """A correction of a published initiative: what should change, and where it comes from."""

    class Meta(SuggestionForm.Meta):
        fields = ["message", *SuggestionForm.Meta.fields]
        labels = {
            **SuggestionForm.Meta.labels,
            "message": _("What should be corrected, and where does the right information come from?"),
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 8})}
        error_messages = {"message": {"required": _("Say what should be corrected.")}}

    def __init__(self, *args, initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].required = True
        self.instance.kind = Suggestion.Kind.CORRECTION
        self.instance.initiative = initiative
        self.instance.name = initiative.name
        self.instance.commune_id = initiative.commune_id
