"""The initiative list's exports, run as a curator runs them — tick entries, choose the action,
press "Go" — and read as a curator opening the downloaded file sees it: the CSV as a French Excel
splits it (``;``, UTF-8 with a byte order mark), the XLSX as openpyxl opens it.

Requests carry no Accept-Language header: the admin, and the files' headings, are in French.
"""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import Membership
from catalogue import spreadsheets
from catalogue.indexing import deferred
from catalogue.models import Initiative, LegalEntity, Partnership
from tests.factories import (
    CuratorFactory,
    FundingFactory,
    FundingToolFactory,
    InitiativeFactory,
    KindFactory,
    LegalEntityFactory,
    LegalFormFactory,
    LeverFactory,
    MilestoneFactory,
    NetworkFactory,
    ObstacleFactory,
    OrganizationFactory,
    PartnershipFactory,
    the_tests_network,
)

pytestmark = pytest.mark.django_db

Status = Initiative.Status
CHANGELIST = reverse("admin:catalogue_initiative_changelist")
BOM = b"\xef\xbb\xbf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILENAME = re.compile(
    r'attachment; filename="percolateur-initiatives-selection-\d{4}-\d{2}-\d{2}\.(csv|xlsx)"'
)


def export(client, action, initiatives, url=CHANGELIST, select_across=False):
    """What the list answers when ``initiatives`` are ticked and ``action`` is run on them."""
    response = client.post(
        url,
        {
            "action": action,
            "_selected_action": [str(initiative.pk) for initiative in initiatives],
            "index": "0",
            "select_across": "1" if select_across else "0",
        },
    )
    assert response.status_code == 200
    return response


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_records(response):
    """The CSV's rows as dicts keyed by heading, as a spreadsheet splits them."""
    text = body(response).decode("utf-8-sig")
    headings, *rows = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    return [dict(zip(headings, row, strict=True)) for row in rows]


def xlsx_sheet(response):
    return load_workbook(io.BytesIO(body(response))).active


def xlsx_records(sheet):
    headings, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(headings, row, strict=True)) for row in rows]


def french(heading):
    with translation.override("fr"):
        return str(heading)


@pytest.fixture
def cirque(pernes):
    """An entry with a row in every part of its set-up, and a name that is a formula."""
    initiative = InitiativeFactory(
        name="Cirqu'en-Cavale",
        commune=pernes,
        status=Status.REVIEW,
        investment_eur=1_200_000,
        phone="03 21 00 00 00",
        sources="Atelier n°4 du RNIT, Montpellier, 15 mai 2018.",
        kinds=[KindFactory(label="Tiers-lieu")],
    )
    association = LegalFormFactory(label="Association loi 1901")
    LegalEntityFactory(
        initiative=initiative,
        name="Cirqu'en-Cavale",
        legal_form=association,
        role=LegalEntity.Role.PROJECT_HOLDER,
        rna="W623001234",
    )
    LegalEntityFactory(
        initiative=initiative,
        name="SCI du Chapiteau",
        legal_form=LegalFormFactory(label="SCI"),
        role=LegalEntity.Role.OWNER,
    )
    PartnershipFactory(
        initiative=initiative,
        organization=OrganizationFactory(name="Région Hauts-de-France"),
        role=Partnership.Role.FUNDER,
    )
    PartnershipFactory(
        initiative=initiative,
        organization=OrganizationFactory(name="Commune de Pernes"),
        role=Partnership.Role.POLITICAL_SUPPORT,
        stage="prefiguration",
    )
    FundingFactory(
        initiative=initiative,
        tool=FundingToolFactory(label="DLA"),
        funder=OrganizationFactory(name="France Active"),
        amount=10_000,
        year=2018,
    )
    MilestoneFactory(initiative=initiative, year=2016, title="Préfiguration")
    MilestoneFactory(
        initiative=initiative, year=2018, date=datetime.date(2018, 5, 15), title="Atelier du RNIT"
    )
    initiative.initiativelever_set.create(lever=LeverFactory(label="Préfiguration"))
    initiative.initiativeobstacle_set.create(
        obstacle=ObstacleFactory(label="Temporalités différentes", position=1)
    )
    initiative.initiativeobstacle_set.create(obstacle=ObstacleFactory(label="Moyens", position=2))
    return initiative


