"""Programmes and their staff, through the services: creation and the public address, inviting
people (always by e-mail, accounts or not), invitations (single use, expiring,
for the invited address), roles, leaving, and the rule that a programme keeps a manager."""

import re
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections
from django.utils import timezone, translation

from audit.models import AuditEntry
from programmes.models import Programme, Staff, StaffInvitation
from programmes.services import (
    programme_create,
    programme_update,
    slug_from_name,
    slug_problem,
    staff_add,
    staff_invitation_accept,
    staff_invitation_revoke,
    staff_remove,
    staff_role_set,
)
from tests.factories import ProgrammeFactory, StaffFactory, UserFactory
from tests.support.domain import domain_state
from tests.support.services import require_postgres


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _messages(exc) -> str:
    return " ".join(exc.value.messages)


# --- creating a programme and its address ----------------------------------------------------


def test_the_creator_becomes_manager_and_it_is_audited(db):
    user = UserFactory()
    programme = programme_create(user=user, name="  Kompetenzzentrum  Hagen ", region="NRW")
    assert programme.name == "Kompetenzzentrum Hagen"
    assert programme.slug == "kompetenzzentrum-hagen"
    assert Staff.objects.get(programme=programme).user == user
    assert Staff.objects.get(programme=programme).role == "manager"
    entry = AuditEntry.objects.get(action="role.granted", user=user)
    assert entry.data == {"role": "programme_manager", "programme": programme.pk}


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Digitalzentrum Südwestfalen", "digitalzentrum-suedwestfalen"),
        (
            "Mittelstand-Digital Zentrum Köln & Düsseldorf",
            "mittelstand-digital-zentrum-koeln-duesseldorf",
        ),
        ("Straße der Ämter", "strasse-der-aemter"),
        ("ÖKO Übung", "oeko-uebung"),
        ("Café Crème", "cafe-creme"),
        ("  --EDIH!!  Rheinland--  ", "edih-rheinland"),
    ],
)
def test_the_address_is_made_from_the_name(name, slug):
    assert slug_from_name(name) == slug


def test_a_taken_address_is_numbered(db):
    user = UserFactory()
    first = programme_create(user=user, name="EDIH Rheinland", region="")
    second = programme_create(user=user, name="EDIH  Rheinland!", region="")
    third = programme_create(user=user, name="edih rheinland", region="")
    assert [first.slug, second.slug, third.slug] == [
        "edih-rheinland",
        "edih-rheinland-2",
        "edih-rheinland-3",
    ]


def test_a_long_name_gives_an_address_of_at_most_60_characters(db):
    programme = programme_create(user=UserFactory(), name="Zentrum " * 20, region="")
    assert len(programme.slug) <= 60
    assert slug_problem(programme.slug) is None
    again = programme_create(user=UserFactory(), name="Zentrum " * 20, region="")
    assert len(again.slug) <= 60 and again.slug.endswith("-2")


@pytest.mark.parametrize("name", ["AB", "✨✨✨", "Events"])
def test_a_name_without_a_usable_address_still_gets_a_valid_one(db, name):
    programme = programme_create(user=UserFactory(), name=name, region="")
    assert slug_problem(programme.slug) is None


@pytest.mark.parametrize(
    "slug",
    [
        "ab",
        "x" * 61,
        "hagen_zentrum",
        "-hagen",
        "hagen-",
        "hagen--zentrum",
        "süd",
        "events",
        "admin",
    ],
)
def test_a_bad_chosen_address_is_refused(db, slug):
    user = UserFactory()
    before = domain_state()
    with pytest.raises(ValidationError) as exc:
        programme_create(user=user, name="Zentrum", region="", slug=slug)
    assert "slug" in exc.value.message_dict
    assert Programme.objects.count() == 0
    assert domain_state() == before


def test_a_chosen_address_is_taken_in_lower_case(db):
    programme = programme_create(user=UserFactory(), name="Zentrum", region="", slug=" KZ-Hagen ")
    assert programme.slug == "kz-hagen"


def test_a_chosen_address_in_use_is_refused(db):
    ProgrammeFactory(slug="zentrum-hagen")
    with pytest.raises(ValidationError) as exc:
        programme_create(user=UserFactory(), name="Zentrum", region="", slug="zentrum-hagen")
    assert "already uses" in _messages(exc)


