"""'Download my data' (GDPR Art. 15 and 20): everything Konvoi holds about a person, and a
company's data for its owners, as one ZIP of JSON files, the texts the person (or the
company) wrote as Markdown files, and a README.txt in the reader's language.

What goes in, and what stays out, is decided here once; the web page, the API and the
operators' commands all call `personal_data_export` / `company_data_export`.

The rule for other people: a person's export holds what they did and wrote, and only as much
of others as is needed to understand it — the names of the convoys and companies involved,
and ids (a reply's parent comment, the check-in an RSVP is for). No other person's name,
e-mail address or text. Secrets never leave: no password hash, no token digests, no
calendar-feed secret, no second-factor keys, no session keys.

Each section is a fixed number of queries (select_related / prefetch_related), so the export
of a person with 500 comments costs as many queries as one with 5.
"""

import io
import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import ApiToken, User, UserSession
from accounts.ratelimit import limit_hit
from audit.models import Action
from audit.selectors import audit_entries_for_user, audit_entry_as_dict
from audit.services import audit_record
from checkins.models import CalendarFeed, CheckIn, CheckInReport, CheckInSeries, Rsvp
from checks.models import CheckResponse
from comments.models import Comment, CommentRevision, Reaction
from companies.models import Company, CompanyInvitation, CompanyMember, CompanyRole
from convoys.models import Event, Facilitator, Invitation, Membership
from notifications.models import (
    ConvoyMute,
    DeliverySettings,
    DigestDelivery,
    Notification,
    NotificationPreference,
    Nudge,
)
from programmes.models import CompanyRecord, Service, Staff, StaffInvitation
from projects.models import Milestone, Project, Update

# Keys of a notification's `data` that carry another person's words (a comment's excerpt, a
# facilitator's nudge message): left out of the recipient's export.
_NOTIFICATION_DATA_OMITTED = frozenset({"excerpt", "message", "actor", "actor_name"})

# How many characters of an API token's public key the export shows (the profile's list
# shows the same: enough to recognise a token, far too few to use it).
TOKEN_PREFIX_LENGTH = 8


# ---------------------------------------------------------------------------------------
# Rate limit and file names (used by the web page and the API alike)


def data_export_allowed(*, user_id: int) -> bool:
    """Counts one export (personal or company) per person; False beyond
    DATA_EXPORT_RATE_LIMIT an hour. An export reads every table: this keeps it from being
    used to load the database."""
    return limit_hit(
        scope="data-export", key=str(user_id), limit=settings.DATA_EXPORT_RATE_LIMIT, window=3600
    )


def personal_export_filename(user: User, *, today: date | None = None) -> str:
    today = today or timezone.localdate()
    return f"Konvoi-Daten-{user.handle}-{today.isoformat()}.zip"


def company_export_filename(company: Company, *, today: date | None = None) -> str:
    today = today or timezone.localdate()
    slug = slugify(company.name)[:40] or f"unternehmen-{company.pk}"
    return f"Konvoi-Unternehmensdaten-{slug}-{today.isoformat()}.zip"


# ---------------------------------------------------------------------------------------
# Small shapes


def _convoy(convoy: Any) -> dict[str, Any] | None:
    return {"id": convoy.pk, "name": convoy.name} if convoy is not None else None


def _company(company: Any) -> dict[str, Any] | None:
    return {"id": company.pk, "name": company.display_name} if company is not None else None


def _checkin_ref(checkin: CheckIn) -> dict[str, Any]:
    return {
        "id": checkin.pk,
        "title": checkin.title,
        "starts_at": checkin.starts_at,
        "convoy": _convoy(checkin.convoy),
    }


def _company_profile(company: Company) -> dict[str, Any]:
    return {
        "id": company.pk,
        "name": company.name,
        "sector": company.sector,
        "size": company.size,
        "city": company.city,
        "region": company.region,
        "website": company.website,
        "created_at": company.created_at,
    }


def _milestone(milestone: Milestone) -> dict[str, Any]:
    return {
        "id": milestone.pk,
        "title": milestone.title,
        "due_date": milestone.due_date,
        "status": milestone.status,
        "completed_at": milestone.completed_at,
        "weight": milestone.weight,
        "created_at": milestone.created_at,
    }


