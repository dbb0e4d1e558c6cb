"""Backups of the database, and restores from them, on PostgreSQL (PostGIS) and on SQLite (SpatiaLite).

- PostgreSQL: ``pg_dump --format=custom`` of the ``default`` database, restored with ``pg_restore
  --clean --if-exists --no-owner`` in a single transaction, so that a restore that fails changes
  nothing. The extensions (PostGIS, unaccent, pg_trgm) are left out of the restore: dropping them
  needs their owner (usually a superuser, not the site's role), and the site's tables depend on them;
  those the database lacks are created before the restore instead.
- SQLite: Python's online backup API (``sqlite3.Connection.backup``), which copies a consistent
  database page by page while the site runs, both ways: into the backup file, and from it into the
  live database. No ``sqlite3`` program is needed.

A backup is written under a temporary name and renamed once complete, so that the final name never
holds half a backup, and readable by its owner only (it holds password hashes and e-mail addresses).
A file is checked before anything is restored from it: one that is not a backup of this engine, or
not of a Django database, is refused and the database is left as it was.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router
from django.utils import timezone
from django.utils.translation import gettext as _

# The file name's ending for each engine's backups (Django's ``connection.vendor``).
SUFFIXES = {"postgresql": ".dump", "sqlite": ".sqlite3"}
MEDIA_SUFFIX = ".media.tar.gz"


class BackupError(Exception):
    """A backup or a restore that could not be made, with what the operator can do about it."""


# --- The whole database ---------------------------------------------------------------------------


def backup_dir():
    """Where backups go when no path is given: ``BACKUP_DIR``, by default ``var/backups``."""
    return Path(getattr(settings, "BACKUP_DIR", Path(settings.BASE_DIR) / "var" / "backups"))


def default_backup_path(using=DEFAULT_DB_ALIAS):
    """``var/backups/percolateur-2026-12-03T141500.dump`` (``.sqlite3`` on SQLite), in local time."""
    stamp = timezone.localtime().strftime("%Y-%m-%dT%H%M%S")
    return backup_dir() / f"percolateur-{stamp}{SUFFIXES.get(connections[using].vendor, '')}"


def backup(path=None, using=DEFAULT_DB_ALIAS):
    """Write a backup of the database to ``path`` (by default a new dated file) and return its path."""
    connection = connections[using]
    _outside_transaction(connection)
    path = Path(path) if path else default_backup_path(using)
    with written_atomically(path) as partial:
        if _vendor(connection) == "postgresql":
            _pg_backup(connection, partial)
        else:
            _sqlite_backup(connection, partial)
    return path


def check_backup(path, using=DEFAULT_DB_ALIAS):
    """Refuse, with a ``BackupError`` that says why, a file that cannot be restored into this database."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("There is no backup file at %(path)s.") % {"path": path})
    if _vendor(connections[using]) == "postgresql":
        _pg_check(path)
    else:
        _sqlite_check(path)


def restore(path, using=DEFAULT_DB_ALIAS):
    """Replace the database's content with the backup's, after checking the file.

    Every connection of this process is closed first, so that no open transaction of ours holds a
    lock the restore waits for, and none keeps reading what was there before.
    """
    path = Path(path)
    connection = connections[using]
    check_backup(path, using)
    _outside_transaction(connection)
    if _vendor(connection) == "postgresql":
        _pg_restore(connection, path)
    else:
        _sqlite_restore(connection, path)
    connections.close_all()


def row_counts(using=DEFAULT_DB_ALIAS):
    """The number of rows of every table Django manages, by model label (``catalogue.Initiative``),
    the historical records and many-to-many tables included: what a restore must give back."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if not opts.managed or opts.proxy or not router.allow_migrate_model(using, model):
            continue
        counts[opts.label] = model._base_manager.using(using).count()
    return dict(sorted(counts.items()))


def _vendor(connection):
    if connection.vendor not in SUFFIXES:
        raise BackupError(
            _("Backups are made on PostgreSQL and SQLite only, not on %(vendor)s.")
            % {"vendor": connection.vendor}
        )
    return connection.vendor


def _outside_transaction(connection):
    """Backups and restores read and replace what is committed. Inside a transaction of ours, a
    restore would wait for our own locks, and SQLite's backup of an in-memory database for its
    connection's pending writes: both forever."""
    if connection.in_atomic_block:
        raise BackupError(_("Backups and restores cannot run inside a database transaction."))


