"""Programme report benchmark: `make bench-report` (or `python -m bench.programme_report`).

The funder report (`reports.programme_report.programme_report`, the function the API, the
files and the page call) for a programme of 5,000 companies, 200 convoys and 20,000 services
(with the touches, memberships, check-ins, answers, projects and open events with their
registrations to match), against a floor
measured in the same run: the same figures by one hand-written SQL statement per indicator
(raw SQL through connection.cursor(), results summed into the same shape in Python), or fewer:
indicators read from the same rows share a statement (visits and companies visited, meetings
and their attendance, the three project figures, the four open-event figures), 10 statements
for 17 indicators, which only
makes the floor faster. The floor counts from the touches alone (new or returning by the MIN
over all of a company's touches), so its equal figures also check the register entries the
report reads (`CompanyRecord.first_touch_at`).

Both are run `--repeat` times, interleaved; medians are reported with the SQL statements each
needed. The figures of both must be equal (the run fails otherwise); goal: report ≤ 3× the
floor.

Database: its own SQLite file (bench/results/, named after the process, so that two runs at
once never share one), or PostgreSQL when DATABASE_URL is set: a database named after the one
in DATABASE_URL plus `_bench_report` (`konvoi_fix1` → `konvoi_fix1_bench_report`), created and
dropped by the run, so that developers sharing a server each get their own. Results also go
to bench/results/programme-report-*.json.
"""

import argparse
import json
import os
import platform
import random
import secrets
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "results"
BENCH_DB_SUFFIX = "_bench_report"
GOAL_RATIO = 3.0
BERLIN = ZoneInfo("Europe/Berlin")
PERIOD = (date(2026, 1, 1), date(2026, 6, 30))
NOW = datetime(2026, 7, 15, 12, tzinfo=BERLIN)
# Data spreads over 15 months around the half-year period, so some is before and after it.
SPAN_START = datetime(2025, 7, 1, tzinfo=BERLIN)
SPAN_DAYS = 456

Figures = dict[str, tuple[Any, dict[str, dict[str, int]]]]


@dataclass
class Row:
    name: str
    seconds: float
    queries: int
    ratio: float = 0.0


def bench_database_name(url: str) -> str:
    """The benchmark's own database beside the one `url` names: never the developer's
    database itself (the run drops what it created), and never another developer's run."""
    name = urlsplit(url).path.lstrip("/") or "konvoi"
    return f"{name}{BENCH_DB_SUFFIX}"


