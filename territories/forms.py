"""Form fields for choosing a place: what the catalogue's filters and, later, other forms share."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .labels import find_place
from .text import MAX_PLACE_LENGTH


class PlaceField(forms.CharField):
    """A territory, typed as text or picked from the suggestions (which write its label). Cleans to
    the Territory, or to None when empty; a text that names no place is a validation error.

    Once understood, the box shows the place's label ("lille" becomes "Lille (59)"), so that the
    person sees which of the homonyms is meant.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_PLACE_LENGTH)
        super().__init__(*args, **kwargs)
        self.found = None

    def clean(self, value):
        self.found = None
        text = super().clean(value)
        if not text:
            return None
        territory = self.found = find_place(text)
        if territory is None:
            raise ValidationError(_("No commune or territory matches “%(text)s”."), params={"text": text})
        return territory

    def prepare_value(self, value):
        return str(self.found) if self.found is not None else value
