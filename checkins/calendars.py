"""Check-ins as iCalendar (RFC 5545): one .ics per check-in and a person's subscription feed.

Built with the `icalendar` library. Times carry TZID = the convoy's time zone, with a matching
VTIMEZONE (so Google, Outlook and Apple show the meeting at the right local time whatever
their own zone); the UID is stable per check-in, SEQUENCE rises with every change, and a
cancelled check-in stays in the feed as STATUS:CANCELLED so that calendars remove it.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vText

from checkins.models import CheckIn, CheckInStatus
from notifications.links import Target, link_url

PRODID = "-//Konvoi//Check-ins//DE"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def checkin_uid(checkin: CheckIn) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "konvoi"
    return f"checkin-{checkin.pk}@{host}"


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    """The moment in the convoy's zone. In the repeated hour after a DST change, local time
    with TZID would name the first occurrence (RFC 5545 3.3.5), so the second one is written
    in UTC instead: the instant stays exact either way."""
    local = value.astimezone(tz)
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return value.astimezone(UTC)
    return local


def _description(checkin: CheckIn, url: str) -> str:
    parts = []
    if checkin.agenda.strip():
        parts.append(checkin.agenda.strip())
    if checkin.video_url:
        parts.append(_("Video link: %(url)s") % {"url": checkin.video_url})
    parts.append(_("Answer and details: %(url)s") % {"url": url})
    return "\n\n".join(parts)


def checkin_event(checkin: CheckIn) -> Event:
    tz = ZoneInfo(checkin.convoy.timezone)
    url = link_url(Target(type="checkin", id=checkin.pk))
    event = Event()
    event.add("uid", checkin_uid(checkin))
    # The moment this version of the event was made: stable while nothing changes.
    event.add("dtstamp", checkin.updated_at.astimezone(UTC))
    event.add("created", checkin.created_at.astimezone(UTC))
    event.add("last-modified", checkin.updated_at.astimezone(UTC))
    event.add("dtstart", _local(checkin.starts_at, tz))
    event.add("dtend", _local(checkin.ends_at, tz))
    event.add("sequence", checkin.sequence)
    cancelled = checkin.status == CheckInStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", f"{checkin.title} ({checkin.convoy.name})")
    location = checkin.location or checkin.video_url
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("description", _description(checkin, url))
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


def calendar_build(checkins: Iterable[CheckIn], *, name: str) -> bytes:
    """A VCALENDAR (METHOD:PUBLISH) with one VEVENT per check-in and the VTIMEZONEs they use,
    each covering the years of the events."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # An X- property has no known type: icalendar would write the raw string, and a line
    # break in it (a check-in title stored before titles were single-line) aborted the
    # export. As TEXT it is escaped like SUMMARY.
    calendar.add("x-wr-calname", vText(name))
    first: date | None = None
    last: date | None = None
    for checkin in checkins:
        calendar.add_component(checkin_event(checkin))
        start, end = checkin.starts_at.date(), checkin.ends_at.date()
        first = start if first is None or start < first else first
        last = end if last is None or end > last else last
    if first is not None and last is not None:
        calendar.add_missing_timezones(
            first_date=date(first.year - 1, 1, 1),
            last_date=date(last.year + 1, 12, 31) + timedelta(days=1),
        )
    return calendar.to_ical()
