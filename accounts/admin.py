"""Admin of the people who log in (by e-mail address) and of the curating networks they belong to,
with the page where a network's coordinator invites people to it."""

from smtplib import SMTPException

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from .invitations import InvitationForm, may_invite
from .models import Membership, Network, NetworkResource, User


class _UniqueEmailMixin:
    """E-mail addresses that differ only by case reach the same mailbox: refuse the second one."""

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        others = User.objects.filter(email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(_("A user with this e-mail address already exists."), code="unique")
        return email


class UserCreationForm(_UniqueEmailMixin, auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(_UniqueEmailMixin, auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class UserMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    fields = ("network", "role", "joined_on", "invited_by", "invited_at")
    readonly_fields = ("joined_on", "invited_by", "invited_at")
    autocomplete_fields = ("network",)
    extra = 0


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    """Django's user admin, with the e-mail address where the user name was."""

    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "networks")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    inlines = (UserMembershipInline,)


class NetworkMembershipInline(admin.TabularInline):
    """The network's members: changed by administrators, seen by the network's coordinators too,
    who invite people to it (curators have no permission on memberships themselves)."""

    model = Membership
    fk_name = "network"
    fields = ("user", "role", "joined_on", "invited_by", "invited_at")
    readonly_fields = ("joined_on", "invited_by", "invited_at")
    autocomplete_fields = ("user",)
    extra = 0

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or (
            obj is not None and may_invite(request.user, obj)
        )

    def get_queryset(self, request):
        # Django empties an inline's rows for whoever may not view memberships at all; this page's
        # network was already checked (has_view_permission above), and the formset keeps only its
        # own memberships.
        return Membership.objects.select_related("user", "invited_by")


class NetworkResourceInline(admin.TabularInline):
    """The videos, reviews and online resources the network's public page lists."""

    model = NetworkResource
    fields = ("position", "title", "url", "kind", "description")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    extra = 0


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ("name", "website", "member_count")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "website", "description")
    # A website typed without a scheme is an https one (Django 6's default too).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = (NetworkResourceInline, NetworkMembershipInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, network):
        return network.member_count

    def get_urls(self):
        invite = path(
            "<path:object_id>/invite/",
            self.admin_site.admin_view(self.invite_view),
            name="accounts_network_invite",
        )
        return [invite, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        network = self.get_object(request, object_id)
        if network is not None and may_invite(request.user, network):
            extra_context = {
                **(extra_context or {}),
                "invite_url": reverse("admin:accounts_network_invite", args=[network.pk]),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def invite_view(self, request, object_id):
        """Invite someone to this network: its coordinators and administrators only (403 for
        anyone else, who is told nothing more)."""
        network = self.get_object(request, object_id)
        if network is None:
            raise Http404
        if not may_invite(request.user, network):
            raise PermissionDenied
        form = InvitationForm(request.POST or None, network=network)
        if request.method == "POST" and form.is_valid():
            try:
                membership = form.save(request)
            except (SMTPException, OSError):
                form.add_error(
                    None, _("The e-mail could not be sent, so nobody was invited: try again later.")
                )
            else:
                messages.success(
                    request,
                    _("%(email)s is invited to %(network)s as %(role)s.")
                    % {
                        "email": membership.user.email,
                        "network": network,
                        "role": membership.get_role_display(),
                    },
                )
                return redirect("admin:accounts_network_change", network.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Invite someone to the network %(network)s") % {"network": network},
            "opts": self.opts,
            "network": network,
            "form": form,
        }
        return TemplateResponse(request, "admin/accounts/network/invite.html", context)
