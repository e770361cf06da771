"""The demo's open events: an info afternoon three weeks ago with people who came, no-shows, a
cancellation and a walk-in, their companies matched to the register; and a workshop in twelve
days with seats left. All made through events.services and events.matching, dated as the
story says."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.data import NEXT_EVENT, PAST_EVENT, PROGRAMME, TZ
from events.keys import registration_by_token, registration_token_of
from events.models import OpenEvent, Registration
from events.selectors import public_events, seats_left
from programmes.models import CompanyRecord, Programme, Touch
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


def test_the_past_event_has_attendance_no_shows_a_walk_in_and_matched_companies(programme):
    event = OpenEvent.objects.get(programme=programme, title=PAST_EVENT.title)
    assert event.status == "published"
    assert _days_ago(event.starts_at) == -PAST_EVENT.days == 24
    assert event.starts_at.astimezone(TZ).hour == 14
    people = {r.name: r for r in Registration.objects.filter(event=event)}
    assert set(people) == {r.name for r in PAST_EVENT.registrants}
    came = {name for name, r in people.items() if r.attended_at}
    assert came == {r.name for r in PAST_EVENT.registrants if r.came}
    assert {name for name, r in people.items() if r.walk_in} == {"Murat Demir"}
    assert people["Jörg Lenz"].status == "cancelled"
    no_shows = {
        name for name, r in people.items() if r.status == "registered" and not r.attended_at
    }
    assert no_shows == {"Peter Brandes", "Monika Heuer"}
    # Dated by the story: registered weeks before, checked in on the afternoon.
    for r in PAST_EVENT.registrants:
        registration = people[r.name]
        assert _days_ago(registration.created_at) == r.days_ago, r.name
        if registration.attended_at:
            assert event.starts_at <= registration.attended_at <= event.ends_at
    # Matched to the register: two existing entries and two new ones, each engaged by its
    # attendance; the unmatched no-shows are not in the register.
    matched = {name: r.company.name for name, r in people.items() if r.company_id}
    assert matched == {
        "Ingrid Hoffmann": "Bäckerei Hoffmann",
        "Stefan Vollmer": "Schreinerei Vollmer",
        "Nadine Kaya": "Metallbau Kaya GmbH",
        "Murat Demir": "Autohaus Demir",
    }
    for name in ("Schreinerei Vollmer", "Metallbau Kaya GmbH"):
        record = CompanyRecord.objects.get(programme=programme, company__name=name)
        assert record.stage == "engaged"
        assert record.first_touch_kind == "event_registered"
        assert record.company.city == "Hagen"
    # The contact person's name only where they agreed to be contacted; never the address
    # (coaches see the register, and registrants' addresses are for managers only).
    vollmer = CompanyRecord.objects.get(programme=programme, company__name="Schreinerei Vollmer")
    kaya = CompanyRecord.objects.get(programme=programme, company__name="Metallbau Kaya GmbH")
    assert vollmer.contact_name and vollmer.contact_email == ""
    assert (kaya.contact_name, kaya.contact_email) == ("", "")
    attended = Touch.objects.filter(programme=programme, kind="event_attended")
    assert attended.count() == 4
    assert all(timezone.now() - t.at > timedelta(days=1) for t in attended)
    assert not CompanyRecord.objects.filter(company__name="Dachdeckerei Brandes").exists()


def test_the_upcoming_event_has_free_seats_and_is_public(programme):
    event = OpenEvent.objects.get(programme=programme, title=NEXT_EVENT.title)
    assert _days_ago(event.starts_at) == -12
    assert event.format == "workshop"
    registrations = list(Registration.objects.filter(event=event))
    assert len(registrations) == len(NEXT_EVENT.registrants) == 3
    assert all(r.status == "registered" for r in registrations)
    assert seats_left(event) == NEXT_EVENT.capacity - 3 > 0
    assert list(public_events(programme=programme)) == [event]
    # Made through the service: each has a working link and a door code.
    for r in registrations:
        assert registration_by_token(token=registration_token_of(r)) == r
        assert r.code
    vogt = next(r for r in registrations if r.name == "Thomas Vogt")
    assert vogt.answers == {"vorkenntnisse": "Übersetzungen, ab und zu ein Chatbot"}


def test_the_report_counts_the_past_event(programme):
    today = timezone.localdate()
    report = programme_report(programme=programme, period=Period(today - timedelta(60), today))
    value = {i.key: i.value for i in report.indicators}
    # The past event only (the workshop is still ahead); Jörg Lenz cancelled.
    assert value["events"] == 1
    assert value["registrations"] == 6
    assert value["attendees"] == 4
    # Registered beforehand with a seat: Hoffmann, Vollmer, Kaya, Brandes, Heuer; two did not
    # come.
    assert value["no_show_rate"] == 40.0
