"""The convoy export: one workbook for the convoy's facilitators with a sheet each for
companies, projects, milestones, updates, check-ins and attendance; only what a facilitator
sees (no unshared or archived projects, nothing of other convoys); translated values, real
dates in the convoy's time zone; the same number of queries at any convoy size."""

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from checkins.exports import XLSX_CONTENT_TYPE
from checkins.services import rsvp_set
from convoys.models import Membership, MembershipStatus
from tests.factories import (
    CheckInFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MilestoneFactory,
    ProjectFactory,
    UpdateFactory,
    UserFactory,
    populate_convoy,
)

SHEETS = ["Companies", "Projects", "Milestones", "Updates", "Check-ins", "Attendance"]


def _workbook(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].endswith('-export.xlsx"')
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _rows(sheet):
    rows = list(sheet.iter_rows(values_only=True))
    return rows[0], rows[1:]


@pytest.fixture
def filled(world):
    convoy = world.convoy
    convoy.timezone = "Europe/Zurich"
    convoy.save(update_fields=["timezone"])
    shared = ProjectFactory(
        company=world.company,
        title="Online-Terminbuchung",
        category="appointments",
        status="in_progress",
        target_date=date(2027, 3, 31),
        convoys=[convoy],
    )
    ProjectFactory(company=world.company, title="Geheimes Projekt", convoys=[])
    ProjectFactory(
        company=world.company,
        title="Archiviertes Projekt",
        convoys=[convoy],
        archived_at=timezone.now(),
    )
    ProjectFactory(
        company=world.other_company, title="Fremdes Projekt", convoys=[world.other_convoy]
    )
    MilestoneFactory(project=shared, title="Kalender anbinden", status="blocked", weight=2)
    MilestoneFactory(
        project=shared,
        title="Website-Button",
        status="done",
        completed_at=datetime(2026, 7, 1, 22, 30, tzinfo=UTC),
    )
    UpdateFactory(
        convoy=convoy,
        company=world.company,
        author=world.owner,
        body="=1+1 läuft",
        help_wanted=True,
    )
    UpdateFactory(convoy=world.other_convoy, company=world.other_company, body="Anderer Konvoi")
    checkin = CheckInFactory(
        convoy=convoy,
        title="Treffen Juli",
        starts_at=datetime(2026, 7, 14, 12, 0, tzinfo=UTC),
        ends_at=datetime(2026, 7, 14, 14, 0, tzinfo=UTC),
        rsvp_deadline=datetime(2026, 7, 13, 12, 0, tzinfo=UTC),
    )
    return checkin


def test_the_export_has_every_sheet_with_translated_values_and_local_dates(
    world, filled, client_for
):
    response = client_for(world.facilitator).get(
        f"/api/v1/convoys/{world.convoy.pk}/export.xlsx", HTTP_ACCEPT_LANGUAGE="en"
    )
    workbook = _workbook(response)
    assert workbook.sheetnames == SHEETS
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"

    header, rows = _rows(workbook["Companies"])
    assert header[0] == "Company"
    assert [r[0] for r in rows] == ["Sanitär Schulte"]

    header, rows = _rows(workbook["Projects"])
    assert [r[1] for r in rows] == ["Online-Terminbuchung"]  # not unshared, archived, foreign
    assert rows[0][2] not in ("appointments", None)  # the label, not the wire value
    assert rows[0][3] == "In progress"
    assert rows[0][5] == datetime(2027, 3, 31)  # a real Excel date

    header, rows = _rows(workbook["Milestones"])
    by_title = {r[2]: r for r in rows}
    assert set(by_title) == {"Kalender anbinden", "Website-Button"}
    assert by_title["Kalender anbinden"][3] == "Blocked"
    # 22:30 UTC on 1 July is 00:30 on 2 July in Zurich.
    assert by_title["Website-Button"][5] == datetime(2026, 7, 2, 0, 30)

    header, rows = _rows(workbook["Updates"])
    assert [r[3] for r in rows] == ["=1+1 läuft"]  # text, not a formula
    assert rows[0][5] == "yes"
    cell = workbook["Updates"]["D2"]
    assert cell.data_type == "s"

    header, rows = _rows(workbook["Check-ins"])
    assert rows[0][:3] == (
        "Treffen Juli",
        datetime(2026, 7, 14, 14, 0),
        datetime(2026, 7, 14, 16, 0),
    )
    assert rows[0][4] == "Scheduled"


