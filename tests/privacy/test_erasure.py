"""Deleting an account: no personal data is left anywhere (checked table by table, column by
column, over every model Django knows), the person's content stays readable as "Former
member", the preconditions refuse with messages, seats move up, sockets and sessions end, the
audit rows are written."""

import json
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import ApiToken, User, UserSession, handle_validator
from accounts.services import api_token_create
from audit.models import Action, AuditEntry
from audit.services import audit_record
from checkins.models import CalendarFeed, Rsvp, RsvpStatus
from checkins.services import calendar_feed_rotate, report_file, rsvp_set
from comments.models import Comment, Reaction
from comments.services import comment_create, comment_update, reaction_toggle
from companies.models import CompanyInvitation, CompanyMember
from convoys.models import Event, Facilitator, Invitation
from notifications.models import (
    ConvoyMute,
    DeliverySettings,
    DigestDelivery,
    Notification,
    NotificationPreference,
    Nudge,
)
from notifications.services import company_nudge, notify
from privacy.erasure import account_delete, account_delete_plan, placeholder_email
from projects.services import project_create, update_post
from tests.factories import (
    CheckInFactory,
    CompanyFactory,
    CompanyInvitationFactory,
    CompanyMemberFactory,
    FacilitatorFactory,
    InvitationFactory,
    MembershipFactory,
    UserFactory,
)

NAME = "Mareike Löschbeispiel"
EMAIL = "mareike.loeschbeispiel@example.org"
HANDLE = "mareike_loesch"
IP = "203.0.113.77"
USER_AGENT = "MareikesBrowser/9.1"


def _request(user=None):
    request = RequestFactory().get("/", REMOTE_ADDR=IP, HTTP_USER_AGENT=USER_AGENT)
    if user is not None:
        request.user = user
    return request


@pytest.fixture
def person(world):
    """world.member, renamed to strings found nowhere else, who has done everything: an owner
    (beside world.owner) of world.company, a facilitator (beside another) of other_convoy."""
    p = world.member
    p.name, p.email, p.handle, p.language = NAME, EMAIL, HANDLE, "en"
    p.save(update_fields=["name", "email", "handle", "language"])
    CompanyMember.objects.filter(user=p).update(role="owner")
    FacilitatorFactory(convoy=world.other_convoy, user=p)
    world.owner.language = "en"
    world.owner.save(update_fields=["language"])
    return p


