"""The programme report on a hand-built data set: every figure worked out by hand below.

The period is 2026-01-01..2026-06-30 in Europe/Berlin local days: a contact at 00:30 on the
first day and at 23:30 on the last day is in, 23:30 the day before and 00:30 the day after
are out (an hour off in UTC, so a report in UTC days would get them wrong).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from checkins.models import CheckIn, Rsvp
from companies.models import Company
from convoys.models import Convoy, Membership
from programmes.models import CompanyRecord, Programme, Service, Stage
from programmes.services import company_touch
from projects.models import Project
from reports.programme_report import (
    INDICATORS,
    Period,
    indicator,
    period_default,
    period_last_quarter,
    period_last_year,
    period_parse,
    programme_report,
)
from tests.factories import (
    CheckInFactory,
    CompanyFactory,
    ConvoyFactory,
    MembershipFactory,
    ProgrammeFactory,
    ProjectFactory,
    ServiceFactory,
    UserFactory,
)

BERLIN = ZoneInfo("Europe/Berlin")
PERIOD = Period(date(2026, 1, 1), date(2026, 6, 30))
# "Now" for the report: noon on the period's last day.
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=BERLIN)


def local(year, month, day, hour=12, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


FIRST_DAY_EARLY = local(2026, 1, 1, 0, 30)
LAST_DAY_LATE = local(2026, 6, 30, 23, 30)
DAY_BEFORE_LATE = local(2025, 12, 31, 23, 30)
DAY_AFTER_EARLY = local(2026, 7, 1, 0, 30)


@dataclass
class Dataset:
    programme: Programme
    other_programme: Programme
    a: Company
    b: Company
    c: Company
    d: Company
    e: Company
    k1: Convoy
    k2: Convoy
    k3: Convoy
    k4: Convoy


def _touch(programme, company, kind, source, at, **kwargs):
    company_touch(programme=programme, company=company, kind=kind, source=source, at=at, **kwargs)


def _membership(convoy, company, joined_at, ended_at=None, status="active"):
    m = MembershipFactory(convoy=convoy, company=company, status=status)
    Membership.objects.filter(pk=m.pk).update(joined_at=joined_at, ended_at=ended_at)
    return m


def _project(company, category, convoys, created_at, started_at=None, completed_at=None):
    project = ProjectFactory(company=company, category=category, convoys=convoys)
    Project.objects.filter(pk=project.pk).update(
        created_at=created_at, started_at=started_at, completed_at=completed_at
    )
    return project


def _checkin(convoy, starts_at, status="scheduled", confirmed=0, declined=0, waitlisted=0):
    checkin = CheckInFactory(
        convoy=convoy,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        rsvp_deadline=starts_at - timedelta(days=1),
        status=status,
    )
    for _ in range(confirmed):
        Rsvp.objects.create(checkin=checkin, user=UserFactory(), response="yes", status="confirmed")
    for _ in range(declined):
        Rsvp.objects.create(checkin=checkin, user=UserFactory(), response="no", status="declined")
    for _ in range(waitlisted):
        Rsvp.objects.create(
            checkin=checkin,
            user=UserFactory(),
            response="yes",
            status="waitlisted",
            queued_at=starts_at - timedelta(days=2),
        )
    return checkin


def build_dataset() -> Dataset:
    """The hand-built world. What each part contributes is said where it is built."""
    programme = ProgrammeFactory(name="Kompetenzzentrum Hagen", slug="kompetenzzentrum-hagen")
    other = ProgrammeFactory(name="EDIH Rheinland", slug="edih-rheinland")
    # A: micro (1 person), craft, region given; touched five ways in the period (new).
    a = CompanyFactory(name="Anna Tischlerei", size="1", sector="craft", region="Südwestfalen")
    # B: small, retail, no region → its city; contact before the period → returning.
    b = CompanyFactory(name="Bäckerei Berg", size="10-49", sector="retail", city="Hagen")
    # C: medium, industry, neither region nor city → "unknown".
    c = CompanyFactory(name="Carl Metallbau", size="50-249", sector="industry", city="")
    # D: large; contacts only the day before and the day after → not reached.
    d = CompanyFactory(name="Dachdecker Dorn", size="250+", sector="construction")
    # E: micro (2–9); reached by the other programme only.
    e = CompanyFactory(name="Elektro Ernst", size="2-9", sector="craft")

    k1 = ConvoyFactory(programme=programme, status="active", name="Konvoi Eins")
    k2 = ConvoyFactory(programme=programme, status="closed", name="Konvoi Zwei")
    k3 = ConvoyFactory(programme=programme, status="forming", name="Konvoi Drei")
    k4 = ConvoyFactory(programme=other, status="active", name="Konvoi Fremd")

    # Services (the service table itself is what "services" counts).
    s1 = ServiceFactory(
        programme=programme, company=a, kind="visit", category="test_before_invest",
        date=date(2026, 1, 1),
    )  # fmt: skip
    ServiceFactory(
        programme=programme, company=a, kind="visit", category="skills_training",
        date=date(2026, 3, 10),
    )  # fmt: skip
    ServiceFactory(
        programme=programme, company=c, kind="consultation", category="test_before_invest",
        date=date(2026, 6, 30),
    )  # fmt: skip
    ServiceFactory(
        programme=programme,
        company=b,
        kind="visit",
        category="access_to_finance",
        date=date(2025, 12, 31),
    )  # fmt: skip  out: the day before
    ServiceFactory(
        programme=programme,
        company=b,
        kind="workshop",
        category="skills_training",
        date=date(2026, 7, 1),
    )  # fmt: skip  out: the day after
    ServiceFactory(
        programme=other,
        company=a,
        kind="visit",
        category="ecosystem_networking",
        date=date(2026, 2, 1),
    )  # fmt: skip  out: another programme

    # Touches. A: five ways, all in the period, first on 10 February.
    _touch(programme, a, "recorded", "recorded:a", local(2026, 2, 10))
    _touch(programme, a, "service", f"service:{s1.pk}", local(2026, 2, 11), service_kind="visit")
    _touch(programme, a, "convoy_joined", f"convoy:{k1.pk}", local(2026, 2, 12))
    _touch(programme, a, "project_started", "project:a", local(2026, 3, 1))
    _touch(programme, a, "event_registered", "event:1", local(2026, 4, 1))
    # B: a contact last June (before the period), then one at 00:30 on the first day.
    _touch(programme, b, "recorded", "recorded:b-old", local(2025, 6, 1))
    _touch(programme, b, "recorded", "recorded:b", FIRST_DAY_EARLY)
    # C: a consultation at 23:30 on the last day (engaged); joining a convoy at 00:30 the
    # day after does not move its stage in this period's funnel.
    _touch(programme, c, "service", "service:c", LAST_DAY_LATE, service_kind="consultation")
    _touch(programme, c, "convoy_joined", f"convoy:{k2.pk}", DAY_AFTER_EARLY)
    # D: just outside on both sides.
    _touch(programme, d, "recorded", "recorded:d1", DAY_BEFORE_LATE)
    _touch(programme, d, "recorded", "recorded:d2", DAY_AFTER_EARLY)
    # E: the other programme.
    _touch(other, e, "recorded", "recorded:e", local(2026, 3, 3))

    # Memberships. K1: A (since before the period, still in), B (in and left in the period).
    _membership(k1, a, local(2025, 11, 1))
    _membership(k1, b, local(2026, 2, 1), local(2026, 3, 1), status="left")
    # K2: C left at 23:30 the day before, D joined at 00:30 the day after → K2 not counted.
    _membership(k2, c, local(2025, 1, 1), DAY_BEFORE_LATE, status="left")
    _membership(k2, d, DAY_AFTER_EARLY)
    # K3: A again, joined at 23:00 on the last day (counted, A still once).
    _membership(k3, a, local(2026, 6, 30, 23, 0))
    # K4: the other programme's.
    _membership(k4, e, local(2026, 2, 1))

    # Check-ins. Held: K1 on 1 March (2 confirmed, 1 declined, 1 waitlisted) and K2 on
    # 5 May (1 confirmed; K2's meetings count though K2 had no member in the period).
    _checkin(k1, local(2026, 3, 1, 10), confirmed=2, declined=1, waitlisted=1)
    _checkin(k2, local(2026, 5, 5, 10), status="done", confirmed=1)
    # Not held: cancelled; started the day before; not ended by NOW; another programme's.
    _checkin(k1, local(2026, 4, 1, 10), status="cancelled", confirmed=3)
    _checkin(k1, local(2025, 12, 31, 23, 30), confirmed=1)
    _checkin(k1, local(2026, 6, 30, 11), confirmed=1)
    _checkin(k4, local(2026, 3, 1, 10), confirmed=5)

    # Projects. P1: shared with K1 and K3 (counted once), created, started and completed in
    # the period (completed at 23:30 on the last day).
    _project(a, "website", [k1, k3], local(2026, 2, 1), local(2026, 3, 1), LAST_DAY_LATE)
    # P2: created before, started at 00:30 on the first day.
    _project(b, "ecommerce", [k2], local(2025, 12, 1), FIRST_DAY_EARLY)
    # Not counted: shared only with another programme's convoy; not shared; created after.
    _project(c, "website", [k4], local(2026, 2, 1), local(2026, 2, 2), local(2026, 2, 3))
    _project(a, "inventory", [], local(2026, 2, 1), local(2026, 2, 2))
    _project(b, "inventory", [k1], DAY_AFTER_EARLY)
    # A project created at 23:30 the day before: out.
    _project(b, "cloud", [k1], DAY_BEFORE_LATE)

    return Dataset(programme, other, a, b, c, d, e, k1, k2, k3, k4)


@pytest.fixture
def data(db) -> Dataset:
    return build_dataset()


def _report(data):
    return programme_report(programme=data.programme, period=PERIOD, now=NOW)


def test_indicators_are_in_their_order_with_stable_keys(data):
    keys = [i.key for i in _report(data).indicators]

    assert keys == [
        "companies_reached",
        "funnel",
        "services",
        "companies_served",
        "visits",
        "companies_visited",
        "convoys",
        "convoy_companies",
        "checkins_held",
        "checkin_attendance",
        "events",
        "registrations",
        "attendees",
        "no_show_rate",
        "projects_planned",
        "projects_started",
        "projects_completed",
        "checks_t0",
        "checks_t1",
        "maturity_change",
    ]


def test_companies_reached_counts_each_company_once_by_exclusive_classes(data):
    reached = _report(data).indicator("companies_reached")

    # A (five ways, once), B (00:30 first day), C (23:30 last day); not D, not E.
    assert reached.value == 3
    assert reached.breakdown["size_class"] == {"micro": 1, "small": 1, "medium": 1, "large": 0}
    assert sum(reached.breakdown["size_class"].values()) == reached.value
    assert reached.breakdown["sector"] == {
        "craft": 1,
        "retail": 1,
        "industry": 1,
        "services": 0,
        "hospitality": 0,
        "health": 0,
        "construction": 0,
        "logistics": 0,
        "other": 0,
    }
    assert reached.breakdown["region"] == {"Hagen": 1, "Südwestfalen": 1, "unknown": 1}
    assert reached.breakdown["new_returning"] == {"new": 2, "returning": 1}


def test_funnel_is_the_furthest_stage_up_to_the_end_of_the_period(data):
    funnel = _report(data).indicator("funnel")

    # A: project started; B: lead; C: engaged (its convoy on the day after is not counted).
    assert funnel.value == 3
    assert funnel.breakdown == {
        "stage": {
            "lead": 1,
            "engaged": 1,
            "qualified": 0,
            "enrolled": 0,
            "project_started": 1,
            "project_completed": 0,
        }
    }


def test_services_and_companies_served(data):
    report = _report(data)
    services = report.indicator("services")
    served = report.indicator("companies_served")

    assert services.value == 3  # S1 on the first day, S2, S3 on the last day
    assert services.breakdown["kind"] == {
        "visit": 2,
        "consultation": 1,
        "workshop": 0,
        "check_review": 0,
        "convoy": 0,
        "voucher": 0,
        "other": 0,
    }
    assert services.breakdown["category"] == {
        "test_before_invest": 2,
        "skills_training": 1,
        "access_to_finance": 0,
        "ecosystem_networking": 0,
    }
    # A (two categories: once in each, once in the total) and C.
    assert served.value == 2
    assert served.breakdown["category"] == {
        "test_before_invest": 2,
        "skills_training": 1,
        "access_to_finance": 0,
        "ecosystem_networking": 0,
    }


def test_visits_and_companies_visited(data):
    report = _report(data)

    assert report.indicator("visits").value == 2
    assert report.indicator("visits").breakdown is None
    assert report.indicator("companies_visited").value == 1


def test_convoys_and_their_companies(data):
    report = _report(data)
    convoys = report.indicator("convoys")
    companies = report.indicator("convoy_companies")

    # K1 (A; B in and out in the period) and K3 (A joined on the last day); not K2, not K4.
    assert convoys.value == 2
    assert convoys.breakdown == {"status": {"forming": 1, "active": 1, "closed": 0}}
    assert companies.value == 2  # A (in two convoys) once, B
    assert companies.breakdown == {"size_class": {"micro": 1, "small": 1, "medium": 0, "large": 0}}


def test_checkins_held_and_their_confirmed_answers(data):
    report = _report(data)

    assert report.indicator("checkins_held").value == 2
    assert report.indicator("checkin_attendance").value == 3


def test_projects_planned_started_completed_each_once(data):
    report = _report(data)
    planned = report.indicator("projects_planned")
    started = report.indicator("projects_started")
    completed = report.indicator("projects_completed")

    assert planned.value == 1  # P1 (shared with two of the programme's convoys: once)
    assert planned.breakdown["category"]["website"] == 1
    assert sum(planned.breakdown["category"].values()) == 1
    assert started.value == 2  # P1, P2 (started at 00:30 on the first day)
    assert started.breakdown["category"]["website"] == 1
    assert started.breakdown["category"]["ecommerce"] == 1
    assert completed.value == 1  # P1 at 23:30 on the last day
    assert completed.breakdown["category"]["website"] == 1


def test_the_day_before_and_after_move_the_figures(data):
    """The same data over 2025-12-31..2026-07-01: the boundary rows come in."""
    wider = programme_report(
        programme=data.programme,
        period=Period(date(2025, 12, 31), date(2026, 7, 1)),
        now=local(2026, 7, 2),
    )

    assert wider.indicator("companies_reached").value == 4  # D as well
    assert wider.indicator("services").value == 5  # the day before and the day after
    assert wider.indicator("convoys").value == 3  # K2: C left on 31 Dec, D joined 1 Jul
    assert wider.indicator("checkins_held").value == 4  # 31 Dec 23:30 and 30 Jun 11:00
    assert wider.indicator("projects_planned").value == 3  # cloud (31 Dec), inventory (1 Jul)
    # C's convoy on 1 July now counts: enrolled.
    assert wider.indicator("funnel").breakdown["stage"]["enrolled"] == 1


def test_json_shape_and_labels_in_the_active_language(data):
    with translation.override("en"):
        payload = _report(data).as_json()

    assert payload["from"] == "2026-01-01"
    assert payload["to"] == "2026-06-30"
    first = payload["indicators"][0]
    assert list(first) == ["key", "label", "value", "rule", "breakdown"]
    assert first["label"] == "Companies reached"
    assert "counts once" in first["rule"]
    visits = next(i for i in payload["indicators"] if i["key"] == "visits")
    assert "breakdown" not in visits


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_funnel_rule_names_the_stages_as_the_ui_does(data, language):
    with translation.override(language):
        rule = _report(data).indicator("funnel").rule
        labels = [str(stage.label) for stage in Stage]

    assert ", ".join(labels) in rule


def test_reach_by_month_splits_new_and_returning(data):
    months = _report(data).reach_by_month()

    assert months == [
        {"month": "2026-01", "new": 0, "returning": 1},  # B at 00:30 on 1 January
        {"month": "2026-02", "new": 1, "returning": 0},  # A on 10 February
        {"month": "2026-03", "new": 0, "returning": 0},
        {"month": "2026-04", "new": 0, "returning": 0},
        {"month": "2026-05", "new": 0, "returning": 0},
        {"month": "2026-06", "new": 1, "returning": 0},  # C at 23:30 on 30 June
    ]


def test_an_empty_programme_reports_zeros(db):
    report = programme_report(programme=ProgrammeFactory(), period=PERIOD, now=NOW)

    assert all(i.value == 0 for i in report.indicators if i.key != "no_show_rate")
    # A share of nobody is no number.
    assert report.indicator("no_show_rate").value is None
    assert report.indicator("companies_reached").breakdown["region"] == {}


def test_a_deleted_company_is_counted_under_its_former_name(data):
    Company.objects.filter(pk=data.a.pk).update(deleted_at=NOW, region="", city="", name="")

    with translation.override("en"):
        report = _report(data)

    names = [c.name for c in report.context.reached]
    assert "Former company" in names
    assert report.indicator("companies_reached").breakdown["region"]["unknown"] == 2


def test_the_registry_refuses_a_key_twice():
    with pytest.raises(ValueError):
        indicator("services", label="x", rule="y")(lambda ctx: None)
    assert len({i.key for i in INDICATORS}) == len(INDICATORS)


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (None, "2026-06-30", "from"),
        ("2026-01-01", None, "to"),
        ("", "2026-06-30", "from"),
        ("2026-13-01", "2026-06-30", "from"),
        ("01.01.2026", "2026-06-30", "from"),
        ("20260101", "2026-06-30", "from"),
        ("2026-01-01", "2026-02-30", "to"),
        ("2026-06-30", "2026-01-01", "to"),
        ("2020-01-01", "2025-12-31", "to"),  # six years
        # Years far off would overflow the instants that bound the period.
        ("9999-12-30", "9999-12-31", "from"),
        ("2026-01-01", "9999-12-31", "to"),
        ("0001-01-01", "0001-01-02", "from"),
        ("1999-12-31", "2000-01-02", "from"),
    ],
)
def test_bad_periods_name_the_field(start, end, field):
    with pytest.raises(ValidationError) as caught:
        period_parse(start=start, end=end)

    assert list(caught.value.message_dict) == [field]


def test_the_years_run_from_2000_to_next_year():
    next_year = date.today().year + 1

    assert period_parse(start="2000-01-01", end="2000-01-01").start == date(2000, 1, 1)
    last = period_parse(start=f"{next_year}-12-31", end=f"{next_year}-12-31")
    assert last.end_before.year == next_year + 1
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        period_parse(start="2026-01-01", end=f"{next_year + 1}-01-01")
    assert caught.value.message_dict == {"to": [f"Enter a date in the years 2000 to {next_year}."]}


def test_good_periods():
    assert period_parse(start="2026-01-01", end="2026-01-01") == Period(
        date(2026, 1, 1), date(2026, 1, 1)
    )
    five_years = period_parse(start="2021-01-01", end="2025-12-31")
    assert five_years.end == date(2025, 12, 31)
    p = period_parse(start="2026-03-29", end="2026-03-29")  # the DST change in Berlin
    utc = ZoneInfo("UTC")
    assert p.end_before.astimezone(utc) - p.start_at.astimezone(utc) == timedelta(hours=23)


def test_quick_periods():
    today = date(2026, 5, 17)

    assert period_default(today=today) == Period(date(2026, 1, 1), today)
    assert period_last_quarter(today=today) == Period(date(2026, 1, 1), date(2026, 3, 31))
    assert period_last_quarter(today=date(2026, 2, 1)) == Period(
        date(2025, 10, 1), date(2025, 12, 31)
    )
    assert period_last_year(today=today) == Period(date(2025, 1, 1), date(2025, 12, 31))


def test_the_report_only_reads(data):
    before = (Service.objects.count(), CheckIn.objects.count(), Membership.objects.count())

    _report(data)

    assert (Service.objects.count(), CheckIn.objects.count(), Membership.objects.count()) == before


def test_the_figures_are_counted_without_a_row_per_company(data):
    """The JSON figures come from grouped queries; the rows of single companies are loaded
    only when something lists them (the workbook), and then agree with the figures."""
    report = _report(data)
    assert "reached" not in vars(report.context)  # never loaded for the figures

    rows = report.context.reached
    reached = report.indicator("companies_reached")
    assert reached.value == len(rows) == report.indicator("funnel").value
    assert {k: n for k, n in reached.breakdown["size_class"].items() if n} == dict(
        Counter(c.size_class for c in rows)
    )
    assert {k: n for k, n in reached.breakdown["sector"].items() if n} == dict(
        Counter(c.sector for c in rows)
    )
    assert reached.breakdown["region"] == dict(Counter(c.region for c in rows))
    assert {k: n for k, n in reached.breakdown["new_returning"].items() if n} == dict(
        Counter(c.new_returning for c in rows)
    )
    stages = report.indicator("funnel").breakdown["stage"]
    assert {k: n for k, n in stages.items() if n} == dict(Counter(c.stage for c in rows))


def test_returning_is_decided_by_the_first_contact_ever(data):
    """New or returning comes from the register entry's first contact, the first touch ever
    with the programme: a company that joined a convoy before the period, left it and joined
    it again in the period (the same touch, moved to the new joining) had a contact before
    the period, so it is returning, in the figures and in the workbook's row alike."""
    f = CompanyFactory(name="Friseur Fink", size="2-9", sector="services")
    _touch(data.programme, f, "convoy_joined", f"convoy:{data.k1.pk}", local(2025, 5, 1))
    _touch(data.programme, f, "convoy_joined", f"convoy:{data.k1.pk}", local(2026, 4, 2))
    assert CompanyRecord.objects.get(programme=data.programme, company=f).first_touch_at == (
        local(2025, 5, 1)
    )

    report = _report(data)

    assert report.indicator("companies_reached").breakdown["new_returning"] == {
        "new": 2,
        "returning": 2,  # B and F
    }
    [row] = [c for c in report.context.reached if c.company_id == f.pk]
    assert row.new_returning == "returning"
    april = next(m for m in report.reach_by_month() if m["month"] == "2026-04")
    assert april == {"month": "2026-04", "new": 0, "returning": 1}


def test_the_funnel_counts_each_company_at_its_furthest_stage_once(data):
    """Several companies at several stages: counted as "at least this far" in the database
    and told apart, each company lands at exactly one stage."""
    g = CompanyFactory(name="Glaserei Graf", size="10-49", sector="craft")
    h = CompanyFactory(name="Hofladen Hein", size="1", sector="retail")
    _touch(data.programme, g, "recorded", "recorded:g", local(2026, 2, 1))
    _touch(data.programme, g, "project_completed", "project:g", local(2026, 5, 1))
    _touch(data.programme, h, "service", "service:h", local(2026, 3, 1), service_kind="workshop")

    stages = _report(data).indicator("funnel").breakdown["stage"]

    # A project started, B lead, C engaged (as before); G completed (its lead touch does not
    # count it twice); H engaged (a workshop).
    assert stages == {
        "lead": 1,
        "engaged": 2,
        "qualified": 0,
        "enrolled": 0,
        "project_started": 1,
        "project_completed": 1,
    }
