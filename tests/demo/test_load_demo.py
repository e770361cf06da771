"""`manage.py load_demo`: a believable, idempotent demo convoy built through the services."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import User
from companies.models import Company
from convoys.models import Convoy, Event
from demo.data import (
    COACH,
    COMPANIES,
    DEMO_CONVOY_NAME,
    DEMO_PASSWORD,
    FACILITATOR,
    ISERLOHN_COMPANIES,
    PAST_EVENT,
    RECORDED,
)
from demo.loader import demo_logins
from events.models import OpenEvent, Registration
from overview.dashboard import convoy_dashboard
from projects.models import Milestone, Project, Update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The demo registers a dozen people; real PBKDF2 would dominate this module's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Company,
            Convoy,
            Project,
            Milestone,
            Update,
            Event,
            OpenEvent,
            Registration,
        )
    }


def test_runs_twice_without_duplicating_anything():
    first = _load()
    counts = _counts()
    second = _load()

    assert _counts() == counts
    # The demo convoy and the coach's; its companies, the coach's convoy's and the companies
    # without accounts the staff recorded (Sanitär Schulte's early record was merged away),
    # the two that came to the open event and got new register entries, and the one whose
    # anonymous check was shared with the programme.
    assert counts["Convoy"] == 2
    new_at_events = [r for r in PAST_EVENT.registrants if r.match == "create"]
    assert counts["Company"] == (
        len(COMPANIES) + len(ISERLOHN_COMPANIES) + len(RECORDED) + len(new_at_events) + 1
    )
    assert "already exists" in second
    demo = Convoy.objects.get(name=DEMO_CONVOY_NAME)
    assert f"{len(COMPANIES)} companies, {demo.last_event_seq} events." in first
    assert demo.last_event_seq == Event.objects.filter(convoy=demo).count() > 0
    for output in (first, second):
        assert FACILITATOR[1] in output
        assert DEMO_PASSWORD in output


def test_dashboard_selector_shows_the_companies_as_the_story_tells():
    _load()
    convoy = Convoy.objects.get(name=DEMO_CONVOY_NAME)
    assert convoy.status == "active"
    assert convoy.timezone == "Europe/Berlin"
    assert convoy.update_cadence_days == 14

    dashboard = convoy_dashboard(convoy=convoy, now=timezone.now())

    companies = {c["name"]: c for c in dashboard["companies"]}
    assert set(companies) == {c.name for c in COMPANIES}
    assert all(c["projects"] and c["milestones_total"] for c in companies.values())
    assert all(0 < c["progress"] < 100 for c in companies.values())
    # One company asks for help, one has been quiet for longer than the cadence.
    assert [n for n, c in companies.items() if c["help_wanted"]] == ["Modehaus Kramer"]
    assert [n for n, c in companies.items() if c["quiet"]] == ["Steuerkanzlei Vogt & Partner"]
    # Completions are spread over weeks, not all stamped at load time.
    chart = dashboard["milestones_done_over_time"]
    assert (
        chart[-1]["total"]
        == Milestone.objects.filter(status="done", project__convoys=convoy).count()
    )
    first, last = date.fromisoformat(chart[0]["date"]), date.fromisoformat(chart[-1]["date"])
    assert last - first > timedelta(weeks=6)


def test_event_log_is_real_and_in_time_order():
    _load()
    convoy = Convoy.objects.get(name=DEMO_CONVOY_NAME)
    events = list(Event.objects.filter(convoy=convoy).order_by("seq"))

    assert [e.seq for e in events] == list(range(1, convoy.last_event_seq + 1))
    assert [e.at for e in events] == sorted(e.at for e in events)
    kinds = {e.kind for e in events}
    assert {"membership.joined", "project.created", "milestone.completed", "update.posted"} <= (
        kinds
    )
    # The follow-up project links to the web shop that pulled it in.
    inventory = Project.objects.get(category="inventory")
    assert inventory.follow_up_of.title == "Webshop"


def test_every_demo_login_works_with_the_shared_password():
    _load()
    companies = COMPANIES + ISERLOHN_COMPANIES
    emails = [FACILITATOR[1], COACH[1]] + [
        email for c in companies for _name, email, _role in c.people
    ]
    # Every login `make run` prints is one of them, and each of them is printed.
    printed = {line.split()[0] for line in demo_logins()[:-1]}
    assert printed == set(emails)
    for email in emails:
        # The login path authenticates with the request (django-axes counts failures by it).
        request = RequestFactory().post("/login/")
        assert authenticate(request, email=email, password=DEMO_PASSWORD) is not None, email


def test_the_demo_history_sends_no_e_mails_on_start():
    """Its notifications are there to read; a fresh `make run` does not mail them out."""
    from notifications.models import Notification

    _load()
    assert Notification.objects.exists()
    assert not Notification.objects.filter(channel="email", emailed_at__isnull=True).exists()


def test_the_embedded_runner_announces_the_demo_logins():
    """`make run` prints the logins through config.embedded, which reads them from demo/."""
    from config.embedded import _banner

    _load()
    banner = _banner("http://127.0.0.1:8000/")
    assert FACILITATOR[1] in banner
    assert COACH[1] in banner
    assert DEMO_PASSWORD in banner
