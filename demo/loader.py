"""Builds the demo convoy of `demo.data` for newcomers (`manage.py load_demo`, `make run`).

Everything is created through the service functions, so memberships, projects, milestones,
updates, check-ins and comments come with their real Event log and notifications. The services
stamp "now"; afterwards each step's rows and events are moved back to the moment the story
says they happened, so the dashboard shows several weeks of progress, one company that has
gone quiet, and one that asks for help.

The convoy belongs to a programme (a Mittelstand-Digital centre) whose manager is the convoy's
facilitator and whose coach runs a second, smaller convoy; the staff recorded companies
without Konvoi accounts and the services they delivered over ten months, so the register, its
duplicate suggestions, the coach's overview and the funder report have something to show.

Each part of the story schedules its steps on one `_Story`, which runs them in time order:
the programme and its staff, the convoys and their memberships (people and companies first),
projects with their milestones and updates, check-ins, comments, recorded companies and
services. The notification history and the register's first and last contacts are settled at
the end.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from accounts.models import User
from accounts.services import user_register
from checkins.models import CheckIn, CheckInReport
from checkins.services import (
    Repeat,
    checkin_notes_post,
    checkin_schedule,
    report_file,
    rsvp_set,
)
from checks.keys import check_email_proof
from checks.models import CheckResponse
from checks.services import (
    check_answers_save,
    check_start,
    check_submit,
    public_check_contact,
    public_check_email_confirm,
    public_check_start,
)
from comments.models import Comment
from comments.services import comment_create, reaction_toggle
from companies.models import Company, CompanyMember
from companies.services import company_create, company_member_add
from convoys.models import Convoy, Event, Facilitator, Invitation, Membership
from convoys.services import convoy_create, invitation_accept, invitation_create
from demo.data import (
    CHECKS,
    COACH,
    COACH_ADDED,
    COMPANIES,
    CONVOY,
    CONVOY_CREATED,
    CONVOY_SERVICES,
    DEMO_CONVOY_NAME,
    DEMO_PASSWORD,
    EARLY_RECORD,
    EARLY_RECORD_MERGED,
    FACILITATOR,
    ISERLOHN_COMPANIES,
    ISERLOHN_CONVOY,
    ISERLOHN_CONVOY_NAME,
    ISERLOHN_CREATED,
    JANA,
    LUKAS,
    NEXT_CHECKIN,
    NEXT_CHECKIN_REPORT,
    NEXT_CHECKIN_RSVPS,
    NEXT_EVENT,
    PAST_CHECKIN,
    PAST_CHECKIN_NOTES,
    PAST_CHECKIN_NOTES_DAYS_AGO,
    PAST_CHECKIN_RSVPS,
    PAST_EVENT,
    PROGRAMME,
    PROGRAMME_CREATED,
    PUBLIC_CHECK,
    RECORDED,
    THREADS,
    TZ,
    C,
    DemoCheck,
    DemoComment,
    DemoEvent,
    M,
    Meeting,
    P,
    R,
    Registrant,
    S,
    U,
)
from events.matching import registration_company_confirm
from events.models import OpenEvent, Registration
from events.services import (
    attendance_check_in,
    event_create,
    registration_cancel,
    registration_create,
    walk_in_register,
)
from notifications.models import Channel, Notification
from programmes.models import CompanyRecord, Programme, Service, Staff, StaffRole, Touch
from programmes.services import (
    company_record_create,
    company_record_recompute,
    company_record_update,
    company_records_merge,
    programme_create,
    service_record,
    staff_add,
    staff_invitation_accept,
)
from projects.models import Milestone, Project, ProjectStatus, Update
from projects.services import (
    milestone_complete,
    milestone_create,
    milestone_update,
    project_create,
    project_update,
    update_post,
)


def demo_convoy() -> Convoy | None:
    """The demo convoy if it has been loaded."""
    return Convoy.objects.filter(name=DEMO_CONVOY_NAME, facilitators__email=FACILITATOR[1]).first()


# Who facilitates which convoy (and invites its companies).
CONVOY_FACILITATOR = {DEMO_CONVOY_NAME: FACILITATOR[1], ISERLOHN_CONVOY_NAME: COACH[1]}


def demo_logins() -> list[str]:
    """One line per demo account, for `load_demo`'s and `make run`'s output."""
    if demo_convoy() is None:
        return []
    programme = PROGRAMME["name"]
    rows = [
        (FACILITATOR[1], f"{FACILITATOR[0]} (facilitator; manager of {programme})"),
        (COACH[1], f"{COACH[0]} (coach of {programme}; facilitator of {ISERLOHN_CONVOY_NAME})"),
    ]
    for company in COMPANIES + ISERLOHN_COMPANIES:
        rows += [
            (email, f"{name} ({role}, {company.name})") for name, email, role in company.people
        ]
    width = max(len(email) for email, _label in rows)
    return [f"{email:<{width}}  {label}" for email, label in rows] + [
        f"{'password':<{width}}  {DEMO_PASSWORD}"
    ]


@transaction.atomic
def demo_load() -> Convoy:
    """Build the demo convoy and its history; the caller checks `demo_convoy()` first.

    One transaction: a failure halfway leaves no half demo behind, and the events are
    published (on commit) only once everything is in place.
    """
    cast = _Cast(story=_Story())
    _programme_and_staff(cast)
    _convoy_and_memberships(cast)
    _projects_milestones_and_updates(cast)
    _checkins(cast)
    _comments(cast)
    _register_and_services(cast)
    _open_events(cast)
    _checks(cast)
    cast.story.run()
    _notifications_history()
    _register_settled(cast)
    cast.convoy.refresh_from_db()
    return cast.convoy


# The story's clock and its steps.


def _when(days_ago: int, hour: int) -> datetime:
    """An aware moment `days_ago` days back, at a plausible office hour in Hagen."""
    day = timezone.localdate(timezone=TZ) - timedelta(days=days_ago)
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


def _due(days: int) -> date:
    return timezone.localdate(timezone=TZ) + timedelta(days=days)


def _stamp_event_data(value: Any, at: datetime) -> Any:
    # Event payloads carry the created_at/completed_at the service saw ("now"); keep the
    # log consistent with the backdated rows.
    if isinstance(value, dict):
        return {
            k: at.isoformat()
            if k in {"created_at", "completed_at"} and isinstance(v, str)
            else _stamp_event_data(v, at)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_stamp_event_data(v, at) for v in value]
    return value


# What the services stamp "now" and a step's moment replaces: (model, field). A step's rows
# with a stamp at or after the moment the step began were stamped by it.
_STAMPED: list[tuple[type[Any], str]] = [
    (Programme, "created_at"),
    (Staff, "added_at"),
    (Touch, "at"),
    (CompanyRecord, "created_at"),
    (Service, "created_at"),
    (Project, "started_at"),
    (Project, "completed_at"),
    (OpenEvent, "created_at"),
    (Registration, "created_at"),
    (Registration, "consent_at"),
    (CheckResponse, "created_at"),
    (CheckResponse, "submitted_at"),
    (CheckResponse, "consent_at"),
    (CheckResponse, "share_consent_at"),
    (CheckResponse, "email_confirmed_at"),
]


class _Story:
    """Runs the demo's steps in chronological order and backdates what each step wrote: the
    convoys' events, and the register's and projects' timestamps of `_STAMPED`."""

    def __init__(self) -> None:
        self.steps: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self.convoys: dict[str, Convoy] = {}  # by name
        self.programme: Programme | None = None

    def add(self, at: datetime, step: Callable[[datetime], None]) -> None:
        self.steps.append((at, len(self.steps), step))  # the index keeps ties in order

    def run(self) -> None:
        for at, _index, step in sorted(self.steps, key=lambda s: (s[0], s[1])):
            before = Event.objects.aggregate(last=Max("pk"))["last"] or 0
            began = timezone.now()
            step(at)
            for event in Event.objects.filter(pk__gt=before):
                event.at = at
                event.data = _stamp_event_data(event.data, at)
                event.save(update_fields=["at", "data"])
            for model, stamp in _STAMPED:
                model.objects.filter(**{f"{stamp}__gte": began}).update(**{stamp: at})


