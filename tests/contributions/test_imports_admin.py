"""Importing a network's file through the admin's real forms: upload, preview, columns, confirm."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogue.models import Initiative
from contributions.models import ImportBatch, ImportedRecord
from tests.factories import CuratorFactory, InitiativeFactory, the_tests_network

ADD = reverse("admin:contributions_importbatch_add")
CHANGELIST = reverse("admin:contributions_importbatch_changelist")

# Two places of the Pas-de-Calais, as a network's spreadsheet exported by Excel gives them:
# semicolons, Latin-1, French headings.
LIEUX = (
    "Nom;Adresse;Code postal;Ville;Site web;SIRET\r\n"
    "La Fabrique de Pernes;2 rue de l'Église;62550;Pernes;fabrique-pernes.fr;\r\n"
    "Tiers-lieu du Ternois;;62130;Saint-Pol-sur-Ternoise;https://ternois.example.org;\r\n"
).encode("cp1252")


def upload(client, content=LIEUX, name="lieux.csv", **fields):
    data = {
        "file": SimpleUploadedFile(name, content),
        "network": str(the_tests_network().pk),
        "source": "Réseau des tiers-lieux du Pas-de-Calais",
        "licence": "Licence Ouverte 2.0",
        "sheet": "",
        **fields,
    }
    return client.post(ADD, data, follow=True)


def mapping_post(response, **changes):
    """The preview's column form as the page sends it, with ``changes`` (heading → field)."""
    form = response.context["form"]
    data = {}
    for field, heading, _samples in form.columns:
        data[field.html_name] = changes.get(heading, field.value() or "")
    if form["leave_out_refused"].value():
        data["leave_out_refused"] = "on"
    return data


@pytest.fixture
def importer_client(client, seed):
    curator = CuratorFactory(email="importatrice@example.org")
    client.force_login(curator)
    client.user = curator
    return client


def test_the_upload_shows_a_preview_and_writes_nothing(importer_client):
    before = Initiative.objects.count()

    response = upload(importer_client)

    assert response.status_code == 200
    assert response.templates[0].name == "admin/contributions/importbatch/preview.html"
    counts = response.context["counts"]
    assert (counts["rows"], counts["create"], counts["refused"]) == (2, 2, 0)
    page = response.content.decode()
    assert "La Fabrique de Pernes" in page and "Tiers-lieu du Ternois" in page
    assert Initiative.objects.count() == before
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PREVIEW
    guessed = {heading: field.value() for field, heading, _samples in response.context["form"].columns}
    assert guessed["Ville"] == "commune_name" and guessed["Code postal"] == "postcode"


def test_an_unreadable_file_is_refused_on_the_upload_form(importer_client):
    response = upload(importer_client, content=b"\x00\x01\x02 not a table", name="lieux.pdf")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["file"]
    assert not ImportBatch.objects.exists()


def test_confirming_creates_drafts_of_the_network_with_their_provenance(importer_client):
    preview = upload(importer_client)
    batch = ImportBatch.objects.get()

    response = importer_client.post(
        batch.get_admin_url(), {**mapping_post(preview), "_import": "1"}, follow=True
    )

    assert response.status_code == 200
    assert response.templates[0].name == "admin/contributions/importbatch/report.html"
    made = Initiative.objects.filter(name__in=["La Fabrique de Pernes", "Tiers-lieu du Ternois"])
    assert made.count() == 2
    assert set(made.values_list("status", flat=True)) == {Initiative.Status.DRAFT}
    fabrique = made.get(name="La Fabrique de Pernes")
    assert fabrique.commune.code == "62652"
    assert fabrique.website == "https://fabrique-pernes.fr"
    assert list(fabrique.networks.all()) == [the_tests_network()]
    assert "Réseau des tiers-lieux du Pas-de-Calais" in fabrique.sources
    record = ImportedRecord.objects.get(initiative=fabrique)
    assert (record.batch, record.line, record.action) == (batch, 2, ImportedRecord.Action.CREATED)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    # The entry's page says where it comes from.
    change = importer_client.get(reverse("admin:catalogue_initiative_change", args=[fabrique.pk]))
    assert "lieux.csv" in change.content.decode()


