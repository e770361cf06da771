"""Second attacker review, findings 3 to 5: start-or-resume hands a draft only to the kind of
person who started it (the stage is kept unique at submit), a company discards a coach's open
draft (DELETE /api/v1/checks/{id}/), and a withdrawn or deleted share leaves neither the
register's touch nor the person's contact on the entry it made."""

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from checks import services
from checks.keys import check_email_proof
from checks.models import CheckResponse
from programmes.models import CompanyRecord, Touch
from tests.checks.test_api import _client, one_answer_each
from tests.checks.test_company_pages import client_as
from tests.factories import PublicCheckFactory


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _answered(response: CheckResponse) -> CheckResponse:
    return services.check_answers_save(response=response, answers=one_answer_each())


# --- 3. the stage rule ----------------------------------------------------------------------


def test_a_member_is_not_handed_the_coachs_draft(programme_world):
    pw = programme_world
    coachs = services.check_start(
        actor=pw.coach, company=pw.check.company, stage="T1", advisor_assisted=True
    )
    response = _client(pw.member).post(
        "/api/v1/checks/", {"company": pw.check.company_id, "stage": "T1"}
    )
    assert response.status_code == 201, response.content
    own = CheckResponse.objects.get(pk=response.json()["id"])
    assert own.pk != coachs.pk
    assert not own.advisor_assisted and own.respondent_id == pw.member.pk
    # The member's next start of the stage gives their draft back, not the coach's.
    again = _client(pw.member).post(
        "/api/v1/checks/", {"company": pw.check.company_id, "stage": "T1"}
    )
    assert again.status_code == 200 and again.json()["id"] == own.pk


def test_a_coach_gets_back_only_their_own_advisor_draft(programme_world):
    pw = programme_world
    first = services.check_start(
        actor=pw.coach, company=pw.check.company, stage="T1", advisor_assisted=True
    )
    again, created = services.check_start_or_resume(
        actor=pw.coach, company=pw.check.company, stage="T1", advisor_assisted=True
    )
    assert again.pk == first.pk and not created


def test_the_second_submitted_check_of_a_stage_is_refused(programme_world):
    pw = programme_world
    coachs = _answered(
        services.check_start(
            actor=pw.coach, company=pw.check.company, stage="T1", advisor_assisted=True
        )
    )
    own = _answered(services.check_start(actor=pw.member, company=pw.check.company, stage="T1"))
    services.check_submit(response=own)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.check_submit(response=coachs)
    message = exc.value.message_dict["stage"][0]
    assert "already a T1 check" in message and "Ad hoc" in message
    coachs.refresh_from_db()
    assert not coachs.is_submitted
    # The API says the same (400 on stage), and ad hoc stays open to both.
    refused = _client(pw.coach, language="en").post(f"/api/v1/checks/{coachs.pk}/submit/")
    assert refused.status_code == 400 and "already a T1 check" in refused.json()["stage"][0]


def test_the_check_page_says_why_the_stage_is_refused_at_submit(programme_world):
    pw = programme_world
    draft = _answered(services.check_start(actor=pw.member, company=pw.check.company, stage="T1"))
    other = _answered(
        services.check_start(
            actor=pw.coach, company=pw.check.company, stage="T1", advisor_assisted=True
        )
    )
    services.check_submit(response=other)
    last = 6
    url = reverse("frontend:check_step", kwargs={"check_id": draft.pk, "step": last})
    response = client_as(pw.member).post(url, {"go": "submit"}, follow=True)
    assert response.status_code == 200
    assert "already a T1 check" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_submitted


# --- 3. discarding a draft ------------------------------------------------------------------


def test_the_company_discards_a_coachs_open_draft(programme_world):
    pw = programme_world
    coachs = services.check_start(
        actor=pw.coach, company=pw.check.company, stage="T1", advisor_assisted=True
    )
    response = _client(pw.member).delete(f"/api/v1/checks/{coachs.pk}/")
    assert response.status_code == 204, response.content
    assert not CheckResponse.objects.filter(pk=coachs.pk).exists()


def test_a_coach_discards_their_own_draft_only(programme_world):
    pw = programme_world
    coachs = services.check_start(
        actor=pw.coach, company=pw.check.company, stage="T1", advisor_assisted=True
    )
    with pytest.raises(PermissionDenied):
        services.check_draft_discard(actor=pw.coach, response=pw.draft_check)
    services.check_draft_discard(actor=pw.coach, response=coachs)
    assert not CheckResponse.objects.filter(pk=coachs.pk).exists()
    assert CheckResponse.objects.filter(pk=pw.draft_check.pk).exists()