@dataclass
class _Cast:
    """What the story has built so far, under the keys `demo.data` names things by."""

    story: _Story
    users: dict[str, User] = field(default_factory=dict)  # by e-mail
    companies: dict[str, Company] = field(default_factory=dict)  # by name
    projects: dict[tuple[str, str], Project] = field(default_factory=dict)  # (company, title)
    milestones: dict[tuple[str, str], Milestone] = field(default_factory=dict)  # (company, title)
    updates: dict[tuple[str, int], Update] = field(default_factory=dict)  # (company, days ago)
    checkins: dict[str, CheckIn] = field(default_factory=dict)  # "past" / "next"
    comments: dict[str, Comment] = field(default_factory=dict)  # by DemoComment.key
    records: dict[str, CompanyRecord] = field(default_factory=dict)  # recorded, by name
    events: dict[str, OpenEvent] = field(default_factory=dict)  # by title
    registrations: dict[tuple[str, str], Registration] = field(
        default_factory=dict
    )  # (event title, person's name)
    public_check: CheckResponse | None = None  # the anonymous check, until it is confirmed

    @property
    def convoy(self) -> Convoy:
        """The demo convoy (Jana's)."""
        return self.convoy_named(DEMO_CONVOY_NAME)

    def convoy_named(self, name: str) -> Convoy:
        assert name in self.story.convoys, "a convoy is opened before its companies join"
        return self.story.convoys[name]

    @property
    def programme(self) -> Programme:
        assert self.story.programme is not None, "the programme is the story's first step"
        return self.story.programme

    def owner(self, c: C) -> User:
        return self.users[c.people[0][1]]


