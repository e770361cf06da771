"""A registration's company in the register: suggested by name and postcode, confirmed by
staff (lead; engaged once checked in), re-matched cleanly."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.matching import (
    registration_company_confirm,
    registration_company_suggestions,
    suggestions_for,
)
from events.models import Registration
from programmes.models import CompanyRecord, Stage, Touch, TouchKind
from programmes.services import company_record_create
from tests.factories import RegistrationFactory

pytestmark = pytest.mark.django_db


def _recorded(pw, name: str, postcode: str) -> CompanyRecord:
    return company_record_create(
        programme=pw.programme,
        by=pw.manager,
        name=name,
        sector="craft",
        size="2-9",
        city="Hagen",
        postcode=postcode,
    )


def test_suggestions_are_same_name_and_postcode_of_this_programme(programme_world):
    pw = programme_world
    holzwurm = _recorded(pw, "Holzwurm Tischlerei GmbH", "58097")
    _recorded(pw, "Holzwurm Tischlerei", "58095")  # another postcode: another company
    _recorded(pw, "Tischlerei Holzbein", "58097")  # another name
    # The same company in another programme's register is not this programme's.
    company_record_create(
        programme=pw.other_programme,
        by=pw.other_coach,
        name="Tischlerei Holzwurm",
        sector="craft",
        size="2-9",
        city="Hagen",
        postcode="58097",
    )
    registration = RegistrationFactory(
        event=pw.event, company_name="Tischlerei  HOLZWURM", postcode=" 58097"
    )
    # Word order counts in company_name_key; the normalised name of "Holzwurm Tischlerei
    # GmbH" is "holzwurm tischlerei", not the registration's.
    assert registration_company_suggestions(registration=registration) == []
    same = _recorded(pw, "Tischlerei Holzwurm e.K.", "58097")
    assert registration_company_suggestions(registration=registration) == [same]
    assert holzwurm not in registration_company_suggestions(registration=registration)


def test_bulk_suggestions_take_one_query_whatever_the_number(programme_world):
    pw = programme_world
    records = [_recorded(pw, f"Bäckerei Nummer {i}", "58095") for i in range(3)]
    registrations = [
        RegistrationFactory(event=pw.event, company_name=f"Baeckerei Nummer {i}", postcode="58095")
        for i in range(3)
    ] + [RegistrationFactory(event=pw.event, company_name="Unbekannt", postcode="58095")]
    loaded = list(
        Registration.objects.filter(pk__in=[r.pk for r in registrations]).select_related("event")
    )
    with CaptureQueriesContext(connection) as queries:
        result = suggestions_for(loaded)
    assert len(queries) == 1
    for i, registration in enumerate(registrations[:3]):
        assert result[registration.pk] == [records[i]]
    assert result[registrations[3].pk] == []
    many = list(Registration.objects.filter(event=pw.event).select_related("event"))
    with CaptureQueriesContext(connection) as queries:
        suggestions_for(many)
    assert len(queries) == 1


def test_confirm_an_existing_record_makes_it_a_lead_touch(programme_world):
    pw = programme_world
    record = _recorded(pw, "Tischlerei Holzwurm", "58097")
    result = registration_company_confirm(registration=pw.registration, by=pw.coach, record=record)
    assert result.pk == record.pk
    pw.registration.refresh_from_db()
    assert pw.registration.company_id == record.company_id
    touch = Touch.objects.get(
        programme=pw.programme, company=record.company, kind=TouchKind.EVENT_REGISTERED
    )
    assert touch.source == f"registration:{pw.registration.pk}"
    assert touch.label == pw.event.title
    assert result.stage == Stage.LEAD
    # Idempotent: confirming again adds nothing.
    registration_company_confirm(registration=pw.registration, by=pw.manager, record=record)
    assert (
        Touch.objects.filter(programme=pw.programme, company=record.company).count()
        == 2  # recorded + event_registered
    )


def test_attended_registration_makes_the_company_engaged(programme_world):
    pw = programme_world
    record = _recorded(pw, "Betrieb Besuch", "58095")
    attended = RegistrationFactory(
        event=pw.past_event,
        company_name="Betrieb Besuch",
        postcode="58095",
        attended_at=pw.past_event.starts_at + timedelta(minutes=5),
    )
    result = registration_company_confirm(registration=attended, by=pw.coach, record=record)
    assert result.stage == Stage.ENGAGED
    assert Touch.objects.filter(
        company=record.company, kind=TouchKind.EVENT_ATTENDED, source=f"registration:{attended.pk}"
    ).exists()


def test_create_makes_the_entry_from_the_registration(programme_world):
    pw = programme_world
    registration = pw.registration  # contact_consent=True
    record = registration_company_confirm(registration=registration, by=pw.coach, city="Hagen")
    company = record.company
    assert (company.name, company.postcode, company.size, company.sector, company.city) == (
        "Tischlerei Holzwurm",
        "58097",
        registration.size,
        registration.sector,
        "Hagen",
    )
    # The name only: coaches read the register and never see registrants' addresses.
    assert (record.contact_name, record.contact_email) == ("Rita Registrant", "")
    assert registration.email == "rita@holzwurm.example"
    # Its first contact is the registration, not the moment staff confirmed it.
    kinds = set(
        Touch.objects.filter(programme=pw.programme, company=company).values_list("kind", flat=True)
    )
    assert kinds == {TouchKind.EVENT_REGISTERED}
    assert record.first_touch_kind == TouchKind.EVENT_REGISTERED
    assert record.first_touch_at == registration.created_at
    assert record.stage == Stage.LEAD


def test_create_without_contact_consent_keeps_no_contact(programme_world):
    pw = programme_world
    registration = RegistrationFactory(
        event=pw.event, company_name="Malerei Grün", contact_consent=False
    )
    record = registration_company_confirm(registration=registration, by=pw.manager, city="Hagen")
    assert (record.contact_name, record.contact_email) == ("", "")


def test_create_refuses_a_company_already_in_the_register(programme_world):
    pw = programme_world
    _recorded(pw, "Tischlerei Holzwurm GmbH", "58097")
    with pytest.raises(ValidationError) as error:
        registration_company_confirm(registration=pw.registration, by=pw.coach, city="Hagen")
    assert "name" in error.value.message_dict
    pw.registration.refresh_from_db()
    assert pw.registration.company_id is None


def test_create_needs_a_city_and_walk_ins_need_size_and_sector(programme_world):
    pw = programme_world
    with pytest.raises(ValidationError) as error:
        registration_company_confirm(registration=pw.registration, by=pw.coach)
    assert "city" in error.value.message_dict
    walk_in = RegistrationFactory(event=pw.event, walk_in=True, size="", sector="")
    with pytest.raises(ValidationError) as error:
        registration_company_confirm(registration=walk_in, by=pw.coach, city="Hagen")
    assert {"size", "sector"} <= set(error.value.message_dict)
    record = registration_company_confirm(
        registration=walk_in, by=pw.coach, city="Hagen", size="10-49", sector="retail"
    )
    assert (record.company.size, record.company.sector) == ("10-49", "retail")


def test_rematch_moves_the_touches_and_recomputes_the_old_entry(programme_world):
    pw = programme_world
    wrong = _recorded(pw, "Holzwurm Bau", "58097")
    right = _recorded(pw, "Tischlerei Holzwurm", "58097")
    attended = RegistrationFactory(
        event=pw.past_event,
        company_name="Tischlerei Holzwurm",
        postcode="58097",
        attended_at=timezone.now() - timedelta(days=7),
    )
    registration_company_confirm(registration=attended, by=pw.coach, record=wrong)
    wrong.refresh_from_db()
    assert wrong.stage == Stage.ENGAGED
    registration_company_confirm(registration=attended, by=pw.coach, record=right)
    wrong.refresh_from_db()
    right.refresh_from_db()
    assert wrong.stage == Stage.LEAD
    assert not Touch.objects.filter(
        company=wrong.company, source=f"registration:{attended.pk}"
    ).exists()
    assert right.stage == Stage.ENGAGED
    attended.refresh_from_db()
    assert attended.company_id == right.company_id


def test_only_this_programmes_staff_and_records(programme_world):
    pw = programme_world
    record = _recorded(pw, "Tischlerei Holzwurm", "58097")
    for user in (pw.other_coach, pw.member, pw.outsider):
        with pytest.raises(PermissionDenied):
            registration_company_confirm(registration=pw.registration, by=user, record=record)
    foreign = company_record_create(
        programme=pw.other_programme,
        by=pw.other_coach,
        name="Tischlerei Holzwurm",
        sector="craft",
        size="2-9",
        city="Hagen",
        postcode="58097",
    )
    with pytest.raises(ValidationError) as error:
        registration_company_confirm(registration=pw.registration, by=pw.coach, record=foreign)
    assert "record" in error.value.message_dict
    pw.registration.refresh_from_db()
    assert pw.registration.company_id is None


def test_a_cancelled_registration_is_not_matched(programme_world):
    pw = programme_world
    record = _recorded(pw, "Tischlerei Holzwurm", "58097")
    Registration.objects.filter(pk=pw.registration.pk).update(status="cancelled")
    with pytest.raises(ValidationError) as error:
        registration_company_confirm(registration=pw.registration, by=pw.coach, record=record)
    assert "registration" in error.value.message_dict


def test_a_deleted_company_is_not_suggested(programme_world):
    pw = programme_world
    record = _recorded(pw, "Tischlerei Holzwurm", "58097")
    type(record.company).objects.filter(pk=record.company_id).update(deleted_at=timezone.now())
    assert registration_company_suggestions(registration=pw.registration) == []