@contextmanager
def written_atomically(path):
    """A temporary file beside ``path`` (mode 0600) for the caller to fill; renamed to ``path`` when
    the block ends without error, deleted otherwise, so that ``path`` is whole or as it was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(descriptor)
    partial = Path(partial)
    try:
        yield partial
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# --- Media files ----------------------------------------------------------------------------------


def media_archive_path(backup_path):
    """``percolateur-2026-12-03T141500.media.tar.gz`` beside ``percolateur-2026-12-03T141500.dump``."""
    backup_path = Path(backup_path)
    return backup_path.with_name(backup_path.name.removesuffix(backup_path.suffix) + MEDIA_SUFFIX)


def backup_media(path):
    """Write the uploaded files (``MEDIA_ROOT``, which is not in the database) to a gzipped tar
    archive at ``path``, their names relative to ``MEDIA_ROOT``; return the number of files."""
    root = Path(settings.MEDIA_ROOT)
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    with written_atomically(Path(path)) as partial, tarfile.open(partial, "w:gz") as archive:
        for file in files:
            archive.add(file, arcname=str(file.relative_to(root)))
    return len(files)


# --- PostgreSQL -----------------------------------------------------------------------------------

# A line of ``pg_restore --list``: "241; 1259 17529 TABLE public accounts_membership postgres",
# "4470; 0 16701 TABLE DATA public spatial_ref_sys postgres", "2; 3079 16388 EXTENSION - postgis",
# "5301; 0 0 COMMENT - EXTENSION postgis".
_TOC_ENTRY = re.compile(
    r"^\d+; \d+ \d+ (?P<kind>TABLE DATA|TABLE|EXTENSION|COMMENT) "
    r"(?P<schema>\S+) (?P<name>\S+)"
)


def _program(name):
    found = shutil.which(name)
    if not found:
        raise BackupError(
            _(
                "%(program)s was not found: install the Debian package postgresql-client, of the "
                "server's major version or newer."
            )
            % {"program": name}
        )
    return found


def _pg_command(connection, program, *options):
    """The command line and environment of ``pg_dump`` or ``pg_restore`` for the connection's
    database: host, port and user as arguments, the password and SSL settings in the environment,
    as Django's own ``dbshell`` passes them."""
    settings_dict = connection.settings_dict
    args = [_program(program)]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args.append(f"{flag}={settings_dict[key]}")
    # Never a password prompt: a backup run by cron must fail, not wait.
    args += ["--no-password", *options]
    if settings_dict.get("NAME"):
        args.append(f"--dbname={settings_dict['NAME']}")
    _psql_args, env = connection.client.settings_to_cmd_args_env(settings_dict, [])
    return args, {**os.environ, **(env or {})}


def _run(args, env):
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(_explain(Path(args[0]).name, result.stderr.strip()))
    return result.stdout


def _explain(program, message):
    if "server version mismatch" in message:
        return _(
            "%(program)s is older than the database server (%(message)s): install the "
            "postgresql-client package of the server's major version."
        ) % {"program": program, "message": message}
    if "unsupported version" in message and "file header" in message:
        return _(
            "The backup was made by a newer pg_dump than this %(program)s (%(message)s): install the "
            "postgresql-client package of that version."
        ) % {"program": program, "message": message}
    return _("%(program)s failed: %(message)s") % {"program": program, "message": message}


def _pg_backup(connection, partial):
    _run(*_pg_command(connection, "pg_dump", "--format=custom", f"--file={partial}"))


def _pg_contents(path):
    """The table of contents of a custom-format archive, as ``pg_restore --list`` prints it."""
    args = [_program("pg_restore"), "--list", str(path)]
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode:
        message = result.stderr.strip()
        if "unsupported version" in message:
            raise BackupError(_explain("pg_restore", message))
        raise BackupError(
            _("%(path)s is not a PostgreSQL backup made by pg_dump --format=custom (%(message)s).")
            % {"path": path, "message": message}
        )
    return result.stdout.splitlines()


def _pg_check(path):
    tables = {m["name"] for m in map(_TOC_ENTRY.match, _pg_contents(path)) if m and m["kind"] == "TABLE"}
    if "django_migrations" not in tables:
        raise BackupError(
            _("%(path)s is a PostgreSQL backup, but not of a Django database (it has no django_migrations).")
            % {"path": path}
        )