# The programme and its staff.


def _open_programme(cast: _Cast, at: datetime) -> None:
    """Jana creates the programme and so becomes its manager."""
    jana = _register(cast, *FACILITATOR, at)
    cast.story.programme = programme_create(user=jana, **PROGRAMME)


def _add_coach(cast: _Cast, at: datetime) -> None:
    """Jana invites Lukas to the staff (always an invitation), and he accepts it."""
    lukas = _register(cast, *COACH, at)
    invited = staff_add(
        programme=cast.programme, email=lukas.email, role=StaffRole.COACH, by=cast.users[JANA]
    )
    staff_invitation_accept(token=invited.token, user=lukas)


def _programme_and_staff(cast: _Cast) -> None:
    cast.story.add(_when(PROGRAMME_CREATED, 9), partial(_open_programme, cast))
    cast.story.add(_when(COACH_ADDED, 9), partial(_add_coach, cast))


# People and companies, the convoys and their memberships.


def _register(cast: _Cast, name: str, email: str, at: datetime) -> User:
    user = user_register(email=email, password=DEMO_PASSWORD, name=name)
    User.objects.filter(pk=user.pk).update(date_joined=at)
    cast.users[email] = user
    return user


def _open_convoy(cast: _Cast, fields: dict[str, Any], at: datetime) -> None:
    """The convoy's facilitator opens it in the programme (so every company that joins is in
    the programme's register, and so is every project it starts)."""
    facilitator = cast.users[CONVOY_FACILITATOR[fields["name"]]]
    convoy = convoy_create(actor=facilitator, programme=cast.programme.pk, **fields)
    cast.story.convoys[convoy.name] = convoy
    Convoy.objects.filter(pk=convoy.pk).update(created_at=at)
    Facilitator.objects.filter(convoy=convoy).update(added_at=at)


def _found_company(cast: _Cast, c: C, at: datetime) -> Company:
    """The company's people sign up and its owner creates it, with its other members."""
    owner_name, owner_email, _role = c.people[0]
    owner = _register(cast, owner_name, owner_email, at)
    company = company_create(
        actor=owner,
        name=c.name,
        sector=c.sector,
        size=c.size,
        city=c.city,
        region=c.region,
        website=c.website,
    )
    cast.companies[c.name] = company
    for name, email, role in c.people[1:]:
        _register(cast, name, email, at)
        company_member_add(actor=owner, company=company, email=email, role=role)
    Company.objects.filter(pk=company.pk).update(created_at=at)
    CompanyMember.objects.filter(company=company).update(joined_at=at)
    return company


def _join_convoy(cast: _Cast, c: C, at: datetime) -> None:
    """The company is founded an hour before its owner accepts the invitation to the convoy."""
    company = _found_company(cast, c, at - timedelta(hours=1))
    invitation, token = invitation_create(
        actor=cast.users[CONVOY_FACILITATOR[c.convoy]],
        convoy=cast.convoy_named(c.convoy),
        email=c.people[0][1],
    )
    membership = invitation_accept(actor=cast.owner(c), token=token, company=company)
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=at - timedelta(days=2),
        expires_at=at + timedelta(days=12),
        accepted_at=at,
    )
    Membership.objects.filter(pk=membership.pk).update(joined_at=at)