def test_attendance_sheet_lists_the_answers(world, client_for):
    checkin = CheckInFactory(convoy=world.convoy, title="Treffen", capacity=1)
    rsvp_set(actor=world.owner, checkin=checkin, response="yes")
    rsvp_set(actor=world.member, checkin=checkin, response="yes")
    rsvp_set(actor=world.facilitator, checkin=checkin, response="no")
    workbook = _workbook(
        client_for(world.facilitator).get(
            f"/api/v1/convoys/{world.convoy.pk}/export.xlsx", HTTP_ACCEPT_LANGUAGE="en"
        )
    )
    header, rows = _rows(workbook["Attendance"])
    assert header[:7] == (
        "Check-in",
        "Starts at",
        "Name",
        "E-mail",
        "Company",
        "Response",
        "Status",
    )
    by_name = {r[2]: r for r in rows}
    assert by_name["Olaf Owner"][4:7] == ("Sanitär Schulte", "Yes", "Confirmed")
    assert by_name["Mia Member"][5:7] == ("Yes", "On the waitlist")
    assert by_name["Frieda Facil"][4:7] == (None, "No", "Declined")
    assert isinstance(by_name["Olaf Owner"][1], datetime)


def test_german_export_has_german_date_formats_and_no_wire_values(world, filled, client_for):
    workbook = _workbook(
        client_for(world.facilitator).get(
            f"/api/v1/convoys/{world.convoy.pk}/export.xlsx", HTTP_ACCEPT_LANGUAGE="de"
        )
    )
    sheet = workbook.worksheets[2]
    done = next(row for row in sheet.iter_rows(min_row=2) if row[5].value is not None)
    assert done[5].number_format == "DD.MM.YYYY HH:MM"
    assert workbook.worksheets[1]["F2"].number_format == "DD.MM.YYYY"


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 403), ("member", 403), ("other_member", 404), ("outsider", 404)]
)
def test_only_facilitators_may_export(world, client_for, who, status):
    response = client_for(getattr(world, who)).get(f"/api/v1/convoys/{world.convoy.pk}/export.xlsx")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")


def test_the_page_links_the_export_for_facilitators_only(world):
    facilitator, owner = Client(), Client()
    facilitator.force_login(world.facilitator)
    owner.force_login(world.owner)
    link = f'href="/convoys/{world.convoy.pk}/export.xlsx"'
    assert link in facilitator.get(f"/convoys/{world.convoy.pk}/").content.decode()
    assert link not in owner.get(f"/convoys/{world.convoy.pk}/").content.decode()
    assert facilitator.get(f"/convoys/{world.convoy.pk}/export.xlsx").status_code == 200
    assert owner.get(f"/convoys/{world.convoy.pk}/export.xlsx").status_code == 403
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(f"/convoys/{world.convoy.pk}/export.xlsx").status_code == 404


@pytest.mark.parametrize("companies", [2, 8])
def test_queries_do_not_grow_with_the_convoy(db, client_for, django_assert_num_queries, companies):
    convoy = ConvoyFactory()
    facilitator = UserFactory()
    FacilitatorFactory(convoy=convoy, user=facilitator)
    people = populate_convoy(convoy, companies=companies)
    for _i in range(companies // 2):
        checkin = CheckInFactory(convoy=convoy)
        for company in people:
            rsvp_set(actor=company.members.first().user, checkin=checkin, response="maybe")
    client = client_for(facilitator)
    # Token, visibility and facilitator check, the audit log's row, then one read per sheet
    # (two for attendance).
    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get(f"/api/v1/convoys/{convoy.pk}/export.xlsx")
    assert response.status_code == 200


EXPORT_QUERIES = 10


def test_a_company_that_left_takes_its_projects_out_of_the_export(world, filled, client_for):
    # Reported by the attacker review: after a removal, the company's later edits still
    # appeared in the facilitator's export although the dashboard and the API hid them.
    Membership.objects.filter(convoy=world.convoy, company=world.company).update(
        status=MembershipStatus.REMOVED, ended_at=timezone.now()
    )
    workbook = _workbook(
        client_for(world.facilitator).get(
            f"/api/v1/convoys/{world.convoy.pk}/export.xlsx", HTTP_ACCEPT_LANGUAGE="en"
        )
    )
    _, projects = _rows(workbook["Projects"])
    _, milestones = _rows(workbook["Milestones"])
    _, updates = _rows(workbook["Updates"])
    assert projects == [] and milestones == []
    assert any("=1+1 läuft" in str(cell) for row in updates for cell in row)  # history stays
