"""The participant export: columns by role from events.selectors (a manager sees the e-mail
addresses of people who agreed to be contacted, a coach none), the event's questions as
columns, postcodes as text in the XLSX and exactly as given in the CSV (BOM, ";"), text that
never becomes a formula, the status in the model's words, a file name with the event's day
and title, and a download that is audited."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from audit.models import AuditEntry
from events.exports import export_filename, export_table
from events.models import RegistrationStatus
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(event, ext) -> str:
    return f"/programmes/{event.programme_id}/events/{event.pk}/registrations.{ext}"


@pytest.fixture
def event(programme_world):
    pw = programme_world
    event = pw.event
    event.questions = [{"key": "topic", "label": "Ihr Thema?", "required": False}]
    event.save(update_fields=["questions"])
    pw.registration.answers = {"topic": "E-Rechnung"}
    pw.registration.save(update_fields=["answers"])
    RegistrationFactory(
        event=event,
        name="Nora Nokontakt",
        email="nora@example.com",
        company_name='=HYPERLINK("http://evil")',
        contact_consent=False,
    )
    return event


def _csv_rows(response) -> list[list[str]]:
    body = response.content
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_manager_csv_has_emails_of_consenting_people_only(programme_world, event):
    response = _client(programme_world.manager).get(_url(event, "csv"), **EN)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    header = rows[0]
    assert "E-mail address" in header
    assert "Ihr Thema?" in header
    email = header.index("E-mail address")
    by_name = {row[header.index("Name")]: row for row in rows[1:]}
    assert by_name["Rita Registrant"][email] == "rita@holzwurm.example"
    assert by_name["Nora Nokontakt"][email] == ""
    assert by_name["Rita Registrant"][header.index("Ihr Thema?")] == "E-Rechnung"
    # Text stays text: a formula is defused.
    assert by_name["Nora Nokontakt"][header.index("Company")].startswith("'=")
    assert b";" in response.content.splitlines()[0]
    assert "nora@example.com" not in response.content.decode("utf-8-sig")


def test_coach_gets_no_email_column_at_all(programme_world, event):
    response = _client(programme_world.coach).get(_url(event, "csv"), **EN)
    rows = _csv_rows(response)
    assert "E-mail address" not in rows[0]
    text = response.content.decode("utf-8-sig")
    assert "rita@holzwurm.example" not in text and "nora@example.com" not in text
    assert {row[0] for row in rows[1:]} == {"Rita Registrant", "Nora Nokontakt"}


def test_xlsx_columns_by_role_and_real_times(programme_world, event):
    pw = programme_world
    manager = _client(pw.manager).get(_url(event, "xlsx"), **EN)
    assert manager.status_code == 200
    assert manager["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(io.BytesIO(manager.content)).active
    header = [c.value for c in sheet[1]]
    assert "E-mail address" in header and "Ihr Thema?" in header
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Rita Registrant"][header.index("E-mail address")] == "rita@holzwurm.example"
    assert rows["Nora Nokontakt"][header.index("E-mail address")] in ("", None)
    assert isinstance(rows["Rita Registrant"][header.index("Registered at")], datetime)
    coach = _client(pw.coach).get(_url(event, "xlsx"), **EN)
    coach_header = [c.value for c in load_workbook(io.BytesIO(coach.content)).active[1]]
    assert "E-mail address" not in coach_header


def test_german_headers_and_file_name(programme_world, event):
    response = _client(programme_world.coach).get(_url(event, "csv"), HTTP_ACCEPT_LANGUAGE="de")
    day = event.starts_at.astimezone(ZoneInfo("Europe/Berlin")).date().isoformat()
    disposition = response["Content-Disposition"]
    assert f'filename="{day}-digitalisierung-im-handwerk-' in disposition
    assert disposition.endswith('.csv"')
    header = _csv_rows(response)[0]
    assert "Name" in header and "Status" in header


def test_download_is_audited(programme_world, event):
    client = _client(programme_world.manager)  # the login is audited too
    before = AuditEntry.objects.count()
    client.get(_url(event, "xlsx"))
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.target == f"event:{event.pk}"


def test_export_table_is_empty_for_anyone_not_staff(programme_world, event):
    headers, rows = export_table(event, "member")
    assert headers == []
    assert all(row == [] for row in rows)
    assert export_filename(event, "csv").endswith(".csv")


def test_an_outsider_gets_404(programme_world, event):
    for ext in ("csv", "xlsx"):
        assert _client(programme_world.outsider).get(_url(event, ext)).status_code == 404
        assert _client(programme_world.other_coach).get(_url(event, ext)).status_code == 404


def test_postcodes_keep_their_leading_zero(programme_world, event):
    """The XLSX stores a postcode as text (Excel shows 01067, not 1067); the CSV keeps it
    exactly, for programs that read it as it is."""
    RegistrationFactory(event=event, name="Dora Dresden", postcode="01067")
    client = _client(programme_world.manager)
    sheet = load_workbook(io.BytesIO(client.get(_url(event, "xlsx"), **EN).content)).active
    header = [c.value for c in sheet[1]]
    column = header.index("Postcode") + 1
    cell = next(
        row[column - 1] for row in sheet.iter_rows(min_row=2) if row[0].value == "Dora Dresden"
    )
    assert cell.value == "01067" and cell.data_type == "s"
    rows = _csv_rows(client.get(_url(event, "csv"), **EN))
    dora = next(r for r in rows if r[0] == "Dora Dresden")
    assert dora[rows[0].index("Postcode")] == "01067"


def test_status_reads_as_the_model_says_it(programme_world, event):
    """One home of the status words: the model's choices (a cancelled registration reads as
    RegistrationStatus.CANCELLED's label in the export and on the event page)."""
    RegistrationFactory(event=event, name="Cora Cancel", status=RegistrationStatus.CANCELLED)
    client = _client(programme_world.manager)
    for language in ("en", "de"):
        with translation.override(language):
            label = str(RegistrationStatus.CANCELLED.label)
        rows = _csv_rows(client.get(_url(event, "csv"), HTTP_ACCEPT_LANGUAGE=language))
        cora = next(r for r in rows if r[0] == "Cora Cancel")
        assert cora[rows[0].index("Status")] == label
        page = client.get(
            f"/programmes/{event.programme_id}/events/{event.pk}/?q=cora",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert f'<span class="badge">{label}</span>' in page.content.decode()
