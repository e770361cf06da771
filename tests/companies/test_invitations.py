"""Colleagues' invitations to a company: single use, expiring, hashed token, revoke and resend,
delivered by e-mail through the registry notifications fills; and over the API."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from companies.models import CompanyInvitation, CompanyMember
from companies.services import (
    company_colleague_add,
    company_invitation_accept,
    company_invitation_by_token,
    company_invitation_create,
    company_invitation_resend,
    company_invitation_revoke,
)
from tests.factories import CompanyInvitationFactory, UserFactory
from tests.support.domain import domain_state


@pytest.fixture(autouse=True)
def _english():
    # The services' messages are matched in English; the e-mail picks its own language.
    with translation.override("en"):
        yield


def _token_from_mail(message) -> str:
    return re.search(r"/colleague-invitations/([^/\s]+)/", message.body).group(1)


def test_a_registered_address_is_invited_not_added(world, django_capture_on_commit_callbacks):
    """Nobody is put into a company without asking: an existing account gets an invitation
    like anyone else, greeted by name in its own language, and joins only by accepting."""
    world.outsider.language = "en"
    world.outsider.save(update_fields=["language"])
    before = CompanyMember.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        added = company_colleague_add(
            actor=world.owner,
            company=world.company,
            email=world.outsider.email.upper(),
            role="member",
        )
    assert isinstance(added, CompanyInvitation)
    assert added.email == world.outsider.email.lower() and added.state() == "open"
    assert CompanyMember.objects.count() == before
    assert not CompanyMember.objects.filter(user=world.outsider).exists()
    (message,) = mail.outbox
    assert message.to == [world.outsider.email.lower()]
    # The owner writes German (see below); the invited account reads English, by name.
    assert message.body.startswith(f"Hello, {world.outsider.name},")
    assert "Log in with this address and join" in message.body
    # Accepting, logged in with the invited address, makes them a member.
    member = company_invitation_accept(actor=world.outsider, token=_token_from_mail(message))
    assert (member.company, member.user, member.role) == (world.company, world.outsider, "member")


def test_a_member_of_the_company_is_not_invited_again(world):
    with pytest.raises(ValidationError, match="already belongs"):
        company_colleague_add(
            actor=world.owner, company=world.company, email=world.member.email, role="member"
        )
    assert not CompanyInvitation.objects.exists()


def test_an_unknown_address_is_invited_by_e_mail(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        added = company_colleague_add(
            actor=world.owner, company=world.company, email=" Neu@Example.com ", role="owner"
        )
    assert isinstance(added, CompanyInvitation)
    assert added.email == "neu@example.com" and added.role == "owner"
    assert added.invited_by == world.owner
    assert added.expires_at > timezone.now() + timedelta(days=13)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["neu@example.com"]
    assert world.company.name in message.subject
    assert world.owner.name in message.body
    token = _token_from_mail(message)
    # Only the hash is stored; the e-mailed token opens this invitation.
    assert token not in added.token_hash
    assert company_invitation_by_token(token=token) == added
    # Written in the inviter's language (German here), with a reply to the inviter.
    assert message.body.startswith("Guten Tag")
    assert world.owner.email in message.reply_to[0]


def test_an_address_is_invited_once_while_its_invitation_is_open(world):
    company_invitation_create(actor=world.owner, company=world.company, email="neu@example.com")
    with pytest.raises(ValidationError) as exc:
        company_invitation_create(actor=world.owner, company=world.company, email="NEU@example.com")
    assert "email" in exc.value.message_dict
    assert CompanyInvitation.objects.count() == 1


@pytest.mark.parametrize("role", ["member", "facilitator", "outsider"])
def test_only_an_owner_invites(world, role):
    before = domain_state()
    with pytest.raises(PermissionDenied):
        company_colleague_add(
            actor=getattr(world, role), company=world.company, email="x@example.com", role="member"
        )
    assert domain_state() == before and not mail.outbox


def test_a_bad_role_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        company_invitation_create(
            actor=world.owner, company=world.company, email="x@example.com", role="boss"
        )
    assert "role" in exc.value.message_dict


def test_accepting_joins_with_the_invited_role_once(world):
    invitation, token = company_invitation_create(
        actor=world.owner, company=world.company, email="neu@example.com", role="owner"
    )
    newcomer = UserFactory(email="neu@example.com")
    member = company_invitation_accept(actor=newcomer, token=token)
    assert (member.company, member.user, member.role) == (world.company, newcomer, "owner")
    invitation.refresh_from_db()
    assert invitation.accepted_by == newcomer and invitation.state() == "accepted"
    with pytest.raises(ValidationError, match="already been used"):
        company_invitation_accept(actor=newcomer, token=token)


def test_accepting_needs_the_invited_address(world):
    _invitation, token = company_invitation_create(
        actor=world.owner, company=world.company, email="neu@example.com"
    )
    with pytest.raises(PermissionDenied, match=r"neu@example\.com"):
        company_invitation_accept(actor=world.outsider, token=token)
    assert not CompanyMember.objects.filter(user=world.outsider).exists()


def test_expired_revoked_and_unknown_links_do_not_open(world):
    newcomer = UserFactory(email="neu@example.com")
    expired = CompanyInvitationFactory(
        company=world.company,
        email=newcomer.email,
        token="old",
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    with pytest.raises(ValidationError, match="expired"):
        company_invitation_accept(actor=newcomer, token="old")
    assert expired.state() == "expired"
    revoked = CompanyInvitationFactory(company=world.company, email=newcomer.email, token="gone")
    company_invitation_revoke(actor=world.owner, invitation=revoked)
    company_invitation_revoke(actor=world.owner, invitation=revoked)  # twice: no change
    with pytest.raises(ValidationError, match="withdrawn"):
        company_invitation_accept(actor=newcomer, token="gone")
    with pytest.raises(ValidationError, match="not valid"):
        company_invitation_accept(actor=newcomer, token="nope")
    assert not CompanyMember.objects.filter(user=newcomer).exists()


def test_resending_replaces_the_link_and_renews_it(world, django_capture_on_commit_callbacks):
    invitation = CompanyInvitationFactory(
        company=world.company,
        email="neu@example.com",
        token="first",
        invited_by=world.owner,
        expires_at=timezone.now() - timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        _same, token = company_invitation_resend(actor=world.owner, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.state() == "open"
    assert company_invitation_by_token(token="first") is None
    assert _token_from_mail(mail.outbox[-1]) == token
    with pytest.raises(PermissionDenied):
        company_invitation_resend(actor=world.member, invitation=invitation)


def test_an_accepted_invitation_cannot_be_revoked_or_resent(world):
    invitation, token = company_invitation_create(
        actor=world.owner, company=world.company, email="neu@example.com"
    )
    company_invitation_accept(actor=UserFactory(email="neu@example.com"), token=token)
    for change in (company_invitation_revoke, company_invitation_resend):
        with pytest.raises(ValidationError, match="already been accepted"):
            change(actor=world.owner, invitation=invitation)


def test_a_rolled_back_invitation_sends_nothing(world, django_capture_on_commit_callbacks):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        company_invitation_create(actor=world.owner, company=world.company, email="neu@example.com")
        raise RuntimeError("the caller's transaction fails")
    assert not CompanyInvitation.objects.exists() and not mail.outbox


# --- API -------------------------------------------------------------------------------------


def test_api_members_post_invites_an_unknown_address(world, client_for):
    client = client_for(world.owner)
    url = f"/api/v1/companies/{world.company.pk}/members/"
    r = client.post(url, {"email": "neu@example.com", "role": "member"}, format="json")
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"invitation"}
    assert body["invitation"]["email"] == "neu@example.com"
    assert body["invitation"]["role"] == "member"
    assert body["invitation"]["state"] == "open"
    assert "expires_at" in body["invitation"] and "token" not in body["invitation"]


def _shape(value):
    """The keys and value types of a JSON answer, not its values."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return type(value).__name__


