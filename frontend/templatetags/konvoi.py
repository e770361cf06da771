"""Presentation helpers for the templates: relative times, choice labels and the human
sentence for each kind of convoy event. Pure functions of their input (no queries)."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django import template
from django.db.models import TextChoices
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from companies.models import CompanyRole, Sector, SizeBand, former_company_label
from convoys.models import ConvoyStatus, Event
from projects.models import MilestoneStatus, ProjectCategory, ProjectStatus

register = template.Library()

CHOICES: dict[str, type[TextChoices]] = {
    "sector": Sector,
    "size": SizeBand,
    "role": CompanyRole,
    "convoy_status": ConvoyStatus,
    "category": ProjectCategory,
    "project_status": ProjectStatus,
    "milestone_status": MilestoneStatus,
}


@register.filter
def choice_label(value: str, kind: str) -> str:
    """The translated label of a wire value: {{ "done"|choice_label:"project_status" }}."""
    choices = CHOICES[kind]
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _as_datetime(value: datetime | str | None) -> datetime | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value


@register.filter
def as_datetime(value: datetime | str | None) -> datetime | None:
    """ISO 8601 text (as in the dashboard payload) → aware datetime, for date/time filters."""
    return _as_datetime(value)


@register.filter
def as_date(value: date | str | None) -> date | None:
    """YYYY-MM-DD text (as in the chart data) → date, for the date filter."""
    return date.fromisoformat(value) if isinstance(value, str) else value


@register.filter
def relative_time(value: datetime | str | None, now: datetime | None = None) -> str:
    """'just now', '5 minutes ago', 'yesterday', '3 weeks ago' — whole phrases, so that every
    language can inflect them (German needs the dative: 'vor 3 Tagen')."""
    moment = _as_datetime(value)
    if moment is None:
        return ""
    seconds = max(0, int(((now or timezone.now()) - moment).total_seconds()))
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 1:
        return _("just now")
    if hours < 1:
        return ngettext("%(count)d minute ago", "%(count)d minutes ago", minutes) % {
            "count": minutes
        }
    if days < 1:
        return ngettext("%(count)d hour ago", "%(count)d hours ago", hours) % {"count": hours}
    if days == 1:
        return _("yesterday")
    if days < 14:
        return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}
    if days < 60:
        weeks = days // 7
        return ngettext("%(count)d week ago", "%(count)d weeks ago", weeks) % {"count": weeks}
    months = days // 30
    return ngettext("%(count)d month ago", "%(count)d months ago", months) % {"count": months}


def _name(data: dict[str, Any], key: str, field: str = "name") -> str:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        return ""
    if key == "company" and field == "name" and value.get("id") and not value.get("name"):
        # A deleted company's name is erased from the log (privacy.erasure).
        return former_company_label()
    return str(value.get(field, ""))


def _membership_joined(d: dict[str, Any]) -> str:
    return _("%(company)s joined the convoy.") % {"company": _name(d, "company")}


def _membership_left(d: dict[str, Any]) -> str:
    if d.get("reason") == "removed":
        return _("%(company)s was removed from the convoy.") % {"company": _name(d, "company")}
    return _("%(company)s left the convoy.") % {"company": _name(d, "company")}


def _convoy_updated(d: dict[str, Any]) -> str:
    return _("The convoy settings were changed.")


def _company_updated(d: dict[str, Any]) -> str:
    return _("%(company)s updated its company profile.") % {"company": _name(d, "company")}


def _project_created(d: dict[str, Any]) -> str:
    project = d.get("project") or {}
    return _("%(company)s started the project “%(project)s”.") % {
        "company": _name(project, "company"),
        "project": project.get("title", ""),
    }


def _project(d: dict[str, Any], text: str) -> str:
    project = d.get("project") or {}
    return text % {"company": _name(project, "company"), "project": project.get("title", "")}


def _project_updated(d: dict[str, Any]) -> str:
    project = d.get("project") or {}
    if d.get("unshared"):  # older entries said so on project.updated
        return _project(
            d, _("%(company)s stopped sharing the project “%(project)s” with the convoy.")
        )
    changed = d.get("changed") or []
    if "status" in changed and project.get("status"):
        return _("%(company)s set the project “%(project)s” to “%(status)s”.") % {
            "company": _name(project, "company"),
            "project": project.get("title", ""),
            "status": choice_label(str(project["status"]), "project_status"),
        }
    return _project(d, _("%(company)s edited the project “%(project)s”."))


def _milestone(d: dict[str, Any], text: str) -> str:
    milestone = d.get("milestone") or {}
    return text % {
        "company": _name(milestone, "company"),
        "milestone": milestone.get("title", ""),
        "project": _name(milestone, "project", "title"),
    }


def _milestone_updated(d: dict[str, Any]) -> str:
    """What changed, when the data says so; a blocked milestone always says it is blocked."""
    milestone = d.get("milestone") or {}
    changed = d.get("changed")
    status = milestone.get("status")
    if status == MilestoneStatus.BLOCKED and (changed is None or "status" in changed):
        return _milestone(
            d, _("%(company)s set the milestone “%(milestone)s” in “%(project)s” to blocked.")
        )
    if status and changed is not None and "status" in changed:
        text = _("%(company)s set the milestone “%(milestone)s” in “%(project)s” to “%(status)s”.")
        return text % {
            "company": _name(milestone, "company"),
            "milestone": milestone.get("title", ""),
            "project": _name(milestone, "project", "title"),
            "status": choice_label(str(status), "milestone_status"),
        }
    if changed is not None and "due_date" in changed and milestone.get("due_date"):
        return _(
            "%(company)s moved the milestone “%(milestone)s” in “%(project)s” to %(date)s."
        ) % {
            "company": _name(milestone, "company"),
            "milestone": milestone.get("title", ""),
            "project": _name(milestone, "project", "title"),
            "date": date_format(date.fromisoformat(milestone["due_date"]), "SHORT_DATE_FORMAT"),
        }
    return _milestone(d, _("%(company)s edited the milestone “%(milestone)s” in “%(project)s”."))


def _comment_on(d: dict[str, Any], with_title: str, without: str) -> str:
    comment = d.get("comment") or {}
    title = comment.get("target_title") if isinstance(comment, dict) else None
    return with_title % {"target": title} if title else without


def _comment_created(d: dict[str, Any]) -> str:
    comment = d.get("comment") or {}
    if isinstance(comment, dict) and comment.get("parent"):
        return _comment_on(
            d, _("A reply in the conversation on “%(target)s”."), _("Someone replied.")
        )
    return _comment_on(d, _("New comment on “%(target)s”."), _("Someone commented."))


def _update_edited(d: dict[str, Any]) -> str:
    update = d.get("update") or {}
    values = {"company": _name(update, "company")}
    if update.get("help_wanted") and "help_wanted" in (d.get("changed") or []):
        return _("%(company)s edited its update and is now looking for help.") % values
    return _("%(company)s edited its update.") % values


def _update_posted(d: dict[str, Any]) -> str:
    update = d.get("update") or {}
    values = {"company": _name(update, "company")}
    if update.get("help_wanted"):
        return _("%(company)s posted an update and is looking for help.") % values
    return _("%(company)s posted an update.") % values


def _checkin(d: dict[str, Any], text: str) -> str:
    checkin = d.get("checkin") or {}
    return text % {"title": checkin.get("title", ""), "company": _name(d, "company")}


EVENT_SENTENCES: dict[str, Callable[[dict[str, Any]], str]] = {
    "membership.joined": _membership_joined,
    "membership.left": _membership_left,
    "convoy.updated": _convoy_updated,
    "company.updated": _company_updated,
    "project.created": _project_created,
    "project.updated": _project_updated,
    "project.archived": lambda d: _project(d, _("%(company)s archived the project “%(project)s”.")),
    "project.deleted": lambda d: _project(d, _("%(company)s deleted the project “%(project)s”.")),
    "project.shared": lambda d: _project(
        d, _("%(company)s shared the project “%(project)s” with the convoy.")
    ),
    "project.unshared": lambda d: _project(
        d, _("%(company)s stopped sharing the project “%(project)s” with the convoy.")
    ),
    "milestone.created": lambda d: _milestone(
        d, _("%(company)s planned the milestone “%(milestone)s” in “%(project)s”.")
    ),
    "milestone.completed": lambda d: _milestone(
        d, _("%(company)s completed the milestone “%(milestone)s” in “%(project)s”.")
    ),
    "milestone.updated": _milestone_updated,
    "milestone.deleted": lambda d: _milestone(
        d, _("%(company)s deleted the milestone “%(milestone)s” in “%(project)s”.")
    ),
    "update.posted": _update_posted,
    "update.edited": _update_edited,
    "update.deleted": lambda d: (
        _("%(company)s deleted an update.") % {"company": _name(d.get("update") or {}, "company")}
    ),
    "comment.created": _comment_created,
    "comment.updated": lambda d: _comment_on(
        d, _("A comment on “%(target)s” was edited."), _("A comment was edited.")
    ),
    "comment.deleted": lambda d: _("A comment was deleted."),
    "comment.hidden": lambda d: _("A facilitator hid a comment."),
    "reaction.changed": lambda d: _comment_on(
        d, _("Someone reacted to a comment on “%(target)s”."), _("Someone reacted to a comment.")
    ),
    "checkin.scheduled": lambda d: _checkin(d, _("The check-in “%(title)s” was scheduled.")),
    "checkin.updated": lambda d: _checkin(d, _("The check-in “%(title)s” was changed.")),
    "checkin.cancelled": lambda d: _checkin(d, _("The check-in “%(title)s” was cancelled.")),
    "checkin.notes_posted": lambda d: _checkin(
        d, _("The notes of the check-in “%(title)s” are online.")
    ),
    "checkin.report_filed": lambda d: _checkin(
        d, _("%(company)s filed its report for the check-in “%(title)s”.")
    ),
    "rsvp.changed": lambda d: _checkin(d, _("An answer for the check-in “%(title)s” came in.")),
}


@register.simple_tag
def event_sentence(event: Event) -> str:
    """One translated sentence for a feed entry; unknown kinds still read sensibly."""
    render = EVENT_SENTENCES.get(event.kind)
    if render is None:
        return _("Something changed in the convoy.")
    return render(event.data if isinstance(event.data, dict) else {})


@register.filter
def invitation_status(invitation: Any, now: datetime) -> str:
    """open / accepted / expired / revoked, as the API reports it."""
    return invitation.state(now).value


INVITATION_STATUS_LABELS = {
    "open": lambda: _("open"),
    "accepted": lambda: _("accepted"),
    "expired": lambda: _("expired"),
    "revoked": lambda: _("withdrawn"),
}


@register.filter
def invitation_status_label(status: str) -> str:
    return INVITATION_STATUS_LABELS[status]()
