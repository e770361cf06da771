"""Convoy services: creation, settings, invitations (single use, expiry, revoke, size limit)
and the end of a membership."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from convoys.models import Event, Facilitator, Invitation, Membership
from convoys.selectors import convoys_for_user
from convoys.services import (
    convoy_create,
    convoy_update,
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    membership_end,
    token_hash,
)
from tests.factories import CompanyFactory, CompanyMemberFactory, UserFactory
from tests.support.domain import domain_counts


def _owned_company(name="Neue Firma GmbH"):
    owner = UserFactory()
    company = CompanyFactory(name=name)
    CompanyMemberFactory(company=company, user=owner, role="owner")
    return owner, company


def _kinds(convoy):
    return list(Event.objects.filter(convoy=convoy).order_by("seq").values_list("kind", flat=True))


# --- convoy_create / convoy_update ---


def test_convoy_create_makes_the_caller_facilitator(db):
    user = UserFactory()
    convoy = convoy_create(actor=user, name="  Konvoi Hagen ", update_cadence_days=7)
    assert convoy.name == "Konvoi Hagen"
    assert convoy.status == "forming"
    assert Facilitator.objects.filter(convoy=convoy, user=user).exists()
    assert convoy.last_event_seq == 0


def test_convoy_create_validates_time_zone(db):
    with pytest.raises(ValidationError) as exc:
        convoy_create(actor=UserFactory(), name="K", timezone="Mars/Olympus")
    assert "timezone" in exc.value.message_dict


def test_convoy_update_records_an_event(world):
    convoy = convoy_update(
        actor=world.facilitator, convoy=world.convoy, name="Neu", status="closed"
    )
    assert convoy.last_event_seq == 1
    event = Event.objects.get(convoy=world.convoy)
    assert event.kind == "convoy.updated"
    assert event.data["convoy"] == {"id": world.convoy.pk, "name": "Neu", "status": "closed"}


@pytest.mark.parametrize("role", ["owner", "member", "outsider", "staff", "other_member"])
def test_convoy_update_only_by_a_facilitator(world, role):
    before = domain_counts()
    with pytest.raises(PermissionDenied):
        convoy_update(actor=getattr(world, role), convoy=world.convoy, name="Gekapert")
    assert domain_counts() == before


def test_convoy_update_refuses_unknown_fields(world):
    with pytest.raises(ValidationError) as exc:
        convoy_update(actor=world.facilitator, convoy=world.convoy, last_event_seq=99)
    assert "last_event_seq" in exc.value.message_dict


# --- invitations ---


def test_invitation_create_stores_only_a_hash_and_mails_the_token(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invitation_create(
            actor=world.facilitator, convoy=world.convoy, email=" Neu@Example.com "
        )
    assert invitation.email == "neu@example.com"
    assert invitation.token_hash == token_hash(token) != token
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert invitation.expires_at > timezone.now() + timedelta(days=13)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["neu@example.com"]
    assert token in mailoutbox[0].body


def test_invitation_mail_is_sent_only_after_commit(world, mailoutbox):
    # The `db` fixture never commits: the on_commit task must not have run.
    invitation_create(actor=world.facilitator, convoy=world.convoy, email="neu@example.com")
    assert mailoutbox == []


@pytest.mark.parametrize("role", ["owner", "member", "outsider", "staff"])
def test_invitation_create_only_by_a_facilitator(world, role):
    with pytest.raises(PermissionDenied):
        invitation_create(actor=getattr(world, role), convoy=world.convoy, email="x@example.com")
    assert not Invitation.objects.exists()


def test_invitation_create_refused_for_a_closed_convoy(world):
    world.convoy.status = "closed"
    world.convoy.save()
    with pytest.raises(ValidationError):
        invitation_create(actor=world.facilitator, convoy=world.convoy, email="x@example.com")


@pytest.fixture
def invited(world):
    owner, company = _owned_company()
    invitation, token = invitation_create(
        actor=world.facilitator, convoy=world.convoy, email=owner.email
    )
    return invitation, token, owner, company


def test_invitation_accept_makes_the_company_an_active_member(world, invited):
    invitation, token, owner, company = invited
    membership = invitation_accept(actor=owner, token=token, company=company)
    assert membership.status == "active"
    assert membership.invitation == invitation
    invitation.refresh_from_db()
    assert invitation.accepted_by == owner
    assert invitation.company == company
    assert invitation.accepted_at is not None
    assert _kinds(world.convoy) == ["membership.joined"]
    assert world.convoy in convoys_for_user(user=owner)


def _assert_refused(world, *, actor, token, company, field, message=None):
    before = domain_counts()
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        invitation_accept(actor=actor, token=token, company=company)
    assert field in exc.value.message_dict, exc.value.message_dict
    if message:
        assert message in exc.value.message_dict[field][0]
    assert domain_counts() == before


def test_invitation_is_single_use(world, invited):
    _invitation, token, owner, company = invited
    invitation_accept(actor=owner, token=token, company=company)
    second_owner, second_company = _owned_company("Zweite GmbH")
    _assert_refused(
        world, actor=second_owner, token=token, company=second_company, field="token",
        message="already been used",
    )  # fmt: skip


def test_invitation_expires(world, invited):
    invitation, token, owner, company = invited
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    _assert_refused(world, actor=owner, token=token, company=company, field="token",
                    message="expired")  # fmt: skip


def test_revoked_invitation_cannot_be_accepted(world, invited):
    invitation, token, owner, company = invited
    invitation_revoke(actor=world.facilitator, invitation=invitation)
    _assert_refused(world, actor=owner, token=token, company=company, field="token",
                    message="withdrawn")  # fmt: skip


def test_only_a_facilitator_revokes(world, invited):
    invitation, *_ = invited
    with pytest.raises(PermissionDenied):
        invitation_revoke(actor=world.owner, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_revoking_an_accepted_invitation_is_refused_and_changes_nothing(world, invited):
    invitation, token, owner, company = invited
    invitation_accept(actor=owner, token=token, company=company)
    invitation.refresh_from_db()
    with translation.override("en"), pytest.raises(ValidationError, match="already been accepted"):
        invitation_revoke(actor=world.facilitator, invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert Membership.objects.get(convoy=world.convoy, company=company).status == "active"


def test_unknown_token_is_refused(world, invited):
    *_, owner, company = invited
    _assert_refused(world, actor=owner, token="nope", company=company, field="token")


def test_invitation_for_a_closed_convoy_is_refused(world, invited):
    _invitation, token, owner, company = invited
    world.convoy.status = "closed"
    world.convoy.save()
    _assert_refused(world, actor=owner, token=token, company=company, field="token",
                    message="closed")  # fmt: skip


def test_only_an_owner_accepts_for_the_company(world, invited):
    _invitation, _token, _owner, company = invited
    colleague = UserFactory()
    CompanyMemberFactory(company=company, user=colleague, role="member")
    _invitation, token = invitation_create(
        actor=world.facilitator, convoy=world.convoy, email=colleague.email
    )
    _assert_refused(world, actor=colleague, token=token, company=company, field="company")


def test_a_company_already_in_the_convoy_cannot_join_twice(world):
    _invitation, token = invitation_create(
        actor=world.facilitator, convoy=world.convoy, email=world.owner.email
    )
    _assert_refused(
        world, actor=world.owner, token=token, company=world.company, field="company",
        message="already",
    )  # fmt: skip


def test_max_companies_is_enforced(world, invited):
    _invitation, token, owner, company = invited
    world.convoy.max_companies = 1  # world.company holds the only seat
    world.convoy.save()
    _assert_refused(world, actor=owner, token=token, company=company, field="company",
                    message="full")  # fmt: skip
    world.convoy.max_companies = 2
    world.convoy.save()
    assert invitation_accept(actor=owner, token=token, company=company).status == "active"


def test_a_company_that_left_can_rejoin_with_a_new_invitation(world):
    membership = Membership.objects.get(convoy=world.convoy, company=world.company)
    membership_end(actor=world.owner, membership=membership)
    _invitation, token = invitation_create(
        actor=world.facilitator, convoy=world.convoy, email=world.owner.email
    )
    rejoined = invitation_accept(actor=world.owner, token=token, company=world.company)
    assert rejoined.pk != membership.pk
    assert Membership.objects.filter(convoy=world.convoy, company=world.company).count() == 2


# --- membership_end ---


@pytest.fixture
def membership(world):
    return Membership.objects.get(convoy=world.convoy, company=world.company)


def test_facilitator_removes_a_company(world, membership):
    ended = membership_end(actor=world.facilitator, membership=membership)
    assert ended.status == "removed"
    assert ended.ended_at is not None
    event = Event.objects.get(convoy=world.convoy)
    assert event.kind == "membership.left"
    assert event.data["reason"] == "removed"
    assert event.data["company"] == {"id": world.company.pk, "name": world.company.name}
    assert world.convoy not in convoys_for_user(user=world.owner)
    assert world.convoy not in convoys_for_user(user=world.member)


def test_owner_takes_the_company_out(world, membership):
    ended = membership_end(actor=world.owner, membership=membership)
    assert ended.status == "left"
    assert Event.objects.get(convoy=world.convoy).data["reason"] == "left"


@pytest.mark.parametrize("role", ["member", "outsider", "staff", "other_member"])
def test_others_cannot_end_a_membership(world, membership, role):
    before = domain_counts()
    with pytest.raises(PermissionDenied):
        membership_end(actor=getattr(world, role), membership=membership)
    assert domain_counts() == before
    membership.refresh_from_db()
    assert membership.status == "active"


def test_an_ended_membership_cannot_end_again(world, membership):
    membership_end(actor=world.owner, membership=membership)
    before = domain_counts()
    with pytest.raises(ValidationError):
        membership_end(actor=world.facilitator, membership=membership)
    assert domain_counts() == before


def test_facilitator_who_also_owns_the_company_removes_it(world, membership):
    Facilitator.objects.create(convoy=world.convoy, user=world.owner)
    assert membership_end(actor=world.owner, membership=membership).status == "removed"


# --- invitations are bound to their address; revoke and resend ---


def test_an_invitation_is_accepted_only_by_the_account_it_was_sent_to(world, invited):
    _invitation, token, owner, _company = invited
    stranger, strangers_company = _owned_company("Fremd GmbH")
    before = domain_counts()
    with pytest.raises(PermissionDenied) as exc, translation.override("en"):
        invitation_accept(actor=stranger, token=token, company=strangers_company)
    # Says for which address it is (the link went there), and who is logged in.
    assert str(exc.value) == (
        f"This invitation is for {owner.email}, but you are logged in as {stranger.email}. "
        f"Log out and log in (or sign up) with {owner.email} to accept it."
    )
    assert domain_counts() == before


def test_the_invited_address_matches_whatever_its_case_and_spaces(world):
    owner, company = _owned_company()
    owner.email = "Olga.Owner@Example.COM"
    owner.save(update_fields=["email"])
    _invitation, token = invitation_create(
        actor=world.facilitator, convoy=world.convoy, email="  olga.owner@example.com "
    )
    assert invitation_accept(actor=owner, token=token, company=company).status == "active"


def test_revoking_twice_changes_nothing_the_second_time(world, invited):
    invitation, *_ = invited
    first = invitation_revoke(actor=world.facilitator, invitation=invitation).revoked_at
    assert first is not None
    assert invitation_revoke(actor=world.facilitator, invitation=invitation).revoked_at == first
    assert Event.objects.filter(convoy=world.convoy).count() == 0  # facilitators' business


def test_resend_mails_a_new_link_and_the_old_one_stops_working(
    world, invited, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, old_token, owner, company = invited
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())  # expired
    with django_capture_on_commit_callbacks(execute=True):
        resent, new_token = invitation_resend(actor=world.facilitator, invitation=invitation)
    assert resent.pk == invitation.pk and new_token != old_token
    assert resent.token_hash == token_hash(new_token)
    assert resent.expires_at > timezone.now() + timedelta(days=13)
    (mail,) = mailoutbox
    assert mail.to == [owner.email] and f"/invitations/{new_token}/" in mail.body
    assert Event.objects.filter(convoy=world.convoy).count() == 0
    _assert_refused(world, actor=owner, token=old_token, company=company, field="token",
                    message="not valid")  # fmt: skip
    assert invitation_accept(actor=owner, token=new_token, company=company).status == "active"


def test_a_mail_queued_with_the_old_token_is_not_sent_after_a_resend(world, invited, mailoutbox):
    from notifications.invitations import invitation_email_send

    invitation, old_token, *_ = invited
    invitation_resend(actor=world.facilitator, invitation=invitation)
    invitation_email_send(invitation_id=invitation.pk, token=old_token)
    assert mailoutbox == []


@pytest.mark.parametrize("state", ["revoked", "accepted"])
def test_resend_is_refused_once_revoked_or_accepted(world, invited, state):
    invitation, token, owner, company = invited
    if state == "revoked":
        invitation_revoke(actor=world.facilitator, invitation=invitation)
    else:
        invitation_accept(actor=owner, token=token, company=company)
    invitation.refresh_from_db()
    before = domain_counts()
    with pytest.raises(ValidationError):
        invitation_resend(actor=world.facilitator, invitation=invitation)
    assert domain_counts() == before
    assert Invitation.objects.get(pk=invitation.pk).token_hash == invitation.token_hash


@pytest.mark.parametrize("role", ["owner", "member", "outsider"])
def test_only_a_facilitator_resends(world, invited, role):
    invitation, *_ = invited
    with pytest.raises(PermissionDenied):
        invitation_resend(actor=getattr(world, role), invitation=invitation)
    assert Invitation.objects.get(pk=invitation.pk).token_hash == invitation.token_hash
