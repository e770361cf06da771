"""Company services: creation, colleagues, and the rule that a company keeps an owner."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from companies.models import CompanyMember
from companies.services import (
    company_create,
    company_member_add,
    company_member_remove,
    company_update,
)
from convoys.models import Event
from tests.factories import CompanyMemberFactory, UserFactory
from tests.support.domain import domain_counts


def _link(world, user):
    return CompanyMember.objects.get(company=world.company, user=user)


def test_company_create_makes_the_caller_owner(db):
    user = UserFactory()
    company = company_create(actor=user, name=" Bäckerei ", sector="craft", size="1", city="Hagen")
    assert company.name == "Bäckerei"
    assert CompanyMember.objects.get(company=company).role == "owner"


def test_company_create_validates_choices(db):
    with pytest.raises(ValidationError) as exc:
        company_create(actor=UserFactory(), name="X", sector="farming", size="1", city="Hagen")
    assert "sector" in exc.value.message_dict


def test_company_update_by_owner_records_an_event_in_its_convoys(world):
    company_update(actor=world.owner, company=world.company, city="Witten")
    event = Event.objects.get(convoy=world.convoy)
    assert event.kind == "company.updated"
    assert not Event.objects.filter(convoy=world.other_convoy).exists()


@pytest.mark.parametrize("role", ["member", "facilitator", "outsider"])
def test_company_update_only_by_an_owner(world, role):
    before = domain_counts()
    with pytest.raises(PermissionDenied):
        company_update(actor=getattr(world, role), company=world.company, city="Witten")
    assert domain_counts() == before


def test_owner_adds_a_registered_colleague(world):
    link = company_member_add(
        actor=world.owner, company=world.company, email=world.outsider.email.upper(), role="owner"
    )
    assert (link.user, link.role) == (world.outsider, "owner")


def test_member_cannot_add_colleagues(world):
    with pytest.raises(PermissionDenied):
        company_member_add(
            actor=world.member, company=world.company, email=world.outsider.email, role="member"
        )


@pytest.mark.parametrize(
    ("email", "role"),
    [("nobody@example.com", "member"), ("person-of-world", "member"), ("x", "admin")],
)
def test_company_member_add_refuses_bad_input(world, email, role):
    email = world.member.email if email == "person-of-world" else email
    before = domain_counts()
    with pytest.raises(ValidationError):
        company_member_add(actor=world.owner, company=world.company, email=email, role=role)
    assert domain_counts() == before


def test_the_only_owner_can_neither_leave_nor_be_removed(world):
    before = domain_counts()
    with pytest.raises(ValidationError) as exc:
        company_member_remove(actor=world.owner, member=_link(world, world.owner))
    assert "user" in exc.value.message_dict
    assert domain_counts() == before


def test_with_two_owners_one_may_leave_but_not_both(world):
    second = UserFactory()
    CompanyMemberFactory(company=world.company, user=second, role="owner")
    company_member_remove(actor=second, member=_link(world, world.owner))
    with pytest.raises(ValidationError):
        company_member_remove(actor=second, member=_link(world, second))
    assert list(world.company.members.filter(role="owner").values_list("user", flat=True)) == [
        second.pk
    ]


def test_owner_removes_a_member_and_a_member_may_leave(world):
    colleague = UserFactory()
    CompanyMemberFactory(company=world.company, user=colleague, role="member")
    company_member_remove(actor=world.owner, member=_link(world, colleague))
    company_member_remove(actor=world.member, member=_link(world, world.member))
    assert list(world.company.members.values_list("user", flat=True)) == [world.owner.pk]


@pytest.mark.parametrize("role", ["member", "facilitator", "outsider"])
def test_others_cannot_remove_an_owner(world, role):
    second = UserFactory()
    CompanyMemberFactory(company=world.company, user=second, role="owner")
    before = domain_counts()
    with pytest.raises(PermissionDenied):
        company_member_remove(actor=getattr(world, role), member=_link(world, second))
    assert domain_counts() == before
