"""The integrator review's fixes: T0/T1/T2 once per company and programme (an open draft is
resumed, a submitted one refuses the stage), register touch labels in the reader's language,
the record's count of checks not shared, the API's documented shapes and error messages, and
the report e-mail in the result page's words."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from checks import services
from checks.keys import check_email_proof, check_token_of
from checks.models import CheckResponse
from checks.questionnaire import questionnaire_load
from programmes.models import Touch
from tests.checks.test_api import _client, one_answer_each
from tests.checks.test_company_pages import client_as, text
from tests.factories import PublicCheckFactory


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _record_url(pw) -> str:
    return reverse(
        "frontend:programme_record",
        kwargs={"programme_id": pw.programme.pk, "record_id": pw.record.pk},
    )


def _question(qtype: str):
    return next(q for q in questionnaire_load().questions() if q.type == qtype)


# --- 2. one T0, T1, T2 per company and programme ---------------------------------------------


def test_starting_a_stage_twice_gives_the_open_draft_back(programme_world):
    pw = programme_world
    client = _client(pw.member)
    first = client.post("/api/v1/checks/", {"company": pw.check.company_id, "stage": "T1"})
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/checks/", {"company": pw.check.company_id, "stage": "T1"})
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"]
    assert CheckResponse.objects.filter(company=pw.check.company, stage="T1").count() == 1


def test_a_submitted_stage_is_refused_naming_its_date(programme_world):
    pw = programme_world
    count = CheckResponse.objects.count()
    response = _client(pw.member, language="en").post(
        "/api/v1/checks/", {"company": pw.check.company_id, "stage": "T0"}
    )
    assert response.status_code == 400
    message = response.json()["stage"][0]
    assert "already a T0 check" in message and "Ad hoc" in message
    assert CheckResponse.objects.count() == count
    with translation.override("de"), pytest.raises(ValidationError) as exc:
        services.check_start(actor=pw.member, company=pw.check.company, stage="T0")
    # German once /tmp/konvoi-i18n/P.po is merged and compiled.
    assert exc.value.message_dict["stage"][0].startswith("Es gibt schon einen T0-Check vom ")


def test_ad_hoc_is_never_limited(programme_world):
    pw = programme_world
    client = _client(pw.member)
    ids = {
        client.post("/api/v1/checks/", {"company": pw.check.company_id}).json()["id"]
        for _ in range(2)
    }
    assert len(ids) == 2


def test_a_coach_is_not_given_the_companys_own_draft(programme_world):
    pw = programme_world
    own = services.check_start(actor=pw.member, company=pw.check.company, stage="T1")
    # The coach gets a draft of their own; the stage's uniqueness is kept at submit
    # (tests/checks/test_stage_rule_and_share_withdrawal.py).
    coachs = services.check_start(
        actor=pw.coach, company=pw.check.company, stage="T1", advisor_assisted=True
    )
    assert coachs.pk != own.pk and coachs.advisor_id == pw.coach.pk


def test_the_company_page_shows_the_refusal_on_the_stage(programme_world):
    pw = programme_world
    url = reverse("frontend:company_checks", kwargs={"company_id": pw.check.company_id})
    response = client_as(pw.member).post(url, {"stage": "T0"})
    assert response.status_code == 400
    assert "already a T0 check" in text(response)


def test_the_coachs_form_preselects_a_stage_the_company_has_not_taken(programme_world):
    pw = programme_world
    html = text(client_as(pw.coach).get(_record_url(pw)))
    # The company's T0 is not shared with the programme, yet T0 is not offered first.
    assert 'value="T1" selected' in html


# --- 1. and 3. the register ------------------------------------------------------------------


def test_touch_labels_are_words_from_the_wire_and_read_in_the_readers_language():
    assert services.check_touch_label(stage="T1") == "T1"
    assert services.check_touch_label(stage="adhoc") == ""
    assert services.check_touch_label(stage="adhoc", self_reported=True) == "self_reported"
    with translation.override("en"):
        assert services.check_touch_text("T1") == "T1: first re-assessment"
        assert "self-reported" in services.check_touch_text("self_reported")
        assert services.check_touch_text("") == ""
        # A label stored as text by an earlier version stays readable.
        old = "Digitalisierungs-Check ausgefüllt (T1: erste Wiederholung)"
        assert services.check_touch_text(old) == old


def test_the_record_translates_the_stage_of_a_check_touch(programme_world):
    pw = programme_world
    response = services.check_start(
        actor=pw.coach, company=pw.record.company, stage="T1", advisor_assisted=True
    )
    services.check_answers_save(response=response, answers=one_answer_each())
    services.check_submit(response=response)
    assert Touch.objects.get(source=f"check:{response.pk}").label == "T1"
    assert "T1: first re-assessment" in text(client_as(pw.manager, "en").get(_record_url(pw)))
    assert "T1: erste" in text(client_as(pw.manager, "de").get(_record_url(pw)))


def test_the_record_counts_checks_not_shared_without_scores(programme_world):
    pw = programme_world
    html = text(client_as(pw.coach).get(_record_url(pw)))
    assert 'data-testid="record-checks-unshared"' in html
    assert "1 check done, not shared with the programme." in html
    assert 'data-testid="record-checks-none"' not in html
    assert f'data-check="{pw.check.pk}"' not in html


# --- 4. the API for integrators --------------------------------------------------------------


def test_wrong_options_and_rows_are_named_only_when_they_look_like_keys(programme_world):
    pw = programme_world
    base = f"/api/v1/public/checks/{pw.public_check_token}/answers/"
    client = _client(language="en")
    multi = _question("multi")
    rows = next(q for q in questionnaire_load().questions() if q.rows)
    response = client.put(base, {"answers": {multi.key: ["xx"]}}, format="json")
    assert response.json() == {multi.key: ["Unknown option: xx."]}
    response = client.put(base, {"answers": {multi.key: ["<b>" * 20]}}, format="json")
    assert response.json() == {multi.key: ["Unknown option."]}
    value = {"already_planned": "none", "scale_0_5": 1, "no_partly_yes": "no"}[rows.type]
    response = client.put(base, {"answers": {rows.key: {"zz_9": value}}}, format="json")
    assert response.json() == {rows.key: ["Unknown row: zz_9."]}
    de = _client(language="de").put(base, {"answers": {multi.key: ["xx"]}}, format="json")
    assert de.json() == {multi.key: ["Unbekannte Antwort „xx“."]}


def test_an_oversized_number_is_an_error_under_its_question(programme_world):
    pw = programme_world
    question = (
        _question("agree_1_5")
        if any(q.type == "agree_1_5" for q in questionnaire_load().questions())
        else _question("multi")
    )
    body = '{"answers": {"' + question.key + '": 1e999}}'
    response = _client(language="en").put(
        f"/api/v1/public/checks/{pw.public_check_token}/answers/",
        body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {question.key}


def test_progress_counts_areas_and_questions(programme_world):
    pw = programme_world
    response = _client().put(
        f"/api/v1/public/checks/{pw.public_check_token}/answers/",
        {"answers": one_answer_each()},
        format="json",
    )
    progress = response.json()["progress"]
    assert progress["areas_answered"] == progress["areas"] == 6
    assert progress["questions_answered"] == 6
    assert progress["questions"] == len(questionnaire_load().questions())


def test_the_questionnaire_and_the_result_have_their_documented_shape(programme_world):
    pw = programme_world
    wire = _client(language="en").get("/api/v1/check/questionnaire/").json()
    assert [d["key"] for d in wire["dimensions"]] == [
        "strategy",
        "readiness",
        "human",
        "data",
        "automation",
        "green",
    ]
    question = wire["dimensions"][0]["questions"][0]
    assert {"key", "type", "text", "help"} <= set(question)
    response = services.check_start(actor=pw.member, company=pw.check.company)
    services.check_answers_save(response=response, answers=one_answer_each())
    result = _client(pw.member).post(f"/api/v1/checks/{response.pk}/submit/").json()
    assert set(result["scores"]["dimensions"]) == {
        "strategy",
        "readiness",
        "human",
        "data",
        "automation",
        "green",
    }
    assert all(
        {"category", "title", "reason", "reasons"} == set(r) for r in result["recommendations"]
    )


def test_a_second_contact_replaces_the_address(programme_world, django_capture_on_commit_callbacks):
    pw = programme_world
    check = PublicCheckFactory(submitted=True, programme=pw.programme)
    token = check_token_of(check)
    client = _client(language="en")
    for email in ("a@example.org", "b@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/api/v1/public/checks/{token}/contact/",
                {"email": email, "consent": True},
                format="json",
            )
        assert response.status_code == 200, response.content
    check.refresh_from_db()
    assert check.email == "b@example.org"
    assert check_email_proof(check)


# --- 5. the report e-mail in the result page's words -----------------------------------------


@pytest.mark.parametrize(
    ("language", "wording"),
    [("de", "von 100 Punkten · Stufe:"), ("en", "of 100 points · Level:")],
)
def test_the_report_email_words_the_score_as_the_page(
    programme_world, django_capture_on_commit_callbacks, language, wording
):
    check = PublicCheckFactory(submitted=True, programme=programme_world.programme)
    CheckResponse.objects.filter(pk=check.pk).update(language=language)
    check.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.public_check_contact(response=check, email="x@example.org", consent=True)
    assert wording in mail.outbox[-1].body
