"""The pages of taking the Digitalisierungs-Check and of its result: the anonymous check from
a programme's public page (token pages: steps, resume, result, address for the full report,
the e-mail's confirm page, print, delete, "start this project" with sign-in and a company),
and a company's check (/checks/<id>/…) for its members only. German by default; 404 for
wrong tokens and other companies; bad posts are form errors, never a 500; CSRF on."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from checks.keys import check_by_token, check_email_proof, check_token_of
from checks.models import DIMENSIONS, CheckResponse
from checks.questionnaire import questionnaire_load
from checks.services import check_answers_save, check_submit, public_check_start
from frontend.check_forms import NOTHING, row_field_name
from projects.models import Project
from tests.factories import CompanyFactory, CompanyMemberFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
STEPS = len(DIMENSIONS)


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def best_post(step: int) -> dict:
    """What a browser posts for the most digital answers of dimension `step` (1–6)."""
    dimension = questionnaire_load().dimensions[step - 1]
    data: dict = {}
    for q in dimension.questions:
        if q.type == "multi":
            data[q.key] = [o.key for o in q.options if not o.negative]
        elif q.type == "agree_1_5":
            data[q.key] = "5"
        else:
            best = {"already_planned": "already", "scale_0_5": "5", "no_partly_yes": "yes"}
            for row in q.rows:
                data[row_field_name(q.key, row.key)] = best[q.type]
    return data


def best_answers() -> dict:
    """The same in the wire format (for checks.services)."""
    answers: dict = {}
    for q in questionnaire_load().questions():
        if q.type == "multi":
            answers[q.key] = [o.key for o in q.options if not o.negative]
        elif q.type == "agree_1_5":
            answers[q.key] = 5
        else:
            best = {"already_planned": "already", "scale_0_5": 5, "no_partly_yes": "yes"}
            answers[q.key] = {row.key: best[q.type] for row in q.rows}
    return answers


def worst_answers() -> dict:
    answers: dict = {}
    for q in questionnaire_load().questions():
        if q.type == "multi":
            answers[q.key] = []
        elif q.type == "agree_1_5":
            answers[q.key] = 1
        else:
            worst = {"already_planned": "none", "scale_0_5": 0, "no_partly_yes": "no"}
            answers[q.key] = {row.key: worst[q.type] for row in q.rows}
    return answers


def _public(programme=None, *, answers=None, submit=False):
    response, token = public_check_start(programme=programme, language="de")
    if answers is not None:
        check_answers_save(response=response, answers=answers)
    if submit:
        check_submit(response=response)
    return response, token


def _html(response) -> str:
    return response.content.decode()


# --- starting --------------------------------------------------------------------------------


def test_the_programme_page_invites_to_the_check(client: Client) -> None:
    programme = ProgrammeFactory(slug="kz-hagen")
    page = client.get("/p/kz-hagen/")
    assert page.status_code == 200
    assert "Digitalisierungs-Check: Wo steht Ihr Betrieb?" in _html(page)
    assert 'href="/p/kz-hagen/check/"' in _html(page)
    assert programme.name in _html(page)


def test_the_programme_intro_starts_a_check_for_the_programme(client: Client) -> None:
    programme = ProgrammeFactory(slug="kz-hagen")
    intro = client.get("/p/kz-hagen/check/")
    assert intro.status_code == 200
    assert "Check starten" in _html(intro)
    started = client.post("/p/kz-hagen/check/")
    assert started.status_code == 302
    match = re.fullmatch(r"/check/([0-9a-f]{64})/step/0/", started["Location"])
    assert match, started["Location"]
    response = check_by_token(token=match.group(1))
    assert response is not None
    assert response.programme == programme
    assert response.company is None
    assert response.language == "de"


def test_an_unknown_programme_has_no_check(client: Client) -> None:
    assert client.get("/p/nobody/check/").status_code == 404
    assert client.post("/p/nobody/check/").status_code == 404
    assert not CheckResponse.objects.exists()


def test_the_check_without_a_programme(client: Client) -> None:
    assert client.get("/check/").status_code == 200
    started = client.post("/check/", **EN)
    assert started.status_code == 302
    response = CheckResponse.objects.get()
    assert response.programme is None
    assert response.language == "en"


def test_too_many_starts_from_one_network_are_refused(client: Client, settings) -> None:
    settings.CHECKS_STARTED_PER_HOUR = 1
    assert client.post("/check/").status_code == 302
    refused = client.post("/check/")
    assert refused.status_code == 429
    assert "später" in _html(refused)
    assert CheckResponse.objects.count() == 1


# --- the steps -------------------------------------------------------------------------------


def test_step_zero_asks_sector_and_size_optionally(client: Client) -> None:
    response, token = _public()
    page = client.get(f"/check/{token}/step/0/")
    assert page.status_code == 200
    html = _html(page)
    assert "Schritt 1 von 7" in html
    assert "Über Ihren Betrieb" in html
    assert page["Cache-Control"] == "private, no-store"
    assert page["X-Robots-Tag"] == "noindex"
    moved = client.post(f"/check/{token}/step/0/", {"sector": "craft", "size": "2-9"})
    assert moved.status_code == 302
    assert moved["Location"] == f"/check/{token}/step/1/"
    response.refresh_from_db()
    assert (response.sector, response.size) == ("craft", "2-9")
    # Both optional: nothing chosen is fine, and clears them.
    assert client.post(f"/check/{token}/step/0/", {}).status_code == 302
    response.refresh_from_db()
    assert (response.sector, response.size) == ("", "")


def test_step_zero_refuses_unknown_values_with_a_form_error(client: Client) -> None:
    response, token = _public()
    refused = client.post(f"/check/{token}/step/0/", {"sector": "bakery", "size": "huge"})
    assert refused.status_code == 400
    assert "errorlist" in _html(refused)
    response.refresh_from_db()
    assert (response.sector, response.size) == ("", "")


def test_a_dimension_screen_shows_its_questions_for_a_phone(client: Client) -> None:
    _response, token = _public()
    page = client.get(f"/check/{token}/step/1/")
    assert page.status_code == 200
    html = _html(page)
    assert "Schritt 2 von 7" in html
    assert "Warum fragen wir das?" in html
    assert "<details" in html
    assert "<table" not in html  # rows are radio groups, not a wide table
    assert 'type="radio"' in html
    assert 'type="checkbox"' in html
    assert "Weiter" in html and "Zurück" in html
    assert "Lesezeichen" in html  # the resume link
    assert f"/check/{token}/" in html


def test_every_screen_saves_and_shows_what_was_saved(client: Client) -> None:
    response, token = _public()
    data = best_post(1)
    moved = client.post(f"/check/{token}/step/1/", {**data, "go": "next"})
    assert moved.status_code == 302
    assert moved["Location"] == f"/check/{token}/step/2/"
    response.refresh_from_db()
    dimension = questionnaire_load().dimensions[0]
    for q in dimension.questions:
        assert q.key in response.answers
    # Back saves too, and goes back.
    back = client.post(f"/check/{token}/step/2/", {**best_post(2), "go": "back"})
    assert back["Location"] == f"/check/{token}/step/1/"
    response.refresh_from_db()
    for q in questionnaire_load().dimensions[1].questions:
        assert q.key in response.answers
    # The screen comes back filled in.
    html = _html(client.get(f"/check/{token}/step/1/"))
    assert html.count("checked") >= len(dimension.questions)


def test_none_of_these_is_an_answer_and_an_empty_screen_takes_answers_back(
    client: Client,
) -> None:
    response, token = _public()
    multi = next(
        (d_index, q)
        for d_index, d in enumerate(questionnaire_load().dimensions, start=1)
        for q in d.questions
        if q.type == "multi"
    )
    step, question = multi
    client.post(f"/check/{token}/step/{step}/", {question.key: [NOTHING]})
    response.refresh_from_db()
    assert response.answers[question.key] == []
    client.post(f"/check/{token}/step/{step}/", {})
    response.refresh_from_db()
    assert question.key not in response.answers


def test_ticking_something_and_none_of_these_is_a_form_error(client: Client) -> None:
    response, token = _public()
    step, question = next(
        (d_index, q)
        for d_index, d in enumerate(questionnaire_load().dimensions, start=1)
        for q in d.questions
        if q.type == "multi"
    )
    refused = client.post(
        f"/check/{token}/step/{step}/", {question.key: [question.options[0].key, NOTHING]}
    )
    assert refused.status_code == 400
    assert "Keines davon" in _html(refused)
    response.refresh_from_db()
    assert response.answers == {}


@pytest.mark.parametrize(
    "bad",
    ["not-an-option", "9", "", "x" * 5000],
)
def test_bad_values_are_form_errors_not_500(client: Client, bad: str) -> None:
    response, token = _public()
    for step in range(1, STEPS + 1):
        data = {}
        for q in questionnaire_load().dimensions[step - 1].questions:
            if q.type in ("multi", "agree_1_5"):
                data[q.key] = bad
            else:
                data[row_field_name(q.key, q.rows[0].key)] = bad
        page = client.post(f"/check/{token}/step/{step}/", data)
        assert page.status_code in (302, 400), (step, bad)
        if bad:
            assert page.status_code == 400
    response.refresh_from_db()
    assert response.answers == {}


def test_steps_outside_the_check_are_404(client: Client) -> None:
    _response, token = _public()
    assert client.get(f"/check/{token}/step/{STEPS + 1}/").status_code == 404
    assert client.get(f"/check/{token}/step/99999999999999999999/").status_code == 404


@pytest.mark.parametrize(
    "path",
    ["", "step/0/", "step/1/", "result/", "print/", "confirm/", "delete/", "projects/website/"],
)
def test_a_wrong_token_is_404(client: Client, path: str) -> None:
    _response, token = _public()
    wrong = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert client.get(f"/check/{wrong}/{path}").status_code in (404, 302)
    if path != "projects/website/":  # login first (the token is checked after)
        assert client.get(f"/check/{wrong}/{path}").status_code == 404
    assert client.get(f"/check/not-a-token/{path}").status_code in (404, 302)


def test_posts_with_a_wrong_token_are_404_and_change_nothing(client: Client) -> None:
    response, token = _public()
    wrong = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert client.post(f"/check/{wrong}/step/1/", best_post(1)).status_code == 404
    assert client.post(f"/check/{wrong}/delete/").status_code == 404
    assert client.post(f"/check/{wrong}/contact/", {"email": "a@b.example"}).status_code == 404
    response.refresh_from_db()
    assert response.answers == {}


def test_resume_goes_to_the_first_open_screen_or_the_result(client: Client) -> None:
    response, token = _public()
    assert client.get(f"/check/{token}/")["Location"] == f"/check/{token}/step/0/"
    answers = best_answers()
    first_two = {
        q.key: answers[q.key] for d in questionnaire_load().dimensions[:2] for q in d.questions
    }
    check_answers_save(response=response, answers=first_two)
    assert client.get(f"/check/{token}/")["Location"] == f"/check/{token}/step/3/"
    check_answers_save(response=response, answers=answers)
    assert client.get(f"/check/{token}/")["Location"] == f"/check/{token}/step/{STEPS}/"
    check_submit(response=response)
    assert client.get(f"/check/{token}/")["Location"] == f"/check/{token}/result/"


def test_the_last_screen_evaluates(client: Client) -> None:
    response, token = _public()
    for step in range(1, STEPS):
        client.post(f"/check/{token}/step/{step}/", best_post(step))
    last = client.get(f"/check/{token}/step/{STEPS}/")
    assert "Auswerten" in _html(last)
    assert "Weiter" not in _html(last)
    done = client.post(f"/check/{token}/step/{STEPS}/", {**best_post(STEPS), "go": "submit"})
    assert done["Location"] == f"/check/{token}/result/"
    response.refresh_from_db()
    assert response.is_submitted
    assert response.overall == 100.0


def test_an_empty_dimension_on_submit_leads_back_to_it(client: Client) -> None:
    response, token = _public()
    for step in range(1, STEPS):
        if step != 3:
            client.post(f"/check/{token}/step/{step}/", best_post(step))
    back = client.post(f"/check/{token}/step/{STEPS}/", {**best_post(STEPS), "go": "submit"})
    assert back["Location"] == f"/check/{token}/step/3/"
    response.refresh_from_db()
    assert not response.is_submitted
    page = client.get(back["Location"])
    title = questionnaire_load().dimensions[2].title["de"]
    assert f"Bitte beantworten Sie mindestens eine Frage zu „{title}“" in _html(page)


def test_a_submitted_check_is_read_only(client: Client) -> None:
    response, token = _public(answers=best_answers(), submit=True)
    before = dict(response.answers)
    assert client.get(f"/check/{token}/step/1/")["Location"] == f"/check/{token}/result/"
    posted = client.post(f"/check/{token}/step/1/", worst_post_for(1))
    assert posted["Location"] == f"/check/{token}/result/"
    response.refresh_from_db()
    assert response.answers == before


def worst_post_for(step: int) -> dict:
    data: dict = {}
    for q in questionnaire_load().dimensions[step - 1].questions:
        if q.type == "multi":
            data[q.key] = [NOTHING]
        elif q.type == "agree_1_5":
            data[q.key] = "1"
        else:
            worst = {"already_planned": "none", "scale_0_5": "0", "no_partly_yes": "no"}
            for row in q.rows:
                data[row_field_name(q.key, row.key)] = worst[q.type]
    return data


def test_a_draft_has_no_result_yet(client: Client) -> None:
    _response, token = _public()
    assert client.get(f"/check/{token}/result/")["Location"] == f"/check/{token}/"
    assert client.get(f"/check/{token}/print/")["Location"] == f"/check/{token}/"


# --- the result ------------------------------------------------------------------------------


def test_the_short_result_shows_score_band_chart_and_three_suggestions(client: Client) -> None:
    programme = ProgrammeFactory(name="Kompetenzzentrum Hagen")
    response, token = _public(programme, answers=worst_answers(), submit=True)
    assert len(response.recommendations) > 3
    page = client.get(f"/check/{token}/result/")
    assert page.status_code == 200
    html = _html(page)
    assert "Ihr Ergebnis" in html
    assert "von 100 Punkten" in html
    assert 'data-band="basic"' in html
    assert 'id="check-chart-data"' in html
    assert "chart.umd.min.js" in html
    assert html.count('data-testid="check-suggestion"') == 3
    assert "Projekt starten" in html
    assert "Vollständigen Bericht erhalten" in html
    assert "Kompetenzzentrum Hagen" in html  # the share is offered
    assert f"/check/{token}/print/" in html
    assert "Check löschen" in html


def test_the_result_in_english(client: Client) -> None:
    _response, token = _public(answers=best_answers(), submit=True)
    html = _html(client.get(f"/check/{token}/result/", **EN))
    assert "Your result" in html
    assert "Get the full report" in html
    assert "Share with" not in html  # no programme: nobody to share with


def test_the_address_opens_the_full_report_and_sends_its_link(client: Client) -> None:
    response, token = _public(ProgrammeFactory(), answers=worst_answers(), submit=True)
    with_address = client.post(
        f"/check/{token}/contact/", {"email": "petra@baeckerei.example", "consent": "on"}
    )
    assert with_address["Location"] == f"/check/{token}/result/"
    response.refresh_from_db()
    assert response.email == "petra@baeckerei.example"
    assert response.consent_at is not None
    assert response.share_consent_at is None
    page = client.get(f"/check/{token}/result/")
    html = _html(page)
    assert 'data-full="true"' in html
    assert html.count('data-testid="check-suggestion"') == len(response.recommendations)
    assert "Vollständigen Bericht erhalten" not in html


def test_the_address_needs_the_consent(client: Client) -> None:
    response, token = _public(answers=best_answers(), submit=True)
    refused = client.post(f"/check/{token}/contact/", {"email": "petra@baeckerei.example"})
    assert refused.status_code == 400
    assert "errorlist" in _html(refused)
    response.refresh_from_db()
    assert response.email == "" and response.consent_at is None
    bad = client.post(f"/check/{token}/contact/", {"email": "no address", "consent": "on"})
    assert bad.status_code == 400
    assert mail.outbox == []


def test_sharing_needs_company_name_and_postcode(client: Client) -> None:
    response, token = _public(ProgrammeFactory(), answers=best_answers(), submit=True)
    refused = client.post(
        f"/check/{token}/contact/",
        {"email": "petra@baeckerei.example", "consent": "on", "share_with_programme": "on"},
    )
    assert refused.status_code == 400
    response.refresh_from_db()
    assert response.consent_at is None


def test_the_confirm_link_asks_and_only_the_button_confirms(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    programme = ProgrammeFactory(name="Kompetenzzentrum Hagen")
    response, token = _public(programme, answers=best_answers(), submit=True)
    client.post(
        f"/check/{token}/contact/",
        {
            "email": "petra@baeckerei.example",
            "consent": "on",
            "share_with_programme": "on",
            "company_name": "Bäckerei Neu",
            "postcode": "58095",
        },
    )
    response.refresh_from_db()
    assert response.share_consent_at is not None
    proof = check_email_proof(response)
    page = client.get(f"/check/{token}/confirm/?proof={proof}")
    assert page.status_code == 200
    assert "Kompetenzzentrum Hagen" in _html(page)
    response.refresh_from_db()
    assert response.email_confirmed_at is None  # opening the link confirms nothing
    wrong = client.post(f"/check/{token}/confirm/", {"proof": "x" * 32, "answer": "yes"})
    assert wrong.status_code == 302
    response.refresh_from_db()
    assert response.email_confirmed_at is None
    with django_capture_on_commit_callbacks(execute=True):
        yes = client.post(f"/check/{token}/confirm/", {"proof": proof, "answer": "yes"})
    assert yes["Location"] == f"/check/{token}/result/"
    response.refresh_from_db()
    assert response.email_confirmed_at is not None
    assert response.share_consent_at is not None


def test_no_on_the_confirm_page_withdraws_the_share(client: Client) -> None:
    response, token = _public(ProgrammeFactory(), answers=best_answers(), submit=True)
    client.post(
        f"/check/{token}/contact/",
        {
            "email": "petra@baeckerei.example",
            "consent": "on",
            "share_with_programme": "on",
            "company_name": "Bäckerei Neu",
            "postcode": "58095",
        },
    )
    response.refresh_from_db()
    proof = check_email_proof(response)
    client.post(f"/check/{token}/confirm/", {"proof": proof, "answer": "no"})
    response.refresh_from_db()
    assert response.share_consent_at is None


def test_print_is_the_report_without_navigation(client: Client) -> None:
    _response, token = _public(answers=best_answers(), submit=True)
    page = client.get(f"/check/{token}/print/")
    assert page.status_code == 200
    html = _html(page)
    assert "Drucken / als PDF speichern" in html
    assert "check.js" in html
    assert 'class="main-nav"' not in html


def test_delete_asks_then_deletes(client: Client) -> None:
    programme = ProgrammeFactory(slug="kz-hagen")
    response, token = _public(programme, answers=best_answers(), submit=True)
    ask = client.get(f"/check/{token}/delete/")
    assert ask.status_code == 200
    assert CheckResponse.objects.filter(pk=response.pk).exists()
    gone = client.post(f"/check/{token}/delete/")
    assert gone["Location"] == "/p/kz-hagen/"
    assert not CheckResponse.objects.filter(pk=response.pk).exists()
    assert client.get(f"/check/{token}/result/").status_code == 404


def test_posts_need_the_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    response, token = _public()
    assert client.post(f"/check/{token}/step/1/", best_post(1)).status_code == 403
    assert client.post("/check/").status_code == 403
    response.refresh_from_db()
    assert response.answers == {}


# --- from the anonymous result to a project --------------------------------------------------


def test_start_project_needs_a_sign_in_and_comes_back(client: Client) -> None:
    _response, token = _public(answers=worst_answers(), submit=True)
    page = client.get(f"/check/{token}/projects/website/")
    assert page.status_code == 302
    assert page["Location"].startswith("/login/?next=")
    assert f"check/{token}/projects/website/" in page["Location"]


def test_without_a_company_one_is_created_first(client: Client) -> None:
    _response, token = _public(answers=worst_answers(), submit=True)
    client.force_login(UserFactory())
    page = client.get(f"/check/{token}/projects/website/")
    assert page.status_code == 200
    assert "/companies/new/?next=" in _html(page)
    assert "Unternehmen anlegen" in _html(page)


def test_start_project_files_the_check_and_creates_the_project(client: Client) -> None:
    response, token = _public(answers=worst_answers(), submit=True)
    category = response.recommendations[0]["category"]
    user = UserFactory()
    company = CompanyFactory(name="Bäckerei Neu")
    CompanyMemberFactory(company=company, user=user, role="owner")
    client.force_login(user)
    page = client.get(f"/check/{token}/projects/{category}/")
    assert page.status_code == 200
    assert "Bäckerei Neu" in _html(page)
    started = client.post(f"/check/{token}/projects/{category}/", {"company": company.pk})
    project = Project.objects.get(company=company)
    assert started["Location"] == f"/projects/{project.pk}/"
    assert project.milestones.count() >= 1
    response.refresh_from_db()
    assert response.company == company
    assert response.respondent == user
    # The token keeps working for the result.
    assert client.get(f"/check/{token}/result/").status_code == 200


def test_start_project_refuses_another_persons_company_and_unknown_categories(
    client: Client,
) -> None:
    response, token = _public(answers=worst_answers(), submit=True)
    user = UserFactory()
    CompanyMemberFactory(company=CompanyFactory(), user=user, role="owner")
    someone_elses = CompanyFactory()
    client.force_login(user)
    refused = client.post(f"/check/{token}/projects/website/", {"company": someone_elses.pk})
    assert refused.status_code == 400
    assert client.get(f"/check/{token}/projects/nonsense/").status_code == 404
    response.refresh_from_db()
    assert response.company is None
    assert not Project.objects.exists()


# --- a company's check -----------------------------------------------------------------------


def test_a_member_answers_the_company_check(client: Client, programme_world) -> None:
    world = programme_world
    draft = world.draft_check
    client.force_login(draft.respondent)
    page = client.get(f"/checks/{draft.pk}/step/1/")
    assert page.status_code == 200
    assert "Schritt 1 von 6" in _html(page)
    assert client.get(f"/checks/{draft.pk}/step/0/")["Location"] == f"/checks/{draft.pk}/step/1/"
    moved = client.post(f"/checks/{draft.pk}/step/1/", best_post(1))
    assert moved["Location"] == f"/checks/{draft.pk}/step/2/"
    for step in range(2, STEPS + 1):
        client.post(f"/checks/{draft.pk}/step/{step}/", {**best_post(step), "go": "submit"})
    draft.refresh_from_db()
    assert draft.is_submitted
    result = client.get(f"/checks/{draft.pk}/result/")
    assert result.status_code == 200
    assert "Ihr Ergebnis" in _html(result)


def test_other_companies_checks_are_404(client: Client, programme_world) -> None:
    client.force_login(programme_world.draft_check.respondent)
    other = programme_world.other_check
    for path in ("step/1/", "result/", "print/"):
        assert client.get(f"/checks/{other.pk}/{path}").status_code == 404
    assert client.post(f"/checks/{other.pk}/projects/website/").status_code == 404
    assert client.get("/checks/99999999/result/").status_code == 404
    assert not Project.objects.filter(company=other.company).exists()


def test_a_company_check_needs_a_sign_in(client: Client, programme_world) -> None:
    page = client.get(f"/checks/{programme_world.check.pk}/result/")
    assert page.status_code == 302
    assert page["Location"].startswith("/login/")


def test_the_company_result_has_the_comparison_and_a_project_button(
    client: Client, programme_world
) -> None:
    check = programme_world.check
    client.force_login(check.respondent)
    page = client.get(f"/checks/{check.pk}/result/")
    assert page.status_code == 200
    assert page.context["comparison"]["scores"] == check.scores["dimensions"]
    assert "Projekt starten" in _html(page)
    assert f'action="/checks/{check.pk}/projects/' in _html(page)
    # A submitted check's steps go to the result.
    assert client.get(f"/checks/{check.pk}/step/2/")["Location"] == f"/checks/{check.pk}/result/"


def test_a_member_starts_a_project_from_the_company_result(client: Client, programme_world) -> None:
    check = programme_world.check
    client.force_login(check.respondent)
    started = client.post(f"/checks/{check.pk}/projects/website/")
    project = Project.objects.get(company=check.company, category="website")
    assert started["Location"] == f"/projects/{project.pk}/"
    assert project.milestones.count() >= 1
    assert client.post(f"/checks/{check.pk}/projects/nonsense/").status_code == 404


def test_token_of_a_company_check_does_not_exist(programme_world) -> None:
    # The company's checks are not reachable by any token.
    assert programme_world.check.token_hash is None
    assert check_token_of(programme_world.public_check) == programme_world.public_check_token


def test_the_full_report_explains_each_area(client: Client) -> None:
    from checks.scoring import dimension_meaning

    response, token = _public(answers=worst_answers(), submit=True)
    questionnaire = questionnaire_load()
    meaning = dimension_meaning(
        questionnaire, "strategy", response.scores["dimensions"]["strategy"], "de"
    )
    assert meaning
    assert meaning not in _html(client.get(f"/check/{token}/result/"))
    client.post(f"/check/{token}/contact/", {"email": "petra@baeckerei.example", "consent": "on"})
    assert meaning in _html(client.get(f"/check/{token}/result/"))
    assert meaning in _html(client.get(f"/check/{token}/print/"))


def test_a_facilitator_reads_the_result_but_neither_answers_nor_starts_projects(
    client: Client, programme_world, world
) -> None:
    client.force_login(world.facilitator)
    check = programme_world.check
    page = client.get(f"/checks/{check.pk}/result/")
    assert page.status_code == 200
    assert "Projekt starten" not in _html(page)
    assert client.post(f"/checks/{check.pk}/projects/website/").status_code == 404
    assert client.get(f"/checks/{programme_world.draft_check.pk}/step/1/").status_code == 404
    assert not Project.objects.filter(company=check.company).exists()


def _result_queries(client: Client, check) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/checks/{check.pk}/result/").status_code == 200
    return len(queries)


def test_the_company_result_costs_the_same_queries_however_big_the_convoy(
    client: Client, programme_world, world
) -> None:
    from tests.factories import CheckResponseFactory, populate_convoy

    check = programme_world.check
    client.force_login(check.respondent)

    def grow(n: int) -> None:
        for company in populate_convoy(world.convoy, companies=n, projects_per_company=0):
            CheckResponseFactory(
                submitted=True, company=company, programme=check.programme, convoy=world.convoy
            )

    grow(4)
    _result_queries(client, check)  # the session's first request does a little more
    small = _result_queries(client, check)
    grow(8)
    assert _result_queries(client, check) == small
