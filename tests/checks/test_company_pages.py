"""A company's checks over time (/companies/<id>/checks/), the comparison block of a result,
the convoy dashboard's maturity card and the register record's checks with a coach's
advisor-assisted start: who sees what (outsiders 404), what a page says, and queries that do
not grow with the data."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from checks.models import CheckResponse, CheckStage
from frontend.company_check_views import stage_due
from tests.factories import (
    CheckResponseFactory,
    CompanyFactory,
    CompanyMemberFactory,
    MembershipFactory,
    UserFactory,
)

DIMS = ("strategy", "readiness", "human", "data", "automation", "green")


def client_as(user, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def _submitted(company, *, days_ago: int, stage: str = "adhoc", values=None, version="2026-1"):
    """A submitted check of `company` with the given dimension scores (in DIMS order)."""
    values = values or (40.0, 40.0, 40.0, 40.0, 40.0, 40.0)
    dimensions = dict(zip(DIMS, values, strict=True))
    overall = round(sum(values) / len(values), 1)
    at = timezone.now() - timedelta(days=days_ago)
    check = CheckResponseFactory(
        submitted=True,
        company=company,
        stage=stage,
        questionnaire_version=version,
        submitted_at=at,
        scores={"overall": overall, "band": "average", "dimensions": dimensions},
        overall=overall,
    )
    CheckResponse.objects.filter(pk=check.pk).update(created_at=at)
    return check


def _url(company) -> str:
    return reverse("frontend:company_checks", kwargs={"company_id": company.pk})


# --- who may open a company's checks ---------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("owner", 200),
        ("member", 200),
        ("facilitator", 200),
        ("other_member", 404),
        ("outsider", 404),
        ("staff", 404),
    ],
)
def test_company_checks_page_by_role(world, role, status):
    response = client_as(getattr(world, role)).get(_url(world.company))
    assert response.status_code == status


def test_company_checks_page_needs_a_login(world):
    response = Client().get(_url(world.company))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("frontend:login"))


def test_programme_staff_who_do_not_facilitate_get_404(programme_world):
    pw = programme_world
    assert client_as(pw.coach).get(_url(pw.check.company)).status_code == 404
    assert client_as(pw.manager).get(_url(pw.check.company)).status_code == 404


def test_unknown_and_huge_company_ids_are_404(world):
    client = client_as(world.owner)
    assert client.get("/companies/999999/checks/").status_code == 404
    assert client.get(f"/companies/{2**70}/checks/").status_code == 404


# --- the history ----------------------------------------------------------------------------


def test_history_shows_each_check_and_the_change_since_the_previous(world):
    _submitted(world.company, days_ago=200, stage="T0", values=(40, 30, 50, 20, 10, 60))
    _submitted(world.company, days_ago=10, stage="T1", values=(52, 30, 45, 20, 10, 60))
    html = text(client_as(world.owner).get(_url(world.company)))
    assert html.count('data-testid="check-entry"') == 2
    assert "T0: before the support" in html and "T1: first re-assessment" in html
    assert "+12" in html  # strategy 40 → 52
    assert "−5" in html  # human 50 → 45
    assert "±0" in html
    assert 'data-testid="no-change-across-versions"' not in html
    # The chart's data and its table fallback.
    assert 'id="check-history-data"' in html
    assert 'data-testid="check-history-table"' in html


def test_no_change_is_shown_across_questionnaire_versions(world):
    _submitted(world.company, days_ago=200, stage="T0", version="2025-1")
    _submitted(world.company, days_ago=10, stage="T1", values=(90, 90, 90, 90, 90, 90))
    html = text(client_as(world.owner).get(_url(world.company)))
    assert 'data-testid="no-change-across-versions"' in html
    assert "another version of the questions" in html
    assert 'data-testid="dimension-change"' not in html


def test_another_companys_checks_do_not_show(world):
    _submitted(world.other_company, days_ago=5, stage="T0", values=(77, 77, 77, 77, 77, 77))
    html = text(client_as(world.owner).get(_url(world.company)))
    assert 'data-testid="check-entry"' not in html
    assert 'data-testid="check-history-empty"' in html


def test_members_see_drafts_and_the_start_form_facilitators_only_read(world):
    draft = CheckResponseFactory(company=world.company, respondent=world.member)
    _submitted(world.company, days_ago=3, stage="T0")
    member_html = text(client_as(world.member).get(_url(world.company)))
    assert f'data-check="{draft.pk}"' in member_html
    assert reverse("frontend:check_step", kwargs={"check_id": draft.pk, "step": 1}) in member_html
    assert 'data-testid="check-start-form"' in member_html
    facilitator_html = text(client_as(world.facilitator).get(_url(world.company)))
    assert 'data-testid="check-entry"' in facilitator_html
    assert 'data-testid="check-draft"' not in facilitator_html
    assert 'data-testid="check-start-form"' not in facilitator_html


def test_the_stage_due_is_preselected(world):
    html = text(client_as(world.owner).get(_url(world.company)))
    assert '<option value="T0" selected>' in html
    _submitted(world.company, days_ago=100, stage="T0")
    html = text(client_as(world.owner).get(_url(world.company)))
    assert '<option value="T1" selected>' in html


@pytest.mark.parametrize(
    ("stages", "due"),
    [
        ([], "T0"),
        (["adhoc"], "T0"),
        (["T0"], "T1"),
        (["T0", "adhoc"], "T1"),
        (["T0", "T1"], "T2"),
        (["T0", "T1", "T2"], "adhoc"),
    ],
)
def test_stage_due(stages, due):
    assert stage_due(stages) == due


def test_a_member_starts_a_check_with_a_stage(world):
    response = client_as(world.member).post(_url(world.company), {"stage": "T0"})
    check = CheckResponse.objects.get(company=world.company)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "frontend:check_step", kwargs={"check_id": check.pk, "step": 1}
    )
    assert check.stage == CheckStage.T0
    assert check.status == "draft"
    assert check.respondent == world.member
    assert not check.advisor_assisted


def test_a_bad_stage_is_a_form_error_and_starts_nothing(world):
    response = client_as(world.member).post(_url(world.company), {"stage": "T9"})
    assert response.status_code == 400
    assert 'class="errorlist"' in text(response)
    assert not CheckResponse.objects.filter(company=world.company).exists()


@pytest.mark.parametrize("role", ["facilitator", "outsider", "other_member"])
def test_others_cannot_start_a_check(world, role):
    response = client_as(getattr(world, role)).post(_url(world.company), {"stage": "T0"})
    assert response.status_code == (403 if role == "facilitator" else 404)
    assert not CheckResponse.objects.filter(company=world.company).exists()


def test_the_page_needs_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member)
    assert client.post(_url(world.company), {"stage": "T0"}).status_code == 403
    assert not CheckResponse.objects.exists()


def test_the_page_speaks_german_by_default(world):
    _submitted(world.company, days_ago=200, stage="T0")
    _submitted(world.company, days_ago=10, stage="T1", values=(52, 40, 40, 40, 40, 40))
    html = text(client_as(world.owner, language="de").get(_url(world.company)))
    assert "Neuen Check starten" in html
    assert "Ergebnisse im Zeitverlauf" in html
    assert "Veränderung" in html


def test_the_company_page_and_home_link_the_checks(world):
    url = _url(world.company)
    assert url in text(
        client_as(world.owner).get(reverse("frontend:company", args=[world.company.pk]))
    )
    assert url in text(
        client_as(world.facilitator).get(reverse("frontend:company", args=[world.company.pk]))
    )
    assert url in text(client_as(world.owner).get(reverse("frontend:home")))


def _count_queries(client, url) -> int:
    client.get(url)  # warm-up: the first request fills the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_history_takes_the_same_queries_at_two_sizes(world):
    client = client_as(world.owner)
    counts = []
    for size in (2, 12):
        for i in range(size - CheckResponse.objects.filter(company=world.company).count()):
            _submitted(world.company, days_ago=300 - i, stage="adhoc")
            CheckResponseFactory(company=world.company, respondent=world.member)
        counts.append(_count_queries(client, _url(world.company)))
    assert counts[0] == counts[1], counts


# --- the comparison block of a result ---------------------------------------------------------


def _comparison(**parts) -> str:
    with translation.override("en"):
        return render_to_string(
            "frontend/checks/partials/comparison.html",
            {"comparison": {"scores": dict.fromkeys(DIMS, 50.0), **parts}},
        )


def test_the_convoy_median_is_hidden_below_four_companies():
    html = _comparison(convoy={"companies_submitted": 3, "median": None}, peers=None)
    assert 'data-testid="convoy-median-hidden"' in html
    assert "at least 4 companies of the convoy" in html and "(so far 3)" in html
    assert 'data-testid="convoy-median"' not in html
    assert 'data-testid="peers-hidden"' in html
    assert 'data-testid="comparison-table"' not in html


def test_the_convoy_median_and_the_peers_show_next_to_the_own_score():
    median = {**dict.fromkeys(DIMS, 30.0), "green": None}
    peers = {"group": "sector", "n": 17, "median": dict.fromkeys(DIMS, 61.4)}
    html = _comparison(convoy={"companies_submitted": 5, "median": median}, peers=peers)
    assert html.count('data-testid="convoy-median"') == 6
    assert html.count('data-testid="peers-median"') == 6
    assert ">30<" in html and ">61<" in html and ">50<" in html
    assert "companies of the same sector (17 checks)" in html
    assert 'data-testid="convoy-median-hidden"' not in html


def test_the_convoy_median_of_the_other_companies_says_so():
    median = dict.fromkeys(DIMS, 30)
    html = _comparison(
        convoy={"companies_submitted": 5, "median": median, "excludes_own_company": True},
        peers=None,
    )
    assert "the median of the other 5 companies of the convoy" in html
    html = _comparison(
        convoy={"companies_submitted": 3, "median": None, "excludes_own_company": True},
        peers=None,
    )
    assert "at least 4 other companies of the convoy" in html and "(so far 3)" in html


def test_the_result_compares_a_member_with_the_other_companies_only(world):
    """A member who submits 0 and then 100 sees the same convoy median: their own company is
    not in it. The convoy's facilitator gets every company."""
    _fill_convoy(world.convoy, 4)  # 20, 21, 22, 23
    seen = []
    for value, stage in ((0, "T0"), (100, "T1")):
        check = _submitted(world.company, days_ago=1, stage=stage, values=(value,) * 6)
        CheckResponse.objects.filter(pk=check.pk).update(convoy=world.convoy)
        url = reverse("frontend:check_result", kwargs={"check_id": check.pk})
        html = text(client_as(world.owner).get(url))
        assert "the median of the other 4 companies of the convoy" in html
        seen.append(html.count('data-testid="convoy-median">22<'))
    assert seen == [6, 6]  # 20, 21, 22, 23 → 21.5 → 22 both times
    html = text(client_as(world.facilitator).get(url))
    assert "the median of the 5 companies that took the check" in html
    assert html.count('data-testid="convoy-median">22<') == 6  # 20, 21, 22, 23, 100 → 22


