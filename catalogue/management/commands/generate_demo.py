"""Writes made-up initiatives over real communes, flagged as demo data, or deletes them.

    manage.py generate_demo --count 10000            # adds 10,000 (numbered after those there)
    manage.py generate_demo --delete                 # deletes every demo initiative, and only them
    manage.py generate_demo --delete --count 10000   # replaces them

The lookups (``load_seed``) and the territories (``load_territories``) must be loaded first. The
generation itself is in :mod:`catalogue.demo_data`.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from catalogue.demo_data import DEFAULT_SEED, MissingData, delete_demo_data, generate_demo_data


class Command(BaseCommand):
    help = (
        "Add made-up initiatives over real communes (is_demo, slugs demo-…), for trying the site out "
        "or benchmarking it; --delete removes them. Real initiatives are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, help="How many demo initiatives to add.")
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="Random seed (default: %(default)s). From a catalogue without demo entries, the same "
            "seed and count give the same entries; a further run continues the numbering and makes "
            "other entries.",
        )
        parser.add_argument(
            "--delete",
            action="store_true",
            help="Delete every demo initiative first (alone, or with --count to replace them).",
        )

    def handle(self, *args, count, seed, delete, **options):
        if count is None and not delete:
            raise CommandError("Say how many demo initiatives to add with --count N (or use --delete).")
        if count is not None and count < 1:
            raise CommandError(f"--count must be at least 1 (got {count}).")
        # One transaction: a --delete --count that fails for want of lookups deletes nothing. The
        # times include the commit, where PostgreSQL checks the deferred foreign keys.
        started = time.perf_counter()
        with transaction.atomic():
            if delete:
                deleted = delete_demo_data()
            deleted_at = time.perf_counter()
            if count:
                try:
                    generated = generate_demo_data(count, seed=seed)
                except MissingData as error:
                    raise CommandError(str(error)) from None
        finished = time.perf_counter()
        if delete:
            seconds = (deleted_at if count else finished) - started
            self.stdout.write(f"{deleted} demo initiatives deleted in {seconds:.1f} s.")
        if count:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{generated.initiatives} demo initiatives created over "
                    f"{generated.communes} communes in {finished - deleted_at:.1f} s."
                )
            )
