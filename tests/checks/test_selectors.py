"""Who reads which check, the history's changes, the convoy median from 4 companies (the
viewer's own left out) and the programme's peer groups from 15 registered companies with
members (with fallback; anonymous responses never count), whole-number medians, at a constant
number of queries. Comparisons count only checks a company answered itself at a stage (T0,
T1, T2): ad hoc and advisor-assisted checks never move them."""

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
    CompanyMemberFactory,
    MembershipFactory,
    ProgrammeFactory,
    PublicCheckFactory,
    UserFactory,
)


def _scores(value: float) -> dict:
    return {"overall": value, "band": "average", "dimensions": dict.fromkeys(DIMENSIONS, value)}


def _submitted(company, value: float, **extra):
    """A submitted check; T0 unless `stage` says otherwise (the factory's default is ad hoc,
    which no comparison counts)."""
    extra.setdefault("stage", "T0")
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
    _submitted(world.company, 50.0, stage="adhoc", questionnaire_version="2027-1")
    with django_assert_num_queries(1):
        history = selectors.company_check_history(company=world.company)
    assert [row["overall"] for row in history] == [20.0, 35.0, 50.0]
    assert history[0]["change"] is None
    assert history[1]["change"]["data"] == 15.0
    assert history[1]["overall_change"] == 15.0
    assert history[2]["change"] is None  # across versions: no change
    for _n in range(5):
        _submitted(world.company, 40.0, stage="adhoc")
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
    _submitted(world.company, 100.0, stage="T0")
    _submitted(world.company, 40.0, stage="T1")  # the latest counts
    outsider = CompanyFactory()
    _submitted(outsider, 100.0)  # not a member
    left = CompanyFactory()
    MembershipFactory(convoy=world.convoy, company=left, status="left")
    _submitted(left, 100.0)
    _submitted(CompanyFactory(), 100.0, questionnaire_version="2025-1")
    # Taken for another programme than the convoy's (here: none): its stages are not these.
    _submitted(world.company, 100.0, stage="T2", programme=ProgrammeFactory())
    result = selectors.convoy_maturity(convoy=world.convoy, user=world.facilitator)
    assert result["companies_submitted"] == 4
    assert result["excludes_own_company"] is False
    assert result["median"]["green"] == 25  # 10, 20, 30, 40 → 25


def test_a_member_cannot_read_the_others_scores_off_the_median(world):
    """The attack: submit 0 and then 100 and compare the medians. The member's own company
    is never in the median they see, so it does not move; and it shows only from four
    other companies."""
    others = _convoy_with(world.convoy, [12.0, 47.0, 81.0])
    _submitted(world.company, 0.0, stage="T0")
    low = selectors.convoy_maturity(convoy=world.convoy, user=world.member)
    _submitted(world.company, 100.0, stage="T1")
    high = selectors.convoy_maturity(convoy=world.convoy, user=world.member)
    assert low == high == {"companies_submitted": 3, "median": None, "excludes_own_company": True}
    # Facilitators read every check anyway: all four companies, from four.
    assert selectors.convoy_maturity(convoy=world.convoy, user=world.facilitator)["median"] == (
        dict.fromkeys(DIMENSIONS, 64)  # 12, 47, 81, 100 → 64
    )
    others += _convoy_with(world.convoy, [60.0])
    high = selectors.convoy_maturity(convoy=world.convoy, user=world.member)
    _submitted(world.company, 0.0, stage="T2")  # its last stage (each is once per programme)
    low = selectors.convoy_maturity(convoy=world.convoy, user=world.member)
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


def _registered(
    programme,
    value: float,
    *,
    sector="craft",
    size="2-9",
    n=1,
    version="2026-1",
    members=True,
    **extra,
):
    """`n` companies in the programme's register (with a member account unless `members` is
    False, as one staff put in themselves), each with a submitted check (T0 unless `stage`)."""
    companies = []
    for _n in range(n):
        company = CompanyFactory(sector=sector, size=size)
        if members:
            CompanyMemberFactory(company=company)
        now = timezone.now()
        CompanyRecord.objects.create(
            programme=programme,
            company=company,
            first_touch_at=now,
            first_touch_kind="service",
            last_touch_at=now,
            last_touch_kind="service",
        )
        _submitted(company, value, programme=programme, questionnaire_version=version, **extra)
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


def test_peers_count_only_self_answered_staged_checks_of_companies_with_members(programme_world):
    """The attack: a coach puts fourteen companies into the register (no member accounts)
    and takes advisor-assisted checks for them, seven at 0 and seven at 100, around one real
    company, then reads the peer median from an anonymous check of the same sector and size.
    Companies without members are no peers, advisor-assisted and ad hoc checks never count."""
    programme = programme_world.programme
    (victim,) = _registered(programme, 37.0)

    def peers():
        return selectors.programme_peers(
            programme=programme, sector="craft", size="2-9", version="2026-1"
        )

    for value in [0.0] * 7 + [100.0] * 7:
        _registered(programme, value, members=False)  # staff-created, self-answered
    assert peers() is None or peers()["group"] != "sector_size"
    for value in [0.0] * 7 + [100.0] * 7:
        _registered(
            programme,
            value,
            stage="T0",
            advisor=programme_world.coach,
            advisor_assisted=True,
        )
    for value in [0.0] * 7 + [100.0] * 7:
        _registered(programme, value, stage="adhoc")
    assert peers() is None or peers()["group"] != "sector_size"
    # Fourteen real companies with their own T0s: now the group compares.
    _registered(programme, 50.0, n=14)
    assert peers()["group"] == "sector_size"
    assert peers()["n"] == 15 + int(programme_world.check.company.sector == "craft")
    assert victim.pk


def test_a_members_ad_hoc_checks_do_not_move_the_anonymous_peer_median(programme_world):
    """The attack: a member signs out, looks at the peer median through an anonymous check
    of their sector and size, and moves their own company's ad hoc check between 0 and 100."""
    programme = programme_world.programme
    others = _registered(programme, 20.0, sector="retail", size="1", n=7)
    others += _registered(programme, 80.0, sector="retail", size="1", n=7)
    (own,) = _registered(programme, 50.0, sector="retail", size="1")

    def median():
        peers = selectors.programme_peers(
            programme=programme, sector="retail", size="1", version="2026-1"
        )
        return peers["group"], peers["n"], peers["median"]["data"]

    before = median()
    assert before == ("sector_size", 15, 50)
    for value in (0.0, 100.0):
        _submitted(own, value, programme=programme, stage="adhoc")
        assert median() == before
    assert len(others) == 14


def test_peers_and_the_convoy_median_constant_queries(
    programme_world, world, django_assert_num_queries
):
    programme = programme_world.programme
    total = 0
    for n in (3, 20):
        total += n
        companies = _registered(programme, 40.0, n=n)
        for company in companies:
            MembershipFactory(convoy=world.convoy, company=company)
        with django_assert_num_queries(1):
            selectors.programme_peers(
                programme=programme, sector="craft", size="2-9", version="2026-1"
            )
        with django_assert_num_queries(2):  # (is_facilitator not annotated: one more)
            result = selectors.convoy_maturity(convoy=world.convoy, user=world.member)
        assert result["companies_submitted"] == total


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
