"""Writes for check-ins: scheduling, changing and cancelling them, RSVPs with a waitlist,
company reports, the facilitator's notes, and the calendar feed secret.

Every change convoy members should see is an Event in the same transaction; the people a
change concerns are notified in it too (delivery leaves after commit).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.text import name_clean
from checkins.markdown import markdown_to_html
from checkins.models import (
    SERIES_COUNT,
    SERIES_EVERY_WEEKS,
    CalendarFeed,
    CheckIn,
    CheckInReport,
    CheckInSeries,
    CheckInStatus,
    Rsvp,
    RsvpResponse,
    RsvpStatus,
    rsvp_open,
)
from checkins.selectors import checkin_audience_ids, seats_count
from companies.models import Company
from convoys.events import EventKind, event_record
from convoys.models import Convoy
from convoys.selectors import (
    convoy_member_companies_of_user,
    is_facilitator,
    require_facilitator,
)
from modelutils.invitations import token_hash
from modelutils.update import model_update
from notifications.models import NotificationKind
from notifications.models import TargetType as NotificationTarget
from notifications.services import notify

# What a facilitator may change after scheduling (status goes through checkin_cancel).
CHECKIN_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "location",
    "video_url",
    "agenda",
    "capacity",
    "rsvp_deadline",
)
# Changing these moves the meeting: the notification says "rescheduled".
TIME_FIELDS = {"starts_at", "ends_at"}

# Which check-ins of a series a change or cancellation applies to.
Scope = Literal["one", "following"]
SCOPES: tuple[Scope, ...] = ("one", "following")


@dataclass(frozen=True)
class Repeat:
    """How a new check-in repeats: every N weeks, `count` times or until a date (inclusive,
    in the convoy's time zone)."""

    every_weeks: int
    count: int | None = None
    until: date | None = None


def _require_participant(*, actor: User, checkin: CheckIn) -> list[int]:
    """People of active member companies and the facilitators may answer; returns the
    actor's member company ids."""
    company_ids = convoy_member_companies_of_user(user=actor, convoy_id=checkin.convoy_id)
    if not company_ids and not is_facilitator(user=actor, convoy_id=checkin.convoy_id):
        raise PermissionDenied(_("Only people of the convoy may answer."))
    return company_ids


def local_datetime(value: datetime, convoy: Convoy) -> str:
    """A moment in the convoy's time zone, formatted for the active language."""
    local = value.astimezone(ZoneInfo(convoy.timezone))
    day = formats.date_format(local, "DATE_FORMAT")
    return f"{day}, {formats.date_format(local, 'H:i')} ({convoy.timezone})"


def checkin_data(checkin: CheckIn, seats: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event payload of a check-in: enough for live pages and the feed sentence."""
    return {
        "id": checkin.pk,
        "title": checkin.title,
        "starts_at": checkin.starts_at.isoformat(),
        "ends_at": checkin.ends_at.isoformat(),
        "status": checkin.status,
        "sequence": checkin.sequence,
        "series": checkin.series_id,
        "seats": seats if seats is not None else seats_count(checkin=checkin),
    }


def _notify_changed(
    *,
    actor: User,
    checkin: CheckIn,
    change: str,
    fields: list[str],
    occurrences: list[int] | None = None,
) -> int:
    """One notification per person for a change, however many check-ins of a series it
    touched (`occurrences`: their ids, for the e-mail's calendar files)."""
    return notify(
        recipient_ids=checkin_audience_ids(convoy_id=checkin.convoy_id),
        kind=NotificationKind.CHECKIN_CHANGED,
        actor=actor,
        convoy_id=checkin.convoy_id,
        target_type=NotificationTarget.CHECKIN,
        target_id=checkin.pk,
        data={
            "title": checkin.title,
            "change": change,
            "fields": fields,
            "starts_at": checkin.starts_at.isoformat(),
            "occurrences": occurrences or [checkin.pk],
        },
    )


def _lock(checkin: CheckIn) -> CheckIn:
    # The row lock serialises everything that counts or moves seats of this check-in.
    return (
        CheckIn.objects.select_for_update(of=("self",)).select_related("convoy").get(pk=checkin.pk)
    )


def _require_open(checkin: CheckIn, *, field: str) -> None:
    if checkin.status == CheckInStatus.CANCELLED:
        raise ValidationError({field: [_("This check-in was cancelled.")]})
    if checkin.status == CheckInStatus.DONE:
        raise ValidationError({field: [_("This check-in is over.")]})


def _wall(value: datetime, tz: ZoneInfo) -> datetime:
    """The local wall-clock time of a moment in a zone, naive."""
    return value.astimezone(tz).replace(tzinfo=None)


def _aware(wall: datetime, tz: ZoneInfo) -> datetime:
    """A wall-clock time in a zone as a moment. A time the clocks skip (02:30 on the night
    they go forward) becomes the time it names after the change (03:30); a repeated one is
    its first pass."""
    value = wall.replace(tzinfo=tz, fold=0)
    return value.astimezone(UTC).astimezone(tz)


def series_starts(*, starts_at: datetime, tz: ZoneInfo, repeat: Repeat) -> list[datetime]:
    """The starts of a series: every N weeks at the first one's local wall-clock time in the
    convoy's zone, so a 16:00 meeting stays at 16:00 across a DST change (its UTC instant
    moves). Refuses a repeat outside 1-8 weeks and 2-12 meetings."""
    low, high = SERIES_EVERY_WEEKS
    if not low <= repeat.every_weeks <= high:
        raise ValidationError({"repeat": [_("Repeat every 1 to 8 weeks.")]})
    if (repeat.count is None) == (repeat.until is None):
        raise ValidationError(
            {"repeat": [_("Say how many check-ins the series has, or until when it runs.")]}
        )
    first = _wall(starts_at, tz)
    if repeat.count is not None:
        count = repeat.count
    else:
        assert repeat.until is not None
        count = 0
        while (
            first + timedelta(weeks=repeat.every_weeks * count)
            <= datetime.combine(repeat.until, datetime.max.time())
            and count <= SERIES_COUNT[1]
        ):
            count += 1
    if not SERIES_COUNT[0] <= count <= SERIES_COUNT[1]:
        raise ValidationError(
            {
                "repeat": [
                    _("A series has %(low)s to %(high)s check-ins.")
                    % {"low": SERIES_COUNT[0], "high": SERIES_COUNT[1]}
                ]
            }
        )
    return [_aware(first + timedelta(weeks=repeat.every_weeks * i), tz) for i in range(count)]


def checkin_schedule(
    *,
    actor: User,
    convoy: Convoy,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    rsvp_deadline: datetime | None = None,
    location: str = "",
    video_url: str = "",
    agenda: str = "",
    capacity: int | None = None,
    repeat: Repeat | None = None,
) -> CheckIn:
    """A facilitator schedules a check-in (or, with `repeat`, a series of them); the RSVP
    deadline defaults to the start. Returns the (first) check-in.

    Each meeting of a series is an ordinary check-in with the first one's duration and its
    RSVP deadline as long before its start in local time (the day before at 16:00 stays the
    day before at 16:00). Everyone is told once, for the whole series."""
    return _checkin_schedule(
        actor=actor,
        convoy=convoy,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        rsvp_deadline=rsvp_deadline,
        location=location,
        video_url=video_url,
        agenda=agenda,
        # Rendered before the transaction opens (see checkins.markdown).
        agenda_html=markdown_to_html(agenda),
        capacity=capacity,
        repeat=repeat,
    )


@transaction.atomic
def _checkin_schedule(
    *,
    actor: User,
    convoy: Convoy,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    rsvp_deadline: datetime | None,
    location: str,
    video_url: str,
    agenda: str,
    agenda_html: str,
    capacity: int | None,
    repeat: Repeat | None,
) -> CheckIn:
    require_facilitator(user=actor, convoy_id=convoy.pk)
    tz = ZoneInfo(convoy.timezone)
    rsvp_deadline = rsvp_deadline or starts_at
    starts = [starts_at]
    series = None
    if repeat is not None:
        starts = series_starts(starts_at=starts_at, tz=tz, repeat=repeat)
        series = CheckInSeries.objects.create(
            convoy=convoy, every_weeks=repeat.every_weeks, created_by=actor
        )
    duration = ends_at - starts_at
    notice = _wall(starts_at, tz) - _wall(rsvp_deadline, tz)
    # One line: the title is a calendar SUMMARY, a notification subject, a feed line.
    title = name_clean(title, field="title")
    checkins = []
    for start in starts:
        checkin = CheckIn(
            convoy=convoy,
            series=series,
            title=title,
            starts_at=start,
            ends_at=start + duration,
            rsvp_deadline=rsvp_deadline
            if start == starts_at
            else _aware(_wall(start, tz) - notice, tz),
            location=location.strip(),
            video_url=video_url.strip(),
            agenda=agenda,
            agenda_html=agenda_html,
            capacity=capacity,
            created_by=actor,
        )
        checkin.full_clean()
        checkin.save()
        event_record(
            convoy_id=convoy.pk,
            kind=EventKind.CHECKIN_SCHEDULED,
            data={
                "checkin": checkin_data(
                    checkin, {"confirmed": 0, "capacity": capacity, "waitlisted": 0}
                )
            },
            actor=actor,
        )
        checkins.append(checkin)
    _notify_changed(
        actor=actor,
        checkin=checkins[0],
        change="scheduled",
        fields=[],
        occurrences=[c.pk for c in checkins],
    )
    return checkins[0]


def checkin_update(
    *,
    actor: User,
    checkin: CheckIn,
    scope: Scope = "one",
    agenda_html: str | None = None,
    **fields: Any,
) -> CheckIn:
    """Change or reschedule a check-in, or with `scope="following"` this one and every later
    scheduled one of its series. Raises SEQUENCE, records checkin.updated per check-in and
    tells everyone once what changed; nothing happens when nothing changed. More seats
    promote the waitlist; fewer seats never unseat anyone already confirmed.

    For the following ones of a series, only what changes on this one is carried over, and
    times relative to each one's own date: a new start moves each by the same local
    wall-clock shift (16:00 → 17:00 is 17:00 in winter and in summer), a new end gives each
    the same duration, and each gets the RSVP deadline this one has, as long before its
    start in local time.

    `agenda_html`: the agenda already rendered by checkins.markdown, for a caller that holds
    a transaction around this call (rendering is done before it opens)."""
    agenda = fields.get("agenda")
    if agenda_html is None:
        # Rendered before the transaction opens (see checkins.markdown).
        agenda_html = markdown_to_html(agenda) if isinstance(agenda, str) else ""
    return _checkin_update(
        actor=actor, checkin=checkin, scope=scope, agenda_html=agenda_html, **fields
    )


def _clean_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(CHECKIN_FIELDS)
    if unknown:
        raise ValidationError({k: [_("This field cannot be changed.")] for k in sorted(unknown)})
    for key in ("location", "video_url"):
        if isinstance(fields.get(key), str):
            fields[key] = fields[key].strip()
    if isinstance(fields.get("title"), str):
        fields["title"] = name_clean(fields["title"], field="title")
    return {k: fields[k] for k in CHECKIN_FIELDS if k in fields}


def _require_scope(scope: str) -> None:
    if scope not in SCOPES:
        raise ValidationError({"scope": [_("Choose “one” or “following”.")]})


def _following(checkin: CheckIn) -> list[CheckIn]:
    """The later scheduled check-ins of the series, locked (the caller holds this one's)."""
    if checkin.series_id is None:
        return []
    return list(
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("convoy")
        .filter(
            series_id=checkin.series_id,
            status=CheckInStatus.SCHEDULED,
            starts_at__gt=checkin.starts_at,
        )
        .order_by("starts_at", "id")
    )


def _carried_over(before: CheckIn, data: dict[str, Any], other: CheckIn) -> dict[str, Any]:
    """What a change of `before` (to `data`) means for a later check-in of its series."""
    tz = ZoneInfo(before.convoy.timezone)
    changed = {k: v for k, v in data.items() if getattr(before, k) != v}
    carried = {k: v for k, v in changed.items() if k not in {*TIME_FIELDS, "rsvp_deadline"}}
    new_start = data.get("starts_at", before.starts_at)
    new_end = data.get("ends_at", before.ends_at)
    new_deadline = data.get("rsvp_deadline", before.rsvp_deadline)
    start = other.starts_at
    if "starts_at" in changed:
        start = _aware(
            _wall(other.starts_at, tz) + (_wall(new_start, tz) - _wall(before.starts_at, tz)), tz
        )
        carried["starts_at"] = start
    if changed.keys() & TIME_FIELDS:
        carried["ends_at"] = start + (new_end - new_start)
    if changed.keys() & {"starts_at", "rsvp_deadline"}:
        # The same notice before the start as this one has after the change.
        notice = _wall(new_start, tz) - _wall(new_deadline, tz)
        carried["rsvp_deadline"] = _aware(_wall(start, tz) - notice, tz)
    return carried


def _apply(
    *, actor: User, checkin: CheckIn, data: dict[str, Any], agenda_html: str
) -> tuple[list[str], list[int]]:
    """Write a change to one locked check-in and record its event. Returns the changed
    fields and the users promoted from the waitlist."""

    def follows(changed: list[str]) -> dict[str, Any]:
        # Any change raises the calendar SEQUENCE; a new agenda brings its rendered copy.
        extra: dict[str, Any] = {"sequence": checkin.sequence + 1}
        if "agenda" in changed:
            extra["agenda_html"] = agenda_html
        return extra

    changed = model_update(checkin, data=data, also=follows)
    if not changed:
        return [], []
    promoted = _promote_waitlisted(checkin) if "capacity" in changed else []
    event_record(
        convoy_id=checkin.convoy_id,
        kind=EventKind.CHECKIN_UPDATED,
        data={"checkin": checkin_data(checkin), "fields": changed},
        actor=actor,
    )
    return changed, promoted


@transaction.atomic
def _checkin_update(
    *, actor: User, checkin: CheckIn, scope: str, agenda_html: str, **fields: Any
) -> CheckIn:
    require_facilitator(user=actor, convoy_id=checkin.convoy_id)
    _require_scope(scope)
    checkin = _lock(checkin)
    data = _clean_fields(fields)
    _require_open(checkin, field="status")
    following = _following(checkin) if scope == "following" else []
    # Computed from this one as it was, before it changes.
    carried = [(other, _carried_over(checkin, data, other)) for other in following]
    changed, promoted = _apply(actor=actor, checkin=checkin, data=data, agenda_html=agenda_html)
    occurrences = [checkin.pk] if changed else []
    all_changed = list(changed)
    for other, other_data in carried:
        other_changed, other_promoted = _apply(
            actor=actor, checkin=other, data=other_data, agenda_html=agenda_html
        )
        if other_changed:
            occurrences.append(other.pk)
            all_changed += [f for f in other_changed if f not in all_changed]
            _notify_promoted(checkin=other, user_ids=other_promoted)
    if not occurrences:
        return checkin
    change = "rescheduled" if TIME_FIELDS & set(all_changed) else "updated"
    _notify_changed(
        actor=actor,
        checkin=checkin,
        change=change,
        fields=all_changed,
        occurrences=occurrences,
    )
    _notify_promoted(checkin=checkin, user_ids=promoted)
    return checkin


@transaction.atomic
def checkin_cancel(*, actor: User, checkin: CheckIn, scope: Scope = "one") -> CheckIn:
    """Cancel a check-in (with `scope="following"`, also every later scheduled one of its
    series): calendars get STATUS:CANCELLED with a higher SEQUENCE; RSVPs are kept, so a
    reinstated check-in has its answers back. Everyone is told once."""
    require_facilitator(user=actor, convoy_id=checkin.convoy_id)
    _require_scope(scope)
    checkin = _lock(checkin)
    _require_open(checkin, field="status")
    targets = [checkin, *(_following(checkin) if scope == "following" else [])]
    for target in targets:
        target.status = CheckInStatus.CANCELLED
        target.sequence += 1
        target.save(update_fields=["status", "sequence", "updated_at"])
        event_record(
            convoy_id=target.convoy_id,
            kind=EventKind.CHECKIN_CANCELLED,
            data={"checkin": checkin_data(target)},
            actor=actor,
        )
    _notify_changed(
        actor=actor,
        checkin=checkin,
        change="cancelled",
        fields=["status"],
        occurrences=[t.pk for t in targets],
    )
    return checkin


@transaction.atomic
def checkin_reinstate(*, actor: User, checkin: CheckIn, now: datetime | None = None) -> CheckIn:
    """Undo a cancellation while the check-in is still ahead: scheduled again with its RSVPs
    as they were, a higher SEQUENCE (calendars show it again), checkin.updated, and everyone
    told."""
    require_facilitator(user=actor, convoy_id=checkin.convoy_id)
    checkin = _lock(checkin)
    now = now or timezone.now()
    if checkin.status != CheckInStatus.CANCELLED:
        raise ValidationError({"status": [_("Only a cancelled check-in can be reinstated.")]})
    if checkin.starts_at <= now:
        raise ValidationError(
            {"status": [_("This check-in has already begun; it can no longer be reinstated.")]}
        )
    checkin.status = CheckInStatus.SCHEDULED
    checkin.sequence += 1
    checkin.save(update_fields=["status", "sequence", "updated_at"])
    event_record(
        convoy_id=checkin.convoy_id,
        kind=EventKind.CHECKIN_UPDATED,
        data={"checkin": checkin_data(checkin), "fields": ["status"]},
        actor=actor,
    )
    _notify_changed(actor=actor, checkin=checkin, change="reinstated", fields=["status"])
    return checkin


def _promote_waitlisted(checkin: CheckIn) -> list[int]:
    """Seat the earliest waiting people while seats are free (caller holds the row lock).
    Returns the promoted users' ids."""
    waiting = Rsvp.objects.filter(checkin=checkin, status=RsvpStatus.WAITLISTED).order_by(
        "queued_at", "id"
    )
    if checkin.capacity is not None:
        confirmed = Rsvp.objects.filter(checkin=checkin, status=RsvpStatus.CONFIRMED).count()
        free = checkin.capacity - confirmed
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting.values_list("pk", "user_id"))
    if promoted:
        Rsvp.objects.filter(pk__in=[pk for pk, _user in promoted]).update(
            status=RsvpStatus.CONFIRMED, queued_at=None, updated_at=timezone.now()
        )
    return [user_id for _pk, user_id in promoted]


def _notify_promoted(*, checkin: CheckIn, user_ids: list[int]) -> None:
    if not user_ids:
        return
    notify(
        recipient_ids=user_ids,
        kind=NotificationKind.CHECKIN_PROMOTED,
        actor=None,
        convoy_id=checkin.convoy_id,
        target_type=NotificationTarget.CHECKIN,
        target_id=checkin.pk,
        data={"title": checkin.title, "starts_at": checkin.starts_at.isoformat()},
    )


_STATUS_FOR: dict[str, RsvpStatus] = {
    RsvpResponse.NO: RsvpStatus.DECLINED,
    RsvpResponse.MAYBE: RsvpStatus.TENTATIVE,
}


@transaction.atomic
def rsvp_set(*, actor: User, checkin: CheckIn, response: str, now: datetime | None = None) -> Rsvp:
    """Answer a check-in. A yes takes a free seat or joins the end of the waitlist (the
    same answer again keeps one's seat or place); giving up a seat promotes the first in
    line, who is told. Refused after the RSVP deadline.

    Concurrency: the check-in row is locked first, so counting the seats and taking one is
    one step for everyone answering the same check-in at the same time.
    """
    checkin = _lock(checkin)
    # Taken after the lock: waitlist places follow the order in which answers got the lock.
    now = now or timezone.now()
    _require_participant(actor=actor, checkin=checkin)
    if response not in RsvpResponse.values:
        raise ValidationError({"response": [_("Answer yes, no or maybe.")]})
    _require_open(checkin, field="response")
    if not rsvp_open(checkin, now):  # scheduled (checked above) but past the deadline
        raise ValidationError(
            {
                "response": [
                    _("Answers for this check-in closed at %(deadline)s.")
                    % {"deadline": local_datetime(checkin.rsvp_deadline, checkin.convoy)}
                ]
            }
        )
    rsvp = Rsvp.objects.filter(checkin=checkin, user=actor).first()
    if rsvp is not None and rsvp.response == response:
        return rsvp  # the same answer again changes nothing (a seat or place is kept)
    before = rsvp.status if rsvp else None
    if rsvp is None:
        rsvp = Rsvp(checkin=checkin, user=actor)
    if response == RsvpResponse.YES:
        # A new yes (from no, maybe or nothing): a free seat, else the end of the line.
        confirmed = Rsvp.objects.filter(checkin=checkin, status=RsvpStatus.CONFIRMED).count()
        if checkin.capacity is None or confirmed < checkin.capacity:
            status, queued_at = RsvpStatus.CONFIRMED, None
        else:
            status, queued_at = RsvpStatus.WAITLISTED, now
    else:
        status, queued_at = _STATUS_FOR[response], None
    model_update(
        rsvp, data={"response": response, "status": status, "queued_at": queued_at}, clean=False
    )
    promoted = []
    if before == RsvpStatus.CONFIRMED and rsvp.status != RsvpStatus.CONFIRMED:
        promoted = _promote_waitlisted(checkin)
    event_record(
        convoy_id=checkin.convoy_id,
        kind=EventKind.RSVP_CHANGED,
        data={
            "checkin": checkin_data(checkin),
            "rsvp": {"user": actor.pk, "response": rsvp.response, "status": rsvp.status},
            "promoted": promoted,
        },
        actor=actor,
    )
    _notify_promoted(checkin=checkin, user_ids=promoted)
    return rsvp


@transaction.atomic
def rsvps_withdraw_upcoming(*, user: User, now: datetime | None = None) -> int:
    """The person's answers to meetings still ahead are withdrawn (their account is being
    deleted, privacy.erasure): a seat they held goes to the first in line, who is told, and
    each convoy sees it live. Answers to past meetings stay (attendance). Returns how many."""
    now = now or timezone.now()
    upcoming = (
        Rsvp.objects.filter(user=user, checkin__starts_at__gt=now)
        .order_by("checkin_id")
        .values_list("checkin_id", flat=True)
    )
    count = 0
    for checkin in CheckIn.objects.filter(pk__in=list(upcoming)).order_by("pk"):
        checkin = _lock(checkin)
        rsvp = Rsvp.objects.filter(checkin=checkin, user=user).first()
        if rsvp is None:
            continue
        held_seat = rsvp.status == RsvpStatus.CONFIRMED
        rsvp.delete()
        count += 1
        promoted = _promote_waitlisted(checkin) if held_seat else []
        event_record(
            convoy_id=checkin.convoy_id,
            kind=EventKind.RSVP_CHANGED,
            data={
                "checkin": checkin_data(checkin),
                "rsvp": {"user": user.pk, "response": None, "status": None},
                "promoted": promoted,
            },
            actor=None,
        )
        _notify_promoted(checkin=checkin, user_ids=promoted)
    return count


@transaction.atomic
def report_file(
    *,
    actor: User,
    checkin: CheckIn,
    company: Company,
    moved: str,
    next_steps: str = "",
    help_needed: str = "",
) -> CheckInReport:
    """A company files (or replaces) its report for a check-in."""
    if company.pk not in convoy_member_companies_of_user(user=actor, convoy_id=checkin.convoy_id):
        raise PermissionDenied(_("Only people of a member company may file its report."))
    if checkin.status == CheckInStatus.CANCELLED:
        raise ValidationError({"moved": [_("This check-in was cancelled.")]})
    if not moved.strip():
        raise ValidationError({"moved": [_("Please say what moved since the last check-in.")]})
    report, _created = CheckInReport.objects.select_for_update().get_or_create(
        checkin=checkin,
        company=company,
        defaults={"author": actor, "moved": moved.strip()},
    )
    # Filing again is a new version of the report even if the text is the same (its time moves).
    model_update(
        report,
        data={
            "author": actor,
            "moved": moved.strip(),
            "next_steps": next_steps.strip(),
            "help_needed": help_needed.strip(),
        },
        touch=True,
    )
    event_record(
        convoy_id=checkin.convoy_id,
        kind=EventKind.CHECKIN_REPORT_FILED,
        # Reports are for the facilitator and the company: the event names who filed, no text.
        data={
            "checkin": {"id": checkin.pk, "title": checkin.title},
            "company": {"id": company.pk, "name": company.name},
        },
        actor=actor,
    )
    return report


def checkin_notes_post(
    *, actor: User, checkin: CheckIn, notes: str, now: datetime | None = None
) -> CheckIn:
    """The facilitator posts the meeting's notes to the convoy; once the meeting has begun,
    the check-in is done."""
    # Rendered before the transaction opens (see checkins.markdown).
    notes_html = markdown_to_html(notes.strip())
    return _checkin_notes_post(
        actor=actor, checkin=checkin, notes=notes, notes_html=notes_html, now=now
    )


@transaction.atomic
def _checkin_notes_post(
    *, actor: User, checkin: CheckIn, notes: str, notes_html: str, now: datetime | None
) -> CheckIn:
    require_facilitator(user=actor, convoy_id=checkin.convoy_id)
    now = now or timezone.now()
    checkin = _lock(checkin)
    if checkin.status == CheckInStatus.CANCELLED:
        raise ValidationError({"notes": [_("This check-in was cancelled.")]})
    if not notes.strip():
        raise ValidationError({"notes": [_("The notes are empty.")]})
    checkin.notes = notes.strip()
    checkin.notes_html = notes_html
    checkin.notes_posted_at = now
    if checkin.starts_at <= now:
        checkin.status = CheckInStatus.DONE
    checkin.full_clean()
    checkin.save(update_fields=["notes", "notes_html", "notes_posted_at", "status", "updated_at"])
    event_record(
        convoy_id=checkin.convoy_id,
        kind=EventKind.CHECKIN_NOTES_POSTED,
        data={"checkin": checkin_data(checkin)},
        actor=actor,
    )
    return checkin


# --- the calendar feed secret -----------------------------------------------------------------


def feed_token(nonce: str) -> str:
    """The URL secret of a feed: an HMAC of its stored nonce with the SECRET_KEY."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"konvoi.calendar-feed:{nonce}".encode(), hashlib.sha256
    )
    return digest.hexdigest()


def feed_token_hash(token: str) -> str:
    return token_hash(token)


def calendar_feed_by_token(*, token: str) -> CalendarFeed | None:
    """The active feed this secret opens, or None (unknown or revoked: the caller 404s)."""
    return (
        CalendarFeed.objects.filter(token_hash=feed_token_hash(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )


@transaction.atomic
def calendar_feed_rotate(*, user: User) -> tuple[CalendarFeed, str]:
    """Revoke the person's feed URL (if any) and make a new one. Returns (feed, token)."""
    now = timezone.now()
    CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    nonce = secrets.token_hex(32)
    token = feed_token(nonce)
    feed = CalendarFeed.objects.create(user=user, nonce=nonce, token_hash=feed_token_hash(token))
    return feed, token
