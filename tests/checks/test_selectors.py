"""Who reads which check, the history's changes, the convoy median from 4 companies (the
viewer's own left out) and the programme's peer groups from 15 registered companies (with
fallback; anonymous responses never count), whole-number medians, at a constant number of
queries."""

import pytest
from django.http import Http404
from django.utils import timezone

from checks import selectors
from checks.models import DIMENSIONS
from convoys.selectors import convoy_list_for_user
from programmes.models import CompanyRecord
from tests.factories import (
    CheckResponseFactory,
    CompanyFactory,
    MembershipFactory,
    ProgrammeFactory,
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
    companies = []
    for value in values:
        company = CompanyFactory()
        MembershipFactory(convoy=convoy, company=company)
        _submitted(company, value)
        companies.append(company)
    return companies


def test_convoy_median_hidden_below_four(world, django_assert_num_queries):
    # As the dashboard has it: with is_facilitator annotated (else one query more).
    convoy = convoy_list_for_user(user=world.owner).get(pk=world.convoy.pk)
    _convoy_with(world.convoy, [10.0, 20.0])
    _submitted(world.company, 90.0)
    with django_assert_num_queries(1):
        result = selectors.convoy_maturity(convoy=convoy, user=world.owner)
    # The owner's own company is left out: two others.
    assert result == {"companies_submitted": 2, "median": None, "excludes_own_company": True}
    _convoy_with(world.convoy, [30.0] * 10)
    with django_assert_num_queries(2):
        result = selectors.convoy_maturity(convoy=world.convoy, user=world.owner)
    assert result["companies_submitted"] == 12
    assert result["median"]["strategy"] == 30


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
    result = selectors.convoy_maturity(convoy=world.convoy, user=world.facilitator)
    assert result["companies_submitted"] == 4
    assert result["excludes_own_company"] is False
    assert result["median"]["green"] == 25  # 10, 20, 30, 40 → 25


def test_a_member_cannot_read_the_others_scores_off_the_median(world):
    """The attack: submit 0 and then 100 and compare the medians. The member's own company
    is never in the median they see, so it does not move; and it shows only from four
    other companies."""
    others = _convoy_with(world.convoy, [12.0, 47.0, 81.0])
    _submitted(world.company, 0.0)
    low = selectors.convoy_maturity(convoy=world.convoy, user=world.member)
    _submitted(world.company, 100.0)
    high = selectors.convoy_maturity(convoy=world.convoy, user=world.member)
    assert low == high == {"companies_submitted": 3, "median": None, "excludes_own_company": True}
    # Facilitators read every check anyway: all four companies, from four.
    assert selectors.convoy_maturity(convoy=world.convoy, user=world.facilitator)["median"] == (
        dict.fromkeys(DIMENSIONS, 64)  # 12, 47, 81, 100 → 64
    )
    others += _convoy_with(world.convoy, [60.0])
    _submitted(world.company, 0.0)
    low = selectors.convoy_maturity(convoy=world.convoy, user=world.member)
    _submitted(world.company, 100.0)
    high = selectors.convoy_maturity(convoy=world.convoy, user=world.member)
    assert low == high
    assert low["companies_submitted"] == 4
    assert low["median"] == dict.fromkeys(DIMENSIONS, 54)  # 12, 47, 60, 81 → 53.5 → 54
    # The check being looked at is left out for someone who is no member (its advisor).
    advisor = UserFactory()
    seen = selectors.convoy_maturity(
        convoy=world.convoy, user=advisor, exclude_company_ids={world.company.pk}
    )
    assert seen == low


def test_convoy_medians_are_whole_numbers(world):
    _convoy_with(world.convoy, [10.2, 20.3, 30.4, 40.9])
    result = selectors.convoy_maturity(convoy=world.convoy, user=world.facilitator)
    assert result["median"]["data"] == 25  # 25.35
    assert all(isinstance(value, int) for value in result["median"].values())


def _registered(programme, value: float, *, sector="craft", size="2-9", n=1, version="2026-1"):
    """`n` companies in the programme's register, each with a submitted check."""
    companies = []
    for _n in range(n):
        company = CompanyFactory(sector=sector, size=size)
        now = timezone.now()
        CompanyRecord.objects.create(
            programme=programme,
            company=company,
            first_touch_at=now,
            first_touch_kind="service",
            last_touch_at=now,
            last_touch_kind="service",
        )
        _submitted(company, value, programme=programme, questionnaire_version=version)
        companies.append(company)
    return companies


def test_peers_fallback_and_minimum(programme_world, django_assert_num_queries):
    programme = programme_world.programme
    assert (
        selectors.programme_peers(programme=programme, sector="craft", size="2-9", version="2026-1")
        is None
    )
    _registered(programme, 30.0, sector="craft", size="1", n=10)
    _registered(programme, 60.0, sector="retail", size="1", n=6)
    with django_assert_num_queries(1):
        peers = selectors.programme_peers(
            programme=programme, sector="craft", size="10-49", version="2026-1"
        )
    # 10 craft small: too few; 10 craft: too few; all programme companies (16 + the world's).
    assert peers["group"] == "all"
    assert peers["n"] == 17
    assert set(peers) == {"group", "n", "median"}  # never an individual score
    _registered(programme, 40.0, sector="craft", size="2-9", n=5)
    with django_assert_num_queries(1):
        peers = selectors.programme_peers(
            programme=programme, sector="craft", size="2-9", version="2026-1"
        )
    assert peers["group"] == "sector_size"
    assert peers["n"] >= 15  # (the world's T0 may be a craft micro firm too)
    assert peers["median"]["human"] == 30


def test_peers_ignore_anonymous_responses_and_the_viewers_company(programme_world, world):
    """The attack: fourteen made-up anonymous checks claiming one real company's sector and
    size around it. Anonymous responses never count, and neither does the viewer's company."""
    programme = programme_world.programme
    for value in [0.0] * 7 + [100.0] * 7:
        PublicCheckFactory(
            submitted=True, programme=programme, sector="craft", size="2-9", scores=_scores(value)
        )
    (victim,) = _registered(programme, 37.0)
    assert (
        selectors.programme_peers(programme=programme, sector="craft", size="2-9", version="2026-1")
        is None
    )
    # Company checks outside the register, of another programme or version don't count either.
    _submitted(CompanyFactory(sector="craft", size="2-9"), 50.0, programme=programme)
    _registered(programme, 50.0, version="2025-1")
    _registered(ProgrammeFactory(), 50.0)
    assert (
        selectors.programme_peers(programme=programme, sector="craft", size="2-9", version="2026-1")
        is None
    )
    own = _registered(programme, 50.0, n=14)
    world_company = {world.company.pk}  # (its T0 may be of the same sector and size)
    peers = selectors.programme_peers(
        programme=programme,
        sector="craft",
        size="2-9",
        version="2026-1",
        exclude_company_ids=world_company,
    )
    assert peers["group"] == "sector_size"
    assert peers["n"] == 15
    assert peers["median"]["data"] == 50
    viewer = selectors.programme_peers(
        programme=programme,
        sector="craft",
        size="2-9",
        version="2026-1",
        exclude_company_ids=world_company | {own[0].pk},
    )
    assert viewer is None or viewer["group"] != "sector_size"
    assert victim.pk  # its score is never returned alone
    assert selectors.viewer_company_ids(user=world.owner) == {world.company.pk}
    assert selectors.viewer_company_ids(user=None) == set()


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
