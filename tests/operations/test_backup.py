"""Backups and restores, through the commands an operator runs, on the database the suite runs on
(SpatiaLite or PostGIS): a backup, a wipe and a restore give back every table's rows and the
history; a file that is not a backup is refused and changes nothing; a failed backup leaves no half
file behind.

Backups and restores work on committed data (``pg_dump`` is another process), so the tests that make
one commit (``transaction=True``): pytest-django empties the database after each of them, territories
included, and the tests that need the territories afterwards load them again (``territories`` and
``places`` in tests/conftest.py). The refusals of bad files need no commit. Messages are read in
English, whatever the French catalogue says.
"""

import io
import os
import re
import sqlite3
import subprocess
import sys
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from catalogue.models import Initiative
from operations.backups import row_counts
from tests.factories import (
    CuratorFactory,
    FundingFactory,
    InitiativeFactory,
    KindFactory,
    LegalEntityFactory,
)

# What a backup reads and a restore replaces is what is committed.
committed = pytest.mark.django_db(transaction=True)
pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"
SUFFIX = ".dump" if ON_POSTGRESQL else ".sqlite3"
ROOT = Path(settings.BASE_DIR)


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


def run(command, *args, **options):
    """What the command prints."""
    out = StringIO()
    call_command(command, *args, stdout=out, **options)
    return out.getvalue()


def history_of(initiative_pk):
    """The versions of an initiative as its history page lists them."""
    return list(
        Initiative.history.filter(id=initiative_pk)
        .order_by("history_date", "history_id")
        .values_list("history_type", "name", "history_user__email", "history_date")
    )


@pytest.fixture
def catalogue():
    """A curated entry with its parts, created then renamed by a curator, and an entry deleted."""
    curator = CuratorFactory(email="curatrice@example.org")
    initiative = InitiativeFactory(name="La Fabrique", kinds=[KindFactory(label="Tiers-lieu")])
    LegalEntityFactory(initiative=initiative, name="SCIC La Fabrique")
    FundingFactory(initiative=initiative, amount=45000)
    initiative.name = "La Fabrique du Ternois"
    initiative._history_user = curator
    initiative.save()
    InitiativeFactory(name="Le Fil").delete()
    return initiative


@committed
def test_a_restore_gives_back_every_row_and_the_history_after_a_wipe(catalogue, tmp_path, client):
    counts = row_counts()
    history = history_of(catalogue.pk)
    assert history[0][:2] == ("+", "La Fabrique")
    assert history[-1][:3] == ("~", "La Fabrique du Ternois", "curatrice@example.org")
    path = tmp_path / f"percolateur{SUFFIX}"

    written = run("backup", output=str(path))
    assert f"Backup written to {path}" in written
    assert re.search(
        rf"catalogue\.HistoricalInitiative +{counts['catalogue.HistoricalInitiative']}\n", written
    )

    call_command("flush", interactive=False, verbosity=0)
    assert not Initiative.objects.exists()
    assert not Initiative.history.exists()

    restored = run("restore", str(path), yes=True)
    assert f"Database restored from {path}." in restored
    assert "catalogue.Initiative  " in restored
    assert "migrate" not in restored  # the backup is as recent as the code
    assert row_counts() == counts
    assert history_of(catalogue.pk) == history
    assert list(Initiative.objects.values_list("name", flat=True)) == ["La Fabrique du Ternois"]
    assert "La Fabrique du Ternois" in client.get(catalogue.get_absolute_url()).content.decode()


@committed
def test_a_backup_is_named_after_its_date_under_var_backups(catalogue, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"

    written = run("backup")

    (path,) = (tmp_path / "backups").iterdir()
    assert path.name.startswith("percolateur-20") and path.suffix == SUFFIX
    assert f"Backup written to {path}" in written
    # It holds password hashes and e-mail addresses: for its owner's eyes only.
    assert path.stat().st_mode & 0o777 == 0o600


def foreign_backup(tmp_path):
    """A genuine backup of this engine, but not of a Django site."""
    path = tmp_path / f"other{SUFFIX}"
    if ON_POSTGRESQL:
        db = connection.settings_dict
        subprocess.run(
            ["pg_dump", "--format=custom", f"--file={path}", f"--host={db['HOST']}", f"--port={db['PORT']}"]
            + [f"--username={db['USER']}", "--dbname=postgres"],
            check=True,
        )
    else:
        other = sqlite3.connect(path)
        other.execute("CREATE TABLE notes (text TEXT)")
        other.commit()
        other.close()
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda tmp_path: tmp_path / "absent.dump", "There is no backup file at"),
        (
            lambda tmp_path: (tmp_path / f"notes{SUFFIX}").write_text("Not a backup")
            and tmp_path / f"notes{SUFFIX}",
            "is not a PostgreSQL backup made by pg_dump" if ON_POSTGRESQL else "is not a SQLite backup",
        ),
        (foreign_backup, "but not of a Django"),
    ],
    ids=["missing", "not-a-backup", "not-of-a-django-site"],
)
def test_a_file_that_is_not_a_backup_of_the_site_is_refused_and_changes_nothing(
    catalogue, tmp_path, make, message
):
    counts = row_counts()
    path = make(tmp_path)

    with pytest.raises(CommandError, match=message) as refused:
        call_command("restore", str(path), yes=True, stdout=StringIO())

    assert str(path) in str(refused.value)
    assert row_counts() == counts
    assert Initiative.objects.get().name == "La Fabrique du Ternois"


