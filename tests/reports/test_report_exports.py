"""The report's files: the XLSX opened with openpyxl, the CSV parsed, both against the JSON."""

import csv
import io
from datetime import date, datetime

import pytest
from django.utils import translation
from openpyxl import load_workbook

from companies.models import Company
from programmes.models import Service
from reports.programme_report import programme_report
from reports.report_exports import CSV_HEADERS, report_csv_text, report_xlsx_bytes
from tests.reports.test_programme_report import NOW, PERIOD, build_dataset


@pytest.fixture
def data(db):
    return build_dataset()


def _report(data):
    return programme_report(programme=data.programme, period=PERIOD, now=NOW)


def _workbook(data, language="en"):
    with translation.override(language):
        return load_workbook(io.BytesIO(report_xlsx_bytes(_report(data))))


def _rows(sheet):
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_workbook_has_its_sheets(data):
    assert _workbook(data).sheetnames == [
        "Indicators",
        "Companies",
        "Services",
        "Convoys",
        "Events",
    ]


def test_the_indicators_sheet_has_the_report_figures(data):
    report = _report(data)
    sheet = _workbook(data)["Indicators"]

    # What a person reads first, the machine columns after.
    assert [c.value for c in sheet[1]] == [
        "Label",
        "Value",
        "Counting rule",
        "Key",
        "Dimension",
        "Value key",
    ]
    # In the CSV's order, to compare with it.
    rows = [[r[3], r[4], r[5], r[1], r[0], r[2]] for r in _rows(sheet)]
    totals = {r[0]: r[3] for r in rows if r[1] is None}
    assert totals == {i.key: i.value for i in report.indicators}
    breakdown = {(r[0], r[1], r[2]): r[3] for r in rows if r[1] is not None}
    assert breakdown[("companies_reached", "size_class", "micro")] == 1
    assert breakdown[("companies_reached", "size_class", "large")] == 0
    assert breakdown[("companies_reached", "new_returning", "returning")] == 1
    assert breakdown[("funnel", "stage", "project_started")] == 1
    assert breakdown[("companies_served", "category", "test_before_invest")] == 2
    assert breakdown[("projects_started", "category", "ecommerce")] == 1
    for item in report.indicators:
        for dimension, entries in (item.breakdown or {}).items():
            for key, n in entries.items():
                assert breakdown[(item.key, dimension, key)] == n
    reached_row = next(r for r in rows if r[0] == "companies_reached" and r[1] is None)
    assert reached_row[4] == "Companies reached"
    assert "counts once" in reached_row[5]
    micro_row = next(r for r in rows if r[2] == "micro")
    assert micro_row[4] == "Size class: Micro (under 10 staff)"


def test_the_companies_sheet_has_one_row_per_company_reached(data):
    rows = _rows(_workbook(data)["Companies"])

    assert [r[0] for r in rows] == ["Anna Tischlerei", "Bäckerei Berg", "Carl Metallbau"]
    anna, berg, carl = rows
    assert anna[1:5] == ["Craft", "Micro (under 10 staff)", "Südwestfalen", "Project started"]
    assert anna[7] == "New"
    assert berg[3] == "Hagen"
    # Days only (a service has no time of day), the local day of the contact.
    assert berg[5] == datetime(2025, 6, 1)  # first contact ever
    assert berg[6] == datetime(2026, 1, 1)  # 00:30 local on 1 January, 23:30 UTC before
    assert berg[7] == "Returning"
    assert carl[3] == "Unknown"
    assert carl[4] == "Engaged"
    assert carl[6] == datetime(2026, 6, 30)
    sheet = _workbook(data)["Companies"]
    assert sheet.cell(row=2, column=6).number_format == sheet.cell(row=2, column=7).number_format
    assert "h" not in sheet.cell(row=2, column=7).number_format.lower()


def test_the_services_sheet_lists_the_periods_services_without_notes(data):
    Service.objects.filter(programme=data.programme).update(notes="vertraulich: Insolvenzgefahr")
    sheet = _workbook(data)["Services"]

    assert [c.value for c in sheet[1]] == [
        "Date",
        "Company",
        "Kind",
        "Category",
        "Minutes",
        "Coach",
    ]
    rows = _rows(sheet)
    assert [(r[0].date(), r[1], r[2]) for r in rows] == [
        (date(2026, 1, 1), "Anna Tischlerei", "On-site visit"),
        (date(2026, 3, 10), "Anna Tischlerei", "On-site visit"),
        (date(2026, 6, 30), "Carl Metallbau", "Consultation"),
    ]
    assert all("vertraulich" not in str(cell) for row in rows for cell in row)


def test_the_convoys_sheet_lists_the_convoys_counted(data):
    rows = _rows(_workbook(data)["Convoys"])

    assert rows == [["Konvoi Drei", "Forming", 1], ["Konvoi Eins", "Active", 2]]


def test_a_company_name_never_becomes_a_formula(data):
    Company.objects.filter(pk=data.a.pk).update(name="=HYPERLINK(1)")
    sheet = _workbook(data)["Companies"]

    cell = next(row[0] for row in sheet.iter_rows(min_row=2) if row[0].value == "=HYPERLINK(1)")
    assert cell.data_type == "s"


def test_the_csv_is_semicolon_separated_with_a_bom_and_the_same_figures(data):
    report = _report(data)
    with translation.override("de"):
        text = report_csv_text(report)

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == CSV_HEADERS == ["key", "dimension", "value_key", "value", "label", "rule"]
    totals = {r[0]: r[3] for r in rows[1:] if r[1] == ""}
    assert totals == {i.key: "" if i.value is None else str(i.value) for i in report.indicators}
    entries = {(r[0], r[1], r[2]): r[3] for r in rows[1:] if r[1]}
    assert entries[("companies_reached", "region", "Südwestfalen")] == "1"
    assert entries[("companies_served", "category", "skills_training")] == "1"
    assert entries[("convoys", "status", "closed")] == "0"
    assert all(len(r) == 6 for r in rows)


def test_the_csv_guards_against_formulas(data):
    Company.objects.filter(pk=data.a.pk).update(region="=cmd|' /C calc'!A0")
    text = report_csv_text(_report(data))

    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    region_keys = [r[2] for r in rows if r[1] == "region"]
    assert "'=cmd|' /C calc'!A0" in region_keys
