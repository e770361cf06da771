"""The facilitator's attendance export (CSV)."""

import csv
import re

from django.http import HttpResponse
from django.utils.translation import gettext as _

from checkins.models import CheckIn
from checkins.selectors import attendance_rows

# What makes a spreadsheet read a cell as a formula (CSV injection, OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The separators a spreadsheet may split on: "," here, but German Excel uses ";", other
# imports tab or "|"; quoting does not help when the reader splits on another separator than
# the writer used. So every place where a separator is followed (after spaces or quotes) by
# a formula character gets an apostrophe right after the separator.
_FORMULA_AFTER_SEPARATOR = re.compile(r"(?<=[,;\t|])(?=[ \"']*[=+\-@\t\r])")


def csv_safe_cell(value: object) -> str:
    """The cell as text that no spreadsheet evaluates, whatever separator it splits on:
    `=1+1` → `'=1+1`, `Max;=2+5*7` → `Max;'=2+5*7` (the apostrophe marks text; Excel hides a
    leading one). Ordinary text ("Müller-Lüdenscheid") is unchanged."""
    text = _FORMULA_AFTER_SEPARATOR.sub("'", str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def attendance_csv(checkin: CheckIn) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="checkin-{checkin.pk}-attendance.csv"'
    response.write("\ufeff")  # a BOM, so that spreadsheet programs read UTF-8
    # Every cell quoted, so that a reader splitting on "," keeps each cell whole.
    writer = csv.writer(response, quoting=csv.QUOTE_ALL)
    writer.writerow(
        [_("Name"), _("E-mail"), _("Company"), _("Response"), _("Status"), _("Report filed")]
    )
    for row in attendance_rows(checkin=checkin):
        writer.writerow(
            csv_safe_cell(cell)
            for cell in (
                row["name"],
                row["email"],
                row["company"],
                row["response"],
                row["status"],
                _("yes") if row["report_filed"] else _("no"),
            )
        )
    return response
