"""The report is a constant number of queries whatever the number of companies: the
function, the API (JSON, XLSX, CSV) and the page, each pinned at two data sizes."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.programme_report import measure, populate
from checkins.models import Rsvp
from convoys.models import Convoy, Membership
from programmes.models import Staff
from programmes.services import company_touch
from projects.models import Project
from reports.programme_report import Period, programme_report
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
QUERY = "?from=2026-01-01&to=2026-06-30"
SIZES = ["a", "b", "c", "d", "e"]
SIZE_BANDS = ["1", "2-9", "10-49", "50-249", "250+"]

# The report's queries: companies reached, the funnel, services, companies served, visits,
# convoy memberships, check-ins, open events, projects, checks taken, check pairs (each counted
# in the database, whatever the number of companies).
REPORT_QUERIES = 11


def _world(n: int):
    programme = ProgrammeFactory()
    manager = UserFactory(language="en")
    Staff.objects.create(programme=programme, user=manager, role="manager")
    for _ in range(2):
        ConvoyFactory(programme=programme)
    _grow(programme, manager, n)
    return programme, manager


def _grow(programme, manager, n: int, offset: int = 0):
    """n more companies, each with a service, a convoy membership, a project and a held
    check-in with one confirmed answer."""
    convoys = list(Convoy.objects.filter(programme=programme).order_by("pk"))
    for i in range(offset, offset + n):
        company = CompanyFactory(size=SIZE_BANDS[i % 5], region=f"Region {i % 3}")
        at = datetime(2026, 1 + i % 6, 1 + i % 28, 10, tzinfo=BERLIN)
        service = ServiceFactory(
            programme=programme, company=company, date=at.date(), coach=manager
        )
        company_touch(
            programme=programme,
            company=company,
            kind="service",
            source=f"service:{service.pk}",
            at=at,
            service_kind="visit",
        )
        convoy = convoys[i % 2]
        membership = MembershipFactory(convoy=convoy, company=company)
        Membership.objects.filter(pk=membership.pk).update(joined_at=at)
        company_touch(
            programme=programme,
            company=company,
            kind="convoy_joined",
            source=f"convoy:{convoy.pk}",
            at=at,
        )
        project = ProjectFactory(company=company, convoys=[convoy])
        Project.objects.filter(pk=project.pk).update(created_at=at, started_at=at)
        checkin = CheckInFactory(
            convoy=convoy,
            starts_at=at,
            ends_at=at + timedelta(hours=2),
            rsvp_deadline=at - timedelta(days=1),
        )
        Rsvp.objects.create(checkin=checkin, user=UserFactory(), response="yes", status="confirmed")


@pytest.fixture(params=[2, 8], ids=["small", "larger"])
def sized(request, db):
    return request.param, *_world(request.param)


def test_the_report_function(sized, django_assert_num_queries):
    n, programme, _manager = sized

    with django_assert_num_queries(REPORT_QUERIES):
        report = programme_report(
            programme=programme, period=PERIOD, now=datetime(2026, 7, 1, tzinfo=BERLIN)
        )

    assert report.indicator("companies_reached").value == n
    assert report.indicator("checkins_held").value == n


# Authentication (session and user) and the staff gate, then the report.
@pytest.mark.parametrize(
    ("suffix", "extra"),
    [
        ("report/", 0),
        # The audit entry of the download.
        ("report.csv", 1),
        # The companies sheet (the figures are counted in the database; the rows of single
        # companies are loaded for the sheet alone), the services sheet and the audit entry
        # of the download.
        ("report.xlsx", 3),
    ],
)
def test_the_api(sized, suffix, extra, client_for, django_assert_num_queries):
    _n, programme, manager = sized
    client = client_for(manager)

    with django_assert_num_queries(1 + REPORT_QUERIES + extra):
        response = client.get(f"/api/v1/programmes/{programme.pk}/{suffix}{QUERY}")

    assert response.status_code == 200


def test_the_page(db, django_assert_num_queries):
    """The page's queries at 2 and at 10 companies: equal. The page frame (menu, badge)
    belongs to the base template, so it is measured, not assumed; the report's part is
    pinned by the tests above."""
    programme, manager = _world(2)
    client = Client()
    client.force_login(manager)
    url = f"/programmes/{programme.pk}/report/{QUERY}"
    client.get(url)  # warm up whatever the session and middleware cache
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _grow(programme, manager, 8, offset=2)

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)

    assert response.status_code == 200
    assert response.context["report"].indicator("companies_reached").value == 10
    # Session, user, the staff gate, the report, and at most three for the page frame.
    assert len(small.captured_queries) <= 3 + REPORT_QUERIES + 3


@pytest.mark.slow
def test_the_benchmark_at_a_tiny_size(db):
    """bench/programme_report.py at a tiny size, so that it cannot rot: the report and the
    hand-written floor agree on every figure, and the report keeps to its queries."""
    programme = populate(companies=60, convoys=8, services=240)

    floor, report, figures = measure(programme, repeat=1)

    assert report.queries == REPORT_QUERIES
    assert floor.queries == 10
    assert figures["companies_reached"][0] > 0
    assert figures["convoys"][0] > 0
    assert figures["checkins_held"][0] > 0
    assert figures["projects_planned"][0] > 0
    assert figures["events"][0] > 0
    assert figures["attendees"][0] > 0