def _pg_restore(connection, path):
    contents = _pg_contents(path)
    entries = [(line, _TOC_ENTRY.match(line)) for line in contents]
    tables = {(m["schema"], m["name"]) for _line, m in entries if m and m["kind"] == "TABLE"}
    extensions = [m["name"] for _line, m in entries if m and m["kind"] == "EXTENSION"]

    def restored(match):
        if match is None:
            return True
        if match["kind"] == "EXTENSION" or (match["kind"] == "COMMENT" and match["name"] == "EXTENSION"):
            return False
        # The data of a table the archive does not create is an extension's configuration table
        # (PostGIS's spatial_ref_sys): it belongs to the extension, which stays as it is.
        return match["kind"] != "TABLE DATA" or (match["schema"], match["name"]) in tables

    _create_missing_extensions(connection, extensions)
    connections.close_all()
    with tempfile.NamedTemporaryFile("w", suffix=".list", prefix="percolateur-restore-") as listing:
        listing.write("\n".join(line for line, match in entries if restored(match)) + "\n")
        listing.flush()
        args, env = _pg_command(
            connection,
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            # Grants name roles of the server the backup came from, which another may not have.
            "--no-privileges",
            # All or nothing: a restore that fails half-way leaves the database as it was.
            "--single-transaction",
            f"--use-list={listing.name}",
        )
        _run([*args, str(path)], env)


def _create_missing_extensions(connection, names):
    """Create the extensions the backup's tables need and the database lacks (a new, empty database):
    the restore leaves extensions alone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        missing = [name for name in names if name not in {row[0] for row in cursor.fetchall()}]
        for name in missing:
            try:
                cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {connection.ops.quote_name(name)}")
            except DatabaseError as error:
                raise BackupError(
                    _(
                        "The backup needs the extension %(name)s, which this database lacks and this role "
                        "cannot create (%(error)s): ask a superuser to run CREATE EXTENSION %(name)s; in it."
                    )
                    % {"name": name, "error": str(error).strip()}
                ) from error


# --- SQLite ---------------------------------------------------------------------------------------


def _read_only(path):
    """A connection that can only read the SQLite file at ``path``, and never creates one."""
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)


@contextmanager
def _live_database(connection, read_only):
    """A raw sqlite3 connection to the site's database. An in-memory database (the tests') exists
    only through the connection that holds it: Django's own; a file gets a connection of its own."""
    if connection.is_in_memory_db():
        connection.ensure_connection()
        yield connection.connection
        return
    name = connection.settings_dict["NAME"]
    live = _read_only(name) if read_only else sqlite3.connect(name)
    try:
        yield live
    finally:
        live.close()


def _sqlite_backup(connection, partial):
    try:
        with _live_database(connection, read_only=True) as live:
            copy = sqlite3.connect(partial)
            try:
                live.backup(copy)
                # One self-contained file, whatever the live database's journal (WAL keeps two more).
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
    except sqlite3.Error as error:
        raise BackupError(
            _("The database %(name)s could not be backed up: %(error)s")
            % {"name": connection.settings_dict["NAME"], "error": error}
        ) from error


def _sqlite_check(path):
    try:
        candidate = _read_only(path)
        try:
            verdict = candidate.execute("PRAGMA integrity_check").fetchone()[0]
            migrations = candidate.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        finally:
            candidate.close()
    except sqlite3.Error as error:
        raise BackupError(
            _("%(path)s is not a SQLite backup (%(error)s).") % {"path": path, "error": error}
        ) from error
    if verdict != "ok":
        raise BackupError(
            _("%(path)s is a damaged SQLite database (%(verdict)s).") % {"path": path, "verdict": verdict}
        )
    if not migrations:
        raise BackupError(
            _("%(path)s is a SQLite database, but not of a Django site (it has no django_migrations).")
            % {"path": path}
        )


def _sqlite_restore(connection, path):
    connections.close_all()
    try:
        source = _read_only(path)
        try:
            with _live_database(connection, read_only=False) as live:
                source.backup(live)
        finally:
            source.close()
    except sqlite3.Error as error:
        raise BackupError(_("The backup could not be restored: %(error)s") % {"error": error}) from error


# --- What the commands print ----------------------------------------------------------------------


def counts_table(counts):
    """The lines a command prints for ``row_counts()``: each table that has rows, then a total."""
    filled = {label: count for label, count in counts.items() if count}
    width = max(map(len, filled), default=0)
    lines = [f"  {label:<{width}}  {count:>9}" for label, count in filled.items()]
    lines.append(
        _("%(rows)d rows in %(filled)d tables (%(empty)d empty tables not listed).")
        % {"rows": sum(filled.values()), "filled": len(filled), "empty": len(counts) - len(filled)}
    )
    return lines
