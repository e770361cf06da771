"""The convoy dashboard: per company projects, progress, last update, help wanted, quiet
companies, blocked and overdue milestones, the attention order and list, the cumulative chart —
and its cache, versioned by the convoy's event seq."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from convoys.models import Convoy, Membership
from convoys.services import membership_end
from overview.dashboard import convoy_dashboard
from projects.models import Project, Update
from projects.services import milestone_update, update_post
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    UpdateFactory,
)


def _dashboard(convoy, now=None):
    convoy = Convoy.objects.get(pk=convoy.pk)  # fresh last_event_seq, as a request has
    return convoy_dashboard(convoy=convoy, now=now or timezone.now())


def _company(payload, company):
    (row,) = [c for c in payload["companies"] if c["id"] == company.pk]
    return row


def _post(world, *, at, **fields):
    update = UpdateFactory(convoy=world.convoy, company=world.company, author=world.owner, **fields)
    Update.objects.filter(pk=update.pk).update(created_at=at)
    return update


def test_companies_projects_and_weighted_progress(world):
    shared = ProjectFactory(company=world.company, convoys=[world.convoy], title="Shop")
    MilestoneFactory(project=shared, weight=3, status="done")
    MilestoneFactory(project=shared, weight=1)
    second = ProjectFactory(company=world.company, convoys=[world.convoy], title="Kasse")
    MilestoneFactory(project=second, weight=4)
    ProjectFactory(company=world.company, title="Privat")  # not shared: not shown
    payload = _dashboard(world.convoy)
    assert payload["convoy"]["id"] == world.convoy.pk
    row = _company(payload, world.company)
    assert [p["title"] for p in row["projects"]] == ["Shop", "Kasse"]
    assert row["projects"][0] | {"id": 0} == {
        "id": 0,
        "title": "Shop",
        "category": "website",
        "status": "in_progress",
        "milestones_done": 1,
        "milestones_total": 2,
        "progress": 75,
        "weighted": True,
    }
    assert row["projects"][1]["weighted"] is False  # one milestone: the % is the count share
    assert (row["milestones_done"], row["milestones_total"]) == (1, 3)
    assert row["progress"] == 38  # 3 of 8 weight points
    assert row["weighted"] is True
    assert [c["id"] for c in payload["companies"]] == [world.company.pk]


def test_companies_that_left_are_not_shown(world):
    other = CompanyFactory(name="Aaa GmbH")
    CompanyMemberFactory(company=other, role="owner")
    MembershipFactory(convoy=world.convoy, company=other)
    assert len(_dashboard(world.convoy)["companies"]) == 2
    membership_end(
        actor=world.facilitator,
        membership=Membership.objects.get(convoy=world.convoy, company=other),
    )
    assert [c["id"] for c in _dashboard(world.convoy)["companies"]] == [world.company.pk]


def test_help_wanted_comes_from_the_latest_update_only(world):
    now = timezone.now()
    _post(world, at=now - timedelta(days=3), help_wanted=True, body="Hilfe!")
    latest = _post(world, at=now - timedelta(days=1), help_wanted=False, body="Gelöst")
    row = _company(_dashboard(world.convoy, now), world.company)
    assert row["help_wanted"] is False
    assert row["last_update"]["id"] == latest.pk
    assert row["last_update"]["author"]["handle"] == "olaf"

    _post(world, at=now, help_wanted=True, stuck_on="Schnittstelle")
    Convoy.objects.filter(pk=world.convoy.pk).update(last_event_seq=1)  # as an event would
    row = _company(_dashboard(world.convoy, now), world.company)
    assert row["help_wanted"] is True
    assert row["last_update"]["stuck_on"] == "Schnittstelle"


def test_updates_in_other_convoys_do_not_count(world):
    MembershipFactory(convoy=world.other_convoy, company=world.company)
    UpdateFactory(convoy=world.other_convoy, company=world.company, help_wanted=True)
    row = _company(_dashboard(world.convoy), world.company)
    assert row["last_update"] is None
    assert row["help_wanted"] is False


@pytest.mark.parametrize(
    ("days_ago", "update_due", "quiet"),
    [
        (0, False, False),
        (13, False, False),
        (14, True, False),
        (27, True, False),
        (28, True, True),
        (40, True, True),
    ],
)
def test_update_due_after_one_cadence_quiet_after_two(world, days_ago, update_due, quiet):
    now = timezone.now()
    # The same wall-clock time `days_ago` calendar days back in the convoy's zone: days are
    # counted in local dates, and across a clock change "40 × 24 h ago" can be 39 days
    # (in the last hour before local midnight).
    local_now = now.astimezone(ZoneInfo(world.convoy.timezone))
    _post(world, at=local_now - timedelta(days=days_ago))
    row = _company(_dashboard(world.convoy, now), world.company)
    assert row["days_since_update"] == days_ago
    assert (row["update_due"], row["quiet"]) == (update_due, quiet)


def test_a_company_that_never_posted_counts_from_joining(world):
    joined = Membership.objects.get(convoy=world.convoy, company=world.company).joined_at
    row = _company(_dashboard(world.convoy, joined + timedelta(days=13)), world.company)
    assert (row["days_since_update"], row["update_due"], row["quiet"]) == (None, False, False)
    row = _company(_dashboard(world.convoy, joined + timedelta(days=14)), world.company)
    assert (row["days_silent"], row["update_due"], row["quiet"]) == (14, True, False)
    row = _company(_dashboard(world.convoy, joined + timedelta(days=28)), world.company)
    assert (row["days_silent"], row["quiet"]) == (28, True)


def test_quiet_follows_the_convoys_cadence(world):
    now = timezone.now()
    _post(world, at=now - timedelta(days=15))
    Convoy.objects.filter(pk=world.convoy.pk).update(update_cadence_days=7)
    assert _company(_dashboard(world.convoy, now), world.company)["quiet"] is True


def test_chart_counts_done_milestones_per_day_cumulatively_in_the_convoy_time_zone(world):
    project = ProjectFactory(company=world.company, convoys=[world.convoy])
    at = [
        datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
        # 23:30 UTC is already 3 March in Berlin
        datetime(2026, 3, 2, 23, 30, tzinfo=UTC),
        datetime(2026, 3, 5, 12, 0, tzinfo=UTC),
    ]
    for completed_at in at:
        MilestoneFactory(project=project, status="done", completed_at=completed_at)
    MilestoneFactory(project=project)  # open: not in the chart
    foreign = ProjectFactory(company=world.other_company, convoys=[world.other_convoy])
    MilestoneFactory(project=foreign, status="done", completed_at=at[0])
    assert _dashboard(world.convoy)["milestones_done_over_time"] == [
        {"date": "2026-03-02", "done": 2, "total": 2},
        {"date": "2026-03-03", "done": 1, "total": 3},
        {"date": "2026-03-05", "done": 1, "total": 4},
    ]


def test_cache_serves_the_same_seq_and_a_new_event_invalidates_it(world, django_assert_num_queries):
    first = _dashboard(world.convoy)
    assert _company(first, world.company)["last_update"] is None
    # A change without an event is not seen: the payload is cached per seq...
    UpdateFactory(convoy=world.convoy, company=world.company, body="still")
    convoy = Convoy.objects.get(pk=world.convoy.pk)
    with django_assert_num_queries(0):
        cached = convoy_dashboard(convoy=convoy, now=timezone.now())
    assert _company(cached, world.company)["last_update"] is None
    # ...and every change made through a service records one, which bumps the seq.
    update = update_post(actor=world.owner, convoy=world.convoy, company=world.company, body="neu")
    fresh = _dashboard(world.convoy)
    assert fresh["convoy"]["last_event_seq"] == 1
    assert _company(fresh, world.company)["last_update"]["id"] == update.pk


def test_cached_payload_still_computes_quiet_from_now(world):
    now = timezone.now()
    _post(world, at=now - timedelta(days=10))
    assert _company(_dashboard(world.convoy, now), world.company)["quiet"] is False
    later = _company(_dashboard(world.convoy, now + timedelta(days=20)), world.company)
    assert (later["days_since_update"], later["quiet"]) == (30, True)


def test_equal_weights_are_not_weighted_and_the_percent_is_the_count_share(world):
    first = ProjectFactory(company=world.company, convoys=[world.convoy])
    second = ProjectFactory(company=world.company, convoys=[world.convoy])
    for status in ("done", "done", "done", "planned"):
        MilestoneFactory(project=first, weight=2, status=status)
    MilestoneFactory(project=second, weight=2)
    ProjectFactory(company=world.company, convoys=[world.convoy])  # no milestones: no weight
    row = _company(_dashboard(world.convoy), world.company)
    assert row["weighted"] is False
    assert [p["weighted"] for p in row["projects"]] == [False, False, False]
    assert (row["milestones_done"], row["milestones_total"], row["progress"]) == (3, 5, 60)


def test_unequal_weights_across_projects_make_the_company_weighted(world):
    first = ProjectFactory(company=world.company, convoys=[world.convoy])
    second = ProjectFactory(company=world.company, convoys=[world.convoy])
    MilestoneFactory(project=first, weight=1, status="done")
    MilestoneFactory(project=second, weight=3)
    row = _company(_dashboard(world.convoy), world.company)
    assert [p["weighted"] for p in row["projects"]] == [False, False]
    assert (row["weighted"], row["progress"]) == (True, 25)


def test_archived_projects_are_left_out(world):
    project = ProjectFactory(company=world.company, convoys=[world.convoy], title="Alt")
    MilestoneFactory(project=project, status="blocked")
    MilestoneFactory(project=project, status="done", completed_at=timezone.now())
    Project.objects.filter(pk=project.pk).update(archived_at=timezone.now())
    payload = _dashboard(world.convoy)
    row = _company(payload, world.company)
    assert (row["projects"], row["milestones_blocked"], row["milestones_total"]) == ([], [], 0)
    assert payload["milestones_done_over_time"] == []
    assert [a["kind"] for a in payload["attention"]] == []


def test_blocked_and_overdue_milestones_with_their_names(world):
    now = timezone.now()
    _post(world, at=now)  # not quiet, no update due
    today = timezone.localdate(now, timezone=ZoneInfo(world.convoy.timezone))
    project = ProjectFactory(company=world.company, convoys=[world.convoy], title="Webshop")
    blocked = MilestoneFactory(project=project, title="Zahlungsanbieter", status="blocked")
    late = MilestoneFactory(
        project=project, title="Fotos", status="in_progress", due_date=today - timedelta(days=3)
    )
    MilestoneFactory(project=project, title="Heute", due_date=today)  # due today: not overdue
    MilestoneFactory(
        project=project, title="Erledigt", status="done", due_date=today - timedelta(days=9)
    )
    private = ProjectFactory(company=world.company, title="Privat")  # not shared
    MilestoneFactory(project=private, status="blocked", due_date=today - timedelta(days=1))
    payload = _dashboard(world.convoy, now)
    row = _company(payload, world.company)
    webshop = {"id": project.pk, "title": "Webshop"}
    assert row["milestones_blocked"] == [
        {
            "id": blocked.pk,
            "title": "Zahlungsanbieter",
            "status": "blocked",
            "due_date": None,
            "project": webshop,
            "days_overdue": None,
        }
    ]
    assert row["milestones_overdue"] == [
        {
            "id": late.pk,
            "title": "Fotos",
            "status": "in_progress",
            "due_date": (today - timedelta(days=3)).isoformat(),
            "project": webshop,
            "days_overdue": 3,
        }
    ]
    company = {"id": world.company.pk, "name": "Sanitär Schulte"}
    assert payload["attention"] == [
        {"kind": "blocked", "company": company, "milestone": row["milestones_blocked"][0]},
        {"kind": "overdue", "company": company, "milestone": row["milestones_overdue"][0]},
    ]
    assert row["attention"] == 0


def test_a_blocked_overdue_milestone_is_listed_once_as_blocked_with_its_days_overdue(world):
    now = timezone.now()
    _post(world, at=now)
    today = timezone.localdate(now, timezone=ZoneInfo(world.convoy.timezone))
    project = ProjectFactory(company=world.company, convoys=[world.convoy])
    MilestoneFactory(project=project, status="blocked", due_date=today - timedelta(days=2))
    payload = _dashboard(world.convoy, now)
    assert [a["kind"] for a in payload["attention"]] == ["blocked"]
    assert payload["attention"][0]["milestone"]["days_overdue"] == 2
    assert _company(payload, world.company)["milestones_overdue"] == []


def _join(world, name):
    company = CompanyFactory(name=name)
    CompanyMemberFactory(company=company, role="owner")
    MembershipFactory(convoy=world.convoy, company=company)
    return company


def _update(convoy, company, *, at, **fields):
    update = UpdateFactory(convoy=convoy, company=company, **fields)
    Update.objects.filter(pk=update.pk).update(created_at=at)
    return update


def test_companies_are_sorted_by_attention_and_listed_with_names(world):
    now = timezone.now()
    on_track = _join(world, "Aaa Auf Kurs")
    due = _join(world, "Bbb Fällig")
    helpme = _join(world, "Zzz Hilfe")
    quiet = _join(world, "Yyy Still")
    late = _join(world, "Ccc Verspätet")
    _post(world, at=now)  # Sanitär Schulte: a blocked milestone
    project = ProjectFactory(company=world.company, convoys=[world.convoy], title="ERP")
    MilestoneFactory(project=project, title="Datenübernahme", status="blocked")
    _update(world.convoy, on_track, at=now - timedelta(days=2))
    _update(world.convoy, due, at=now - timedelta(days=15))
    _update(
        world.convoy,
        helpme,
        at=now - timedelta(days=1),
        help_wanted=True,
        body="Erste Zeile\nzweite",
        stuck_on="\n  Kasse spricht nicht mit dem Shop  \nmehr",
    )
    _update(world.convoy, quiet, at=now - timedelta(days=30))
    _update(world.convoy, late, at=now - timedelta(days=1))
    today = timezone.localdate(now, timezone=ZoneInfo(world.convoy.timezone))
    late_project = ProjectFactory(company=late, convoys=[world.convoy], title="Website")
    MilestoneFactory(project=late_project, title="Texte", due_date=today - timedelta(days=5))

    payload = _dashboard(world.convoy, now)
    assert [(c["name"], c["attention"]) for c in payload["companies"]] == [
        ("Sanitär Schulte", 0),
        ("Yyy Still", 0),
        ("Zzz Hilfe", 0),
        ("Bbb Fällig", 1),
        ("Ccc Verspätet", 1),
        ("Aaa Auf Kurs", 2),
    ]
    attention = [
        (a["kind"], a["company"]["name"], a.get("days"), a.get("update"), a.get("milestone"))
        for a in payload["attention"]
    ]
    help_update = _company(payload, helpme)["last_update"]["id"]
    assert [row[:3] for row in attention] == [
        ("blocked", "Sanitär Schulte", None),
        ("help_wanted", "Zzz Hilfe", None),
        ("quiet", "Yyy Still", 30),
        ("overdue", "Ccc Verspätet", None),
        ("update_due", "Bbb Fällig", 15),
    ]
    assert attention[0][4]["title"] == "Datenübernahme"
    assert attention[0][4]["project"]["title"] == "ERP"
    assert attention[1][3] == {"id": help_update, "first_line": "Kasse spricht nicht mit dem Shop"}
    assert attention[3][4]["title"] == "Texte"
    assert attention[3][4]["days_overdue"] == 5


def test_help_wanted_without_stuck_on_shows_the_first_line_of_the_update(world):
    _post(world, at=timezone.now(), help_wanted=True, body="Wer kennt DATEV?\nDetails folgen")
    payload = _dashboard(world.convoy)
    assert payload["attention"][0]["update"]["first_line"] == "Wer kennt DATEV?"


def test_a_milestone_set_to_blocked_through_the_service_shows_at_once(world):
    project = ProjectFactory(company=world.company, convoys=[world.convoy], title="Shop")
    milestone = MilestoneFactory(project=project, title="Kasse anbinden")
    assert _company(_dashboard(world.convoy), world.company)["milestones_blocked"] == []
    milestone_update(actor=world.owner, milestone=milestone, status="blocked")
    payload = _dashboard(world.convoy)
    assert [m["title"] for m in _company(payload, world.company)["milestones_blocked"]] == [
        "Kasse anbinden"
    ]
    assert payload["attention"][0]["kind"] == "blocked"
