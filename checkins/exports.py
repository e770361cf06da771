"""The facilitator's attendance export: XLSX (what German Excel opens as it should) and CSV
(";"-separated with a BOM, the way German Excel reads a CSV by double-click).

The small XLSX writer (a header row, translated values, real Excel dates in the convoy's time
zone, column widths, the header frozen, text that never turns into a formula) is in
modelutils.spreadsheets; its names are importable from here too (overview.exports).
"""

import csv
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils.translation import gettext as _

from checkins.models import CheckIn, RsvpResponse, RsvpStatus
from checkins.selectors import attendance_rows

# The spreadsheet helpers live in modelutils.spreadsheets (shared with events.exports); the
# names stay importable from here for the apps that use them.
from modelutils.spreadsheets import (  # noqa: F401
    FORMULA_START,
    XLSX_CONTENT_TYPE,
    csv_safe_cell,
    xlsx_response,
    xlsx_sheet,
    xlsx_workbook,
    yes_no,
)


def rsvp_labels(response: str, status: str) -> tuple[str, str]:
    """The translated answer and status ("Ich komme", "Auf der Warteliste"), or empty."""
    return (
        str(RsvpResponse(response).label) if response else "",
        str(RsvpStatus(status).label) if status else "",
    )


def _attendance_headers() -> list[str]:
    return [
        _("Name"),
        _("E-mail"),
        _("Company"),
        _("Response"),
        _("Status"),
        _("Answered at"),
        _("Report filed"),
    ]


def _attendance_values(checkin: CheckIn) -> list[list[Any]]:
    rows = []
    for row in attendance_rows(checkin=checkin):
        response, status = rsvp_labels(row["response"], row["status"])
        rows.append(
            [
                row["name"],
                row["email"],
                row["company"],
                response,
                status,
                row.get("answered_at"),
                yes_no(row["report_filed"]),
            ]
        )
    return rows


def attendance_xlsx(checkin: CheckIn) -> HttpResponse:
    workbook = xlsx_workbook()
    xlsx_sheet(
        workbook,
        title=_("Attendance"),
        headers=_attendance_headers(),
        rows=_attendance_values(checkin),
        tz=ZoneInfo(checkin.convoy.timezone),
    )
    return xlsx_response(workbook, filename=f"checkin-{checkin.pk}-attendance.xlsx")


def attendance_csv(checkin: CheckIn) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="checkin-{checkin.pk}-attendance.csv"'
    response.write("\ufeff")  # a BOM, so that spreadsheet programs read UTF-8
    # ";" as German Excel expects; every cell quoted, so a reader splitting on ";" keeps each
    # cell whole.
    writer = csv.writer(response, delimiter=";", quoting=csv.QUOTE_ALL)
    writer.writerow(_attendance_headers())
    tz = ZoneInfo(checkin.convoy.timezone)
    for row in _attendance_values(checkin):
        answered = row[5]
        row[5] = answered.astimezone(tz).strftime("%Y-%m-%d %H:%M") if answered else ""
        writer.writerow(csv_safe_cell(cell) for cell in row)
    return response
