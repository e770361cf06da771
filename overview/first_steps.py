"""The first-steps guide: what a person has done of "first value" in Konvoi.

A read model across companies, convoys and projects: has the person a company, has the
company a project, two milestones, a posted update? The steps carry done flags and the ids
of their targets (company, project, convoy), never URLs: the pages build those. A constant
number of queries, whatever the size of the company or the convoy.
"""

from dataclasses import dataclass

from accounts.models import User
from companies.models import CompanyMember
from convoys.models import Convoy, Facilitator, Membership
from convoys.selectors import convoy_member_companies_of_user
from projects.models import Milestone, Project, Update

# "Add two or three milestones": two make a plan.
MILESTONES_WANTED = 2


@dataclass(frozen=True)
class FirstStep:
    key: str  # "company", "project", "milestones" or "update"
    done: bool


@dataclass(frozen=True)
class FirstSteps:
    steps: tuple[FirstStep, ...]
    company_id: int | None = None
    company_name: str = ""
    project_id: int | None = None  # the first project: where its milestones are added
    convoy_id: int | None = None  # where the first update is posted
    dismissed: bool = False

    @property
    def all_done(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def visible(self) -> bool:
        return not self.dismissed and not self.all_done

    @property
    def can_dismiss(self) -> bool:
        # Put away per company membership; someone without a company has nothing else to do.
        return self.company_id is not None

    @property
    def current(self) -> str | None:
        """The key of the first step not done yet."""
        return next((step.key for step in self.steps if not step.done), None)


def first_steps_for(*, user: User, convoy: Convoy | None = None) -> FirstSteps | None:
    """The guide for `user`, about their first company (in `convoy`, if given). None where it
    has nothing to say: a visitor, someone in the convoy without a company in it, or a
    facilitator without a company (on the home page)."""
    if not user.is_authenticated:
        return None
    members = CompanyMember.objects.filter(user=user).select_related("company")
    if convoy is not None:
        members = members.filter(
            company_id__in=convoy_member_companies_of_user(user=user, convoy_id=convoy.pk)
        )
    member = members.order_by("company__name", "company_id").first()
    if member is None:
        if convoy is not None or Facilitator.objects.filter(user=user).exists():
            return None  # someone who runs convoys needs no company of their own
        return FirstSteps(
            steps=(
                FirstStep("company", False),
                FirstStep("project", False),
                FirstStep("milestones", False),
                FirstStep("update", False),
            )
        )
    company = member.company
    projects = Project.objects.filter(company=company, archived_at__isnull=True)
    updates = Update.objects.filter(company=company)
    if convoy is not None:
        projects = projects.filter(convoys=convoy)
        updates = updates.filter(convoy=convoy)
        convoy_id: int | None = convoy.pk
    else:
        convoy_id = (
            Membership.objects.active()
            .filter(company=company)
            .order_by("joined_at", "id")
            .values_list("convoy_id", flat=True)
            .first()
        )
    project_id = projects.order_by("id").values_list("id", flat=True).first()
    # Counted on the same projects as the first step (in this convoy, if given).
    milestones = (
        Milestone.objects.filter(project__in=projects)[:MILESTONES_WANTED].count()
        if project_id is not None
        else 0
    )
    return FirstSteps(
        steps=(
            FirstStep("project", project_id is not None),
            FirstStep("milestones", milestones >= MILESTONES_WANTED),
            FirstStep("update", updates.exists()),
        ),
        company_id=company.pk,
        company_name=company.name,
        project_id=project_id,
        convoy_id=convoy_id,
        dismissed=member.first_steps_dismissed_at is not None,
    )
