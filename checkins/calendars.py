"""Check-ins as iCalendar (RFC 5545): one .ics per check-in, a person's subscription feed,
and the invitations attached to check-in e-mails (iTIP, RFC 5546: registered with
notifications.emails in CheckinsConfig.ready()).

Built with the `icalendar` library. Times carry TZID = the convoy's time zone with a
rule-based VTIMEZONE (modelutils.icalendar_zones: the form desktop Outlook reads correctly);
a zone whose rule cannot be written that way gets its times in UTC instead.

The UID does not depend on the host name (a moved or renamed site must not duplicate every
meeting in people's calendars); SEQUENCE rises with every change; a cancelled check-in stays
in the feed as STATUS:CANCELLED so that calendars remove it.
"""

from collections.abc import Iterable
from datetime import UTC, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vDuration, vText

from checkins.models import CheckIn, CheckInStatus
from modelutils.icalendar_zones import local_time, rule_timezone
from notifications.emails import EmailAttachment
from notifications.links import Target, link_url
from notifications.models import Notification

PRODID = "-//Konvoi//Check-ins//DE"
CONTENT_TYPE = "text/calendar; charset=utf-8"
# How often subscribed calendars should fetch the feed again (Outlook, Apple; Google decides
# on its own).
FEED_REFRESH = timedelta(hours=1)

Method = Literal["PUBLISH", "REQUEST", "CANCEL"]


def checkin_uid(checkin: CheckIn) -> str:
    """The iCalendar UID: the same on every host and for the check-in's whole life."""
    return f"checkin-{checkin.pk}@konvoi"


# --- events and calendars --------------------------------------------------------------------


def _description(checkin: CheckIn, url: str) -> str:
    parts = []
    if checkin.agenda.strip():
        parts.append(checkin.agenda.strip())
    if checkin.video_url:
        parts.append(_("Video link: %(url)s") % {"url": checkin.video_url})
    parts.append(_("Answer and details: %(url)s") % {"url": url})
    return "\n\n".join(parts)


def checkin_event(checkin: CheckIn, *, utc: bool = False) -> Event:
    """One check-in as a VEVENT. Texts are in the active language."""
    tz = ZoneInfo(checkin.convoy.timezone)
    url = link_url(Target(type="checkin", id=checkin.pk))
    event = Event()
    event.add("uid", checkin_uid(checkin))
    # The moment this version of the event was made: stable while nothing changes.
    event.add("dtstamp", checkin.updated_at.astimezone(UTC))
    event.add("created", checkin.created_at.astimezone(UTC))
    event.add("last-modified", checkin.updated_at.astimezone(UTC))
    event.add("dtstart", local_time(checkin.starts_at, tz, utc=utc))
    event.add("dtend", local_time(checkin.ends_at, tz, utc=utc))
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


def _calendar(method: Method) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _add_events(calendar: Calendar, checkins: Iterable[CheckIn]) -> list[Event]:
    """A VEVENT per check-in, and before them one rule-based VTIMEZONE per zone used."""
    checkins = list(checkins)
    years: dict[str, tuple[int, int]] = {}
    for checkin in checkins:
        key = checkin.convoy.timezone
        first, last = years.get(key, (checkin.starts_at.year, checkin.ends_at.year))
        years[key] = (min(first, checkin.starts_at.year), max(last, checkin.ends_at.year))
    # The rule must hold for the years of the events (and one either side: the calendar
    # app's own zone may show them on another day).
    zones = {key: rule_timezone(key, first - 1, last + 1) for key, (first, last) in years.items()}
    for timezone in zones.values():
        if timezone is not None:
            calendar.add_component(timezone)
    events = []
    for checkin in checkins:
        event = checkin_event(checkin, utc=zones[checkin.convoy.timezone] is None)
        calendar.add_component(event)
        events.append(event)
    return events


def calendar_build(
    checkins: Iterable[CheckIn], *, name: str, feed_timezone: str | None = None
) -> bytes:
    """A VCALENDAR (METHOD:PUBLISH) with one VEVENT per check-in and the VTIMEZONEs they use.

    `feed_timezone`: for a subscription feed, its owner's zone (X-WR-TIMEZONE, which Google
    and Apple use as the calendar's own zone) and a refresh interval for the apps that
    subscribe to it."""
    calendar = _calendar("PUBLISH")
    # An X- property has no known type: icalendar would write the raw string, and a line
    # break in it (a check-in title stored before titles were single-line) aborted the
    # export. As TEXT it is escaped like SUMMARY.
    calendar.add("x-wr-calname", vText(name))
    calendar.add("name", vText(name))
    if feed_timezone is not None:
        calendar.add("x-wr-timezone", vText(feed_timezone))
        calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(FEED_REFRESH))
    _add_events(calendar, checkins)
    return calendar.to_ical()


def _organizer() -> vCalAddress:
    name, _sep, address = settings.DEFAULT_FROM_EMAIL.rpartition("<")
    organizer = vCalAddress(f"mailto:{address.rstrip('>').strip() or name.strip()}")
    organizer.params["CN"] = vText("Konvoi")
    return organizer


def invitation_build(checkins: Iterable[CheckIn], *, email: str, name: str = "") -> bytes:
    """An e-mailed invitation (iTIP): METHOD:REQUEST for a new or changed check-in, CANCEL
    for a cancelled one (one method per file: pass check-ins of one status), with ORGANIZER
    and the recipient as ATTENDEE, which Outlook needs to put it in the calendar."""
    checkins = list(checkins)
    cancelled = any(c.status == CheckInStatus.CANCELLED for c in checkins)
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    for event in _add_events(calendar, checkins):
        event.add("organizer", _organizer())
        attendee = vCalAddress(f"mailto:{email}")
        if name:
            attendee.params["CN"] = vText(name)
        attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
        attendee.params["PARTSTAT"] = vText("NEEDS-ACTION")
        # Answers go through Konvoi (the waitlist, the deadline), not as iTIP replies.
        attendee.params["RSVP"] = vText("FALSE")
        event.add("attendee", attendee)
    return calendar.to_ical()


def invitation_method(checkin: CheckIn) -> Method:
    return "CANCEL" if checkin.status == CheckInStatus.CANCELLED else "REQUEST"


def checkin_invitations(notification: Notification) -> list[EmailAttachment]:
    """The calendar files of a check-in e-mail: one per check-in it concerns (a series has
    several; a file of METHOD:REQUEST or CANCEL holds one UID), as it stands now, for its
    recipient. Called in the recipient's language (notifications.emails)."""
    ids = notification.data.get("occurrences") or [notification.target_id]
    recipient = notification.recipient
    checkins = (
        CheckIn.objects.filter(pk__in=[i for i in ids if isinstance(i, int)])
        .select_related("convoy")
        .order_by("starts_at", "id")
    )
    return [
        EmailAttachment(
            filename=f"checkin-{checkin.pk}.ics",
            content=invitation_build([checkin], email=recipient.email, name=recipient.name),
            mimetype="text/calendar",
            params={"method": invitation_method(checkin)},
        )
        for checkin in checkins
    ]