def test_a_column_changed_in_the_preview_is_read_as_the_curator_says(importer_client):
    preview = upload(importer_client)
    batch = ImportBatch.objects.get()

    response = importer_client.post(
        batch.get_admin_url(), {**mapping_post(preview, **{"Site web": ""}), "_update": "1"}, follow=True
    )

    assert response.status_code == 200
    assert "Site web" in response.context["left_out"]
    batch.refresh_from_db()
    assert batch.mapping["Site web"] == ""
    importer_client.post(batch.get_admin_url(), {**mapping_post(response), "_import": "1"})
    assert Initiative.objects.get(name="La Fabrique de Pernes").website == ""


def test_two_columns_for_one_field_are_refused(importer_client):
    preview = upload(importer_client)
    batch = ImportBatch.objects.get()

    response = importer_client.post(
        batch.get_admin_url(), {**mapping_post(preview, Adresse="name"), "_import": "1"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Initiative.objects.filter(name="La Fabrique de Pernes").exists()


BAD_ROW = LIEUX + "Lieu fantôme;;99999;Nulle-Part;;\r\n".encode("cp1252")


def test_a_refused_row_is_shown_with_its_line_and_nothing_is_imported(importer_client):
    before = Initiative.objects.count()
    preview = upload(importer_client, content=BAD_ROW)
    batch = ImportBatch.objects.get()
    refusals = preview.context["plan"].refusals
    assert [refusal.line for refusal in refusals] == [4]
    assert "Lieu fantôme" in preview.content.decode()

    response = importer_client.post(
        batch.get_admin_url(), {**mapping_post(preview), "_import": "1"}, follow=True
    )

    assert Initiative.objects.count() == before
    assert not ImportedRecord.objects.exists()
    assert "rien n’a été importé" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEW


def test_refused_rows_can_be_left_out_on_purpose(importer_client):
    preview = upload(importer_client, content=BAD_ROW)
    batch = ImportBatch.objects.get()

    response = importer_client.post(
        batch.get_admin_url(),
        {**mapping_post(preview), "leave_out_refused": "on", "_import": "1"},
        follow=True,
    )

    assert response.context["counts"]["refused"] == 1
    assert Initiative.objects.filter(name="La Fabrique de Pernes").exists()
    assert not Initiative.objects.filter(name="Lieu fantôme").exists()


def test_importing_the_same_source_again_updates_the_entries_it_made(importer_client):
    first = b"id;Nom;Ville;Code postal;Courriel\n7;La Fabrique de Pernes;Pernes;62550;\n"
    again = "id;Nom;Ville;Code postal;Courriel\n7;La Fabrique de Pernes;Pernes;62550;bonjour@fabrique.fr\n"
    preview = upload(importer_client, content=first)
    importer_client.post(ImportBatch.objects.get().get_admin_url(), {**mapping_post(preview), "_import": "1"})
    fabrique = Initiative.objects.get(name="La Fabrique de Pernes")

    preview = upload(importer_client, content=again.encode(), name="lieux-2027.csv")
    second = ImportBatch.objects.latest("pk")
    assert preview.context["counts"]["update"] == 1 and preview.context["counts"]["create"] == 0
    importer_client.post(second.get_admin_url(), {**mapping_post(preview), "_import": "1"})

    fabrique.refresh_from_db()
    assert fabrique.public_email == "bonjour@fabrique.fr"
    assert Initiative.objects.filter(name="La Fabrique de Pernes").count() == 1
    assert ImportedRecord.objects.get(batch=second).action == ImportedRecord.Action.UPDATED
    # The change is in the entry's history, with the import said as its reason.
    assert fabrique.history.count() >= 2


def test_an_entry_like_one_of_the_catalogue_is_flagged_in_the_preview(importer_client, pernes):
    InitiativeFactory(name="La Fabrique de Pernes", commune=pernes, website="https://fabrique-pernes.fr")

    preview = upload(importer_client)

    assert preview.context["counts"]["flagged"] == 1
    assert "même site web" in preview.content.decode()


def test_a_curator_without_a_network_may_not_import(client, seed):
    client.force_login(CuratorFactory(email="sans-reseau@example.org", network=False))

    assert client.get(ADD).status_code == 403


def test_another_networks_import_is_not_shown(importer_client, client):
    upload(importer_client)
    batch = ImportBatch.objects.get()
    other = CuratorFactory(email="autre@example.org", network=False)
    client.force_login(other)

    assert client.get(batch.get_admin_url()).status_code in (302, 404)