def _convoy_and_memberships(cast: _Cast) -> None:
    cast.story.add(_when(CONVOY_CREATED, 9), partial(_open_convoy, cast, CONVOY))
    cast.story.add(_when(ISERLOHN_CREATED, 9), partial(_open_convoy, cast, ISERLOHN_CONVOY))
    for c in COMPANIES + ISERLOHN_COMPANIES:
        cast.story.add(_when(c.joined, 11), partial(_join_convoy, cast, c))


# Projects, milestones and updates.


def _start_project(cast: _Cast, c: C, p: P, at: datetime) -> None:
    owner = cast.owner(c)
    project = project_create(
        actor=owner,
        company=cast.companies[c.name],
        title=p.title,
        category=p.category,
        description=p.description,
        status=p.status,
        start_date=at.date(),
        target_date=_due(p.target),
        follow_up_of=cast.projects[(c.name, p.follow_up_of)] if p.follow_up_of else None,
        convoy_ids=[cast.convoy_named(c.convoy).pk],
    )
    cast.projects[(c.name, p.title)] = project
    for m in p.milestones:
        cast.milestones[(c.name, m.title)] = milestone_create(
            actor=owner, project=project, title=m.title, due_date=_due(m.due), weight=m.weight
        )
    Project.objects.filter(pk=project.pk).update(created_at=at)
    Milestone.objects.filter(project=project).update(created_at=at)


def _complete_milestone(cast: _Cast, c: C, m: M, at: datetime) -> None:
    milestone = milestone_complete(
        actor=cast.owner(c), milestone=cast.milestones[(c.name, m.title)]
    )
    Milestone.objects.filter(pk=milestone.pk).update(completed_at=at)


def _change_milestone(cast: _Cast, c: C, m: M, at: datetime) -> None:
    milestone_update(
        actor=cast.owner(c), milestone=cast.milestones[(c.name, m.title)], status=m.status
    )


def _finish_project(cast: _Cast, c: C, p: P, at: datetime) -> None:
    project = cast.projects[(c.name, p.title)]
    # Its start was moved back after it was created; the register's touch carries that date.
    project.refresh_from_db(fields=["started_at"])
    project_update(actor=cast.owner(c), project=project, status=ProjectStatus.DONE)


def _post_update(cast: _Cast, c: C, u: U, at: datetime) -> None:
    update = update_post(
        actor=cast.users[c.people[u.author][1]],
        convoy=cast.convoy_named(c.convoy),
        company=cast.companies[c.name],
        body=u.body,
        next_steps=u.next_steps,
        help_wanted=u.help_wanted,
        stuck_on=u.stuck_on,
        milestone_ids=[cast.milestones[(c.name, t)].pk for t in u.milestones],
    )
    Update.objects.filter(pk=update.pk).update(created_at=at)
    cast.updates[(c.name, u.days_ago)] = update


def _projects_milestones_and_updates(cast: _Cast) -> None:
    add = cast.story.add
    for c in COMPANIES + ISERLOHN_COMPANIES:
        for p in c.projects:
            add(_when(p.started, 10), partial(_start_project, cast, c, p))
            for m in p.milestones:
                if m.done is not None:
                    add(_when(m.done, 15), partial(_complete_milestone, cast, c, m))
                elif m.status is not None:
                    add(_when(m.status_day or 1, 14), partial(_change_milestone, cast, c, m))
            if p.done is not None:
                add(_when(p.done, 16), partial(_finish_project, cast, c, p))
        for u in c.updates:
            add(_when(u.days_ago, 17), partial(_post_update, cast, c, u))


# Check-ins: a past one (done, with notes) and the next one, with answers and a report.


