"""Check-ins as iCalendar (RFC 5545): one .ics per check-in, a person's subscription feed,
and the invitations attached to check-in e-mails (iTIP, RFC 5546: registered with
notifications.emails in CheckinsConfig.ready()).

Built with the `icalendar` library. Times carry TZID = the convoy's time zone with a
rule-based VTIMEZONE (STANDARD and DAYLIGHT, each with a yearly RRULE, taken from the zone's
current POSIX rule), the form desktop Outlook reads correctly; the date lists icalendar
writes by itself (RDATE) are reported to put Outlook's summer meetings an hour off. A zone
whose rule cannot be written that way gets its times in UTC instead: exact everywhere.

The UID does not depend on the host name (a moved or renamed site must not duplicate every
meeting in people's calendars); SEQUENCE rises with every change; a cancelled check-in stays
in the feed as STATUS:CANCELLED so that calendars remove it.
"""

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal
from zoneinfo import TZPATH, ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vDuration,
    vText,
)

from checkins.models import CheckIn, CheckInStatus
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


# --- rule-based VTIMEZONE from the zone's POSIX TZ string ------------------------------------

# "CET-1CEST,M3.5.0,M10.5.0/3": names, the standard offset (POSIX sign: west positive), an
# optional daylight name and offset, and the two changes as month.week.weekday[/time].
_NAME = r"(?:[A-Za-z]{3,}|<[+\-0-9A-Za-z]+>)"
_OFFSET = r"[+-]?\d{1,2}(?::\d{2}){0,2}"
_RULE = r"M(\d{1,2})\.([1-5])\.([0-6])(?:/(" + _OFFSET + r"))?"
_POSIX = re.compile(
    rf"^(?P<std>{_NAME})(?P<stdoff>{_OFFSET})"
    rf"(?:(?P<dst>{_NAME})(?P<dstoff>{_OFFSET})?,(?P<start>{_RULE}),(?P<end>{_RULE}))?$"
)
_DAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")


def _seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")]
    parts += [0] * (3 - len(parts))
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


def _posix_rule(key: str) -> str | None:
    """The footer of the zone's TZif file: its rule for now and the future (RFC 8536 3.3)."""
    parts = key.split("/")
    candidates = [Path(base, *parts) for base in TZPATH]
    with contextlib.suppress(ModuleNotFoundError):
        candidates.append(Path(str(resources.files("tzdata.zoneinfo").joinpath(*parts))))
    for path in candidates:
        if path.is_file():
            data = path.read_bytes()
            if data.startswith(b"TZif") and data[4:5] >= b"2":
                return data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii")
    return None


def _onset(month: int, week: int, weekday: int, seconds: int, year: int = 1970) -> datetime:
    """The first change of a rule ("week 5" = the last), at its local time in that year."""
    first = date(year, month, 1)
    # date.weekday(): Monday 0; POSIX: Sunday 0.
    day = first + timedelta(days=(weekday - (first.weekday() + 1) % 7) % 7)
    day += timedelta(weeks=week - 1)
    while day.month != month:
        day -= timedelta(weeks=1)
    return datetime(day.year, day.month, day.day) + timedelta(seconds=seconds)


@dataclass(frozen=True)
class _Change:
    """One yearly change of a POSIX rule: month, week (5 = last), weekday (0 = Sunday), and
    the local time of the change in seconds after midnight (in the offset before it)."""

    month: int
    week: int
    weekday: int
    seconds: int
    offset_from: int
    offset_to: int
    name: str

    def onset(self, year: int) -> datetime:
        return _onset(self.month, self.week, self.weekday, self.seconds, year)

    def onset_utc(self, year: int) -> datetime:
        return (self.onset(year) - timedelta(seconds=self.offset_from)).replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Rule:
    std_name: str
    std: int
    changes: tuple[_Change, ...]  # empty, or (to daylight, back to standard)

    def offset_at(self, moment: datetime) -> int:
        if not self.changes:
            return self.std
        into, back = self.changes
        start, end = into.onset_utc(moment.year), back.onset_utc(moment.year)
        inside = start <= moment < end if start < end else (moment >= start or moment < end)
        return into.offset_to if inside else back.offset_to


def _parse(key: str) -> _Rule | None:
    match = _POSIX.match(_posix_rule(key) or "")
    if match is None:
        return None
    std_name = match["std"].strip("<>")
    std = -_seconds(match["stdoff"])
    if match["dst"] is None:
        return _Rule(std_name, std, ())
    dst = -_seconds(match["dstoff"]) if match["dstoff"] else std + 3600
    changes = []
    for group, offset_from, offset_to, name in (
        ("start", std, dst, match["dst"].strip("<>")),
        ("end", dst, std, std_name),
    ):
        month, week, weekday, at = re.fullmatch(_RULE, match[group]).groups()  # type: ignore[union-attr]
        seconds = _seconds(at) if at else 7200
        if not 0 <= seconds < 86400:
            return None  # a change "at 25:00" or "-1:00" has no plain RRULE: write UTC
        changes.append(
            _Change(int(month), int(week), int(weekday), seconds, offset_from, offset_to, name)
        )
    return _Rule(std_name, std, (changes[0], changes[1]))


@lru_cache(maxsize=256)
def rule_timezone(key: str, first_year: int, last_year: int) -> Timezone | None:
    """A VTIMEZONE with a yearly RRULE per change, or None if the zone's current rule cannot
    be written so or does not hold from `first_year` to `last_year` (a zone with changes the
    rule does not describe, like Africa/Casablanca's): then the caller writes UTC times."""
    rule = _parse(key)
    if rule is None:
        return None
    zone = ZoneInfo(key)
    moment = datetime(first_year, 1, 1, 12, tzinfo=UTC)
    while moment.year <= last_year:
        offset = moment.astimezone(zone).utcoffset()
        if offset is None or offset.total_seconds() != rule.offset_at(moment):
            return None
        moment += timedelta(days=1)
    timezone = Timezone()
    timezone.add("tzid", key)
    if not rule.changes:
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", timedelta(seconds=rule.std))
        standard.add("tzoffsetto", timedelta(seconds=rule.std))
        standard.add("tzname", rule.std_name)
        timezone.add_component(standard)
        return timezone
    for change in rule.changes:
        # DAYLIGHT is the change to the larger offset, also where POSIX calls it standard
        # time (Europe/Dublin's "negative" summer time).
        component = (
            TimezoneDaylight() if change.offset_to > change.offset_from else TimezoneStandard()
        )
        component.add("dtstart", change.onset(1970))
        by_day = f"{-1 if change.week == 5 else change.week}{_DAYS[change.weekday]}"
        component.add("rrule", {"freq": "yearly", "bymonth": change.month, "byday": by_day})
        component.add("tzoffsetfrom", timedelta(seconds=change.offset_from))
        component.add("tzoffsetto", timedelta(seconds=change.offset_to))
        component.add("tzname", change.name)
        timezone.add_component(component)
    return timezone


def _local(value: datetime, tz: ZoneInfo, *, utc: bool) -> datetime:
    """The moment in the convoy's zone. In the repeated hour after a DST change, local time
    with TZID would name the first occurrence (RFC 5545 3.3.5), so the second one is written
    in UTC instead: the instant stays exact either way."""
    if utc:
        return value.astimezone(UTC)
    local = value.astimezone(tz)
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return value.astimezone(UTC)
    return local


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
    event.add("dtstart", _local(checkin.starts_at, tz, utc=utc))
    event.add("dtend", _local(checkin.ends_at, tz, utc=utc))
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
