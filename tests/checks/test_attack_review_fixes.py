"""Fixes of the attacker review of the anonymous check: a confirmed share never lands on a
register entry that was there (F3), unknown answer keys are counted, never echoed (F5),
erasure leaves no personal data on checks (F6), report e-mails are limited per address and
per client, and a check filed under a company is no longer deleted by its link (F7)."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from checks import services
from checks.keys import check_by_token, check_email_proof, check_token_of
from checks.models import CheckResponse
from checks.questionnaire import answers_clean, questionnaire_load
from checks.selectors import programme_record_checks
from companies.models import Company
from privacy.erasure import account_delete, company_delete
from programmes.models import CompanyRecord, Touch
from programmes.selectors import duplicate_suggestions
from programmes.services import company_records_merge
from tests.factories import CheckResponseFactory, PublicCheckFactory, UserFactory

SURROGATE_KEY_BODY = b'{"answers": {"\\ud800": 1}}'


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _submitted_public(programme, **fields):
    return PublicCheckFactory(
        submitted=True, programme=programme, sector="craft", size="1", **fields
    )


def _share(response, *, name: str, postcode: str, email: str = "mallory@evil.example"):
    services.public_check_contact(
        response=response,
        email=email,
        consent=True,
        share_with_programme=True,
        contact_name="Mallory",
        company_name=name,
        postcode=postcode,
    )
    services.public_check_email_confirm(
        response=response, proof=check_email_proof(response), accept=True
    )


# --- F3: a share never merges into an existing register entry -------------------------------


def test_confirmed_share_makes_a_new_self_reported_entry_and_leaves_the_existing_one(
    programme_world, world
):
    programme = programme_world.programme
    world.company.postcode = "58097"
    world.company.save()
    existing = programme_world.record
    CompanyRecord.objects.filter(pk=existing.pk).update(contact_name="", contact_email="")
    companies = Company.objects.count()
    response = _submitted_public(programme)
    with translation.override("en"):
        _share(response, name=f"  {world.company.name.upper()} ", postcode="58097")

    # A new company without accounts, not the existing one.
    assert Company.objects.count() == companies + 1
    touch = Touch.objects.get(source=f"check:{response.pk}")
    assert touch.company != world.company
    assert touch.label == "self_reported"  # the reader's language: checks.check_touch_text
    assert not touch.company.members.exists()
    new = CompanyRecord.objects.get(programme=programme, company=touch.company)
    assert new.contact_email == "mallory@evil.example"
    # The existing entry's contact fields stay as they were (empty), and it shows no check.
    existing.refresh_from_db()
    assert existing.contact_email == "" and existing.contact_name == ""
    assert response not in programme_record_checks(programme=programme, company=world.company)
    # Staff see the pair as a duplicate suggestion and may merge it.
    pairs = duplicate_suggestions(programme=programme, record=existing)
    assert any(
        {p.first.pk, p.second.pk} == {existing.pk, new.pk} and p.reason == "name_postcode"
        for p in pairs
    )
    company_records_merge(
        programme=programme, keep=existing, duplicate=new, by=programme_world.manager
    )
    assert response in programme_record_checks(programme=programme, company=world.company)


def test_confirming_again_reuses_the_entry_it_made(programme_world):
    programme = programme_world.programme
    response = _submitted_public(programme)
    _share(response, name="Friseur Schnitt", postcode="58095")
    companies = Company.objects.count()
    services.public_check_email_confirm(
        response=response, proof=check_email_proof(response), accept=True
    )
    assert Company.objects.count() == companies
    assert Touch.objects.filter(source=f"check:{response.pk}").count() == 1


def test_record_page_says_the_check_is_self_reported(programme_world, client):
    programme = programme_world.programme
    response = _submitted_public(programme)
    _share(response, name="Friseur Schnitt", postcode="58095")
    record = CompanyRecord.objects.get(
        programme=programme, company=Touch.objects.get(source=f"check:{response.pk}").company
    )
    client.force_login(programme_world.coach)
    page = client.get(
        reverse("frontend:programme_record", args=[programme.pk, record.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "self-reported by someone without an account" in html
    assert "shared by the company" not in html


# --- F5: unknown answer keys are counted, never echoed ---------------------------------------


def test_answers_clean_counts_unknown_keys_without_echoing_them():
    questionnaire = questionnaire_load()
    with translation.override("en"), pytest.raises(ValidationError) as info:
        answers_clean(questionnaire, {"\ud800": 1, "<b>x</b>": 2})
    assert info.value.message_dict == {
        "answers": ["2 answers are to questions this check does not have."]
    }


@pytest.mark.parametrize("who", ["company", "public"])
def test_a_surrogate_answer_key_is_a_400_not_a_500(programme_world, world, who):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if who == "company":
        client.force_authenticate(world.member)
        url = f"/api/v1/checks/{programme_world.draft_check.pk}/answers/"
        check = programme_world.draft_check
    else:
        check = PublicCheckFactory(programme=programme_world.programme)
        url = f"/api/v1/public/checks/{check_token_of(check)}/answers/"
    before = dict(CheckResponse.objects.get(pk=check.pk).answers or {})
    answer = client.put(url, data=SURROGATE_KEY_BODY, content_type="application/json")
    assert answer.status_code == 400, answer.content
    assert answer.json() == {"answers": ["1 answer is to a question this check does not have."]}
    assert CheckResponse.objects.get(pk=check.pk).answers == before


# --- F6: erasure leaves no personal data on checks ------------------------------------------


def test_company_erasure_blanks_its_checks_and_their_links(world):
    check = PublicCheckFactory(
        submitted=True,
        email="bea@example.com",
        contact_name="Bea",
        company_name="Bäckerei Korn",
        postcode="58095",
    )
    token = check_token_of(check)
    CheckResponse.objects.filter(pk=check.pk).update(company=world.company)
    company_delete(world.company, actor=world.owner)
    check.refresh_from_db()
    assert (check.email, check.contact_name, check.company_name, check.postcode) == ("",) * 4
    assert check.token_hash is None and check.token_nonce == ""
    assert check_by_token(token=token) is None
    assert check.scores is not None  # the figures stay


def test_account_erasure_blanks_their_checks(db):
    person = UserFactory(email="petra@example.com")
    taken = CheckResponseFactory(submitted=True, respondent=person)
    anonymous = PublicCheckFactory(
        submitted=True, email="PETRA@Example.com", contact_name="Petra", company_name="Korn"
    )
    someone_else = PublicCheckFactory(submitted=True, email="other@example.com")
    account_delete(person, actor=person)
    taken.refresh_from_db()
    anonymous.refresh_from_db()
    someone_else.refresh_from_db()
    assert taken.respondent_id is None
    assert anonymous.email == "" and anonymous.contact_name == ""
    assert someone_else.email == "other@example.com"
    assert not CheckResponse.objects.filter(respondent=person).exists()


# --- F7: limits per address and per client; a claimed check is the company's ----------------


def test_report_mails_are_limited_per_address(
    programme_world, settings, django_capture_on_commit_callbacks
):
    settings.CHECK_REPORT_MAILS_PER_ADDRESS_PER_DAY = 2
    checks = [_submitted_public(programme_world.programme) for _n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        for check, email in zip(checks[:2], ["victim@example.org", "Victim@Example.org"]):
            services.public_check_contact(response=check, email=email, consent=True)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.CheckLimited):
        services.public_check_contact(response=checks[2], email="victim@example.org", consent=True)
    assert len(mail.outbox) == 2
    # The address is saved and the report open; only the e-mail was not sent.
    stored = CheckResponse.objects.get(pk=checks[2].pk)
    assert stored.email == "victim@example.org" and stored.consent_at is not None


def test_contacts_are_limited_per_client_in_the_api(
    programme_world, settings, django_capture_on_commit_callbacks
):
    settings.CHECK_CONTACTS_PER_CLIENT_PER_HOUR = 2
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.9")
    tokens = [check_token_of(_submitted_public(programme_world.programme)) for _n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post(
                f"/api/v1/public/checks/{token}/contact/",
                {"email": f"person{i}@example.org", "consent": True},
                format="json",
            )
            for i, token in enumerate(tokens)
        ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "no further one" in answers[2].json()["detail"]
    assert len(mail.outbox) == 2
    assert client.get(f"/api/v1/public/checks/{tokens[2]}/").json()["full"] is True


def test_contact_page_limited_shows_the_report_and_says_why(programme_world, client, settings):
    settings.CHECK_REPORT_MAILS_PER_ADDRESS_PER_DAY = 0
    check = _submitted_public(programme_world.programme)
    token = check_token_of(check)
    page = client.post(
        f"/check/{token}/contact/",
        {"email": "victim@example.org", "consent": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 429
    assert "no further one" in page.content.decode()
    assert CheckResponse.objects.get(pk=check.pk).consent_at is not None


def test_a_claimed_check_is_not_deleted_by_its_link(programme_world, world, client):
    check = _submitted_public(programme_world.programme)
    token = check_token_of(check)
    services.public_check_claim(response=check, actor=world.member, company=world.company)
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    refused = api.delete(f"/api/v1/public/checks/{token}/")
    assert refused.status_code == 409
    assert "delete it there" in refused.json()["detail"]
    assert CheckResponse.objects.filter(pk=check.pk).exists()
    # The pages: no delete link, and the delete page refuses.
    result = client.get(f"/check/{token}/result/", HTTP_ACCEPT_LANGUAGE="en")
    assert result.status_code == 200
    assert 'data-testid="check-delete-link"' not in result.content.decode()
    for method in (client.get, client.post):
        answer = method(f"/check/{token}/delete/")
        assert answer.status_code == 302 and answer["Location"].endswith("/result/")
    assert CheckResponse.objects.filter(pk=check.pk).exists()


def test_an_unclaimed_check_still_has_its_delete_link(programme_world, client):
    token = check_token_of(_submitted_public(programme_world.programme))
    result = client.get(f"/check/{token}/result/")
    assert 'data-testid="check-delete-link"' in result.content.decode()
