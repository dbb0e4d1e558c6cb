"""Public URLs of the citizens' suggestions."""

from django.urls import path

from . import views

app_name = "contributions"
urlpatterns = [
    path("proposer/", views.ProposalView.as_view(), name="proposal"),
    path("proposer/merci/", views.ProposalThanksView.as_view(), name="proposal-thanks"),
    path("initiatives/<slug:slug>/signaler/", views.CorrectionView.as_view(), name="correction"),
    path(
        "initiatives/<slug:slug>/signaler/merci/",
        views.CorrectionThanksView.as_view(),
        name="correction-thanks",
    ),
]
