"""Role changes: company owner/member (created, added, invited, handed over, removed),
facilitator, and admin rights (staff, superuser, groups) — each a ROLE_GRANTED/ROLE_REVOKED
row about the person whose role changed, naming who changed it."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.test import APIClient

from audit.models import Action
from companies.models import CompanyMember
from companies.services import company_create, company_member_add
from convoys.services import convoy_create, facilitator_add
from tests.audit.helpers import mark, since
from tests.factories import UserFactory


def client_of(user, ip="203.0.113.4") -> APIClient:
    client = APIClient(REMOTE_ADDR=ip)
    client.force_authenticate(user=user)
    return client


def roles(start):
    return [
        (e.action, e.user_id, e.actor_id, e.data.get("role"), e.target)
        for e in since(start)
        if e.action in (Action.ROLE_GRANTED, Action.ROLE_REVOKED)
    ]


def test_creating_a_company_makes_its_creator_owner(db):
    person = UserFactory()
    start = mark()
    company = company_create(
        actor=person, name="Bäckerei Berg", sector="craft", size="2-9", city="Hagen"
    )
    assert roles(start) == [
        (Action.ROLE_GRANTED, person.pk, person.pk, "company_owner", f"company:{company.pk}")
    ]
    assert since(start)[0].data == {"role": "company_owner", "company": company.pk}


def test_an_owner_adding_a_member_is_recorded_with_the_owner_as_actor(world):
    person = UserFactory(email="neu@example.com")
    start = mark()
    company_member_add(actor=world.owner, company=world.company, email=person.email, role="member")
    assert roles(start) == [
        (
            Action.ROLE_GRANTED,
            person.pk,
            world.owner.pk,
            "company_member",
            f"company:{world.company.pk}",
        )
    ]


def test_accepting_a_colleague_invitation_grants_its_role(world, content):
    start = mark()
    r = client_of(world.outsider).post(
        f"/api/v1/company-invitations/{content.company_invitation_token}/accept/"
    )
    assert r.status_code in (200, 201), r.content
    [row] = roles(start)
    assert row[:2] == (Action.ROLE_GRANTED, world.outsider.pk)
    assert row[3:] == ("company_" + content.company_invitation.role, f"company:{world.company.pk}")


def test_handing_over_ownership_and_taking_it_back(world):
    colleague = CompanyMember.objects.get(company=world.company, user=world.member)
    client = client_of(world.owner)
    start = mark()
    url = f"/api/v1/companies/{world.company.pk}/members/{colleague.pk}/role/"
    assert client.post(url, {"role": "owner"}).status_code == 200
    assert client.post(url, {"role": "member"}).status_code == 200
    scope = f"company:{world.company.pk}"
    assert roles(start) == [
        (Action.ROLE_GRANTED, world.member.pk, world.owner.pk, "company_owner", scope),
        (Action.ROLE_REVOKED, world.member.pk, world.owner.pk, "company_owner", scope),
    ]
    assert {str(e.ip_address) for e in since(start)} == {"203.0.113.4"}


def test_removing_a_colleague_revokes_their_role(world):
    colleague = CompanyMember.objects.get(company=world.company, user=world.member)
    start = mark()
    r = client_of(world.owner).delete(
        f"/api/v1/companies/{world.company.pk}/members/{colleague.pk}/"
    )
    assert r.status_code == 204
    assert roles(start) == [
        (
            Action.ROLE_REVOKED,
            world.member.pk,
            world.owner.pk,
            "company_member",
            f"company:{world.company.pk}",
        )
    ]


def test_creating_a_convoy_and_adding_a_facilitator(db):
    lead, second = UserFactory(), UserFactory()
    start = mark()
    convoy = convoy_create(actor=lead, name="Konvoi Hamm")
    facilitator_add(actor=lead, convoy=convoy, user=second)
    facilitator_add(actor=lead, convoy=convoy, user=second)  # again: nothing changes
    scope = f"convoy:{convoy.pk}"
    assert roles(start) == [
        (Action.ROLE_GRANTED, lead.pk, lead.pk, "facilitator", scope),
        (Action.ROLE_GRANTED, second.pk, lead.pk, "facilitator", scope),
    ]


# --- the Django admin ---


def admin_change(admin, person, **changes):
    client = Client(REMOTE_ADDR="203.0.113.5")
    client.force_login(admin)
    data = {
        "email": person.email,
        "name": person.name,
        "handle": person.handle,
        "language": person.language,
        "timezone": person.timezone,
        "is_active": "on",
        "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
        "groups": [],
        "user_permissions": [],
    }
    data.update(changes)
    data = {k: v for k, v in data.items() if v is not False}
    start = mark()
    r = client.post(f"/admin/accounts/user/{person.pk}/change/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    return start


@pytest.fixture
def admin(db):
    return UserFactory(is_staff=True, is_superuser=True)


def test_making_someone_staff_and_superuser_in_the_admin(admin):
    person = UserFactory()
    start = admin_change(admin, person, is_staff="on", is_superuser="on")
    assert sorted(roles(start)) == sorted(
        [
            (Action.ROLE_GRANTED, person.pk, admin.pk, "admin", ""),
            (Action.ROLE_GRANTED, person.pk, admin.pk, "superuser", ""),
        ]
    )
    assert {str(e.ip_address) for e in since(start)} == {"203.0.113.5"}
    start = admin_change(admin, person)
    assert sorted(roles(start)) == sorted(
        [
            (Action.ROLE_REVOKED, person.pk, admin.pk, "admin", ""),
            (Action.ROLE_REVOKED, person.pk, admin.pk, "superuser", ""),
        ]
    )


def test_groups_given_and_taken_in_the_admin(admin):
    support = Group.objects.create(name="Support")
    person = UserFactory()
    start = admin_change(admin, person, groups=[support.pk])
    [row] = since(start)
    assert (row.action, row.user_id, row.actor_id) == (Action.ROLE_GRANTED, person.pk, admin.pk)
    assert row.data == {"role": "group", "group": support.pk, "group_name": "Support"}
    start = admin_change(admin, person)
    assert [(e.action, e.data["group"]) for e in since(start)] == [
        (Action.ROLE_REVOKED, support.pk)
    ]


def test_an_admin_change_without_role_changes_writes_nothing(admin):
    person = UserFactory()
    start = admin_change(admin, person, name="Neuer Name")
    assert since(start) == []