def test_a_manager_updates_the_programme_and_a_coach_may_not(programme_world):
    pw = programme_world
    programme_update(
        programme=pw.programme, by=pw.manager, region="Märkischer Kreis", slug="kz-hagen"
    )
    pw.programme.refresh_from_db()
    assert (pw.programme.region, pw.programme.slug) == ("Märkischer Kreis", "kz-hagen")
    with pytest.raises(PermissionDenied):
        programme_update(programme=pw.programme, by=pw.coach, region="Anders")
    with pytest.raises(PermissionDenied):
        programme_update(programme=pw.programme, by=pw.outsider, region="Anders")
    pw.programme.refresh_from_db()
    assert pw.programme.region == "Märkischer Kreis"


def test_update_refuses_an_address_of_another_programme_and_unknown_fields(programme_world):
    pw = programme_world
    with pytest.raises(ValidationError) as exc:
        programme_update(programme=pw.programme, by=pw.manager, slug=pw.other_programme.slug)
    assert "slug" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        programme_update(programme=pw.programme, by=pw.manager, created_at="2020-01-01")
    assert "created_at" in exc.value.message_dict


# --- adding people ---------------------------------------------------------------------------


def test_an_existing_account_is_invited_too_and_asked_to_log_in(
    programme_world, django_capture_on_commit_callbacks
):
    pw = programme_world
    person = UserFactory(email="Petra.Plan@Example.com", name="Petra Plan", language="de")
    with django_capture_on_commit_callbacks(execute=True):
        added = staff_add(
            programme=pw.programme, email="petra.plan@example.COM", role="coach", by=pw.manager
        )
    # Nobody is on a staff without accepting: no Staff row, no role granted yet.
    assert not Staff.objects.filter(programme=pw.programme, user=person).exists()
    assert not AuditEntry.objects.filter(action="role.granted", user=person).exists()
    assert added.invitation.email == "petra.plan@example.com"
    (message,) = mail.outbox
    assert message.to == ["petra.plan@example.com"]
    assert "Kompetenzzentrum Hagen" in message.subject
    assert "Guten Tag, Petra Plan" in message.body  # her language
    assert "Mit dieser Adresse anmelden und beitreten" in message.body
    assert f"/programme-invitations/{added.token}/" in message.body
    assert not message.reply_to
    staff = staff_invitation_accept(token=added.token, user=person)
    assert staff.role == "coach"


def test_an_account_or_not_gets_the_same_answer(programme_world):
    pw = programme_world
    UserFactory(email="has-account@example.com")
    with_account = staff_add(
        programme=pw.programme, email="has-account@example.com", role="coach", by=pw.manager
    )
    without = staff_add(
        programme=pw.programme, email="no-account@example.com", role="coach", by=pw.manager
    )
    assert type(with_account) is type(without)
    assert with_account.invitation.state() == without.invitation.state() == "open"
    assert Staff.objects.filter(programme=pw.programme).count() == 2  # manager and coach


def test_anyone_else_is_invited_by_e_mail_with_only_the_hash_stored(
    programme_world, django_capture_on_commit_callbacks
):
    pw = programme_world
    pw.manager.language = "en"
    pw.manager.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        added = staff_add(
            programme=pw.programme, email="Neu@Example.com", role="manager", by=pw.manager
        )
    invitation = added.invitation
    assert invitation.role == "manager"
    assert invitation.email == "neu@example.com"
    assert added.token not in invitation.token_hash
    assert invitation.state() == "open"
    (message,) = mail.outbox
    token = re.search(r"/programme-invitations/([^/\s]+)/", message.body).group(1)
    assert token == added.token
    assert "as a manager" in message.body
    assert not Staff.objects.filter(programme=pw.programme, user__email__iexact="neu@example.com")


def test_adding_someone_already_on_the_staff_is_refused_and_changes_nothing(programme_world):
    pw = programme_world
    before = domain_state()
    with pytest.raises(ValidationError) as exc:
        staff_add(
            programme=pw.programme, email=pw.coach.email.upper(), role="manager", by=pw.manager
        )
    assert "already on the programme's staff" in _messages(exc)
    assert domain_state() == before