def _schedule_checkin(cast: _Cast, key: str, meeting: Meeting, at: datetime) -> None:
    day = timezone.localdate(timezone=TZ) + timedelta(days=meeting.held)
    starts_at = datetime.combine(day, time(17, 0), tzinfo=TZ)
    checkin = checkin_schedule(
        actor=cast.users[FACILITATOR[1]],
        convoy=cast.convoy,
        title=meeting.title,
        starts_at=starts_at,
        ends_at=datetime.combine(day, time(19, 0), tzinfo=TZ),
        rsvp_deadline=starts_at - timedelta(days=2),
        location=meeting.location,
        video_url=meeting.video_url,
        agenda=meeting.agenda,
        capacity=meeting.capacity,
        repeat=(
            Repeat(every_weeks=meeting.repeat_weeks, count=meeting.repeat_count)
            if meeting.repeat_count
            else None
        ),
    )
    meetings = CheckIn.objects.filter(pk=checkin.pk)
    if checkin.series_id:
        meetings = CheckIn.objects.filter(series_id=checkin.series_id)
    meetings.update(created_at=at, updated_at=at)
    cast.checkins[key] = checkin


def _answer(cast: _Cast, key: str, email: str, response: str, at: datetime) -> None:
    rsvp_set(actor=cast.users[email], checkin=cast.checkins[key], response=response, now=at)


def _post_notes(cast: _Cast, at: datetime) -> None:
    checkin_notes_post(
        actor=cast.users[FACILITATOR[1]],
        checkin=cast.checkins["past"],
        now=at,
        notes=PAST_CHECKIN_NOTES,
    )


def _file_report(cast: _Cast, at: datetime) -> None:
    report = NEXT_CHECKIN_REPORT
    filed = report_file(
        actor=cast.users[report.author],
        checkin=cast.checkins["next"],
        company=cast.companies[report.company],
        moved=report.moved,
        next_steps=report.next_steps,
        help_needed=report.help_needed,
    )
    CheckInReport.objects.filter(pk=filed.pk).update(created_at=at, updated_at=at)


def _checkins(cast: _Cast) -> None:
    add = cast.story.add
    add(_when(PAST_CHECKIN.scheduled, 10), partial(_schedule_checkin, cast, "past", PAST_CHECKIN))
    for days, email in PAST_CHECKIN_RSVPS:
        add(_when(days, 12), partial(_answer, cast, "past", email, "yes"))
    add(_when(PAST_CHECKIN_NOTES_DAYS_AGO, 20), partial(_post_notes, cast))

    add(_when(NEXT_CHECKIN.scheduled, 10), partial(_schedule_checkin, cast, "next", NEXT_CHECKIN))
    for hours, email, response in NEXT_CHECKIN_RSVPS:
        add(_when(2, 9) + timedelta(hours=hours), partial(_answer, cast, "next", email, response))
    add(_when(NEXT_CHECKIN_REPORT.days_ago, 12), partial(_file_report, cast))


# Comments: threads with replies, a mention and reactions.


def _comment(cast: _Cast, demo: DemoComment, at: datetime) -> None:
    target: dict[str, Any] = {}
    if demo.parent:
        target["parent"] = cast.comments[demo.parent]
    elif demo.on_update:
        target.update(target_type="update", target_id=cast.updates[demo.on_update].pk)
    elif demo.on_milestone:
        target.update(target_type="milestone", target_id=cast.milestones[demo.on_milestone].pk)
    body = demo.body
    for email, user in cast.users.items():
        body = body.replace("{handle:" + email + "}", f"@{user.handle}")
    comment = comment_create(actor=cast.users[demo.author], body=body, **target)
    for email, emoji in demo.reactions:
        reaction_toggle(actor=cast.users[email], comment=comment, emoji=emoji)
    Comment.objects.filter(pk=comment.pk).update(created_at=at)
    # The mention's notification is dated with the comment that made it.
    Notification.objects.filter(key=f"comment:{comment.pk}").update(created_at=at)
    cast.comments[demo.key] = comment


def _comments(cast: _Cast) -> None:
    for demo in THREADS:
        cast.story.add(_when(demo.days_ago, demo.hour), partial(_comment, cast, demo))


# The register: companies without Konvoi accounts the staff recorded, services, a merge.


def _record_company(cast: _Cast, r: R, at: datetime) -> None:
    cast.records[r.name] = company_record_create(
        programme=cast.programme,
        by=cast.users[r.by],
        name=r.name,
        sector=r.sector,
        size=r.size,
        city=r.city,
        postcode=r.postcode,
        region=r.region,
        contact_name=r.contact_name,
        contact_email=r.contact_email,
    )
    Company.objects.filter(pk=cast.records[r.name].company_id).update(created_at=at)