def _configure_environment() -> str | None:
    """Settings for the run; the PostgreSQL database name it will create, if any."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "false"  # DEBUG would keep every query in memory
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    name = bench_database_name(url)
    os.environ["DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    return name


def _at(rng: random.Random) -> datetime:
    return SPAN_START + timedelta(minutes=rng.randrange(SPAN_DAYS * 24 * 60))


def _records_of(touches: list) -> list:
    """The register entries `company_touch` would have left for these touches (bulk-created,
    so written here): per programme and company the furthest stage and the first and last
    touch."""
    from programmes.models import CompanyRecord
    from programmes.services import stage_furthest

    by_pair: dict[tuple[int, int], list] = {}
    for touch in touches:
        by_pair.setdefault((touch.programme_id, touch.company_id), []).append(touch)
    records = []
    for (programme_id, company_id), mine in by_pair.items():
        mine.sort(key=lambda t: t.at)
        first, last = mine[0], mine[-1]
        records.append(
            CompanyRecord(
                programme_id=programme_id,
                company_id=company_id,
                stage=stage_furthest(*(t.stage for t in mine)),
                first_touch_at=first.at,
                first_touch_kind=first.kind,
                first_touch_label=first.label,
                last_touch_at=last.at,
                last_touch_kind=last.kind,
                last_touch_label=last.label,
            )
        )
    return records


def populate(*, companies: int, convoys: int, services: int, seed: int = 14):
    """A programme (and a second one, whose rows must not count) with `companies` companies,
    `services` services each touching its company (touches and register entries as
    `company_touch` leaves them), `convoys` convoys holding about 60 % of
    the companies (some left again), six check-ins per convoy with answers, and a project
    for most convoy members. Bulk-created: the benchmark measures reads."""
    from accounts.models import User
    from checkins.models import CheckIn, Rsvp
    from companies.models import Company, Sector, SizeBand
    from convoys.models import Convoy, Membership
    from programmes.models import (
        CompanyRecord,
        Programme,
        Service,
        ServiceCategory,
        ServiceKind,
        Touch,
    )
    from programmes.services import touch_stage
    from projects.models import Project, ProjectCategory

    rng = random.Random(seed)
    programme = Programme.objects.create(name="Bench-Zentrum", slug=f"bench-{seed}")
    other = Programme.objects.create(name="Andere", slug=f"bench-other-{seed}")
    firms = Company.objects.bulk_create(
        Company(
            name=f"Betrieb {i:05d}",
            sector=rng.choice(Sector.values),
            size=rng.choice(SizeBand.values),
            city=rng.choice(["Hagen", "Iserlohn", "Lüdenscheid", ""]),
            region=rng.choice(["Südwestfalen", "Ruhr", "", ""]),
        )
        for i in range(companies)
    )
    touches: list[Touch] = []
    service_rows = []
    for i in range(services):
        company = firms[rng.randrange(companies)]
        at = _at(rng)
        kind = rng.choice(ServiceKind.values)
        owner = programme if i % 10 else other
        service_rows.append(
            Service(
                programme=owner,
                company=company,
                kind=kind,
                category=rng.choice(ServiceCategory.values),
                date=at.astimezone(BERLIN).date(),
                minutes=rng.choice([30, 60, 90]),
            )
        )
        touches.append(
            Touch(
                programme=owner,
                company=company,
                kind="service",
                stage=touch_stage("service", service_kind=kind),
                source=f"service:{i}",
                at=at,
            )
        )
    Service.objects.bulk_create(service_rows, batch_size=2000)
    for i, company in enumerate(firms):
        if i % 4 == 0:  # a quarter were recorded by staff before anything else
            touches.append(
                Touch(
                    programme=programme,
                    company=company,
                    kind="recorded",
                    stage=touch_stage("recorded"),
                    source=f"recorded:{i}",
                    at=_at(rng) - timedelta(days=200),
                )
            )
    convoy_rows = Convoy.objects.bulk_create(
        Convoy(
            name=f"Konvoi {j:03d}",
            programme=programme if j % 20 else None,
            status=rng.choice(["forming", "active", "closed"]),
        )
        for j in range(convoys)
    )
    memberships, projects, project_links = [], [], []
    for i, company in enumerate(firms):
        if rng.random() >= 0.6:
            continue
        convoy = convoy_rows[i % convoys]
        joined = _at(rng)
        left = joined + timedelta(days=rng.randrange(30, 200)) if rng.random() < 0.2 else None
        memberships.append(
            Membership(
                convoy=convoy,
                company=company,
                status="left" if left else "active",
                ended_at=left,
            )
        )
        if convoy.programme_id:
            touches.append(
                Touch(
                    programme=programme,
                    company=company,
                    kind="convoy_joined",
                    stage=touch_stage("convoy_joined"),
                    source=f"convoy:{convoy.pk}",
                    at=joined,
                )
            )
        memberships[-1].joined_at_value = joined  # type: ignore[attr-defined]
        if rng.random() < 0.8:
            created = joined + timedelta(days=rng.randrange(0, 60))
            started = created + timedelta(days=rng.randrange(5, 90)) if rng.random() < 0.6 else None
            done = (
                started + timedelta(days=rng.randrange(10, 120))
                if started and rng.random() < 0.5
                else None
            )
            projects.append(
                Project(
                    company=company,
                    title="Projekt",
                    category=rng.choice(ProjectCategory.values),
                    started_at=started,
                    completed_at=done,
                )
            )
            projects[-1].created_value = created  # type: ignore[attr-defined]
            project_links.append(convoy)
    Membership.objects.bulk_create(memberships, batch_size=2000)
    for m in memberships:  # joined_at is auto_now_add: set it afterwards
        m.joined_at = m.joined_at_value  # type: ignore[attr-defined]
    Membership.objects.bulk_update(memberships, ["joined_at"], batch_size=2000)
    Project.objects.bulk_create(projects, batch_size=2000)
    for p in projects:
        p.created_at = p.created_value  # type: ignore[attr-defined]
    Project.objects.bulk_update(projects, ["created_at"], batch_size=2000)
    Project.convoys.through.objects.bulk_create(
        [
            Project.convoys.through(project=p, convoy=c)
            for p, c in zip(projects, project_links, strict=True)
        ],
        batch_size=2000,
    )
    Touch.objects.bulk_create(touches, batch_size=2000)
    CompanyRecord.objects.bulk_create(_records_of(touches), batch_size=2000)
    people = User.objects.bulk_create(
        User(email=f"person{k}@bench.example", name=f"Person {k}", handle=f"bench{seed}-{k}")
        for k in range(10)
    )
    checkins = []
    for convoy in convoy_rows:
        for k in range(6):
            starts = _at(rng)
            checkins.append(
                CheckIn(
                    convoy=convoy,
                    title=f"Treffen {k}",
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    rsvp_deadline=starts - timedelta(days=1),
                    status="cancelled" if rng.random() < 0.1 else "scheduled",
                )
            )
    CheckIn.objects.bulk_create(checkins, batch_size=2000)
    rsvps = []
    for checkin in checkins:
        for person in rng.sample(people, rng.randrange(0, 8)):
            yes = rng.random() < 0.7
            rsvps.append(
                Rsvp(
                    checkin=checkin,
                    user=person,
                    response="yes" if yes else "no",
                    status="confirmed" if yes else "declined",
                )
            )
    Rsvp.objects.bulk_create(rsvps, batch_size=2000)
    _populate_events(rng, programme, other, count=max(10, convoys // 2))
    return programme


def _populate_events(rng: random.Random, programme, other, *, count: int) -> None:
    """Open events of both programmes (some drafts, some cancelled), each with registrations
    of every kind: seated, waitlisted, cancelled, walk-ins, checked in or not."""
    from events.models import EventFormat, OpenEvent, Registration

    events = []
    for k in range(count):
        starts = _at(rng)
        events.append(
            OpenEvent(
                programme=programme if k % 5 else other,
                title=f"Veranstaltung {k}",
                format=rng.choice(EventFormat.values),
                starts_at=starts,
                ends_at=starts + timedelta(hours=rng.choice([2, 5])),
                registration_deadline=starts - timedelta(days=1),
                capacity=rng.randrange(10, 60),
                status=rng.choice(["published"] * 8 + ["draft", "cancelled"]),
            )
        )
    OpenEvent.objects.bulk_create(events, batch_size=2000)
    registrations = []
    for event in events:
        for n in range(rng.randrange(0, 25)):
            status = rng.choice(["registered"] * 6 + ["waitlisted", "cancelled"])
            walk_in = status == "registered" and rng.random() < 0.1
            came = walk_in or (status != "cancelled" and rng.random() < 0.7)
            registrations.append(
                Registration(
                    event=event,
                    status="registered" if came else status,
                    name=f"Person {n}",
                    company_name=f"Betrieb {n}",
                    postcode="58095",
                    company_key=f"betrieb {n}|58095",
                    consent_at=event.starts_at - timedelta(days=3),
                    token_nonce=f"{event.pk}-{n}",
                    token_hash=f"bench-{event.pk}-{n}",
                    code=f"B{event.pk}X{n}",
                    walk_in=walk_in,
                    attended_at=event.starts_at + timedelta(minutes=10) if came else None,
                )
            )
    Registration.objects.bulk_create(registrations, batch_size=2000)


# --- The report, as figures -----------------------------------------------------------------


def _nonzero(breakdown: dict[str, dict[str, int]] | None) -> dict[str, dict[str, int]]:
    return {
        dimension: {k: n for k, n in entries.items() if n}
        for dimension, entries in (breakdown or {}).items()
    }


def report_figures(programme, now: datetime = NOW) -> Figures:
    from reports.programme_report import Period, programme_report

    report = programme_report(programme=programme, period=Period(*PERIOD), now=now)
    return {i.key: (i.value, _nonzero(i.breakdown)) for i in report.indicators}


# --- The floor: one hand-written statement per indicator --------------------------------------


def floor_figures(programme, now: datetime = NOW) -> Figures:
    from django.db import connection

    from companies.models import size_class_of
    from programmes.models import STAGE_ORDER
    from reports.programme_report import Period

    period = Period(*PERIOD)
    ops = connection.ops
    start = ops.adapt_datetimefield_value(period.start_at)
    end = ops.adapt_datetimefield_value(period.end_before)
    first_day = ops.adapt_datefield_value(period.start)
    last_day = ops.adapt_datefield_value(period.end)
    now_value = ops.adapt_datetimefield_value(now)
    pid = programme.pk
    rank = " ".join(f"WHEN '{stage}' THEN {n}" for stage, n in STAGE_ORDER.items())
    stage_of = {n: stage for stage, n in STAGE_ORDER.items()}
    figures: Figures = {}

    def rows(sql: str, params: list) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    # companies_reached
    reached: dict[str, Counter] = {d: Counter() for d in ("size_class", "sector", "region")}
    reached["new_returning"] = Counter()
    total = 0
    for size, sector, region, kind, n in rows(
        """
        SELECT c.size, c.sector,
               COALESCE(NULLIF(TRIM(c.region), ''), NULLIF(TRIM(c.city), ''), 'unknown'),
               CASE WHEN t.first_ever < t.first_in THEN 'returning' ELSE 'new' END,
               COUNT(*)
        FROM (SELECT company_id, MIN(at) AS first_ever,
                     MIN(CASE WHEN at >= %s AND at < %s THEN at END) AS first_in
              FROM programmes_touch WHERE programme_id = %s GROUP BY company_id) t
        JOIN companies_company c ON c.id = t.company_id
        WHERE t.first_in IS NOT NULL
        GROUP BY 1, 2, 3, 4
        """,
        [start, end, pid],
    ):
        total += n
        reached["size_class"][size_class_of(size).value] += n
        reached["sector"][sector] += n
        reached["region"][region] += n
        reached["new_returning"][kind] += n
    figures["companies_reached"] = (total, {d: dict(c) for d, c in reached.items()})

    # funnel
    stages = dict(
        rows(
            f"""
            SELECT r, COUNT(*) FROM (
              SELECT company_id, MAX(CASE stage {rank} END) AS r
              FROM programmes_touch WHERE programme_id = %s AND at < %s
              GROUP BY company_id
              HAVING SUM(CASE WHEN at >= %s THEN 1 ELSE 0 END) > 0) x
            GROUP BY r
            """,
            [pid, end, start],
        )
    )
    figures["funnel"] = (
        sum(stages.values()),
        {"stage": {stage_of[r]: n for r, n in stages.items()}},
    )

    # services
    kinds: Counter = Counter()
    categories: Counter = Counter()
    for kind, category, n in rows(
        "SELECT kind, category, COUNT(*) FROM programmes_service "
        "WHERE programme_id = %s AND date >= %s AND date <= %s GROUP BY kind, category",
        [pid, first_day, last_day],
    ):
        kinds[kind] += n
        categories[category] += n
    figures["services"] = (
        sum(kinds.values()),
        {"kind": dict(kinds), "category": dict(categories)},
    )

    # companies_served
    served = rows(
        """
        SELECT category, COUNT(DISTINCT company_id),
               (SELECT COUNT(DISTINCT company_id) FROM programmes_service
                WHERE programme_id = %s AND date >= %s AND date <= %s)
        FROM programmes_service WHERE programme_id = %s AND date >= %s AND date <= %s
        GROUP BY category
        """,
        [pid, first_day, last_day, pid, first_day, last_day],
    )
    figures["companies_served"] = (
        served[0][2] if served else 0,
        {"category": {category: n for category, n, _ in served}},
    )

    # visits, companies_visited
    [(visit_count, visited)] = rows(
        "SELECT COUNT(*), COUNT(DISTINCT company_id) FROM programmes_service "
        "WHERE programme_id = %s AND kind = 'visit' AND date >= %s AND date <= %s",
        [pid, first_day, last_day],
    )
    figures["visits"] = (visit_count, {})
    figures["companies_visited"] = (visited, {})

    # convoys
    overlap = "m.joined_at < %s AND (m.ended_at IS NULL OR m.ended_at >= %s)"
    statuses = dict(
        rows(
            f"""
            SELECT cv.status, COUNT(DISTINCT cv.id) FROM convoys_convoy cv
            JOIN convoys_membership m ON m.convoy_id = cv.id
            WHERE cv.programme_id = %s AND {overlap} GROUP BY cv.status
            """,
            [pid, end, start],
        )
    )
    figures["convoys"] = (sum(statuses.values()), {"status": statuses})

    # convoy_companies
    sizes: Counter = Counter()
    for size, n in rows(
        f"""
        SELECT c.size, COUNT(*) FROM companies_company c WHERE c.id IN (
          SELECT m.company_id FROM convoys_membership m
          JOIN convoys_convoy cv ON cv.id = m.convoy_id
          WHERE cv.programme_id = %s AND {overlap})
        GROUP BY c.size
        """,
        [pid, end, start],
    ):
        sizes[size_class_of(size).value] += n
    figures["convoy_companies"] = (sum(sizes.values()), {"size_class": dict(sizes)})

    # checkins_held, checkin_attendance
    [(held, attendance)] = rows(
        """
        SELECT COUNT(DISTINCT ci.id), COUNT(r.id) FROM checkins_checkin ci
        JOIN convoys_convoy cv ON cv.id = ci.convoy_id
        LEFT JOIN checkins_rsvp r ON r.checkin_id = ci.id AND r.status = 'confirmed'
        WHERE cv.programme_id = %s AND ci.status <> 'cancelled'
          AND ci.starts_at >= %s AND ci.starts_at < %s AND ci.ends_at <= %s
        """,
        [pid, start, end, now_value],
    )
    figures["checkins_held"] = (held, {})
    figures["checkin_attendance"] = (attendance, {})

    # events, registrations, attendees, no_show_rate
    held = {"events": Counter(), "registrations": Counter(), "attendees": Counter()}
    booked = no_shows = 0
    for event_format, n_events, n_registrations, n_attendees, n_booked, n_no_shows in rows(
        """
        SELECT e.format, COUNT(DISTINCT e.id),
               SUM(CASE WHEN r.status <> 'cancelled' THEN 1 ELSE 0 END),
               SUM(CASE WHEN r.status <> 'cancelled' AND r.attended_at IS NOT NULL
                        THEN 1 ELSE 0 END),
               SUM(CASE WHEN r.status = 'registered' AND NOT r.walk_in THEN 1 ELSE 0 END),
               SUM(CASE WHEN r.status = 'registered' AND NOT r.walk_in
                         AND r.attended_at IS NULL THEN 1 ELSE 0 END)
        FROM events_openevent e LEFT JOIN events_registration r ON r.event_id = e.id
        WHERE e.programme_id = %s AND e.status = 'published'
          AND e.starts_at >= %s AND e.starts_at < %s AND e.ends_at <= %s
        GROUP BY e.format
        """,
        [pid, start, end, now_value],
    ):
        held["events"][event_format] += n_events
        held["registrations"][event_format] += int(n_registrations or 0)
        held["attendees"][event_format] += int(n_attendees or 0)
        booked += int(n_booked or 0)
        no_shows += int(n_no_shows or 0)
    for key, counter in held.items():
        figures[key] = (sum(counter.values()), {"format": dict(counter)})
    figures["no_show_rate"] = (round(100 * no_shows / booked, 1) if booked else None, {})

    # projects_planned, projects_started, projects_completed
    def within(column: str) -> str:
        return f"SUM(CASE WHEN {column} >= %s AND {column} < %s THEN 1 ELSE 0 END)"

    by_category = rows(
        f"""
        SELECT category, {within("created_at")}, {within("started_at")},
               {within("completed_at")}
        FROM projects_project WHERE id IN (
          SELECT pc.project_id FROM projects_project_convoys pc
          JOIN convoys_convoy cv ON cv.id = pc.convoy_id WHERE cv.programme_id = %s)
        GROUP BY category
        """,
        [start, end, start, end, start, end, pid],
    )
    for column, key in enumerate(
        ("projects_planned", "projects_started", "projects_completed"), start=1
    ):
        counts = {row[0]: int(row[column] or 0) for row in by_category}
        figures[key] = (sum(counts.values()), {"category": counts})

    return {key: (value, _nonzero(breakdown)) for key, (value, breakdown) in figures.items()}


# --- The run -------------------------------------------------------------------------------


def _timed(fn) -> tuple[float, int, Any]:
    from django.db import connection

    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    return seconds, count, result


def measure(programme, *, repeat: int) -> tuple[Row, Row, Figures]:
    """Floor and report, interleaved `repeat` times; raises if their figures differ."""
    floors, reports = [], []
    for _ in range(repeat):
        floors.append(_timed(lambda: floor_figures(programme)))
        reports.append(_timed(lambda: report_figures(programme)))
    expected = floors[0][2]
    for _seconds, _count, figures in floors + reports:
        # The floor has no statements of the check indicators yet (checks_t0, checks_t1,
        # maturity_change): the figures it has must agree.
        figures = {k: v for k, v in figures.items() if k in expected}
        if figures != expected:
            diff = {k for k in expected if figures.get(k) != expected[k]}
            raise AssertionError(f"report and floor disagree on {sorted(diff)}")
    floor = Row(
        "floor: one SQL per indicator", statistics.median(s for s, _, _ in floors), floors[0][1]
    )
    report = Row("programme_report()", statistics.median(s for s, _, _ in reports), reports[0][1])
    floor.ratio = 1.0
    report.ratio = round(report.seconds / floor.seconds, 2)
    return floor, report, expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=5_000)
    parser.add_argument("--convoys", type=int, default=200)
    parser.add_argument("--services", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--check", action="store_true", help=f"exit 1 unless report ≤ {GOAL_RATIO}× floor"
    )
    args = parser.parse_args(argv)

    bench_db = _configure_environment()
    import django

    django.setup()
    from django.db import connection

    RESULTS.mkdir(parents=True, exist_ok=True)
    vendor = connection.vendor
    if vendor == "sqlite":
        sqlite_file = RESULTS / f"bench-report-{os.getpid()}.sqlite3"
        connection.settings_dict["TEST"]["NAME"] = str(sqlite_file)
    else:
        connection.settings_dict["TEST"]["NAME"] = bench_db
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        start = time.perf_counter()
        programme = populate(companies=args.companies, convoys=args.convoys, services=args.services)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics after the bulk load, as in production
        print(f"  data generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        floor, report, figures = measure(programme, repeat=args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    database = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)
    print(
        f"\nProgramme report vs floor, {database}, Python {platform.python_version()}: "
        f"{args.companies} companies, {args.convoys} convoys, {args.services} services; "
        f"median of {args.repeat}\n"
    )
    print(f"{'':<30} {'ms':>9} {'SQL':>5} {'× floor':>8}")
    for row in (floor, report):
        print(f"{row.name:<30} {row.seconds * 1000:>9.1f} {row.queries:>5} {row.ratio:>7.2f}×")
    reached = figures["companies_reached"][0]
    print(f"\nFigures equal (e.g. {reached} companies reached in the period).")
    met = report.ratio <= GOAL_RATIO
    print(f"Goal (report ≤ {GOAL_RATIO:.0f}× floor): {'met' if met else 'NOT met'}")
    (RESULTS / f"programme-report-{vendor}.json").write_text(
        json.dumps(
            {
                "database": database,
                "python": platform.python_version(),
                "companies": args.companies,
                "convoys": args.convoys,
                "services": args.services,
                "repeat": args.repeat,
                "rows": [asdict(floor), asdict(report)],
                "figures": {k: v for k, (v, _b) in figures.items()},
            },
            indent=2,
        )
    )
    return 0 if met or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