def _project(project: Project, *, with_creator: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": project.pk,
        "company": _company(project.company),
        "title": project.title,
        "description": project.description,
        "category": project.category,
        "status": project.status,
        "start_date": project.start_date,
        "target_date": project.target_date,
        "follow_up_of": project.follow_up_of_id,
        "convoys": [_convoy(c) for c in project.convoys.all()],
        "created_at": project.created_at,
        "updated_at": project.updated_at,
        "archived_at": project.archived_at,
        "milestones": [_milestone(m) for m in project.milestones.all()],
    }
    if with_creator:
        data["created_by"] = _author_name(project.created_by)
    return data


def _update(update: Update, *, with_author: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": update.pk,
        "convoy": _convoy(update.convoy),
        "company": _company(update.company),
        "body": update.body,
        "next_steps": update.next_steps,
        "help_wanted": update.help_wanted,
        "stuck_on": update.stuck_on,
        "milestones": [m.pk for m in update.milestones.all()],
        "created_at": update.created_at,
    }
    if with_author:
        data["author"] = _author_name(update.author)
    return data


def _comment(comment: Comment, *, with_author: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": comment.pk,
        "convoy": _convoy(comment.convoy),
        "company": _company(comment.company),
        "target_type": comment.target_type,
        "target_id": comment.target_id,
        # Only the id: the parent may be someone else's comment.
        "parent": comment.parent_id,
        "body": comment.body,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
        "deleted_at": comment.deleted_at,
        "hidden_at": comment.hidden_at,
        "revisions": [
            {"body": r.body, "written_at": r.written_at, "saved_at": r.created_at}
            for r in comment.revisions.all()
        ],
    }
    if with_author:
        data["author"] = _author_name(comment.author)
    return data


def _report(report: CheckInReport, *, with_author: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": report.pk,
        "checkin": _checkin_ref(report.checkin),
        "company": _company(report.company),
        "moved": report.moved,
        "next_steps": report.next_steps,
        "help_needed": report.help_needed,
        "created_at": report.created_at,
        "updated_at": report.updated_at,
    }
    if with_author:
        data["author"] = _author_name(report.author)
    return data


def _rsvp(rsvp: Rsvp) -> dict[str, Any]:
    return {
        "checkin": _checkin_ref(rsvp.checkin),
        "response": rsvp.response,
        "status": rsvp.status,
        "waitlisted_since": rsvp.queued_at,
        "created_at": rsvp.created_at,
        "updated_at": rsvp.updated_at,
    }


def _author_name(user: User | None) -> str:
    """A name as the convoy sees it (company export only): 'Former member' once deleted."""
    if user is None:
        return str(_("Former member"))
    return user.display_name


def _invitation_state(invitation: Any) -> str:
    return str(invitation.state())


# ---------------------------------------------------------------------------------------
# Markdown files of the texts


def _md_header(title: str, lines: Iterable[tuple[str, Any]]) -> str:
    head = [f"# {title}", ""]
    head += [f"- {label}: {value}" for label, value in lines if value not in (None, "")]
    return "\n".join(head) + "\n"


def _md_section(heading: str, body: str) -> str:
    return f"\n## {heading}\n\n{body}\n" if body else ""


def _md_date(value: datetime) -> str:
    return value.isoformat(timespec="minutes")


def _update_markdown(update: Update, *, author: str = "") -> str:
    text = _md_header(
        _("Update"),
        [
            (_("Convoy"), update.convoy.name),
            (_("Company"), update.company.display_name),
            (_("Author"), author),
            (_("Date"), _md_date(update.created_at)),
            (_("Help wanted"), _("yes") if update.help_wanted else ""),
        ],
    )
    return text + "".join(
        (
            _md_section(_("What moved"), update.body),
            _md_section(_("What is next"), update.next_steps),
            _md_section(_("Where we are stuck"), update.stuck_on),
        )
    )


def _comment_markdown(comment: Comment, *, author: str = "") -> str:
    about = f"{comment.target_type} {comment.target_id}"
    reply = _("comment %(id)s") % {"id": comment.parent_id} if comment.parent_id else ""
    text = _md_header(
        pgettext("noun", "Comment"),
        [
            (_("Convoy"), comment.convoy.name),
            (_("Author"), author),
            (_("Date"), _md_date(comment.created_at)),
            (_("Edited"), _md_date(comment.edited_at) if comment.edited_at else ""),
            (_("On"), about),
            (_("Reply to"), reply),
        ],
    )
    return text + f"\n{comment.body}\n"


