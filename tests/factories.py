"""factory_boy factories. Writes that carry business rules go through services in tests; these
build plain rows for arranging state."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import User
from checkins.models import CheckIn
from checks.keys import check_token_new
from checks.models import CheckResponse
from comments.models import Comment
from companies.models import Company, CompanyInvitation, CompanyMember, CompanyRole
from convoys.models import Convoy, Event, Facilitator, Invitation, Membership
from events.keys import company_key as event_company_key
from events.keys import door_code_new, registration_token_new
from events.models import OpenEvent, Registration
from modelutils.invitations import token_hash
from programmes.models import Programme, Service, Staff
from projects.models import Milestone, Project, Update


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Sequence(lambda n: f"Person {n}")
    handle = factory.Sequence(lambda n: f"person{n}")
    language = "de"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-42")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save(update_fields=["password"])


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Firma {n} GmbH")
    sector = "craft"
    size = "2-9"
    city = "Hagen"


class CompanyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyMember

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)
    role = CompanyRole.MEMBER


class ConvoyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Convoy

    name = factory.Sequence(lambda n: f"Konvoi {n}")
    status = "active"
    timezone = "Europe/Berlin"
    update_cadence_days = 14


class FacilitatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facilitator

    convoy = factory.SubFactory(ConvoyFactory)
    user = factory.SubFactory(UserFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    convoy = factory.SubFactory(ConvoyFactory)
    company = factory.SubFactory(CompanyFactory)
    status = "active"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    title = factory.Sequence(lambda n: f"Projekt {n}")
    category = "website"
    status = "in_progress"

    @factory.post_generation
    def convoys(self, create, extracted, **kwargs):
        if create and extracted:
            self.convoys.set(extracted)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Meilenstein {n}")
    status = "planned"
    weight = 1

    @factory.lazy_attribute
    def completed_at(self):
        return timezone.now() if self.status == "done" else None


class UpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Update

    convoy = factory.SubFactory(ConvoyFactory)
    company = factory.SubFactory(CompanyFactory)
    author = factory.SubFactory(UserFactory)
    body = "Termine gehen jetzt online."


class CommentFactory(factory.django.DjangoModelFactory):
    """A plain comment row (body_html given, not rendered): comments.services renders."""

    class Meta:
        model = Comment

    convoy = factory.SubFactory(ConvoyFactory)
    target_type = "update"
    target_id = 1
    author = factory.SubFactory(UserFactory)
    body = "Gute Idee!"
    body_html = "<p>Gute Idee!</p>"


class CheckInFactory(factory.django.DjangoModelFactory):
    """A scheduled check-in a week ahead, 2 h long, answers until the day before."""

    class Meta:
        model = CheckIn

    convoy = factory.SubFactory(ConvoyFactory)
    title = factory.Sequence(lambda n: f"Check-in {n}")
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    rsvp_deadline = factory.LazyAttribute(lambda o: o.starts_at - timedelta(days=1))
    location = "Hagen, Kompetenzzentrum"
    capacity = 20


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation; pass `token=` to know the secret (only its hash is stored)."""

    class Meta:
        model = Invitation

    class Params:
        token = factory.Sequence(lambda n: f"invitation-token-{n:04d}")

    convoy = factory.SubFactory(ConvoyFactory)
    email = factory.Sequence(lambda n: f"invited{n}@example.com")
    token_hash = factory.LazyAttribute(lambda o: token_hash(o.token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class CompanyInvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation of a colleague to a company; pass `token=` to know the secret."""

    class Meta:
        model = CompanyInvitation

    class Params:
        token = factory.Sequence(lambda n: f"colleague-token-{n:04d}")

    company = factory.SubFactory(CompanyFactory)
    email = factory.Sequence(lambda n: f"colleague{n}@example.com")
    role = CompanyRole.MEMBER
    token_hash = factory.LazyAttribute(lambda o: token_hash(o.token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Kompetenzzentrum {n}")
    slug = factory.Sequence(lambda n: f"kompetenzzentrum-{n}")
    region = "Südwestfalen"


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    programme = factory.SubFactory(ProgrammeFactory)
    user = factory.SubFactory(UserFactory)
    role = "coach"


class ServiceFactory(factory.django.DjangoModelFactory):
    """A bare row; tests of the register record services through programmes.services."""

    class Meta:
        model = Service

    programme = factory.SubFactory(ProgrammeFactory)
    company = factory.SubFactory(CompanyFactory)
    kind = "visit"
    category = "test_before_invest"
    date = factory.LazyFunction(lambda: timezone.localdate())
    minutes = 90


class OpenEventFactory(factory.django.DjangoModelFactory):
    """A published event in two weeks, 14–19 h Berlin time, 40 seats."""

    class Meta:
        model = OpenEvent

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Digitalisierung im Handwerk {n}")
    description = "Vorträge und Gespräche in der Kantine."
    format = "info_event"
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=14)).replace(
            hour=13, minute=0, second=0, microsecond=0
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=5))
    location = "Kantine der Stadtwerke, Hagen"
    capacity = 40
    registration_deadline = factory.LazyAttribute(lambda o: o.starts_at - timedelta(days=1))
    status = "published"


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A bare registered row (its token: events.keys.registration_token_of); tests of the
    rules register through events.services."""

    class Meta:
        model = Registration
        exclude = ["factory_token_parts"]

    event = factory.SubFactory(OpenEventFactory)
    status = "registered"
    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"registrant{n}@example.com")
    company_name = factory.Sequence(lambda n: f"Betrieb {n} GmbH")
    postcode = "58095"
    size = "2-9"
    sector = "craft"
    company_key = factory.LazyAttribute(
        lambda o: event_company_key(company_name=o.company_name, postcode=o.postcode)
    )
    consent_at = factory.LazyFunction(timezone.now)
    # The address proven (double opt-in) unless a test says otherwise (None).
    email_confirmed_at = factory.LazyAttribute(lambda o: o.consent_at if o.email else None)
    factory_token_parts = factory.LazyFunction(registration_token_new)
    token_nonce = factory.LazyAttribute(lambda o: o.factory_token_parts[0])
    token_hash = factory.LazyAttribute(lambda o: o.factory_token_parts[2])
    code = factory.LazyFunction(door_code_new)


class CheckResponseFactory(factory.django.DjangoModelFactory):
    """A draft check of a company (answers empty). `submitted=True` gives it a plausible
    snapshot without scoring (tests of the rules submit through checks.services)."""

    class Meta:
        model = CheckResponse

    class Params:
        submitted = factory.Trait(
            status="submitted",
            submitted_at=factory.LazyFunction(timezone.now),
            rule_version="2026-1",
            scores={
                "overall": 40.0,
                "band": "average",
                "dimensions": {
                    "strategy": 50.0,
                    "readiness": 60.0,
                    "human": 30.0,
                    "data": 40.0,
                    "automation": 20.0,
                    "green": 40.0,
                },
            },
            overall=40.0,
            band="average",
            recommendations=[{"category": "website", "reasons": []}],
        )

    questionnaire_version = "2026-1"
    company = factory.SubFactory("tests.factories.CompanyFactory")
    sector = factory.LazyAttribute(lambda o: o.company.sector if o.company else "")
    size = factory.LazyAttribute(lambda o: o.company.size if o.company else "")


class PublicCheckFactory(CheckResponseFactory):
    """An anonymous draft (its token: checks.keys.check_token_of)."""

    class Meta:
        model = CheckResponse
        exclude = ["factory_token_parts"]

    company = None
    factory_token_parts = factory.LazyFunction(check_token_new)
    token_nonce = factory.LazyAttribute(lambda o: o.factory_token_parts[0])
    token_hash = factory.LazyAttribute(lambda o: o.factory_token_parts[2])


def populate_convoy(
    convoy: Convoy,
    *,
    companies: int,
    projects_per_company: int = 2,
    milestones_per_project: int = 3,
    updates_per_company: int = 2,
    events_per_company: int = 3,
) -> list[Company]:
    """Fill a convoy with active member companies, each with a person, projects shared with
    the convoy, milestones (some done), updates (some asking for help) and log entries.

    Plain rows, no services: this arranges sizes for query-count tests quickly."""
    now = timezone.now()
    created = []
    for i in range(companies):
        company = CompanyFactory()
        person = UserFactory()
        CompanyMemberFactory(company=company, user=person, role=CompanyRole.OWNER)
        MembershipFactory(convoy=convoy, company=company)
        for _p in range(projects_per_company):
            project = ProjectFactory(company=company, convoys=[convoy], created_by=person)
            for m in range(milestones_per_project):
                done = m % 2 == 0
                MilestoneFactory(
                    project=project,
                    status="done" if done else "planned",
                    completed_at=now - timedelta(days=m) if done else None,
                    weight=m + 1,
                )
        for u in range(updates_per_company):
            UpdateFactory(convoy=convoy, company=company, author=person, help_wanted=u % 2 == 1)
        for _e in range(events_per_company):
            convoy.last_event_seq += 1
            Event.objects.create(
                convoy=convoy,
                seq=convoy.last_event_seq,
                kind="update.posted",
                data={"company": {"id": company.pk, "name": company.name}, "i": i},
                actor=person,
                at=now,
            )
        created.append(company)
    convoy.save(update_fields=["last_event_seq"])
    return created
