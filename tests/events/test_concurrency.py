"""Seats under load: many people registering for the same event at the same moment, on a
database with row locks (PostgreSQL). The event row lock orders them: never more registered
than seats, and the waiting list in one unbroken order."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections

from events.models import Registration
from events.selectors import waitlist_position
from events.services import registration_cancel, registration_create
from tests.factories import OpenEventFactory
from tests.support.services import require_postgres

PEOPLE = 30
SEATS = 10


def _register_all_at_once(event, people, **overrides):
    barrier = threading.Barrier(people)
    outcomes: list[str] = []
    errors: list[Exception] = []

    def register(n):
        try:
            barrier.wait()
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
            result = registration_create(**data)
            outcomes.append(result.registration.status)
        except ValidationError:
            outcomes.append("refused")
        except Exception as exc:  # reported by the test below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_thirty_at_once_for_ten_seats_never_overbook():
    require_postgres()
    event = OpenEventFactory(capacity=SEATS)
    outcomes = _register_all_at_once(event, PEOPLE)
    assert sorted(outcomes) == ["registered"] * SEATS + ["waitlisted"] * (PEOPLE - SEATS)
    assert Registration.objects.filter(event=event, status="registered").count() == SEATS
    waiting = list(Registration.objects.filter(event=event, status="waitlisted"))
    assert sorted(waitlist_position(r) for r in waiting) == list(range(1, PEOPLE - SEATS + 1))
    # Door codes stayed unique under the same lock.
    assert len({r.code for r in Registration.objects.filter(event=event)}) == PEOPLE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_per_company_cap_holds_at_once():
    require_postgres()
    event = OpenEventFactory(capacity=SEATS, max_per_company=3)
    outcomes = _register_all_at_once(
        event, 12, company_name="Tischlerei Holzwurm GmbH", postcode="58097"
    )
    assert sorted(outcomes) == ["refused"] * 9 + ["registered"] * 3
    assert Registration.objects.filter(event=event).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cancelling_while_others_register_keeps_the_seats():
    """Cancellations (which promote) racing new registrations: still never over capacity."""
    require_postgres()
    event = OpenEventFactory(capacity=SEATS)
    first = [
        registration_create(
            event=event,
            name=f"Früh {n}",
            email=f"f{n}@example.com",
            company_name=f"Früh {n}",
            postcode="58095",
            size="1",
            sector="retail",
            consent=True,
        ).registration
        for n in range(SEATS + 5)
    ]
    barrier = threading.Barrier(10)
    errors: list[Exception] = []

    def cancel(registration):
        try:
            barrier.wait()
            registration_cancel(registration=registration)
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    def register(n):
        try:
            barrier.wait()
            registration_create(
                event=event,
                name=f"Spät {n}",
                email=f"s{n}@example.com",
                company_name=f"Spät {n}",
                postcode="58095",
                size="1",
                sector="retail",
                consent=True,
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=cancel, args=(r,)) for r in first[:5]]
    threads += [threading.Thread(target=register, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Registration.objects.filter(event=event, status="registered").count() == SEATS
    # The five who waited longest got the five freed seats.
    assert all(Registration.objects.get(pk=r.pk).status == "registered" for r in first[SEATS:])
    assert Registration.objects.filter(event=event, status="waitlisted").count() == 5
