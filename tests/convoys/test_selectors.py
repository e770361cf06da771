"""Which companies a person sees: a convoy rule (convoys.selectors.companies_visible_to)."""

from django.contrib.auth.models import AnonymousUser

from companies.selectors import companies_for_user
from convoys.selectors import companies_visible_to
from tests.factories import CompanyFactory, MembershipFactory


def _names(queryset):
    return sorted(queryset.values_list("name", flat=True))


def test_companies_for_user_are_only_the_users_own(world):
    assert _names(companies_for_user(user=world.owner)) == ["Sanitär Schulte"]
    assert _names(companies_for_user(user=world.facilitator)) == []
    assert _names(companies_for_user(user=AnonymousUser())) == []


def test_companies_visible_are_the_own_and_the_active_peers_of_visible_convoys(
    world, django_assert_num_queries
):
    MembershipFactory(convoy=world.convoy, company=CompanyFactory(name="Peer GmbH"))
    MembershipFactory(convoy=world.convoy, company=CompanyFactory(name="Gone GmbH"), status="left")
    with django_assert_num_queries(1):
        assert _names(companies_visible_to(user=world.owner)) == ["Peer GmbH", "Sanitär Schulte"]
    # A facilitator has no company of their own but sees every active company of the convoy.
    assert _names(companies_visible_to(user=world.facilitator)) == [
        "Peer GmbH",
        "Sanitär Schulte",
    ]
    assert _names(companies_visible_to(user=world.other_member)) == ["Modehaus Kramer"]
    assert _names(companies_visible_to(user=world.outsider)) == []
    assert _names(companies_visible_to(user=AnonymousUser())) == []
