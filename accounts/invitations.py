"""Invitations: a network's coordinator (or an administrator) brings someone into the network.

The invited person gets a curator's account if they have none (staff, in the curators' group, with
no password yet) and an e-mail, in the inviter's language, with a link to choose their password.
The link is a password-reset token of its own kind: it hashes the password, so it dies as soon as
the password is set, and after PASSWORD_RESET_TIMEOUT otherwise. Someone who already has a
password only gets a notice that they joined the network.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from .models import Membership, User
from .passwords import SITE_NAME, PasswordResetConfirmView
from .roles import coordinated_network_ids, curators_group, is_administrator


def may_invite(user, network):
    """Coordinators invite people to their own networks; administrators to every network."""
    return is_administrator(user) or network.pk in coordinated_network_ids(user)


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for invitation links, which a password-reset link cannot stand in for (nor the other
    way round): each kind of link opens its own page."""

    key_salt = "accounts.invitations.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


class InvitationForm(forms.Form):
    """Who to invite, and with which role. The network is the page's, never a field: a form cannot
    be turned into an invitation to another network."""

    email = forms.EmailField(label=_("e-mail address"))
    role = forms.ChoiceField(
        label=_("role"),
        choices=Membership.Role.choices,
        initial=Membership.Role.CONTRIBUTOR,
        help_text=_("A coordinator also publishes and archives the network's entries, and invites people."),
    )

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.network = network

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        user = User.objects.filter(email__iexact=email).first()
        if user is not None and not user.is_active:
            raise ValidationError(
                _("This person's account is deactivated: only an administrator can open it again."),
                code="inactive",
            )
        if user is not None and user.memberships.filter(network=self.network).exists():
            raise ValidationError(
                _("%(email)s is already a member of %(network)s."),
                code="member",
                params={"email": user.email, "network": self.network},
            )
        return email

    def save(self, request):
        """Invite the person; nothing is kept if the e-mail cannot be sent."""
        return invite(
            request,
            self.network,
            self.cleaned_data["email"],
            self.cleaned_data["role"],
        )


@transaction.atomic
def invite(request, network, email, role):
    """Add the person to the network with this role, creating their account if need be, and send
    them the e-mail. The e-mail is sent inside the transaction: if it fails, nobody was invited."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email, is_staff=True)
        user.set_unusable_password()
        user.save()
    elif not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    if not user.is_superuser:
        user.groups.add(curators_group())
    membership = Membership.objects.create(
        user=user,
        network=network,
        role=role,
        invited_by=request.user,
        invited_at=timezone.now(),
    )
    send_invitation(request, membership)
    return membership


def send_invitation(request, membership, language=None):
    """The invitation e-mail, in the inviter's language (the request's, French by default): a link
    to choose a password, or a notice for someone who already has one."""
    user = membership.user
    context = {
        "membership": membership,
        "network": membership.network,
        "inviter": membership.invited_by,
        "email": user.email,
        "site_name": SITE_NAME,
        "login_url": request.build_absolute_uri(reverse("admin:login")),
    }
    if user.has_usable_password():
        template = "accounts/email/invitation_notice"
    else:
        template = "accounts/email/invitation"
        path = reverse(
            "invitation_accept",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": invitation_tokens.make_token(user),
            },
        )
        context["link"] = request.build_absolute_uri(path)
        context["valid_days"] = max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 3600))
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        context["role"] = membership.get_role_display()
        subject = "".join(render_to_string(f"{template}_subject.txt", context).splitlines())
        body = render_to_string(f"{template}.txt", context)
    send_mail(subject, body, None, [user.email])


class InvitationAcceptView(PasswordResetConfirmView):
    """The invitation link: "Welcome… choose your password", then straight into the admin."""

    token_generator = invitation_tokens
    template_name = "accounts/invitation_accept.html"
    title = _("Welcome: choose your password")
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"
    success_url = reverse_lazy("admin:index")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is saved: welcome to the curators' space."))
        return response