def _report_markdown(report: CheckInReport, *, author: str = "") -> str:
    text = _md_header(
        _("Meeting report"),
        [
            (_("Convoy"), report.checkin.convoy.name),
            (_("Meeting"), report.checkin.title),
            (_("Meeting date"), _md_date(report.checkin.starts_at)),
            (_("Company"), report.company.display_name),
            (_("Author"), author),
            (_("Date"), _md_date(report.updated_at)),
        ],
    )
    return text + "".join(
        (
            _md_section(_("What moved since the last meeting"), report.moved),
            _md_section(_("What is next"), report.next_steps),
            _md_section(_("Where help is needed"), report.help_needed),
        )
    )


def _md_name(kind: str, when: datetime, pk: int) -> str:
    return f"files/{kind}/{when.date().isoformat()}-{pk}.md"


# ---------------------------------------------------------------------------------------
# The ZIP


class _Archive:
    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", compression=zipfile.ZIP_DEFLATED)

    def json(self, name: str, data: Any) -> None:
        text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        self.text(name, text + "\n")

    def text(self, name: str, text: str) -> None:
        self.zip.writestr(name, text.encode("utf-8"))

    def close(self) -> bytes:
        self.zip.close()
        return self.buffer.getvalue()


def _readme(*, kind: str, subject: str, made_at: datetime, files: list[str]) -> str:
    descriptions = {
        "profile.json": _(
            "Your account: name, e-mail address, @handle, language, time zone, when you "
            "joined and last logged in, whether two-factor authentication is on, single "
            "sign-on."
        ),
        "companies.json": _("The companies you belong to and your role in each."),
        "convoys.json": _(
            "The convoys your companies belong to, and the convoys you run as moderation."
        ),
        "projects.json": _("The projects you created, with their milestones."),
        "updates.json": _("The updates you posted."),
        "comments.json": _(
            "Your comments with their earlier versions, the reactions you gave and the "
            "comments you hid as moderation (by number only)."
        ),
        "checkins.json": _(
            "Your answers to meetings, the meeting reports you wrote, and the meetings and "
            "series you scheduled."
        ),
        "notifications.json": _(
            "Your notifications, the digests e-mailed to you and the reminders you sent to "
            "companies as moderation."
        ),
        "preferences.json": _("Your notification settings, quiet hours and the convoys you muted."),
        "calendar_feeds.json": _(
            "When your calendar subscription links were made and turned off (not the links)."
        ),
        "api_tokens.json": _(
            "Your API tokens: name, first characters, when made and when they expire (not the "
            "tokens)."
        ),
        "sessions.json": _("Where you are signed in: browser, address, times."),
        "audit_log.json": _(
            "The security log of your account: logins, password and e-mail changes, "
            "two-factor authentication, tokens, downloads of your data."
        ),
        "invitations.json": _(
            "The invitations you sent (without the invited addresses) and those you accepted."
        ),
        "activity.json": _(
            "The entries of the convoys' change log that you caused (what and when; the "
            "content is in the other files)."
        ),
        "programmes.json": _(
            "The programmes you work in and your role, the staff invitations you sent "
            "(without the invited addresses) and the services you recorded (with your notes) "
            "or delivered."
        ),
        "checks.json": _(
            "The Digitalisierungs-Checks you took (answers and results), and those you took "
            "with a company as its advisor (without its answers)."
        ),
        "company_checks.json": _("The company's Digitalisierungs-Checks: answers and results."),
        "company.json": _("The company's details."),
        "members.json": _(
            "The company's people with their roles and e-mail addresses, and the open and "
            "past invitations of colleagues."
        ),
        "company_convoys.json": _("The convoys the company belongs to or belonged to."),
        "company_projects.json": _(
            "All projects of the company, also archived ones, with their milestones."
        ),
        "company_updates.json": _("The company's updates, with their authors."),
        "company_checkins.json": _(
            "The company's meeting reports, the answers of its people to meetings and the "
            "moderation's reminders to post an update."
        ),
        "company_comments.json": _("The comments the company's people wrote for it."),
    }
    if kind == "person":
        title = _("Your data at Konvoi: %(name)s") % {"name": subject}
        others = _(
            "What others wrote is not included (their comments, updates and names), even "
            "where it answers you: it is their data. Where your data refers to something of "
            "others, the export names the convoy and company, or gives a number."
        )
    else:
        title = _("The data of the company %(name)s at Konvoi") % {"name": subject}
        others = _(
            "Included are the company's own data and what its people wrote for it. Comments "
            "of other people on the company's projects and updates are not included: they "
            "are their data."
        )
    lines = [
        title,
        "=" * len(title),
        "",
        _("Made on %(when)s (UTC).") % {"when": made_at.strftime("%Y-%m-%d %H:%M")},
        "",
        _("Files:"),
    ]
    for name in files:
        lines.append(f"- {name}: {descriptions.get(name, '')}".rstrip(": "))
    lines += [
        "- files/: "
        + _(
            "The texts as Markdown files, one per update, comment and meeting report, with "
            "the convoy and the date at the top."
        ),
        "",
        _(
            "The JSON files are UTF-8; times are ISO 8601 in UTC, dates YYYY-MM-DD. Secrets "
            "(password, token, second-factor and calendar-link keys) are never included."
        ),
        "",
        others,
        "",
        _(
            "Questions about your data: see the privacy notice at /privacy/ for whom to "
            "ask, and your rights."
        ),
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# The person's export


def _audit_entries(user: User) -> list[dict[str, Any]]:
    """The person's audit entries in audit's one shape, oldest first, without the name of
    another person who acted on the account (an owner, an admin): `by_self` says whether it
    was them."""
    entries = [audit_entry_as_dict(e) for e in audit_entries_for_user(user.pk)]
    for entry in entries:
        entry.pop("actor_name", None)
    return entries[::-1]


def _two_factor(user: User) -> dict[str, Any]:
    if not apps.is_installed("django_otp"):
        return {"enabled": False, "devices": []}
    from django_otp import devices_for_user

    devices = [
        {
            "type": device._meta.model_name,
            "name": device.name,
            "confirmed": device.confirmed,
            "created_at": getattr(device, "created_at", None),
            "last_used_at": getattr(device, "last_used_at", None),
        }
        for device in devices_for_user(user, confirmed=None)
    ]
    return {"enabled": any(d["confirmed"] for d in devices), "devices": devices}


def _sso(audit: list[dict[str, Any]]) -> dict[str, Any]:
    """Whether the person logs in through the programme's single sign-on. Accounts are linked
    by their verified e-mail address; no other link is stored, so the audit log's SSO logins
    (within its retention period) are what there is."""
    logins = [e["at"] for e in audit if e["action"] == Action.LOGIN_SSO]
    return {"used": bool(logins), "last_login": logins[-1] if logins else None}


def _profile(user: User, audit: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": user.pk,
        "name": user.name,
        "email": user.email,
        "handle": user.handle,
        "language": user.language,
        "timezone": user.timezone,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "two_factor": _two_factor(user),
        "single_sign_on": _sso(audit),
    }


def _companies_and_convoys(user: User) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    memberships = list(
        CompanyMember.objects.filter(user=user).select_related("company").order_by("joined_at")
    )
    companies = [
        {
            "company": _company_profile(m.company),
            "role": m.role,
            "joined_at": m.joined_at,
            "first_steps_dismissed_at": m.first_steps_dismissed_at,
        }
        for m in memberships
    ]
    seats = (
        Membership.objects.filter(company_id__in=[m.company_id for m in memberships])
        .select_related("convoy", "company")
        .order_by("joined_at", "id")
    )
    convoys = {
        "memberships_of_your_companies": [
            {
                "convoy": _convoy(m.convoy),
                "company": _company(m.company),
                "status": m.status,
                "joined_at": m.joined_at,
                "ended_at": m.ended_at,
            }
            for m in seats
        ],
        "moderation": [
            {"convoy": _convoy(f.convoy), "since": f.added_at}
            for f in Facilitator.objects.filter(user=user)
            .select_related("convoy")
            .order_by("added_at", "id")
        ],
    }
    return companies, convoys


def _comments_of(user: User, comments: list[Comment]) -> dict[str, Any]:
    return {
        "comments": [_comment(c) for c in comments],
        # Of others' comments only the id.
        "reactions_given": [
            {"comment": r.comment_id, "emoji": r.emoji, "created_at": r.created_at}
            for r in Reaction.objects.filter(user=user).order_by("created_at", "id")
        ],
        "hidden_by_you": [
            {"comment": c["id"], "hidden_at": c["hidden_at"]}
            for c in Comment.objects.filter(hidden_by=user)
            .order_by("hidden_at", "id")
            .values("id", "hidden_at")
        ],
    }


def _checkins_of(user: User, reports: list[CheckInReport]) -> dict[str, Any]:
    return {
        "rsvps": [
            _rsvp(r)
            for r in Rsvp.objects.filter(user=user)
            .select_related("checkin__convoy")
            .order_by("created_at", "id")
        ],
        "reports": [_report(r) for r in reports],
        "scheduled_by_you": [
            {
                "id": c.pk,
                "convoy": _convoy(c.convoy),
                "series": c.series_id,
                "title": c.title,
                "starts_at": c.starts_at,
                "ends_at": c.ends_at,
                "location": c.location,
                "video_url": c.video_url,
                "agenda": c.agenda,
                "capacity": c.capacity,
                "rsvp_deadline": c.rsvp_deadline,
                "status": c.status,
                "notes": c.notes,
                "notes_posted_at": c.notes_posted_at,
                "created_at": c.created_at,
                "updated_at": c.updated_at,
            }
            for c in CheckIn.objects.filter(created_by=user)
            .select_related("convoy")
            .order_by("created_at", "id")
        ],
        "series_scheduled_by_you": [
            {
                "id": s.pk,
                "convoy": _convoy(s.convoy),
                "every_weeks": s.every_weeks,
                "created_at": s.created_at,
            }
            for s in CheckInSeries.objects.filter(created_by=user)
            .select_related("convoy")
            .order_by("created_at", "id")
        ],
    }


def _notifications_of(user: User) -> dict[str, Any]:
    return {
        "notifications": [
            {
                "id": n.pk,
                "kind": n.kind,
                "convoy": _convoy(n.convoy),
                "about": {"type": n.target_type, "id": n.target_id} if n.target_type else None,
                "data": {
                    k: v for k, v in (n.data or {}).items() if k not in _NOTIFICATION_DATA_OMITTED
                },
                "channel": n.channel,
                "created_at": n.created_at,
                "read_at": n.read_at,
                "emailed_at": n.emailed_at,
            }
            for n in Notification.objects.filter(recipient=user)
            .select_related("convoy")
            .order_by("created_at", "id")
        ],
        "digests": [
            {
                "channel": d.channel,
                "period": d.period,
                "created_at": d.created_at,
                "sent_at": d.sent_at,
            }
            for d in DigestDelivery.objects.filter(user=user).order_by("created_at", "id")
        ],
        "nudges_sent_by_you": [
            {
                "convoy": _convoy(n.convoy),
                "company": _company(n.company),
                "day": n.day,
                "message": n.message,
                "created_at": n.created_at,
            }
            for n in Nudge.objects.filter(actor=user)
            .select_related("convoy", "company")
            .order_by("created_at", "id")
        ],
    }


def _preferences_of(user: User) -> dict[str, Any]:
    delivery = DeliverySettings.objects.filter(user=user).first()
    return {
        "language": user.language,
        "timezone": user.timezone,
        "notification_channels": {
            p.kind: p.channel
            for p in NotificationPreference.objects.filter(user=user).order_by("kind")
        },
        "delivery": {
            "quiet_from": delivery.quiet_from if delivery else None,
            "quiet_until": delivery.quiet_until if delivery else None,
            "weekends": delivery.weekends if delivery else False,
        },
        "muted_convoys": [
            {"convoy": _convoy(m.convoy), "snoozed_until": m.until}
            for m in ConvoyMute.objects.filter(user=user)
            .select_related("convoy")
            .order_by("convoy__name", "id")
        ],
    }


def _access_of(user: User) -> dict[str, Any]:
    """Calendar links, API tokens, signed-in browsers: when and where, never the secret
    (feed nonce and hash, token digest, session key)."""
    return {
        "calendar_feeds.json": [
            {
                "created_at": f.created_at,
                "revoked_at": f.revoked_at,
                "active": f.revoked_at is None,
            }
            for f in CalendarFeed.objects.filter(user=user).order_by("created_at", "id")
        ],
        "api_tokens.json": [
            {
                "id": t.pk,
                "name": t.name,
                "starts_with": t.token_key[:TOKEN_PREFIX_LENGTH],
                "created": t.created,
                "expiry": t.expiry,
            }
            for t in ApiToken.objects.filter(user=user).order_by("created", "id")
        ],
        "sessions.json": [
            {
                "signed_in": s.created,
                "last_active": s.last_seen,
                "ip_address": s.ip_address,
                "browser": s.user_agent,
            }
            for s in UserSession.objects.filter(user=user).order_by("created", "id")
        ],
    }


def _sent_invitation(invitation: Any, kind: str, where: dict[str, Any] | None) -> dict[str, Any]:
    # The invited address is the other person's: left out.
    data = {
        "kind": kind,
        "id": invitation.pk,
        kind: where,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "state": _invitation_state(invitation),
    }
    if kind == "company":
        data["role"] = invitation.role
    return data


def _invitations_of(user: User) -> dict[str, Any]:
    return {
        "sent_by_you": [
            _sent_invitation(i, "company", _company(i.company))
            for i in CompanyInvitation.objects.filter(invited_by=user)
            .select_related("company")
            .order_by("created_at", "id")
        ]
        + [
            _sent_invitation(i, "convoy", _convoy(i.convoy))
            for i in Invitation.objects.filter(invited_by=user)
            .select_related("convoy")
            .order_by("created_at", "id")
        ],
        "accepted_by_you": [
            {"kind": "company", "company": _company(i.company), "accepted_at": i.accepted_at}
            for i in CompanyInvitation.objects.filter(accepted_by=user)
            .select_related("company")
            .order_by("accepted_at", "id")
        ]
        + [
            {
                "kind": "convoy",
                "convoy": _convoy(i.convoy),
                "company": _company(i.company),
                "accepted_at": i.accepted_at,
            }
            for i in Invitation.objects.filter(accepted_by=user)
            .select_related("convoy", "company")
            .order_by("accepted_at", "id")
        ],
    }


def _programmes_of(user: User) -> dict[str, Any]:
    services = (
        Service.objects.filter(Q(coach=user) | Q(created_by=user))
        .select_related("programme", "company")
        .order_by("date", "id")
    )
    return {
        "staff": [
            {
                "programme": {"id": s.programme_id, "name": s.programme.name},
                "role": s.role,
                "added_at": s.added_at,
            }
            for s in Staff.objects.filter(user=user)
            .select_related("programme")
            .order_by("added_at", "id")
        ],
        "staff_invitations_sent": [
            {
                "programme": {"id": i.programme_id, "name": i.programme.name},
                "role": i.role,
                "created_at": i.created_at,
                "expires_at": i.expires_at,
                "state": _invitation_state(i),
            }
            for i in StaffInvitation.objects.filter(invited_by=user)
            .select_related("programme")
            .order_by("created_at", "id")
        ],
        "services": [
            {
                "id": s.pk,
                "programme": {"id": s.programme_id, "name": s.programme.name},
                "company": _company(s.company),
                "kind": s.kind,
                "category": s.category,
                "date": s.date,
                "minutes": s.minutes,
                "you_delivered": s.coach_id == user.pk,
                "you_recorded": s.created_by_id == user.pk,
                # The notes are the recording person's writing (and may change after someone
                # else is credited and has left): only the one who recorded gets them.
                **({"notes": s.notes} if s.created_by_id == user.pk else {}),
            }
            for s in services
        ],
        # Where staff noted this person's address as a company's contact.
        "contact_person_of": [
            {
                "programme": {"id": r.programme_id, "name": r.programme.name},
                "company": _company(r.company),
                "contact_name": r.contact_name,
                "contact_email": r.contact_email,
            }
            for r in CompanyRecord.objects.filter(contact_email__iexact=user.email)
            .select_related("programme", "company")
            .order_by("pk")
        ],
    }


def _check(response: CheckResponse, *, with_answers: bool) -> dict[str, Any]:
    """A Digitalisierungs-Check: its answers and snapshot for the company's people; for its
    advisor only that they took it with the company."""
    data: dict[str, Any] = {
        "id": response.pk,
        "company": _company(response.company),
        "stage": response.stage,
        "status": response.status,
        "questionnaire_version": response.questionnaire_version,
        "advisor_assisted": response.advisor_assisted,
        "created_at": response.created_at,
        "submitted_at": response.submitted_at,
    }
    if with_answers:
        data.update(
            {
                "answers": response.answers,
                "rule_version": response.rule_version,
                "scores": response.scores,
                "suggestions": [r.get("category") for r in response.recommendations or []],
                "respondent": response.respondent_id,
            }
        )
    return data


def _checks_of(user: User) -> dict[str, Any]:
    responses = (
        CheckResponse.objects.filter(Q(respondent=user) | Q(advisor=user))
        .select_related("company")
        .order_by("created_at", "id")
    )
    return {
        "taken": [_check(r, with_answers=True) for r in responses if r.respondent_id == user.pk],
        "as_advisor": [
            _check(r, with_answers=False) for r in responses if r.respondent_id != user.pk
        ],
    }


def _personal_sections(user: User) -> dict[str, Any]:
    """The person's files: {"json": {name: data}, "files": [(name, markdown)]}."""
    audit = _audit_entries(user)
    companies, convoys = _companies_and_convoys(user)
    projects = (
        Project.objects.filter(created_by=user)
        .select_related("company")
        .prefetch_related("convoys", "milestones")
        .order_by("created_at", "id")
    )
    updates = list(
        Update.objects.filter(author=user)
        .select_related("convoy", "company")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.only("id")))
        .order_by("created_at", "id")
    )
    comments = list(
        Comment.objects.filter(author=user)
        .select_related("convoy", "company")
        .prefetch_related(
            Prefetch("revisions", queryset=CommentRevision.objects.order_by("written_at", "id"))
        )
        .order_by("created_at", "id")
    )
    reports = list(
        CheckInReport.objects.filter(author=user)
        .select_related("checkin__convoy", "company")
        .order_by("created_at", "id")
    )
    activity = [
        {"convoy": _convoy(e.convoy), "seq": e.seq, "kind": e.kind, "at": e.at}
        for e in Event.objects.filter(actor=user).select_related("convoy").order_by("at", "id")
    ]
    return {
        "json": {
            "profile.json": _profile(user, audit),
            "companies.json": companies,
            "convoys.json": convoys,
            "projects.json": [_project(p) for p in projects],
            "updates.json": [_update(u) for u in updates],
            "comments.json": _comments_of(user, comments),
            "checkins.json": _checkins_of(user, reports),
            "notifications.json": _notifications_of(user),
            "preferences.json": _preferences_of(user),
            **_access_of(user),
            "audit_log.json": audit,
            "invitations.json": _invitations_of(user),
            "activity.json": activity,
            "programmes.json": _programmes_of(user),
            "checks.json": _checks_of(user),
        },
        "files": [
            *((_md_name("updates", u.created_at, u.pk), _update_markdown(u)) for u in updates),
            *(
                (_md_name("comments", c.created_at, c.pk), _comment_markdown(c))
                for c in comments
                if c.deleted_at is None
            ),
            *(
                (_md_name("checkin-reports", r.created_at, r.pk), _report_markdown(r))
                for r in reports
            ),
        ],
    }


