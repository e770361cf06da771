"""The staff findings of the attacker's review, each pinned: nobody is added unasked (no
address squatting, no account probing, no forced membership), a removed or demoted manager
does not come back through an invitation sent before, and invitations and programmes cannot
be sent or made in bulk (resend pause, daily limits, 429 with Retry-After)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from programmes.models import Programme, Staff, StaffInvitation, StaffRole
from programmes.services import (
    STAFF_INVITATION_RESEND_SECONDS,
    staff_add,
    staff_invitation_accept,
    staff_remove,
    staff_role_set,
)
from tests.factories import StaffFactory, UserFactory
from tests.support.domain import domain_state


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _second_manager(pw):
    return StaffFactory(programme=pw.programme, role=StaffRole.MANAGER).user


def _invite(pw, *, by, email="new@example.com", role="coach"):
    return staff_add(programme=pw.programme, email=email, role=role, by=by)


# --- 1. nobody is added unasked --------------------------------------------------------------


def test_a_victim_is_not_made_manager_by_being_invited(programme_world, client_for):
    """Forced membership: a manager invites a victim and leaves. The victim is not staff (so
    not the last manager, not forced into MFA) until they accept themselves."""
    pw = programme_world
    victim = UserFactory(email="victim@example.com")
    response = client_for(pw.manager).post(
        f"/api/v1/programmes/{pw.programme.pk}/staff/",
        {"email": victim.email, "role": "manager"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["result"] == "invited"
    assert not Staff.objects.filter(user=victim).exists()
    assert client_for(victim).get(f"/api/v1/programmes/{pw.programme.pk}/").status_code == 404


def test_the_answer_tells_nothing_about_an_account(programme_world, client_for):
    pw = programme_world
    UserFactory(email="exists@example.com", name="Eva Exists")
    url = f"/api/v1/programmes/{pw.programme.pk}/staff/"
    bodies = [
        client_for(pw.manager).post(url, {"email": e, "role": "coach"}, format="json").json()
        for e in ("exists@example.com", "nobody@example.com")
    ]
    for body in bodies:
        del body["invitation"]["id"], body["invitation"]["email"]
        del body["invitation"]["created_at"], body["invitation"]["expires_at"]
    assert bodies[0] == bodies[1]
    assert "Eva" not in str(bodies)


def test_a_squatted_address_does_not_join_without_the_owner_accepting(programme_world):
    """Someone who signed up with another's address first still only gets an invitation."""
    pw = programme_world
    squatter = UserFactory(email="new-coach@agency.example")
    _invite(pw, by=pw.manager, email="new-coach@agency.example")
    assert not Staff.objects.filter(user=squatter).exists()


# --- 2. a removed or demoted manager's invitations ---------------------------------------------


def test_removing_a_manager_withdraws_the_invitations_they_sent(programme_world):
    pw = programme_world
    other = _second_manager(pw)
    added = _invite(pw, by=other, email="friend@example.com", role="manager")
    mine = _invite(pw, by=pw.manager, email="kept@example.com")
    staff_remove(staff=Staff.objects.get(programme=pw.programme, user=other), by=pw.manager)
    added.invitation.refresh_from_db()
    mine.invitation.refresh_from_db()
    assert added.invitation.state() == "revoked"
    assert mine.invitation.state() == "open"  # only theirs
    friend = UserFactory(email="friend@example.com")
    before = domain_state()
    with pytest.raises(ValidationError):
        staff_invitation_accept(token=added.token, user=friend)
    assert domain_state() == before


def test_a_manager_who_leaves_cannot_come_back_with_their_own_invitation(programme_world):
    """The finding: invite a second address of one's own, leave (or be removed), accept."""
    pw = programme_world
    other = _second_manager(pw)
    added = _invite(pw, by=other, email="second-self@example.com", role="manager")
    staff_remove(staff=Staff.objects.get(programme=pw.programme, user=other), by=other)
    second_self = UserFactory(email="second-self@example.com")
    with pytest.raises(ValidationError):
        staff_invitation_accept(token=added.token, user=second_self)
    assert not Staff.objects.filter(user=second_self).exists()


def test_demoting_a_manager_withdraws_the_invitations_they_sent(programme_world):
    pw = programme_world
    other = _second_manager(pw)
    added = _invite(pw, by=other, email="friend@example.com", role="manager")
    staff_role_set(
        staff=Staff.objects.get(programme=pw.programme, user=other), role="coach", by=pw.manager
    )
    added.invitation.refresh_from_db()
    assert added.invitation.state() == "revoked"


