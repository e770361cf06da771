"""The reminder a day before an open event, through the notifications sweep: exactly once
per registered person (a second sweep claims nothing), none to the waiting list, the
cancelled, the checked in, people without an address, or those who just registered; not for
drafts or cancelled events; `manage.py send_reminders --now …` runs it; in German and
English with the door code and QR code."""

import threading
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Registration
from events.reminders import reminders_claim, reminders_due
from notifications.sweep import sweep_run
from tests.factories import OpenEventFactory, RegistrationFactory
from tests.support.services import require_postgres

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2027, 6, 9, 14, 0, tzinfo=BERLIN)
LONG_AGO = START - timedelta(days=10)


# No convoy world here: its people's own reminders would be in the outbox too.
@pytest.fixture
def event(db):
    return OpenEventFactory(
        title="Digitaler Feierabend",
        starts_at=START,
        ends_at=START + timedelta(hours=5),
        registration_deadline=START - timedelta(days=1),
        capacity=10,
    )


def registered(event, name, *, created_at=LONG_AGO, **fields) -> Registration:
    slug = name.split()[0].lower()
    registration = RegistrationFactory(
        event=event, name=name, email=f"{slug}@example.com", **fields
    )
    Registration.objects.filter(pk=registration.pk).update(created_at=created_at)
    registration.refresh_from_db()
    return registration


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def run(now):
        with django_capture_on_commit_callbacks(execute=True):
            return sweep_run(now=now)

    return run


def test_two_sweeps_send_one_reminder_each(event, sweep):
    anna = registered(event, "Anna Am", language="en")
    bert = registered(event, "Bert Bau", language="de")
    result = sweep(START - timedelta(hours=23))
    assert result.created["events.reminder"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.com", "bert@example.com"]
    # Again, and a later one: nothing new.
    assert sweep(START - timedelta(hours=22)).created["events.reminder"] == 0
    assert sweep(START - timedelta(hours=1)).created["events.reminder"] == 0
    assert len(mail.outbox) == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    english = by_recipient["anna@example.com"]
    assert english.subject == "Reminder: Digitaler Feierabend"
    assert "A reminder: “Digitaler Feierabend” starts soon, and you are registered." in (
        english.body
    )
    assert "When: Wednesday, 9 June 2027, 14:00–19:00 (Berlin time)" in english.body
    assert f"Your code for the door: {anna.code}" in english.body
    assert any(p.get_content_type() == "image/png" for p in english.message().walk())
    german = by_recipient["bert@example.com"]
    assert german.subject == "Erinnerung: Digitaler Feierabend"
    assert f"Ihr Code für den Einlass: {bert.code}" in german.body
    for registration in (anna, bert):
        registration.refresh_from_db()
        assert registration.reminder_sent_at == START - timedelta(hours=23)


def test_not_too_early_and_not_once_started(event, sweep):
    registered(event, "Anna Am")
    assert sweep(START - timedelta(hours=25)).created["events.reminder"] == 0
    assert sweep(START).created["events.reminder"] == 0
    assert mail.outbox == []


def test_only_registered_people_with_an_address_who_did_not_just_register(event, sweep):
    registered(event, "Anna Am")
    registered(event, "Wera Wait", status="waitlisted")
    registered(event, "Carl Cancel", status="cancelled", cancelled_at=LONG_AGO)
    registered(event, "Ines In", attended_at=START - timedelta(hours=30))
    registered(event, "Nora Noaddress").__class__.objects.filter(name="Nora Noaddress").update(
        email=""
    )
    # Registered two hours ago, or moved up from the waiting list an hour ago: they have
    # just had an e-mail with everything in it.
    now = START - timedelta(hours=20)
    registered(event, "Neo New", created_at=now - timedelta(hours=2))
    registered(event, "Paul Promoted", promoted_at=now - timedelta(hours=1))
    sweep(now)
    assert [m.to[0] for m in mail.outbox] == ["anna@example.com"]


def test_no_reminder_for_drafts_or_cancelled_events(event, sweep):
    draft = OpenEventFactory(
        programme=event.programme,
        status="draft",
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        registration_deadline=LONG_AGO,
    )
    cancelled = OpenEventFactory(
        programme=event.programme,
        status="cancelled",
        starts_at=START,
        ends_at=START + timedelta(hours=1),
        registration_deadline=LONG_AGO,
    )
    registered(draft, "Dora Draft")
    registered(cancelled, "Cleo Cancelled")
    sweep(START - timedelta(hours=12))
    assert mail.outbox == []


def test_a_claim_is_one_statement_and_claims_each_once(event, django_capture_on_commit_callbacks):
    for index in range(5):
        registered(event, f"Person{index} Test")
    now = START - timedelta(hours=10)
    with CaptureQueriesContext(connection) as queries:
        first = reminders_claim(now)
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert len(first) == 5
    # A second sweep at the same moment (or a concurrent one, after the first committed)
    # finds every row claimed.
    assert reminders_claim(now) == []
    assert not reminders_due(now).exists()


def test_send_reminders_command_runs_it(event, django_capture_on_commit_callbacks):
    registered(event, "Anna Am", language="en")
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", now=(START - timedelta(hours=3)).isoformat(), stdout=out)
    assert "events.reminder: 1" in out.getvalue()
    (message,) = mail.outbox
    assert message.to == ["anna@example.com"]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", now=(START - timedelta(hours=2)).isoformat(), stdout=out)
    assert len(mail.outbox) == 1


def test_a_sweep_that_does_not_send_claims_nothing(event):
    registered(event, "Anna Am")
    sweep_run(now=START - timedelta(hours=5), send=False)
    assert reminders_due(START - timedelta(hours=5)).count() == 1


@pytest.mark.postgres
def test_concurrent_sweeps_claim_each_reminder_once(transactional_db):
    require_postgres()
    event = OpenEventFactory(
        title="Digitaler Feierabend",
        starts_at=START,
        ends_at=START + timedelta(hours=5),
        registration_deadline=START - timedelta(days=1),
        capacity=40,
    )
    people = [registered(event, f"Person{index} Test") for index in range(30)]
    now = START - timedelta(hours=5)
    claimed: list[list[int]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def claim():
        try:
            barrier.wait()
            claimed.append(reminders_claim(now))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    everyone = [pk for ids in claimed for pk in ids]
    assert sorted(everyone) == sorted(p.pk for p in people)  # each once, nobody left out
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
