"""factory_boy factories. Writes that carry business rules go through services in tests; these
build plain rows for arranging state."""

import factory
from django.utils import timezone

from accounts.models import User
from companies.models import Company, CompanyMember, CompanyRole
from convoys.models import Convoy, Facilitator, Membership
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
