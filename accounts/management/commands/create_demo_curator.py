"""Creates (or resets) the demo curator account of the local quick start, and prints its credentials.

Only for the local demonstration set-up: it refuses to run when DEBUG is off, so that no
production site ever gets an account whose password was printed on a terminal.
"""

import os
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Membership, Network, User
from accounts.roles import curators_group

DEMO_EMAIL = "curatrice.demo@example.org"
DEMO_NETWORK = "cap-rural"


class Command(BaseCommand):
    help = "Create the demo curator account (local demo only, never with DEBUG off)."

    def add_arguments(self, parser):
        parser.add_argument("--email", default=DEMO_EMAIL)

    @transaction.atomic
    def handle(self, *args, email, **options):
        if not settings.DEBUG:
            raise CommandError(
                "The demo curator account is only for the local demo: DEBUG is off, nothing done."
            )
        password = secrets.token_urlsafe(12)
        user, created = User.objects.get_or_create(
            email__iexact=email, defaults={"email": email, "first_name": "Camille", "last_name": "Démo"}
        )
        user.is_staff = True
        user.is_active = True
        user.set_password(password)
        user.save()
        user.groups.add(curators_group())
        network = Network.objects.filter(slug=DEMO_NETWORK).first()
        if network:
            # A coordinator, so that the demo shows the whole workflow: writing, reviewing,
            # publishing, inviting.
            Membership.objects.update_or_create(
                user=user, network=network, defaults={"role": Membership.Role.COORDINATOR}
            )
        self.stdout.write(
            self.style.SUCCESS(
                "\nDemo curator account (local demo only):\n"
                f"  URL:      http://{_host()}/admin/\n"
                f"  E-mail:   {email}\n"
                f"  Password: {password}\n"
            )
        )


def _host():
    return f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
