"""The check's API as the contract: the whole anonymous flow, 404 for outsiders and wrong
tokens, 409 after submit, field errors (never a 500), the e-mail in both languages."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from checks.models import CheckResponse
from checks.questionnaire import questionnaire_load
from programmes.models import Touch


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def one_answer_each() -> dict:
    """An answer to the first question of every dimension (multi: nothing ticked)."""
    answers = {}
    for dimension in questionnaire_load().dimensions:
        question = dimension.questions[0]
        if question.type == "multi":
            answers[question.key] = []
        elif question.type == "agree_1_5":
            answers[question.key] = 3
        else:
            value = {"already_planned": "planned", "scale_0_5": 2, "no_partly_yes": "partly"}
            answers[question.key] = {question.rows[0].key: value[question.type]}
    return answers


def _client(user=None, language="de") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize("language", ["de", "en"])
def test_anonymous_flow(programme_world, django_capture_on_commit_callbacks, language):
    client = _client(language=language)
    started = client.post(
        "/api/v1/public/checks/",
        {"programme": programme_world.programme.slug, "sector": "craft", "size": "2-9"},
        format="json",
    )
    assert started.status_code == 201, started.content
    token = started.json()["token"]
    base = f"/api/v1/public/checks/{token}/"
    saved = client.put(f"{base}answers/", {"answers": one_answer_each()}, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.json()["progress"]["areas_answered"] == 6
    result = client.post(f"{base}submit/")
    assert result.status_code == 200, result.content
    body = result.json()
    assert body["status"] == "submitted" and body["full"] is False
    assert len(body["recommendations"]) <= 3
    assert client.post(f"{base}submit/").status_code == 409
    assert client.put(f"{base}answers/", {"answers": {}}, format="json").status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        contact = client.post(
            f"{base}contact/",
            {
                "email": "bea@example.com",
                "consent": True,
                "share_with_programme": True,
                "name": "Bea <b>Bäcker</b>",
                "company_name": "Bäckerei Korn",
                "postcode": "58095",
            },
            format="json",
        )
    assert contact.status_code == 200, contact.content
    assert contact.json()["full"] is True
    assert "Bäcker" not in str(contact.json())  # typed text is never answered back
    (message,) = mail.outbox
    with translation.override(language):
        # German once the lead merged /tmp/konvoi-i18n/B.po ("Ihr Ergebnis des …").
        assert message.subject == gettext("Your Digitalisierungs-Check result")
    html = message.alternatives[0][0]
    for part in (message.body, html):
        assert token in part
        assert "Bäcker" not in part and "Korn" not in part
    proof = re.search(r"confirm/\?proof=([0-9a-f]+)", message.body).group(1)
    response = CheckResponse.objects.get(email="bea@example.com")
    assert not Touch.objects.filter(source=f"check:{response.pk}").exists()
    assert (
        client.post(f"{base}confirm/", {"proof": "x", "accept": True}, format="json").status_code
        == 400
    )
    confirmed = client.post(f"{base}confirm/", {"proof": proof, "accept": True}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["shared"] is True
    assert Touch.objects.filter(source=f"check:{response.pk}").exists()
    assert client.delete(base).status_code == 204
    assert client.get(base).status_code == 404


@pytest.mark.parametrize("token", ["nope", "0" * 64, "A" * 64, "%00"])
def test_wrong_tokens_are_404(db, token):
    client = _client()
    assert client.get(f"/api/v1/public/checks/{token}/").status_code == 404
    assert client.post(f"/api/v1/public/checks/{token}/submit/").status_code == 404


def test_public_start_bad_input_and_limit(db, settings):
    settings.CHECKS_STARTED_PER_HOUR = 1
    client = _client(language="en")
    bad = client.post(
        "/api/v1/public/checks/", {"programme": "no-such", "size": "x"}, format="json"
    )
    assert bad.status_code == 400 and "size" in bad.json()
    bad = client.post("/api/v1/public/checks/", {"programme": "no-such"}, format="json")
    assert bad.status_code == 400 and "programme" in bad.json()
    assert client.post("/api/v1/public/checks/", {}, format="json").status_code == 201
    limited = client.post("/api/v1/public/checks/", {}, format="json")
    assert limited.status_code == 429 and "network" in limited.json()["detail"]


def test_bad_answers_name_the_question(programme_world, world):
    client = _client(world.member)
    url = f"/api/v1/checks/{programme_world.draft_check.pk}/answers/"
    for body in (
        {"answers": {"no_such_question": 1}},
        {"answers": "x"},
        {},
        {"answers": {"a": [[[]]]}},
    ):
        response = client.put(url, body, format="json")
        assert response.status_code == 400, (body, response.content)


def test_company_check_flow(programme_world, world):
    client = _client(world.member)
    started = client.post(
        "/api/v1/checks/", {"company": world.company.pk, "stage": "T1"}, format="json"
    )
    assert started.status_code == 201, started.content
    check_id = started.json()["id"]
    assert (
        client.put(
            f"/api/v1/checks/{check_id}/answers/", {"answers": one_answer_each()}, format="json"
        ).status_code
        == 200
    )
    submitted = client.post(f"/api/v1/checks/{check_id}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert set(submitted.json()) == {"scores", "recommendations"}
    assert client.post(f"/api/v1/checks/{check_id}/submit/").status_code == 409
    history = client.get(f"/api/v1/companies/{world.company.pk}/checks/")
    assert history.status_code == 200 and history.json()["count"] == 2
    maturity = _client(world.facilitator).get(f"/api/v1/convoys/{world.convoy.pk}/maturity/")
    assert maturity.json() == {
        "companies_submitted": 1,
        "median": None,
        "excludes_own_company": False,
    }


@pytest.mark.parametrize("who", ["outsider", "other_member", "staff"])
def test_outsiders_get_404(programme_world, world, who):
    client = _client(getattr(world, who))
    check = programme_world.check
    assert client.get(f"/api/v1/checks/{check.pk}/").status_code == 404
    assert (
        client.put(
            f"/api/v1/checks/{programme_world.draft_check.pk}/answers/",
            {"answers": {}},
            format="json",
        ).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/checks/{programme_world.draft_check.pk}/submit/").status_code == 404
    )
    assert client.get(f"/api/v1/companies/{world.company.pk}/checks/").status_code == 404
    assert client.get(f"/api/v1/convoys/{world.convoy.pk}/maturity/").status_code == 404
    assert (
        client.post("/api/v1/checks/", {"company": world.company.pk}, format="json").status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/checks/{check.pk}/projects/", {"category": "website"}, format="json"
        ).status_code
        == 404
    )


def test_questionnaire_in_english(db):
    response = _client(language="en").get("/api/v1/check/questionnaire/")
    assert response.status_code == 200
    assert next(d["key"] for d in response.json()["dimensions"]) == "strategy"
