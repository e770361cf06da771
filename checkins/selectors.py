"""Reads for check-ins, always scoped to the person asking.

A check-in is visible exactly when its convoy is (convoys.selectors): to the convoy's
facilitators and to the people of its active member companies. To anyone else it is a 404.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from accounts.models import User
from checkins.models import CheckIn, CheckInReport, CheckInStatus, Rsvp, RsvpStatus
from convoys.models import Convoy, Facilitator
from convoys.selectors import (
    convoy_company_members,
    convoy_member_companies_of_user,
    convoy_people,
    convoys_for_user,
)

# How far back the calendar feed reaches (calendars keep what they already have).
FEED_PAST_DAYS = 180

_CONFIRMED = Q(rsvps__status=RsvpStatus.CONFIRMED)
_WAITLISTED = Q(rsvps__status=RsvpStatus.WAITLISTED)


def with_seats(queryset: QuerySet[CheckIn]) -> QuerySet[CheckIn]:
    """Annotate seats_confirmed and seats_waitlisted (one grouped query, no N+1)."""
    # The model declares these two for the readers' types; django-stubs calls that a redefinition.
    return queryset.annotate(  # type: ignore[no-redef]
        seats_confirmed=Count("rsvps", filter=_CONFIRMED),
        seats_waitlisted=Count("rsvps", filter=_WAITLISTED),
    )


def seats_data(checkin: CheckIn) -> dict[str, Any]:
    """The seat counts of an annotated check-in, as the API and events carry them."""
    return {
        "confirmed": checkin.seats_confirmed,
        "capacity": checkin.capacity,
        "waitlisted": checkin.seats_waitlisted,
    }


def seats_count(*, checkin: CheckIn) -> dict[str, Any]:
    counts = Rsvp.objects.filter(checkin=checkin).aggregate(
        confirmed=Count("id", filter=Q(status=RsvpStatus.CONFIRMED)),
        waitlisted=Count("id", filter=Q(status=RsvpStatus.WAITLISTED)),
    )
    return {
        "confirmed": counts["confirmed"],
        "capacity": checkin.capacity,
        "waitlisted": counts["waitlisted"],
    }


def checkins_for_user(*, user: User) -> QuerySet[CheckIn]:
    if not user.is_authenticated:
        return CheckIn.objects.none()
    return CheckIn.objects.filter(convoy__in=convoys_for_user(user=user).values("pk"))


def checkin_detail_queryset(*, user: User) -> QuerySet[CheckIn]:
    """Visible check-ins with their convoy, seat counts and whether the user facilitates."""
    return (
        with_seats(checkins_for_user(user=user))
        .select_related("convoy")
        .annotate(
            is_facilitator=Exists(
                Facilitator.objects.filter(convoy=OuterRef("convoy_id"), user=user)
            )
        )
    )


def convoy_checkins(*, convoy: Convoy) -> QuerySet[CheckIn]:
    """A convoy's check-ins (the caller has checked the convoy is visible), newest plan first."""
    return with_seats(CheckIn.objects.filter(convoy=convoy)).order_by("-starts_at", "-id")


def checkins_upcoming(*, convoy: Convoy, now: datetime, limit: int = 5) -> list[CheckIn]:
    """Check-ins that have not ended yet (cancelled ones too, so people see the change)."""
    return list(
        with_seats(CheckIn.objects.filter(convoy=convoy, ends_at__gte=now)).order_by(
            "starts_at", "id"
        )[:limit]
    )


def checkins_past(*, convoy: Convoy, now: datetime, limit: int = 5) -> list[CheckIn]:
    return list(
        with_seats(CheckIn.objects.filter(convoy=convoy, ends_at__lt=now)).order_by(
            "-starts_at", "-id"
        )[:limit]
    )


def next_checkin_query(*, convoy: Convoy, now: datetime) -> CheckIn | None:
    """The next scheduled check-in that has not ended, with seat counts (one query)."""
    return (
        with_seats(
            CheckIn.objects.filter(convoy=convoy, status=CheckInStatus.SCHEDULED, ends_at__gte=now)
        )
        .order_by("starts_at", "id")
        .first()
    )


def rsvp_of(*, user: User, checkin: CheckIn) -> Rsvp | None:
    if not user.is_authenticated:
        return None
    return Rsvp.objects.filter(checkin=checkin, user=user).first()


def waitlist_position(rsvp: Rsvp | None) -> int | None:
    """1 for the first in line; None when the person is not waiting."""
    if rsvp is None or rsvp.status != RsvpStatus.WAITLISTED:
        return None
    ahead = (
        Rsvp.objects.filter(checkin_id=rsvp.checkin_id, status=RsvpStatus.WAITLISTED)
        .filter(Q(queued_at__lt=rsvp.queued_at) | Q(queued_at=rsvp.queued_at, pk__lt=rsvp.pk))
        .count()
    )
    return ahead + 1


