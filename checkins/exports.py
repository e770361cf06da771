"""The facilitator's attendance export (CSV)."""

import csv

from django.http import HttpResponse
from django.utils.translation import gettext as _

from checkins.models import CheckIn
from checkins.selectors import attendance_rows


def _cell(value: object) -> str:
    # A cell starting with = + - @ would be a formula in a spreadsheet (CSV injection).
    text = str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def attendance_csv(checkin: CheckIn) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="checkin-{checkin.pk}-attendance.csv"'
    response.write("\ufeff")  # a BOM, so that spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [_("Name"), _("E-mail"), _("Company"), _("Response"), _("Status"), _("Report filed")]
    )
    for row in attendance_rows(checkin=checkin):
        writer.writerow(
            [
                _cell(row["name"]),
                _cell(row["email"]),
                _cell(row["company"]),
                row["response"],
                row["status"],
                _("yes") if row["report_filed"] else _("no"),
            ]
        )
    return response