@pytest.fixture
def formula():
    """An entry whose name and summary a spreadsheet would run as formulas."""
    return InitiativeFactory(name='=HYPERLINK("http://example.org","cmd")', summary="@SUM(1+1)")


# --- What is offered -----------------------------------------------------------------------------


def test_both_exports_are_offered_to_curators_and_administrators(staff_client):
    response = staff_client.get(CHANGELIST)

    choices = dict(response.context["action_form"].fields["action"].choices)
    assert {"export_csv", "export_xlsx"} <= set(choices)
    assert "CSV" in str(choices["export_csv"]) and "XLSX" in str(choices["export_xlsx"])


# --- The CSV ---------------------------------------------------------------------------------------


def test_the_csv_is_a_file_for_a_french_excel(superuser_client, cirque):
    response = export(superuser_client, "export_csv", [cirque])

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert FILENAME.fullmatch(response["Content-Disposition"])
    content = body(response)
    # Without the mark, Excel reads UTF-8 as Windows-1252.
    assert content.startswith(BOM) and not content[len(BOM) :].startswith(BOM)
    lines = content.split(b"\r\n")
    assert lines[-1] == b"" and len(lines) == 3 and b"\n" not in b"".join(lines)
    assert lines[0].decode("utf-8-sig").startswith("ID;Nom;Fiche;Résumé;Types;")


def test_the_csv_holds_the_public_columns_and_what_curators_keep(superuser_client, cirque):
    InitiativeFactory(name="Pas cochée")

    (record,) = csv_records(export(superuser_client, "export_csv", [cirque]))

    # The public export's columns, as the public export writes them.
    assert record["Nom"] == "Cirqu'en-Cavale"
    assert record["Fiche"] == f"http://testserver/initiatives/{cirque.slug}/"
    assert record["Types"] == "Tiers-lieu"
    assert record["Formes juridiques"] == "Association loi 1901, SCI"
    assert record["Commune"] == "Pernes"
    assert record["Investissement (€)"] == "1200000"
    # What only curators read.
    assert record["ID"] == str(cirque.pk)
    assert record["Statut de publication"] == "à relire"
    assert record["Réseaux contributeurs"] == "Réseau des tests"
    assert record[french(spreadsheets.ADMIN_PAGE.heading)] == (
        f"http://testserver/admin/catalogue/initiative/{cirque.pk}/change/"
    )
    assert record["Téléphone"] == "03 21 00 00 00"
    assert record["Sources"] == "Atelier n°4 du RNIT, Montpellier, 15 mai 2018."
    # Each part of the set-up in one cell, its rows joined by " | ".
    assert record["Montage juridique"] == (
        "Cirqu'en-Cavale (Association loi 1901, porteur du projet, RNA W623001234) | "
        "SCI du Chapiteau (SCI, propriétaire ou maître d’ouvrage)"
    )
    assert record["Partenariats"] == (
        "Région Hauts-de-France (financeur) | Commune de Pernes (soutien politique, préfiguration)"
    )
    assert record["Financements"] == "DLA · France Active · 10\xa0000 € · 2018"
    assert record["Trajectoire"] == "2016 · Préfiguration | 2018-05-15 · Atelier du RNIT"
    assert record["Leviers mobilisés"] == "Préfiguration"
    assert record["Freins rencontrés"] == "Temporalités différentes | Moyens"


def test_the_csv_holds_no_account_of_anyone(superuser_client, superuser, cirque):
    Initiative.objects.filter(pk=cirque.pk).update(created_by=superuser, updated_by=superuser)

    response = export(superuser_client, "export_csv", [cirque])

    text = body(response).decode("utf-8-sig")
    assert superuser.email not in text
    headings = next(csv.reader(io.StringIO(text), delimiter=";"))
    assert not {"Créée par", "Modifiée par", "Mot de passe"} & set(headings)


