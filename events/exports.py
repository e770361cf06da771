"""The participant export of an open event: XLSX (checkins.exports' house style: bold frozen
header, translated values, real date-times in the programme's zone, text that never becomes a
formula, postcodes as text so that "01067" keeps its zero) and a clean CSV for other programs
(";" separated, UTF-8 with a BOM, every cell quoted and guarded against formulas). Excel reads
a CSV's "01067" as the number 1067 whatever the quoting: the event page sends Excel users to
the XLSX.

Columns by role, from one home: events.selectors.registration_columns(role); an e-mail
address only where events.selectors.registration_email_visible(role, registration) (a
manager, for people who agreed to be contacted). An event's own questions become one column
each where the role's columns include the answers.
"""

import csv
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from events.models import OpenEvent, Registration
from events.selectors import (
    registration_columns,
    registration_email_visible,
    registrations_for_staff,
)
from modelutils.spreadsheets import csv_safe_cell, xlsx_response, xlsx_sheet, xlsx_workbook, yes_no


def _model_label(name: str) -> str:
    try:
        label = Registration._meta.get_field(name).verbose_name
    except FieldDoesNotExist:  # a column the model does not have: its key
        return name
    text = str(label)
    return text[:1].upper() + text[1:]


def column_label(column: str) -> str:
    """The header of a column of registration_columns()."""
    labels = {
        "id": _("No."),
        "name": _("Name"),
        "email": _("E-mail address"),
        "company_name": _("Company"),
        "postcode": _("Postcode"),
        "size": _("Size"),
        "sector": _("Sector"),
        "status": _("Status"),
        "attended": _("Checked in"),
        "attended_at": _("Checked in at"),
        "walk_in": _("Registered at the door"),
        "contact_consent": _("May be contacted"),
        "created_at": _("Registered at"),
        "position": _("Waiting list position"),
    }
    return str(labels.get(column) or _model_label(column))


def column_value(column: str, registration: Registration, role: str) -> Any:
    """The value of one cell: choices as their labels, yes/no as words, the e-mail address
    only where the rule allows."""
    if column == "email":
        return registration.email if registration_email_visible(role, registration) else ""
    if column == "attended":
        return yes_no(registration.attended_at is not None)
    if column in {"status", "size", "sector"}:
        return getattr(registration, f"get_{column}_display")()
    value = getattr(registration, column, "")
    if isinstance(value, bool):
        return yes_no(value)
    return "" if value is None else value


def export_table(
    event: OpenEvent, role: str, registrations: QuerySet[Registration] | None = None
) -> tuple[list[str], list[list[Any]]]:
    """The header and the rows: one per registration (cancelled ones included, with their
    status), the role's columns, then one per question where the role sees answers."""
    columns = list(registration_columns(role))
    questions = [q for q in (event.questions or []) if isinstance(q, dict) and q.get("key")]
    show_answers = "answers" in columns
    plain = [c for c in columns if c != "answers"]
    headers = [column_label(c) for c in plain]
    if show_answers:
        headers += [str(q.get("label") or q["key"]) for q in questions]
    if registrations is None:
        registrations = registrations_for_staff(event=event)
    rows = []
    for registration in registrations:
        row = [column_value(c, registration, role) for c in plain]
        if show_answers:
            answers = registration.answers or {}
            row += [str(answers.get(q["key"], "")) for q in questions]
        rows.append(row)
    return headers, rows


def export_filename(event: OpenEvent, extension: str) -> str:
    """`2026-03-12-digitalisierung-im-handwerk-anmeldungen.xlsx`: the day in the programme's
    zone, a slug of the title, and what it is, in the request's language."""
    day = event.starts_at.astimezone(ZoneInfo(event.programme.timezone)).date().isoformat()
    title = slugify(event.title)[:50].strip("-") or "event"
    what = slugify(_("registrations")) or "registrations"
    return f"{day}-{title}-{what}.{extension}"


def registrations_xlsx(event: OpenEvent, role: str) -> HttpResponse:
    headers, rows = export_table(event, role)
    workbook = xlsx_workbook()
    xlsx_sheet(
        workbook,
        title=_("Registrations"),
        headers=headers,
        rows=rows,
        tz=ZoneInfo(event.programme.timezone),
    )
    return xlsx_response(workbook, filename=export_filename(event, "xlsx"))


def _csv_cells(row: Sequence[Any], tz: ZoneInfo) -> Iterator[str]:
    for cell in row:
        if isinstance(cell, datetime):
            yield cell.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        else:
            yield csv_safe_cell("" if cell is None else cell)


def registrations_csv(event: OpenEvent, role: str) -> HttpResponse:
    headers, rows = export_table(event, role)
    tz = ZoneInfo(event.programme.timezone)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = export_filename(event, "csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # a BOM, so that German Excel reads UTF-8
    writer = csv.writer(response, delimiter=";", quoting=csv.QUOTE_ALL)
    writer.writerow([csv_safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow(list(_csv_cells(row, tz)))
    return response
