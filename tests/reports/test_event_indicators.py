"""The programme report's open-event indicators, against figures counted by hand: two events
held in the period, walk-ins, cancellations, no-shows, a waitlisted person let in at the
door; an event outside the period, a draft, a cancelled event, an event still running and
another programme's event not counted."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from events.matching import registration_company_confirm
from events.models import Registration
from programmes.models import Stage
from reports.programme_report import Period, ReportContext, programme_report
from reports.report_exports import report_csv_text, report_xlsx_bytes
from tests.factories import (
    OpenEventFactory,
    ProgrammeFactory,
    RegistrationFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
PERIOD = Period(date(2026, 3, 1), date(2026, 3, 31))
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=BERLIN)


def _event(programme, start: datetime, **kwargs):
    return OpenEventFactory(
        programme=programme,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        registration_deadline=start - timedelta(days=1),
        **kwargs,
    )


def _people(event, *specs):
    """One registration per spec: (status, walk_in, attended)."""
    made = []
    for status, walk_in, attended in specs:
        made.append(
            RegistrationFactory(
                event=event,
                status=status,
                walk_in=walk_in,
                attended_at=event.starts_at + timedelta(minutes=5) if attended else None,
            )
        )
    return made


@pytest.fixture
def data():
    programme = ProgrammeFactory(name="Zentrum Süd", slug="zentrum-sued")
    other = ProgrammeFactory(name="Zentrum Nord", slug="zentrum-nord")
    manager = UserFactory(name="Mia Manager")
    StaffFactory(programme=programme, user=manager, role="manager")
    # A: info event, 10 March 14 h.
    a = _event(programme, datetime(2026, 3, 10, 14, tzinfo=BERLIN), title="Infotag", capacity=3)
    a_people = _people(
        a,
        ("registered", False, True),  # came
        ("registered", False, False),  # no-show
        ("cancelled", False, False),  # cancelled: not counted anywhere
        ("waitlisted", False, False),  # left on the waiting list: a registration, no seat
        ("registered", True, True),  # walk-in
        ("registered", False, True),  # waitlisted, let in at the door (now registered)
    )
    # B: workshop, the last evening of the period (23:30 local, ends after midnight).
    b = _event(
        programme,
        datetime(2026, 3, 31, 23, 30, tzinfo=BERLIN),
        title="Werkstatt",
        format="workshop",
    )
    _people(
        b,
        ("registered", False, True),
        ("registered", False, False),
        ("registered", False, False),
    )
    # Not counted: after the period (00:30 on 1 April), a draft, a cancelled event, another
    # programme's event; each with people who came.
    not_counted = [
        _event(programme, datetime(2026, 4, 1, 0, 30, tzinfo=BERLIN)),
        _event(programme, datetime(2026, 3, 12, 10, tzinfo=BERLIN), status="draft"),
        _event(programme, datetime(2026, 3, 13, 10, tzinfo=BERLIN), status="cancelled"),
        _event(other, datetime(2026, 3, 14, 10, tzinfo=BERLIN)),
    ]
    for event in not_counted:
        _people(event, ("registered", False, True), ("registered", False, False))
    return programme, manager, a, b, a_people


def _figures(report):
    return {i.key: (i.value, i.breakdown) for i in report.indicators}


def test_the_event_figures_by_hand(data):
    programme, *_ = data
    figures = _figures(programme_report(programme=programme, period=PERIOD, now=NOW))

    format_of = lambda info, workshop: {  # noqa: E731
        "format": {"info_event": info, "workshop": workshop, "consultation_day": 0}
    }
    # A and B.
    assert figures["events"] == (2, format_of(1, 1))
    # A: came, no-show, waitlisted, walk-in, let in = 5 (the cancelled one not); B: 3.
    assert figures["registrations"] == (8, format_of(5, 3))
    # A: came, walk-in, let in = 3; B: 1.
    assert figures["attendees"] == (4, format_of(3, 1))
    # Registered beforehand with a seat: A 3 (came, no-show, let in), B 3; not there: A 1,
    # B 2. 3 of 6 = 50 %.
    assert figures["no_show_rate"] == (50.0, None)


def test_an_event_not_ended_yet_is_not_held(data):
    programme, *_ = data
    # At 23:45 on 31 March, B is still running: only A counts.
    now = datetime(2026, 3, 31, 23, 45, tzinfo=BERLIN)
    figures = _figures(programme_report(programme=programme, period=PERIOD, now=now))
    assert figures["events"][0] == 1
    assert figures["registrations"][0] == 5
    assert figures["attendees"][0] == 3
    assert figures["no_show_rate"][0] == round(100 / 3, 1) == 33.3


def test_no_events_no_rate(db):
    programme = ProgrammeFactory()
    figures = _figures(programme_report(programme=programme, period=PERIOD, now=NOW))
    assert figures["events"][0] == 0
    assert figures["registrations"][0] == 0
    assert figures["attendees"][0] == 0
    assert figures["no_show_rate"] == (None, None)


def test_a_matched_attendee_is_a_company_reached_and_engaged(data):
    programme, manager, _a, _b, a_people = data
    came = a_people[0]
    # Registered in February (before the period), checked in on 10 March.
    Registration.objects.filter(pk=came.pk).update(
        created_at=datetime(2026, 2, 20, 9, tzinfo=BERLIN)
    )
    came.refresh_from_db()
    before = _figures(programme_report(programme=programme, period=PERIOD, now=NOW))
    assert before["companies_reached"][0] == 0
    registration_company_confirm(registration=came, by=manager, city="Hagen")
    after = _figures(programme_report(programme=programme, period=PERIOD, now=NOW))
    assert after["companies_reached"][0] == 1
    # Its first contact (the registration) was before the period: returning.
    assert after["companies_reached"][1]["new_returning"] == {"new": 0, "returning": 1}
    assert after["funnel"][1]["stage"][Stage.ENGAGED] == 1


def test_the_workbook_has_a_row_per_event(data):
    programme, *_ = data
    report = programme_report(programme=programme, period=PERIOD, now=NOW)
    with translation.override("en"):
        workbook = load_workbook(io.BytesIO(report_xlsx_bytes(report)))
    sheet = workbook["Events"]
    assert [c.value for c in sheet[1]] == [
        "Date",
        "Event",
        "Format",
        "Seats",
        "Registrations",
        "Attendees",
        "No-shows",
    ]
    rows = [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert [[r[0].date() if isinstance(r[0], datetime) else r[0], *r[1:]] for r in rows] == [
        [date(2026, 3, 10), "Infotag", "Info event", 3, 5, 3, 1],
        [date(2026, 3, 31), "Werkstatt", "Workshop", 40, 3, 1, 2],
    ]


def test_the_csv_and_the_page_show_the_event_figures(data):
    programme, manager, *_ = data
    report = programme_report(programme=programme, period=PERIOD, now=NOW)
    with translation.override("en"):
        text = report_csv_text(report)
    assert '"no_show_rate";"";"";"50.0"' in text
    assert '"events";"format";"workshop";"1";"Format: Workshop"' in text
    client = Client()
    client.force_login(manager)
    response = client.get(
        f"/programmes/{programme.pk}/report/?from=2026-01-01&to=2026-01-31",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    page = response.content.decode()
    # No events in January: the rate is shown as a dash, not "None".
    assert 'data-key="no_show_rate"' in page
    assert ">None<" not in page


@pytest.mark.parametrize("events", [1, 6])
def test_the_event_figures_take_one_query_whatever_the_number(db, events):
    programme = ProgrammeFactory()
    for k in range(events):
        event = _event(programme, datetime(2026, 3, 2 + k, 14, tzinfo=BERLIN))
        _people(event, *[("registered", False, k % 2 == 0)] * (k + 2))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    context = ReportContext(programme=programme, period=PERIOD, now=NOW)
    with CaptureQueriesContext(connection) as queries:
        assert len(context.events) == events
    assert len(queries) == 1
    report = programme_report(programme=programme, period=PERIOD, now=NOW)
    assert report.indicator("registrations").value == sum(k + 2 for k in range(events))
