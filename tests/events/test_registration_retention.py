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
