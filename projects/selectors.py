"""Reads for projects, milestones and updates.

Each returns a queryset scoped to the person asking and shaped (annotated/prefetched) so that
the number of queries does not grow with the data. The convoy dashboard, which also reads
memberships and check-ins, is a read model in overview.dashboard.
"""

from typing import Any, cast

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from companies.models import CompanyMember
from convoys.events import actor_data
from convoys.models import Convoy, active_membership_q
from convoys.selectors import convoys_for_user
from projects.models import (
    Milestone,
    MilestoneStatus,
    Project,
    ProjectQuerySet,
    ProjectStatus,
    Update,
)

_DONE = Q(milestones__status=MilestoneStatus.DONE)


def progress_percent(*, done_weight: int, total_weight: int, status: str | None = None) -> int:
    """Weighted share of done milestones, 0–100. A done project without milestones is 100."""
    if total_weight:
        return round(100 * done_weight / total_weight)
    return 100 if status == ProjectStatus.DONE else 0


def with_progress(queryset: QuerySet[Project]) -> QuerySet[Project]:
    zero = Value(0, output_field=IntegerField())
    # The model declares these four for the readers' types; django-stubs calls that a redefinition.
    return queryset.annotate(  # type: ignore[no-redef]
        milestones_total=Count("milestones", distinct=True),
        milestones_done=Count("milestones", filter=_DONE, distinct=True),
        weight_total=Coalesce(Sum("milestones__weight"), zero),
        weight_done=Coalesce(Sum("milestones__weight", filter=_DONE), zero),
    )


def unarchived(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """`queryset` without archived projects (what lists and dashboards show; the project page
    and retrieving by id still find an archived one, to restore it). The rule is
    ProjectQuerySet.unarchived; this is its typed door for querysets built by selectors."""
    return cast(ProjectQuerySet, queryset).unarchived()


def projects_for_user(*, user: User) -> QuerySet[Project]:
    """Projects of the user's companies, and those shared with convoys the user sees by a
    company that is an active member there."""
    if not user.is_authenticated:
        return Project.objects.none()
    own = CompanyMember.objects.filter(company=OuterRef("company_id"), user=user)
    shared = Project.convoys.through.objects.filter(
        active_membership_q("convoy__memberships"),
        project=OuterRef("pk"),
        convoy__in=convoys_for_user(user=user).values("pk"),
        convoy__memberships__company=OuterRef("company_id"),
    )
    return Project.objects.filter(Q(Exists(own)) | Q(Exists(shared)))


def project_detail_queryset(*, user: User) -> QuerySet[Project]:
    """Projects the user sees, with milestones and progress; `convoys` holds only the
    convoys the user is in (a peer must not learn which other convoys a company's project is
    shared with), in the same single prefetch query."""
    return (
        with_progress(projects_for_user(user=user))
        .select_related("company", "follow_up_of")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "id")),
            Prefetch("convoys", queryset=convoys_for_user(user=user).order_by("name", "id")),
        )
    )


def projects_in_convoy(
    queryset: QuerySet[Project], *, user: User, convoy_id: int
) -> QuerySet[Project]:
    """`queryset` narrowed to projects shared with a convoy the user is in: a convoy the
    user is not in gives the same empty answer as one that does not exist."""
    return queryset.filter(convoys__in=convoys_for_user(user=user).filter(pk=convoy_id))


def milestones_for_user(*, user: User, include_archived: bool = True) -> QuerySet[Milestone]:
    """Milestones of the projects the user sees; `include_archived=False` for choosing (an
    archived project's milestones are not offered to link to a new update)."""
    projects = projects_for_user(user=user)
    if not include_archived:
        projects = unarchived(projects)
    return Milestone.objects.filter(project__in=projects.values("pk"))


def updates_for_convoy(*, convoy: Convoy) -> QuerySet[Update]:
    return (
        Update.objects.filter(convoy=convoy)
        .select_related("company", "author")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("id")))
        .order_by("-created_at", "-id")
    )


def updates_for_user(*, user: User) -> QuerySet[Update]:
    """Updates posted to convoys the user sees (members and facilitators), shaped for output."""
    return (
        Update.objects.filter(convoy__in=convoys_for_user(user=user).values("pk"))
        .select_related("company", "author")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("id")))
    )


def update_data(update: Update) -> dict[str, Any]:
    return {
        "id": update.pk,
        "company": update.company_id,
        "author": actor_data(update.author),
        "body": update.body,
        "next_steps": update.next_steps,
        "help_wanted": update.help_wanted,
        "stuck_on": update.stuck_on,
        "created_at": update.created_at.isoformat(),
    }


def project_convoys_for_user(*, user: User, project: Project) -> list[Convoy]:
    """The convoys a project is shared with that this person sees (and where the company is
    still an active member): the others are not theirs to know about."""
    return list(
        convoys_for_user(user=user)
        .filter(
            active_membership_q(),
            projects=project,
            memberships__company_id=project.company_id,
        )
        .order_by("name", "id")
    )
