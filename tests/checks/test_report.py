"""The check indicators of the programme report: companies with a T0 and a T1 check in the
period (each once, by size class), and the maturity change of the pairs T0 → T1 (same
questionnaire version, the T1 in the period): the number of pairs and, from 5 pairs, the
median change per dimension, the band moves and the share moving up; in the JSON, the XLSX
(numbers as numbers) and the CSV; one query per group whatever the number of checks."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from openpyxl import load_workbook

from reports.programme_report import Period, ReportContext, programme_report
from reports.report_exports import report_csv_text, report_xlsx_bytes
from tests.factories import (
    CheckResponseFactory,
    CompanyFactory,
    ProgrammeFactory,
    PublicCheckFactory,
)

BERLIN = ZoneInfo("Europe/Berlin")
PERIOD = Period(date(2026, 1, 1), date(2026, 6, 30))
NOW = datetime(2026, 7, 1, 12, tzinfo=BERLIN)
DIMS = ["strategy", "readiness", "human", "data", "automation", "green"]


def at(month: int, day: int = 15, year: int = 2026) -> datetime:
    return datetime(year, month, day, 10, tzinfo=BERLIN)


def scores(overall, band, dims=None):
    dims = dims if dims is not None else [overall] * 6
    return {"overall": overall, "band": band, "dimensions": dict(zip(DIMS, dims, strict=True))}


def check(company, programme, stage, submitted_at, s=None, **fields):
    s = s or scores(40.0, "average")
    return CheckResponseFactory(
        submitted=True,
        company=company,
        programme=programme,
        stage=stage,
        submitted_at=submitted_at,
        scores=s,
        overall=s["overall"],
        band=s["band"],
        **fields,
    )


def report(programme):
    return programme_report(programme=programme, period=PERIOD, now=NOW)


@pytest.fixture
def programme(db):
    return ProgrammeFactory()


def test_companies_with_a_t0_and_a_t1_each_once_by_size_class(programme):
    micro, small, medium = (CompanyFactory(size=s) for s in ("2-9", "10-49", "50-249"))
    check(micro, programme, "T0", at(1))
    check(micro, programme, "T0", at(3))  # taken again: still one company
    check(small, programme, "T0", at(6, 30, 2026).replace(hour=23, minute=30))  # last evening
    check(medium, programme, "T1", at(5))
    # Not counted: another programme's, a draft, before the period, ad hoc, anonymous.
    check(medium, ProgrammeFactory(), "T0", at(2))
    CheckResponseFactory(company=medium, programme=programme, stage="T0")
    check(medium, programme, "T0", at(12, 31, 2025))
    check(medium, programme, "adhoc", at(2))
    PublicCheckFactory(
        programme=programme,
        stage="T0",
        status="submitted",
        submitted_at=at(2),
        scores=scores(10.0, "basic"),
        overall=10.0,
        band="basic",
    )

    result = report(programme)

    t0 = result.indicator("checks_t0")
    assert t0.value == 2
    assert t0.breakdown == {"size_class": {"micro": 1, "small": 1, "medium": 0, "large": 0}}
    t1 = result.indicator("checks_t1")
    assert t1.value == 1
    assert t1.breakdown == {"size_class": {"micro": 0, "small": 0, "medium": 1, "large": 0}}


def test_maturity_change_pairs_t0_and_t1_of_the_same_version(programme):
    a, b, c, d, e = (CompanyFactory() for _ in range(5))
    # A: 20 → 35 overall, basic → average (up); dimensions +10 … +20.
    check(a, programme, "T0", at(1, 10, 2025), scores(20.0, "basic", [20, 20, 20, 20, 20, 20]))
    check(a, programme, "T1", at(3), scores(35.0, "average", [30, 35, 40, 30, 35, 40]))
    # B: 40 → 45, average → average (same); automation not answered at T0.
    check(b, programme, "T0", at(1), scores(40.0, "average", [40, 40, 40, 40, None, 40]))
    check(b, programme, "T1", at(4), scores(45.0, "average", [50, 45, 40, 45, 30, 50]))
    # C: 60 → 49, moderate → average (down); two T1 in the period: the latest counts.
    check(c, programme, "T0", at(1), scores(60.0, "moderate"))
    check(c, programme, "T1", at(2), scores(70.0, "moderate"))
    check(c, programme, "T1", at(5), scores(49.0, "average"))
    # D: its T0 is of another questionnaire version: no pair.
    check(d, programme, "T0", at(1), questionnaire_version="2025-1")
    check(d, programme, "T1", at(3))
    # E: T1 before the period, and a T0 after its T1: no pair.
    check(e, programme, "T0", at(11, 1, 2025))
    check(e, programme, "T1", at(12, 1, 2025))
    check(e, programme, "T0", at(2))
    # F: 40 → 40 (same); G: 40 → 50 (same band), +10 everywhere.
    f, g = CompanyFactory(), CompanyFactory()
    check(f, programme, "T0", at(1))
    check(f, programme, "T1", at(3))
    check(g, programme, "T0", at(1))
    check(g, programme, "T1", at(3), scores(50.0, "average"))

    change = report(programme).indicator("maturity_change")

    assert change.value == 5
    median = change.breakdown["median_change"]
    # overall: +15, +5, −11, 0, +10 → +5; strategy +10, +10, −11, 0, +10 → +10;
    # automation: A +15, C −11, F 0, G +10 → +5.
    assert median["overall"] == 5.0
    assert median["strategy"] == 10.0
    assert median["automation"] == 5.0
    assert list(median) == ["overall", *DIMS]
    assert change.breakdown["band_change"] == {"up": 1, "same": 3, "down": 1}
    assert change.breakdown["band_up_share"] == {"percent": 20.0}


def test_maturity_change_below_five_pairs_gives_only_their_number(programme):
    """A one-day period with a single pair would give that company's exact change: below 5
    pairs the breakdown is empty, the number of pairs stays."""
    for _n in range(4):
        company = CompanyFactory()
        check(company, programme, "T0", at(1), scores(20.0, "basic"))
        check(company, programme, "T1", at(3), scores(35.0, "average"))

    with translation.override("en"):
        change = report(programme).indicator("maturity_change")

    assert change.value == 4
    assert change.breakdown["median_change"] == dict.fromkeys(["overall", *DIMS])
    assert change.breakdown["band_change"] == {"up": None, "same": None, "down": None}
    assert change.breakdown["band_up_share"] == {"percent": None}
    assert "from 5 pairs" in change.rule

    company = CompanyFactory()
    check(company, programme, "T0", at(1), scores(20.0, "basic"))
    check(company, programme, "T1", at(3), scores(35.0, "average"))
    change = report(programme).indicator("maturity_change")
    assert change.value == 5
    assert change.breakdown["median_change"]["overall"] == 15.0
    assert change.breakdown["band_change"] == {"up": 5, "same": 0, "down": 0}


def test_maturity_change_without_pairs_is_zero_with_an_empty_breakdown(programme):
    check(CompanyFactory(), programme, "T0", at(2))

    change = report(programme).indicator("maturity_change")

    assert change.value == 0
    assert change.breakdown["median_change"] == dict.fromkeys(["overall", *DIMS])
    assert change.breakdown["band_change"] == {"up": None, "same": None, "down": None}
    assert change.breakdown["band_up_share"] == {"percent": None}


def test_the_json_and_the_files_carry_the_medians_as_numbers(programme):
    for _n in range(5):
        company = CompanyFactory()
        check(company, programme, "T0", at(1), scores(20.0, "basic"))
        check(company, programme, "T1", at(3), scores(32.5, "average"))

    result = report(programme)
    item = next(i for i in result.as_json()["indicators"] if i["key"] == "maturity_change")
    assert item["breakdown"]["median_change"]["overall"] == 12.5
    assert item["breakdown"]["band_up_share"] == {"percent": 100.0}

    with translation.override("en"):
        result = report(programme)
        sheet = load_workbook(io.BytesIO(report_xlsx_bytes(result)))["Indicators"]
        text = report_csv_text(result)
    rows = {(r[3], r[4] or "", r[5] or ""): r for r in sheet.iter_rows(min_row=2, values_only=True)}
    overall = rows[("maturity_change", "median_change", "overall")]
    assert overall[0] == "Median change (points): Overall score"
    assert overall[1] == 12.5  # a number, not text
    assert rows[("maturity_change", "median_change", "green")][0] == (
        "Median change (points): Environment"
    )
    assert rows[("maturity_change", "band_change", "up")][1] == 5
    assert rows[("checks_t0", "", "")][1] == 5
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert ["maturity_change", "median_change", "overall", "12.5"] in [line[:4] for line in lines]
    assert ["maturity_change", "band_up_share", "percent", "100.0"] in [line[:4] for line in lines]


def test_the_rules_say_what_they_count_in_german(programme):
    with translation.override("de"):
        result = report(programme)
    assert "T0" in result.indicator("checks_t0").rule
    assert "T1" in result.indicator("maturity_change").rule


def _grow(programme, n: int):
    for i in range(n):
        company = CompanyFactory(size=["1", "2-9", "10-49", "50-249", "250+"][i % 5])
        check(company, programme, "T0", at(1, 1 + i % 28), scores(20.0 + i, "basic"))
        check(company, programme, "T1", at(4, 1 + i % 28), scores(40.0 + i, "average"))


@pytest.mark.parametrize("n", [2, 12])
def test_one_query_per_group_whatever_the_number_of_checks(programme, n, django_assert_num_queries):
    _grow(programme, n)
    context = ReportContext(programme=programme, period=PERIOD, now=NOW)

    with django_assert_num_queries(1):
        taken = context.checks_taken
    with django_assert_num_queries(1):
        pairs = context.check_pairs

    assert sum(row["n"] for row in taken) == 2 * n
    assert len(pairs) == n
