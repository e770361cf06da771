"""Messages after an event to one segment: attendees (checked in), no-shows (registered, not
checked in, the event over) or the waiting list; only people who agreed to be contacted and
gave an address; staff of the programme only; an empty segment refused with the field; each
recipient gets the message once (a retried task repeats nobody); plain text as written,
escaped in HTML, signed with the programme's name, with why they get it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from events.mails import event_message_send
from events.messaging import event_message_create, message_recipients
from events.models import EventMessageDelivery
from tests.factories import RegistrationFactory

CONTACT = "info@kompetenzzentrum-hagen.example"
BODY = (
    "Die Folien finden Sie hier: https://example.com/folien\n\n"
    "Nächster Schritt: <Check> buchen & los."
)


@pytest.fixture
def past(programme_world):
    programme = programme_world.programme
    programme.contact_email = CONTACT
    programme.save(update_fields=["contact_email"])
    event = programme_world.past_event
    start = event.starts_at

    def person(name, **fields):
        slug = name.split()[0].lower()
        return RegistrationFactory(event=event, name=name, email=f"{slug}@example.com", **fields)

    people = {
        "came": person("Anna Attended", contact_consent=True, attended_at=start, language="en"),
        "came_de": person("Bert Besucher", contact_consent=True, attended_at=start),
        "came_no_consent": person("Carl Quiet", attended_at=start),
        "came_no_address": person("Dora Noaddress", contact_consent=True, attended_at=start),
        "missed": person("Emil Missed", contact_consent=True, language="en"),
        "missed_no_consent": person("Fritz Quiet"),
        "waiting": person("Gina Waiting", contact_consent=True, status="waitlisted"),
        "cancelled": person(
            "Hans Cancelled", contact_consent=True, status="cancelled", cancelled_at=start
        ),
        # Agreed, but never followed an e-mail's link: the address is not confirmed.
        "came_unconfirmed": person(
            "Ida Unconfirmed", contact_consent=True, attended_at=start, email_confirmed_at=None
        ),
        "waiting_unconfirmed": person(
            "Jan Unconfirmed", contact_consent=True, status="waitlisted", email_confirmed_at=None
        ),
    }
    people["came_no_address"].email = ""
    people["came_no_address"].save(update_fields=["email"])
    return event, people


def recipients(event, segment) -> set[str]:
    return set(message_recipients(event, segment).values_list("name", flat=True))


def test_segments_reach_only_people_who_agreed_and_have_an_address(past):
    event, _people = past
    assert recipients(event, "attendees") == {"Anna Attended", "Bert Besucher"}
    assert recipients(event, "no_shows") == {"Emil Missed"}
    assert recipients(event, "waitlist") == {"Gina Waiting"}
    assert recipients(event, "everyone") == set()


def test_no_shows_only_once_the_event_is_over(programme_world):
    event = programme_world.event  # in two weeks
    RegistrationFactory(event=event, name="Ulla Upcoming", contact_consent=True)
    assert recipients(event, "no_shows") == set()


def test_a_message_to_attendees(past, programme_world, django_capture_on_commit_callbacks):
    event, people = past
    with django_capture_on_commit_callbacks(execute=True):
        message = event_message_create(
            event=event,
            by=programme_world.coach,
            segment="attendees",
            subject="  Folien und nächster Schritt ",
            body=BODY,
        )
    assert message.subject == "Folien und nächster Schritt"
    assert message.sent_by == programme_world.coach
    deliveries = EventMessageDelivery.objects.filter(message=message)
    assert {d.registration_id for d in deliveries} == {people["came"].pk, people["came_de"].pk}
    assert all(d.sent_at is not None for d in deliveries)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"anna@example.com", "bert@example.com"}
    english = by_recipient["anna@example.com"]
    assert english.subject == "Folien und nächster Schritt"
    assert english.reply_to == [f"Kompetenzzentrum Hagen <{CONTACT}>"]
    text, html = english.body, english.alternatives[0][0]
    assert text.startswith("Hello,\n")  # nobody's typed name in an e-mail
    assert BODY in text  # as written
    assert "Kind regards\nKompetenzzentrum Hagen" in text
    assert (
        "You receive this message because, when you registered for “Sprechtag Förderung”, "
        "you agreed that Kompetenzzentrum Hagen may contact you afterwards." in text
    )
    assert f"If you no longer want this, write to {CONTACT}" in text
    assert "&lt;Check&gt; buchen &amp; los." in html and "<Check>" not in html
    assert '<a href="https://example.com/folien"' in html
    german = by_recipient["bert@example.com"]
    assert german.body.startswith("Guten Tag,\n")
    assert "Mit freundlichen Grüßen\nKompetenzzentrum Hagen" in german.body
    assert "zugestimmt haben, dass Kompetenzzentrum Hagen Sie danach kontaktieren darf" in (
        " ".join(german.body.split())
    )
    # Nobody else is named.
    for message_ in mail.outbox:
        for other in ("Carl", "Emil", "Gina", "Dora"):
            assert other not in message_.body


def test_an_empty_segment_is_refused_with_the_field(programme_world):
    event = programme_world.event  # nobody has come yet
    with pytest.raises(ValidationError) as refused:
        event_message_create(
            event=event, by=programme_world.manager, segment="attendees", subject="Hallo", body="x"
        )
    assert list(refused.value.message_dict) == ["segment"]
    assert event.messages.count() == 0


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"segment": "everyone"}, {"segment"}),
        ({"subject": "   "}, {"subject"}),
        ({"subject": "x" * 201}, {"subject"}),
        ({"body": ""}, {"body"}),
        ({"body": "x" * 10_001}, {"body"}),
        ({"subject": "", "body": None}, {"subject", "body"}),
    ],
)
def test_bad_input_is_refused_by_field(past, programme_world, fields, errors):
    event, _people = past
    values = {"segment": "attendees", "subject": "Folien", "body": "Hier.", **fields}
    with pytest.raises(ValidationError) as refused:
        event_message_create(event=event, by=programme_world.manager, **values)
    assert set(refused.value.message_dict) == errors
    assert event.messages.count() == 0


@pytest.mark.parametrize("who", ["other_coach", "outsider", "member", "outside_facilitator"])
def test_only_the_programme_staff_may_write(past, programme_world, who):
    event, _people = past
    with pytest.raises(PermissionDenied):
        event_message_create(
            event=event,
            by=getattr(programme_world, who),
            segment="attendees",
            subject="Folien",
            body="Hier.",
        )
    assert event.messages.count() == 0


def test_each_recipient_gets_it_once_also_when_a_send_fails(
    past, programme_world, monkeypatch, django_capture_on_commit_callbacks
):
    event, people = past
    message = event_message_create(
        event=event, by=programme_world.manager, segment="attendees", subject="Folien", body="x"
    )  # queued on commit, which this test does not run: the task runs below
    original = EmailMultiAlternatives.send
    failing = {"bert@example.com"}

    def send(self, *args, **kwargs):
        if self.to[0] in failing:
            raise OSError("mail server gone")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    with pytest.raises(OSError):
        event_message_send.run(message_id=message.pk)
    sent = {d.registration_id: d.sent_at for d in message.deliveries.all()}
    # Anna's went out before Bert's failed; Bert's is given back for the retry.
    assert [m.to[0] for m in mail.outbox] == ["anna@example.com"]
    assert sent[people["came"].pk] is not None and sent[people["came_de"].pk] is None
    failing.clear()
    event_message_send.run(message_id=message.pk)
    event_message_send.run(message_id=message.pk)
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.com", "bert@example.com"]


def test_consent_withdrawn_before_sending_means_no_e_mail(past, programme_world):
    event, people = past
    message = event_message_create(
        event=event,
        by=programme_world.manager,
        segment="waitlist",
        subject="Neuer Termin",
        body="x",
    )
    people["waiting"].contact_consent = False
    people["waiting"].save(update_fields=["contact_consent"])
    event_message_send.run(message_id=message.pk)
    assert mail.outbox == []


def test_a_later_message_to_no_shows(past, programme_world, django_capture_on_commit_callbacks):
    event, _people = past
    assert event.ends_at < timezone.now() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        event_message_create(
            event=event,
            by=programme_world.manager,
            segment="no_shows",
            subject="Schade, dass Sie nicht da waren",
            body="Die Folien: https://example.com/folien",
        )
    (message,) = mail.outbox
    assert message.to == ["emil@example.com"]
    assert message.subject == "Schade, dass Sie nicht da waren"