def _record_service(cast: _Cast, company_name: str, s: S, at: datetime) -> None:
    """The coach records the service on the day it was delivered."""
    record = cast.records.get(company_name)
    coach = cast.users[s.coach]
    service_record(
        programme=cast.programme,
        company=record.company if record else cast.companies[company_name],
        kind=s.kind,
        category=s.category,
        date=at.date(),
        minutes=s.minutes,
        coach=coach,
        notes=s.notes,
        by=coach,
    )


def _merge_early_record(cast: _Cast, at: datetime) -> None:
    """Sanitär Schulte's early record goes into the record of the company Markus created."""
    keep = CompanyRecord.objects.get(
        programme=cast.programme, company=cast.companies["Sanitär Schulte GmbH"]
    )
    company_records_merge(
        programme=cast.programme,
        keep=keep,
        duplicate=cast.records.pop(EARLY_RECORD.name),
        by=cast.users[JANA],
    )


def _register_and_services(cast: _Cast) -> None:
    add = cast.story.add
    for r in [*RECORDED, EARLY_RECORD]:
        add(_when(r.recorded, 10), partial(_record_company, cast, r))
        for s in r.services:
            add(_when(s.days_ago, 12), partial(_record_service, cast, r.name, s))
    add(_when(EARLY_RECORD_MERGED, 9), partial(_merge_early_record, cast))
    for company_name, s in CONVOY_SERVICES:
        add(_when(s.days_ago, 13), partial(_record_service, cast, company_name, s))


# Open events: created, registered for, checked in at the door and matched to the register
# through events.services and events.matching (one write path), each step at its moment.


def _event_start(e: DemoEvent) -> datetime:
    return _when(-e.days, e.hour)


def _create_event(cast: _Cast, e: DemoEvent, at: datetime) -> None:
    starts = _event_start(e)
    cast.events[e.title] = event_create(
        programme=cast.programme,
        by=cast.users[e.by],
        title=e.title,
        description=e.description,
        format=e.format,
        location=e.location,
        starts_at=starts,
        ends_at=starts + timedelta(hours=e.hours),
        capacity=e.capacity,
        registration_deadline=starts - timedelta(hours=12),
        max_per_company=e.max_per_company,
        questions=e.questions,
    )


def _register_for_event(cast: _Cast, e: DemoEvent, r: Registrant, at: datetime) -> None:
    created = registration_create(
        event=cast.events[e.title],
        name=r.name,
        email=r.email,
        company_name=r.company_name,
        postcode=r.postcode,
        size=r.size,
        sector=r.sector,
        consent=True,
        contact_consent=r.contact_consent,
        answers=r.answers or None,
        now=at,
    )
    cast.registrations[(e.title, r.name)] = created.registration


def _cancel_registration(cast: _Cast, e: DemoEvent, r: Registrant, at: datetime) -> None:
    registration_cancel(registration=cast.registrations[(e.title, r.name)], now=at)


def _check_in(cast: _Cast, e: DemoEvent, r: Registrant, at: datetime) -> None:
    attendance_check_in(
        event=cast.events[e.title],
        by=cast.users[e.by],
        registration=cast.registrations[(e.title, r.name)],
        now=at,
    )


def _walk_in(cast: _Cast, e: DemoEvent, r: Registrant, at: datetime) -> None:
    cast.registrations[(e.title, r.name)] = walk_in_register(
        event=cast.events[e.title],
        by=cast.users[e.by],
        name=r.name,
        company_name=r.company_name,
        postcode=r.postcode,
        email=r.email,
        size=r.size,
        sector=r.sector,
        contact_consent=r.contact_consent,
        now=at,
    )


def _match_company(cast: _Cast, e: DemoEvent, r: Registrant, at: datetime) -> None:
    """Staff confirm the registration's company: the register's entry of that name, or a
    new entry made from the registration."""
    registration = cast.registrations[(e.title, r.name)]
    registration.refresh_from_db()
    record = None
    if r.match == "record":
        record = CompanyRecord.objects.get(programme=cast.programme, company__name=r.company_name)
    matched = registration_company_confirm(
        registration=registration, by=cast.users[e.by], record=record, city=r.city
    )
    if record is None:
        Company.objects.filter(pk=matched.company_id).update(created_at=at)