@pytest.fixture
def a_backup(catalogue, tmp_path):
    path = tmp_path / f"percolateur{SUFFIX}"
    run("backup", output=str(path))
    Initiative.objects.update(name="Renamed after the backup")
    return path


@committed
def test_a_restore_without_a_terminal_needs_yes(a_backup, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))

    with pytest.raises(CommandError, match="run it with --yes to confirm"):
        call_command("restore", str(a_backup), stdout=StringIO())

    assert Initiative.objects.get().name == "Renamed after the backup"


class Terminal(io.StringIO):
    """What a person types at a terminal."""

    def isatty(self):
        return True


@committed
@pytest.mark.parametrize(
    "answer, name", [("no", "Renamed after the backup"), ("yes", "La Fabrique du Ternois")]
)
def test_at_a_terminal_the_restore_asks_first(a_backup, monkeypatch, capsys, answer, name):
    monkeypatch.setattr(sys, "stdin", Terminal(f"{answer}\n"))

    if answer == "yes":
        run("restore", str(a_backup))
    else:
        with pytest.raises(CommandError, match="Restore cancelled: nothing was changed"):
            run("restore", str(a_backup))

    assert "Replace everything in the database" in capsys.readouterr().out
    assert Initiative.objects.get().name == name


@committed
def test_a_failed_backup_leaves_the_previous_file_whole_and_no_half_file(catalogue, tmp_path, monkeypatch):
    path = tmp_path / f"percolateur{SUFFIX}"
    path.write_bytes(b"yesterday's backup")
    with monkeypatch.context() as broken:
        if ON_POSTGRESQL:
            broken.setitem(connection.settings_dict, "PORT", "9")  # nothing listens there
        else:
            broken.setitem(connection.settings_dict, "NAME", str(tmp_path / "gone" / "percolateur.sqlite3"))

        with pytest.raises(
            CommandError, match="pg_dump failed" if ON_POSTGRESQL else "could not be backed up"
        ):
            call_command("backup", output=str(path), stdout=StringIO())

    assert path.read_bytes() == b"yesterday's backup"
    assert list(tmp_path.iterdir()) == [path]


def test_a_backup_inside_a_transaction_is_refused_rather_than_left_waiting(catalogue, tmp_path):
    with pytest.raises(CommandError, match="cannot run inside a database transaction"):
        call_command("backup", output=str(tmp_path / f"percolateur{SUFFIX}"), stdout=StringIO())

    assert list(tmp_path.iterdir()) == []


@committed
@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_dump is for PostgreSQL")
def test_without_pg_dump_the_backup_names_the_package_to_install(catalogue, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(CommandError, match="install the Debian package postgresql-client"):
        call_command("backup", output=str(tmp_path / "percolateur.dump"), stdout=StringIO())

    assert list(tmp_path.iterdir()) == []


@committed
def test_media_files_are_archived_beside_the_backup(catalogue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "initiatives").mkdir(parents=True)
    (settings.MEDIA_ROOT / "initiatives" / "fabrique.jpg").write_bytes(b"JPEG of La Fabrique")
    path = tmp_path / "backups" / f"percolateur-2026-12-03T141500{SUFFIX}"

    written = run("backup", output=str(path), media=True)

    archive = tmp_path / "backups" / "percolateur-2026-12-03T141500.media.tar.gz"
    assert f"1 uploaded files archived in {archive}" in written
    with tarfile.open(archive) as media:
        assert media.getnames() == ["initiatives/fabrique.jpg"]
        assert media.extractfile("initiatives/fabrique.jpg").read() == b"JPEG of La Fabrique"


@committed
@pytest.mark.skipif(ON_POSTGRESQL, reason="a SpatiaLite file database")
def test_on_a_spatialite_file_the_commands_back_up_and_restore_the_live_file(catalogue, tmp_path):
    """The site's own database file, as the quick start has it, rather than the tests' in memory: a
    copy of the test database serves as one, and the commands run as an operator runs them."""
    live = tmp_path / "percolateur.sqlite3"
    run("backup", output=str(live))
    env = {
        **os.environ,
        "DATABASE_URL": f"spatialite:///{live}",
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }

    def manage(*args, **kwargs):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, **kwargs
        )

    def names_and_versions():
        database = sqlite3.connect(live)
        try:
            names = [row[0] for row in database.execute("SELECT name FROM catalogue_initiative")]
            versions = database.execute("SELECT count(*) FROM catalogue_historicalinitiative").fetchone()[0]
        finally:
            database.close()
        return names, versions

    backed_up = manage("backup", "--output", str(tmp_path / "copy.sqlite3"))
    assert backed_up.returncode == 0, backed_up.stderr
    before = names_and_versions()
    assert before[0] == ["La Fabrique du Ternois"] and before[1] >= 2
    database = sqlite3.connect(live)
    database.execute("UPDATE catalogue_initiative SET name = 'Renamed after the backup'")
    database.execute("DELETE FROM catalogue_historicalinitiative")
    database.commit()
    database.close()

    refused = manage("restore", str(tmp_path / "copy.sqlite3"), stdin=subprocess.DEVNULL)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert names_and_versions() == (["Renamed after the backup"], 0)

    restored = manage("restore", str(tmp_path / "copy.sqlite3"), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert names_and_versions() == before