def test_a_submitted_check_is_not_discarded(programme_world):
    pw = programme_world
    response = _client(pw.member).delete(f"/api/v1/checks/{pw.check.pk}/")
    assert response.status_code == 409
    assert CheckResponse.objects.filter(pk=pw.check.pk).exists()
    with pytest.raises(services.CheckClosed):
        services.check_draft_discard(actor=pw.member, response=pw.check)


def test_outsiders_get_404_when_discarding(programme_world):
    pw = programme_world
    response = _client(pw.other_coach).delete(f"/api/v1/checks/{pw.draft_check.pk}/")
    assert response.status_code == 404
    assert CheckResponse.objects.filter(pk=pw.draft_check.pk).exists()


# --- 4. and 5. withdrawing a share ----------------------------------------------------------


def _shared(programme, *, email="petra@example.com", name="Petra Beispiel"):
    response = PublicCheckFactory(submitted=True, programme=programme, sector="craft", size="1")
    services.public_check_contact(
        response=response,
        email=email,
        consent=True,
        share_with_programme=True,
        contact_name=name,
        company_name="Friseur Schnitt",
        postcode="58095",
    )
    services.public_check_email_confirm(
        response=response, proof=check_email_proof(response), accept=True
    )
    touch = Touch.objects.get(source=f"check:{response.pk}")
    record = CompanyRecord.objects.get(programme=programme, company=touch.company)
    assert record.contact_email == email and record.contact_name == name
    return response, record


def test_a_new_address_without_sharing_forgets_the_share(programme_world):
    response, record = _shared(programme_world.programme)
    services.public_check_contact(
        response=response,
        email="anders@example.com",
        consent=True,
        share_with_programme=False,
    )
    assert not Touch.objects.filter(source=f"check:{response.pk}").exists()
    record.refresh_from_db()
    # The company stays counted as reached; the person's contact goes.
    assert record.contact_email == "" and record.contact_name == ""


def test_erasing_a_shared_check_forgets_its_touch_and_contact(programme_world):
    response, record = _shared(programme_world.programme)
    # Flags changed behind the register's back: the touch decides, not the flags.
    CheckResponse.objects.filter(pk=response.pk).update(email_confirmed_at=None)
    response.refresh_from_db()
    services.public_check_erase(response=response)
    assert not Touch.objects.filter(source=f"check:{response.pk}").exists()
    record.refresh_from_db()
    assert record.contact_email == "" and record.contact_name == ""


def test_declining_from_the_email_forgets_the_contact(programme_world):
    response, record = _shared(programme_world.programme)
    services.public_check_email_confirm(
        response=response, proof=check_email_proof(response), accept=False
    )
    assert not Touch.objects.filter(source=f"check:{response.pk}").exists()
    record.refresh_from_db()
    assert record.contact_email == "" and record.contact_name == ""


def test_a_contact_staff_changed_stays(programme_world):
    response, record = _shared(programme_world.programme)
    CompanyRecord.objects.filter(pk=record.pk).update(
        contact_email="inhaberin@friseur-schnitt.example"
    )
    services.public_check_erase(response=response)
    record.refresh_from_db()
    assert record.contact_email == "inhaberin@friseur-schnitt.example"
    assert record.contact_name == ""  # still what the share wrote


def test_an_existing_entrys_contact_is_never_blanked(programme_world):
    pw = programme_world
    record = pw.record
    before = (record.contact_email, record.contact_name)
    response, _new = _shared(pw.programme, email=record.contact_email or "x@example.com")
    services.public_check_erase(response=response)
    record.refresh_from_db()
    assert (record.contact_email, record.contact_name) == before


def test_the_company_checks_page_discards_a_coachs_draft(programme_world):
    pw = programme_world
    coachs = services.check_start(
        actor=pw.coach, company=pw.check.company, stage="T1", advisor_assisted=True
    )
    url = reverse("frontend:company_checks", kwargs={"company_id": pw.check.company_id})
    page = client_as(pw.member).get(url).content.decode()
    assert f'name="discard" value="{coachs.pk}"' in page
    response = client_as(pw.member).post(url, {"discard": coachs.pk}, follow=True)
    assert response.status_code == 200
    assert "The draft was discarded." in response.content.decode()
    assert not CheckResponse.objects.filter(pk=coachs.pk).exists()
    # Another company's draft, or a submitted check: nothing happens.
    assert client_as(pw.member).post(url, {"discard": pw.other_check.pk}).status_code == 404
    client_as(pw.member).post(url, {"discard": pw.check.pk})
    assert CheckResponse.objects.filter(pk=pw.check.pk).exists()


def test_a_facilitator_cannot_discard_on_the_page(programme_world, world):
    pw = programme_world
    url = reverse("frontend:company_checks", kwargs={"company_id": pw.draft_check.company_id})
    response = client_as(world.facilitator).post(url, {"discard": pw.draft_check.pk})
    assert response.status_code == 403
    assert CheckResponse.objects.filter(pk=pw.draft_check.pk).exists()
