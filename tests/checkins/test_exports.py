"""The attendance CSV never hands a spreadsheet a formula, whichever separator it splits on
(German Excel splits on ";", others on tab or "|"), and leaves ordinary text alone."""

import csv
import io

import pytest

from checkins.exports import csv_safe_cell
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
    if delimiter == ",":  # read as written: each name is one cell
        names = {row[0] for row in csv.reader(io.StringIO(text))}
        assert set(NEUTRALISED.values()) <= names
