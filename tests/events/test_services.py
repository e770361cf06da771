"""events.services: the rules of open events (seats, waiting list, per-company cap, deadline,
consent, the cancel token, the door check-in, walk-ins, the register touches). On a refused
write the tests also assert that nothing changed."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.ratelimit import client_network_key
from events import mails
from events.keys import company_key, registration_by_token
from events.models import OpenEvent, Registration
from events.services import (
    attendance_check_in,
    attendance_undo,
    event_cancel,
    event_create,
    event_publish,
    event_update,
    registration_allowed,
    registration_cancel,
    registration_create,
    registration_email_confirm,
    walk_in_register,
)
from programmes.models import CompanyRecord, Touch
from tests.factories import CompanyFactory, OpenEventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

TASKS = [
    "registration_confirmation_send",
    "registration_promoted_send",
    "registration_cancelled_send",
    "event_changed_send",
    "event_cancelled_send",
]


@pytest.fixture
def queued(monkeypatch):
    """The e-mail tasks queued (name, kwargs), in order, instead of queued after commit."""
    calls: list[tuple[str, dict]] = []
    for name in TASKS:
        task = getattr(mails, name)
        monkeypatch.setattr(
            task,
            "delay_on_commit",
            lambda _name=name, **kwargs: calls.append((_name, kwargs)),
        )
    return calls


def _register(event, n=0, **overrides):
    data = {
        "event": event,
        "name": f"Person {n}",
        "email": f"p{n}@example.com",
        "company_name": f"Betrieb {n}",
        "postcode": "58095",
        "size": "2-9",
        "sector": "craft",
        "consent": True,
    }
    data.update(overrides)
    return registration_create(**data)


def _event_args(**overrides):
    start = (timezone.now() + timedelta(days=10)).replace(microsecond=0)
    data = {
        "title": "Digitaler Feierabend",
        "starts_at": start,
        "ends_at": start + timedelta(hours=3),
        "capacity": 20,
        "registration_deadline": start - timedelta(days=1),
    }
    data.update(overrides)
    return data


def _messages(exc_info, field):
    return exc_info.value.message_dict[field]


# --- events -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "coach"])
def test_staff_create_events_public_at_once_or_as_draft(programme_world, role):
    pw = programme_world
    by = getattr(pw, role)
    event = event_create(programme=pw.programme, by=by, **_event_args(questions=[]))
    draft = event_create(programme=pw.programme, by=by, draft=True, **_event_args())
    assert event.status == "published" and event.created_by == by
    assert draft.status == "draft"
    assert event_publish(event=draft, by=by).status == "published"
    draft.refresh_from_db()
    assert draft.status == "published"


@pytest.mark.parametrize("role", ["other_coach", "member", "outsider"])
def test_others_cannot_create_events(programme_world, role):
    pw = programme_world
    before = OpenEvent.objects.count()
    with pytest.raises(PermissionDenied):
        event_create(programme=pw.programme, by=getattr(pw, role), **_event_args())
    assert OpenEvent.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "viele"}, "capacity"),
        ({"format": "party"}, "format"),
        ({"online_url": "javascript:alert(1)"}, "online_url"),
        ({"max_per_company": 0}, "max_per_company"),
        ({"max_per_company": 21}, "max_per_company"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"questions": [{"key": "a", "label": "A"}, {"key": "a", "label": "B"}]}, "questions"),
        ({"questions": [{"key": f"q{i}", "label": "Q"} for i in range(11)]}, "questions"),
        ({"questions": [{"key": "Bad Key", "label": "Q"}]}, "questions"),
        ({"questions": [{"key": "a", "label": ""}]}, "questions"),
        ({"questions": "Was?"}, "questions"),
    ],
)
def test_event_fields_are_checked(programme_world, overrides, field):
    pw = programme_world
    before = OpenEvent.objects.count()
    with pytest.raises(ValidationError) as exc_info:
        event_create(programme=pw.programme, by=pw.coach, **_event_args(**overrides))
    assert field in exc_info.value.message_dict
    assert OpenEvent.objects.count() == before


def test_event_times_must_fit_together(programme_world):
    pw = programme_world
    args = _event_args()
    with pytest.raises(ValidationError) as exc_info:
        event_create(programme=pw.programme, by=pw.coach, **{**args, "ends_at": args["starts_at"]})
    assert "ends_at" in exc_info.value.message_dict
    with pytest.raises(ValidationError) as exc_info:
        event_create(
            programme=pw.programme,
            by=pw.coach,
            **{**args, "registration_deadline": args["starts_at"] + timedelta(minutes=1)},
        )
    assert "registration_deadline" in exc_info.value.message_dict


def _dst_night_args(start, end):
    return _event_args(
        starts_at=start, ends_at=end, registration_deadline=start - timedelta(days=1)
    )


def test_event_times_compare_instants_across_the_autumn_clock_change(programme_world):
    """31 October 2027, Europe/Berlin: 03:00 CEST becomes 02:00 CET. Aware datetimes of the
    same zone compare by wall-clock time in Python; the rules compare instants."""
    pw = programme_world
    berlin = ZoneInfo("Europe/Berlin")
    first_pass = datetime(2027, 10, 31, 2, 10, tzinfo=berlin)  # +02:00
    second_pass = datetime(2027, 10, 31, 2, 5, tzinfo=berlin, fold=1)  # +01:00, 55 min later
    assert second_pass.utcoffset() == timedelta(hours=1)
    event = event_create(
        programme=pw.programme, by=pw.coach, **_dst_night_args(first_pass, second_pass)
    )
    event.refresh_from_db()
    assert event.ends_at - event.starts_at == timedelta(minutes=55)
    # The other way round ends 55 minutes before it starts: the rule says so (not the
    # database's constraint), on create and on update.
    with translation.override("en"), pytest.raises(ValidationError) as exc_info:
        event_create(
            programme=pw.programme, by=pw.coach, **_dst_night_args(second_pass, first_pass)
        )
    assert _messages(exc_info, "ends_at") == ["The event must end after it starts."]
    with translation.override("en"), pytest.raises(ValidationError) as exc_info:
        event_update(
            event=event,
            by=pw.coach,
            starts_at=second_pass,
            ends_at=first_pass,
            registration_deadline=second_pass - timedelta(days=1),
        )
    assert _messages(exc_info, "ends_at") == ["The event must end after it starts."]
    # Naive wall-clock times: the repeated hour is read as its first pass.
    naive = event_update(
        event=event,
        by=pw.coach,
        starts_at=datetime(2027, 10, 31, 1, 30),
        ends_at=datetime(2027, 10, 31, 2, 30),
    )
    naive.refresh_from_db()
    assert naive.ends_at - naive.starts_at == timedelta(hours=1)
    # A deadline 30 minutes after the start by the instant (wall clock: before) is refused.
    with pytest.raises(ValidationError) as exc_info:
        event_update(
            event=event,
            by=pw.coach,
            starts_at=datetime(2027, 10, 31, 2, 40, tzinfo=berlin),
            ends_at=datetime(2027, 10, 31, 4, 0, tzinfo=berlin),
            registration_deadline=datetime(2027, 10, 31, 2, 10, tzinfo=berlin, fold=1),
        )
    assert "registration_deadline" in exc_info.value.message_dict


def test_naive_times_are_read_in_the_programme_zone(programme_world):
    pw = programme_world
    pw.programme.timezone = "Europe/Lisbon"
    pw.programme.save(update_fields=["timezone"])
    day = (timezone.now() + timedelta(days=30)).date()
    start = datetime(day.year, day.month, day.day, 14, 0)
    event = event_create(
        programme=pw.programme,
        by=pw.coach,
        **_event_args(
            starts_at=start,
            ends_at=start + timedelta(hours=5),
            registration_deadline=start - timedelta(days=1),
        ),
    )
    event.refresh_from_db()
    assert event.starts_at.astimezone(ZoneInfo("Europe/Lisbon")).hour == 14


def test_moving_a_published_event_tells_registrants_and_raises_the_sequence(
    programme_world, queued
):
    pw = programme_world
    event = pw.event
    event_update(event=event, by=pw.coach, title="Neuer Titel", description="Mehr.")
    assert event.sequence == 0 and queued == []
    before = event.starts_at
    later = event.starts_at + timedelta(hours=1)
    event_update(event=event, by=pw.coach, starts_at=later, location="Rathaus")
    event.refresh_from_db()
    assert event.sequence == 1 and event.starts_at == later and event.location == "Rathaus"
    assert queued == [
        (
            "event_changed_send",
            {
                "event_id": event.pk,
                "changed": ["starts_at", "location"],
                "previous": {
                    "starts_at": before.isoformat(),
                    "location": "Kantine der Stadtwerke, Hagen",
                },
            },
        )
    ]


def test_moving_a_draft_tells_nobody(programme_world, queued):
    pw = programme_world
    event_update(
        event=pw.draft_event, by=pw.coach, starts_at=pw.draft_event.starts_at + timedelta(hours=1)
    )
    assert pw.draft_event.sequence == 0 and queued == []


def test_update_refuses_unknown_fields_and_bad_times(programme_world):
    pw = programme_world
    with pytest.raises(ValidationError) as exc_info:
        event_update(event=pw.event, by=pw.coach, status="cancelled")
    assert "status" in exc_info.value.message_dict
    with pytest.raises(ValidationError) as exc_info:
        event_update(event=pw.event, by=pw.coach, ends_at=pw.event.starts_at)
    assert "ends_at" in exc_info.value.message_dict
    pw.event.refresh_from_db()
    assert pw.event.status == "published" and pw.event.ends_at > pw.event.starts_at


def test_capacity_below_the_registered_count_is_refused(programme_world):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=3)
    for n in range(3):
        _register(event, n)
    with pytest.raises(ValidationError) as exc_info:
        event_update(event=event, by=pw.manager, capacity=2)
    assert "capacity" in exc_info.value.message_dict
    event.refresh_from_db()
    assert event.capacity == 3


def test_more_seats_seat_the_waiting_list_in_order(programme_world, queued):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1)
    _register(event, 0)
    waiting = [_register(event, n).registration for n in range(1, 5)]
    queued.clear()
    event_update(event=event, by=pw.manager, capacity=3)
    statuses = [Registration.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == ["registered", "registered", "waitlisted", "waitlisted"]
    assert queued == [
        ("registration_promoted_send", {"registration_id": waiting[0].pk}),
        ("registration_promoted_send", {"registration_id": waiting[1].pk}),
    ]
    assert Registration.objects.get(pk=waiting[0].pk).promoted_at is not None


def test_cancelling_an_event_tells_everyone_and_closes_it(programme_world, queued):
    pw = programme_world
    event = pw.event
    event_cancel(event=event, by=pw.coach)
    event.refresh_from_db()
    assert event.status == "cancelled" and event.cancelled_at is not None
    assert event.sequence == 1
    assert queued == [("event_cancelled_send", {"event_id": event.pk})]
    # The registrations stay as they were (the message and the calendar's CANCEL reach them).
    assert Registration.objects.get(pk=pw.registration.pk).status == "registered"
    with pytest.raises(ValidationError):
        event_cancel(event=event, by=pw.coach)
    with pytest.raises(ValidationError):
        event_update(event=event, by=pw.coach, title="Doch nicht")
    with pytest.raises(ValidationError) as exc_info:
        _register(event, 1)
    assert "__all__" in exc_info.value.message_dict
    assert Registration.objects.filter(event=event).count() == 1


def test_other_programmes_staff_cannot_change_or_cancel(programme_world):
    pw = programme_world
    with pytest.raises(PermissionDenied):
        event_update(event=pw.event, by=pw.other_coach, title="Fremd")
    with pytest.raises(PermissionDenied):
        event_cancel(event=pw.event, by=pw.other_coach)
    with pytest.raises(PermissionDenied):
        event_publish(event=pw.draft_event, by=pw.member)
    pw.event.refresh_from_db()
    pw.draft_event.refresh_from_db()
    assert pw.event.status == "published" and pw.event.title == "Digitalisierung im Handwerk"
    assert pw.draft_event.status == "draft"


# --- registering ----------------------------------------------------------------------------


def test_seats_then_waiting_list_in_order(programme_world, queued):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=2)
    results = [_register(event, n) for n in range(5)]
    assert [r.registration.status for r in results] == ["registered"] * 2 + ["waitlisted"] * 3
    assert [r.position for r in results] == [None, None, 1, 2, 3]
    assert [name for name, _kwargs in queued] == ["registration_confirmation_send"] * 5
    assert queued[0][1] == {"registration_id": results[0].registration.pk}
    # The secret handed back opens this registration and no other.
    for result in results:
        assert registration_by_token(token=result.token) == result.registration
    assert results[0].registration.consent_at is not None


def test_same_company_by_normalised_name_and_postcode(programme_world):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, max_per_company=1)
    first = _register(event, 1, company_name="Tischlerei Holzwurm GmbH", postcode="58097")
    with pytest.raises(ValidationError) as exc_info:
        _register(event, 2, company_name="tischlerei holzwurm", postcode="58097")
    assert "company_name" in exc_info.value.message_dict
    assert Registration.objects.filter(event=event).count() == 1
    # Another postcode is another company.
    _register(event, 3, company_name="Tischlerei Holzwurm", postcode="44135")
    # A cancelled registration frees the company's place.
    registration_cancel(registration=first.registration)
    _register(event, 4, company_name="TISCHLEREI HOLZWURM", postcode="58097")
    assert company_key(company_name="Tischlerei Holzwurm GmbH", postcode="58097") == company_key(
        company_name="tischlerei holzwurm", postcode=" 58097"
    )


def test_per_company_cap_counts_the_waiting_list(programme_world):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1, max_per_company=2)
    _register(event, 1, company_name="Bäckerei Korn")
    assert _register(event, 2, company_name="Bäckerei Korn").registration.status == "waitlisted"
    with translation.override("en"), pytest.raises(ValidationError) as exc_info:
        _register(event, 3, company_name="Baeckerei Korn")
    assert "At most 2 people per company" in str(exc_info.value)


def test_registration_closes_at_the_deadline(programme_world):
    pw = programme_world
    event = pw.event
    with pytest.raises(ValidationError) as exc_info:
        _register(event, 1, now=event.registration_deadline + timedelta(seconds=1))
    assert "__all__" in exc_info.value.message_dict
    with translation.override("en"):
        with pytest.raises(ValidationError) as exc_info:
            _register(event, 1, now=event.registration_deadline + timedelta(seconds=1))
        assert _messages(exc_info, "__all__")[0].startswith("Registration closed on ")
    assert Registration.objects.filter(event=event).count() == 1
    # Up to the deadline itself, it is open.
    assert _register(event, 2, now=event.registration_deadline).registration.pk


def test_no_registration_for_drafts_or_started_events(programme_world):
    pw = programme_world
    with pytest.raises(ValidationError):
        _register(pw.draft_event, 1)
    started = OpenEventFactory(
        programme=pw.programme,
        starts_at=timezone.now() - timedelta(minutes=5),
        registration_deadline=timezone.now() - timedelta(minutes=5),
    )
    with pytest.raises(ValidationError):
        _register(started, 2)
    assert not Registration.objects.filter(event__in=[pw.draft_event, started]).exists()


@pytest.mark.parametrize("consent", [False, None, "yes"])
def test_consent_is_required(programme_world, consent, queued):
    pw = programme_world
    with pytest.raises(ValidationError) as exc_info:
        _register(pw.event, 1, consent=consent)
    assert "consent" in exc_info.value.message_dict
    assert Registration.objects.filter(event=pw.event).count() == 1
    assert queued == []


def test_contact_consent_is_optional_and_separate(programme_world):
    pw = programme_world
    without = _register(pw.event, 1).registration
    with_it = _register(pw.event, 2, contact_consent=True).registration
    assert without.contact_consent is False and with_it.contact_consent is True


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "A\nB"}, "name"),
        ({"email": "kein-at"}, "email"),
        ({"email": ""}, "email"),
        ({"company_name": "x" * 201}, "company_name"),
        ({"postcode": ""}, "postcode"),
        ({"postcode": "<script>"}, "postcode"),
        ({"size": "huge"}, "size"),
        ({"size": ""}, "size"),
        ({"sector": "mining"}, "sector"),
        ({"contact_consent": "yes"}, "contact_consent"),
    ],
)
def test_registration_fields_are_checked(programme_world, overrides, field):
    pw = programme_world
    with pytest.raises(ValidationError) as exc_info:
        _register(pw.event, 1, **overrides)
    assert field in exc_info.value.message_dict
    assert Registration.objects.filter(event=pw.event).count() == 1


def test_answers_to_the_events_questions(programme_world):
    pw = programme_world
    event = OpenEventFactory(
        programme=pw.programme,
        questions=[
            {"key": "diet", "label": "Essen", "required": False},
            {"key": "topic", "label": "Ihr Thema", "required": True},
        ],
    )
    for answers in [
        None,
        {"diet": "vegan"},
        {"topic": "x" * 1001},
        {"topic": "KI", "other": "?"},
        {"topic": 5},
        "KI",
    ]:
        with pytest.raises(ValidationError) as exc_info:
            _register(event, 1, answers=answers)
        assert "answers" in exc_info.value.message_dict
    assert not Registration.objects.filter(event=event).exists()
    registration = _register(event, 2, answers={"topic": " KI im Betrieb "}).registration
    assert registration.answers == {"topic": "KI im Betrieb"}


def test_the_language_of_the_emails(programme_world):
    pw = programme_world
    assert _register(pw.event, 1, language="en-GB").registration.language == "en"
    assert _register(pw.event, 2, language="fr").registration.language == "de"


def test_registration_rate_limit_per_client(settings):
    settings.EVENT_REGISTRATIONS_PER_HOUR = 2
    assert registration_allowed(client_key="203.0.113.7")
    assert registration_allowed(client_key="203.0.113.7")
    assert not registration_allowed(client_key="203.0.113.7")
    assert registration_allowed(client_key="203.0.113.8")


def test_registration_rate_limit_keys_ipv6_by_its_64(settings):
    settings.EVENT_REGISTRATIONS_PER_HOUR = 2
    assert registration_allowed(client_key="2001:db8:1:2::1")
    assert registration_allowed(client_key="2001:db8:1:2:aaaa:bbbb:cccc:dddd")
    # Another address of the same /64 (a rotating privacy address): the same client.
    assert not registration_allowed(client_key="2001:db8:1:2:ffff::9")
    assert registration_allowed(client_key="2001:db8:1:3::1")  # another /64
    assert client_network_key("2001:DB8:1:2::1") == "2001:db8:1:2::/64"
    assert client_network_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert client_network_key(" 203.0.113.7 ") == "203.0.113.7"
    assert client_network_key("unknown") == "unknown"


# --- cancelling -----------------------------------------------------------------------------


def test_cancel_promotes_the_first_in_line_who_is_told(programme_world, queued):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1)
    seated = _register(event, 0)
    first = _register(event, 1).registration
    second = _register(event, 2).registration
    queued.clear()
    registration_by_token(token=seated.token)
    registration_cancel(registration=seated.registration)
    assert seated.registration.status == "cancelled" and seated.registration.cancelled_at
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "registered" and first.promoted_at is not None
    assert second.status == "waitlisted"
    assert queued == [
        ("registration_cancelled_send", {"registration_id": seated.registration.pk}),
        ("registration_promoted_send", {"registration_id": first.pk}),
    ]


def test_waitlisted_people_cancel_too_without_promotion(programme_world, queued):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1)
    _register(event, 0)
    first = _register(event, 1).registration
    second = _register(event, 2).registration
    queued.clear()
    registration_cancel(registration=first)
    second.refresh_from_db()
    assert second.status == "waitlisted"
    assert queued == [("registration_cancelled_send", {"registration_id": first.pk})]
    from events.selectors import waitlist_position

    assert waitlist_position(second) == 1


def test_the_cancel_token_works_once_and_only_for_its_registration(programme_world):
    pw = programme_world
    mine = _register(pw.event, 1)
    theirs = _register(pw.event, 2)
    found = registration_by_token(token=mine.token)
    assert found == mine.registration and found != theirs.registration
    registration_cancel(registration=found)
    with pytest.raises(ValidationError):
        registration_cancel(registration=registration_by_token(token=mine.token))
    theirs.registration.refresh_from_db()
    assert theirs.registration.status == "registered"
    wrong = mine.token[:-1] + ("1" if mine.token[-1] == "0" else "0")  # one character off
    assert registration_by_token(token=wrong) is None
    assert registration_by_token(token="") is None


def test_no_cancelling_after_the_event_or_the_check_in(programme_world):
    pw = programme_world
    registration = pw.registration
    with pytest.raises(ValidationError):
        registration_cancel(registration=registration, now=pw.event.ends_at)
    attendance_check_in(
        event=pw.event, by=pw.coach, registration=registration, now=pw.event.starts_at
    )
    with pytest.raises(ValidationError):
        registration_cancel(registration=registration, now=pw.event.starts_at)
    registration.refresh_from_db()
    assert registration.status == "registered"


def test_a_seat_freed_after_the_start_goes_to_nobody(programme_world, queued):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1)
    seated = _register(event, 0).registration
    waiting = _register(event, 1).registration
    registration_cancel(registration=seated, now=event.starts_at + timedelta(minutes=5))
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"
    assert "registration_promoted_send" not in [name for name, _kwargs in queued]


# --- the door -------------------------------------------------------------------------------


def test_check_in_by_registration_and_again(programme_world):
    pw = programme_world
    at = pw.event.starts_at + timedelta(minutes=3)
    result = attendance_check_in(event=pw.event, by=pw.coach, registration=pw.registration, now=at)
    assert result.already is False
    pw.registration.refresh_from_db()
    assert pw.registration.attended_at == at and pw.registration.checked_in_by == pw.coach
    again = attendance_check_in(
        event=pw.event, by=pw.manager, registration=pw.registration, now=at + timedelta(hours=1)
    )
    assert again.already is True and again.registration.attended_at == at
    pw.registration.refresh_from_db()
    assert pw.registration.checked_in_by == pw.coach


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "KONVOI:{code}", " {dashed} "])
def test_check_in_by_door_code(programme_world, typed):
    pw = programme_world
    code = pw.registration.code
    text = typed.format(code=code, lower=code.lower(), dashed=f"{code[:4]}-{code[4:]}")
    result = attendance_check_in(event=pw.event, by=pw.coach, code=text, now=pw.event.starts_at)
    assert result.registration == pw.registration and not result.already
    assert Registration.objects.get(pk=pw.registration.pk).attended_at == pw.event.starts_at


def test_another_events_code_or_registration_is_refused(programme_world):
    pw = programme_world
    other = RegistrationFactory(event=OpenEventFactory(programme=pw.programme, title="Workshop KI"))
    # Of the same programme: staff learn which event it is for (the wrong door or ticket).
    with translation.override("en"), pytest.raises(ValidationError) as exc_info:
        attendance_check_in(event=pw.event, by=pw.coach, code=other.code, now=pw.event.starts_at)
    assert _messages(exc_info, "code") == ["This code is for “Workshop KI”."]
    # Of another programme or of nobody: unknown, nothing about other programmes leaks.
    for code in (pw.other_registration.code, "ZZZZ2222"):
        with translation.override("en"), pytest.raises(ValidationError) as exc_info:
            attendance_check_in(event=pw.event, by=pw.coach, code=code, now=pw.event.starts_at)
        assert _messages(exc_info, "code") == ["Unknown code."]
    with pytest.raises(ValidationError) as exc_info:
        attendance_check_in(event=pw.event, by=pw.coach, registration=other, now=pw.event.starts_at)
    assert "registration" in exc_info.value.message_dict
    assert Registration.objects.get(pk=other.pk).attended_at is None
    with pytest.raises(ValidationError):
        attendance_check_in(event=pw.event, by=pw.coach, now=pw.event.starts_at)


def test_check_in_window_message_and_a_week_after_the_end(programme_world):
    pw = programme_world
    event = pw.event
    event.starts_at = datetime(2026, 12, 15, 15, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    event.ends_at = event.starts_at + timedelta(hours=3)
    event.registration_deadline = event.starts_at - timedelta(days=1)
    event.save()
    early = event.starts_at - timedelta(hours=13)
    with translation.override("en"), pytest.raises(ValidationError) as exc_info:
        attendance_check_in(event=event, by=pw.coach, registration=pw.registration, now=early)
    (message,) = _messages(exc_info, "registration")
    assert message.startswith("Checking in is possible from ")
    assert message.endswith("2026, 03:30 (12 hours before the start).")
    assert "opens" not in message
    # The paper list typed in on Monday: up to 7 days after the end.
    monday = event.ends_at + timedelta(days=6, hours=23)
    result = attendance_check_in(event=event, by=pw.coach, registration=pw.registration, now=monday)
    assert result.already is False
    with pytest.raises(ValidationError):
        walk_in_register(
            event=event,
            by=pw.coach,
            name="Zu Spät",
            company_name="Spät GmbH",
            postcode="58095",
            now=event.ends_at + timedelta(days=7, minutes=1),
        )


def test_check_in_on_the_day_only(programme_world):
    pw = programme_world
    event = pw.event
    with pytest.raises(ValidationError):
        attendance_check_in(
            event=event,
            by=pw.coach,
            registration=pw.registration,
            now=event.starts_at - timedelta(hours=13),
        )
    assert Registration.objects.get(pk=pw.registration.pk).attended_at is None
    result = attendance_check_in(
        event=event,
        by=pw.coach,
        registration=pw.registration,
        now=event.starts_at - timedelta(hours=11),
    )
    assert result.already is False


def test_no_check_in_for_cancelled_registrations_or_events(programme_world):
    pw = programme_world
    cancelled = _register(pw.event, 1).registration
    registration_cancel(registration=cancelled)
    with pytest.raises(ValidationError):
        attendance_check_in(
            event=pw.event, by=pw.coach, registration=cancelled, now=pw.event.starts_at
        )
    event_cancel(event=pw.event, by=pw.coach)
    with pytest.raises(ValidationError):
        attendance_check_in(
            event=pw.event, by=pw.coach, registration=pw.registration, now=pw.event.starts_at
        )
    assert not Registration.objects.filter(event=pw.event, attended_at__isnull=False).exists()


def test_waitlisted_people_at_the_door_are_let_in(programme_world):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1)
    _register(event, 0)
    waiting = _register(event, 1).registration
    attendance_check_in(event=event, by=pw.coach, code=waiting.code, now=event.starts_at)
    waiting.refresh_from_db()
    assert waiting.status == "registered" and waiting.attended_at == event.starts_at


def test_only_the_programmes_staff_check_in(programme_world):
    pw = programme_world
    for user in [pw.other_coach, pw.member]:
        with pytest.raises(PermissionDenied):
            attendance_check_in(
                event=pw.event, by=user, registration=pw.registration, now=pw.event.starts_at
            )
        with pytest.raises(PermissionDenied):
            walk_in_register(
                event=pw.event,
                by=user,
                name="X",
                company_name="Y",
                postcode="58095",
                now=pw.event.starts_at,
            )
    assert Registration.objects.get(pk=pw.registration.pk).attended_at is None
    assert Registration.objects.filter(event=pw.event).count() == 1


def test_walk_ins_are_registered_and_in_beyond_the_seats(programme_world, queued):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1)
    _register(event, 0)
    queued.clear()
    at = event.starts_at + timedelta(minutes=20)
    walk_in = walk_in_register(
        event=event,
        by=pw.coach,
        name="Wanda Walk-in",
        company_name="Elektro Funke",
        postcode="58099",
        now=at,
    )
    assert walk_in.status == "registered" and walk_in.walk_in is True
    assert walk_in.attended_at == at and walk_in.consent_at == at
    assert walk_in.checked_in_by == pw.coach and walk_in.email == ""
    assert Registration.objects.filter(event=event, status="registered").count() == 2
    assert queued == []
    with pytest.raises(ValidationError) as exc_info:
        walk_in_register(event=event, by=pw.coach, name="", company_name="", postcode="", now=at)
    assert {"name", "company_name", "postcode"} <= set(exc_info.value.message_dict)
    with pytest.raises(ValidationError):
        walk_in_register(
            event=event,
            by=pw.coach,
            name="Früh",
            company_name="Z",
            postcode="1",
            now=event.starts_at - timedelta(days=2),
        )


def test_undo_a_mistaken_check_in(programme_world):
    pw = programme_world
    at = pw.event.starts_at
    attendance_check_in(event=pw.event, by=pw.coach, registration=pw.registration, now=at)
    attendance_undo(registration=pw.registration, by=pw.manager)
    pw.registration.refresh_from_db()
    assert pw.registration.attended_at is None and pw.registration.status == "registered"
    with pytest.raises(ValidationError):
        attendance_undo(registration=pw.registration, by=pw.manager)
    walk_in = walk_in_register(
        event=pw.event, by=pw.coach, name="W", company_name="C", postcode="1", now=at
    )
    attendance_undo(registration=walk_in, by=pw.coach)
    assert walk_in.status == "cancelled" and walk_in.attended_at is None
    with pytest.raises(PermissionDenied):
        attendance_undo(registration=pw.registration, by=pw.other_coach)


def test_the_register_hears_of_registration_then_attendance(programme_world):
    pw = programme_world
    company = CompanyFactory(name="Tischlerei Holzwurm", postcode="58097")
    registration = pw.registration
    Registration.objects.filter(pk=registration.pk).update(company=company)
    registration.refresh_from_db()
    source = f"registration:{registration.pk}"
    at = pw.event.starts_at
    attendance_check_in(event=pw.event, by=pw.coach, registration=registration, now=at)
    kinds = list(
        Touch.objects.filter(programme=pw.programme, company=company, source=source)
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["event_registered", "event_attended"]
    record = CompanyRecord.objects.get(programme=pw.programme, company=company)
    assert record.stage == "engaged"
    # The undo takes the attendance back, and the register with it.
    attendance_undo(registration=registration, by=pw.coach)
    assert list(
        Touch.objects.filter(company=company, source=source).values_list("kind", flat=True)
    ) == ["event_registered"]
    record.refresh_from_db()
    assert record.stage == "lead"


def test_a_walk_in_of_an_unknown_company_touches_no_register(programme_world):
    pw = programme_world
    walk_in = walk_in_register(
        event=pw.event,
        by=pw.coach,
        name="W",
        company_name="C",
        postcode="1",
        now=pw.event.starts_at,
    )
    # No company known yet: nothing in the register (staff confirm the match later).
    assert not Touch.objects.filter(source=f"registration:{walk_in.pk}").exists()


# --- double opt-in of the address ------------------------------------------------------------


def test_the_consent_counts_once_confirmed_by_a_button_behind_the_e_mails_link(
    programme_world, client
):
    """Double opt-in. The registrant gets the token on the page and in the API answer when
    registering: it proves nothing. The e-mail's confirm link carries the proof; opening
    it changes nothing (mail filters open links by themselves): the button (a POST) does,
    once. "No" withdraws the consent."""
    from events.keys import registration_email_proof, registration_token_of
    from events.mails import _context

    pw = programme_world
    registration = RegistrationFactory(
        event=pw.event, contact_consent=True, email_confirmed_at=None
    )
    token = registration_token_of(registration)
    proof = registration_email_proof(registration)
    context = _context(registration)
    assert "proof" not in context["page_url"] and "confirm" not in context["page_url"]
    assert context["confirm_url"].endswith(f"/registrations/{token}/confirm/?proof={proof}")

    confirm_page = f"/registrations/{token}/confirm/"
    assert client.get(f"/registrations/{token}/?new=1").status_code == 200
    assert client.get(f"/api/v1/public/registrations/{token}/").status_code == 200
    assert client.get(f"{confirm_page}?proof={proof}").status_code == 200
    assert Registration.objects.get(pk=registration.pk).email_confirmed_at is None
    client.post(confirm_page, {"answer": "yes", "proof": "0" * 32})
    client.post(confirm_page, {"answer": "yes", "proof": "ä€"})  # no 500 on odd text
    assert Registration.objects.get(pk=registration.pk).email_confirmed_at is None

    response = client.post(confirm_page, {"answer": "yes", "proof": proof})
    assert response.status_code == 302
    assert Registration.objects.get(pk=registration.pk).email_confirmed_at is not None
    assert _context(Registration.objects.get(pk=registration.pk))["confirm_url"] == ""

    api = RegistrationFactory(event=pw.event, contact_consent=True, email_confirmed_at=None)
    url = f"/api/v1/public/registrations/{registration_token_of(api)}/contact/"
    wrong = client.post(url, {"answer": "yes", "proof": proof}, content_type="application/json")
    assert wrong.status_code == 400 and "proof" in wrong.json()
    right = client.post(
        url,
        {"answer": "yes", "proof": registration_email_proof(api)},
        content_type="application/json",
    )
    assert right.json() == {"contact_consent": True, "email_confirmed": True}
    # "No": someone else ticked the box for this address.
    other = RegistrationFactory(event=pw.event, contact_consent=True, email_confirmed_at=None)
    client.post(f"/registrations/{registration_token_of(other)}/confirm/", {"answer": "no"})
    assert Registration.objects.get(pk=other.pk).contact_consent is False
    assert registration_email_confirm(registration=other, proof=proof) is False


def test_a_cancelled_registrations_address_is_not_contactable(programme_world):
    from events.selectors import contactable_q

    pw = programme_world
    Registration.objects.filter(pk=pw.registration.pk).update(
        status="cancelled", cancelled_at=timezone.now()
    )
    assert not Registration.objects.filter(contactable_q(), pk=pw.registration.pk).exists()


def test_a_waitlisted_person_let_in_at_the_door_goes_back_in_line_on_undo(programme_world):
    from events.selectors import waitlist_position

    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1)
    first = _register(event, 1).registration
    second = _register(event, 2).registration
    third = _register(event, 3).registration
    assert (second.status, third.status) == ("waitlisted", "waitlisted")
    attendance_check_in(event=event, by=pw.coach, registration=third, now=event.starts_at)
    assert Registration.objects.get(pk=third.pk).status == "registered"
    attendance_undo(registration=third, by=pw.coach)
    third.refresh_from_db()
    assert (third.status, third.attended_at, third.promoted_at) == ("waitlisted", None, None)
    assert waitlist_position(third) == 2
    assert Registration.objects.get(pk=first.pk).status == "registered"


def test_a_past_event_keeps_its_time_and_place(programme_world, queued):
    pw = programme_world
    with translation.override("en"), pytest.raises(ValidationError) as exc_info:
        event_update(event=pw.past_event, by=pw.manager, location="Anderswo")
    assert _messages(exc_info, "location") == [
        "This event is over: its time and place can no longer be changed."
    ]
    event_update(event=pw.past_event, by=pw.manager, title="Sprechtag Förderung 2026")
    assert queued == []


def test_an_event_that_has_begun_cannot_be_cancelled(programme_world, queued):
    pw = programme_world
    with translation.override("en"), pytest.raises(ValidationError) as exc_info:
        event_cancel(event=pw.past_event, by=pw.manager)
    assert _messages(exc_info, "__all__") == [
        "This event has begun: it can no longer be cancelled."
    ]
    with pytest.raises(ValidationError):
        event_cancel(event=pw.event, by=pw.manager, now=pw.event.starts_at + timedelta(minutes=5))
    pw.past_event.refresh_from_db()
    assert pw.past_event.status == "published" and queued == []