def test_api_answers_the_same_for_an_address_with_and_without_an_account(
    world, client_for, django_capture_on_commit_callbacks
):
    """An owner (anyone can register one company) learns nothing about who has an account:
    the same status and the same shape, nothing about the person, and nobody is added."""
    client = client_for(world.owner)
    url = f"/api/v1/companies/{world.company.pk}/members/"
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": world.outsider.email.upper()}, format="json")
        unknown = client.post(url, {"email": "niemand@example.com"}, format="json")
    assert known.status_code == unknown.status_code == 201
    assert _shape(known.json()) == _shape(unknown.json())
    assert set(known.json()) == {"invitation"}
    text = known.content.decode()
    assert world.outsider.name not in text and world.outsider.handle not in text
    assert known.json()["invitation"]["email"] == world.outsider.email.lower()
    assert not CompanyMember.objects.filter(user=world.outsider).exists()
    # The existing account joins by accepting, logged in with the invited address.
    token = _token_from_mail(next(m for m in mail.outbox if m.to == [world.outsider.email.lower()]))
    r = client_for(world.outsider).post(f"/api/v1/company-invitations/{token}/accept/")
    assert r.status_code == 200 and r.json()["user"]["id"] == world.outsider.pk
    assert CompanyMember.objects.filter(company=world.company, user=world.outsider).exists()