@pytest.mark.parametrize(
    ("group", "words"),
    [
        ("sector_size", "same sector and size"),
        ("sector", "same sector ("),
        ("all", "all companies of the programme"),
    ],
)
def test_the_peer_group_is_named(group, words):
    peers = {"group": group, "n": 15, "median": dict.fromkeys(DIMS, 40.0)}
    assert words in _comparison(convoy=None, peers=peers)


def test_the_comparison_in_german():
    with translation.override("de"):
        html = render_to_string(
            "frontend/checks/partials/comparison.html",
            {
                "comparison": {
                    "scores": {},
                    "convoy": {
                        "companies_submitted": 2,
                        "median": None,
                        "excludes_own_company": False,
                    },
                }
            },
        )
    assert (
        "Der Vergleich erscheint, sobald mindestens 4 Betriebe des Konvois den Check gemacht "
        "haben (bisher 2)." in html
    )


# --- the convoy dashboard's maturity card ------------------------------------------------------


def _convoy_url(convoy) -> str:
    return reverse("frontend:convoy", kwargs={"convoy_id": convoy.pk})


def _fill_convoy(convoy, n: int) -> None:
    """`n` more active member companies, each with a submitted check."""
    for i in range(n):
        company = CompanyFactory()
        CompanyMemberFactory(company=company, user=UserFactory(), role="owner")
        MembershipFactory(convoy=convoy, company=company)
        _submitted(company, days_ago=5, stage="T0", values=(20 + i,) * 6)


