"""Every read of the check: who may see which check, a company's history, the convoy's median
and the programme's peer groups. Comparisons are medians (whole numbers) of groups large
enough that no single company's score can be read from them, and never include a company the
viewer may submit checks for; an individual peer's score is never returned. Both count only
checks a company answered itself at its stages (comparable_checks).
Each selector is a fixed number of queries (medians are computed in Python from one query)."""

import math
from collections.abc import Collection
from statistics import median
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from checks.keys import check_by_token
from checks.models import DIMENSIONS, CheckResponse, CheckStage, CheckStatus
from checks.questionnaire import CURRENT_VERSION
from companies.models import SIZE_CLASS_SIZES, Company, CompanyMember, size_class_of
from convoys.models import Convoy, Facilitator, Membership, MembershipStatus
from convoys.selectors import is_facilitator
from programmes.models import CompanyRecord, Programme, Touch, TouchKind
from programmes.selectors import AnyUser

# Companies with a submitted check before the convoy median shows (other than the viewer's).
CONVOY_MEDIAN_MIN = 4
PEER_MIN = 15  # companies in a peer group before it is compared with


def _readers_q(user: AnyUser) -> Q:
    """Company checks `user` may read: of their companies, of companies in convoys they
    facilitate (active members), or taken with them as the advisor."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    member_of = CompanyMember.objects.filter(user_id=user.pk).values("company_id")
    facilitated = Membership.objects.filter(
        status=MembershipStatus.ACTIVE,
        convoy__in=Facilitator.objects.filter(user_id=user.pk).values("convoy_id"),
    ).values("company_id")
    return Q(company_id__in=member_of) | Q(company_id__in=facilitated) | Q(advisor_id=user.pk)


def checks_for_user(*, user: AnyUser) -> QuerySet[CheckResponse]:
    return CheckResponse.objects.filter(
        _readers_q(user), company__isnull=False, company__deleted_at__isnull=True
    )


def check_for_user(*, check_id: int, user: AnyUser) -> CheckResponse:
    """A company's check for someone who may read it (members of the company, facilitators
    of its convoys, its advisor); Http404 for everyone else."""
    response = (
        checks_for_user(user=user)
        .select_related("company", "programme", "convoy", "advisor", "respondent")
        .filter(pk=check_id)
        .first()
    )
    if response is None:
        raise Http404
    return response


def check_can_answer(*, response: CheckResponse, user: AnyUser) -> bool:
    """Company members and the advisor answer a draft; facilitators only read."""
    if response.is_submitted or response.company_id is None:
        return False
    if user is None or not user.is_authenticated:
        return False
    if response.advisor_id is not None and response.advisor_id == user.pk:
        return True
    return CompanyMember.objects.filter(user_id=user.pk, company_id=response.company_id).exists()


def check_is_member(*, response: CheckResponse, user: AnyUser) -> bool:
    """Whether `user` belongs to the check's company (starts projects, claims)."""
    if user is None or not user.is_authenticated or response.company_id is None:
        return False
    return CompanyMember.objects.filter(user_id=user.pk, company_id=response.company_id).exists()


def company_for_checks(*, company_id: int, user: AnyUser) -> Company:
    """The company whose checks `user` may read (its members, facilitators of convoys it is
    an active member of); Http404 for everyone else."""
    if user is None or not user.is_authenticated:
        raise Http404
    company = (
        Company.objects.filter(pk=company_id, deleted_at__isnull=True)
        .filter(
            Q(members__user_id=user.pk)
            | Q(
                memberships__status=MembershipStatus.ACTIVE,
                memberships__convoy__facilitator_links__user_id=user.pk,
            )
        )
        .distinct()
        .first()
    )
    if company is None:
        raise Http404
    return company


def company_checks(*, company: Company) -> list[CheckResponse]:
    """All of a company's checks, newest first (drafts included)."""
    return list(
        CheckResponse.objects.filter(company=company)
        .select_related("advisor", "respondent", "convoy")
        .order_by("-created_at", "-id")
    )


