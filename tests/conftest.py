"""Shared fixtures: a convoy with people in every role, API clients. Only fixtures: the helpers
tests import by name (service guards, domain snapshots) are in tests.support."""

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User, UserSession
from checkins.models import CheckIn
from checks.keys import check_token_of
from checks.models import CheckResponse
from comments.models import Comment
from companies.models import Company, CompanyInvitation, CompanyMember
from convoys.models import Convoy, Facilitator, Invitation, Membership
from events.keys import registration_token_of
from events.models import OpenEvent, Registration
from modelutils.invitations import token_hash
from notifications.models import Notification
from programmes.models import CompanyRecord, Programme, Service, StaffInvitation
from projects.models import Milestone, Project, Update
from tests.factories import (
    CheckInFactory,
    CheckResponseFactory,
    CommentFactory,
    CompanyFactory,
    CompanyInvitationFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    InvitationFactory,
    MembershipFactory,
    MilestoneFactory,
    OpenEventFactory,
    ProgrammeFactory,
    ProjectFactory,
    PublicCheckFactory,
    RegistrationFactory,
    ServiceFactory,
    StaffFactory,
    UpdateFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at production strength costs ~0.3 s per user; every `world` creates eight.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _threads_close_their_connections(monkeypatch):
    """A test's asyncio.to_thread() work (a write beside an open socket) runs in a pool thread
    with its own database connection; left open, it outlives the test and PostgreSQL refuses
    to drop the test database at the end ("being accessed by other users")."""
    to_thread = asyncio.to_thread

    async def to_thread_closing(func, /, *args, **kwargs):
        def run():
            try:
                return func(*args, **kwargs)
            finally:
                connections.close_all()

        return await to_thread(run)

    monkeypatch.setattr(asyncio, "to_thread", to_thread_closing)


@pytest.fixture
def in_memory_layer(settings):
    """The embedded mode's channel layer, for in-process socket tests (no Redis)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.REDIS_URL = ""


@pytest.fixture(autouse=True)
def _clear_cache():
    from overview.dashboard import dashboard_bytes

    cache.clear()
    dashboard_bytes.clear()
    yield
    cache.clear()
    dashboard_bytes.clear()


@dataclass
class World:
    """A convoy with one person in each role the authorisation matrix knows."""

    convoy: Convoy
    other_convoy: Convoy
    company: Company  # active member of convoy
    other_company: Company  # active member of other_convoy only
    facilitator: User
    owner: User  # owner of company
    member: User  # member of company
    other_member: User  # owner of other_company (member of another convoy)
    outsider: User  # no company, no convoy
    staff: User  # is_staff, in nothing


@pytest.fixture
def world(db) -> World:
    convoy = ConvoyFactory(name="Digitalisierungs-Konvoi Hagen")
    other_convoy = ConvoyFactory(name="Konvoi Iserlohn")
    facilitator = UserFactory(name="Frieda Facil", handle="frieda")
    FacilitatorFactory(convoy=convoy, user=facilitator)
    FacilitatorFactory(convoy=other_convoy, user=UserFactory())
    company = CompanyFactory(name="Sanitär Schulte")
    other_company = CompanyFactory(name="Modehaus Kramer")
    owner = UserFactory(name="Olaf Owner", handle="olaf")
    member = UserFactory(name="Mia Member", handle="mia")
    other_member = UserFactory(name="Otto Other", handle="otto")
    CompanyMemberFactory(company=company, user=owner, role="owner")
    CompanyMemberFactory(company=company, user=member, role="member")
    CompanyMemberFactory(company=other_company, user=other_member, role="owner")
    MembershipFactory(convoy=convoy, company=company)
    MembershipFactory(convoy=other_convoy, company=other_company)
    outsider = UserFactory(name="Oskar Outsider", handle="oskar")
    staff = UserFactory(name="Stefan Staff", handle="stefan", is_staff=True)
    return World(
        convoy=convoy,
        other_convoy=other_convoy,
        company=company,
        other_company=other_company,
        facilitator=facilitator,
        owner=owner,
        member=member,
        other_member=other_member,
        outsider=outsider,
        staff=staff,
    )


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for():
    """client_for(user) → an APIClient authenticated as that user (None: anonymous)."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user=user)
        return client

    return make


@dataclass
class Content:
    """Things of world.company shared with world.convoy, for endpoints that need them."""

    project: Project
    milestone: Milestone
    update: Update
    invitation: Invitation
    invitation_token: str
    membership: Membership  # world.company in world.convoy
    colleague: CompanyMember  # world.member's place in world.company
    # world.owner invites world.outsider's address to world.company (outsider may accept it).
    company_invitation: CompanyInvitation
    company_invitation_token: str
    comment: Comment  # world.owner's comment on `update`, in world.convoy
    checkin: CheckIn  # scheduled in world.convoy a week ahead, 20 seats
    notification: Notification  # world.owner's
    member_session: int  # a signed-in browser of world.member (accounts.UserSession id)
    check: int  # world.company's submitted check in world.convoy, by owner
    draft_check: int  # world.company's draft check, by member


@pytest.fixture
def content(world: World) -> Content:
    project = ProjectFactory(
        company=world.company, convoys=[world.convoy], created_by=world.owner, title="Webshop"
    )
    milestone = MilestoneFactory(project=project, title="Shop-System auswählen")
    update = UpdateFactory(
        convoy=world.convoy, company=world.company, author=world.owner, body="Angebote liegen vor"
    )
    token = "matrix-invitation-token"
    # Addressed to other_member, who owns other_company: the one who may accept it.
    invitation = InvitationFactory(
        convoy=world.convoy,
        token=token,
        email=world.other_member.email,
        invited_by=world.facilitator,
    )
    comment = CommentFactory(
        convoy=world.convoy,
        target_type="update",
        target_id=update.pk,
        author=world.owner,
        company=world.company,
    )
    return Content(
        project=project,
        milestone=milestone,
        update=update,
        invitation=invitation,
        invitation_token=token,
        membership=Membership.objects.get(convoy=world.convoy, company=world.company),
        colleague=CompanyMember.objects.get(company=world.company, user=world.member),
        company_invitation=CompanyInvitationFactory(
            company=world.company,
            email=world.outsider.email,
            invited_by=world.owner,
            token="matrix-colleague-token",
        ),
        company_invitation_token="matrix-colleague-token",
        comment=comment,
        checkin=CheckInFactory(convoy=world.convoy, created_by=world.facilitator),
        notification=Notification.objects.create(
            recipient=world.owner,
            kind="mention",
            actor=world.member,
            convoy=world.convoy,
            target_type="convoy",
            target_id=world.convoy.pk,
            data={"excerpt": "Hallo", "target_title": "Update"},
            created_at=timezone.now(),
        ),
        # No Django session behind it: ending it deletes the row (and the absent store entry).
        member_session=UserSession.objects.create(
            user=world.member, session_key="matrix-member-session"
        ).pk,
        check=CheckResponseFactory(
            submitted=True, company=world.company, respondent=world.owner, convoy=world.convoy
        ).pk,
        draft_check=CheckResponseFactory(company=world.company, respondent=world.member).pk,
    )


@dataclass
class ProgrammeWorld:
    """A programme running world.convoy, with one person in each role the programme matrix
    knows (PROGRAMME_ROLES in tests/programmes/test_matrix.py)."""

    programme: Programme
    other_programme: Programme
    manager: User
    coach: User  # coach of programme, facilitates none of its convoys
    other_coach: User  # coach of other_programme only
    outside_facilitator: User  # facilitates world.other_convoy, which is in no programme
    member: User  # world.member: company member in the programme's convoy
    outsider: User  # world.outsider
    record: CompanyRecord  # world.company in programme's register (through its convoy)
    service: Service  # a visit to world.company, recorded by coach
    staff_invitation: StaffInvitation  # manager invited an address without an account
    staff_invitation_token: str
    event: OpenEvent  # published, in two weeks, 40 seats, created by coach
    draft_event: OpenEvent  # a draft of programme: not public
    past_event: OpenEvent  # last week; registration checked in
    other_event: OpenEvent  # published, of other_programme
    registration: Registration  # Rita Registrant of "Tischlerei Holzwurm", for event
    registration_token: str  # her secret (ticket page, self-cancel)
    other_registration: Registration  # for other_event
    check: CheckResponse  # world.company's submitted T0 in programme (convoy), by owner
    draft_check: CheckResponse  # world.company's draft (ad hoc), by member
    other_check: CheckResponse  # other_company's submitted check (other_convoy)
    public_check: CheckResponse  # an anonymous draft from programme's public page
    public_check_token: str


@pytest.fixture
def programme_world(world: World) -> ProgrammeWorld:
    from programmes.services import company_touch

    programme = ProgrammeFactory(name="Kompetenzzentrum Hagen", slug="kompetenzzentrum-hagen")
    other_programme = ProgrammeFactory(name="EDIH Rheinland", slug="edih-rheinland")
    manager = UserFactory(name="Maren Manager", handle="maren")
    coach = UserFactory(name="Conrad Coach", handle="conrad")
    other_coach = UserFactory(name="Olga Coach", handle="olga")
    StaffFactory(programme=programme, user=manager, role="manager")
    StaffFactory(programme=programme, user=coach, role="coach")
    StaffFactory(programme=other_programme, user=other_coach, role="coach")
    Convoy.objects.filter(pk=world.convoy.pk).update(programme=programme)
    world.convoy.refresh_from_db()
    record = company_touch(
        programme=programme,
        company=world.company,
        kind="convoy_joined",
        source=f"convoy:{world.convoy.pk}",
        at=timezone.now() - timedelta(days=30),
        label=world.convoy.name,
    )
    service = ServiceFactory(programme=programme, company=world.company, coach=coach)
    company_touch(
        programme=programme,
        company=world.company,
        kind="service",
        service_kind="visit",
        source=f"service:{service.pk}",
        at=timezone.now() - timedelta(days=2),
    )
    record.refresh_from_db()
    token = "matrix-staff-token"
    staff_invitation = StaffInvitation.objects.create(
        programme=programme,
        email="neuer-coach@example.com",
        role="coach",
        token_hash=token_hash(token),
        invited_by=manager,
        expires_at=timezone.now() + timedelta(days=14),
    )
    event = OpenEventFactory(
        programme=programme, title="Digitalisierung im Handwerk", created_by=coach
    )
    draft_event = OpenEventFactory(
        programme=programme, title="Entwurf: KI-Werkstatt", status="draft"
    )
    past_start = (timezone.now() - timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    past_event = OpenEventFactory(
        programme=programme,
        title="Sprechtag Förderung",
        format="consultation_day",
        starts_at=past_start,
        ends_at=past_start + timedelta(hours=4),
        registration_deadline=past_start - timedelta(days=1),
    )
    RegistrationFactory(
        event=past_event, name="Paula Past", attended_at=past_start + timedelta(minutes=10)
    )
    other_event = OpenEventFactory(programme=other_programme, title="EDIH Infotag")
    registration = RegistrationFactory(
        event=event,
        name="Rita Registrant",
        email="rita@holzwurm.example",
        company_name="Tischlerei Holzwurm",
        postcode="58097",
        contact_consent=True,
    )
    other_registration = RegistrationFactory(event=other_event, name="Otto Other")
    check = CheckResponseFactory(
        submitted=True,
        company=world.company,
        respondent=world.owner,
        programme=programme,
        convoy=world.convoy,
        stage="T0",
    )
    draft_check = CheckResponseFactory(company=world.company, respondent=world.member)
    other_check = CheckResponseFactory(
        submitted=True, company=world.other_company, respondent=world.other_member
    )
    public_check = PublicCheckFactory(programme=programme)
    return ProgrammeWorld(
        programme=programme,
        other_programme=other_programme,
        manager=manager,
        coach=coach,
        other_coach=other_coach,
        outside_facilitator=Facilitator.objects.get(convoy=world.other_convoy).user,
        member=world.member,
        outsider=world.outsider,
        record=record,
        service=service,
        staff_invitation=staff_invitation,
        staff_invitation_token=token,
        event=event,
        draft_event=draft_event,
        past_event=past_event,
        other_event=other_event,
        registration=registration,
        registration_token=registration_token_of(registration),
        other_registration=other_registration,
        check=check,
        draft_check=draft_check,
        other_check=other_check,
        public_check=public_check,
        public_check_token=check_token_of(public_check),
    )