def test_the_maturity_card_shows_the_count_below_four(world):
    _submitted(world.company, days_ago=5, stage="T0")
    _fill_convoy(world.convoy, 3)
    html = text(client_as(world.owner).get(_convoy_url(world.convoy)))
    assert 'data-testid="convoy-maturity"' in html
    assert 'data-testid="maturity-hidden"' in html
    # A member's own company is left out: three others, four needed.
    assert "once at least 4 of them" in html
    assert "(so far 3)" in html
    assert 'data-testid="maturity-median"' not in html


def test_the_maturity_card_shows_the_median_of_the_others_from_four(world):
    _submitted(world.company, days_ago=5, stage="T0", values=(90,) * 6)
    _fill_convoy(world.convoy, 4)  # 20, 21, 22, 23
    html = text(client_as(world.owner).get(_convoy_url(world.convoy)))
    assert 'data-testid="maturity-median"' in html
    assert 'data-testid="maturity-hidden"' not in html
    assert "of the other 4 companies of the convoy" in html
    # the median of 20, 21, 22, 23 (the owner's 90 left out) is 21.5: a whole number
    assert html.count('<span class="maturity-value">22</span>') == 6
    assert ">90<" not in html  # no single company's score


def test_the_maturity_card_gives_the_facilitator_every_company(world):
    _submitted(world.company, days_ago=5, stage="T0", values=(90,) * 6)
    _fill_convoy(world.convoy, 3)  # 20, 21, 22
    html = text(client_as(world.facilitator).get(_convoy_url(world.convoy)))
    assert 'data-testid="maturity-median"' in html
    assert "of 4 companies" in html and "other" not in html.split("maturity-note")[1][:200]
    # the median of 20, 21, 22, 90 is 21.5: shown as a whole number
    assert html.count('<span class="maturity-value">22</span>') == 6