def test_accepting_checks_the_inviter_even_if_the_invitation_is_still_open(programme_world):
    """Defence in depth: an open invitation whose sender is gone (or no longer a manager, for a
    manager's invitation) is refused at accepting, with a clear message."""
    pw = programme_world
    other = _second_manager(pw)
    as_manager = _invite(pw, by=other, email="m@example.com", role="manager")
    as_coach = _invite(pw, by=other, email="c@example.com", role="coach")
    # Made a coach behind the services' back: the invitations stay open.
    Staff.objects.filter(programme=pw.programme, user=other).update(role="coach")
    with pytest.raises(ValidationError) as exc:
        staff_invitation_accept(token=as_manager.token, user=UserFactory(email="m@example.com"))
    assert "may no longer invite" in " ".join(exc.value.messages)
    # A coach's invitation from someone still on the staff holds.
    joined = staff_invitation_accept(token=as_coach.token, user=UserFactory(email="c@example.com"))
    assert joined.role == "coach"
    # Gone from the staff altogether: refused whatever the role.
    late = _invite(pw, by=pw.manager, email="late@example.com")
    Staff.objects.filter(programme=pw.programme, user=pw.manager).delete()
    with pytest.raises(ValidationError):
        staff_invitation_accept(token=late.token, user=UserFactory(email="late@example.com"))


def test_accepting_over_the_api_after_the_inviter_left_is_400(programme_world, client_for):
    pw = programme_world
    other = _second_manager(pw)
    added = _invite(pw, by=other, email="friend@example.com")
    Staff.objects.filter(programme=pw.programme, user=other).delete()
    friend = UserFactory(email="friend@example.com")
    response = client_for(friend).post(f"/api/v1/programme-invitations/{added.token}/accept/")
    assert response.status_code == 400 and "token" in response.json()
    assert not Staff.objects.filter(user=friend).exists()


# --- 3. no e-mail bombing, no mass-created programmes -----------------------------------------


def test_sending_an_open_invitation_again_waits_ten_minutes(
    programme_world, django_capture_on_commit_callbacks
):
    pw = programme_world
    with django_capture_on_commit_callbacks(execute=True):
        first = _invite(pw, by=pw.manager)
    before = domain_state()
    with pytest.raises(ValidationError) as exc:
        _invite(pw, by=pw.manager)
    assert "less than 10 minutes ago" in exc.value.message_dict["email"][0]
    assert domain_state() == before and len(mail.outbox) == 1
    # Ten minutes on (its expiry, which dates the sending, moved back): sent again.
    StaffInvitation.objects.filter(pk=first.invitation.pk).update(
        expires_at=first.invitation.expires_at
        - timedelta(seconds=STAFF_INVITATION_RESEND_SECONDS + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = _invite(pw, by=pw.manager)
    assert again.invitation.pk == first.invitation.pk and len(mail.outbox) == 2


def test_staff_invitations_per_manager_per_day_are_limited(programme_world, client_for, settings):
    pw = programme_world
    settings.PROGRAMME_STAFF_INVITES_PER_DAY = 2
    url = f"/api/v1/programmes/{pw.programme.pk}/staff/"
    client = client_for(pw.manager)
    for n in range(2):
        body = {"email": f"p{n}@example.com", "role": "coach"}
        assert client.post(url, body, format="json").status_code == 201
    before = domain_state()
    limited = client.post(url, {"email": "p9@example.com", "role": "coach"}, format="json")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert limited.json()["detail"]
    assert domain_state() == before
    # Per manager: another manager may still invite.
    other = _second_manager(pw)
    assert (
        client_for(other)
        .post(url, {"email": "p9@example.com", "role": "coach"}, format="json")
        .status_code
        == 201
    )


def test_the_staff_page_says_when_the_daily_limit_is_reached(programme_world, settings):
    pw = programme_world
    settings.PROGRAMME_STAFF_INVITES_PER_DAY = 0
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(pw.manager)
    before = domain_state()
    response = client.post(
        f"/programmes/{pw.programme.pk}/staff/", {"email": "x@example.com", "role": "coach"}
    )
    assert response.status_code == 429
    assert "a lot of invitations today" in response.content.decode()
    assert domain_state() == before


def test_programmes_per_person_per_day_are_limited(db, client_for, settings):
    settings.PROGRAMME_CREATES_PER_DAY = 2
    user = UserFactory()
    client = client_for(user)
    for n in range(2):
        body = {"name": f"Zentrum {n}", "region": "NRW"}
        assert client.post("/api/v1/programmes/", body, format="json").status_code == 201
    limited = client.post("/api/v1/programmes/", {"name": "Zu viel", "region": ""}, format="json")
    assert limited.status_code == 429 and limited["Retry-After"]
    assert Programme.objects.count() == 2
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(user)
    response = page.post("/programmes/", {"name": "Auch zu viel", "region": ""})
    assert response.status_code == 429
    assert "several programmes today" in response.content.decode()
    assert Programme.objects.count() == 2


def test_a_refused_create_does_not_count(db, client_for, settings):
    """Bad input is refused before counting: a typo does not use up the day's programmes."""
    settings.PROGRAMME_CREATES_PER_DAY = 1
    client = client_for(UserFactory())
    assert client.post("/api/v1/programmes/", {"region": "x"}, format="json").status_code == 400
    body = {"name": "Zentrum", "region": ""}
    assert client.post("/api/v1/programmes/", body, format="json").status_code == 201


def test_the_invitation_e_mail_has_no_reply_to(programme_world, django_capture_on_commit_callbacks):
    pw = programme_world
    with django_capture_on_commit_callbacks(execute=True):
        _invite(pw, by=pw.manager, email="someone@example.com")
    (message,) = mail.outbox
    assert not message.reply_to
    assert "Reply-To" not in message.message()