def test_inviting_again_renews_the_open_invitation(
    programme_world, django_capture_on_commit_callbacks
):
    pw = programme_world
    invitation = pw.staff_invitation
    StaffInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        added = staff_add(
            programme=pw.programme, email="NEUER-coach@example.com", role="manager", by=pw.manager
        )
    assert added.invitation.pk == invitation.pk
    assert StaffInvitation.objects.filter(programme=pw.programme).count() == 1
    invitation.refresh_from_db()
    assert invitation.state() == "open" and invitation.role == "manager"
    assert len(mail.outbox) == 1
    # The old link no longer opens it; the new one does.
    person = UserFactory(email="neuer-coach@example.com")
    with pytest.raises(ValidationError):
        staff_invitation_accept(token=pw.staff_invitation_token, user=person)
    staff = staff_invitation_accept(token=added.token, user=person)
    assert staff.role == "manager"


@pytest.mark.parametrize(
    ("email", "role", "field"),
    [("not-an-address", "coach", "email"), ("ok@example.com", "boss", "role")],
)
def test_bad_input_is_refused(programme_world, email, role, field):
    pw = programme_world
    before = domain_state()
    with pytest.raises(ValidationError) as exc:
        staff_add(programme=pw.programme, email=email, role=role, by=pw.manager)
    assert field in exc.value.message_dict
    assert domain_state() == before


@pytest.mark.parametrize("who", ["coach", "other_coach", "outsider"])
def test_only_a_manager_adds_staff(programme_world, who):
    pw = programme_world
    before = domain_state()
    with pytest.raises(PermissionDenied):
        staff_add(programme=pw.programme, email="x@example.com", role="coach", by=getattr(pw, who))
    assert domain_state() == before


# --- accepting and revoking invitations ------------------------------------------------------


def test_the_invited_address_accepts_once(programme_world):
    pw = programme_world
    person = UserFactory(email="Neuer-Coach@example.com")
    staff = staff_invitation_accept(token=pw.staff_invitation_token, user=person)
    assert (staff.user, staff.role, staff.programme) == (person, "coach", pw.programme)
    pw.staff_invitation.refresh_from_db()
    assert pw.staff_invitation.state() == "accepted"
    assert pw.staff_invitation.accepted_by == person
    entry = AuditEntry.objects.get(action="role.granted", user=person)
    assert entry.actor == pw.manager and entry.data["via"] == "invitation"
    with pytest.raises(ValidationError) as exc:
        staff_invitation_accept(token=pw.staff_invitation_token, user=person)
    assert "already been used" in _messages(exc)


def test_another_address_cannot_accept(programme_world):
    pw = programme_world
    before = domain_state()
    with pytest.raises(PermissionDenied) as exc:
        staff_invitation_accept(token=pw.staff_invitation_token, user=pw.outsider)
    assert "neuer-coach@example.com" in str(exc.value)
    assert domain_state() == before