def test_the_maturity_card_links_a_member_to_their_own_checks(world):
    owner_html = text(client_as(world.owner).get(_convoy_url(world.convoy)))
    assert 'data-testid="maturity-own-checks"' in owner_html
    assert _url(world.company) in owner_html
    facilitator_html = text(client_as(world.facilitator).get(_convoy_url(world.convoy)))
    assert 'data-testid="convoy-maturity"' in facilitator_html
    assert 'data-testid="maturity-own-checks"' not in facilitator_html


def test_the_maturity_card_in_german(world):
    html = text(client_as(world.owner, language="de").get(_convoy_url(world.convoy)))
    assert "Digitaler Reifegrad des Konvois" in html


def test_the_maturity_card_takes_the_same_queries_at_two_sizes(world):
    client = client_as(world.facilitator)
    _submitted(world.company, days_ago=5, stage="T0")
    counts = []
    for size in (4, 14):
        companies = world.convoy.memberships.count()
        _fill_convoy(world.convoy, size - companies)
        counts.append(_count_queries(client, _convoy_url(world.convoy)))
    assert counts[0] == counts[1], counts


# --- the register record: the checks the programme may see, and a coach's start -----------------


def _record_url(pw) -> str:
    return reverse(
        "frontend:programme_record",
        kwargs={"programme_id": pw.programme.pk, "record_id": pw.record.pk},
    )


def _record_start_url(pw, programme=None) -> str:
    return reverse(
        "frontend:programme_record_check_start",
        kwargs={"programme_id": (programme or pw.programme).pk, "record_id": pw.record.pk},
    )


