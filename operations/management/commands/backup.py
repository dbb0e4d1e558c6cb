"""``manage.py backup [--output PATH] [--media]``: a backup of the whole database (``pg_dump`` on
PostgreSQL, SQLite's online backup on SpatiaLite), under ``var/backups/`` with the date in its name
unless a path is given; with ``--media``, the uploaded files too, in a tar archive beside it."""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from operations import backups


class Command(BaseCommand):
    help = gettext_lazy("Back up the database to a file, and print its path, its size and the rows it holds.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="PATH",
            help=gettext_lazy(
                "Where to write the backup (default: var/backups/percolateur-DATE.dump or .sqlite3)."
            ),
        )
        parser.add_argument(
            "--media",
            action="store_true",
            help=gettext_lazy(
                "Also archive the uploaded files (MEDIA_ROOT) beside the backup, as NAME.media.tar.gz."
            ),
        )

    def handle(self, *args, output=None, media=False, **options):
        try:
            path = backups.backup(output)
            if media:
                archive = backups.media_archive_path(path)
                files = backups.backup_media(archive)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written to %(path)s (%(size)s).")
                % {"path": path, "size": filesizeformat(path.stat().st_size)}
            )
        )
        if media:
            self.stdout.write(
                _("%(files)d uploaded files archived in %(path)s (%(size)s).")
                % {"files": files, "path": archive, "size": filesizeformat(archive.stat().st_size)}
            )
        self.stdout.write(_("Rows in the database:"))
        self.stdout.write("\n".join(backups.counts_table(backups.row_counts())))
