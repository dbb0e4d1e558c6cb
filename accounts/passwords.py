"""Forgotten passwords: Django's reset by e-mail, from the admin's login page, in the admin's look.

The admin's login page offers "Forgotten your password?" as soon as a URL named
``admin_password_reset`` exists (see ``accounts.urls``); the pages are Django's own admin
templates (``registration/password_reset_*.html``), under the site's header."""

import unicodedata

from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views

from .models import User

SITE_NAME = "Percolateur"


class AdminLookMixin:
    """The admin site's header and title on a page that the admin itself does not serve."""

    def get_context_data(self, **kwargs):
        return {**admin.site.each_context(self.request), **super().get_context_data(**kwargs)}


def _same_address(typed, stored):
    return unicodedata.normalize("NFKC", typed).casefold() == unicodedata.normalize("NFKC", stored).casefold()


def awaits_first_password(user):
    """An invited person who has not chosen a password yet (their account has an unusable one until
    then). Django sends no reset link to accounts with unusable passwords, which is right for
    accounts shut out of password logins; but an invitee whose link expired must be able to get
    another from "Forgotten your password?"."""
    return user.last_login is None and user.memberships.filter(invited_at__isnull=False).exists()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, which also reaches invited people who have no password yet."""

    def get_users(self, email):
        candidates = User._default_manager.filter(email__iexact=email, is_active=True)
        return (
            user
            for user in candidates
            if _same_address(email, user.email)
            and (user.has_usable_password() or awaits_first_password(user))
        )


class PasswordResetView(AdminLookMixin, auth_views.PasswordResetView):
    form_class = PasswordResetForm
    extra_email_context = {"site_name": SITE_NAME}


class PasswordResetDoneView(AdminLookMixin, auth_views.PasswordResetDoneView):
    pass


class PasswordResetConfirmView(AdminLookMixin, auth_views.PasswordResetConfirmView):
    pass


class PasswordResetCompleteView(AdminLookMixin, auth_views.PasswordResetCompleteView):
    pass
