"""Writes for check-ins: scheduling, changing and cancelling them, RSVPs with a waitlist,
company reports, the facilitator's notes, and the calendar feed secret.

Every change convoy members should see is an Event in the same transaction; the people a
change concerns are notified in it too (delivery leaves after commit).
"""

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any
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
    CalendarFeed,
    CheckIn,
    CheckInReport,
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
        "seats": seats if seats is not None else seats_count(checkin=checkin),
    }


def _notify_changed(*, actor: User, checkin: CheckIn, change: str, fields: list[str]) -> int:
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
) -> CheckIn:
    """A facilitator schedules a check-in; the RSVP deadline defaults to the start."""
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
) -> CheckIn:
    require_facilitator(user=actor, convoy_id=convoy.pk)
    checkin = CheckIn(
        convoy=convoy,
        # One line: the title is a calendar SUMMARY, a notification subject, a feed line.
        title=name_clean(title, field="title"),
        starts_at=starts_at,
        ends_at=ends_at,
        rsvp_deadline=rsvp_deadline or starts_at,
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
    _notify_changed(actor=actor, checkin=checkin, change="scheduled", fields=[])
    return checkin


def checkin_update(
    *, actor: User, checkin: CheckIn, agenda_html: str | None = None, **fields: Any
) -> CheckIn:
    """Change or reschedule a check-in. Raises SEQUENCE, records checkin.updated and tells
    everyone what changed; nothing happens when nothing changed. More seats promote the
    waitlist; fewer seats never unseat anyone already confirmed.

    `agenda_html`: the agenda already rendered by checkins.markdown, for a caller that holds
    a transaction around this call (rendering is done before it opens)."""
    agenda = fields.get("agenda")
    if agenda_html is None:
        # Rendered before the transaction opens (see checkins.markdown).
        agenda_html = markdown_to_html(agenda) if isinstance(agenda, str) else ""
    return _checkin_update(actor=actor, checkin=checkin, agenda_html=agenda_html, **fields)


@transaction.atomic
def _checkin_update(*, actor: User, checkin: CheckIn, agenda_html: str, **fields: Any) -> CheckIn:
    require_facilitator(user=actor, convoy_id=checkin.convoy_id)
    checkin = _lock(checkin)
    unknown = set(fields) - set(CHECKIN_FIELDS)
    if unknown:
        raise ValidationError({k: [_("This field cannot be changed.")] for k in sorted(unknown)})
    _require_open(checkin, field="status")
    for key in ("location", "video_url"):
        if isinstance(fields.get(key), str):
            fields[key] = fields[key].strip()
    if isinstance(fields.get("title"), str):
        fields["title"] = name_clean(fields["title"], field="title")

    def follows(changed: list[str]) -> dict[str, Any]:
        # Any change raises the calendar SEQUENCE; a new agenda brings its rendered copy.
        extra: dict[str, Any] = {"sequence": checkin.sequence + 1}
        if "agenda" in changed:
            extra["agenda_html"] = agenda_html
        return extra

    data = {k: fields[k] for k in CHECKIN_FIELDS if k in fields}
    changed = model_update(checkin, data=data, also=follows)
    if not changed:
        return checkin
    promoted = _promote_waitlisted(checkin) if "capacity" in changed else []
    event_record(
        convoy_id=checkin.convoy_id,
        kind=EventKind.CHECKIN_UPDATED,
        data={"checkin": checkin_data(checkin), "fields": changed},
        actor=actor,
    )
    change = "rescheduled" if TIME_FIELDS & set(changed) else "updated"
    _notify_changed(actor=actor, checkin=checkin, change=change, fields=changed)
    _notify_promoted(checkin=checkin, user_ids=promoted)
    return checkin


@transaction.atomic
def checkin_cancel(*, actor: User, checkin: CheckIn) -> CheckIn:
    """Cancel a check-in: calendars get STATUS:CANCELLED with a higher SEQUENCE."""
    require_facilitator(user=actor, convoy_id=checkin.convoy_id)
    checkin = _lock(checkin)
    _require_open(checkin, field="status")
    checkin.status = CheckInStatus.CANCELLED
    checkin.sequence += 1
    checkin.save(update_fields=["status", "sequence", "updated_at"])
    event_record(
        convoy_id=checkin.convoy_id,
        kind=EventKind.CHECKIN_CANCELLED,
        data={"checkin": checkin_data(checkin)},
        actor=actor,
    )
    _notify_changed(actor=actor, checkin=checkin, change="cancelled", fields=["status"])
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
    return hashlib.sha256(token.encode()).hexdigest()


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
