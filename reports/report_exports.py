"""The programme report as files: an Excel workbook and a CSV that German Excel opens.

XLSX (checkins.exports' house style: bold frozen header, translated values, real dates, text
that never becomes a formula): "Indicators" (each indicator, then one row per breakdown
entry; label, value and rule first, the CSV's machine columns after), "Companies" (one row
per company reached; first and last contact as days, since a service has no time of day),
"Services" (one row per service in the period; never the staff's private notes), "Convoys"
(one row per convoy counted), "Events" (one row per open event held: its date, title, format,
seats, registrations, attendees and no-shows, as the event indicators count them).

CSV: the indicators sheet alone, as `key;dimension;value_key;value;label;rule` (a machine
header, in English whatever the language; labels and rules are translated), UTF-8 with a
BOM, every cell quoted and guarded against formulas.

Both are built from the same `ProgrammeReport` the API returns, so the files and the JSON
cannot disagree.
"""

import csv
import io
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from checkins.exports import csv_safe_cell, xlsx_sheet, xlsx_workbook
from companies.models import Sector, SizeClass
from convoys.models import ConvoyStatus
from events.models import EventFormat
from programmes.models import Service, ServiceCategory, ServiceKind, Stage
from reports.programme_report import (
    NEW,
    ProgrammeReport,
    dimension_label,
    value_label,
)

CSV_HEADERS = ["key", "dimension", "value_key", "value", "label", "rule"]


def indicator_rows(report: ProgrammeReport) -> Iterator[list[Any]]:
    """key, dimension, value_key, value, label, rule: one row per indicator, then one per
    entry of each of its breakdowns (its label "Dimension: value")."""
    for item in report.indicators:
        yield [item.key, "", "", item.value, item.label, item.rule]
        for dimension, entries in (item.breakdown or {}).items():
            for key, n in entries.items():
                label = value_label(dimension, key, indicator_key=item.key)
                yield [item.key, dimension, key, n, f"{dimension_label(dimension)}: {label}", ""]


def _choice(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def report_workbook(report: ProgrammeReport) -> Workbook:
    tz = ZoneInfo(settings.TIME_ZONE)
    workbook = xlsx_workbook()
    xlsx_sheet(
        workbook,
        title=_("Indicators"),
        # What a person reads first; the machine columns (the CSV's) after them.
        headers=[
            _("Label"),
            _("Value"),
            _("Counting rule"),
            _("Key"),
            _("Dimension"),
            _("Value key"),
        ],
        rows=(
            [label, value, rule, key, dimension, value_key]
            for key, dimension, value_key, value, label, rule in indicator_rows(report)
        ),
        tz=tz,
    )
    xlsx_sheet(
        workbook,
        title=_("Companies"),
        headers=[
            _("Company"),
            _("Sector"),
            _("Size class"),
            _("Region"),
            _("Stage"),
            _("First contact"),
            _("Last contact in the period"),
            _("New or returning"),
        ],
        rows=(
            [
                c.name,
                _choice(Sector, c.sector),
                _choice(SizeClass, c.size_class),
                value_label("region", c.region),
                _choice(Stage, c.stage),
                # Dates only: a service's contact has a day but no time of day.
                c.first_ever.astimezone(tz).date(),
                c.last_in_period.astimezone(tz).date(),
                _("New") if c.new_returning == NEW else _("Returning"),
            ]
            for c in report.context.reached
        ),
        tz=tz,
    )
    period = report.period
    services = (
        Service.objects.filter(
            programme=report.programme, date__gte=period.start, date__lte=period.end
        )
        .select_related("company", "coach")
        .order_by("date", "id")
    )
    xlsx_sheet(
        workbook,
        title=pgettext("programme services", "Services"),
        headers=[_("Date"), _("Company"), _("Kind"), _("Category"), _("Minutes"), _("Coach")],
        rows=(
            [
                s.date,
                s.company.display_name,
                _choice(ServiceKind, s.kind),
                _choice(ServiceCategory, s.category),
                s.minutes,
                s.coach.display_name if s.coach else "",
            ]
            for s in services
        ),
        tz=tz,
    )
    xlsx_sheet(
        workbook,
        title=_("Convoys"),
        headers=[_("Convoy"), _("Status"), _("Companies in the period")],
        rows=(
            [c["name"], _choice(ConvoyStatus, c["status"]), c["companies"]]
            for c in report.context.convoys_counted()
        ),
        tz=tz,
    )
    xlsx_sheet(
        workbook,
        title=_("Events"),
        headers=[
            _("Date"),
            _("Event"),
            _("Format"),
            _("Seats"),
            _("Registrations"),
            _("Attendees"),
            _("No-shows"),
        ],
        rows=(
            [
                e["starts_at"].astimezone(tz).date(),
                e["title"],
                _choice(EventFormat, e["format"]),
                e["capacity"],
                e["registrations_n"],
                e["attendees_n"],
                e["no_shows_n"],
            ]
            for e in report.context.events
        ),
        tz=tz,
    )
    return workbook


def report_xlsx_bytes(report: ProgrammeReport) -> bytes:
    buffer = io.BytesIO()
    report_workbook(report).save(buffer)
    return buffer.getvalue()


def report_csv_text(report: ProgrammeReport) -> str:
    """The indicators as CSV text, starting with a BOM (spreadsheets then read UTF-8); ";"
    as German Excel expects, every cell quoted and no cell read as a formula."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(CSV_HEADERS)
    for row in indicator_rows(report):
        writer.writerow(csv_safe_cell("" if cell is None else cell) for cell in row)
    return out.getvalue()