def test_the_record_lists_the_checks_taken_with_an_advisor(programme_world):
    pw = programme_world
    assisted = _submitted(pw.record.company, days_ago=3, stage="T0", values=(66,) * 6)
    CheckResponse.objects.filter(pk=assisted.pk).update(
        programme=pw.programme, advisor_assisted=True, advisor=pw.coach
    )
    html = text(client_as(pw.manager).get(_record_url(pw)))
    assert 'data-testid="record-checks"' in html
    assert f'data-check="{assisted.pk}"' in html
    assert "66 of 100" in html
    assert "with Conrad Coach" in html
    # The company's own check (not taken with the programme's advisors, not shared) stays out.
    assert f'data-check="{pw.check.pk}"' not in html
    assert f'data-check="{pw.draft_check.pk}"' not in html


def test_a_coach_starts_an_advisor_assisted_check(programme_world):
    pw = programme_world
    before = set(CheckResponse.objects.values_list("pk", flat=True))
    response = client_as(pw.coach).post(_record_start_url(pw), {"check-stage": "T1"})
    check = CheckResponse.objects.exclude(pk__in=before).get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "frontend:check_step", kwargs={"check_id": check.pk, "step": 1}
    )
    assert check.company == pw.record.company
    assert check.advisor_assisted and check.advisor == pw.coach
    assert check.programme == pw.programme
    assert check.stage == "T1"


def test_a_bad_stage_from_the_record_starts_nothing(programme_world):
    pw = programme_world
    count = CheckResponse.objects.count()
    response = client_as(pw.coach).post(_record_start_url(pw), {"check-stage": "T7"})
    assert response.status_code == 302
    assert response["Location"] == _record_url(pw)
    assert CheckResponse.objects.count() == count


@pytest.mark.parametrize("role", ["other_coach", "member", "outsider"])
def test_others_cannot_start_a_check_from_the_record(programme_world, role):
    pw = programme_world
    count = CheckResponse.objects.count()
    response = client_as(getattr(pw, role)).post(_record_start_url(pw), {"check-stage": "T0"})
    assert response.status_code == 404
    assert CheckResponse.objects.count() == count


def test_a_record_of_another_programme_is_404(programme_world):
    pw = programme_world
    count = CheckResponse.objects.count()
    url = _record_start_url(pw, programme=pw.other_programme)
    assert client_as(pw.other_coach).post(url, {"check-stage": "T0"}).status_code == 404
    assert CheckResponse.objects.count() == count


def test_starting_from_the_record_is_post_only(programme_world):
    pw = programme_world
    assert client_as(pw.coach).get(_record_start_url(pw)).status_code == 405


def _answer_for(question):
    """A valid answer to any question (the lowest one)."""
    if question.type == "multi":
        return []
    if question.type == "agree_1_5":
        return 1
    lowest = {"already_planned": "none", "scale_0_5": 0, "no_partly_yes": "no"}[question.type]
    return {row.key: lowest for row in question.rows}


def test_a_draft_says_how_far_it_is_and_continues_at_the_first_open_area(world):
    from checks.questionnaire import questionnaire_load

    first = questionnaire_load().dimensions[0]
    answers = {q.key: _answer_for(q) for q in first.questions}
    draft = CheckResponseFactory(company=world.company, respondent=world.member, answers=answers)
    html = text(client_as(world.member).get(_url(world.company)))
    assert "1 of 6 areas answered" in html
    assert reverse("frontend:check_step", kwargs={"check_id": draft.pk, "step": 2}) in html


def test_the_coach_finds_their_unfinished_check_on_the_record(programme_world):
    pw = programme_world
    client_as(pw.coach).post(_record_start_url(pw), {"check-stage": "T1"})
    draft = CheckResponse.objects.get(advisor=pw.coach)
    step = reverse("frontend:check_step", kwargs={"check_id": draft.pk, "step": 1})
    coach_html = text(client_as(pw.coach).get(_record_url(pw)))
    assert f'data-check="{draft.pk}"' in coach_html and step in coach_html
    assert "0 of 6 areas answered" in coach_html
    # Another of the programme's staff sees it once it is submitted, not before.
    assert f'data-check="{draft.pk}"' not in text(client_as(pw.manager).get(_record_url(pw)))
