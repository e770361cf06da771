"""The convoy rules that have one home: the active membership (Membership.objects.active,
active_membership_q), who is in a convoy (convoy_people), the facilitator check and the state
of an invitation."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from companies.models import Company
from convoys.models import (
    Convoy,
    InvitationState,
    Membership,
    MembershipStatus,
    active_membership_q,
)
from convoys.selectors import (
    convoy_company_members,
    convoy_list_for_user,
    convoy_member_companies_of_user,
    convoy_people,
    is_facilitator,
    require_facilitator,
)
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    InvitationFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def left(world):
    """A company that left the convoy, with one person."""
    company = CompanyFactory(name="Ehemalig GmbH")
    person = UserFactory(name="Lea Left", handle="lea")
    CompanyMemberFactory(company=company, user=person, role="owner")
    MembershipFactory(convoy=world.convoy, company=company, status=MembershipStatus.LEFT)
    return person


def test_active_memberships_are_the_seats_held_now(world, left):
    assert {m.company for m in Membership.objects.active().filter(convoy=world.convoy)} == {
        world.company
    }
    assert Membership.objects.filter(convoy=world.convoy).count() == 2
    assert [m.is_active for m in Membership.objects.order_by("status")] == [True, True, False]


def test_active_membership_q_from_other_models(world, left):
    convoys = Convoy.objects.filter(active_membership_q(), memberships__company=world.company)
    assert list(convoys) == [world.convoy]
    companies = Company.objects.filter(
        active_membership_q("memberships"), memberships__convoy=world.convoy
    )
    assert list(companies) == [world.company]


def test_convoy_people_are_facilitators_and_people_of_active_members(world, left):
    people = set(convoy_people(convoy_id=world.convoy.pk))
    assert people == {world.facilitator, world.owner, world.member}
    members = {m.user for m in convoy_company_members(convoy_id=world.convoy.pk)}
    assert members == {world.owner, world.member}


def test_convoy_people_leave_out_deactivated_accounts_unless_asked(world):
    world.member.is_active = False
    world.member.save(update_fields=["is_active"])
    assert world.member not in convoy_people(convoy_id=world.convoy.pk)
    assert world.member in convoy_people(convoy_id=world.convoy.pk, include_inactive=True)


def test_convoy_people_is_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(convoy_people(convoy_id=world.convoy.pk))


def test_member_companies_of_user_are_active_ones_in_order(world, left):
    second = CompanyFactory(name="Zweite GmbH")
    CompanyMemberFactory(company=second, user=world.owner, role="owner")
    MembershipFactory(convoy=world.convoy, company=second)
    assert convoy_member_companies_of_user(user=world.owner, convoy_id=world.convoy.pk) == sorted(
        [world.company.pk, second.pk]
    )
    assert convoy_member_companies_of_user(user=left, convoy_id=world.convoy.pk) == []


def test_is_facilitator_asks_the_database_or_uses_the_annotation(world, django_assert_num_queries):
    assert is_facilitator(user=world.facilitator, convoy_id=world.convoy.pk)
    assert not is_facilitator(user=world.owner, convoy_id=world.convoy.pk)
    convoy = convoy_list_for_user(user=world.facilitator).get(pk=world.convoy.pk)
    with django_assert_num_queries(0):
        assert is_facilitator(user=world.facilitator, convoy_id=convoy.pk, known=convoy)
    with pytest.raises(PermissionDenied):
        require_facilitator(user=world.owner, convoy_id=world.convoy.pk)
    require_facilitator(user=world.facilitator, convoy_id=world.convoy.pk)


def test_invitation_state_in_precedence_order(world):
    now = timezone.now()
    invitation = InvitationFactory(convoy=world.convoy, expires_at=now + timedelta(days=1))
    assert invitation.state(now) == InvitationState.OPEN == "open"
    assert invitation.state(now + timedelta(days=2)) == InvitationState.EXPIRED
    invitation.accepted_at = now
    assert invitation.state(now + timedelta(days=2)) == InvitationState.ACCEPTED
    invitation.revoked_at = now
    assert invitation.state(now) == InvitationState.REVOKED
