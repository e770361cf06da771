"""What can be commented on: target_type → how to load it, in which convoys it is visible,
its title, and whose it is (the company told about comments on it). Comments sit above the
things they are made on (projects, check-ins) in the layers, so they import them directly.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model

from checkins.models import CheckIn
from comments.models import TargetType
from convoys.models import Membership
from projects.models import Milestone, Project, Update


@dataclass(frozen=True)
class Target:
    type: str
    id: int
    title: str
    convoy_ids: frozenset[int]  # convoys where it is visible (not yet narrowed to a person)
    company_id: int | None  # the company whose thing it is (told about comments), if any
    instance: Model


def _shared_convoys(*, company_id: int, convoy_ids: Iterable[int]) -> frozenset[int]:
    # A project is visible in a convoy it is shared with while its company is a member there
    # (projects.selectors.projects_for_user says the same).
    return frozenset(
        Membership.objects.active()
        .filter(company_id=company_id, convoy_id__in=list(convoy_ids))
        .values_list("convoy_id", flat=True)
    )


def _update(target_id: int) -> Target | None:
    update = Update.objects.select_related("company").filter(pk=target_id).first()
    if update is None:
        return None
    return Target(
        type=TargetType.UPDATE,
        id=update.pk,
        title=update.company.name,
        convoy_ids=frozenset([update.convoy_id]),
        company_id=update.company_id,
        instance=update,
    )


def _milestone(target_id: int) -> Target | None:
    milestone = Milestone.objects.select_related("project").filter(pk=target_id).first()
    if milestone is None:
        return None
    project = milestone.project
    return Target(
        type=TargetType.MILESTONE,
        id=milestone.pk,
        title=milestone.title,
        convoy_ids=_shared_convoys(
            company_id=project.company_id,
            convoy_ids=project.convoys.values_list("pk", flat=True),
        ),
        company_id=project.company_id,
        instance=milestone,
    )


def _project(target_id: int) -> Target | None:
    project = Project.objects.filter(pk=target_id).first()
    if project is None:
        return None
    return Target(
        type=TargetType.PROJECT,
        id=project.pk,
        title=project.title,
        convoy_ids=_shared_convoys(
            company_id=project.company_id,
            convoy_ids=project.convoys.values_list("pk", flat=True),
        ),
        company_id=project.company_id,
        instance=project,
    )


def _checkin(target_id: int) -> Target | None:
    checkin = CheckIn.objects.filter(pk=target_id).first()
    if checkin is None:
        return None
    return Target(
        type=TargetType.CHECKIN,
        id=checkin.pk,
        title=checkin.title,
        convoy_ids=frozenset([checkin.convoy_id]),
        company_id=None,  # the facilitators' meeting: nobody's company
        instance=checkin,
    )


RESOLVERS: dict[str, Callable[[int], Target | None]] = {
    TargetType.UPDATE: _update,
    TargetType.MILESTONE: _milestone,
    TargetType.PROJECT: _project,
    TargetType.CHECKIN: _checkin,
}


def target_resolve(*, target_type: str, target_id: int) -> Target | None:
    """The target, or None if the type is unknown or the row does not exist."""
    resolver = RESOLVERS.get(target_type)
    return resolver(target_id) if resolver is not None else None
