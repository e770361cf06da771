"""The demo convoy comes with a past check-in (done, with notes) and the next one (answers
and a report), the first of a series every four weeks, made through the services."""

from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.utils import timezone

from checkins.models import CheckIn
from checkins.selectors import seats_count
from convoys.models import Event


def test_demo_has_a_past_and_an_upcoming_checkin(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    past, upcoming, *later = CheckIn.objects.order_by("starts_at")
    now = timezone.now()
    assert upcoming.series_id and [c.series_id for c in later] == [upcoming.series_id] * 2
    zone = ZoneInfo(upcoming.convoy.timezone)  # the same wall-clock time, DST or not
    day = timezone.localdate(upcoming.starts_at, zone)
    assert [(timezone.localdate(c.starts_at, zone) - day).days for c in later] == [28, 56]
    assert {timezone.localtime(c.starts_at, zone).hour for c in [upcoming, *later]} == {17}
    assert past.status == "done" and past.ends_at < now and "Beschlüsse" in past.notes
    assert upcoming.status == "scheduled" and upcoming.starts_at > now
    assert seats_count(checkin=upcoming) == {"confirmed": 3, "capacity": 6, "waitlisted": 0}
    assert sorted(upcoming.rsvps.values_list("status", flat=True)) == [
        "confirmed",
        "confirmed",
        "confirmed",
        "declined",
        "tentative",
    ]
    assert upcoming.reports.get().company.name == "Modehaus Kramer"
    # Its log is real and in story order (backdated like the rest of the demo).
    kinds = list(Event.objects.filter(kind__startswith="checkin.").values_list("kind", flat=True))
    assert kinds.count("checkin.scheduled") == 4 and "checkin.notes_posted" in kinds
    ats = list(
        Event.objects.filter(convoy=upcoming.convoy).order_by("seq").values_list("at", flat=True)
    )
    assert ats == sorted(ats)
