"""Spreadsheet files that German Excel opens as it should, for every app's exports: XLSX
with a bold frozen header, real dates in a given time zone, column widths and text that never
turns into a formula; and the CSV cell guard (";"-separated files with a BOM are written by
each export). Moved here from checkins.exports so that feature apps that must not import each
other (checkins, events) share one implementation."""

import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What makes a spreadsheet read a cell as a formula (CSV injection, OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The separators a spreadsheet may split on: ";" here (German Excel), but other imports use ",",
# tab or "|"; quoting does not help when the reader splits on another separator than the
# writer used. So every place where a separator is followed (after spaces or quotes) by a
# formula character gets an apostrophe right after the separator.
_FORMULA_AFTER_SEPARATOR = re.compile(r"(?<=[,;\t|])(?=[ \"']*[=+\-@\t\r])")


def csv_safe_cell(value: object) -> str:
    """The cell as text that no spreadsheet evaluates, whatever separator it splits on:
    `=1+1` → `'=1+1`, `Max;=2+5*7` → `Max;'=2+5*7` (the apostrophe marks text; Excel hides a
    leading one). Ordinary text ("Müller-Lüdenscheid") is unchanged."""
    text = _FORMULA_AFTER_SEPARATOR.sub("'", str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


# --- XLSX ---------------------------------------------------------------------------------


def _excel_formats() -> tuple[str, str]:
    """Date and date-time cell formats in the language's style (config/formats)."""
    if (translation.get_language() or "de").startswith("de"):
        return "DD.MM.YYYY", "DD.MM.YYYY HH:MM"
    return "D MMM YYYY", "D MMM YYYY HH:MM"


def xlsx_sheet(
    workbook: Workbook,
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    tz: ZoneInfo,
) -> Worksheet:
    """A sheet with a bold, frozen header row and a filter, one row per item. Aware datetimes
    become Excel date-times in `tz` (Excel has no time zones), dates Excel dates; strings
    are always text, so "=1+1" in a company name stays "=1+1"."""
    date_format, datetime_format = _excel_formats()
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in headers]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, datetime):
                if value.tzinfo is not None:
                    value = value.astimezone(tz).replace(tzinfo=None)
                cell.value = value
                cell.number_format = datetime_format
                shown = 16
            elif isinstance(value, date):
                cell.value = value
                cell.number_format = date_format
                shown = 10
            elif value is None or isinstance(value, (int, float)):
                cell.value = value
                shown = len(str(value or ""))
            else:
                text = str(value)
                cell.value = text
                cell.data_type = "s"  # never a formula
                shown = max((len(line) for line in text.splitlines()), default=0)
            widths[c - 1] = max(widths[c - 1], shown)
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    return sheet


def xlsx_workbook() -> Workbook:
    """An empty workbook (without openpyxl's default "Sheet")."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def xlsx_response(workbook: Workbook, *, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")
