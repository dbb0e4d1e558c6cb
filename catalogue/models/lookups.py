"""Small vocabularies that curators pick from: legal forms, kinds, themes, levers and obstacles."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Lookup(models.Model):
    """A named entry of a short vocabulary, shown in a curator-chosen order."""

    slug = models.SlugField(_("code"), max_length=80, unique=True)
    label = models.CharField(_("label"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "label"]

    def __str__(self):
        return self.label


class LegalForm(Lookup):
    """Association loi 1901, SCIC, SCOP, SCI…"""

    class Meta(Lookup.Meta):
        verbose_name = _("legal form")
        verbose_name_plural = _("legal forms")


class Kind(Lookup):
    """What kind of place or initiative it is: tiers-lieu, fab-lab, café associatif…"""

    class Meta(Lookup.Meta):
        verbose_name = _("kind of initiative")
        verbose_name_plural = _("kinds of initiative")


class Theme(Lookup):
    """What the initiative works on: culture, food, digital inclusion…"""

    class Meta(Lookup.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class Lever(Lookup):
    """A public-action lever named by the workshop: AMI, préfiguration, bail emphytéotique…"""

    class Meta(Lookup.Meta):
        verbose_name = _("public-action lever")
        verbose_name_plural = _("public-action levers")

    def get_absolute_url(self):
        return reverse("catalogue:lever", kwargs={"slug": self.slug})


class Obstacle(Lookup):
    """An obstacle to cooperation named by the workshop: different timescales, silos…"""

    class Meta(Lookup.Meta):
        verbose_name = _("obstacle")
        verbose_name_plural = _("obstacles")

    def get_absolute_url(self):
        return reverse("catalogue:obstacle", kwargs={"slug": self.slug})
