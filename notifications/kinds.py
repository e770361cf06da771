"""What each notification kind says, and how it is delivered unless the person chose otherwise.

Texts are built at display time in the reader's language from the kind's `data`, so one row
reads right in German on the page and in English in an e-mail to a colleague.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext as _

from notifications.models import Channel, Notification, NotificationKind

# Reminders and what someone asked for arrive by e-mail; comments on one's company's posts
# come as a daily digest, so a lively thread does not flood the inbox.
DEFAULT_CHANNELS: dict[str, str] = {
    NotificationKind.UPDATE_DUE: Channel.EMAIL,
    NotificationKind.RSVP_MISSING: Channel.EMAIL,
    NotificationKind.CHECKIN_SOON: Channel.EMAIL,
    NotificationKind.REPORT_DUE: Channel.EMAIL,
    NotificationKind.FACILITATOR_DIGEST: Channel.EMAIL,
    NotificationKind.MENTION: Channel.EMAIL,
    NotificationKind.COMMENT_REPLY: Channel.EMAIL,
    NotificationKind.COMMENT_ON_POST: Channel.DAILY,
    NotificationKind.INVITATION: Channel.IN_APP,  # the invitation e-mail itself always goes
    NotificationKind.CHECKIN_CHANGED: Channel.EMAIL,
    NotificationKind.CHECKIN_PROMOTED: Channel.EMAIL,
    NotificationKind.NUDGE: Channel.EMAIL,
    NotificationKind.CHECK_DUE: Channel.EMAIL,
}

# A digest is already a summary; putting it into another digest would only delay it.
# The invitation has its own e-mail (with the link), so in the app or not at all.
ALLOWED_CHANNELS: dict[str, tuple[str, ...]] = {
    kind: (
        (Channel.IN_APP, Channel.EMAIL, Channel.OFF)
        if kind == NotificationKind.FACILITATOR_DIGEST
        else (Channel.IN_APP, Channel.OFF)
        if kind == NotificationKind.INVITATION
        else tuple(Channel.values)
    )
    for kind in NotificationKind.values
}

# Kinds the system sends on a schedule: held to weekdays and the sending window.
REMINDER_KINDS = frozenset(
    {
        NotificationKind.UPDATE_DUE,
        NotificationKind.RSVP_MISSING,
        NotificationKind.CHECKIN_SOON,
        NotificationKind.REPORT_DUE,
        NotificationKind.FACILITATOR_DIGEST,
        NotificationKind.CHECK_DUE,
    }
)


def _when(value: Any, tz: str) -> str:
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        # Built in SQL on SQLite, a timestamp comes as naive UTC text.
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    moment = moment.astimezone(ZoneInfo(tz))
    return formats.date_format(moment, "DATETIME_FORMAT")


def notification_title(notification: Notification, *, tz: str = "Europe/Berlin") -> str:
    """One line in the reader's active language: what happened, in the domain's words."""
    data = notification.data or {}
    actor = notification.actor.display_name if notification.actor_id and notification.actor else ""
    kind = notification.kind
    title = data.get("title", "")
    if kind == NotificationKind.UPDATE_DUE:
        days = int(data.get("cadence") or 0) * int(data.get("nudge") or 1)
        if int(data.get("nudge") or 1) >= 2:
            return _(
                "Second reminder: {company} has not posted an update in {convoy} for at least "
                "{days} days."
            ).format(company=data.get("company", ""), convoy=data.get("convoy", ""), days=days)
        return _(
            "Time for an update: {company} has not posted in {convoy} for at least {days} days."
        ).format(company=data.get("company", ""), convoy=data.get("convoy", ""), days=days)
    if kind == NotificationKind.FACILITATOR_DIGEST:
        return _("Weekly digest for {convoy}").format(convoy=data.get("convoy", ""))
    if kind == NotificationKind.RSVP_MISSING:
        return _("Please reply by {deadline}: will you attend “{title}”?").format(
            deadline=_when(data.get("deadline"), tz), title=title
        )
    if kind == NotificationKind.CHECKIN_SOON:
        return _("Tomorrow: “{title}” starts {starts_at}").format(
            title=title, starts_at=_when(data.get("starts_at"), tz)
        )
    if kind == NotificationKind.REPORT_DUE:
        return _("Your company's report for “{title}” ({starts_at}) is due.").format(
            title=title, starts_at=_when(data.get("starts_at"), tz)
        )
    if kind == NotificationKind.MENTION:
        return _("{actor} mentioned you: {excerpt}").format(
            actor=actor, excerpt=data.get("excerpt", "")
        )
    if kind == NotificationKind.COMMENT_REPLY:
        return _("{actor} replied to your comment: {excerpt}").format(
            actor=actor, excerpt=data.get("excerpt", "")
        )
    if kind == NotificationKind.COMMENT_ON_POST:
        return _("{actor} commented on “{target}”: {excerpt}").format(
            actor=actor, target=data.get("target_title", ""), excerpt=data.get("excerpt", "")
        )
    if kind == NotificationKind.INVITATION:
        return _(
            "{actor} invited your company to the convoy {convoy}. The link is in your e-mail."
        ).format(actor=actor or _("A facilitator"), convoy=data.get("convoy", ""))
    if kind == NotificationKind.CHECKIN_CHANGED:
        change = data.get("change")
        starts_at = _when(data.get("starts_at"), tz)
        if change == "scheduled":
            return _("New check-in: “{title}” on {starts_at}").format(
                title=title, starts_at=starts_at
            )
        if change == "cancelled":
            return _("Cancelled: the check-in “{title}” on {starts_at}").format(
                title=title, starts_at=starts_at
            )
        if change == "rescheduled":
            return _("Moved: the check-in “{title}” is now on {starts_at}").format(
                title=title, starts_at=starts_at
            )
        if change == "reinstated":
            return _("Back on: the check-in “{title}” on {starts_at}").format(
                title=title, starts_at=starts_at
            )
        return _("Changed: the check-in “{title}” ({starts_at}).").format(
            title=title, starts_at=starts_at
        )
    if kind == NotificationKind.NUDGE:
        names = {
            "actor": actor or _("The facilitator"),
            "company": data.get("company", ""),
            "convoy": data.get("convoy", ""),
        }
        if data.get("message"):
            return _("{actor} asks {company} for a short update in {convoy}: “{message}”").format(
                message=data["message"], **names
            )
        return _("{actor} asks {company} for a short update in {convoy}.").format(**names)
    if kind == NotificationKind.CHECK_DUE:
        stage = data.get("stage", "")
        if data.get("company"):
            return _("Time for the next Digitalisierungs-Check ({stage}) for {company}").format(
                stage=stage, company=data["company"]
            )
        return _("Time for the next Digitalisierungs-Check ({stage})").format(stage=stage)
    if kind == NotificationKind.CHECKIN_PROMOTED:
        return _("A seat became free: you are now confirmed for “{title}” on {starts_at}").format(
            title=title, starts_at=_when(data.get("starts_at"), tz)
        )
    return str(NotificationKind(kind).label) if kind in NotificationKind.values else kind
