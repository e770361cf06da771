"""Who reads which check, the history's changes, the convoy median from 4 companies and the
programme's peer groups from 15 (with fallback), at a constant number of queries."""

import pytest
from django.http import Http404

from checks import selectors
from checks.models import DIMENSIONS
from tests.factories import (
    CheckResponseFactory,
    CompanyFactory,
    MembershipFactory,
    PublicCheckFactory,
    UserFactory,
)


def _scores(value: float) -> dict:
    return {"overall": value, "band": "average", "dimensions": dict.fromkeys(DIMENSIONS, value)}


def _submitted(company, value: float, **extra):
    return CheckResponseFactory(
        submitted=True, company=company, scores=_scores(value), overall=value, **extra
    )


def test_check_readers(programme_world, world):
    check = programme_world.check
    for user in (world.owner, world.member, world.facilitator):
        assert selectors.check_for_user(check_id=check.pk, user=user) == check
    for user in (world.outsider, world.other_member, programme_world.coach, world.staff):
        with pytest.raises(Http404):
            selectors.check_for_user(check_id=check.pk, user=user)


def test_advisor_reads_and_answers(world):
    coach = UserFactory()
    draft = CheckResponseFactory(company=world.company, advisor=coach, advisor_assisted=True)
    assert selectors.check_for_user(check_id=draft.pk, user=coach) == draft
    assert selectors.check_can_answer(response=draft, user=coach)
    assert not selectors.check_can_answer(response=draft, user=world.facilitator)
    assert selectors.check_can_answer(response=draft, user=world.member)


def test_anonymous_check_is_no_company_check(programme_world, world):
    with pytest.raises(Http404):
        selectors.check_for_user(check_id=programme_world.public_check.pk, user=world.owner)


def test_history_changes_within_a_version(world, django_assert_num_queries):
    _submitted(world.company, 20.0, stage="T0")
    _submitted(world.company, 35.0, stage="T1")
    _submitted(world.company, 50.0, questionnaire_version="2027-1")
    with django_assert_num_queries(1):
        history = selectors.company_check_history(company=world.company)
    assert [row["overall"] for row in history] == [20.0, 35.0, 50.0]
    assert history[0]["change"] is None
    assert history[1]["change"]["data"] == 15.0
    assert history[1]["overall_change"] == 15.0
    assert history[2]["change"] is None  # across versions: no change
    for _n in range(5):
        _submitted(world.company, 40.0)
    with django_assert_num_queries(1):
        assert len(selectors.company_check_history(company=world.company)) == 8


def _convoy_with(convoy, values):
    for value in values:
        company = CompanyFactory()
        MembershipFactory(convoy=convoy, company=company)
        _submitted(company, value)


def test_convoy_median_hidden_below_four(world, django_assert_num_queries):
    _convoy_with(world.convoy, [10.0, 20.0])
    _submitted(world.company, 90.0)
    with django_assert_num_queries(1):
        result = selectors.convoy_maturity(convoy=world.convoy)
    assert result == {"companies_submitted": 3, "median": None}
    _convoy_with(world.convoy, [30.0] * 10)
    with django_assert_num_queries(1):
        result = selectors.convoy_maturity(convoy=world.convoy)
    assert result["companies_submitted"] == 13
    assert result["median"]["strategy"] == 30.0


def test_convoy_median_counts_latest_check_of_active_members(world):
    _convoy_with(world.convoy, [10.0, 20.0, 30.0])
    _submitted(world.company, 100.0)
    _submitted(world.company, 40.0)  # the latest counts
    outsider = CompanyFactory()
    _submitted(outsider, 100.0)  # not a member
    left = CompanyFactory()
    MembershipFactory(convoy=world.convoy, company=left, status="left")
    _submitted(left, 100.0)
    _submitted(CompanyFactory(), 100.0, questionnaire_version="2025-1")
    result = selectors.convoy_maturity(convoy=world.convoy)
    assert result["companies_submitted"] == 4
    assert result["median"]["green"] == 25.0


def test_peers_fallback_and_minimum(programme_world):
    programme = programme_world.programme
    assert (
        selectors.programme_peers(programme=programme, sector="craft", size="2-9", version="2026-1")
        is None
    )
    for _n in range(10):
        PublicCheckFactory(
            submitted=True, programme=programme, sector="craft", size="1", scores=_scores(30.0)
        )
    for _n in range(6):
        PublicCheckFactory(
            submitted=True, programme=programme, sector="retail", size="1", scores=_scores(60.0)
        )
    peers = selectors.programme_peers(
        programme=programme, sector="craft", size="2-9", version="2026-1"
    )
    # 10 craft micro: too few; 10 craft: too few; all programme checks (16 + the world's T0).
    assert peers["group"] == "all"
    assert peers["n"] == 17
    assert set(peers) == {"group", "n", "median"}  # never an individual score
    for _n in range(5):
        PublicCheckFactory(
            submitted=True, programme=programme, sector="craft", size="2-9", scores=_scores(40.0)
        )
    peers = selectors.programme_peers(
        programme=programme, sector="craft", size="2-9", version="2026-1"
    )
    assert peers["group"] == "sector_size"
    assert peers["n"] >= 15  # (the world's T0 may be a craft micro firm too)
    assert peers["median"]["human"] == 30.0


def test_programme_record_checks(programme_world, world):
    programme = programme_world.programme
    assisted = _submitted(
        world.company,
        30.0,
        programme=programme,
        advisor=programme_world.coach,
        advisor_assisted=True,
    )
    seen = selectors.programme_record_checks(programme=programme, company=world.company)
    # The convoy's own check (programme_world.check) is the convoy's, not the programme's.
    assert seen == [assisted]
    assert (
        selectors.programme_record_checks(
            programme=programme_world.other_programme, company=world.company
        )
        == []
    )
