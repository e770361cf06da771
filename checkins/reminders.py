"""The check-in reminder rules, run by the notifications sweep (registered in
CheckinsConfig.ready(); the shape of a rule is described in notifications.rules).

Each rule is one set-based queryset yielding a row per (recipient, reminder). Every
multi-valued condition of a rule sits in one filter() call, so that the recipient path
(annotated later by the sweep) reuses the very joins the rule filtered on.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Concat, JSONObject

from checkins.models import CheckIn, CheckInReport, CheckInStatus, Rsvp, RsvpResponse
from convoys.models import active_membership_q
from notifications.models import NotificationKind
from notifications.models import TargetType as NotificationTarget
from notifications.rules import LIVE_CONVOY_STATUSES, RuleQuery, as_text

RSVP_MISSING_BEFORE = timedelta(hours=48)  # remind while the deadline is this close
CHECKIN_SOON_BEFORE = timedelta(hours=24)  # "tomorrow": from a day before the start
REPORT_DUE_BEFORE = timedelta(hours=72)  # three days before the meeting
MEMBER_USER = "convoy__memberships__company__members__user"


def _checkin_target(checkin_id: F) -> dict[str, Any]:
    return {
        "n_target_type": Value(NotificationTarget.CHECKIN, output_field=CharField()),
        "n_target_id": checkin_id,
    }


def rsvp_missing(now: datetime) -> QuerySet:
    """People of active member companies who have not answered, while the deadline is less
    than 48 h away and not passed. Once per person and check-in."""
    answered = Rsvp.objects.filter(checkin=OuterRef("pk"), user=OuterRef(MEMBER_USER))
    return (
        CheckIn.objects.filter(
            ~Exists(answered),
            active_membership_q("convoy__memberships"),
            status=CheckInStatus.SCHEDULED,
            convoy__status__in=LIVE_CONVOY_STATUSES,
            rsvp_deadline__gt=now,
            rsvp_deadline__lte=now + RSVP_MISSING_BEFORE,
            **{f"{MEMBER_USER}__isnull": False},  # a company without people has nobody to tell
        )
        .order_by()
        .annotate(
            n_key=Concat(
                Value(f"{NotificationKind.RSVP_MISSING}:"),
                as_text(F("pk")),
                output_field=CharField(),
            ),
            n_convoy=F("convoy_id"),
            **_checkin_target(F("pk")),
            n_data=JSONObject(
                title=F("title"), deadline=F("rsvp_deadline"), starts_at=F("starts_at")
            ),
        )
    )


def checkin_soon(now: datetime) -> QuerySet:
    """People who said yes or maybe, from a day before the start. Once per person and
    check-in (a later RSVP within the day still gets it)."""
    return (
        Rsvp.objects.filter(
            checkin__status=CheckInStatus.SCHEDULED,
            checkin__convoy__status__in=LIVE_CONVOY_STATUSES,
            checkin__starts_at__gt=now,
            checkin__starts_at__lte=now + CHECKIN_SOON_BEFORE,
            response__in=[RsvpResponse.YES, RsvpResponse.MAYBE],
        )
        .order_by()
        .annotate(
            n_key=Concat(
                Value(f"{NotificationKind.CHECKIN_SOON}:"),
                as_text(F("checkin_id")),
                output_field=CharField(),
            ),
            n_convoy=F("checkin__convoy_id"),
            **_checkin_target(F("checkin_id")),
            n_data=JSONObject(title=F("checkin__title"), starts_at=F("checkin__starts_at")),
        )
    )


def report_due(now: datetime) -> QuerySet:
    """People of member companies that have not filed their report, from three days before
    the meeting. Once per person, check-in and company."""
    filed = CheckInReport.objects.filter(
        checkin=OuterRef("pk"), company=OuterRef("convoy__memberships__company")
    )
    return (
        CheckIn.objects.filter(
            ~Exists(filed),
            active_membership_q("convoy__memberships"),
            status=CheckInStatus.SCHEDULED,
            convoy__status__in=LIVE_CONVOY_STATUSES,
            starts_at__gt=now,
            starts_at__lte=now + REPORT_DUE_BEFORE,
            **{f"{MEMBER_USER}__isnull": False},  # a company without people has nobody to tell
        )
        .order_by()
        .annotate(
            n_key=Concat(
                Value(f"{NotificationKind.REPORT_DUE}:"),
                as_text(F("pk")),
                Value(":"),
                as_text(F("convoy__memberships__company_id")),
                output_field=CharField(),
            ),
            n_convoy=F("convoy_id"),
            **_checkin_target(F("pk")),
            n_data=JSONObject(
                title=F("title"),
                starts_at=F("starts_at"),
                company=F("convoy__memberships__company__name"),
            ),
        )
    )


def reminder_querysets(now: datetime) -> list[RuleQuery]:
    """The check-in reminders the sweep runs: RSVP missing, check-in tomorrow, report due."""
    return [
        RuleQuery(NotificationKind.RSVP_MISSING, rsvp_missing(now), MEMBER_USER),
        RuleQuery(NotificationKind.CHECKIN_SOON, checkin_soon(now), "user"),
        RuleQuery(NotificationKind.REPORT_DUE, report_due(now), MEMBER_USER),
    ]