def test_the_csv_does_not_let_a_name_run_as_a_formula(superuser_client, formula):
    (record,) = csv_records(export(superuser_client, "export_csv", [formula]))

    assert record["Nom"] == '\'=HYPERLINK("http://example.org","cmd")'
    assert record["Résumé"] == "'@SUM(1+1)"


def test_an_entry_without_parts_has_empty_cells(superuser_client):
    initiative = InitiativeFactory(networks=[])

    (record,) = csv_records(export(superuser_client, "export_csv", [initiative]))

    assert record["Réseaux contributeurs"] == ""
    assert record["Montage juridique"] == record["Freins rencontrés"] == ""


def test_the_seeds_legal_set_up_reads_in_one_cell(superuser_client, seed):
    cirque = Initiative.objects.get(name="Cirqu'en-Cavale")

    (record,) = csv_records(export(superuser_client, "export_csv", [cirque]))

    entities = record["Montage juridique"].split(" | ")
    assert len(entities) == cirque.legal_entities.count() == 3
    assert entities[0].startswith("Cirqu'en-Cavale (")
    assert record["Trajectoire"].count(" | ") == cirque.milestones.count() - 1


# --- The XLSX --------------------------------------------------------------------------------------


def test_the_xlsx_opens_with_a_bold_frozen_header_and_an_autofilter(superuser_client, cirque, formula):
    response = export(superuser_client, "export_xlsx", [cirque, formula])

    assert response["Content-Type"] == XLSX
    assert FILENAME.fullmatch(response["Content-Disposition"])
    sheet = xlsx_sheet(response)
    assert sheet.title == "Initiatives"
    assert [cell.value for cell in sheet[1][:3]] == ["ID", "Nom", "Fiche"]
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet["B2"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}3"
    assert sheet.max_row == 3
    # Wide enough for the names, never as wide as a whole description.
    widths = {
        sheet.cell(1, index).value: sheet.column_dimensions[sheet.cell(1, index).column_letter].width
        for index in range(1, sheet.max_column + 1)
    }
    assert widths["ID"] >= 8
    assert widths["Partenariats"] == spreadsheets.MAX_WIDTH
    assert len("Cirqu'en-Cavale") < widths["Nom"] <= spreadsheets.MAX_WIDTH


def test_the_xlsx_holds_numbers_days_and_the_parts_in_one_cell(superuser_client, cirque):
    Initiative.objects.filter(pk=cirque.pk).update(verified_on=datetime.date(2024, 5, 15), jobs_fte="2.5")

    (record,) = xlsx_records(xlsx_sheet(export(superuser_client, "export_xlsx", [cirque])))

    assert record["ID"] == cirque.pk
    assert record["Investissement (€)"] == 1_200_000
    assert record["Emplois (équivalents temps plein)"] == 2.5
    assert record["Vérifiée le"] == datetime.datetime(2024, 5, 15)
    assert record["Statut de publication"] == "à relire"
    assert record["Partenariats"] == (
        "Région Hauts-de-France (financeur) | Commune de Pernes (soutien politique, préfiguration)"
    )
    assert record["Freins rencontrés"] == "Temporalités différentes | Moyens"
    assert record["Surface (m²)"] is None


def test_the_xlsx_does_not_let_a_name_run_as_a_formula(superuser_client, formula):
    sheet = xlsx_sheet(export(superuser_client, "export_xlsx", [formula]))

    name, summary = sheet["B2"], sheet["D2"]
    assert name.data_type == summary.data_type == "s"
    assert name.value == '\'=HYPERLINK("http://example.org","cmd")'
    assert summary.value == "'@SUM(1+1)"


def test_the_xlsx_leaves_out_characters_that_a_spreadsheet_cannot_hold(superuser_client):
    # A vertical tab, as text pasted from a word processor brings.
    initiative = InitiativeFactory(summary="Un tiers-lieu\x0bouvert à tous.")

    (record,) = xlsx_records(xlsx_sheet(export(superuser_client, "export_xlsx", [initiative])))

    assert record["Résumé"] == "Un tiers-lieuouvert à tous."


# --- Who exports what -----------------------------------------------------------------------------


