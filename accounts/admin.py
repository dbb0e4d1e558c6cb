"""Admin of the people who log in (by e-mail address) and of the curating networks they belong to."""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

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
    fields = ("network", "role", "joined_on")
    readonly_fields = ("joined_on",)
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
    model = Membership
    fields = ("user", "role", "joined_on")
    readonly_fields = ("joined_on",)
    autocomplete_fields = ("user",)
    extra = 0


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
