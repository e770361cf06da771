"""Registrants' personal data go EVENT_REGISTRATION_RETENTION_DAYS after the event, through
the daily retention purge; what the programme counts stays. The privacy notice says so."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from events.models import Registration
from privacy.retention import retention_purge
from reports.programme_report import Period, programme_report
from tests.factories import OpenEventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _event_ended(days_ago: float, **kwargs):
    ends = timezone.now() - timedelta(days=days_ago)
    return OpenEventFactory(
        starts_at=ends - timedelta(hours=4),
        ends_at=ends,
        registration_deadline=ends - timedelta(days=2),
        **kwargs,
    )


def test_personal_data_go_after_the_period_and_the_counts_stay(settings):
    settings.EVENT_REGISTRATION_RETENTION_DAYS = 30
    old = _event_ended(31)
    recent = _event_ended(29, programme=old.programme)
    gone = RegistrationFactory(
        event=old,
        name="Olga Alt",
        email="olga@alt.example",
        company_name="Altbau GmbH",
        postcode="58095",
        size="10-49",
        sector="construction",
        answers={"topic": "Cloud"},
        contact_consent=True,
        attended_at=old.starts_at + timedelta(minutes=3),
    )
    walk_in = RegistrationFactory(
        event=old, walk_in=True, email="", attended_at=old.starts_at + timedelta(minutes=9)
    )
    kept = RegistrationFactory(event=recent, name="Nina Neu", email="nina@neu.example")
    today = timezone.localdate()
    period = Period(today - timedelta(days=60), today)
    before = programme_report(programme=old.programme, period=period)

    counts = retention_purge(timezone.now())

    assert counts["event_registrants"] == 2
    gone.refresh_from_db()
    assert (gone.name, gone.email, gone.answers, gone.contact_consent) == ("", "", {}, False)
    # What the programme counts stays.
    assert (gone.company_name, gone.postcode, gone.size, gone.sector) == (
        "Altbau GmbH",
        "58095",
        "10-49",
        "construction",
    )
    assert gone.status == "registered"
    assert gone.attended_at is not None
    walk_in.refresh_from_db()
    assert walk_in.name == "" and walk_in.walk_in
    kept.refresh_from_db()
    assert (kept.name, kept.email) == ("Nina Neu", "nina@neu.example")
    after = programme_report(programme=old.programme, period=period)
    for key in ("events", "registrations", "attendees", "no_show_rate"):
        assert after.indicator(key).value == before.indicator(key).value
    assert after.indicator("attendees").value == 2
    # A second run finds nothing.
    assert retention_purge(timezone.now())["event_registrants"] == 0


def test_the_default_is_a_year_and_the_command_runs_it(settings):
    assert settings.EVENT_REGISTRATION_RETENTION_DAYS == 365
    registration = RegistrationFactory(event=_event_ended(366), name="Jahr Alt")
    younger = RegistrationFactory(event=_event_ended(364), name="Jahr Jung")
    call_command("purge_expired_data", verbosity=0)
    assert Registration.objects.get(pk=registration.pk).name == ""
    assert Registration.objects.get(pk=younger.pk).name == "Jahr Jung"


def test_the_purge_erases_in_batches(settings, monkeypatch):
    import privacy.retention

    monkeypatch.setattr(privacy.retention, "BATCH", 2)
    settings.EVENT_REGISTRATION_RETENTION_DAYS = 1
    event = _event_ended(5)
    for _ in range(5):
        RegistrationFactory(event=event)
    assert retention_purge(timezone.now())["event_registrants"] == 5
    assert not Registration.objects.exclude(name="").exists()


@pytest.mark.parametrize(
    ("path", "phrases"),
    [
        (
            "/datenschutz/",
            [
                "Anmeldung zu einer offenen Veranstaltung",
                "werden 200 Tage nach der Veranstaltung gelöscht",
                "Ihre E-Mail-Adresse sieht nur die Leitung des Programms",
            ],
        ),
        (
            "/privacy/?lang=en",
            [
                "Registering for an open event",
                "are erased 200 days after the event",
                "Your e-mail address is shown only to the programme's management",
            ],
        ),
    ],
)
def test_the_privacy_notice_describes_registrations(client, settings, path, phrases):
    settings.EVENT_REGISTRATION_RETENTION_DAYS = 200
    html = client.get(path).content.decode()
    for phrase in phrases:
        assert phrase in html


def test_cancelled_registrations_are_erased_30_days_after_the_cancellation(settings):
    """A self-cancelled registration for an event months ahead keeps nobody's name until a
    year after the event: it goes EVENT_CANCELLED_REGISTRATION_RETENTION_DAYS after the
    cancellation."""
    assert settings.EVENT_CANCELLED_REGISTRATION_RETENTION_DAYS == 30
    now = timezone.now()
    future = OpenEventFactory(
        starts_at=now + timedelta(days=200),
        ends_at=now + timedelta(days=200, hours=3),
        registration_deadline=now + timedelta(days=199),
    )
    old = RegistrationFactory(
        event=future,
        name="Storno Alt",
        status="cancelled",
        cancelled_at=now - timedelta(days=31),
        contact_consent=True,
        answers={"thema": "KI"},
    )
    recent = RegistrationFactory(
        event=future, name="Storno Neu", status="cancelled", cancelled_at=now - timedelta(days=29)
    )
    seated = RegistrationFactory(event=future, name="Sitzt Noch")
    assert retention_purge(now)["event_registrants"] == 1
    old.refresh_from_db()
    assert (old.name, old.email, old.answers, old.contact_consent) == ("", "", {}, False)
    assert old.email_confirmed_at is None
    assert (old.company_name, old.postcode, old.status) != ("", "", "")
    assert Registration.objects.get(pk=recent.pk).name == "Storno Neu"
    assert Registration.objects.get(pk=seated.pk).name == "Sitzt Noch"
    assert retention_purge(now)["event_registrants"] == 0


@pytest.mark.parametrize(
    ("path", "phrase"),
    [
        ("/datenschutz/", "werden diese Angaben schon 30 Tage nach der Stornierung gelöscht"),
        ("/privacy/?lang=en", "these details are erased 30 days after the cancellation"),
    ],
)
def test_the_privacy_notice_states_the_cancelled_period(client, path, phrase):
    assert phrase in client.get(path).content.decode()
