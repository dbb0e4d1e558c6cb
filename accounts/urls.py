"""Pages of the accounts that the admin does not serve itself: forgotten passwords and the
invitation link. Not namespaced: Django's admin and auth views look these names up as they are
(``admin_password_reset``, ``password_reset_done``, ``password_reset_confirm``…)."""

from django.urls import path

from . import invitations, passwords

urlpatterns = [
    path("compte/mot-de-passe-oublie/", passwords.PasswordResetView.as_view(), name="admin_password_reset"),
    path(
        "compte/mot-de-passe-oublie/envoye/",
        passwords.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "compte/nouveau-mot-de-passe/<uidb64>/<token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "compte/nouveau-mot-de-passe/enregistre/",
        passwords.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "compte/bienvenue/<uidb64>/<token>/",
        invitations.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
]
