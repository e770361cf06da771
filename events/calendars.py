"""An open event as an iCalendar file (RFC 5545): attached to the registrant's e-mails and
offered on their page.

Times carry TZID = the programme's zone with the rule-based VTIMEZONE of
modelutils.icalendar_zones (what desktop Outlook reads right); a zone whose rule cannot be
written so gets UTC times. The UID does not depend on the host; SEQUENCE is the event's
(it rises with every change registrants are told of); a cancelled event is STATUS:CANCELLED
and goes out as METHOD:CANCEL. No registrant's name is in the file: the only address in an
e-mailed invitation is the recipient's own (ATTENDEE, which Outlook needs), without a name.
"""

from datetime import UTC
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from events.models import EventStatus, OpenEvent
from modelutils.icalendar_zones import local_time, rule_timezone
from notifications.links import Target, link_url

PRODID = "-//Konvoi//Open events//DE"
CONTENT_TYPE = "text/calendar; charset=utf-8"

Method = Literal["PUBLISH", "REQUEST", "CANCEL"]


def event_uid(event: OpenEvent) -> str:
    """The iCalendar UID: the same on every host and for the event's whole life."""
    return f"event-{event.pk}@konvoi"


def event_public_url(event: OpenEvent) -> str:
    return link_url(Target(type="event_public", id=event.pk, slug=event.programme.slug))


def event_method(event: OpenEvent) -> Method:
    """The method an e-mailed file of the event has now: CANCEL once it is cancelled."""
    return "CANCEL" if event.status == EventStatus.CANCELLED else "REQUEST"


def _description(event: OpenEvent, url: str) -> str:
    parts = []
    if event.description.strip():
        parts.append(event.description.strip())
    if event.online_url:
        parts.append(_("Video link: %(url)s") % {"url": event.online_url})
    parts.append(_("Details and cancellation: %(url)s") % {"url": url})
    return "\n\n".join(parts)


def _organizer() -> vCalAddress:
    name, _sep, address = settings.DEFAULT_FROM_EMAIL.rpartition("<")
    organizer = vCalAddress(f"mailto:{address.rstrip('>').strip() or name.strip()}")
    organizer.params["CN"] = vText("Konvoi")
    return organizer


def event_vevent(event: OpenEvent, *, url: str = "", utc: bool = False) -> Event:
    """The event as a VEVENT, its texts in the active language. `url`: where the reader
    sees the details (their own registration page; by default the public event page)."""
    programme = event.programme
    tz = ZoneInfo(programme.timezone)
    url = url or event_public_url(event)
    vevent = Event()
    vevent.add("uid", event_uid(event))
    # The moment this version was made: stable while nothing changes.
    vevent.add("dtstamp", event.updated_at.astimezone(UTC))
    vevent.add("created", event.created_at.astimezone(UTC))
    vevent.add("last-modified", event.updated_at.astimezone(UTC))
    vevent.add("dtstart", local_time(event.starts_at, tz, utc=utc))
    vevent.add("dtend", local_time(event.ends_at, tz, utc=utc))
    vevent.add("sequence", event.sequence)
    cancelled = event.status == EventStatus.CANCELLED
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    summary = f"{event.title} ({programme.name})"
    if cancelled:
        summary = _("Cancelled: %(title)s") % {"title": summary}
    vevent.add("summary", summary)
    location = event.location or event.online_url
    if location:
        vevent.add("location", location)
    vevent.add("url", url)
    vevent.add("description", _description(event, url))
    vevent.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return vevent


def event_calendar(
    event: OpenEvent, *, method: Method = "PUBLISH", email: str = "", url: str = ""
) -> bytes:
    """The event as a VCALENDAR with its VTIMEZONE. PUBLISH: a file to download; REQUEST or
    CANCEL: an e-mailed invitation, which carries ORGANIZER and, given `email`, the recipient
    as ATTENDEE (no name). Texts in the active language."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    # The rule must hold for the event's years and one either side (the calendar app's own
    # zone may show it on another day).
    timezone = rule_timezone(
        event.programme.timezone, event.starts_at.year - 1, event.ends_at.year + 1
    )
    if timezone is not None:
        calendar.add_component(timezone)
    vevent = event_vevent(event, url=url, utc=timezone is None)
    if method != "PUBLISH":
        vevent.add("organizer", _organizer())
        if email:
            attendee = vCalAddress(f"mailto:{email}")
            attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
            attendee.params["PARTSTAT"] = vText("DECLINED" if method == "CANCEL" else "ACCEPTED")
            # Answers go through Konvoi (the waiting list, cancelling), not as iTIP replies.
            attendee.params["RSVP"] = vText("FALSE")
            vevent.add("attendee", attendee)
    calendar.add_component(vevent)
    return calendar.to_ical()
