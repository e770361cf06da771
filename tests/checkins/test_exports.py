"""The attendance exports. The XLSX: a header row, translated answers and statuses, real Excel
date-times in the convoy's time zone, column widths, the header frozen, text never a formula.
The CSV: ";"-separated with a BOM (what German Excel opens), never handing a spreadsheet a
formula whichever separator it splits on, and leaving ordinary text alone."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from checkins.exports import XLSX_CONTENT_TYPE, csv_safe_cell
from checkins.models import Rsvp
from checkins.services import rsvp_set
from tests.factories import CheckInFactory, CompanyMemberFactory, UserFactory

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# value → the cell written: an apostrophe before every place a formula could start.
NEUTRALISED = {
    "Max;=2+5*7": "Max;'=2+5*7",
    "a,=1+1": "a,'=1+1",
    '=HYPERLINK("http://evil.example","klick")': '\'=HYPERLINK("http://evil.example","klick")',
    "\t=1": "'\t'=1",
    "@SUM(1)": "'@SUM(1)",
    "+49 2331 1234": "'+49 2331 1234",
    "Anna|+1": "Anna|'+1",
    "Bob;  -2": "Bob;'  -2",
    "Eva\t=1+1": "Eva\t'=1+1",
    'Ida;"=1+1': "Ida;'\"=1+1",
    "=1;=2": "'=1;'=2",
}
HOSTILE = list(NEUTRALISED)


@pytest.mark.parametrize(("value", "written"), NEUTRALISED.items())
def test_hostile_cells_are_neutralised(value, written):
    assert csv_safe_cell(value) == written


@pytest.mark.parametrize(
    "value", ["Müller-Lüdenscheid", "Müller-Lüdenscheid & Söhne GmbH", "a-b; c", "x@y.de", ""]
)
def test_ordinary_text_is_unchanged(value):
    assert csv_safe_cell(value) == value


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_no_cell_of_the_export_starts_a_formula_whatever_the_separator(
    delimiter, world, client_for
):
    checkin = CheckInFactory(convoy=world.convoy)
    for name in HOSTILE:
        person = UserFactory(name=name)
        CompanyMemberFactory(company=world.company, user=person)
        rsvp_set(actor=person, checkin=checkin, response="yes")
    world.company.name = "Firma;=1+1"
    world.company.save()
    rsvp_set(actor=world.owner, checkin=checkin, response="yes")

    response = client_for(world.facilitator).get(
        f"/api/v1/checkins/{checkin.pk}/attendance.csv", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]
    assert cells
    assert not [cell for cell in cells if cell.lstrip(" ").startswith(FORMULA_START)], text
    if delimiter == ";":  # read as written: each name is one cell
        names = {row[0] for row in csv.reader(io.StringIO(text), delimiter=";")}
        assert set(NEUTRALISED.values()) <= names


# --- XLSX and the CSV's shape ---------------------------------------------------------------


def _attendance_world(world):
    convoy = world.convoy
    convoy.timezone = "Europe/Vienna"
    convoy.save(update_fields=["timezone"])
    checkin = CheckInFactory(convoy=convoy, capacity=1)
    rsvp_set(actor=world.owner, checkin=checkin, response="yes")
    rsvp_set(actor=world.member, checkin=checkin, response="yes")  # the seat is taken
    rsvp_set(actor=world.facilitator, checkin=checkin, response="maybe")
    hostile = UserFactory(name="=HYPERLINK(1)")
    CompanyMemberFactory(company=world.company, user=hostile)
    rsvp_set(actor=hostile, checkin=checkin, response="no")
    return checkin


def _sheet(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(workbook.worksheets) == 1
    return workbook.worksheets[0]


@pytest.mark.parametrize(
    ("language", "title", "header", "labels", "date_format"),
    [
        (
            "en",
            "Attendance",
            ["Name", "E-mail", "Company", "Response", "Status", "Answered at", "Report filed"],
            {
                "Olaf Owner": ("Yes", "Confirmed"),
                "Mia Member": ("Yes", "On the waitlist"),
                "Frieda Facil": ("Maybe", "Tentative"),
                "=HYPERLINK(1)": ("No", "Declined"),
            },
            "D MMM YYYY HH:MM",
        ),
        ("de", None, None, None, "DD.MM.YYYY HH:MM"),
    ],
)
def test_attendance_xlsx(world, client_for, language, title, header, labels, date_format):
    checkin = _attendance_world(world)
    response = client_for(world.facilitator).get(
        f"/api/v1/checkins/{checkin.pk}/attendance.xlsx", HTTP_ACCEPT_LANGUAGE=language
    )
    sheet = _sheet(response)
    rows = list(sheet.iter_rows(values_only=True))
    if title:
        assert sheet.title == title
        assert list(rows[0]) == header
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["B"].width >= len("person1@example.com")
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Olaf Owner", "Mia Member", "Frieda Facil", "=HYPERLINK(1)"}
    for name, (response_label, status_label) in (labels or {}).items():
        assert by_name[name][3:5] == (response_label, status_label)
    if language == "de":  # translated, whatever the catalogue's words: not the wire values
        assert not {row[3] for row in rows[1:]} & {"yes", "no", "maybe"}
    # A real Excel date-time, in the convoy's time zone (Vienna), not UTC.
    rsvp = Rsvp.objects.get(checkin=checkin, user=world.owner)
    answered = by_name["Olaf Owner"][5]
    assert isinstance(answered, datetime)
    assert answered == rsvp.updated_at.astimezone(ZoneInfo("Europe/Vienna")).replace(
        tzinfo=None, microsecond=answered.microsecond
    )
    cell = next(c for c in sheet["F"][1:] if c.value is not None)
    assert cell.number_format == date_format
    # A name that looks like a formula stays text.
    hostile = next(c for c in sheet["A"] if c.value == "=HYPERLINK(1)")
    assert hostile.data_type == "s"
    assert by_name["Olaf Owner"][2] == world.company.name


def test_attendance_xlsx_from_the_page(world):
    from django.test import Client

    checkin = _attendance_world(world)
    client = Client()
    client.force_login(world.facilitator)
    page = client.get(f"/checkins/{checkin.pk}/attendance/").content.decode()
    assert f'href="/checkins/{checkin.pk}/attendance.xlsx"' in page
    sheet = _sheet(client.get(f"/checkins/{checkin.pk}/attendance.xlsx"))
    assert sheet.max_row == 5


@pytest.mark.parametrize(("who", "status"), [("owner", 403), ("outsider", 404), (None, 401)])
def test_attendance_xlsx_is_for_facilitators(world, client_for, who, status):
    checkin = _attendance_world(world)
    user = getattr(world, who) if who else None
    response = client_for(user).get(f"/api/v1/checkins/{checkin.pk}/attendance.xlsx")
    assert response.status_code in ({401, 403} if status == 401 else {status})


def test_attendance_csv_is_semicolon_separated_with_a_bom_and_translated(world, client_for):
    checkin = _attendance_world(world)
    response = client_for(world.facilitator).get(
        f"/api/v1/checkins/{checkin.pk}/attendance.csv", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Name",
        "E-mail",
        "Company",
        "Response",
        "Status",
        "Answered at",
        "Report filed",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Mia Member"][3:5] == ["Yes", "On the waitlist"]
    assert by_name["'=HYPERLINK(1)"][3:5] == ["No", "Declined"]
    local = Rsvp.objects.get(checkin=checkin, user=world.owner).updated_at.astimezone(
        ZoneInfo("Europe/Vienna")
    )
    assert by_name["Olaf Owner"][5] == local.strftime("%Y-%m-%d %H:%M")
