"""The check's pages for a newcomer on a phone: the error summary at the top of a form (with
its focus target and the anchor the form posts to), resuming at the first open question,
"x of y questions answered", the header of a company's and an advisor-assisted check, the
hand-off from "Start project" to log-in, sign-up and a pre-filled company form (only from the
check the token opens), and no tick instruction said twice."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from checks.models import CheckResponse
from checks.questionnaire import questionnaire_load
from checks.services import check_answers_save, check_start, check_submit, public_check_start
from frontend.check_forms import NOTHING
from tests.checks.test_pages import best_answers, best_post
from tests.factories import CompanyFactory, CompanyMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def _public(**fields):
    response, token = public_check_start(programme=None, language="de")
    if fields:
        CheckResponse.objects.filter(pk=response.pk).update(**fields)
        response.refresh_from_db()
    return response, token


def _step_url(token, step):
    return reverse("frontend:check_public_step", kwargs={"token": token, "step": step})


def _multi_question(step=1):
    dimension = questionnaire_load().dimensions[step - 1]
    return next(q for q in dimension.questions if q.type == "multi")


# --- 1. the error summary ---------------------------------------------------------------------


def test_a_step_with_errors_shows_a_summary_at_the_top_linking_to_the_question():
    _response, token = _public()
    question = _multi_question()
    data = best_post(1)
    data[question.key] = [question.options[0].key, NOTHING]
    page = Client().post(_step_url(token, 1), {**data, "go": "next"}, **EN)
    html = page.content.decode()
    assert page.status_code == 400
    summary = html.index('data-testid="check-error-summary"')
    assert summary < html.index('data-testid="check-step-form"')
    assert 'id="check-errors" role="alert" tabindex="-1"' in html
    assert f'href="#check-q-{question.key}"' in html
    assert f'id="check-q-{question.key}"' in html
    assert "not both" in html
    # Without scripts the reloaded page opens at the summary.
    assert 'action="#check-errors"' in html


def test_a_step_without_errors_has_no_summary():
    _response, token = _public()
    html = Client().get(_step_url(token, 1)).content.decode()
    assert 'data-testid="check-error-summary"' not in html
    assert "data-check-ticklist" in html  # check.js makes "None of these" exclusive
    assert "frontend/check.js" in html


def test_the_contact_form_with_errors_shows_a_summary_linking_to_the_fields():
    response, token = _public()
    check_answers_save(response=response, answers=best_answers())
    check_submit(response=response)
    url = reverse("frontend:check_public_contact", kwargs={"token": token})
    page = Client().post(url, {"email": "not-an-address"}, **EN)
    html = page.content.decode()
    assert page.status_code == 400
    assert 'data-testid="check-error-summary"' in html
    assert 'href="#id_email"' in html and 'href="#id_consent"' in html
    assert "E-mail address:" in html
    assert "#check-errors" in html


# --- 3. resume, open areas, answered count ---------------------------------------------------


def test_resume_goes_to_the_first_area_with_an_open_question_and_welcomes_back():
    response, token = _public()
    answers = best_answers()
    first = questionnaire_load().dimensions[0]
    # Area 1 half answered, area 2 fully: resume lands on area 1, not on area 3.
    for q in first.questions[1:]:
        answers.pop(q.key)
    check_answers_save(response=response, answers=answers)
    client = Client()
    page = client.get(reverse("frontend:check_public", kwargs={"token": token}), **EN)
    assert page["Location"] == _step_url(token, 1)
    html = client.get(page["Location"], **EN).content.decode()
    assert "Welcome back" in html


def test_a_fresh_check_resumes_at_the_start_without_welcome():
    _response, token = _public()
    client = Client()
    page = client.get(reverse("frontend:check_public", kwargs={"token": token}), **EN)
    assert page["Location"] == _step_url(token, 0)
    assert "Welcome back" not in client.get(page["Location"], **EN).content.decode()


def test_a_statement_answered_no_answer_is_not_open():
    response, token = _public()
    answers = best_answers()
    agree = next(q for q in questionnaire_load().questions() if q.type == "agree_1_5")
    answers[agree.key] = None
    check_answers_save(response=response, answers=answers)
    page = Client().get(reverse("frontend:check_public", kwargs={"token": token}))
    assert page["Location"] == _step_url(token, 6)


def test_the_last_step_lists_the_areas_with_open_questions_and_goes_there_saving():
    response, token = _public()
    answers = best_answers()
    dimensions = questionnaire_load().dimensions
    answers.pop(dimensions[2].questions[0].key)
    check_answers_save(response=response, answers=answers)
    client = Client()
    html = client.get(_step_url(token, 6), **EN).content.decode()
    assert 'data-testid="check-open-areas"' in html
    assert 'value="step-3"' in html and "1 open question" in html
    assert 'value="step-1"' not in html
    page = client.post(_step_url(token, 6), {**best_post(6), "go": "step-3"})
    assert page["Location"] == _step_url(token, 3)


def test_the_result_says_how_many_questions_were_answered():
    response, token = _public()
    answers = best_answers()
    total = len(questionnaire_load().questions())
    left_out = 0
    for dimension in questionnaire_load().dimensions:
        if len(dimension.questions) > 1:
            answers.pop(dimension.questions[-1].key)
            left_out += 1
    check_answers_save(response=response, answers=answers)
    check_submit(response=response)
    url = reverse("frontend:check_public_result", kwargs={"token": token})
    html = Client().get(url, **EN).content.decode()
    assert left_out
    assert f"{total - left_out} of {total} questions answered." in html
    assert "Unanswered questions are left out of the score." in html


# --- 4. the header of a company's and an advisor-assisted check ------------------------------


def test_a_company_check_names_the_company_and_the_advisor(programme_world):
    pw = programme_world
    check = check_start(
        actor=pw.coach, company=pw.record.company, programme=pw.programme, advisor_assisted=True
    )
    client = Client()
    client.force_login(pw.coach)
    url = reverse("frontend:check_step", kwargs={"check_id": check.pk, "step": 1})
    html = client.get(url, **EN).content.decode()
    assert 'data-testid="check-for"' in html
    assert f"<strong>{pw.record.company.name}</strong>, together with Conrad Coach" in html


def test_a_members_check_names_the_company_only():
    company = CompanyFactory(name="Bäckerei Sonne")
    member = UserFactory()
    CompanyMemberFactory(company=company, user=member, role="owner")
    check = check_start(actor=member, company=company)
    client = Client()
    client.force_login(member)
    url = reverse("frontend:check_step", kwargs={"check_id": check.pk, "step": 1})
    html = client.get(url, **EN).content.decode()
    assert "For <strong>Bäckerei Sonne</strong>" in html
    assert "together with" not in html


# --- 2. from "Start project" to an account and a pre-filled company -------------------------


def _project_path(token):
    return reverse("frontend:check_public_project", kwargs={"token": token, "category": "website"})


def test_login_and_signup_say_the_result_is_carried_over():
    _response, token = _public()
    nxt = _project_path(token)
    login = Client().get(reverse("frontend:login"), {"next": nxt}, **EN).content.decode()
    assert 'data-testid="check-handoff"' in login
    assert "your result and the suggestion are carried over" in login
    assert login.index('data-testid="check-handoff-signup"') < login.index("login-form")
    signup = Client().get(reverse("frontend:signup"), {"next": nxt}, **EN).content.decode()
    assert 'data-testid="check-handoff"' in signup
    plain = Client().get(reverse("frontend:login"), {"next": "/"}, **EN).content.decode()
    assert 'data-testid="check-handoff"' not in plain


def test_the_company_form_takes_over_what_the_check_knows():
    _response, token = _public(company_name="Bäckerei Sonne", sector="craft", size="2-9")
    user = UserFactory()
    client = Client()
    client.force_login(user)
    page = client.get(reverse("frontend:company_create"), {"next": _project_path(token)})
    form = page.context["form"]
    assert form.initial == {"name": "Bäckerei Sonne", "sector": "craft", "size": "2-9"}
    assert 'value="Bäckerei Sonne"' in page.content.decode()
    assert 'data-testid="company-from-check"' in page.content.decode()


def test_the_company_form_takes_nothing_from_a_wrong_or_filed_check():
    _response, token = _public(company_name="Bäckerei Sonne", sector="craft")
    user = UserFactory()
    client = Client()
    client.force_login(user)
    url = reverse("frontend:company_create")
    wrong = "0" * 64
    assert client.get(url, {"next": _project_path(wrong)}).context["form"].initial == {}
    # Another page's address carries no check.
    assert client.get(url, {"next": "/check/" + token + "/"}).context["form"].initial == {}
    _filed, filed_token = _public(company_name="Schreinerei Holz", company=CompanyFactory())
    page = client.get(url, {"next": _project_path(filed_token)})
    assert page.context["form"].initial == {}


def test_the_check_company_initial_selector_opens_only_its_own_check():
    from checks.selectors import check_company_initial

    _a, token_a = _public(company_name="A GmbH", postcode="12345")
    _b, token_b = _public(company_name="B GmbH")
    assert check_company_initial(token=token_a) == {"name": "A GmbH"}
    assert check_company_initial(token=token_b) == {"name": "B GmbH"}
    assert check_company_initial(token="") == {}
    assert check_company_initial(token="f" * 64) == {}


# --- 6. no instruction said twice -----------------------------------------------------------


def test_a_tick_list_whose_text_says_to_tick_gets_no_second_hint():
    _response, token = _public()
    html = Client().get(_step_url(token, 1)).content.decode()
    question = _multi_question(1)
    assert "Kreuzen Sie alles an" in question.text["de"]
    assert html.count("Kreuzen Sie alles an") == 1
