"""The first-steps read model (overview.first_steps): what a person has done of first value."""

from companies.services import first_steps_dismiss
from overview.first_steps import first_steps_for
from tests.factories import (
    CompanyMemberFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    UpdateFactory,
    UserFactory,
)


def _done(steps) -> dict[str, bool]:
    return {step.key: step.done for step in steps.steps}


def test_someone_without_a_company_starts_with_the_company(db):
    steps = first_steps_for(user=UserFactory())
    assert _done(steps) == {
        "company": False,
        "project": False,
        "milestones": False,
        "update": False,
    }
    assert steps.current == "company" and steps.visible and not steps.can_dismiss


def test_the_steps_tick_one_by_one_and_the_guide_goes_when_all_are_done(world):
    steps = first_steps_for(user=world.owner, convoy=world.convoy)
    assert _done(steps) == {"project": False, "milestones": False, "update": False}
    assert (steps.company_id, steps.convoy_id, steps.project_id) == (
        world.company.pk,
        world.convoy.pk,
        None,
    )
    project = ProjectFactory(company=world.company, convoys=[world.convoy])
    steps = first_steps_for(user=world.owner, convoy=world.convoy)
    assert steps.current == "milestones" and steps.project_id == project.pk
    MilestoneFactory(project=project)
    assert first_steps_for(user=world.owner, convoy=world.convoy).current == "milestones"
    MilestoneFactory(project=project)
    assert first_steps_for(user=world.owner, convoy=world.convoy).current == "update"
    UpdateFactory(convoy=world.convoy, company=world.company, author=world.member)
    steps = first_steps_for(user=world.owner, convoy=world.convoy)
    assert steps.all_done and not steps.visible


def test_a_project_not_shared_with_the_convoy_does_not_count_there(world):
    private = ProjectFactory(company=world.company, convoys=[])
    MilestoneFactory.create_batch(2, project=private)
    assert first_steps_for(user=world.owner, convoy=world.convoy).current == "project"
    # On the home page it counts: the company has a project, with two milestones.
    assert first_steps_for(user=world.owner).current == "update"
    # Shared, a project without milestones: its milestones are the next step in the convoy.
    ProjectFactory(company=world.company, convoys=[world.convoy])
    assert first_steps_for(user=world.owner, convoy=world.convoy).current == "milestones"


def test_on_the_home_page_the_update_goes_to_the_companys_convoy(world):
    assert first_steps_for(user=world.member).convoy_id == world.convoy.pk
    lonely = CompanyMemberFactory(role="owner")
    assert first_steps_for(user=lonely.user).convoy_id is None


def test_hidden_for_good_once_dismissed(world):
    first_steps_dismiss(actor=world.owner)
    steps = first_steps_for(user=world.owner, convoy=world.convoy)
    assert steps.dismissed and not steps.visible
    # Only for the person who put it away.
    assert first_steps_for(user=world.member, convoy=world.convoy).visible


def test_other_convoys_and_companies_do_not_count(world):
    # other_member's company posts in its own convoy: nothing of it counts for world.owner.
    project = ProjectFactory(company=world.other_company, convoys=[world.other_convoy])
    MilestoneFactory.create_batch(2, project=project)
    UpdateFactory(convoy=world.other_convoy, company=world.other_company, author=world.other_member)
    assert first_steps_for(user=world.owner, convoy=world.convoy).current == "project"
    assert first_steps_for(user=world.other_member, convoy=world.convoy) is None


def test_queries_do_not_grow_with_the_company(world, django_assert_num_queries):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            first_steps_for(user=world.owner, convoy=world.convoy)
            first_steps_for(user=world.owner)
        return len(ctx.captured_queries)

    ProjectFactory(company=world.company, convoys=[world.convoy])
    small = count()
    for n in range(5):
        project = ProjectFactory(company=world.company, convoys=[world.convoy])
        MilestoneFactory.create_batch(3, project=project)
        UpdateFactory(convoy=world.convoy, company=world.company, author=world.owner)
        # More companies of the person in the convoy, after world.company by name.
        company = MembershipFactory(convoy=world.convoy, company__name=f"Zimmerei {n}").company
        CompanyMemberFactory(company=company, user=world.owner, role="member")
    assert count() == small
    assert first_steps_for(user=world.owner, convoy=world.convoy).company_id == world.company.pk
    # The person's companies in the convoy, the membership, the project, milestones, update.
    with django_assert_num_queries(5):
        first_steps_for(user=world.owner, convoy=world.convoy)


def test_a_facilitator_without_a_company_gets_no_guide(world):
    assert first_steps_for(user=world.facilitator) is None
    assert first_steps_for(user=world.facilitator, convoy=world.convoy) is None
