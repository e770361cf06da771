"""The weekly facilitator digest: which facilitators get one, and what it shows (silent
companies, help wanted, milestones done, check-ins ahead).

A read model across apps (projects, check-ins, the convoy dashboard), so it lives on top;
notifications only delivers it. OverviewConfig.ready() registers the rule with the sweep and
the summary with the e-mails (see notifications.rules).
"""

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.db.models import CharField, Count, F, Value
from django.db.models.functions import Concat, JSONObject
from django.utils import timezone

from checkins.models import CheckIn, CheckInStatus
from convoys.models import Convoy, Facilitator, active_membership_q
from notifications.models import Notification, NotificationKind
from notifications.models import TargetType as NotificationTarget
from notifications.rules import LIVE_CONVOY_STATUSES, EmailContent, RuleQuery, as_text
from notifications.sweep import recipient_zones
from notifications.timing import local_now
from overview.dashboard import convoy_dashboard
from projects.models import Milestone, MilestoneStatus, Update


def facilitator_digest_querysets(now: datetime) -> Iterator[RuleQuery]:
    """One weekly digest per facilitator and convoy, from Monday's sending hour of the
    facilitator's week on (or the first good moment after it that week)."""
    for zone in recipient_zones():
        local = local_now(now, zone)
        year, week, _weekday = local.isocalendar()
        rows = Facilitator.objects.filter(
            convoy__status__in=LIVE_CONVOY_STATUSES, user__timezone=zone
        ).annotate(
            n_convoy=F("convoy_id"),
            n_key=Concat(
                Value(f"{NotificationKind.FACILITATOR_DIGEST}:"),
                as_text(F("convoy_id")),
                Value(f":{year}-W{week:02d}"),
                output_field=CharField(),
            ),
            n_target_type=Value(NotificationTarget.CONVOY, output_field=CharField()),
            n_target_id=F("convoy_id"),
            n_data=JSONObject(
                convoy=F("convoy__name"),
                since=Value((now - timedelta(days=7)).isoformat()),
                until=Value(now.isoformat()),
            ),
        )
        yield RuleQuery(NotificationKind.FACILITATOR_DIGEST, rows, "user")


def _moment(value: str | None, default: datetime) -> datetime:
    try:
        return datetime.fromisoformat(value) if value else default
    except ValueError:
        return default


def facilitator_digest_summary(
    *, convoy_id: int, since: str | None, until: str | None
) -> dict[str, Any]:
    """A convoy's week for its facilitator: who updated, milestones done, help wanted, quiet
    companies, upcoming check-ins. A handful of queries, whatever the convoy's size."""
    end = _moment(until, timezone.now())
    start = _moment(since, end - timedelta(days=7))
    convoy = Convoy.objects.get(pk=convoy_id)
    updates = Update.objects.filter(convoy=convoy, created_at__gte=start, created_at__lt=end)
    updated = [
        {"company": row["company__name"], "count": row["count"]}
        for row in updates.values("company__name")
        .annotate(count=Count("id"))
        .order_by("company__name")
    ]
    help_wanted = [
        {"company": u.company.display_name, "stuck_on": u.stuck_on, "body": u.body}
        for u in updates.filter(help_wanted=True).select_related("company").order_by("created_at")
    ]
    milestones_done = [
        {"company": m.project.company.name, "project": m.project.title, "title": m.title}
        for m in Milestone.objects.filter(
            active_membership_q("project__company__memberships"),
            project__company__memberships__convoy=convoy,
            status=MilestoneStatus.DONE,
            completed_at__gte=start,
            completed_at__lt=end,
            project__convoys=convoy,
        )
        .select_related("project__company")
        .order_by("completed_at")
    ]
    dashboard = convoy_dashboard(convoy=convoy, now=end)
    quiet = [
        {"company": c["name"], "days": c.get("days_since_update") or c.get("days_silent") or 0}
        for c in dashboard["companies"]
        if c.get("quiet")
    ]
    checkins = [
        {"title": c.title, "starts_at": c.starts_at}
        for c in CheckIn.objects.filter(
            convoy=convoy, status=CheckInStatus.SCHEDULED, starts_at__gte=end
        ).order_by("starts_at")[:5]
    ]
    return {
        "convoy": convoy.name,
        "since": start,
        "until": end,
        "updated": updated,
        "help_wanted": help_wanted,
        "milestones_done": milestones_done,
        "quiet": quiet,
        "checkins": checkins,
    }


def facilitator_digest_email_context(notification: Notification) -> dict[str, Any] | None:
    """The weekly summary the facilitator digest e-mail shows under its title."""
    if not notification.convoy_id:
        return None
    return {
        "summary": facilitator_digest_summary(
            convoy_id=notification.convoy_id,
            since=notification.data.get("since"),
            until=notification.data.get("until"),
        )
    }


FACILITATOR_DIGEST_EMAIL = EmailContent(
    template="facilitator_digest", context=facilitator_digest_email_context
)
