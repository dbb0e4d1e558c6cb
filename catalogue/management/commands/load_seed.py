"""Loads the seed's fixtures into an empty catalogue, and gives each entry a first history record.

The fixtures refer to territories by kind and official code: ``load_territories`` must have run.
It never overwrites a catalogue that curators have started to edit: when initiatives exist it does
nothing. To start the demo afresh, delete ``var/percolateur.sqlite3`` and run the set-up again.
"""

from io import StringIO

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalogue.indexing import deferred
from catalogue.models import Initiative
from territories.models import Territory

SEED_FIXTURES = ("lookups", "organizations", "initiatives")
# The territories the fixtures refer to, by kind and official code.
SEED_TERRITORIES = (
    ("region", "32"),
    ("departement", "59"),
    ("departement", "62"),
    ("epci", "200069672"),
    ("epci", "200041960"),
    ("epci", "200093201"),
    ("commune", "62652"),
    ("commune", "59350"),
    ("commune", "59197"),
    ("commune", "59466"),
)


class Command(BaseCommand):
    help = "Load the seed fixtures into an empty catalogue (does nothing when it has initiatives)."

    def handle(self, *args, **options):
        if Initiative.objects.filter(is_demo=False).exists():
            self.stdout.write("The catalogue already has initiatives: the seed was not loaded again.")
            return
        missing = [f"{kind} {code}" for kind, code in SEED_TERRITORIES if not _exists(kind, code)]
        if missing:
            raise CommandError(
                f"The seed refers to territories that are not loaded ({', '.join(missing)}): "
                "run `manage.py load_territories` first."
            )
        with transaction.atomic():
            with deferred():  # what the public pages read, refreshed once after the whole load
                call_command("loaddata", *SEED_FIXTURES, verbosity=0)
            # loaddata saves without history; a first record per entry makes the first curator
            # change undoable.
            call_command("populate_history", "--auto", stdout=StringIO(), stderr=StringIO())
        self.stdout.write(
            self.style.SUCCESS(f"Seed loaded: {Initiative.objects.count()} initiatives in the catalogue.")
        )


def _exists(kind, code):
    return Territory.objects.filter(kind=kind, code=code).exists()
