"""The convoy export for its facilitators: one workbook with a sheet each for companies,
projects, milestones, updates, check-ins and attendance.

Only what a facilitator sees of the convoy: its active member companies, the projects shared
with it (unarchived) and their milestones, the updates posted to it, its check-ins and the
answers to them. Eight queries whatever the size of the convoy; values are translated, times
are Excel date-times in the convoy's time zone (checkins.exports.xlsx_sheet).
"""

from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from openpyxl import Workbook

from checkins.exports import rsvp_labels, xlsx_sheet, xlsx_workbook, yes_no
from checkins.models import CheckIn, CheckInStatus, Rsvp, RsvpStatus
from companies.models import Sector, SizeBand
from convoys.models import Convoy
from convoys.selectors import convoy_company_members, convoy_memberships
from projects.models import Milestone, MilestoneStatus, Project, ProjectCategory, ProjectStatus
from projects.selectors import unarchived, updates_for_convoy


def _label(choices: type[models.TextChoices], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def convoy_export_filename(convoy: Convoy) -> str:
    return f"convoy-{convoy.pk}-export.xlsx"


def convoy_export_workbook(*, convoy: Convoy) -> Workbook:
    tz = ZoneInfo(convoy.timezone)
    workbook = xlsx_workbook()

    memberships = list(convoy_memberships(convoy=convoy))
    xlsx_sheet(
        workbook,
        title=_("Companies"),
        headers=[
            _("Company"),
            _("Sector"),
            _("Size"),
            _("City"),
            _("Region"),
            _("Website"),
            _("Member since"),
        ],
        rows=(
            [
                m.company.name,
                _label(Sector, m.company.sector),
                _label(SizeBand, m.company.size),
                m.company.city,
                m.company.region,
                m.company.website,
                m.joined_at,
            ]
            for m in memberships
        ),
        tz=tz,
    )

    projects = list(
        # As the dashboard: the projects of the companies in the convoy now (a company that left
        # takes its projects with it; its updates stay in the convoy's history below).
        unarchived(
            Project.objects.filter(
                convoys=convoy, company_id__in=[m.company_id for m in memberships]
            )
        )
        .select_related("company")
        .order_by("company__name", "company_id", "title", "id")
    )
    xlsx_sheet(
        workbook,
        title=_("Projects"),
        headers=[
            _("Company"),
            _("Project"),
            _("Category"),
            _("Status"),
            _("Start date"),
            _("Target date"),
            _("Created at"),
        ],
        rows=(
            [
                p.company.name,
                p.title,
                _label(ProjectCategory, p.category),
                _label(ProjectStatus, p.status),
                p.start_date,
                p.target_date,
                p.created_at,
            ]
            for p in projects
        ),
        tz=tz,
    )

    milestones = (
        Milestone.objects.filter(project__in=[p.pk for p in projects])
        .select_related("project__company")
        .order_by("project__company__name", "project__title", "project_id", "due_date", "id")
    )
    xlsx_sheet(
        workbook,
        title=_("Milestones"),
        headers=[
            _("Company"),
            _("Project"),
            _("Milestone"),
            _("Status"),
            _("Due date"),
            _("Completed at"),
            _("Weight"),
        ],
        rows=(
            [
                m.project.company.name,
                m.project.title,
                m.title,
                _label(MilestoneStatus, m.status),
                m.due_date,
                m.completed_at,
                m.weight,
            ]
            for m in milestones
        ),
        tz=tz,
    )

    updates = updates_for_convoy(convoy=convoy).prefetch_related(None)
    xlsx_sheet(
        workbook,
        title=_("Updates"),
        headers=[
            _("Posted at"),
            _("Company"),
            _("Author"),
            _("What moved"),
            _("What is next"),
            _("Help wanted"),
            _("Where we are stuck"),
        ],
        rows=(
            [
                u.created_at,
                u.company.display_name,
                u.author.display_name if u.author else "",
                u.body,
                u.next_steps,
                yes_no(u.help_wanted),
                u.stuck_on,
            ]
            for u in updates
        ),
        tz=tz,
    )

    checkins = list(
        CheckIn.objects.filter(convoy=convoy)
        .annotate(
            confirmed=Count("rsvps", filter=Q(rsvps__status=RsvpStatus.CONFIRMED)),
            waitlisted=Count("rsvps", filter=Q(rsvps__status=RsvpStatus.WAITLISTED)),
        )
        .order_by("starts_at", "id")
    )
    xlsx_sheet(
        workbook,
        title=_("Check-ins"),
        headers=[
            _("Check-in"),
            _("Starts at"),
            _("Ends at"),
            _("Place"),
            _("Status"),
            _("Capacity"),
            _("Confirmed"),
            _("On the waitlist"),
        ],
        rows=(
            [
                c.title,
                c.starts_at,
                c.ends_at,
                c.location or c.video_url,
                _label(CheckInStatus, c.status),
                c.capacity,
                c.confirmed,
                c.waitlisted,
            ]
            for c in checkins
        ),
        tz=tz,
    )

    company_of: dict[int, str] = {}
    for user_id, company_name in (
        convoy_company_members(convoy_id=convoy.pk)
        .order_by("company__name")
        .values_list("user_id", "company__name")
    ):
        company_of.setdefault(user_id, company_name)
    rsvps = (
        Rsvp.objects.filter(checkin__convoy=convoy)
        .select_related("user", "checkin")
        .order_by("checkin__starts_at", "checkin_id", "user__name", "user_id")
    )
    rows = []
    for r in rsvps:
        response, status = rsvp_labels(r.response, r.status)
        rows.append(
            [
                r.checkin.title,
                r.checkin.starts_at,
                r.user.display_name,
                r.user.contact_email,
                company_of.get(r.user_id, ""),
                response,
                status,
                r.updated_at,
            ]
        )
    xlsx_sheet(
        workbook,
        title=_("Attendance"),
        headers=[
            _("Check-in"),
            _("Starts at"),
            _("Name"),
            _("E-mail"),
            _("Company"),
            _("Response"),
            _("Status"),
            _("Answered at"),
        ],
        rows=rows,
        tz=tz,
    )
    return workbook
