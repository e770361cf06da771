"""GET /api/v1/convoys/{id}/maturity/ as a member and as the facilitator: a member gets the
median of the other companies only (their own left out, from 4 others), whole numbers, and
it does not move when they submit 0 and then 100; the facilitator gets every company. Only
checks a company answered itself at a stage count: ad hoc and advisor-assisted ones never."""

from rest_framework.test import APIClient

from checks.models import DIMENSIONS
from tests.factories import CheckResponseFactory, CompanyFactory, MembershipFactory, UserFactory


def _submitted(company, value: float, stage: str = "T0"):
    """A check the company answered itself at `stage` (only these count for comparisons)."""
    scores = {"overall": value, "band": "average", "dimensions": dict.fromkeys(DIMENSIONS, value)}
    return CheckResponseFactory(
        submitted=True, company=company, scores=scores, overall=value, stage=stage
    )


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
    _submitted(world.company, 100.0, stage="T1")
    high = _maturity(world.member, world.convoy)
    assert low == high
    assert low["companies_submitted"] == 4
    assert low["median"] == dict.fromkeys(DIMENSIONS, 54)  # 12, 47, 60, 81 → 53.5 → 54


def test_ad_hoc_and_advisor_assisted_checks_do_not_move_the_median(world):
    """The attack: someone who is a member and a coach takes advisor-assisted checks for two
    other companies at 0 and at 100 (or their ad hoc ones) to read the convoy median's
    movement. Neither kind counts; the companies' own T0s do."""
    companies = []
    for value in (12.0, 47.0, 60.0, 81.0):
        company = CompanyFactory()
        MembershipFactory(convoy=world.convoy, company=company)
        _submitted(company, value)
        companies.append(company)
    before = _maturity(world.member, world.convoy)
    assert before["median"] == dict.fromkeys(DIMENSIONS, 54)
    coach = UserFactory()
    for company, value in zip(companies[:2], (0.0, 100.0), strict=True):
        scores = {"overall": value, "dimensions": dict.fromkeys(DIMENSIONS, value)}
        CheckResponseFactory(
            submitted=True,
            company=company,
            scores=scores,
            overall=value,
            stage="T1",
            advisor=coach,
            advisor_assisted=True,
        )
        _submitted(company, value, stage="adhoc")
    assert _maturity(world.member, world.convoy) == before
    assert _maturity(world.facilitator, world.convoy)["companies_submitted"] == 4
