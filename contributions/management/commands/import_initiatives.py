"""``manage.py import_initiatives``: a network's file imported from the command line, for the
networks' technicians and the scripted yearly refreshes.

It goes through what the admin's import goes through (``contributions.imports``): the same
reading, column mapping, plan and writing, the same rights. By default it is a dry run: it prints
what importing would do, from a batch saved inside a transaction that is then rolled back, so that
nothing remains of it. With ``--commit`` the batch and everything it brings are written in one
transaction, or nothing is.
"""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Network, User
from catalogue.importers.mapping import FIELDS, IGNORED, checked_mapping
from catalogue.importers.planning import Action
from catalogue.importers.reading import UnreadableFile, read_table

from ... import imports
from ...models import ImportBatch


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not a lazy string: argparse wants a real str, in the language of the moment.
        return _(
            "Import a network's file (CSV, XLSX or GeoJSON) as drafts of the network. A dry run unless "
            "--commit is given."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The file to import."))
        parser.add_argument("--network", required=True, help=_("The slug of the network the entries go to."))
        parser.add_argument("--user", required=True, help=_("The e-mail address of the importing curator."))
        parser.add_argument(
            "--source",
            default="",
            help=_("Who publishes the file, for instance “ANCT — Fabriques de territoire”."),
        )
        parser.add_argument(
            "--licence", default="", help=_("The file's licence, for instance “Licence Ouverte 2.0”.")
        )
        parser.add_argument(
            "--sheet", default="", help=_("For a workbook: the sheet to read (the first one by default).")
        )
        parser.add_argument(
            "--mapping",
            default="",
            help=_(
                "Columns read otherwise than guessed: a JSON object, or the path of a JSON file, of "
                'heading → field ("" leaves the column out), for instance {"lib_territoire": "name"}.'
            ),
        )
        parser.add_argument(
            "--repeat",
            action="store_true",
            help=_(
                "Use again the licence, sheet and columns of the latest import of --source into the "
                "network (without --source: of a file of the same name, and its source): for next "
                "year's file."
            ),
        )
        parser.add_argument(
            "--leave-out-refused",
            action="store_true",
            help=_("Import the other rows when some are refused (otherwise a refused row stops everything)."),
        )
        parser.add_argument(
            "--commit", action="store_true", help=_("Write the import (without it, nothing is written).")
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        user = _user(options["user"])
        network = _network(options["network"], user)
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("The file %(file)s cannot be read: %(error)s") % {"file": path, "error": error.strerror}
            ) from error
        earlier = _earlier(network, options["source"], path.name) if options["repeat"] else None
        if earlier is not None:
            self.stdout.write(
                _("Same source, licence and columns as the import of %(file)s on %(date)s.")
                % {"file": earlier.file_name, "date": earlier.imported_at.date().isoformat()}
            )
        source = options["source"] or (earlier.source if earlier else "")
        if not source:
            raise CommandError(_("Say who publishes this file: --source “…”."))
        sheet = options["sheet"] or (earlier.sheet if earlier else "")
        try:
            table = read_table(path.name, content, sheet)
        except UnreadableFile as error:
            raise CommandError(str(error)) from error
        batch = ImportBatch(
            file_name=path.name[:255],
            content=content,
            sheet=sheet,
            network=network,
            source=source,
            licence=options["licence"] or (earlier.licence if earlier else ""),
            mapping=_mapping(table.headings, earlier.mapping if earlier else {}, options["mapping"]),
            leave_out_refused=options["leave_out_refused"],
            created_by=user,
        )
        if options["commit"]:
            self._commit(batch, user, table.format)
        else:
            self._dry_run(batch, user, table.format)

    def _dry_run(self, batch, user, file_format):
        with transaction.atomic():
            # preview() reads the batch and the earlier imports of its source: the batch is saved
            # for it, then the savepoint is rolled back.
            batch.save()
            table, mapping, plan = imports.preview(batch, user)
            report = imports.report_of(table, mapping, plan)
            transaction.set_rollback(True)
        self._print(report, mapping, file_format, verbosity=self.verbosity)
        self.stdout.write("")
        self.stdout.write(self.style.WARNING(_("Dry run: nothing was written. Add --commit to import.")))
        if plan.refusals and not batch.leave_out_refused:
            self.stdout.write(
                _(
                    "As the file stands, --commit would import nothing: correct the refused rows, or add "
                    "--leave-out-refused."
                )
            )

    def _commit(self, batch, user, file_format):
        with transaction.atomic():
            batch.save()
            try:
                report = imports.run(batch, user)
            except PermissionDenied as error:  # checked before; the rights may have changed since
                raise CommandError(_("You may not import into this network.")) from error
            except imports.Refused as refusal:
                table, mapping, plan = imports.preview(batch, user)
                self._print(imports.report_of(table, mapping, plan), mapping, file_format, self.verbosity)
                self.stdout.write("")
                if plan.refusals and not batch.leave_out_refused:
                    raise CommandError(
                        _("%(refusal)s (--leave-out-refused imports the other rows.)") % {"refusal": refusal}
                    ) from refusal
                # Nothing new in the file: a yearly refresh that finds nothing to do is no failure.
                transaction.set_rollback(True)
                self.stdout.write(str(refusal))
                return
        batch.refresh_from_db()
        self._print(report, batch.mapping, file_format, self.verbosity)
        counts = report["counts"]
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Written: %(created)d entries created as drafts of %(network)s, %(updated)d updated "
                    "(import no. %(pk)d)."
                )
                % {
                    "created": counts[Action.CREATE],
                    "updated": counts[Action.UPDATE],
                    "network": batch.network,
                    "pk": batch.pk,
                }
            )
        )

    def _print(self, report, mapping, file_format, verbosity):
        write = self.stdout.write
        where = _feature if file_format == "geojson" else _line
        write(
            _("File: %(format)s, %(description)s") % {"format": file_format, "description": report["format"]}
        )
        counts = report["counts"]
        write(
            _(
                "%(rows)d rows, %(entries)d entries: %(create)d to create, %(update)d to update, "
                "%(keep)d unchanged, %(left_alone)d left alone, %(flagged)d flagged as possible "
                "duplicates, %(refused)d refused."
            )
            % {**counts, "entries": sum(counts[action] for action in Action)}
        )
        write(_("Columns read:"))
        for heading, field_name in mapping.items():
            if field_name:
                write(f"  {heading} → {field_name} ({FIELDS[field_name][0]})")
        left_out = report["left_out_columns"]
        write(_("Columns left out: %(headings)s") % {"headings": ", ".join(left_out) if left_out else "—"})
        if report["refused"]:
            write(_("Refused rows:"))
        for refusal in report["refused"]:
            reasons = "; ".join(map(str, refusal["reasons"]))
            write(f"  {where(refusal['line'])} — {refusal['name'] or '?'}: {reasons}")
        flagged = [entry for entry in report["entries"] if entry["duplicates"] or entry["same_in_file"]]
        if flagged:
            write(_("Possible duplicates (created all the same, with the warning on their page):"))
        for entry in flagged:
            write(f"  {where(entry['line'])} — {entry['name']}")
            for found in entry["duplicates"]:
                write(
                    "    "
                    + _("looks like no. %(pk)d “%(name)s”: %(reasons)s")
                    % {
                        "pk": found["pk"],
                        "name": found["name"],
                        "reasons": ", ".join(map(str, found["reasons"])),
                    }
                )
            if entry["same_in_file"]:
                write(
                    "    "
                    + _("looks like %(lines)s of the same file")
                    % {"lines": ", ".join(where(line) for line in entry["same_in_file"])}
                )
        if verbosity >= 2:
            write(_("Rows:"))
            labels = {action.value: action.label for action in Action}
            for entry in report["entries"]:
                action = labels.get(entry["action"], entry["action"])
                write(f"  {where(entry['line'])} — {entry['name']}: {action}")
                for warning in entry["warnings"]:
                    write(f"    {warning}")
        if (
            len(report["entries"]) < sum(counts[action] for action in Action)
            or len(report["refused"]) < counts["refused"]
        ):
            write(
                _("(Only the first %(limit)d rows of each kind are listed.)")
                % {"limit": imports.REPORT_LIMIT}
            )


