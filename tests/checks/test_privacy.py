"""A person's and a company's data export include their checks; deleting a company takes its
unfinished checks with it; an anonymous respondent deletes theirs (test_api, test_services)."""

import io
import json
import zipfile

from checks.models import CheckResponse
from privacy.erasure import company_delete
from privacy.export import company_data_export, personal_data_export
from tests.factories import CheckResponseFactory, UserFactory


def _json(content: bytes, suffix: str) -> object:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        (name,) = [n for n in archive.namelist() if n == suffix]
        return json.loads(archive.read(name))


def test_personal_export_has_own_checks_and_advised_ones_without_answers(world):
    coach = UserFactory()
    own = CheckResponseFactory(
        submitted=True, company=world.company, respondent=world.owner, answers={"q": []}
    )
    advised = CheckResponseFactory(
        company=world.company, advisor=coach, advisor_assisted=True, answers={"q": []}
    )
    checks = _json(personal_data_export(world.owner), "checks.json")
    assert [c["id"] for c in checks["taken"]] == [own.pk]
    assert checks["taken"][0]["answers"] == {"q": []}
    checks = _json(personal_data_export(coach), "checks.json")
    assert [c["id"] for c in checks["as_advisor"]] == [advised.pk]
    assert "answers" not in checks["as_advisor"][0]


def test_company_export_and_delete(world):
    submitted = CheckResponseFactory(submitted=True, company=world.company)
    draft = CheckResponseFactory(company=world.company)
    checks = _json(company_data_export(world.company, actor=world.owner), "company_checks.json")
    assert {c["id"] for c in checks} == {submitted.pk, draft.pk}
    company_delete(world.company, actor=world.owner)
    assert not CheckResponse.objects.filter(pk=draft.pk).exists()
    assert CheckResponse.objects.filter(pk=submitted.pk).exists()
