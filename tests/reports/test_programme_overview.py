"""reports.programme_overview: the programme's convoys with their figures, on a hand-built set
whose every count is known."""

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from checkins.models import Rsvp
from convoys.models import Convoy, Event, Membership
from overview.convoy_health import convoys_overview
from programmes.models import Programme
from projects.models import Update
from reports.programme_overview import programme_convoys_overview
from tests.factories import (
    CheckInFactory,
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    MembershipFactory,
    MilestoneFactory,
    ProgrammeFactory,
    ProjectFactory,
    StaffFactory,
    UpdateFactory,
    UserFactory,
)


@dataclass
class Built:
    programme: Programme
    coach: object  # facilitates `active`
    manager: object  # facilitates nothing
    active: Convoy
    forming: Convoy
    closed: Convoy
    foreign: Convoy  # another programme's


def _company(convoy: Convoy, *, people: int = 1, joined_days_ago: int = 1):
    company = CompanyFactory()
    persons = [UserFactory() for _ in range(people)]
    for person in persons:
        CompanyMemberFactory(company=company, user=person)
    MembershipFactory(convoy=convoy, company=company)
    Membership.objects.filter(convoy=convoy, company=company).update(
        joined_at=timezone.now() - timedelta(days=joined_days_ago)
    )
    return company, persons


def _update(convoy, company, *, days_ago: int = 1, help_wanted: bool = False):
    update = UpdateFactory(convoy=convoy, company=company, help_wanted=help_wanted)
    Update.objects.filter(pk=update.pk).update(created_at=timezone.now() - timedelta(days=days_ago))


@pytest.fixture
def built(db) -> Built:
    now = timezone.now()
    today = timezone.localdate()
    programme = ProgrammeFactory()
    coach, manager = UserFactory(name="Conrad Coach"), UserFactory(name="Maren Manager")
    StaffFactory(programme=programme, user=coach, role="coach")
    StaffFactory(programme=programme, user=manager, role="manager")
    active = ConvoyFactory(name="A Konvoi", status="active", programme=programme)
    forming = ConvoyFactory(name="B Konvoi", status="forming", programme=programme)
    closed = ConvoyFactory(name="C Konvoi", status="closed", programme=programme)
    foreign = ConvoyFactory(name="D Konvoi", programme=ProgrammeFactory())
    FacilitatorFactory(convoy=active, user=coach)
    FacilitatorFactory(convoy=active, user=UserFactory(name="Anna Zweite"))
    FacilitatorFactory(convoy=closed, user=UserFactory(name="Bert Dritter"))

    # In `active` (cadence 14): one due, one quiet, one asking for help, one with a blocked
    # and an overdue milestone; and one that left (not counted).
    due, (due_person,) = _company(active, joined_days_ago=60)
    _update(active, due, days_ago=20)
    _company(active, joined_days_ago=40)  # quiet: no update in 40 days
    helpme, (help_person,) = _company(active)
    _update(active, helpme, help_wanted=True)
    busy, _persons = _company(active, people=2)
    _update(active, busy)
    project = ProjectFactory(company=busy, convoys=[active], status="in_progress")
    MilestoneFactory(project=project, status="blocked")
    MilestoneFactory(project=project, status="planned", due_date=today - timedelta(days=2))
    ProjectFactory(company=busy, convoys=[active], status="done")
    ProjectFactory(company=busy, status="in_progress")  # not shared with the convoy
    ProjectFactory(company=busy, convoys=[active], status="done", archived_at=now)
    gone = CompanyFactory()
    MembershipFactory(convoy=active, company=gone, status="left")
    gone_project = ProjectFactory(company=gone, convoys=[active], status="in_progress")
    MilestoneFactory(project=gone_project, status="blocked")

    # Check-ins of `active`: one held 10 days ago (two member people and the facilitator said
    # yes), one held 100 days ago and one cancelled (neither counts), one ahead.
    held = CheckInFactory(convoy=active, starts_at=now - timedelta(days=10), status="done")
    for person in (due_person, help_person, coach):
        Rsvp.objects.create(checkin=held, user=person, response="yes", status="confirmed")
    old = CheckInFactory(convoy=active, starts_at=now - timedelta(days=100), status="done")
    Rsvp.objects.create(checkin=old, user=due_person, response="yes", status="confirmed")
    cancelled = CheckInFactory(convoy=active, starts_at=now - timedelta(days=5), status="cancelled")
    Rsvp.objects.create(checkin=cancelled, user=due_person, response="yes", status="confirmed")
    CheckInFactory(convoy=active, starts_at=now + timedelta(days=3))
    Event.objects.create(convoy=active, seq=1, kind="update.posted", data={}, at=now)

    # `closed`: the due company again (counted once in the totals) and one on track.
    MembershipFactory(convoy=closed, company=due)
    _update(closed, due)
    fine, _persons = _company(closed)
    _update(closed, fine)
    # Another programme's convoy never shows.
    _company(foreign)
    return Built(programme, coach, manager, active, forming, closed, foreign)


