"""Who sees which projects: the company's own, and those shared with a convoy the person
sees by a company that is an active member there."""

from convoys.models import Membership
from convoys.services import membership_end
from projects.models import Milestone
from projects.selectors import projects_for_user
from tests.factories import ProjectFactory


def test_projects_for_user_sees_own_and_shared_by_active_members(world):
    shared = ProjectFactory(company=world.company, convoys=[world.convoy])
    private = ProjectFactory(company=world.company)
    assert set(projects_for_user(user=world.member)) == {shared, private}
    assert set(projects_for_user(user=world.facilitator)) == {shared}
    assert set(projects_for_user(user=world.other_member)) == set()
    membership_end(
        actor=world.owner,
        membership=Membership.objects.get(convoy=world.convoy, company=world.company),
    )
    assert set(projects_for_user(user=world.facilitator)) == set()
    assert Milestone.objects.count() == 0
