"""GET /api/v1/convoys/{id}/maturity/ as a member and as the facilitator: a member gets the
median of the other companies only (their own left out, from 4 others), whole numbers, and
it does not move when they submit 0 and then 100; the facilitator gets every company."""

from rest_framework.test import APIClient

from checks.models import DIMENSIONS
from tests.factories import CheckResponseFactory, CompanyFactory, MembershipFactory


def _submitted(company, value: float):
    scores = {"overall": value, "band": "average", "dimensions": dict.fromkeys(DIMENSIONS, value)}
    return CheckResponseFactory(submitted=True, company=company, scores=scores, overall=value)


def _maturity(user, convoy) -> dict:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/convoys/{convoy.pk}/maturity/")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_member_sees_the_median_of_the_other_companies_only(world):
    for value in (12.0, 47.0, 81.0):
        company = CompanyFactory()
        MembershipFactory(convoy=world.convoy, company=company)
        _submitted(company, value)
    _submitted(world.company, 0.0)
    assert _maturity(world.member, world.convoy) == {
        "companies_submitted": 3,
        "median": None,
        "excludes_own_company": True,
    }
    facilitator = _maturity(world.facilitator, world.convoy)
    assert facilitator["companies_submitted"] == 4
    assert facilitator["excludes_own_company"] is False
    assert facilitator["median"] == dict.fromkeys(DIMENSIONS, 30)  # 0, 12, 47, 81 → 29.5 → 30

    company = CompanyFactory()
    MembershipFactory(convoy=world.convoy, company=company)
    _submitted(company, 60.0)
    low = _maturity(world.member, world.convoy)
    _submitted(world.company, 100.0)
    high = _maturity(world.member, world.convoy)
    assert low == high
    assert low["companies_submitted"] == 4
    assert low["median"] == dict.fromkeys(DIMENSIONS, 54)  # 12, 47, 60, 81 → 53.5 → 54