@pytest.fixture
def busy(world, person, django_capture_on_commit_callbacks):
    p = person
    project = project_create(
        actor=p,
        company=world.company,
        title="Lager digital",
        category="inventory",
        convoy_ids=[world.convoy.pk],
        milestones=[{"title": "Scanner kaufen"}],
    )
    update = update_post(
        actor=p, convoy=world.convoy, company=world.company, body="Wir haben gezählt"
    )
    owner_update = update_post(
        actor=world.owner, convoy=world.convoy, company=world.company, body="Angebote da"
    )
    comment = comment_create(
        actor=p, body="Erste Fassung", target_type="update", target_id=owner_update.pk
    )
    comment_update(actor=p, comment=comment, body="Zweite Fassung")
    owner_comment = comment_create(actor=world.owner, body="Danke dir", parent=comment)
    reaction_toggle(actor=p, comment=owner_comment, emoji="👍")
    # A meeting ahead with one seat: the person holds it, the owner waits.
    ahead = CheckInFactory(convoy=world.convoy, created_by=world.facilitator, capacity=1)
    rsvp_set(actor=p, checkin=ahead, response="yes")
    rsvp_set(actor=world.owner, checkin=ahead, response="yes")
    report_file(actor=p, checkin=ahead, company=world.company, moved="Scanner bestellt")
    past = CheckInFactory(
        convoy=world.convoy,
        created_by=world.facilitator,
        starts_at=timezone.now() - timedelta(days=7),
    )
    past.ends_at = past.starts_at + timedelta(hours=2)
    past.rsvp_deadline = past.starts_at - timedelta(days=1)
    past.save()
    Rsvp.objects.create(checkin=past, user=p, response="yes", status=RsvpStatus.CONFIRMED)
    # Notifications to them and by them; their settings.
    notify(
        recipient_ids=[p.pk],
        kind="mention",
        actor=world.owner,
        convoy_id=world.convoy.pk,
        data={"excerpt": "hallo", "target_title": "x"},
    )
    company_nudge(
        actor=p, convoy=world.other_convoy, company=world.other_company, message="Wie läuft es?"
    )
    NotificationPreference.objects.create(user=p, kind="mention", channel="email")
    DeliverySettings.objects.create(user=p, weekends=False)
    ConvoyMute.objects.create(user=p, convoy=world.convoy)
    DigestDelivery.objects.create(
        user=p, channel="daily", period="2026-01-01", created_at=timezone.now()
    )
    calendar_feed_rotate(user=p)
    api_token_create(user=p, name="Laptop")
    # Signed in: a session of Django's store and its UserSession row with the address.
    client = Client()
    client.force_login(p)
    session_key = client.session.session_key
    UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={"user": p, "ip_address": IP, "user_agent": USER_AGENT},
    )
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=p, name="Telefon", confirmed=True)
    StaticDevice.objects.create(user=p, name="backup").token_set.create(token="abcd1234")
    audit_record(action=Action.LOGIN, user=p, request=_request(p))
    audit_record(action=Action.LOGIN_FAILED, user=p, request=_request(), attempted_login=EMAIL)
    now = timezone.now()
    AccessAttempt.objects.create(
        username=EMAIL,
        ip_address=IP,
        user_agent=USER_AGENT,
        http_accept="*/*",
        path_info="/login/",
        attempt_time=now,
        get_data="",
        post_data=f"username={EMAIL}",
        failures_since_start=1,
    )
    AccessLog.objects.create(
        username=EMAIL,
        ip_address=IP,
        user_agent=USER_AGENT,
        http_accept="*/*",
        path_info="/login/",
        attempt_time=now,
    )
    AccessFailureLog.objects.create(
        username=EMAIL,
        ip_address=IP,
        user_agent=USER_AGENT,
        http_accept="*/*",
        path_info="/login/",
        attempt_time=now,
    )
    LogEntry.objects.create(
        user=world.staff,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(p.pk),
        object_repr=str(p),
        action_flag=CHANGE,
        change_message="[]",
    )
    # Invitations to their address (open and used), and one they sent.
    InvitationFactory(convoy=world.other_convoy, email=EMAIL, invited_by=world.other_member)
    CompanyInvitationFactory(company=world.other_company, email=EMAIL.upper())
    CompanyInvitationFactory(
        company=world.other_company, email=EMAIL, accepted_at=now, accepted_by=p
    )
    sent = CompanyInvitationFactory(company=world.company, email="neu@example.net", invited_by=p)
    return {
        "project": project,
        "update": update,
        "comment": comment,
        "ahead": ahead,
        "past": past,
        "session_key": session_key,
        "sent_invitation": sent,
    }


TEXT_FIELDS = (
    models.CharField,
    models.TextField,
    models.EmailField,
    models.JSONField,
    models.GenericIPAddressField,
)