def _line(number):
    return _("line %(line)d") % {"line": number}


def _feature(number):
    return _("feature %(line)d") % {"line": number}


def _user(email):
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        raise CommandError(_("No account has the e-mail address %(email)s.") % {"email": email})
    return user


def _network(slug, user):
    network = Network.objects.filter(slug=slug).first()
    if network is None:
        raise CommandError(
            _("No network has the slug “%(slug)s”. The networks: %(slugs)s.")
            % {"slug": slug, "slugs": ", ".join(Network.objects.values_list("slug", flat=True))}
        )
    if not imports.import_networks(user).filter(pk=network.pk).exists():
        raise CommandError(
            _("%(user)s may not import into %(network)s: only its curators may.")
            % {"user": user.email, "network": network}
        )
    return network


def _earlier(network, source, file_name):
    """The latest import into ``network`` of ``source`` or, when no source is given, of a file of
    the same name, for ``--repeat``. Never simply the latest import: another source's columns and
    identifiers would make every row a new entry."""
    done = ImportBatch.objects.filter(network=network, status=ImportBatch.Status.DONE)
    chosen = done.filter(source=source) if source else done.filter(file_name=file_name)
    earlier = chosen.order_by("-imported_at", "-pk").first()
    if earlier is None:
        sources = sorted(set(done.values_list("source", flat=True)))
        raise CommandError(
            _(
                "No earlier import of “%(what)s” into %(network)s to repeat. The sources of its "
                "imports: %(sources)s."
            )
            % {"what": source or file_name, "network": network, "sources": ", ".join(sources) or "—"}
        )
    return earlier


