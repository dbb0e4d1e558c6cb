"""Loads every territory of France (régions, départements, EPCI, communes) from the shipped files."""

import time

from django.core.management.base import BaseCommand, CommandError

from territories.loader import (
    DEFAULT_DIRECTORY,
    NOT_READ,
    ORDER,
    TerritoryFileError,
    read_territory_files,
    write_territories,
)
from territories.models import Territory


class Command(BaseCommand):
    help = (
        "Load or refresh the territories of France from fixtures/territories/. Checks every file "
        "before writing; running it again only changes what differs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            default=str(DEFAULT_DIRECTORY),
            help="Directory holding manifest.json and the four files (default: %(default)s).",
        )
        parser.add_argument(
            "--departement",
            action="append",
            metavar="CODE",
            help="Load only this département (repeatable), with its région and intercommunalities: "
            "a light database for a local demo or a test.",
        )
        parser.add_argument(
            "--without-contours",
            action="store_true",
            help="Do not read the communes' contours (faster; those already loaded are kept). Without "
            "contours a point's commune is the one whose town hall is nearest.",
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            rows = read_territory_files(
                options["source"],
                departements=options["departement"],
                contours=not options["without_contours"],
            )
        except TerritoryFileError as error:
            raise CommandError(f"The territories were not loaded, nothing was changed:\n{error}") from None
        if options["departement"] and not rows[Territory.Kind.DEPARTEMENT]:
            raise CommandError(f"Unknown département: {', '.join(options['departement'])}.")
        report = write_territories(rows, report_missing=not options["departement"])
        seconds = time.perf_counter() - started

        plurals = {
            Territory.Kind.COMMUNE: "communes",
            Territory.Kind.EPCI: "EPCI",
            Territory.Kind.DEPARTEMENT: "départements",
            Territory.Kind.REGION: "régions",
        }
        counts = ", ".join(f"{len(rows[kind])} {plurals[kind]}" for kind in reversed(ORDER))
        with_contours = sum(1 for row in rows[Territory.Kind.COMMUNE] if row.contour not in (None, NOT_READ))
        if with_contours:
            counts += f" ({with_contours} contours)"
        self.stdout.write(
            self.style.SUCCESS(
                f"Territories loaded in {seconds:.1f} s: {counts}. "
                f"{report.total(report.created)} created, {report.total(report.updated)} updated, "
                f"{report.total(report.unchanged)} unchanged."
            )
        )
        if report.not_in_files:
            self.stdout.write(
                f"{report.not_in_files} territories of the database are no longer in the files "
                "(merged communes…); they were kept, since initiatives may refer to them."
            )
