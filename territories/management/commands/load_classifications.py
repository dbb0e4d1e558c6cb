"""Loads the official classifications of the communes (INSEE, ANCT) from the files given."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from territories.classifications import load_classifications


class Command(BaseCommand):
    help = (
        "Load the official classifications of the communes from INSEE's and the ANCT's files: the "
        "density grid (densite.csv), centralities (centralite.csv), rural typology (ruralite.csv), "
        "mountain massifs (montagne.csv) and the programmes Petites villes de demain, Action cœur de "
        "ville and Villages d'avenir (programme-pvd/acv/va.geojson). A directory stands for the files "
        "it holds. Each file is the whole list of its classification; loading it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="A file, or a directory of files.")

    def handle(self, *args, paths, **options):
        missing = [path for path in paths if not Path(path).exists()]
        if missing:
            raise CommandError(f"No such file or directory: {', '.join(missing)}.")
        started = time.perf_counter()
        reports = load_classifications(paths)
        loaded = sum(bool(report.what) for report in reports)
        for report in reports:
            for line in report.lines():
                self.stdout.write(line)
        seconds = time.perf_counter() - started
        if not loaded:
            raise CommandError("None of these files is a known classification; nothing was changed.")
        self.stdout.write(self.style.SUCCESS(f"{loaded} files loaded in {seconds:.1f} s."))
