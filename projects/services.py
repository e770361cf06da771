"""Writes for projects, milestones and updates.

Each function is the one write path for its action (web UI, API, tasks). Changes that convoy
members see are recorded as Events in the convoys the project is shared with.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.text import name_clean
from companies.models import Company
from companies.selectors import is_company_member, is_company_owner
from convoys.events import EventKind, event_record
from convoys.models import Convoy, Membership
from modelutils.update import model_update
from notifications.models import Notification
from notifications.models import TargetType as NotificationTarget
from programmes.models import Programme, TouchKind
from programmes.services import company_touch
from projects.hooks import targets_deleted_dispatch
from projects.models import Milestone, MilestoneStatus, Project, ProjectStatus, Update

PROJECT_FIELDS = {
    "title",
    "description",
    "category",
    "status",
    "start_date",
    "target_date",
    "follow_up_of",
}
MILESTONE_FIELDS = {"title", "due_date", "status", "weight"}
UPDATE_FIELDS = {"body", "next_steps", "stuck_on", "help_wanted"}
# First milestones taken with a new project (the one-screen project form).
FIRST_MILESTONES_MAX = 3


def _require_company_member(*, actor: User, company_id: int) -> None:
    if not is_company_member(user=actor, company_id=company_id):
        raise PermissionDenied(_("Only people of the company may do this."))


def _active_convoy_ids(*, company_id: int, convoy_ids: Iterable[int]) -> list[int]:
    return sorted(
        Membership.objects.active()
        .filter(company_id=company_id, convoy_id__in=list(convoy_ids))
        .values_list("convoy_id", flat=True)
    )


def _company_convoy_ids(*, company_id: int) -> list[int]:
    return sorted(
        Membership.objects.active()
        .filter(company_id=company_id)
        .values_list("convoy_id", flat=True)
    )


def _project_convoy_ids(project: Project) -> list[int]:
    return _active_convoy_ids(
        company_id=project.company_id,
        convoy_ids=project.convoys.values_list("pk", flat=True),
    )


def _project_data(project: Project) -> dict[str, Any]:
    return {
        "id": project.pk,
        "title": project.title,
        "category": project.category,
        "status": project.status,
        "company": {"id": project.company_id, "name": project.company.name},
    }


def _milestone_data(milestone: Milestone) -> dict[str, Any]:
    return {
        "id": milestone.pk,
        "title": milestone.title,
        "status": milestone.status,
        "due_date": milestone.due_date.isoformat() if milestone.due_date else None,
        "weight": milestone.weight,
        "completed_at": milestone.completed_at.isoformat() if milestone.completed_at else None,
        "project": {"id": milestone.project_id, "title": milestone.project.title},
        "company": {"id": milestone.project.company_id, "name": milestone.project.company.name},
    }


def _update_data(update: Update, milestone_ids: list[int]) -> dict[str, Any]:
    return {
        "id": update.pk,
        "company": {"id": update.company_id, "name": update.company.name},
        "body": update.body,
        "next_steps": update.next_steps,
        "help_wanted": update.help_wanted,
        "stuck_on": update.stuck_on,
        "milestones": milestone_ids,
        "created_at": update.created_at.isoformat(),
    }


def _status_dates(project: Project, *, was: str | None) -> dict[str, Any]:
    """The dates a status change stamps: `started_at` the first time the project is in
    progress (or done directly), `completed_at` when it becomes done (cleared when it leaves
    done; `started_at` stays)."""
    dates: dict[str, Any] = {}
    started = (ProjectStatus.IN_PROGRESS, ProjectStatus.DONE)
    if project.status in started and project.started_at is None:
        dates["started_at"] = timezone.now()
    if project.status == ProjectStatus.DONE and was != ProjectStatus.DONE:
        dates["completed_at"] = timezone.now()
    elif project.status != ProjectStatus.DONE and project.completed_at is not None:
        dates["completed_at"] = None
    return dates


def _programmes_touch(project: Project, convoy_ids: Iterable[int]) -> None:
    """Tell the register of each programme running one of the project's convoys that the
    company started (and completed) a project. Touches are keyed by the project and carry its
    own dates, so touching again (another status change, a new convoy) changes nothing; a
    project taken back from done keeps its completed touch (the register records what
    happened, the funnel only moves on)."""
    if project.started_at is None:
        return
    programmes = Programme.objects.filter(convoys__pk__in=list(convoy_ids)).distinct()
    for programme in programmes:
        touches = [(TouchKind.PROJECT_STARTED, project.started_at)]
        if project.completed_at is not None:
            touches.append((TouchKind.PROJECT_COMPLETED, project.completed_at))
        for kind, at in touches:
            company_touch(
                programme=programme,
                company=project.company,
                kind=kind,
                source=f"project:{project.pk}",
                at=at,
                # No label: a project's title is convoy content, not for programme staff
                # (the kind says "project started/completed").
            )


def _record_in(convoy_ids: Iterable[int], *, kind: str, data: dict, actor: User) -> None:
    for convoy_id in sorted(set(convoy_ids)):
        event_record(convoy_id=convoy_id, kind=kind, data=data, actor=actor)


def _check_convoys(*, company: Company, convoy_ids: list[int]) -> list[int]:
    active = _active_convoy_ids(company_id=company.pk, convoy_ids=convoy_ids)
    missing = sorted(set(convoy_ids) - set(active))
    if missing:
        raise ValidationError(
            {
                "convoys": [
                    _("The company is not a member of convoy %(ids)s.")
                    % {"ids": ", ".join(map(str, missing))}
                ]
            }
        )
    return active


def _check_follow_up(*, company: Company, follow_up_of: Project | None) -> None:
    if follow_up_of is not None and follow_up_of.company_id != company.pk:
        raise ValidationError(
            {"follow_up_of": [_("A follow-up must continue a project of the same company.")]}
        )


@transaction.atomic
def project_create(
    *,
    actor: User,
    company: Company,
    title: str,
    category: str,
    description: str = "",
    status: str = "planned",
    start_date: date | None = None,
    target_date: date | None = None,
    follow_up_of: Project | None = None,
    convoy_ids: list[int] | None = None,
    milestones: Sequence[Mapping[str, Any]] = (),
) -> Project:
    """A company starts a project. It is shared with every convoy the company is an active
    member of unless `convoy_ids` says otherwise (`[]`: not shared). `milestones` (title and
    optional due_date/weight each, at most three) are its first steps, created in the same
    transaction through milestone_create."""
    _require_company_member(actor=actor, company_id=company.pk)
    if convoy_ids is None:
        convoy_ids = _company_convoy_ids(company_id=company.pk)
    convoy_ids = _check_convoys(company=company, convoy_ids=list(convoy_ids))
    if len(milestones) > FIRST_MILESTONES_MAX:
        raise ValidationError(
            {
                "milestones": [
                    _("At most %(n)d first milestones can be added with a new project.")
                    % {"n": FIRST_MILESTONES_MAX}
                ]
            }
        )
    _check_follow_up(company=company, follow_up_of=follow_up_of)
    project = Project(
        company=company,
        title=name_clean(title, field="title"),
        category=category,
        description=description,
        status=status,
        start_date=start_date,
        target_date=target_date,
        follow_up_of=follow_up_of,
        created_by=actor,
    )
    for name, value in _status_dates(project, was=None).items():
        setattr(project, name, value)
    project.full_clean()
    project.save()
    project.convoys.set(convoy_ids)
    _programmes_touch(project, convoy_ids)
    _record_in(
        convoy_ids,
        kind=EventKind.PROJECT_CREATED,
        data={"project": _project_data(project)},
        actor=actor,
    )
    for values in milestones:
        try:
            milestone_create(actor=actor, project=project, **values)
        except ValidationError as exc:
            # Named on the list, not on the project's own title field.
            raise ValidationError({"milestones": exc.messages}) from exc
    return project


@transaction.atomic
def project_update(
    *, actor: User, project: Project, convoy_ids: list[int] | None = None, **fields: Any
) -> Project:
    """Change a project's fields and/or the convoys it is shared with.

    Events, in the same transaction: `project.shared` in each newly shared convoy (the
    project appears there), `project.unshared` in each convoy it leaves, and
    `project.updated` (with the changed fields) in the convoys it stays shared with.
    """
    _require_company_member(actor=actor, company_id=project.company_id)
    unknown = set(fields) - PROJECT_FIELDS
    if unknown:
        raise ValidationError({k: [_("This field cannot be changed.")] for k in unknown})
    if "follow_up_of" in fields:
        _check_follow_up(company=project.company, follow_up_of=fields["follow_up_of"])
        if fields["follow_up_of"] is not None and fields["follow_up_of"].pk == project.pk:
            raise ValidationError({"follow_up_of": [_("A project cannot follow up itself.")]})
    if isinstance(fields.get("title"), str):
        fields["title"] = name_clean(fields["title"], field="title")
    before = _project_convoy_ids(project)
    after = (
        before
        if convoy_ids is None
        else _check_convoys(company=project.company, convoy_ids=list(convoy_ids))
    )
    convoys_change = set(after) != set(before)
    was = project.status
    changed = model_update(
        project,
        data=fields,
        touch=convoys_change,
        also=lambda changed: _status_dates(project, was=was) if "status" in changed else {},
    )
    if not changed and not convoys_change:
        # Nothing changes: no write, no event (a client re-sending the same PATCH is a no-op).
        return project
    if convoy_ids is not None:
        project.convoys.set(after)
    if "status" in changed or convoys_change:
        _programmes_touch(project, after)
    data = {"project": _project_data(project)}
    _record_in(set(after) - set(before), kind=EventKind.PROJECT_SHARED, data=data, actor=actor)
    _record_in(set(before) - set(after), kind=EventKind.PROJECT_UNSHARED, data=data, actor=actor)
    if changed:
        _record_in(
            set(before) & set(after),
            kind=EventKind.PROJECT_UPDATED,
            data={**data, "changed": changed},
            actor=actor,
        )
    return project


def project_complete(*, actor: User, project: Project) -> Project:
    """The company says the project is done (never set automatically)."""
    return project_update(actor=actor, project=project, status=ProjectStatus.DONE)


@transaction.atomic
def project_archive(*, actor: User, project: Project) -> Project:
    """Put a project away: kept with everything on it, left out of lists and dashboards, and
    restorable. Emits `project.archived` in the convoys it is shared with."""
    _require_company_member(actor=actor, company_id=project.company_id)
    if project.archived_at is not None:
        return project
    model_update(project, data={"archived_at": timezone.now()})
    _record_in(
        _project_convoy_ids(project),
        kind=EventKind.PROJECT_ARCHIVED,
        data={"project": _project_data(project)},
        actor=actor,
    )
    return project


@transaction.atomic
def project_restore(*, actor: User, project: Project) -> Project:
    """Bring an archived project back; its convoys see it again (`project.updated` with
    `changed: ["archived"]`)."""
    _require_company_member(actor=actor, company_id=project.company_id)
    if project.archived_at is None:
        return project
    model_update(project, data={"archived_at": None})
    _record_in(
        _project_convoy_ids(project),
        kind=EventKind.PROJECT_UPDATED,
        data={"project": _project_data(project), "changed": ["archived"]},
        actor=actor,
    )
    return project


@transaction.atomic
def project_delete(*, actor: User, project: Project) -> None:
    """Delete a project with its milestones and the comments on both. Updates that linked its
    milestones stay (they belong to the convoy), without the links."""
    _require_company_member(actor=actor, company_id=project.company_id)
    data = {"project": _project_data(project)}
    convoy_ids = _project_convoy_ids(project)
    milestone_ids = list(project.milestones.values_list("pk", flat=True))
    targets_deleted_dispatch(
        targets=[("project", project.pk)] + [("milestone", pk) for pk in milestone_ids]
    )
    # Notifications about it (a comment, a mention) stay readable and lead to the convoy's
    # dashboard instead of a page that is gone. Narrowed by convoy for the index.
    Notification.objects.filter(
        convoy_id__in=list(project.convoys.values_list("pk", flat=True)),
        target_type=NotificationTarget.PROJECT,
        target_id=project.pk,
    ).update(target_type=NotificationTarget.CONVOY, target_id=F("convoy_id"), anchor="")
    project.delete()
    _record_in(convoy_ids, kind=EventKind.PROJECT_DELETED, data=data, actor=actor)


@transaction.atomic
def milestone_create(
    *,
    actor: User,
    project: Project,
    title: str,
    due_date: date | None = None,
    weight: int = 1,
    status: str = MilestoneStatus.PLANNED,
) -> Milestone:
    _require_company_member(actor=actor, company_id=project.company_id)
    milestone = Milestone(
        project=project,
        title=name_clean(title, field="title"),
        due_date=due_date,
        weight=weight,
        status=status,
        completed_at=timezone.now() if status == MilestoneStatus.DONE else None,
    )
    milestone.full_clean()
    milestone.save()
    kind = (
        EventKind.MILESTONE_COMPLETED
        if status == MilestoneStatus.DONE
        else EventKind.MILESTONE_CREATED
    )
    _record_in(
        _project_convoy_ids(project),
        kind=kind,
        data={"milestone": _milestone_data(milestone)},
        actor=actor,
    )
    return milestone


@transaction.atomic
def milestone_update(*, actor: User, milestone: Milestone, **fields: Any) -> Milestone:
    """Change a milestone; moving it to done stamps completed_at and emits milestone.completed."""
    milestone = (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("project__company")
        .get(pk=milestone.pk)
    )
    _require_company_member(actor=actor, company_id=milestone.project.company_id)
    unknown = set(fields) - MILESTONE_FIELDS
    if unknown:
        raise ValidationError({k: [_("This field cannot be changed.")] for k in unknown})
    if isinstance(fields.get("title"), str):
        fields["title"] = name_clean(fields["title"], field="title")
    was_done = milestone.status == MilestoneStatus.DONE

    def completed_at(_changed: list[str]) -> dict[str, Any]:
        if milestone.status != MilestoneStatus.DONE:
            return {"completed_at": None}
        return {} if was_done else {"completed_at": timezone.now()}

    # Setting a milestone to what it is (e.g. done again) writes nothing, records no event
    # and keeps completed_at.
    changed = model_update(milestone, data=fields, also=completed_at)
    if not changed:
        return milestone
    is_done = milestone.status == MilestoneStatus.DONE
    kind = (
        EventKind.MILESTONE_COMPLETED if is_done and not was_done else EventKind.MILESTONE_UPDATED
    )
    _record_in(
        _project_convoy_ids(milestone.project),
        kind=kind,
        data={"milestone": _milestone_data(milestone), "changed": changed},
        actor=actor,
    )
    return milestone


def milestone_complete(*, actor: User, milestone: Milestone) -> Milestone:
    return milestone_update(actor=actor, milestone=milestone, status=MilestoneStatus.DONE)


@transaction.atomic
def milestone_delete(*, actor: User, milestone: Milestone) -> None:
    """Delete a milestone and the comments on it; emits `milestone.deleted`."""
    milestone = Milestone.objects.select_related("project__company").get(pk=milestone.pk)
    _require_company_member(actor=actor, company_id=milestone.project.company_id)
    data = {"milestone": _milestone_data(milestone)}
    convoy_ids = _project_convoy_ids(milestone.project)
    targets_deleted_dispatch(targets=[("milestone", milestone.pk)])
    milestone.delete()
    _record_in(convoy_ids, kind=EventKind.MILESTONE_DELETED, data=data, actor=actor)


@transaction.atomic
def update_post(
    *,
    actor: User,
    convoy: Convoy,
    company: Company,
    body: str,
    next_steps: str = "",
    help_wanted: bool = False,
    stuck_on: str = "",
    milestone_ids: list[int] | None = None,
) -> Update:
    """A company posts its progress to a convoy."""
    _require_company_member(actor=actor, company_id=company.pk)
    if not _active_convoy_ids(company_id=company.pk, convoy_ids=[convoy.pk]):
        raise ValidationError({"company": [_("The company is not a member of this convoy.")]})
    if not body.strip():
        raise ValidationError({"body": [_("Please say what moved.")]})
    milestones = _own_milestones(company=company, milestone_ids=milestone_ids or [])
    update = Update(
        convoy=convoy,
        company=company,
        author=actor,
        body=body.strip(),
        next_steps=next_steps.strip(),
        help_wanted=help_wanted,
        stuck_on=stuck_on.strip(),
    )
    update.full_clean()
    update.save()
    update.milestones.set(milestones)
    event_record(
        convoy_id=convoy.pk,
        kind=EventKind.UPDATE_POSTED,
        data={"update": _update_data(update, [m.pk for m in milestones])},
        actor=actor,
    )
    return update


def _own_milestones(*, company: Company, milestone_ids: Iterable[int]) -> list[Milestone]:
    ids = sorted(set(milestone_ids))
    milestones = list(Milestone.objects.filter(pk__in=ids, project__company=company))
    if len(milestones) != len(ids):
        raise ValidationError(
            {"milestones": [_("Only milestones of the company's own projects can be linked.")]}
        )
    return milestones


def _require_update_author_or_owner(*, actor: User, update: Update) -> None:
    if update.author_id == actor.pk and is_company_member(user=actor, company_id=update.company_id):
        return
    if is_company_owner(user=actor, company_id=update.company_id):
        return
    raise PermissionDenied(_("Only its author or an owner of the company may change this update."))


@transaction.atomic
def update_edit(
    *, actor: User, update: Update, milestone_ids: list[int] | None = None, **fields: Any
) -> Update:
    """Its author (while in the company) or a company owner changes an update; emits
    `update.edited` with the changed fields in the update's convoy."""
    update = (
        Update.objects.select_for_update(of=("self",)).select_related("company").get(pk=update.pk)
    )
    _require_update_author_or_owner(actor=actor, update=update)
    unknown = set(fields) - UPDATE_FIELDS
    if unknown:
        raise ValidationError({k: [_("This field cannot be changed.")] for k in unknown})
    for name in ("body", "next_steps", "stuck_on"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    if "body" in fields and not fields["body"]:
        raise ValidationError({"body": [_("Please say what moved.")]})
    current = sorted(update.milestones.values_list("pk", flat=True))
    milestones = None
    if milestone_ids is not None:
        milestones = _own_milestones(company=update.company, milestone_ids=milestone_ids)
    links_change = milestones is not None and sorted(m.pk for m in milestones) != current
    changed = model_update(update, data=fields)
    if links_change:
        assert milestones is not None
        update.milestones.set(milestones)
        current = sorted(m.pk for m in milestones)
        changed.append("milestones")
    if not changed:
        return update
    event_record(
        convoy_id=update.convoy_id,
        kind=EventKind.UPDATE_EDITED,
        data={"update": _update_data(update, current), "changed": changed},
        actor=actor,
    )
    return update


@transaction.atomic
def update_delete(*, actor: User, update: Update) -> None:
    """Its author or a company owner deletes an update with the comments on it; emits
    `update.deleted`."""
    update = Update.objects.select_related("company").get(pk=update.pk)
    _require_update_author_or_owner(actor=actor, update=update)
    data = {
        "update": {
            "id": update.pk,
            "company": {"id": update.company_id, "name": update.company.name},
            "created_at": update.created_at.isoformat(),
        }
    }
    convoy_id = update.convoy_id
    targets_deleted_dispatch(targets=[("update", update.pk)])
    update.delete()
    event_record(convoy_id=convoy_id, kind=EventKind.UPDATE_DELETED, data=data, actor=actor)
