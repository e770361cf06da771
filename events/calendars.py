"""An open event as an iCalendar file (RFC 5545, iTIP per RFC 5546): attached to the
registrant's e-mails and offered on their page.

Times carry TZID = the programme's zone with the rule-based VTIMEZONE of
modelutils.icalendar_zones (what desktop Outlook reads right); a zone whose rule cannot be
written so gets UTC times. The UID does not depend on the host; SEQUENCE is the event's (it
rises with every change registrants are told of) in every file, the cancelling ones too, and
DTSTAMP is the moment the file is made: of two files with the same SEQUENCE the calendar
takes the later one, so that a registration cancelled and made again puts the entry back.
METHOD:CANCEL (a cancelled event, or the reader's own cancellation) is STATUS:CANCELLED with
the reader as ATTENDEE; a waitlisted reader's entry is STATUS:TENTATIVE and says "waiting
list". Only a reader with a seat gets the video link. The URL and description lead to the
public event page, never to the reader's token page (calendar entries are shared: delegates,
free/busy details). No registrant's name is in the file: the only address in it is the
reader's own (ATTENDEE, which Outlook needs), without a name.
"""

from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
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


def _description(event: OpenEvent, *, registered: bool) -> str:
    parts = []
    if event.description.strip():
        parts.append(event.description.strip())
    if registered and event.online_url:
        parts.append(_("Video link: %(url)s") % {"url": event.online_url})
    parts.append(_("Details: %(url)s") % {"url": event_public_url(event)})
    return "\n\n".join(parts)


def _organizer() -> vCalAddress:
    name, _sep, address = settings.DEFAULT_FROM_EMAIL.rpartition("<")
    organizer = vCalAddress(f"mailto:{address.rstrip('>').strip() or name.strip()}")
    organizer.params["CN"] = vText("Konvoi")
    return organizer


def event_vevent(
    event: OpenEvent,
    *,
    method: Method = "PUBLISH",
    registered: bool = False,
    waitlisted: bool = False,
    now: datetime | None = None,
    utc: bool = False,
) -> Event:
    """The event as a VEVENT, its texts in the active language. `registered`: the reader
    has a seat (only then the video link); `waitlisted`: a tentative entry; CANCEL: the
    entry is cancelled (the event, or the reader's registration)."""
    programme = event.programme
    tz = ZoneInfo(programme.timezone)
    cancelled = method == "CANCEL" or event.status == EventStatus.CANCELLED
    registered = registered and not cancelled
    waitlisted = waitlisted and not cancelled and not registered
    vevent = Event()
    vevent.add("uid", event_uid(event))
    # The moment this file is made (RFC 5545 3.8.7.2, with a METHOD): with an equal SEQUENCE
    # the calendar keeps the later file.
    vevent.add("dtstamp", (now or timezone.now()).astimezone(UTC))
    vevent.add("created", event.created_at.astimezone(UTC))
    vevent.add("last-modified", event.updated_at.astimezone(UTC))
    vevent.add("dtstart", local_time(event.starts_at, tz, utc=utc))
    vevent.add("dtend", local_time(event.ends_at, tz, utc=utc))
    vevent.add("sequence", event.sequence)
    vevent.add("status", "CANCELLED" if cancelled else "TENTATIVE" if waitlisted else "CONFIRMED")
    summary = f"{event.title} ({programme.name})"
    if event.status == EventStatus.CANCELLED:
        summary = _("Cancelled: %(title)s") % {"title": summary}
    elif waitlisted:
        summary = _("%(title)s (waiting list)") % {"title": summary}
    vevent.add("summary", summary)
    location = event.location or (event.online_url if registered else "")
    if location:
        vevent.add("location", location)
    vevent.add("url", event_public_url(event))
    vevent.add("description", _description(event, registered=registered))
    vevent.add("transp", "TRANSPARENT" if cancelled or waitlisted else "OPAQUE")
    return vevent


def event_calendar(
    event: OpenEvent,
    *,
    method: Method = "PUBLISH",
    email: str = "",
    registered: bool = False,
    waitlisted: bool = False,
    now: datetime | None = None,
) -> bytes:
    """The event as a VCALENDAR with its VTIMEZONE, for one reader: `registered` (a seat,
    with the video link) or `waitlisted` (a tentative entry), else neither. PUBLISH: a file
    to download; REQUEST or CANCEL: an e-mailed invitation, which carries ORGANIZER and,
    given `email`, the reader as ATTENDEE (no name). A CANCEL file carries the reader given
    `email` also when downloaded. Texts in the active language."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    # The rule must hold for the event's years and one either side (the calendar app's own
    # zone may show it on another day).
    zone = rule_timezone(event.programme.timezone, event.starts_at.year - 1, event.ends_at.year + 1)
    if zone is not None:
        calendar.add_component(zone)
    vevent = event_vevent(
        event,
        method=method,
        registered=registered,
        waitlisted=waitlisted,
        now=now,
        utc=zone is None,
    )
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