def _delta(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None:
        return None
    return round(current - previous, 1)


def company_check_history(*, company: Company) -> list[dict[str, Any]]:
    """Submitted checks, oldest first, each with its scores and the change per dimension
    since the previous check of the same questionnaire version (None across versions)."""
    rows = list(
        CheckResponse.objects.filter(company=company, status=CheckStatus.SUBMITTED)
        .select_related("advisor")
        .order_by("submitted_at", "id")
    )
    history: list[dict[str, Any]] = []
    previous_of: dict[str, CheckResponse] = {}
    for response in rows:
        scores = response.scores or {}
        dimensions = scores.get("dimensions") or {}
        previous = previous_of.get(response.questionnaire_version)
        change: dict[str, float | None] | None = None
        overall_change = None
        if previous is not None:
            before = (previous.scores or {}).get("dimensions") or {}
            change = {key: _delta(dimensions.get(key), before.get(key)) for key in DIMENSIONS}
            overall_change = _delta(response.overall, previous.overall)
        history.append(
            {
                "check": response,
                "id": response.pk,
                "stage": response.stage,
                "questionnaire_version": response.questionnaire_version,
                "submitted_at": response.submitted_at,
                "overall": response.overall,
                "band": response.band,
                "dimensions": {key: dimensions.get(key) for key in DIMENSIONS},
                "change": change,
                "overall_change": overall_change,
                "previous_id": previous.pk if previous is not None else None,
            }
        )
        previous_of[response.questionnaire_version] = response
    return history


def _latest_per_company(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows ordered newest first: the first per company."""
    seen: set[int] = set()
    latest = []
    for row in rows:
        if row["company_id"] in seen:
            continue
        seen.add(row["company_id"])
        latest.append(row)
    return latest


def _whole(value: float) -> int:
    """Half up to a whole number: a median moves by whole points only, so that small moves of
    one company's value reveal less."""
    return math.floor(value + 0.5)


def _median_by_dimension(rows: list[dict[str, Any]], minimum: int) -> dict[str, int | None]:
    result: dict[str, int | None] = {}
    for key in DIMENSIONS:
        values = [
            value
            for row in rows
            if (value := ((row["scores"] or {}).get("dimensions") or {}).get(key)) is not None
        ]
        result[key] = _whole(float(median(values))) if len(values) >= minimum else None
    return result


_ROW_FIELDS = ("id", "company_id", "scores", "sector", "size")

# The stages a comparison counts: each is submitted once per company and programme
# (checks.services.ONCE_PER_PROGRAMME), so a company moves its own value at most three times.
COMPARED_STAGES = (CheckStage.T0, CheckStage.T1, CheckStage.T2)


def comparable_checks(*, programme_id: int | None, version: str) -> QuerySet[CheckResponse]:
    """The one rule for what a comparison (convoy median, programme peers) counts: a company's
    submitted check of `version` for the programme (`programme_id`; None: taken for none),
    answered by the company itself (never advisor-assisted: a coach could otherwise take as
    many checks for register companies as they like, at 0 and at 100, and read the others'
    scores off the median), at a stage (T0, T1 or T2: ad hoc checks stay in the company's
    history but never move a comparison, since they could be repeated without limit).
    Callers take each company's latest (`_latest_per_company`)."""
    taken_for = Q(programme__isnull=True) if programme_id is None else Q(programme_id=programme_id)
    return CheckResponse.objects.filter(
        taken_for,
        status=CheckStatus.SUBMITTED,
        questionnaire_version=version,
        stage__in=COMPARED_STAGES,
        advisor_assisted=False,
        company__isnull=False,
        company__deleted_at__isnull=True,
    )


def convoy_maturity(
    *, convoy: Convoy, user: AnyUser, exclude_company_ids: Collection[int] = ()
) -> dict[str, Any]:
    """{"companies_submitted": n, "median": {dimension: whole number} or None below
    CONVOY_MEDIAN_MIN, "excludes_own_company": bool}: each active member company's latest
    check that counts for comparisons (comparable_checks: answered by the company itself, T0,
    T1 or T2, of the current questionnaire, taken for the convoy's programme), as `user` may
    compare with it.

    The convoy's facilitators (who read every company's check anyway) get all companies.
    Anyone else gets the OTHER companies only: the companies they belong to and
    `exclude_company_ids` (the check being looked at, e.g. by its advisor) are left out, since
    someone who may submit a company's check could otherwise move its value to 0 and to 100
    and read the others' scores off the median. `companies_submitted` counts the companies in
    the median. One query (two where `convoy` does not carry `is_facilitator` annotated for
    `user`)."""
    checks = comparable_checks(programme_id=convoy.programme_id, version=CURRENT_VERSION).filter(
        company_id__in=Membership.objects.filter(
            convoy=convoy, status=MembershipStatus.ACTIVE
        ).values("company_id"),
    )
    facilitates = user is not None and is_facilitator(
        user=cast(User, user), convoy_id=convoy.pk, known=convoy
    )
    if not facilitates:
        checks = checks.exclude(company_id__in=list(exclude_company_ids))
        if user is not None and user.is_authenticated:
            checks = checks.exclude(
                company_id__in=CompanyMember.objects.filter(user_id=user.pk).values("company_id")
            )
    rows = _latest_per_company(list(checks.order_by("-submitted_at", "-id").values(*_ROW_FIELDS)))
    count = len(rows)
    return {
        "companies_submitted": count,
        "median": (
            _median_by_dimension(rows, CONVOY_MEDIAN_MIN) if count >= CONVOY_MEDIAN_MIN else None
        ),
        "excludes_own_company": not facilitates,
    }


def viewer_company_ids(*, user: AnyUser) -> set[int]:
    """The companies `user` belongs to (none for an anonymous visitor): left out of every
    comparison they see. One query for a signed-in user."""
    if user is None or not user.is_authenticated:
        return set()
    return set(CompanyMember.objects.filter(user_id=user.pk).values_list("company_id", flat=True))


def programme_peers(
    *,
    programme: Programme,
    sector: str,
    size: str,
    version: str,
    exclude_company_ids: Collection[int] = (),
) -> dict[str, Any] | None:
    """{"group": "sector_size" | "sector" | "all", "n": n, "median": {dimension: whole
    number}} of the programme's companies, or None below PEER_MIN in every group.

    Peers are companies in the programme's register that have at least one member account
    (a company the programme's staff put in the register themselves, without members, is no
    peer: staff could otherwise invent fourteen around a real one), each once with its latest
    check that counts for comparisons (comparable_checks: answered by the company itself, T0,
    T1 or T2, of `version`, taken for the programme), never the viewer's own companies
    (`exclude_company_ids`). Anonymous responses never count: their sector and size are
    whatever the taker claims, so a handful of fake ones around one real company would give
    away its scores."""
    rows = _latest_per_company(
        list(
            comparable_checks(programme_id=programme.pk, version=version)
            .filter(
                company_id__in=CompanyRecord.objects.filter(programme=programme).values(
                    "company_id"
                ),
            )
            .filter(company_id__in=CompanyMember.objects.values("company_id"))
            .exclude(company_id__in=list(exclude_company_ids))
            .order_by("-submitted_at", "-id")
            .values(*_ROW_FIELDS)
        )
    )
    try:
        sizes = SIZE_CLASS_SIZES[size_class_of(size)] if size else ()
    except ValueError:
        sizes = ()
    groups = []
    if sector and sizes:
        groups.append(
            ("sector_size", [r for r in rows if r["sector"] == sector and r["size"] in sizes])
        )
    if sector:
        groups.append(("sector", [r for r in rows if r["sector"] == sector]))
    groups.append(("all", rows))
    for name, members in groups:
        if len(members) >= PEER_MIN:
            return {
                "group": name,
                "n": len(members),
                "median": _median_by_dimension(members, PEER_MIN),
            }
    return None


def programme_record_checks(*, programme: Programme, company: Company) -> list[CheckResponse]:
    """The checks of `company` the programme's staff may see on its register entry, newest
    first: taken with one of its coaches (advisor-assisted for this programme), or an
    anonymous check shared with the programme and confirmed from the respondent's e-mail
    (linked to this company by its register touch)."""
    shared_ids = [
        int(source.split(":", 1)[1])
        for source in Touch.objects.filter(
            programme=programme,
            company=company,
            kind=TouchKind.CHECK_SUBMITTED,
            source__startswith="check:",
        ).values_list("source", flat=True)
        if source.split(":", 1)[1].isdigit()
    ]
    return list(
        CheckResponse.objects.filter(status=CheckStatus.SUBMITTED)
        .filter(
            Q(company=company, programme=programme, advisor_assisted=True)
            | Q(
                pk__in=shared_ids,
                programme=programme,
                share_consent_at__isnull=False,
                email_confirmed_at__isnull=False,
            )
        )
        .select_related("advisor")
        .order_by("-submitted_at", "-id")
    )


def check_company_initial(*, token: str) -> dict[str, str]:
    """What the company form after "Start project" on an anonymous check's result takes over
    from that check (company name, sector and size, where given): only the check the token
    opens, and only while it is not filed under a company yet."""
    response = check_by_token(token=token)
    if response is None or response.company_id is not None:
        return {}
    given = {"name": response.company_name, "sector": response.sector, "size": response.size}
    return {field: value for field, value in given.items() if value}


def programme_record_unshared_stages(
    *, programme: Programme, company: Company, shown: list[int]
) -> list[str]:
    """The stages of the submitted checks `company` took for `programme` that its staff may
    not see (not taken with its coaches, not shared): the register's contacts list them, so
    the record says how many there are and no more (no scores), and a coach's start form
    preselects a stage still open. `shown` are the ids programme_record_checks returned.
    One query."""
    return list(
        CheckResponse.objects.filter(
            status=CheckStatus.SUBMITTED, company=company, programme=programme
        )
        .exclude(pk__in=shown)
        .values_list("stage", flat=True)
    )
