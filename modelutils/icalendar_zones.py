"""Rule-based VTIMEZONE components for iCalendar files (RFC 5545), from a zone's POSIX rule.

Times in a calendar file carry TZID = a zone with a VTIMEZONE that has a STANDARD and a
DAYLIGHT part, each with a yearly RRULE taken from the zone's current POSIX rule (the footer
of its TZif file): the form desktop Outlook reads correctly; the date lists icalendar writes
by itself (RDATE) are reported to put Outlook's summer meetings an hour off. A zone whose rule
cannot be written that way gets its times in UTC instead (`rule_timezone` returns None):
exact everywhere.

Platform code: check-ins' and open events' calendar files both build on it.
"""

import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

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


def local_time(value: datetime, tz: ZoneInfo, *, utc: bool) -> datetime:
    """The moment in the zone of the calendar's times (`utc`: the zone has no rule that
    `rule_timezone` can write). In the repeated hour after a DST change, local time with TZID
    would name the first occurrence (RFC 5545 3.3.5), so the second one is written in UTC
    instead: the instant stays exact either way."""
    if utc:
        return value.astimezone(UTC)
    local = value.astimezone(tz)
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return value.astimezone(UTC)
    return local
