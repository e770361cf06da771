"""Deleting a company: it leaves its convoys (their live feed says so), its name and contact
data go (also from the convoy log), its people keep their accounts, its content stays as
"Former company"; only an owner may; the web pages and the API; the audit row."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import Action, AuditEntry
from companies.models import Company, CompanyInvitation, CompanyMember
from convoys.models import Event, Membership
from privacy.erasure import company_delete
from projects.services import update_post
from tests.factories import CompanyInvitationFactory

COMPANY = "Sanitär Schulte"


@pytest.fixture
def shared(world):
    update = update_post(
        actor=world.owner, convoy=world.convoy, company=world.company, body="Bad fertig"
    )
    CompanyInvitationFactory(company=world.company, email="kollege@example.net")
    world.company.city, world.company.website = "Hagen-Haspe", "https://schulte.example"
    world.company.save(update_fields=["city", "website"])
    return update


def test_the_company_leaves_its_convoys_and_its_data_goes(
    world, shared, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        company_delete(world.company, actor=world.owner)
    company = Company.objects.get(pk=world.company.pk)
    assert company.deleted_at is not None
    assert (company.name, company.city, company.region, company.website) == ("", "", "", "")
    with translation.override("en"):
        assert company.display_name == "Former company"
    assert not Membership.objects.active().filter(company=company).exists()
    left = Event.objects.filter(convoy=world.convoy, kind="membership.left").get()
    assert left.data["company"] == {"id": company.pk, "name": ""}
    assert left.data["reason"] == "left"
    # No event of any convoy names it any more.
    for event in Event.objects.all():
        assert COMPANY not in json.dumps(event.data, ensure_ascii=False)
    assert not CompanyMember.objects.filter(company=company).exists()
    assert not CompanyInvitation.objects.filter(company=company).exists()
    # Its people keep their accounts.
    world.owner.refresh_from_db()
    assert world.owner.is_active and world.owner.deleted_at is None
    entry = AuditEntry.objects.get(action=Action.COMPANY_DELETED)
    assert entry.actor_id == world.owner.pk and entry.target == f"company:{company.pk}"
    assert COMPANY not in json.dumps(entry.data)


def test_its_content_stays_as_former_company(world, shared):
    company_delete(world.company, actor=world.owner)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.facilitator)
    page = client.get(reverse("frontend:convoy", args=[world.convoy.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert COMPANY not in text
    assert "Former company" in text  # the log: "Former company left the convoy."
    # The dashboard does not show it as a member.
    dashboard = client.get(f"/api/v1/convoys/{world.convoy.pk}/dashboard/")
    assert dashboard.status_code == 200
    assert world.company.pk not in [c["id"] for c in dashboard.json()["companies"]]


def test_only_an_owner_may(world):
    with pytest.raises(PermissionDenied):
        company_delete(world.company, actor=world.member)
    with pytest.raises(PermissionDenied):
        company_delete(world.company, actor=world.facilitator)
    assert Company.objects.get(pk=world.company.pk).deleted_at is None


def test_deleting_twice_is_refused(world):
    company_delete(world.company, actor=None)
    with pytest.raises(ValidationError):
        company_delete(world.company, actor=None)


# --- web ------------------------------------------------------------------------------------


def _client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_web_page_asks_for_the_name(world, shared):
    client = _client(world.owner)
    url = reverse("frontend:company_delete", args=[world.company.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "What stays" in page.content.decode()
    wrong = client.post(url, {"name": "Sanitär"})
    assert wrong.status_code == 400
    assert Company.objects.get(pk=world.company.pk).deleted_at is None
    done = client.post(url, {"name": "  sanitär schulte "})
    assert done.status_code == 302
    assert Company.objects.get(pk=world.company.pk).deleted_at is not None


def test_the_web_page_is_for_owners(world):
    url = reverse("frontend:company_delete", args=[world.company.pk])
    assert _client(world.member).get(url).status_code == 403
    assert _client(world.outsider).get(url).status_code == 404
    assert _client(world.facilitator).get(url).status_code == 403


def test_the_company_page_links_to_it_for_owners(world):
    page = _client(world.owner).get(reverse("frontend:company", args=[world.company.pk]))
    assert reverse("frontend:company_delete", args=[world.company.pk]) in page.content.decode()
    page = _client(world.member).get(reverse("frontend:company", args=[world.company.pk]))
    assert reverse("frontend:company_delete", args=[world.company.pk]) not in (
        page.content.decode()
    )


def test_an_owner_makes_a_colleague_owner(world):
    colleague = CompanyMember.objects.get(company=world.company, user=world.member)
    url = reverse("frontend:company_member_role", args=[world.company.pk, colleague.pk])
    assert _client(world.member).post(url, {"role": "owner"}).status_code == 403
    response = _client(world.owner).post(url, {"role": "owner"})
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.role == "owner"


# --- API ------------------------------------------------------------------------------------


def test_api_company_delete(world, client_for):
    url = f"/api/v1/companies/{world.company.pk}/delete/"
    assert client_for(None).post(url, {"name": COMPANY}).status_code in (401, 403)
    assert client_for(world.outsider).post(url, {"name": COMPANY}).status_code == 404
    assert client_for(world.facilitator).post(url, {"name": COMPANY}).status_code == 403
    assert client_for(world.member).post(url, {"name": COMPANY}).status_code == 403
    wrong = client_for(world.owner).post(url, {"name": "Schulte"}, format="json")
    assert wrong.status_code == 400 and "name" in wrong.json()
    assert Company.objects.get(pk=world.company.pk).deleted_at is None
    ok = client_for(world.owner).post(url, {"name": COMPANY}, format="json")
    assert ok.status_code == 204
    assert Company.objects.get(pk=world.company.pk).deleted_at is not None
    assert client_for(world.owner).post(url, {"name": ""}).status_code == 404


def test_api_member_role(world, client_for):
    colleague = CompanyMember.objects.get(company=world.company, user=world.member)
    url = f"/api/v1/companies/{world.company.pk}/members/{colleague.pk}/role/"
    assert client_for(world.outsider).post(url, {"role": "owner"}).status_code == 404
    assert client_for(world.member).post(url, {"role": "owner"}).status_code == 403
    response = client_for(world.owner).post(url, {"role": "owner"}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "owner"
    me = CompanyMember.objects.get(company=world.company, user=world.owner)
    back = client_for(world.member).post(
        f"/api/v1/companies/{world.company.pk}/members/{me.pk}/role/",
        {"role": "member"},
        format="json",
    )
    assert back.status_code == 200
    # The last owner stays one.
    last = client_for(world.member).post(url, {"role": "member"}, format="json")
    assert last.status_code == 400


def test_the_name_goes_from_every_place_of_the_convoy_log(world):
    """Not only {"company": {id, name}}: a comment's "target_title" that is the bare name."""
    name = world.company.name
    event = Event.objects.create(
        convoy=world.convoy,
        seq=10_000,
        kind="comment.created",
        data={"target_title": name, "comment": {"id": 1}},
        at=timezone.now(),
    )

    company_delete(world.company, actor=world.owner)

    event.refresh_from_db()
    assert name not in json.dumps(event.data, ensure_ascii=False)
    for row in Event.objects.filter(convoy=world.convoy):
        assert name not in json.dumps(row.data, ensure_ascii=False)
