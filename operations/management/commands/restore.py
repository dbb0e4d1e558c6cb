"""``manage.py restore PATH [--yes]``: replace the whole database with a backup made by ``manage.py
backup`` (or by ``pg_dump --format=custom``, or a SQLite copy of the site's database).

The file is checked first: one that is not a backup of this engine is refused and nothing changes.
Then the command asks for confirmation; run without a terminal (cron, CI, a script) it refuses unless
``--yes`` is given.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from operations import backups


class Command(BaseCommand):
    help = gettext_lazy("Replace the whole database with a backup, and print the rows it holds afterwards.")

    def add_arguments(self, parser):
        parser.add_argument("path", help=gettext_lazy("The backup file."))
        parser.add_argument(
            "--yes",
            action="store_true",
            help=gettext_lazy("Do not ask for confirmation (needed without a terminal)."),
        )

    def handle(self, *args, path, yes=False, **options):
        try:
            backups.check_backup(path)
            if not yes:
                self.confirm(path)
            backups.restore(path)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(_("Database restored from %(path)s.") % {"path": path}))
        self.stdout.write(_("Rows in the database:"))
        self.stdout.write("\n".join(backups.counts_table(backups.row_counts())))
        if self.unapplied_migrations():
            self.stdout.write(
                self.style.WARNING(
                    _("The backup is older than the code: run manage.py migrate to bring it up to date.")
                )
            )

    def confirm(self, path):
        name = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
        if not sys.stdin.isatty():
            raise CommandError(
                _("A restore replaces everything in the database %(name)s: run it with --yes to confirm.")
                % {"name": name}
            )
        answer = input(
            _("Replace everything in the database %(name)s with %(path)s? Type 'yes' to go on: ")
            % {"name": name, "path": path}
        )
        if answer.strip().lower() not in {"yes", _("yes")}:
            raise CommandError(_("Restore cancelled: nothing was changed."))

    def unapplied_migrations(self):
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        return executor.migration_plan(executor.loader.graph.leaf_nodes())