@pytest.fixture
def lanes(db):
    """A contributor of network A; entries of A, and a draft and a published entry of B's."""
    a, b = the_tests_network(), NetworkFactory(name="Réseau B")
    contributor = CuratorFactory(
        email="contributrice@example.org", network=a, network__role=Membership.Role.CONTRIBUTOR
    )
    return {
        "contributor": contributor,
        "own_draft": InitiativeFactory(name="Brouillon de A", status=Status.DRAFT, networks=[a]),
        "own_published": InitiativeFactory(name="Publiée de A", status=Status.PUBLISHED, networks=[a]),
        "others_draft": InitiativeFactory(name="Brouillon de B", status=Status.DRAFT, networks=[b]),
        "others_published": InitiativeFactory(name="Publiée de B", status=Status.PUBLISHED, networks=[b]),
    }


@pytest.mark.parametrize("action", ["export_csv", "export_xlsx"])
def test_a_curator_exports_only_the_entries_their_list_shows(client, lanes, action):
    client.force_login(lanes["contributor"])
    everything = [entry for name, entry in lanes.items() if name != "contributor"]

    def names(response):
        records = csv_records(response) if action == "export_csv" else xlsx_records(xlsx_sheet(response))
        return sorted(record["Nom"] for record in records)

    # Their list shows their networks' entries: another network's entries ticked by a forged post
    # are not exported, even "select all".
    assert names(export(client, action, everything)) == ["Brouillon de A", "Publiée de A"]
    assert names(export(client, action, everything, select_across=True)) == ["Brouillon de A", "Publiée de A"]
    # "All published entries": every network's published ones, never another network's draft.
    published = f"{CHANGELIST}?scope=published"
    assert names(export(client, action, everything, url=published)) == ["Publiée de A", "Publiée de B"]


def test_an_administrator_exports_every_entry_ticked(superuser_client, lanes):
    entries = [entry for name, entry in lanes.items() if name != "contributor"]

    records = csv_records(export(superuser_client, "export_csv", entries))

    assert sorted(record["Nom"] for record in records) == sorted(entry.name for entry in entries)


def test_rows_come_in_the_order_of_the_list(superuser_client):
    entries = [InitiativeFactory(name=name) for name in ("Bêta", "Alpha", "Gamma")]

    records = csv_records(export(superuser_client, "export_csv", entries))

    # The list is sorted by name, as the model is.
    assert [record["Nom"] for record in records] == ["Alpha", "Bêta", "Gamma"]


# --- Bounded queries ------------------------------------------------------------------------------


def entry_with_rows():
    """An entry with two kinds, and two rows or one in each part of its set-up."""
    entry = InitiativeFactory(kinds=[KindFactory(), KindFactory()])
    LegalEntityFactory.create_batch(2, initiative=entry)
    PartnershipFactory.create_batch(2, initiative=entry)
    FundingFactory.create_batch(2, initiative=entry, funder=OrganizationFactory())
    MilestoneFactory.create_batch(2, initiative=entry)
    entry.initiativelever_set.create(lever=LeverFactory())
    entry.initiativeobstacle_set.create(obstacle=ObstacleFactory())
    return entry


@pytest.mark.parametrize("action", ["export_csv", "export_xlsx"])
def test_the_number_of_queries_does_not_grow_with_the_entries_or_their_rows(
    curator_client, action, django_assert_max_num_queries
):
    def records(response):
        return csv_records(response) if action == "export_csv" else xlsx_records(xlsx_sheet(response))

    with deferred():
        one = entry_with_rows()
    with CaptureQueriesContext(connection) as for_one:
        records(export(curator_client, action, [one]))
    with deferred():
        more = [entry_with_rows() for _ in range(8)]

    # As many as for one entry: the admin's own (session, user, permissions, the list's filters
    # and counts), then the export's — the ids, the entries' fields, their kinds, themes and legal
    # forms, networks and territories served, and one query per part of the set-up.
    with django_assert_max_num_queries(min(len(for_one), 30)):
        exported = records(export(curator_client, action, [one, *more]))

    assert len(exported) == 9
    assert all(record["Montage juridique"].count(" | ") == 1 for record in exported)