def test_api_colleague_invitations_are_rate_limited_per_owner(world, client_for, settings):
    settings.COLLEAGUE_INVITATION_RATE_LIMIT = 2
    client = client_for(world.owner)
    url = f"/api/v1/companies/{world.company.pk}/members/"
    codes = [
        client.post(url, {"email": f"neu{i}@example.com"}, format="json").status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    r = client.post(url, {"email": "neu9@example.com"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 429 and "a lot of invitations" in r.json()["detail"]
    assert CompanyInvitation.objects.count() == 2
    # A non-owner is refused (403), not counted; another owner is not held back.
    r = client_for(world.member).post(url, {"email": "neu8@example.com"}, format="json")
    assert r.status_code == 403
    r = client_for(world.other_member).post(
        f"/api/v1/companies/{world.other_company.pk}/members/",
        {"email": "neu@example.com"},
        format="json",
    )
    assert r.status_code == 201


def test_api_lists_revokes_and_resends_invitations(world, client_for):
    client = client_for(world.owner)
    invitation, _token = company_invitation_create(
        actor=world.owner, company=world.company, email="neu@example.com"
    )
    base = f"/api/v1/companies/{world.company.pk}/invitations/"
    listed = client.get(base).json()
    assert [row["id"] for row in listed] == [invitation.pk]
    r = client.post(f"{base}{invitation.pk}/resend/")
    assert r.status_code == 200 and r.json()["state"] == "open"
    r = client.post(f"{base}{invitation.pk}/revoke/")
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    assert client.get(base).json() == []
    # Another company's invitation is not found through this company.
    other = CompanyInvitationFactory(company=world.other_company)
    assert client.post(f"{base}{other.pk}/revoke/").status_code == 404


def test_api_accept_by_token(world, client_for):
    _invitation, token = company_invitation_create(
        actor=world.owner, company=world.company, email=world.outsider.email
    )
    r = client_for(world.member).post(f"/api/v1/company-invitations/{token}/accept/")
    assert r.status_code == 403 and world.outsider.email in r.json()["detail"]
    r = client_for(world.outsider).post(f"/api/v1/company-invitations/{token}/accept/")
    assert r.status_code == 200
    assert r.json()["user"]["id"] == world.outsider.pk and r.json()["role"] == "member"
    r = client_for(world.outsider).post(f"/api/v1/company-invitations/{token}/accept/")
    assert r.status_code == 400 and "token" in r.json()
    r = client_for(world.outsider).post("/api/v1/company-invitations/nope/accept/")
    assert r.status_code == 400


def test_api_errors_are_translated(world, client_for):
    client = client_for(world.owner)
    company_invitation_create(actor=world.owner, company=world.company, email="neu@example.com")
    r = client.post(
        f"/api/v1/companies/{world.company.pk}/members/",
        {"email": "neu@example.com"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert r.status_code == 400
    assert "email" in r.json()


@pytest.mark.parametrize("size", [1, 12])
def test_api_invitation_list_queries_do_not_grow(
    world, client_for, size, django_assert_num_queries
):
    CompanyInvitationFactory.create_batch(size, company=world.company)
    client = client_for(world.owner)
    url = f"/api/v1/companies/{world.company.pk}/invitations/"
    # The company (visible to the caller) · owner? · the invitations.
    with django_assert_num_queries(3):
        response = client.get(url)
    assert len(response.json()) == size


@pytest.mark.parametrize("size", [1, 12])
def test_company_page_queries_do_not_grow_with_invitations(world, size):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(world.owner)
    url = f"/companies/{world.company.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    CompanyInvitationFactory.create_batch(size, company=world.company)
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert response.status_code == 200
    assert len(after) == len(before)