def checkin_rsvps(*, checkin: CheckIn) -> list[Rsvp]:
    """Everyone who answered, seated first, then the waitlist in order, then the rest."""
    order: dict[str, int] = {
        RsvpStatus.CONFIRMED: 0,
        RsvpStatus.WAITLISTED: 1,
        RsvpStatus.TENTATIVE: 2,
    }
    rsvps = list(Rsvp.objects.filter(checkin=checkin).select_related("user"))
    rsvps.sort(
        key=lambda r: (
            order.get(r.status, 3),
            r.queued_at or r.updated_at,
            r.user.display_name,
            r.pk,
        )
    )
    return rsvps


def checkin_reports(
    *, checkin: CheckIn, user: User, is_facilitator: bool
) -> QuerySet[CheckInReport]:
    """All reports for a facilitator; a member sees those of their own companies."""
    reports = CheckInReport.objects.filter(checkin=checkin).select_related("company", "author")
    if not is_facilitator:
        reports = reports.filter(
            company_id__in=convoy_member_companies_of_user(user=user, convoy_id=checkin.convoy_id)
        )
    return reports.order_by("company__name", "company_id")


def attendance_rows(*, checkin: CheckIn) -> list[dict[str, Any]]:
    """One row per person of an active member company (and per other person who answered,
    e.g. a facilitator): name, e-mail, company, response, status, report filed. Two queries."""
    rsvp = Rsvp.objects.filter(checkin=checkin, user=OuterRef("user_id"))
    people = (
        convoy_company_members(convoy_id=checkin.convoy_id)
        .select_related("user", "company")
        .annotate(
            rsvp_response=Subquery(rsvp.values("response")[:1]),
            rsvp_status=Subquery(rsvp.values("status")[:1]),
            rsvp_at=Subquery(rsvp.values("updated_at")[:1]),
            report_filed=Exists(
                CheckInReport.objects.filter(checkin=checkin, company=OuterRef("company_id"))
            ),
        )
        .order_by("company__name", "company_id", "user__name", "user_id")
    )
    rows = []
    seen: set[int] = set()
    for person in people:
        seen.add(person.user_id)
        rows.append(
            {
                "name": person.user.display_name,
                "email": person.user.email,
                "company": person.company.name,
                "response": person.rsvp_response or "",
                "status": person.rsvp_status or "",
                "answered_at": person.rsvp_at,
                "report_filed": person.report_filed,
            }
        )
    others = Rsvp.objects.filter(checkin=checkin).exclude(user_id__in=seen).select_related("user")
    for rsvp_row in others.order_by("user__name", "user_id"):
        rows.append(
            {
                "name": rsvp_row.user.display_name,
                "email": rsvp_row.user.contact_email,
                "company": "",
                "response": rsvp_row.response,
                "status": rsvp_row.status,
                "answered_at": rsvp_row.updated_at,
                "report_filed": False,
            }
        )
    return rows


def checkins_for_feed(*, user: User, now: datetime) -> QuerySet[CheckIn]:
    """The person's check-ins in all their convoys for the calendar feed, cancelled ones
    included (so that calendars remove them), from FEED_PAST_DAYS ago on."""
    return (
        checkins_for_user(user=user)
        .filter(ends_at__gte=now - timedelta(days=FEED_PAST_DAYS))
        .select_related("convoy")
        .order_by("starts_at", "id")
    )


def checkin_audience_ids(*, convoy_id: int) -> list[int]:
    """Everyone a check-in concerns: people of active member companies and the facilitators."""
    people = convoy_people(convoy_id=convoy_id, include_inactive=True)
    return sorted(people.values_list("pk", flat=True))


def checkin_change_reach(*, checkin: CheckIn) -> dict[str, int]:
    """What a confirmation page says before a change everyone is told of: how many people are
    told, how many of them answered this check-in, and how many later scheduled check-ins of
    its series "this and all following" would include. Three counts, whatever the size."""
    answered = Rsvp.objects.filter(checkin=checkin).count()
    following = 0
    if checkin.series_id is not None:
        following = CheckIn.objects.filter(
            series_id=checkin.series_id,
            status=CheckInStatus.SCHEDULED,
            starts_at__gt=checkin.starts_at,
        ).count()
    return {
        "people": len(checkin_audience_ids(convoy_id=checkin.convoy_id)),
        "answered": answered,
        "following": following,
    }
