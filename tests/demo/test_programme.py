"""The demo's programme: the demo convoy and the coach's convoy belong to a Mittelstand-Digital
centre whose register holds their companies and the companies the staff recorded, with
services over ten months, so the coach's overview and the manager's report show something
after `make run`. All of it made through the services and dated as the story says."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from convoys.models import Convoy, Facilitator
from demo.data import (
    COACH,
    COMPANIES,
    CONVOY_SERVICES,
    DEMO_CONVOY_NAME,
    EARLY_RECORD,
    FACILITATOR,
    ISERLOHN_COMPANIES,
    ISERLOHN_CONVOY_NAME,
    PROGRAMME,
    RECORDED,
    TZ,
)
from programmes.models import CompanyRecord, Programme, Service, Staff, Touch
from programmes.selectors import duplicate_suggestions, programme_for_staff
from reports.programme_overview import programme_convoys_overview
from reports.programme_report import Period, programme_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def programme() -> Programme:
    call_command("load_demo", stdout=StringIO())
    return Programme.objects.get(slug=PROGRAMME["slug"])


def _days_ago(moment) -> int:
    return (timezone.localdate(timezone=TZ) - timezone.localdate(moment, TZ)).days


def test_the_programme_has_its_manager_its_coach_and_two_convoys(programme):
    jana = User.objects.get(email=FACILITATOR[1])
    lukas = User.objects.get(email=COACH[1])

    assert programme.region == "Südwestfalen"
    assert programme.contact_email.endswith(".example")
    assert dict(Staff.objects.filter(programme=programme).values_list("user__email", "role")) == {
        jana.email: "manager",
        lukas.email: "coach",
    }
    assert programme_for_staff(programme_id=programme.pk, user=lukas) == (programme, "coach")
    assert programme_for_staff(programme_id=programme.pk, user=jana, manager=True)[1] == "manager"
    convoys = Convoy.objects.filter(programme=programme)
    assert set(convoys.values_list("name", flat=True)) == {DEMO_CONVOY_NAME, ISERLOHN_CONVOY_NAME}
    iserlohn = convoys.get(name=ISERLOHN_CONVOY_NAME)
    assert iserlohn.status in {"forming", "active"}
    assert list(Facilitator.objects.filter(convoy=iserlohn).values_list("user", flat=True)) == [
        lukas.pk
    ]
    # Backdated like the rest of the story: the programme ran before its convoys.
    assert _days_ago(programme.created_at) > 300

    overview = programme_convoys_overview(programme=programme, user=lukas, now=timezone.now())
    assert [row.convoy.name for row in overview.rows] == [DEMO_CONVOY_NAME, ISERLOHN_CONVOY_NAME]
    assert overview.companies == len(COMPANIES) + len(ISERLOHN_COMPANIES)
    assert [row.health.is_facilitator for row in overview.rows] == [False, True]


def test_the_register_holds_every_company_at_its_stage(programme):
    records = {
        r.company.name: r
        for r in CompanyRecord.objects.filter(programme=programme).select_related("company")
    }

    assert {name: r.stage for name, r in records.items()} == {
        # The demo convoy: projects in progress, the fashion shop's web shop is done.
        "Sanitär Schulte GmbH": "project_started",
        "Modehaus Kramer": "project_completed",
        "Steuerkanzlei Vogt & Partner": "project_started",
        "Dreherei Lindner GmbH": "project_started",
        "Bäckerei Brinkmann": "project_started",
        # The coach's convoy: one started, one done, one only planned.
        "Buchhandlung Lesezeichen": "project_started",
        "Fahrradladen Wiegand": "project_completed",
        "Goldschmiede Arslan": "enrolled",
        # Recorded by staff, without accounts: a voucher or check review qualifies.
        "Bäckerei Hoffmann": "qualified",
        "Autohaus Demir": "qualified",
        "Physiotherapie am Markt": "engaged",
        "Elektro Sauer GmbH": "qualified",
        "Elektro Sauer": "engaged",
        # New through the info afternoon: they came, and staff created their entries.
        "Schreinerei Vollmer": "engaged",
        "Metallbau Kaya GmbH": "engaged",
        # New through an anonymous check from the public page, shared and confirmed.
        "Malerbetrieb Roth": "engaged",
    }
    assert not any(records[r.name].company.members.exists() for r in RECORDED)
    # Each convoy company entered the register the day it joined its convoy.
    for c in COMPANIES + ISERLOHN_COMPANIES:
        joined = Touch.objects.get(programme=programme, company__name=c.name, kind="convoy_joined")
        assert _days_ago(joined.at) == c.joined, c.name
    # Sanitär Schulte was visited before it joined; its early record was merged into it.
    schulte = records["Sanitär Schulte GmbH"]
    assert (schulte.first_touch_kind, _days_ago(schulte.first_touch_at)) == (
        "recorded",
        EARLY_RECORD.recorded,
    )
    visit = schulte.company.services.get()
    assert (visit.kind, (timezone.localdate() - visit.date).days) == ("visit", 130)
    assert not CompanyRecord.objects.filter(company__name=EARLY_RECORD.name).exists()
    # Every contact is dated by the story, none at load time, and the records agree with
    # their touches.
    touches = Touch.objects.filter(programme=programme)
    assert all(timezone.now() - t.at > timedelta(days=1) for t in touches)
    for record in records.values():
        ats = [t.at for t in touches if t.company_id == record.company_id]
        assert (record.first_touch_at, record.last_touch_at) == (min(ats), max(ats))
    # The one obvious duplicate is left for the duplicates page.
    [pair] = duplicate_suggestions(programme=programme)
    assert {pair.first.company.name, pair.second.company.name} == {
        "Elektro Sauer GmbH",
        "Elektro Sauer",
    }
    assert (pair.reason, pair.domain) == ("email_domain", "elektro-sauer.example")


def test_the_managers_report_is_not_empty(programme):
    """The story spans the last ten months: a year's report counts all of it. (The default
    period is this calendar year; a twelve-month period keeps this test true in January.)"""
    today = timezone.localdate()
    report = programme_report(programme=programme, period=Period(today - timedelta(364), today))
    value = {i.key: i.value for i in report.indicators}
    breakdown = {i.key: i.breakdown for i in report.indicators}
    services = [s for r in [*RECORDED, EARLY_RECORD] for s in r.services]
    services += [s for _name, s in CONVOY_SERVICES]

    # Two companies came to the info afternoon that the programme had not reached before, one
    # shared its anonymous check.
    assert value["companies_reached"] == (
        len(COMPANIES) + len(ISERLOHN_COMPANIES) + len(RECORDED) + 2 + 1
    )
    reach = breakdown["companies_reached"]
    assert sum(1 for n in reach["size_class"].values() if n) >= 3
    assert sum(1 for n in reach["sector"].values() if n) >= 5
    assert reach["region"] == {"Hagen": 11, "Märkischer Kreis": 5}
    assert value["services"] == len(services) == Service.objects.count()
    assert all(breakdown["services"]["category"].values())  # all four EDIH functions
    assert value["visits"] == sum(s.kind == "visit" for s in services) == 6
    assert value["convoys"] == 2
    assert value["convoy_companies"] == 8
    assert value["projects_started"] == 9
    assert value["projects_completed"] == 2
    assert value["checkins_held"] == 1