def _traces(needles: list[str]) -> list[str]:
    """Every (table, column, row) in the whole database whose value contains a needle."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:
            continue
        for row in model._base_manager.values("pk", *[f.attname for f in fields]).iterator():
            for f in fields:
                value = row[f.attname]
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                for needle in needles:
                    if needle.casefold() in text.casefold():
                        found.append(f"{model._meta.db_table}.{f.attname} #{row['pk']}: {needle}")
    return found


# Where the person's data may stay after deletion, and why. Empty: it stays nowhere.
ALLOWED_TRACES: list[str] = []


def test_deletion_leaves_no_personal_data_in_any_table(world, person, busy):
    needles = [NAME, EMAIL, HANDLE, IP, USER_AGENT]
    assert _traces(needles), "the fixture must leave traces to find"
    account_delete(person, actor=person)
    assert _traces(needles) == ALLOWED_TRACES


def test_the_row_stays_anonymised(world, person, busy):
    pk = person.pk
    account_delete(person, actor=person)
    user = User.objects.get(pk=pk)
    assert user.deleted_at is not None
    assert user.name == ""
    assert user.email == placeholder_email(pk) == f"deleted-{pk}@konvoi.invalid"
    assert user.handle == f"former_{pk}"
    handle_validator(user.handle)  # the @handle rule still holds
    assert not user.has_usable_password()
    assert (user.is_active, user.is_staff, user.is_superuser) == (False, False, False)
    assert (user.language, user.timezone, user.email_change_nonce) == ("de", "Europe/Berlin", "")
    with translation.override("en"):
        assert user.display_name == "Former member"
    with translation.override("de"):
        assert user.display_name == "Ehemaliges Mitglied"


def test_what_goes_and_what_stays(world, person, busy):
    p = person
    account_delete(p, actor=p)
    for model, lookup in [
        (UserSession, {"user": p}),
        (ApiToken, {"user": p}),
        (CompanyMember, {"user": p}),
        (Facilitator, {"user": p}),
        (Notification, {"recipient": p}),
        (NotificationPreference, {"user": p}),
        (DeliverySettings, {"user": p}),
        (ConvoyMute, {"user": p}),
        (DigestDelivery, {"user": p}),
        (Nudge, {"actor": p}),
        (CalendarFeed, {"user": p}),
        (Reaction, {"user": p}),
        (Invitation, {"email__iexact": EMAIL}),
        (CompanyInvitation, {"email__iexact": EMAIL}),
        (AccessAttempt, {"username__iexact": EMAIL}),
        (AccessLog, {"username__iexact": EMAIL}),
        (AccessFailureLog, {"username__iexact": EMAIL}),
    ]:
        assert not model.objects.filter(**lookup).exists(), model
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not TOTPDevice.objects.filter(user=p).exists()
    assert not StaticDevice.objects.filter(user=p).exists()
    assert not StaticToken.objects.exists()
    assert not Session.objects.filter(session_key=busy["session_key"]).exists()
    assert not LogEntry.objects.filter(object_id=str(p.pk)).exists()
    # Content stays, with its author.
    assert Comment.objects.get(pk=busy["comment"].pk).author_id == p.pk
    assert busy["comment"].revisions.exists()
    assert busy["project"].__class__.objects.get(pk=busy["project"].pk).created_by_id == p.pk
    # The invitation they sent keeps working, signed by the former member.
    assert CompanyInvitation.objects.get(pk=busy["sent_invitation"].pk).invited_by_id == p.pk
    # The used invitation to their address keeps its history, with the placeholder.
    assert CompanyInvitation.objects.filter(accepted_by=p, email=placeholder_email(p.pk)).exists()
    # Past answers stay (anonymous attendance); the seat ahead went to the next in line.
    assert Rsvp.objects.filter(user=p, checkin=busy["past"]).exists()
    assert not Rsvp.objects.filter(user=p, checkin=busy["ahead"]).exists()
    owner_rsvp = Rsvp.objects.get(user=world.owner, checkin=busy["ahead"])
    assert owner_rsvp.status == RsvpStatus.CONFIRMED
    assert Notification.objects.filter(recipient=world.owner, kind="checkin.promoted").exists()
    assert Event.objects.filter(convoy=world.convoy, kind="rsvp.changed").last().data[
        "promoted"
    ] == [world.owner.pk]


def test_audit_rows_stay_without_personal_fields_and_the_deletion_is_recorded(world, person, busy):
    before = AuditEntry.objects.filter(user=person).count()
    account_delete(person, actor=person, request=_request(person))
    rows = AuditEntry.objects.filter(user=person)
    assert rows.count() > before  # the tokens' revocation too, and the deletion
    assert not rows.exclude(ip_address=None).exists()
    assert not rows.exclude(user_agent="").exists()
    assert not rows.exclude(attempted_login="").exists()
    entry = rows.order_by("-id").first()
    assert entry.action == Action.ACCOUNT_DELETED
    assert entry.actor_id == person.pk
    assert EMAIL not in json.dumps(entry.data)


def test_sockets_are_told_after_commit(world, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        account_delete(person, actor=person)
    assert callbacks  # credentials changed, access changed (accounts.events, live.publish)


def test_deleting_twice_is_refused(world, person):
    account_delete(person, actor=person)
    with pytest.raises(ValidationError):
        account_delete(person, actor=person)


# --- pages show "Former member" ------------------------------------------------------------


def _owner_client(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.owner)
    return client


def test_pages_with_their_content_show_former_member(world, person, busy, client_for):
    account_delete(person, actor=person)
    client = _owner_client(world)
    comment = busy["comment"]
    pages = [
        reverse("frontend:convoy", args=[world.convoy.pk]),
        reverse("frontend:project", args=[busy["project"].pk]),
        reverse("frontend:checkin", args=[busy["ahead"].pk]),
        reverse("frontend:comment_thread")
        + f"?target_type={comment.target_type}&target_id={comment.target_id}"
        f"&convoy={world.convoy.pk}",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert NAME not in text and HANDLE not in text, url
    assert "Former member" in client.get(pages[0]).content.decode()
    assert "Former member" in client.get(pages[2]).content.decode()  # their report
    assert "Former member" in client.get(pages[3]).content.decode()  # their comment
    api = client_for(world.owner)
    dashboard = api.get(f"/api/v1/convoys/{world.convoy.pk}/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert dashboard.status_code == 200
    assert NAME not in dashboard.content.decode()
    comments = api.get(
        "/api/v1/comments/",
        {"target_type": "update", "target_id": comment.target_id},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    if comments.status_code == 200:
        assert "Former member" in comments.content.decode()


def test_the_convoy_workbook_names_them_former_member(world, person, busy):
    import io

    from openpyxl import load_workbook

    account_delete(person, actor=person)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.facilitator)
    response = client.get(reverse("frontend:convoy_export", args=[world.convoy.pk]))
    assert response.status_code == 200
    book = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row]
    text = "\n".join(cells)
    assert NAME not in text and EMAIL not in text
    assert "Former member" in text


def test_the_name_is_shown_in_the_viewers_language():
    user = User(name="x", deleted_at=timezone.now())
    with translation.override("en"):
        assert user.display_name == "Former member"
    assert User(name="Anna").display_name == "Anna"


# --- preconditions -------------------------------------------------------------------------


def test_the_last_owner_of_a_company_with_others_must_hand_over_first(world):
    plan = account_delete_plan(user=world.owner)
    assert [b.code for b in plan.blockers] == ["last_owner"]
    assert plan.blockers[0].company_id == world.company.pk
    with pytest.raises(ValidationError) as exc:
        account_delete(world.owner, actor=world.owner)
    assert "last owner" in str(exc.value)
    world.owner.refresh_from_db()
    assert world.owner.deleted_at is None
    assert CompanyMember.objects.filter(user=world.owner).exists()


def test_the_only_person_of_a_company_chooses_to_delete_it_with_the_account(world):
    solo = UserFactory()
    company = CompanyFactory(name="Einzelfirma Solo")
    CompanyMemberFactory(company=company, user=solo, role="owner")
    MembershipFactory(convoy=world.convoy, company=company)
    with pytest.raises(ValidationError) as exc:
        account_delete(solo, actor=solo)
    assert "only person" in str(exc.value)
    account_delete(solo, actor=solo, delete_companies=True)
    company.refresh_from_db()
    assert company.deleted_at is not None and company.name == ""
    assert company.display_name == "Former company"
    assert not world.convoy.memberships.active().filter(company=company).exists()


def test_the_only_facilitator_of_a_running_convoy_must_hand_over_or_close(world):
    plan = account_delete_plan(user=world.facilitator)
    assert [b.code for b in plan.blockers] == ["only_facilitator"]
    with pytest.raises(ValidationError) as exc:
        account_delete(world.facilitator, actor=world.facilitator)
    assert "only moderation" in str(exc.value)
    FacilitatorFactory(convoy=world.convoy, user=UserFactory())
    account_delete(world.facilitator, actor=world.facilitator)
    assert not Facilitator.objects.filter(user=world.facilitator).exists()


def test_a_closed_convoy_does_not_block(world):
    world.convoy.status = "closed"
    world.convoy.save(update_fields=["status"])
    assert account_delete_plan(user=world.facilitator).blockers == []


def test_force_leaves_the_company_without_owner(world):
    counts = account_delete(world.owner, actor=None, force=True)
    assert counts["companies_left_without_owner"] == 1
    assert not CompanyMember.objects.filter(company=world.company, role="owner").exists()
    assert CompanyMember.objects.filter(company=world.company, user=world.member).exists()


def test_mentions_of_them_in_others_text_stay_as_plain_text(world, person):
    comment = comment_create(
        actor=world.owner,
        body=f"Frag @{HANDLE}",
        target_type="project",
        target_id=project_create(
            actor=world.owner,
            company=world.company,
            title="P",
            category="other",
            convoy_ids=[world.convoy.pk],
        ).pk,
    )
    assert f'<span class="mention">@{HANDLE}</span>' in comment.body_html
    account_delete(person, actor=person)
    comment.refresh_from_db()
    assert f"@{HANDLE}" in comment.body_html  # the owner's words, as typed
    assert 'class="mention"' not in comment.body_html
    assert comment.body == f"Frag @{HANDLE}"


def test_failed_logins_typed_before_the_account_existed_lose_the_address(world):
    """A failed login for an address nobody had yet is recorded without an account, with the
    address typed; once that address belongs to an account that is deleted, it goes too."""
    audit_record(action=Action.LOGIN_FAILED, user=None, attempted_login="spaeter@example.com")
    person = UserFactory(email="spaeter@example.com")

    account_delete(person, actor=person)

    assert not AuditEntry.objects.filter(attempted_login__icontains="spaeter").exists()
    assert AuditEntry.objects.filter(action=Action.LOGIN_FAILED).exists()  # the row stays