def _overview(built: Built, user, **filters):
    return programme_convoys_overview(
        programme=built.programme,
        user=user,
        now=timezone.now(),
        **filters,
    )


def test_every_convoy_of_the_programme_with_its_counts(built):
    overview = _overview(built, built.manager)

    assert [row.convoy.name for row in overview.rows] == ["A Konvoi", "B Konvoi", "C Konvoi"]
    active, forming, closed = overview.rows
    health = active.health
    assert health.company_count == 4
    assert (health.update_due, health.quiet, health.help_wanted) == (1, 1, 1)
    assert (health.blocked, health.overdue) == (1, 1)
    assert len(health.attention_company_ids) == 4
    assert active.facilitator_names == ["Anna Zweite", "Conrad Coach"]
    assert active.member_people == 5
    assert (active.checkins_held, active.checkins_confirmed) == (1, 2)
    assert active.attendance_percent == 40  # 2 of 1 check-in × 5 people
    assert (active.projects_in_progress, active.projects_done) == (1, 1)
    berlin = ZoneInfo("Europe/Berlin")  # the convoy's time zone
    ahead = timezone.now() + timedelta(days=3)
    assert active.next_checkin_date == ahead.astimezone(berlin).date()
    assert active.last_activity_date == timezone.now().astimezone(berlin).date()

    assert forming.health.company_count == 0 and forming.health.attention == 0
    assert forming.attendance_percent is None and forming.next_checkin_date is None
    assert forming.facilitator_names == []
    assert closed.health.company_count == 2 and closed.health.attention == 0
    assert closed.facilitator_names == ["Bert Dritter"]

    assert (overview.convoys, overview.convoys_needing_attention) == (3, 1)
    assert (overview.companies, overview.companies_needing_attention) == (5, 4)
    assert overview.status_counts == {"forming": 1, "active": 1, "closed": 1}


def test_the_viewer_is_told_which_convoys_they_facilitate(built):
    by_coach = {
        row.convoy.name: row.health.is_facilitator for row in _overview(built, built.coach).rows
    }
    assert by_coach == {"A Konvoi": True, "B Konvoi": False, "C Konvoi": False}
    assert not any(row.health.is_facilitator for row in _overview(built, built.manager).rows)


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"status": "closed"}, ["C Konvoi"]),
        ({"status": "forming"}, ["B Konvoi"]),
        ({"needs_attention": True}, ["A Konvoi"]),
        ({"status": "closed", "needs_attention": True}, []),
    ],
)
def test_filters_narrow_the_rows_not_the_totals(built, filters, names):
    overview = _overview(built, built.manager, **filters)
    assert [row.convoy.name for row in overview.rows] == names
    assert (overview.convoys, overview.companies, overview.companies_needing_attention) == (3, 5, 4)


def test_my_convoys_judges_the_same_convoy_alike(built):
    """One home for the rule: the coach's "My convoys" and the programme overview agree."""
    [mine] = convoys_overview(user=built.coach, now=timezone.now())
    [programme_row] = [
        row for row in _overview(built, built.coach).rows if row.convoy.pk == built.active.pk
    ]
    counts = ("update_due", "quiet", "help_wanted", "blocked", "overdue", "company_count")
    assert [getattr(mine, n) for n in counts] == [getattr(programme_row.health, n) for n in counts]
    assert mine.attention_company_ids == programme_row.health.attention_company_ids
