"""events.selectors: staff reads scoped to the programme's managers and coaches, the public
face (no drafts, no registrant), seats and places in line, constant queries, and the one home
of who sees which registrant column."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from events.keys import company_key, postcode_clean, registration_email_proof
from events.models import Registration, RegistrationStatus
from events.selectors import (
    attendance_count,
    contactable_q,
    event_for_staff,
    event_public,
    events_for_programme,
    public_events,
    registration_columns,
    registration_contact_pending,
    registration_email_visible,
    registration_fields_for,
    registration_for_staff,
    registration_open,
    registrations_for_staff,
    seats_left,
    waitlist_position,
)
from events.services import (
    attendance_check_in,
    registration_cancel,
    registration_create,
    registration_email_confirm,
    walk_in_register,
)
from tests.factories import OpenEventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _register(event, n):
    return registration_create(
        event=event,
        name=f"Person {n}",
        email=f"p{n}@example.com",
        company_name=f"Betrieb {n}",
        postcode="58095",
        size="2-9",
        sector="craft",
        consent=True,
    ).registration


# --- staff ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "coach"])
def test_staff_get_their_programmes_events_with_their_role(programme_world, role):
    pw = programme_world
    event = event_for_staff(event_id=pw.event.pk, user=getattr(pw, role))
    assert event == pw.event and event.my_role == role
    assert event.registered_count == 1 and event.attended_count == 0
    assert event_for_staff(event_id=str(pw.draft_event.pk), user=pw.coach) == pw.draft_event


@pytest.mark.parametrize("role", ["other_coach", "member", "outsider", "outside_facilitator"])
def test_everyone_else_gets_404(programme_world, role):
    pw = programme_world
    with pytest.raises(Http404):
        event_for_staff(event_id=pw.event.pk, user=getattr(pw, role))


@pytest.mark.parametrize("event_id", [None, "abc", 0, -1, 2**63, 10**30])
def test_odd_ids_are_404(programme_world, event_id):
    with pytest.raises(Http404):
        event_for_staff(event_id=event_id, user=programme_world.coach)
    with pytest.raises(Http404):
        event_public(event_id=event_id)


def test_anonymous_gets_404(programme_world):
    with pytest.raises(Http404):
        event_for_staff(event_id=programme_world.event.pk, user=AnonymousUser())


def test_events_for_programme_with_counts_in_constant_queries(
    programme_world, django_assert_num_queries
):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=2)
    for n in range(3):
        _register(event, n)
    attendance_check_in(
        event=pw.past_event,
        by=pw.coach,
        registration=RegistrationFactory(event=pw.past_event),
        now=pw.past_event.starts_at,
    )

    def listed():
        with django_assert_num_queries(1):
            return {e.pk: e for e in events_for_programme(programme=pw.programme)}

    events = listed()
    assert set(events) == {pw.event.pk, pw.draft_event.pk, pw.past_event.pk, event.pk}
    assert (events[event.pk].registered_count, events[event.pk].waitlisted_count) == (2, 1)
    assert events[pw.past_event.pk].attended_count == 2
    for n in range(3, 13):
        RegistrationFactory(event=event, status="waitlisted")
        OpenEventFactory(programme=pw.programme)
    events = listed()
    assert events[event.pk].waitlisted_count == 11
    assert pw.other_event.pk not in events


def test_registrations_for_staff_search_and_filters(programme_world):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1)
    seated = _register(event, 1)
    waiting = [_register(event, n) for n in (2, 3, 4)]
    registration_cancel(registration=waiting[0])
    attendance_check_in(event=event, by=pw.coach, registration=seated, now=event.starts_at)

    def names(**kwargs):
        return [r.name for r in registrations_for_staff(event=event, **kwargs)]

    assert names() == ["Person 1", "Person 2", "Person 3", "Person 4"]
    assert names(q="person 3") == ["Person 3"]
    assert names(q="betrieb 4") == ["Person 4"]
    assert names(q=seated.code.lower()) == ["Person 1"]
    assert names(status="waitlisted") == ["Person 3", "Person 4"]
    assert names(status="cancelled") == ["Person 2"]
    assert names(status="attended") == ["Person 1"]
    assert names(status="no_show") == []
    with pytest.raises(ValidationError) as exc_info:
        names(status="vip")
    assert "status" in exc_info.value.message_dict
    positions = {r.name: r.position for r in registrations_for_staff(event=event)}
    assert positions == {"Person 1": None, "Person 2": None, "Person 3": 1, "Person 4": 2}
    # The same place in line with or without a search narrowing the list.
    assert [r.position for r in registrations_for_staff(event=event, q="Person 4")] == [2]


def test_registrations_for_staff_in_constant_queries(programme_world, django_assert_num_queries):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=2)

    def rows():
        with django_assert_num_queries(1):
            result = list(registrations_for_staff(event=event))
            for registration in result:
                registration_fields_for("manager", registration)
                str(registration.checked_in_by)
            return result

    for n in range(4):
        _register(event, n)
    assert len(rows()) == 4
    for n in range(4, 24):
        _register(event, n)
    assert [r.position for r in rows()][-1] == 22


def test_registration_for_staff_only_of_this_event(programme_world):
    pw = programme_world
    assert registration_for_staff(event=pw.event, registration_id=pw.registration.pk) == (
        pw.registration
    )
    for registration_id in [pw.other_registration.pk, "x", 2**70, None]:
        with pytest.raises(Http404):
            registration_for_staff(event=pw.event, registration_id=registration_id)


def test_attendance_is_the_door_count(programme_world):
    pw = programme_world
    assert attendance_count(pw.past_event) == 1
    assert attendance_count(pw.event) == 0
    attendance_check_in(
        event=pw.event, by=pw.coach, registration=pw.registration, now=pw.event.starts_at
    )
    assert attendance_count(pw.event) == 1


# --- public -----------------------------------------------------------------------------------


def test_public_event_hides_drafts_and_other_programmes(programme_world):
    pw = programme_world
    assert event_public(event_id=pw.event.pk) == pw.event
    assert event_public(event_id=pw.event.pk, slug=pw.programme.slug).registered_count == 1
    with pytest.raises(Http404):
        event_public(event_id=pw.draft_event.pk)
    with pytest.raises(Http404):
        event_public(event_id=pw.event.pk, slug=pw.other_programme.slug)
    with pytest.raises(Http404):
        event_public(event_id=pw.event.pk, slug="unbekannt")
    pw.event.status = "cancelled"
    pw.event.save(update_fields=["status"])
    assert event_public(event_id=pw.event.pk).status == "cancelled"


def test_public_events_are_upcoming_published_soonest_first(
    programme_world, django_assert_num_queries
):
    pw = programme_world
    soon = OpenEventFactory(
        programme=pw.programme,
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=2),
        registration_deadline=timezone.now() + timedelta(days=1),
    )
    OpenEventFactory(programme=pw.programme, status="cancelled")
    with django_assert_num_queries(1):
        listed = list(public_events(programme=pw.programme))
        seats = [seats_left(event) for event in listed]
    assert listed == [soon, pw.event]
    assert seats == [40, 39]


def test_seats_left_registration_open_and_place_in_line(programme_world):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1)
    assert seats_left(event) == 1
    seated = _register(event, 1)
    waiting = [_register(event, n) for n in (2, 3)]
    assert seats_left(event) == 0
    # Walk-ins may fill the room beyond the seats: still 0, never negative.
    RegistrationFactory(event=event, walk_in=True)
    assert seats_left(event) == 0
    assert waitlist_position(seated) is None
    assert [waitlist_position(r) for r in waiting] == [1, 2]
    assert registration_open(event)
    assert not registration_open(event, now=event.registration_deadline + timedelta(seconds=1))
    assert not registration_open(pw.draft_event)
    assert not registration_open(pw.past_event)


# --- who sees what ----------------------------------------------------------------------------


def test_registrant_columns_by_role():
    manager = registration_columns("manager")
    coach = registration_columns("coach")
    assert "email" in manager and "email" not in coach
    assert set(coach) <= set(manager)
    assert {"name", "company_name", "status", "attended", "contact_consent"} <= set(coach)
    for role in [None, "", "member", "facilitator"]:
        assert registration_columns(role) == []


def test_email_only_for_managers_and_only_with_contact_consent(programme_world):
    pw = programme_world
    consenting = pw.registration
    assert consenting.contact_consent is True
    other = RegistrationFactory(event=pw.event, contact_consent=False)
    assert registration_email_visible("manager", consenting)
    assert not registration_email_visible("manager", other)
    assert not registration_email_visible("coach", consenting)
    assert not registration_email_visible(None, consenting)
    assert registration_fields_for("manager", consenting)["email"] == "rita@holzwurm.example"
    assert registration_fields_for("manager", other)["email"] == ""
    assert "email" not in registration_fields_for("coach", consenting)
    assert registration_fields_for("outsider", consenting) == {}
    fields = registration_fields_for("coach", consenting)
    assert fields["name"] == "Rita Registrant" and fields["attended"] is False


def test_contact_consent_counts_only_with_a_confirmed_address(programme_world):
    """Double opt-in: the address shows to managers (and messages, exports) only once the
    registrant followed an e-mail's link; the token alone, which they got on registering,
    proves nothing."""
    pw = programme_world
    created = registration_create(
        event=pw.event,
        name="Ute Unbestätigt",
        email="ute@example.com",
        company_name="Ute GmbH",
        postcode="58095",
        size="2-9",
        sector="craft",
        consent=True,
        contact_consent=True,
    )
    registration = created.registration
    assert registration.email_confirmed_at is None
    assert not registration_email_visible("manager", registration)
    assert registration_contact_pending(registration)
    assert registration_fields_for("manager", registration)["email"] == ""
    contactable = set(Registration.objects.filter(contactable_q()).values_list("pk", flat=True))
    assert registration.pk not in contactable
    assert pw.registration.pk in contactable  # confirmed, consenting
    # The token or a wrong proof: nothing.
    assert not registration_email_confirm(registration=registration, proof=created.token)
    assert not registration_email_confirm(registration=registration, proof="")
    assert Registration.objects.get(pk=registration.pk).email_confirmed_at is None
    # The e-mail's proof: confirmed once (one UPDATE), then no more queries.
    proof = registration_email_proof(registration)
    assert registration_email_confirm(registration=registration, proof=proof)
    first = Registration.objects.get(pk=registration.pk).email_confirmed_at
    assert first is not None
    registration.refresh_from_db()
    assert registration_email_visible("manager", registration)
    assert not registration_contact_pending(registration)
    assert not registration_email_visible("coach", registration)
    assert registration_email_confirm(
        registration=registration, proof=proof, now=first + timedelta(days=1)
    )
    assert Registration.objects.get(pk=registration.pk).email_confirmed_at == first


def test_walk_ins_addresses_count_as_confirmed(programme_world):
    pw = programme_world
    walk_in = walk_in_register(
        event=pw.event,
        by=pw.coach,
        name="Paul Persönlich",
        company_name="Paul GmbH",
        postcode="58095",
        email="paul@example.com",
        contact_consent=True,
        now=pw.event.starts_at,
    )
    assert walk_in.email_confirmed_at == pw.event.starts_at
    assert registration_email_visible("manager", walk_in)
    without = walk_in_register(
        event=pw.event,
        by=pw.coach,
        name="Olga Ohne",
        company_name="Olga GmbH",
        postcode="58095",
        now=pw.event.starts_at,
    )
    assert without.email_confirmed_at is None


def test_confirming_takes_one_query_and_none_once_confirmed(
    programme_world, django_assert_num_queries
):
    registration = RegistrationFactory(event=programme_world.event, email_confirmed_at=None)
    proof = registration_email_proof(registration)
    with django_assert_num_queries(1):
        assert registration_email_confirm(registration=registration, proof=proof)
    with django_assert_num_queries(0):
        assert registration_email_confirm(registration=registration, proof=proof)


@pytest.mark.parametrize("q", ["Rita\x00", "\x00", "Ri\x1bta", "\x7f", "Rita\n"])
def test_search_with_control_characters_is_no_error(programme_world, q):
    pw = programme_world
    names = [r.name for r in registrations_for_staff(event=pw.event, q=q)]
    assert names in ([], ["Rita Registrant"])
    if q.replace("\x00", "").strip() and "Rita" in q:
        assert names == ["Rita Registrant"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_search_with_a_nul_byte_on_postgresql(programme_world):
    pw = programme_world
    assert [r.name for r in registrations_for_staff(event=pw.event, q="Rita\x00")] == [
        "Rita Registrant"
    ]


@pytest.mark.parametrize("typed", ["58095", " 58 095 ", "58095-", "5809-5", "58.095", "58095\t"])
def test_postcodes_compare_by_letters_and_digits(typed):
    assert postcode_clean(typed) == "58095"
    assert company_key(company_name="Holzwurm GmbH", postcode=typed) == company_key(
        company_name="Holzwurm", postcode="58095"
    )
    assert postcode_clean("d-58 095") == "D58095"


def test_the_registration_status_cancelled_is_not_the_events(programme_world):
    from django.utils import translation

    from events.models import EventStatus

    # Their own msgids (context "registration status"): German may say "Storniert" for a
    # registration while a cancelled event "fällt aus".
    assert RegistrationStatus.CANCELLED.label._args[0] == "registration status"  # type: ignore[attr-defined]
    with translation.override("en"):
        assert str(RegistrationStatus.CANCELLED.label) == "Cancelled"
        assert str(RegistrationStatus.WAITLISTED.label) == "Waiting list"
        assert str(EventStatus.CANCELLED.label) == "Cancelled"