def _open_events(cast: _Cast) -> None:
    add = cast.story.add
    for e in (PAST_EVENT, NEXT_EVENT):
        add(_when(e.created_days_ago, 9), partial(_create_event, cast, e))
        start = _event_start(e)
        for index, r in enumerate(e.registrants):
            if r.walk_in:
                add(start + timedelta(minutes=35 + index), partial(_walk_in, cast, e, r))
            else:
                add(_when(r.days_ago, 8 + index % 9), partial(_register_for_event, cast, e, r))
            if r.cancelled_days_ago is not None:
                add(_when(r.cancelled_days_ago, 18), partial(_cancel_registration, cast, e, r))
            if r.came and not r.walk_in:
                add(start + timedelta(minutes=5 + 3 * index), partial(_check_in, cast, e, r))
            if r.match:
                # The morning after the event, the coach goes through the list.
                add(_when(-e.days - 1, 9), partial(_match_company, cast, e, r))


# The Digitalisierungs-Check through checks.services (one write path): each company's T0 when
# it joins, two T1 after their projects, and an anonymous check shared with the programme.


def _take_check(cast: _Cast, demo: DemoCheck, at: datetime) -> None:
    c = next(c for c in COMPANIES + ISERLOHN_COMPANIES if c.name == demo.company)
    company = cast.companies[demo.company]
    actor = cast.users[LUKAS] if demo.with_coach else cast.owner(c)
    response = check_start(
        actor=actor, company=company, stage=demo.stage, advisor_assisted=demo.with_coach
    )
    check_answers_save(response=response, answers=demo.answers)
    check_submit(response=response)


def _take_public_check(cast: _Cast, at: datetime) -> None:
    """From the programme's public page: answers, submit, an address with the share, and the
    confirmation from the e-mail's link (its proof) an hour later."""
    demo = PUBLIC_CHECK
    response, _token = public_check_start(
        programme=cast.programme, language="de", sector=demo.sector, size=demo.size
    )
    check_answers_save(response=response, answers=demo.answers)
    check_submit(response=response)
    public_check_contact(
        response=response,
        email=demo.email,
        consent=True,
        share_with_programme=True,
        contact_name=demo.contact_name,
        company_name=demo.company_name,
        postcode=demo.postcode,
    )
    cast.public_check = response


def _confirm_public_check(cast: _Cast, at: datetime) -> None:
    response = cast.public_check
    assert response is not None, "the public check is taken before it is confirmed"
    response.refresh_from_db()
    public_check_email_confirm(response=response, proof=check_email_proof(response), accept=True)
    record = CompanyRecord.objects.get(
        programme=cast.programme, company__name=PUBLIC_CHECK.company_name
    )
    Company.objects.filter(pk=record.company_id).update(created_at=at)


def _complete_shared_entry(cast: _Cast, at: datetime) -> None:
    """The next morning the coach adds the town the shared check's entry lacks."""
    record = CompanyRecord.objects.get(
        programme=cast.programme, company__name=PUBLIC_CHECK.company_name
    )
    company_record_update(
        record=record, by=cast.users[LUKAS], city=PUBLIC_CHECK.city, region=PUBLIC_CHECK.city
    )


def _checks(cast: _Cast) -> None:
    add = cast.story.add
    for demo in CHECKS:
        add(_when(demo.days_ago, 14), partial(_take_check, cast, demo))
    add(_when(PUBLIC_CHECK.days_ago, 19), partial(_take_public_check, cast))
    add(_when(PUBLIC_CHECK.days_ago, 20), partial(_confirm_public_check, cast))
    add(_when(PUBLIC_CHECK.days_ago - 1, 9), partial(_complete_shared_entry, cast))


def _register_settled(cast: _Cast) -> None:
    # The touches were moved back after the services had kept each record's first and last
    # contact from them: set those again from the touches.
    for record in CompanyRecord.objects.filter(programme=cast.programme):
        company_record_recompute(record=record)


# The notification history.


def _notifications_history() -> None:
    # The demo's history happened "in the past": its notifications are there to read, but
    # their e-mails are not sent again on every start (reminders that are due now still are).
    Notification.objects.filter(channel=Channel.EMAIL, emailed_at__isnull=True).update(
        emailed_at=F("created_at")
    )