def test_an_unknown_expired_or_withdrawn_token_is_refused(programme_world):
    pw = programme_world
    person = UserFactory(email="neuer-coach@example.com")
    with pytest.raises(ValidationError) as exc:
        staff_invitation_accept(token="no-such-token", user=person)
    assert "not valid" in _messages(exc)
    StaffInvitation.objects.filter(pk=pw.staff_invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(ValidationError) as exc:
        staff_invitation_accept(token=pw.staff_invitation_token, user=person)
    assert "expired" in _messages(exc)
    StaffInvitation.objects.filter(pk=pw.staff_invitation.pk).update(
        expires_at=timezone.now() + timedelta(days=1)
    )
    staff_invitation_revoke(invitation=pw.staff_invitation, by=pw.manager)
    with pytest.raises(ValidationError) as exc:
        staff_invitation_accept(token=pw.staff_invitation_token, user=person)
    assert "withdrawn" in _messages(exc)
    assert not Staff.objects.filter(user=person).exists()


def test_only_a_manager_revokes_and_an_accepted_invitation_stays(programme_world):
    pw = programme_world
    with pytest.raises(PermissionDenied):
        staff_invitation_revoke(invitation=pw.staff_invitation, by=pw.coach)
    pw.staff_invitation.refresh_from_db()
    assert pw.staff_invitation.revoked_at is None
    staff_invitation_accept(
        token=pw.staff_invitation_token, user=UserFactory(email="neuer-coach@example.com")
    )
    with pytest.raises(ValidationError):
        staff_invitation_revoke(invitation=pw.staff_invitation, by=pw.manager)


# --- roles, removing, leaving, the last manager ----------------------------------------------


def test_a_manager_changes_roles_audited_both_ways(programme_world):
    pw = programme_world
    coach = Staff.objects.get(programme=pw.programme, user=pw.coach)
    staff_role_set(staff=coach, role="manager", by=pw.manager)
    coach.refresh_from_db()
    assert coach.role == "manager"
    roles = sorted((e.action, e.data["role"]) for e in AuditEntry.objects.filter(user=pw.coach))
    assert roles == [("role.granted", "programme_manager"), ("role.revoked", "programme_coach")]
    # Now the former sole manager may step down.
    me = Staff.objects.get(programme=pw.programme, user=pw.manager)
    staff_role_set(staff=me, role="coach", by=pw.manager)
    me.refresh_from_db()
    assert me.role == "coach"


def test_the_last_manager_can_neither_step_down_nor_leave(programme_world):
    pw = programme_world
    me = Staff.objects.get(programme=pw.programme, user=pw.manager)
    before = domain_state()
    with pytest.raises(ValidationError) as exc:
        staff_role_set(staff=me, role="coach", by=pw.manager)
    assert "at least one manager" in _messages(exc)
    with pytest.raises(ValidationError):
        staff_remove(staff=me, by=pw.manager)
    assert domain_state() == before


def test_a_coach_changes_no_roles_and_removes_nobody_but_may_leave(programme_world):
    pw = programme_world
    me = Staff.objects.get(programme=pw.programme, user=pw.manager)
    coach = Staff.objects.get(programme=pw.programme, user=pw.coach)
    before = domain_state()
    with pytest.raises(PermissionDenied):
        staff_role_set(staff=coach, role="manager", by=pw.coach)
    with pytest.raises(PermissionDenied):
        staff_remove(staff=me, by=pw.coach)
    with pytest.raises(PermissionDenied):
        staff_remove(staff=coach, by=pw.other_coach)
    assert domain_state() == before
    staff_remove(staff=coach, by=pw.coach)
    assert not Staff.objects.filter(pk=coach.pk).exists()
    entry = AuditEntry.objects.get(action="role.revoked", user=pw.coach)
    assert entry.actor == pw.coach and entry.data["programme"] == pw.programme.pk


def test_a_manager_removes_a_colleague(programme_world):
    pw = programme_world
    coach = Staff.objects.get(programme=pw.programme, user=pw.coach)
    staff_remove(staff=coach, by=pw.manager)
    assert not Staff.objects.filter(pk=coach.pk).exists()
    with pytest.raises(ValidationError):
        staff_remove(staff=coach, by=pw.manager)  # gone already


def test_two_managers_removing_each_other_leave_one(programme_world):
    """Sequentially: the second removal is refused, the removed manager may no longer act."""
    pw = programme_world
    second = UserFactory()
    other = StaffFactory(programme=pw.programme, user=second, role="manager")
    mine = Staff.objects.get(programme=pw.programme, user=pw.manager)
    staff_remove(staff=other, by=pw.manager)
    with pytest.raises((PermissionDenied, ValidationError)):
        staff_remove(staff=mine, by=second)
    assert list(
        Staff.objects.filter(programme=pw.programme, role="manager").values_list("user", flat=True)
    ) == [pw.manager.pk]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_removing_each_other_at_once_leave_one():
    """At the same moment, on a database with row locks (PostgreSQL): the programme row lock
    orders them, and whoever comes second is no longer a manager."""
    require_postgres()
    a, b = UserFactory(), UserFactory()
    programme = programme_create(user=a, name="Zentrum Parallel", region="")
    StaffFactory(programme=programme, user=b, role="manager")
    staff_a = Staff.objects.get(programme=programme, user=a)
    staff_b = Staff.objects.get(programme=programme, user=b)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def remove(staff, by):
        barrier.wait()
        try:
            staff_remove(staff=staff, by=by)
            outcomes.append("ok")
        except (PermissionDenied, ValidationError):
            outcomes.append("refused")
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=remove, args=(staff_b, a)),
        threading.Thread(target=remove, args=(staff_a, b)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Staff.objects.filter(programme=programme, role="manager").count() == 1
