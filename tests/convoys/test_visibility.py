"""convoy_visible (one precompiled statement for the dashboard) must say exactly what
convoys_for_user says, for every role and membership state."""

import pytest
from django.contrib.auth.models import AnonymousUser

from convoys.models import Membership, MembershipStatus
from convoys.selectors import convoy_visible, convoys_for_user

ROLES = ["facilitator", "owner", "member", "other_member", "outsider", "staff"]


def agree(user, convoy) -> bool:
    expected = convoys_for_user(user=user).filter(pk=convoy.pk).exists()
    found = convoy_visible(user=user, convoy_id=convoy.pk)
    assert (found is not None) == expected
    if found is not None:
        assert found.pk == convoy.pk
        assert found.last_event_seq == convoy.last_event_seq
    return expected


@pytest.mark.parametrize("role", ROLES)
def test_same_answer_for_every_role_in_both_convoys(world, role):
    user = getattr(world, role)
    seen = {agree(user, world.convoy), agree(user, world.other_convoy)}
    assert seen  # both convoys were checked


@pytest.mark.parametrize("status", [MembershipStatus.LEFT, MembershipStatus.REMOVED])
def test_an_ended_membership_hides_the_convoy_in_both(world, status):
    Membership.objects.filter(convoy=world.convoy).update(status=status)
    assert agree(world.owner, world.convoy) is False
    assert agree(world.member, world.convoy) is False
    assert agree(world.facilitator, world.convoy) is True


def test_expected_roles_see_the_convoy(world):
    visible = {role for role in ROLES if agree(getattr(world, role), world.convoy)}
    assert visible == {"facilitator", "owner", "member"}


def test_anonymous_and_unknown_ids(world):
    assert convoy_visible(user=AnonymousUser(), convoy_id=world.convoy.pk) is None
    assert convoy_visible(user=world.owner, convoy_id=world.convoy.pk + 1000) is None
