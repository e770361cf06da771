"""The check's write path: who may start one, merging and closing, register touches only as
the rules say, the anonymous respondent's contact, confirmed share and withdrawal, claim and
erase, a project from a suggestion."""

from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from checks import services
from checks.keys import check_email_proof
from checks.models import CheckResponse
from programmes.models import CompanyRecord, Touch
from tests.factories import CheckResponseFactory, PublicCheckFactory


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def test_member_starts_with_the_convoys_programme(programme_world, world):
    response = services.check_start(actor=world.member, company=world.company, stage="T1")
    assert response.programme == programme_world.programme
    assert response.convoy == world.convoy
    assert response.respondent == world.member
    assert not response.advisor_assisted
    assert (response.sector, response.size) == (world.company.sector, world.company.size)


def test_coach_of_the_register_starts_advisor_assisted(programme_world, world):
    response = services.check_start(actor=programme_world.coach, company=world.company)
    assert response.advisor_assisted
    assert response.advisor == programme_world.coach
    assert response.programme == programme_world.programme


@pytest.mark.parametrize("who", ["outsider", "other_member", "facilitator"])
def test_others_may_not_start(programme_world, world, who):
    before = CheckResponse.objects.count()
    with pytest.raises(PermissionDenied):
        services.check_start(actor=getattr(world, who), company=world.company)
    with pytest.raises(PermissionDenied):
        services.check_start(actor=programme_world.other_coach, company=world.company)
    assert CheckResponse.objects.count() == before


def test_bad_stage_is_a_field_error(world):
    with pytest.raises(ValidationError) as info:
        services.check_start(actor=world.owner, company=world.company, stage="T9")
    assert "stage" in info.value.message_dict


def test_public_start_and_rate_limit(programme_world, settings):
    settings.CHECKS_STARTED_PER_HOUR = 2
    response, _token = services.public_check_start(
        programme=programme_world.programme, language="en-GB", sector="craft", size="1"
    )
    assert response.token_hash and response.language == "en" and response.company is None
    assert services.public_check_allowed(client="2001:db8::1")
    assert services.public_check_allowed(client="2001:db8::2")  # same /64
    assert not services.public_check_allowed(client="2001:db8::ffff")
    assert services.public_check_allowed(client="2001:db8:1::1")  # another /64
    with pytest.raises(ValidationError):
        services.public_check_start(programme=None, language="de", sector="bakery")


def test_submitted_is_closed(programme_world):
    check = programme_world.check
    with pytest.raises(services.CheckClosed):
        services.check_answers_save(response=check, answers={})
    with pytest.raises(services.CheckClosed):
        services.check_submit(response=check)


def test_submit_needs_every_dimension(programme_world):
    draft = programme_world.draft_check
    with pytest.raises(ValidationError) as info:
        services.check_submit(response=draft)
    assert "answers" in info.value.message_dict
    draft.refresh_from_db()
    assert draft.status == "draft"


def _fake_score(response):
    """Submit without part A's rule: every dimension answered, a fixed snapshot."""
    from checks.scoring import Scores

    scores = Scores(overall=40.0, band="average", dimensions={})
    return (
        mock.patch("checks.services.questionnaire_load"),
        mock.patch(
            "checks.services.dimensions_answered",
            return_value=dict.fromkeys(
                ["strategy", "readiness", "human", "data", "automation", "green"], True
            ),
        ),
        mock.patch("checks.services.score", return_value=scores),
        mock.patch(
            "checks.services.recommendations_for",
            return_value=[{"category": "website", "reasons": []}],
        ),
    )


def _submit(response):
    patches = _fake_score(response)
    with patches[0], patches[1], patches[2], patches[3]:
        return services.check_submit(response=response)


def test_submit_touches_the_register_of_the_convoys_programme(programme_world, world):
    response = services.check_start(actor=world.member, company=world.company, stage="T1")
    _submit(response)
    assert response.status == "submitted" and response.overall == 40.0
    assert Touch.objects.filter(
        programme=programme_world.programme,
        company=world.company,
        kind="check_submitted",
        source=f"check:{response.pk}",
    ).exists()
    with pytest.raises(services.CheckClosed):
        _submit(response)


def test_anonymous_submit_touches_nothing(programme_world):
    touches = Touch.objects.count()
    _submit(programme_world.public_check)
    assert Touch.objects.count() == touches


def _submitted_public(programme):
    return PublicCheckFactory(submitted=True, programme=programme, sector="craft", size="1")


def test_contact_needs_consent_and_a_submitted_check(programme_world):
    with pytest.raises(ValidationError) as info:
        services.public_check_contact(
            response=programme_world.public_check, email="a@example.com", consent=True
        )
    assert "status" in info.value.message_dict
    response = _submitted_public(programme_world.programme)
    with pytest.raises(ValidationError) as info:
        services.public_check_contact(response=response, email="nope", consent=False)
    assert {"consent", "email"} <= set(info.value.message_dict)
    with pytest.raises(ValidationError) as info:
        services.public_check_contact(
            response=response, email="a@example.com", consent=True, share_with_programme=True
        )
    assert {"company_name", "postcode"} <= set(info.value.message_dict)
    response.refresh_from_db()
    assert response.email == "" and response.consent_at is None


