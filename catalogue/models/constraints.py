"""Bounds shared by the models' database constraints and their form validators."""

from dataclasses import dataclass

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.text import format_lazy

MIN_YEAR = 1800
MAX_YEAR = 2100


@dataclass(frozen=True)
class Bounds:
    minimum: int
    maximum: int

    @property
    def validators(self):
        return [MinValueValidator(self.minimum), MaxValueValidator(self.maximum)]

    def message(self, text):
        """``text`` (a lazy translation) with its ``{minimum}`` and ``{maximum}`` written in, when
        it is shown: the bounds are written here only."""
        return format_lazy(text, minimum=self.minimum, maximum=self.maximum)

    def condition(self, field):
        """A CHECK condition: the field is empty or within the bounds."""
        return Q(**{f"{field}__isnull": True}) | Q(
            **{f"{field}__gte": self.minimum, f"{field}__lte": self.maximum}
        )


plausible_year = Bounds(MIN_YEAR, MAX_YEAR)