def _build(*, kind: str, subject: str, sections: dict[str, Any], language: str) -> bytes:
    archive = _Archive()
    files = sections["files"]
    with translation.override(language):
        archive.text(
            "README.txt",
            _readme(
                kind=kind,
                subject=subject,
                made_at=timezone.now(),
                files=list(sections["json"]),
            ),
        )
    for name, data in sections["json"].items():
        archive.json(name, data)
    for name, text in files:
        archive.text(name, text)
    return archive.close()


def personal_data_export(
    user: User, *, request: HttpRequest | None = None, by_operator: bool = False
) -> bytes:
    """Everything Konvoi holds about `user`, as a ZIP (see the module docstring). Records
    DATA_EXPORTED in the audit log ({"by": "operator"} when an operator ran it)."""
    with translation.override(user.language):
        sections = _personal_sections(user)
    content = _build(kind="person", subject=user.name, sections=sections, language=user.language)
    audit_record(
        action=Action.DATA_EXPORTED,
        user=user,
        request=request,
        target=f"user:{user.pk}",
        data={"format": "zip", **({"by": "operator"} if by_operator else {})},
    )
    return content


# ---------------------------------------------------------------------------------------
# The company's export


def _company_sections(company: Company) -> dict[str, Any]:
    members = list(
        CompanyMember.objects.filter(company=company)
        .select_related("user")
        .order_by("user__name", "id")
    )
    member_ids = [m.user_id for m in members]
    members_data = {
        # The company page shows its people's names and e-mail addresses to everyone who may
        # open it (frontend.facilitator_views.company_detail): the owner gets the same.
        "members": [
            {
                "id": m.user_id,
                "name": m.user.display_name,
                "email": m.user.contact_email,
                "handle": m.user.handle,
                "role": m.role,
                "joined_at": m.joined_at,
            }
            for m in members
        ],
        # Owners see the colleague invitations and their addresses on the company page.
        "invitations": [
            {
                "id": i.pk,
                "email": i.email,
                "role": i.role,
                "invited_by": _author_name(i.invited_by) if i.invited_by_id else None,
                "created_at": i.created_at,
                "expires_at": i.expires_at,
                "accepted_at": i.accepted_at,
                "revoked_at": i.revoked_at,
                "state": _invitation_state(i),
            }
            for i in CompanyInvitation.objects.filter(company=company)
            .select_related("invited_by")
            .order_by("created_at", "id")
        ],
    }
    seats = list(
        Membership.objects.filter(company=company)
        .select_related("convoy")
        .order_by("joined_at", "id")
    )
    convoys = [
        {
            "convoy": _convoy(m.convoy),
            "status": m.status,
            "joined_at": m.joined_at,
            "ended_at": m.ended_at,
        }
        for m in seats
    ]
    projects = [
        _project(p, with_creator=True)
        for p in Project.objects.filter(company=company)
        .select_related("company", "created_by")
        .prefetch_related("convoys", "milestones")
        .order_by("created_at", "id")
    ]
    updates = list(
        Update.objects.filter(company=company)
        .select_related("convoy", "company", "author")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.only("id")))
        .order_by("created_at", "id")
    )
    reports = list(
        CheckInReport.objects.filter(company=company)
        .select_related("checkin__convoy", "company", "author")
        .order_by("created_at", "id")
    )
    convoy_ids = [m.convoy_id for m in seats]
    rsvps = [
        {**_rsvp(r), "person": _author_name(r.user)}
        for r in Rsvp.objects.filter(user_id__in=member_ids, checkin__convoy_id__in=convoy_ids)
        .select_related("checkin__convoy", "user")
        .order_by("created_at", "id")
    ]
    # What the company's people wrote as the company (Comment.company: the author's company
    # in the convoy when they wrote it). Others' comments on the company's posts are theirs.
    comments = list(
        Comment.objects.filter(company=company, deleted_at__isnull=True)
        .select_related("convoy", "company", "author")
        .prefetch_related(
            Prefetch("revisions", queryset=CommentRevision.objects.order_by("written_at", "id"))
        )
        .order_by("created_at", "id")
    )
    return {
        "json": {
            "company.json": _company_profile(company),
            "members.json": members_data,
            "company_convoys.json": convoys,
            "company_projects.json": projects,
            "company_updates.json": [_update(u, with_author=True) for u in updates],
            "company_checkins.json": {
                "reports": [_report(r, with_author=True) for r in reports],
                "rsvps": rsvps,
                # The facilitators' reminders to post an update (the message is to the company).
                "nudges_received": [
                    {
                        "convoy": _convoy(n.convoy),
                        "day": n.day,
                        "message": n.message,
                        "created_at": n.created_at,
                    }
                    for n in Nudge.objects.filter(company=company)
                    .select_related("convoy")
                    .order_by("created_at", "id")
                ],
            },
            "company_comments.json": [_comment(c, with_author=True) for c in comments],
            "company_checks.json": [
                _check(r, with_answers=True)
                for r in CheckResponse.objects.filter(company=company)
                .select_related("company")
                .order_by("created_at", "id")
            ],
        },
        "files": [
            *(
                (
                    _md_name("updates", u.created_at, u.pk),
                    _update_markdown(u, author=_author_name(u.author)),
                )
                for u in updates
            ),
            *(
                (
                    _md_name("comments", c.created_at, c.pk),
                    _comment_markdown(c, author=_author_name(c.author)),
                )
                for c in comments
            ),
            *(
                (
                    _md_name("checkin-reports", r.created_at, r.pk),
                    _report_markdown(r, author=_author_name(r.author)),
                )
                for r in reports
            ),
        ],
    }


def company_data_export(
    company: Company, *, actor: User | None, request: HttpRequest | None = None
) -> bytes:
    """The company's data for its owners, as a ZIP. `actor` must own the company (None: an
    operator's command). Records DATA_EXPORTED for the actor."""
    if (
        actor is not None
        and not CompanyMember.objects.filter(
            company=company, user=actor, role=CompanyRole.OWNER
        ).exists()
    ):
        raise PermissionDenied
    language = actor.language if actor is not None else settings.LANGUAGE_CODE
    with translation.override(language):
        sections = _company_sections(company)
    content = _build(kind="company", subject=company.name, sections=sections, language=language)
    audit_record(
        action=Action.DATA_EXPORTED,
        user=actor,
        request=request,
        target=f"company:{company.pk}",
        data={"format": "zip", **({"by": "operator"} if actor is None else {})},
    )
    return content