def _mapping(headings, saved, given):
    """The heading → field mapping: the saved one (for ``--repeat``) or the guess, with the columns
    ``given`` on the command line read as said. A field given to a column is taken from the column
    the guess had given it to: a technician's choice wins over a guess."""
    mapping = checked_mapping(headings, saved)
    if not given:
        return mapping
    wanted = _parse_mapping(given)
    unknown_headings = [heading for heading in wanted if heading not in mapping]
    if unknown_headings:
        raise CommandError(
            _("--mapping names columns the file does not have: %(unknown)s. Its columns: %(headings)s.")
            % {"unknown": ", ".join(unknown_headings), "headings": ", ".join(headings)}
        )
    unknown_fields = sorted({field for field in wanted.values() if field and field not in FIELDS})
    if unknown_fields:
        raise CommandError(
            _("--mapping names unknown fields: %(unknown)s. The fields: %(fields)s.")
            % {"unknown": ", ".join(unknown_fields), "fields": ", ".join(FIELDS)}
        )
    chosen = {}
    for heading, field in wanted.items():
        if field and field in chosen:
            raise CommandError(
                _("--mapping gives the field %(field)s to two columns: “%(one)s” and “%(other)s”.")
                % {"field": field, "one": chosen[field], "other": heading}
            )
        chosen.setdefault(field, heading)
    for heading in mapping:
        if heading in wanted:
            mapping[heading] = wanted[heading] or IGNORED
        elif mapping[heading] in chosen:
            mapping[heading] = IGNORED
    return mapping


def _parse_mapping(given):
    """``given`` read as a JSON object of heading → field, or as the path of a file holding one."""
    text = given
    if given.lstrip()[:1] not in ("{", "["):
        try:
            text = Path(given).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                _("--mapping is neither a JSON object nor a readable JSON file: %(value)s") % {"value": given}
            ) from error
    try:
        wanted = json.loads(text)
    except ValueError as error:
        raise CommandError(_("--mapping is not valid JSON: %(error)s") % {"error": error}) from error
    if not isinstance(wanted, dict) or not all(
        isinstance(heading, str) and (field is None or isinstance(field, str))
        for heading, field in wanted.items()
    ):
        raise CommandError(
            _('--mapping must be a JSON object of column heading → field name, for instance {"Nom": "name"}.')
        )
    return {heading: field or IGNORED for heading, field in wanted.items()}
