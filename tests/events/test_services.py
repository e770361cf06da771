"""events.services: the rules of open events (seats, waiting list, per-company cap, deadline,
consent, the cancel token, the door check-in, walk-ins, the register touches)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from events.models import Registration
from events.services import (
    attendance_check_in,
    event_create,
    registration_cancel,
    registration_create,
)
from tests.factories import OpenEventFactory

pytestmark = pytest.mark.django_db


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


def test_smoke_register_waitlist_cancel_promote(programme_world):
    pw = programme_world
    event = OpenEventFactory(programme=pw.programme, capacity=1)
    first = _register(event, 1)
    second = _register(event, 2)
    assert first.registration.status == "registered" and first.position is None
    assert second.registration.status == "waitlisted" and second.position == 1
    registration_cancel(registration=first.registration)
    second.registration.refresh_from_db()
    assert second.registration.status == "registered"
    start = event.starts_at
    result = attendance_check_in(
        event=event, by=pw.coach, code=second.registration.code.lower(), now=start
    )
    assert result.already is False
    assert Registration.objects.get(pk=second.registration.pk).attended_at == start
    with pytest.raises(PermissionDenied):
        event_create(
            programme=pw.programme,
            by=pw.other_coach,
            title="x",
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            capacity=3,
            registration_deadline=start,
        )
    with pytest.raises(ValidationError):
        _register(event, 3, consent=False)
    assert timezone.now()
