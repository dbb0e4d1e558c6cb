"""Loads the seed's fixtures into an empty catalogue, and gives each entry a first history record.

It never overwrites a catalogue that curators have started to edit: when initiatives exist it does
nothing. To start the demo afresh, delete ``var/percolateur.sqlite3`` and run the set-up again.
"""

from io import StringIO

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from catalogue.models import Initiative

SEED_FIXTURES = ("lookups", "territories", "organizations", "initiatives")


class Command(BaseCommand):
    help = "Load the seed fixtures into an empty catalogue (does nothing when it has initiatives)."

    def handle(self, *args, **options):
        if Initiative.objects.exists():
            self.stdout.write("The catalogue already has initiatives: the seed was not loaded again.")
            return
        with transaction.atomic():
            call_command("loaddata", *SEED_FIXTURES, verbosity=0)
            # loaddata saves without history; a first record per entry makes the first curator
            # change undoable.
            call_command("populate_history", "--auto", stdout=StringIO(), stderr=StringIO())
        self.stdout.write(
            self.style.SUCCESS(f"Seed loaded: {Initiative.objects.count()} initiatives in the catalogue.")
        )