def test_contact_mails_are_limited(programme_world, django_capture_on_commit_callbacks):
    response = _submitted_public(programme_world.programme)
    with django_capture_on_commit_callbacks(execute=True):
        for _n in range(services.CONTACT_MAILS_PER_HOUR):
            services.public_check_contact(response=response, email="a@example.com", consent=True)
    with pytest.raises(services.CheckLimited):
        services.public_check_contact(response=response, email="b@example.com", consent=True)
    assert len(mail.outbox) == services.CONTACT_MAILS_PER_HOUR


def test_share_confirm_and_withdraw(programme_world, django_capture_on_commit_callbacks):
    programme = programme_world.programme
    response = _submitted_public(programme)
    with django_capture_on_commit_callbacks(execute=True):
        services.public_check_contact(
            response=response,
            email="bea@baeckerei.example",
            consent=True,
            share_with_programme=True,
            contact_name="Bea Bäcker",
            company_name="Bäckerei Korn",
            postcode="58095",
        )
    assert response.share_consent_at is not None
    # Not in the register before the confirmation.
    assert not Touch.objects.filter(source=f"check:{response.pk}").exists()
    with pytest.raises(ValidationError):
        services.public_check_email_confirm(response=response, proof="0" * 32, accept=True)
    assert not Touch.objects.filter(source=f"check:{response.pk}").exists()
    proof = check_email_proof(response)
    services.public_check_email_confirm(response=response, proof=proof, accept=True)
    touch = Touch.objects.get(source=f"check:{response.pk}")
    record = CompanyRecord.objects.get(programme=programme, company=touch.company)
    assert record.stage == "engaged"
    assert record.company.name == "Bäckerei Korn"
    assert record.contact_email == "bea@baeckerei.example"
    # The programme sees it on the record now.
    from checks.selectors import programme_record_checks

    assert programme_record_checks(programme=programme, company=record.company) == [response]
    services.public_check_email_confirm(response=response, proof=proof, accept=False)
    assert response.share_consent_at is None
    assert not Touch.objects.filter(source=f"check:{response.pk}").exists()
    assert programme_record_checks(programme=programme, company=record.company) == []


def test_share_never_merges_into_the_register_entry_of_the_same_name(programme_world, world):
    # Anyone can type a company's name and postcode: the share gets an entry of its own, and
    # staff see the duplicate suggestion (tests/checks/test_attack_review_fixes.py).
    world.company.postcode = "58097"
    world.company.save()
    response = _submitted_public(programme_world.programme)
    services.public_check_contact(
        response=response,
        email="x@example.com",
        consent=True,
        share_with_programme=True,
        company_name=f"  {world.company.name.upper()} ",
        postcode="58097",
    )
    services.public_check_email_confirm(
        response=response, proof=check_email_proof(response), accept=True
    )
    assert Touch.objects.get(source=f"check:{response.pk}").company != world.company


def test_claim(programme_world, world):
    response = _submitted_public(programme_world.programme)
    with pytest.raises(PermissionDenied):
        services.public_check_claim(response=response, actor=world.outsider, company=world.company)
    services.public_check_claim(response=response, actor=world.member, company=world.company)
    response.refresh_from_db()
    assert response.company == world.company and response.respondent == world.member
    # The company is in the programme's convoy: the register learns of it.
    assert Touch.objects.filter(source=f"check:{response.pk}", company=world.company).exists()


def test_erase(programme_world):
    response = _submitted_public(programme_world.programme)
    services.public_check_contact(
        response=response,
        email="x@example.com",
        consent=True,
        share_with_programme=True,
        company_name="Friseur Schnitt",
        postcode="58095",
    )
    services.public_check_email_confirm(
        response=response, proof=check_email_proof(response), accept=True
    )
    pk = response.pk
    services.public_check_erase(response=response)
    assert not CheckResponse.objects.filter(pk=pk).exists()
    assert not Touch.objects.filter(source=f"check:{pk}").exists()


def test_project_start_with_template_milestones(programme_world, world):
    template = {
        "title": "Neue Website",
        "category": "website",
        "description": "Aus dem Check",
        "milestones": [{"title": "Anbieter wählen"}, {"title": "Texte schreiben"}],
    }
    with (
        mock.patch("checks.services.questionnaire_load"),
        mock.patch("checks.services.project_template", return_value=template),
    ):
        project = services.check_project_start(
            actor=world.member, response=programme_world.check, category="website"
        )
        with pytest.raises(PermissionDenied):
            services.check_project_start(
                actor=world.facilitator, response=programme_world.check, category="website"
            )
    assert project.company == world.company and project.category == "website"
    assert [m.title for m in project.milestones.order_by("id")] == [
        "Anbieter wählen",
        "Texte schreiben",
    ]
    assert list(project.convoys.all()) == [world.convoy]
    with (
        mock.patch("checks.services.questionnaire_load"),
        mock.patch("checks.services.project_template", side_effect=LookupError),
        pytest.raises(ValidationError) as info,
    ):
        services.check_project_start(
            actor=world.member, response=programme_world.check, category="nope"
        )
    assert "category" in info.value.message_dict


def test_project_needs_a_submitted_check_of_a_company(programme_world, world):
    with pytest.raises(PermissionDenied):
        services.check_project_start(
            actor=world.member, response=programme_world.public_check, category="website"
        )
    other = CheckResponseFactory(company=world.company)
    with pytest.raises(ValidationError):
        services.check_project_start(actor=world.member, response=other, category="website")
