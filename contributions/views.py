"""The public pages of the suggestions: the two forms and their thank-you pages.

Nothing a citizen sends is public: it waits in the admin for a curator. Over the rate limit, the
answer is a 429 page that says when to come back, and nothing is saved.
"""

from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from catalogue.models import Initiative

from . import guards
from .forms import CorrectionForm, ProposalForm
from .routing import route


class SuggestionFormView(FormView):
    """A public suggestion form: the rate limit is counted on every submission, then the form's own
    guards and validation; a valid suggestion is saved, routed, and the person thanked."""

    template_name = "contributions/suggestion_form.html"

    def post(self, request, *args, **kwargs):
        if guards.over_rate_limit(request):
            response = TemplateResponse(
                request,
                "contributions/too_many.html",
                {"minutes": guards.RATE_PERIOD // 60},
                status=429,
            )
            response["Retry-After"] = str(guards.RATE_PERIOD)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        with transaction.atomic():
            suggestion = form.save()
            route(suggestion)
        return redirect(self.get_success_url())


class ProposalView(SuggestionFormView):
    form_class = ProposalForm
    extra_context = {"kind": "proposal"}

    def get_success_url(self):
        return reverse("contributions:proposal-thanks")


class PublishedInitiativeMixin:
    """Only a published entry can be corrected: any other slug is a 404, as its fiche is."""

    def dispatch(self, request, *args, **kwargs):
        self.initiative = get_object_or_404(Initiative.objects.published(), slug=kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(initiative=self.initiative, **kwargs)


class CorrectionView(PublishedInitiativeMixin, SuggestionFormView):
    form_class = CorrectionForm
    extra_context = {"kind": "correction"}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "initiative": self.initiative}

    def get_success_url(self):
        return reverse("contributions:correction-thanks", kwargs={"slug": self.initiative.slug})


class ProposalThanksView(TemplateView):
    template_name = "contributions/thanks.html"
    extra_context = {"kind": "proposal"}


class CorrectionThanksView(PublishedInitiativeMixin, TemplateView):
    template_name = "contributions/thanks.html"
    extra_context = {"kind": "correction"}
